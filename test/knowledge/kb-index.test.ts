import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createKnowledgeService, createSegmenter, type KnowledgeService } from '../../src/knowledge/index.ts';
import { createKnowledgeIndexRepository, createTenantRepository, INDEX_VERSION, KbIndexInput, openStore, type KnowledgeIndexRepository } from '../../src/store/index.ts';
import { migrateTo } from '../../src/store/migrations/index.ts';
import { createTestDatabase, testDialects, useFreshStore } from '../helpers/db.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const seg = createSegmenter();

for (const dialect of await testDialects()) describe(`the knowledge index on ${dialect}`, () => {
  const ctx = useFreshStore(dialect);
  let kb: KnowledgeService;
  let index: KnowledgeIndexRepository;
  let owner: { tenantId: string };
  const baseId = async (name: string) => (await kb.resolve(owner, name, 'read')).id;
  const segments = async (name: string) => ctx.store.db.selectFrom('kb_segments').selectAll().where('kb_id', '=', await baseId(name)).where('state', '=', 'ready').orderBy('min_num').execute();
  before(async () => {
    kb = createKnowledgeService({ store: ctx.store });
    index = createKnowledgeIndexRepository(ctx.store.db, ctx.store.dialect);
    owner = { tenantId: (await createTenantRepository(ctx.store.db).ensure('办公厅')).id };
  });

  it('does not read a term in half the chunks or more, and the passage with the rare term still comes first', async () => {
    await kb.createBase({ tenant: '办公厅', name: 'notices' });
    const docs = [
      '关于印章管理的通知：公章由办公室专人保管，用印须登记。',
      '关于国庆节放假安排的通知：十月一日至七日放假。',
      '关于开展安全检查的通知：各处室于本周五前完成自查。',
      '关于召开年度工作会议的通知：会议在三楼会议室举行。',
      '关于调整食堂开放时间的通知：午餐时间提前半小时。',
      '关于做好防汛工作的通知：汛期实行二十四小时值班。',
      '车辆维修费用按季度结算。',
      '档案室借阅须经处长签字。',
      '培训费标准为每人每天四百元。',
      '办公用品每月集中采购一次。',
    ];
    await kb.ingestMany(owner, 'notices', docs.map((text, i) => ({ name: `n${i}.txt`, bytes: enc(text) })));
    const r = await index.searchFullText([await baseId('notices')], seg.query('印章管理的通知'), 10);
    // 通知 is in 6 of 10 chunks: no positive idf, so neither its word nor its bigram is read.
    const plan = new Map(r.terms.map((t) => [t.key, t]));
    assert.equal(plan.get('w通知')?.skipped, 'common');
    assert.equal(plan.get('g通知')?.skipped, 'common');
    assert.equal(plan.get('w印章')?.skipped, null);
    // Counted once each, though several query terms share a block (read once per term and segment).
    assert.equal(plan.get('w印章')?.df, 1);
    assert.equal(plan.get('g管理')?.df, 1);
    assert.equal(plan.get('w通知')?.df, 6);
    const read = r.terms.filter((t) => t.skipped === null).reduce((n, t) => n + t.df, 0);
    assert.equal(r.postings, read, 'only the postings of terms that were kept are read');
    assert.ok(r.postings < read + 12, 'the two common terms (6 postings each) were not read');
    assert.match(r.hits[0].text, /印章管理/);
    // The other notices match only the skipped term: they are not candidates at all.
    assert.ok(r.hits.every((h) => /印章|管理/.test(h.text)), r.hits.map((h) => h.text).join('\n'));
  });

  it('past the postings budget it leaves out the commonest terms; the rarest is read, and the one passage holding it leads', async () => {
    await kb.createBase({ tenant: '办公厅', name: 'budget' });
    const docs = [
      '差旅费报销须附行程单和发票。',
      '住宿标准按职级分档执行。',
      '会议费标准另行规定。',
      '培训费标准为每人每天四百元。',
      '接待标准从严控制。',
      '伙食补助标准为每人每天一百元。',
      '公务用车按规定配备。',
      '办公用房面积按编制核定。',
      '印章由专人保管。',
      '档案室借阅须登记。',
      '车辆维修按季度结算。',
      '办公用品集中采购。',
    ];
    await kb.ingestMany(owner, 'budget', docs.map((text, i) => ({ name: `b${i}.txt`, bytes: enc(text) })));
    const q = seg.query('差旅费住宿标准');
    const id = await baseId('budget');
    const open = await index.searchFullText([id], q, 10);
    assert.ok(open.terms.every((t) => t.skipped === null), 'under the default budget every term is read');
    const capped = await index.searchFullText([id], q, 10, { maxPostings: 1 });
    const kept = capped.terms.filter((t) => t.skipped === null && t.df > 0);
    assert.deepEqual(kept.map((t) => t.df), [1], 'only the rarest term is read');
    assert.ok(capped.terms.some((t) => t.key === 'w标准' && t.skipped === 'budget'), JSON.stringify(capped.terms));
    assert.ok(capped.postings < open.postings);
    // 差旅费 (and its bigrams) are in one passage only: that passage leads with or without the budget.
    assert.match(capped.hits[0].text, /差旅费/);
    assert.match(open.hits[0].text, /差旅费/);
    // Through the service setting (knowledge.max_postings) as well.
    const strict = createKnowledgeService({ store: ctx.store, settings: { maxPostings: 1, rescore: false } });
    assert.match((await strict.search(owner, ['budget'], '差旅费住宿标准'))[0].text, /差旅费/);
  });

  it('merges segments as a base grows, and ranks exactly as one segment over the same chunks does', async () => {
    const texts = Array.from({ length: 21 }, (_, i) => `第${i}号文件：${['差旅费', '会议费', '培训费'][i % 3]}管理办法，${['住宿', '交通', '伙食'][i % 3]}标准第${i % 5}档，适用于${['机关', '事业单位'][i % 2]}。`);
    await kb.createBase({ tenant: '办公厅', name: 'whole' });
    await kb.createBase({ tenant: '办公厅', name: 'pieces' });
    await kb.ingestMany(owner, 'whole', texts.map((t, i) => ({ name: `f${i}.txt`, bytes: enc(t) })));
    for (const [i, t] of texts.entries()) await kb.ingest(owner, 'pieces', { name: `f${i}.txt`, bytes: enc(t) });
    assert.equal((await segments('whole')).length, 1);
    const same = async () => {
      for (const q of ['差旅费住宿标准', '事业单位培训费', '第7号文件', '会议费交通']) {
        const a = (await index.searchFullText([await baseId('whole')], seg.query(q), 21)).hits;
        const b = (await index.searchFullText([await baseId('pieces')], seg.query(q), 21)).hits;
        assert.deepEqual(b.map((h) => h.document), a.map((h) => h.document), q);
        b.forEach((h, i) => assert.ok(Math.abs(h.score - a[i].score) < 1e-9, q));
      }
    };
    // Writes merge a level at eight segments; what is left is searched alike.
    const pieces = await segments('pieces');
    assert.ok(pieces.length < 21 && pieces.length <= 7, `21 writes leave few segments: ${pieces.map((s) => s.docs).join(', ')}`);
    assert.equal(pieces.reduce((n, s) => n + Number(s.docs), 0), 21);
    await same();
    // A finished ingest merges down to at most three a level.
    await index.merge(await baseId('pieces'));
    const merged = await segments('pieces');
    assert.ok(merged.length <= 3 && merged.length < pieces.length, merged.map((s) => s.docs).join(', '));
    await same();
  });

  it('on PostgreSQL, a bulk ingest leaves the planner statistics of the knowledge tables current (regression: look-ups by source filtered every document of a base that grew from empty)', { skip: dialect !== 'postgres' }, async () => {
    const reltuples = async () => Number((await sql<{ n: number }>`SELECT reltuples AS n FROM pg_class WHERE oid = 'kb_documents'::regclass`.execute(ctx.store.db)).rows[0].n);
    const before = await reltuples();
    await kb.createBase({ tenant: '办公厅', name: 'bulk' });
    await kb.ingestMany(owner, 'bulk', Array.from({ length: 1200 }, (_, i) => ({ name: `r${i}.txt`, bytes: enc(`第${i}号登记表：${i % 7}类事项，办理期限${i % 30}日。`) })));
    // ANALYZE ran after the write (reltuples is -1 or stale until then; inserts alone never change it).
    assert.ok((await reltuples()) >= before + 1000, `reltuples ${before} → ${await reltuples()}`);
    assert.equal((await kb.search(owner, ['bulk'], '第1117号登记表'))[0]?.document, 'r1117.txt');
  });

  it('drops a deleted or replaced document from results at once, and its postings when its segment is rewritten', async () => {
    await kb.createBase({ tenant: '办公厅', name: 'churn' });
    const texts = ['蓝鲸计划的预算为三百万元。', '白鹭计划的预算为两百万元。', '灰狼计划已经结项。', '赤狐计划正在招标。', '黑熊计划暂缓。', '金雕计划待审批。'];
    const out = await kb.ingestMany(owner, 'churn', texts.map((t, i) => ({ name: `p${i}.txt`, bytes: enc(t) })));
    const [seg0] = await segments('churn');
    await kb.deleteDocument(owner, 'churn', out[0].documentId);
    assert.ok((await kb.search(owner, ['churn'], '蓝鲸计划')).every((h) => h.document !== 'p0.txt'));
    assert.equal(Number((await segments('churn'))[0].dead), 1, 'counted against its segment, not yet rewritten');
    await kb.deleteDocument(owner, 'churn', out[1].documentId);
    // Two of six deleted: a third of the segment, so it was rewritten without them.
    const [after] = await segments('churn');
    assert.equal(Number(after.dead), 0);
    assert.equal(Number(after.docs), 4);
    assert.ok(Number(after.postings) < Number(seg0.postings));
    assert.ok((await kb.search(owner, ['churn'], '白鹭计划预算')).every((h) => !/白鹭|蓝鲸/.test(h.text)));
    // Replacing a file: the old text is gone, the new found.
    await kb.ingest(owner, 'churn', { name: 'p2.txt', bytes: enc('灰狼计划改名为雪豹计划。') });
    assert.ok((await kb.search(owner, ['churn'], '结项')).every((h) => h.document !== 'p2.txt'));
    assert.equal((await kb.search(owner, ['churn'], '雪豹计划'))[0].document, 'p2.txt');
    const stats = await ctx.store.db.selectFrom('kb_index').selectAll().where('kb_id', '=', await baseId('churn')).executeTakeFirstOrThrow();
    assert.equal(Number(stats.docs), 4, 'live chunks');
  });

  it('a group write that fails part-way leaves nothing of it: no documents, chunks, segments or blocks, counters as before, the file it would replace intact', async () => {
    await kb.createBase({ tenant: '办公厅', name: 'atomic' });
    await kb.ingestMany(owner, 'atomic', [{ name: 'keep.txt', bytes: enc('青松计划的预算为五十万元。') }, { name: 'old.txt', bytes: enc('红枫计划的预算为八十万元。') }]);
    const id = await baseId('atomic');
    const snapshot = async () => ({
      docs: (await ctx.store.db.selectFrom('kb_documents').select(['id', 'source', 'sha256']).where('kb_id', '=', id).orderBy('source').execute()),
      chunks: (await ctx.store.db.selectFrom('kb_chunks').select(['id', 'num']).where('kb_id', '=', id).orderBy('num').execute()).map((r) => `${r.id}@${r.num}`),
      segs: (await ctx.store.db.selectFrom('kb_segments').select(['seg', 'dead']).where('kb_id', '=', id).orderBy('seg').execute()).map((r) => `${r.seg}:${r.dead}`),
      blocks: Number((await ctx.store.db.selectFrom('kb_blocks').select((eb) => eb.fn.countAll<number>().as('n')).where('kb_id', '=', id).executeTakeFirstOrThrow()).n),
      index: await ctx.store.db.selectFrom('kb_index').select(['docs', 'tokens', 'next_num', 'next_seg']).where('kb_id', '=', id).executeTakeFirstOrThrow(),
    });
    const before = await snapshot();
    assert.equal(before.docs.length, 2);
    assert.ok(before.blocks > 0);
    // Three new documents, one replacing old.txt; the last document's two chunks share a sequence number, so
    // the chunk insert breaks a primary key after the old file's rows were deleted and the new documents inserted.
    const input = new KbIndexInput();
    const chunk = (seq: number, text: string) => ({ seq, text, heading: null, page: null, embedding: null, lens: input.add(seg.index(text)) });
    const doc = (source: string, n: number) => ({
      id: `doc-${source}`, kb_id: id, source, name: source, format: 'text', sha256: `sha-${source}`, status: 'ready', note: null, bytes: 10, chars: 10,
      pages: null, chunk_count: n, metadata: '{}', created_at: 1, updated_at: 1,
    });
    const writes = [
      { doc: doc('new1.txt', 1), chunks: [chunk(0, '白杨计划的预算为九十万元。')] },
      { doc: doc('old.txt', 1), chunks: [chunk(0, '红枫计划改名为金桂计划。')] },
      { doc: doc('bad.txt', 2), chunks: [chunk(0, '紫藤计划待审批。'), chunk(0, '紫藤计划的第二段。')] },
    ];
    await assert.rejects(index.writeDocuments(writes, input));
    assert.deepEqual(await snapshot(), before);
    assert.equal((await kb.search(owner, ['atomic'], '红枫计划预算'))[0]?.document, 'old.txt');
    assert.ok((await kb.search(owner, ['atomic'], '白杨计划')).every((h) => h.document !== 'new1.txt'));
    // The same files without the broken one land.
    const ok = new KbIndexInput();
    const again = writes.slice(0, 2).map((w) => ({ doc: w.doc, chunks: w.chunks.map((c) => ({ ...c, lens: ok.add(seg.index(c.text)) })) }));
    await index.writeDocuments(again, ok);
    assert.equal((await kb.search(owner, ['atomic'], '白杨计划'))[0]?.document, 'new1.txt');
    assert.equal((await kb.search(owner, ['atomic'], '金桂计划'))[0]?.document, 'old.txt');
    assert.equal((await snapshot()).docs.length, 3);
  });

  it('rebuilds the index of a base written by an older version from its chunks\' text on its first search', async () => {
    await kb.createBase({ tenant: '办公厅', name: 'legacy' });
    await kb.ingestMany(owner, 'legacy', ['公积金缴存比例为百分之十二。', '离职后可以申请提取公积金。', '会议费实行综合定额控制。'].map((t, i) => ({ name: `l${i}.txt`, bytes: enc(t) })));
    const before = await kb.search(owner, ['legacy'], '公积金提取');
    const id = await baseId('legacy');
    await ctx.store.db.deleteFrom('kb_blocks').where('kb_id', '=', id).execute();
    await ctx.store.db.deleteFrom('kb_segments').where('kb_id', '=', id).execute();
    await ctx.store.db.updateTable('kb_index').set({ version: 0 }).where('kb_id', '=', id).execute();
    assert.deepEqual((await index.searchFullText([id], seg.query('公积金提取'), 5)).stale, [id]);
    const after = await kb.search(owner, ['legacy'], '公积金提取');
    assert.deepEqual(after.map((h) => [h.document, h.score]), before.map((h) => [h.document, h.score]));
    assert.equal((await index.indexState(id))?.version, INDEX_VERSION);
  });

  it('ingests many files as one group: outcomes in order, unchanged and duplicate files skipped, a broken file fails alone', async () => {
    await kb.createBase({ tenant: '办公厅', name: 'many' });
    const files = [
      { name: 'a.txt', bytes: enc('甲文件：资产清查。') },
      { name: 'b.txt', bytes: enc('乙文件：预算执行。') },
      { name: 'a-copy.txt', bytes: enc('甲文件：资产清查。') },
      { name: 'broken.docx', bytes: enc('not a zip at all') },
      { name: 'c.txt', bytes: enc('丙文件：政府采购。') },
    ];
    const out = await kb.ingestMany(owner, 'many', files);
    assert.deepEqual(out.map((o) => o.status), ['done', 'done', 'skipped', 'failed', 'done']);
    assert.match(out[2].reason!, /duplicate of a\.txt/);
    assert.ok(out[3].reason);
    assert.equal(out[2].documentId, out[0].documentId);
    const again = await kb.ingestMany(owner, 'many', files.filter((f) => f.name !== 'broken.docx'));
    assert.deepEqual(again.map((o) => [o.status, o.reason]), [['skipped', 'unchanged'], ['skipped', 'unchanged'], ['skipped', 'duplicate of a.txt'], ['skipped', 'unchanged']]);
    assert.equal((await kb.search(owner, ['many'], '政府采购'))[0].document, 'c.txt');
    assert.equal((await kb.listDocuments(owner, 'many')).length, 3);
  });

  it('runs the jobs of one upload batch together; a file that cannot be read fails alone', async () => {
    await kb.createBase({ tenant: '办公厅', name: 'batch' });
    const files = Array.from({ length: 5 }, (_, i) => ({ source: `u${i}.txt`, content: enc(`第${i}份上传文件：绩效评价报告${i}。`) }));
    const batch = await kb.enqueue(owner, 'batch', [...files, { source: '/nonexistent/missing.txt' }]);
    const results = await kb.runJobs(batch);
    assert.equal(results.length, 6);
    assert.equal(results.filter((r) => r.error).length, 1);
    assert.match(results.find((r) => r.error)!.error!, /ENOENT/);
    const p = await kb.progress(batch);
    assert.deepEqual([p.done, p.failed, p.queued, p.running], [5, 1, 0, 0]);
    assert.deepEqual(await kb.runJobs(batch), []);
    assert.equal((await segments('batch')).length, 1, 'one write, one segment');
  });
});

describe('the knowledge index query plan (SQLite)', () => {
  const ctx = useFreshStore('sqlite');
  it('finds blocks and chunks through their primary keys, never by scanning a base', async () => {
    const kb = createKnowledgeService({ store: ctx.store });
    await kb.createBase({ tenant: '财政局', name: 'plan' });
    await kb.ingestMany(null, 'plan', Array.from({ length: 30 }, (_, i) => ({ name: `办法${i}.txt`, bytes: enc(`第${i}条 差旅费住宿标准为每人每天${300 + i}元。`) })));
    const { nativeDriver } = await import('../../src/store/database.ts');
    const native = nativeDriver(ctx.store.db);
    assert.equal(native?.dialect, 'sqlite');
    const plans: string[] = [];
    const original = native.sqlite.prepare.bind(native.sqlite);
    // Record the plan of every statement the search prepares.
    native.sqlite.prepare = ((source: string) => {
      if (/^\s*(WITH|SELECT)/i.test(source) && /kb_blocks|kb_chunks/.test(source)) plans.push(original(`EXPLAIN QUERY PLAN ${source}`).all(...new Array((source.match(/\?/g) ?? []).length).fill(0)).map((r: any) => r.detail).join('\n'));
      return original(source);
    }) as typeof native.sqlite.prepare;
    try {
      await kb.search(null, ['plan'], '差旅费住宿标准', { rescore: false });
    } finally {
      native.sqlite.prepare = original;
    }
    const all = plans.join('\n---\n');
    assert.match(all, /SEARCH b USING INDEX sqlite_autoindex_kb_blocks_1 \(kb_id=\? AND seg=\? AND first_hash<\?\)/, all);
    assert.match(all, /SEARCH c USING INDEX kb_chunks_num \(kb_id=\? AND num=\?\)/, all);
    assert.doesNotMatch(all, /SCAN (b|c|kb_blocks|kb_chunks)\b/, all);
  });
});

describe('upgrading a database from before the knowledge index (migration 0010)', async () => {
  for (const dialect of await testDialects()) {
    it(`numbers existing chunks, drops the old token tables, and rebuilds old bases at start or on their first search (${dialect})`, async (t) => {
      // A database as the release before the index left it: migrated up to 0009, chunks with FTS5 rows (SQLite) or
      // kb_terms rows (PostgreSQL), written as that release wrote them.
      const tdb = await createTestDatabase(dialect);
      t.after(() => tdb.drop());
      const old = await openStore(tdb.url, { migrate: false });
      assert.equal((await migrateTo(old.db, '0009-cluster')).error, undefined);
      const tenant = await createTenantRepository(old.db).ensure('财政局');
      const now = Date.now();
      for (const [id, name] of [['b1', 'old'], ['b2', 'empty'], ['b3', 'other']]) await old.db.insertInto('kb_bases').values({ id, tenant_id: tenant.id, name, description: null, created_at: now, updated_at: now }).execute();
      const texts: Array<[base: string, text: string]> = [['b1', '住房公积金缴存比例为百分之十二。'], ['b1', '会议费实行综合定额控制。'], ['b3', '培训费标准为每人每天四百元。']];
      for (const [i, [base, text]] of texts.entries()) {
        await old.db.insertInto('kb_documents').values({ id: `d${i}`, kb_id: base, source: `${i}.txt`, name: `${i}.txt`, format: 'txt', sha256: `h${i}`, status: 'ready', note: null, bytes: 1, chars: text.length, pages: null, chunk_count: 1, metadata: '{}', created_at: now + i, updated_at: now }).execute();
        await sql`INSERT INTO kb_chunks (id, kb_id, document_id, seq, text, heading, page, len_words, len_grams, len_chars, fts_rowid, embedding, created_at)
          VALUES (${`d${i}:0`}, ${base}, ${`d${i}`}, 0, ${text}, NULL, NULL, 3, 5, 7, ${dialect === 'sqlite' ? i + 1 : null}, NULL, ${now + i})`.execute(old.db);
        if (dialect === 'sqlite') await sql`INSERT INTO kb_fts (rowid, words, grams, chars, kb_id) VALUES (${i + 1}, 'x', 'y', 'z', ${base})`.execute(old.db);
        else await sql`INSERT INTO kb_terms (kb_id, chunk_id, term, tf) VALUES (${base}, ${`d${i}:0`}, 'w:x', 1)`.execute(old.db);
      }
      await old.close();

      const store = await openStore(tdb.url);
      try {
        const db = store.db;
        const nums = await db.selectFrom('kb_chunks').select(['id', 'num']).orderBy('id').execute();
        assert.deepEqual(nums.map((r) => [r.id, Number(r.num)]), [['d0:0', 0], ['d1:0', 1], ['d2:0', 0]], 'numbered per base, in write order');
        const rows = await db.selectFrom('kb_index').selectAll().orderBy('kb_id').execute();
        assert.deepEqual(rows.map((r) => [r.kb_id, Number(r.docs), Number(r.next_num), r.version]), [['b1', 2, 2, 0], ['b2', 0, 0, INDEX_VERSION], ['b3', 1, 1, 0]]);
        const tables = dialect === 'sqlite'
          ? (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE name LIKE 'kb_fts%' OR name = 'kb_terms'`.execute(db)).rows
          : (await sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE tablename = 'kb_terms'`.execute(db)).rows;
        assert.deepEqual(tables, [], 'the old token tables are gone');

        const kb = createKnowledgeService({ store });
        // The first search of an old base rebuilds it from its chunks' text.
        assert.equal((await kb.search(null, ['old'], '公积金缴存比例'))[0]?.document, '0.txt');
        const rebuilt = await db.selectFrom('kb_index').selectAll().where('kb_id', '=', 'b1').executeTakeFirstOrThrow();
        assert.equal(rebuilt.version, INDEX_VERSION);
        assert.ok(Number(rebuilt.tokens) > 0 && Number(rebuilt.tokens) !== 30, 'token counts come from the new segmentation');
        // A starting server rebuilds the rest (the job worker calls rebuildStale).
        assert.equal(await kb.rebuildStale(), 1);
        assert.equal((await db.selectFrom('kb_index').select('version').where('kb_id', '=', 'b3').executeTakeFirstOrThrow()).version, INDEX_VERSION);
        assert.equal((await kb.search(null, ['other'], '培训费标准'))[0]?.document, '2.txt');
        // The upgraded base takes new documents after its old ones, and deletes.
        await kb.ingest(null, 'old', { name: '3.txt', bytes: enc('公积金贷款额度最高六十万元。') });
        assert.equal(Number((await db.selectFrom('kb_chunks').select('num').where('document_id', 'in', (await kb.listDocuments(null, 'old')).filter((d) => d.name === '3.txt').map((d) => d.id)).executeTakeFirstOrThrow()).num), 2);
        assert.deepEqual((await kb.search(null, ['old'], '公积金')).map((h) => h.document).sort(), ['0.txt', '3.txt']);
        await kb.deleteDocument(null, 'old', 'd0');
        assert.deepEqual((await kb.search(null, ['old'], '公积金')).map((h) => h.document), ['3.txt']);
      } finally {
        await store.close();
      }
    });
  }
});
