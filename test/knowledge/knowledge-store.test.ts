import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnowledgeService, modelEmbedder, type KnowledgeService } from '../../src/knowledge/index.ts';
import { createModelRegistry } from '../../src/providers/index.ts';
import { sql } from 'kysely';
import { createTenantRepository, openStore, type Store } from '../../src/store/index.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../helpers/db.ts';
import { docx } from './fixtures.ts';

const enc = (s: string) => new TextEncoder().encode(s);

const CORPUS: Record<string, string> = {
  '差旅费管理办法.txt': '第一条 为加强差旅费管理，制定本办法。\n\n第二条 工作人员出差住宿费标准为每人每天五百元，超出部分自理。\n\n第三条 城市间交通费按照出差人员职级乘坐相应交通工具。',
  '公积金缴存.md': '# 住房公积金\n\n单位和职工的住房公积金缴存比例均为百分之十二。\n\n职工离职后可以申请提取住房公积金。',
  '会议费管理.html': '<h1>会议费</h1><p>会议费开支实行综合定额控制，各项费用之间可以调剂使用。</p><p>三类会议每人每天不超过四百五十元。</p>',
  '车辆.csv': '车牌,用途,部门\n京A12345,公务用车,办公室\n京B67890,机要通信,保密办\n',
};

for (const dialect of await testDialects()) {
  describe(`knowledge bases on ${dialect}`, () => {
    let tdb: TestDatabase;
    let store: Store;
    let kb: KnowledgeService;
    let finance: { tenantId: string };
    let audit: { tenantId: string };
    before(async () => {
      tdb = await createTestDatabase(dialect);
      store = await openStore(tdb.url);
      kb = createKnowledgeService({ store });
      const tenants = createTenantRepository(store.db);
      finance = { tenantId: (await tenants.ensure('财政局')).id };
      audit = { tenantId: (await tenants.ensure('审计局')).id };
      await kb.createBase({ tenant: '财政局', name: 'finance' });
      for (const [name, text] of Object.entries(CORPUS)) await kb.ingest(finance, 'finance', { name, bytes: enc(text) });
      await kb.ingest(finance, 'finance', { name: '规定.docx', bytes: docx() });
    });
    after(async () => {
      await store.close();
      await tdb.drop();
    });

    it('finds Chinese passages for Chinese questions, with document, chunk and page', async () => {
      const cases: Array<[string, string, RegExp]> = [
        ['住宿费超出标准的部分怎么办？', '差旅费管理办法.txt', /超出部分自理/],
        ['公积金缴存比例是多少', '公积金缴存.md', /百分之十二/],
        ['三类会议每天的费用标准', '会议费管理.html', /四百五十元/],
        ['机要通信用哪辆车', '车辆.csv', /京B67890/],
        ['北京住宿标准', '规定.docx', /北京/],
      ];
      for (const [q, doc, text] of cases) {
        const [top] = await kb.search(finance, ['finance'], q, { topK: 3 });
        assert.equal(top?.document, doc, q);
        assert.match(top.text, text, q);
        assert.equal(typeof top.chunk, 'number');
        assert.ok(top.score > 0);
      }
      const [docxHit] = await kb.search(finance, ['finance'], '发票 行程单', { topK: 1 });
      assert.equal(docxHit.page, 2);
    });

    it('re-adding an unchanged file is skipped; a duplicate under another name too; a changed one replaces its chunks', async () => {
      const again = await kb.ingest(finance, 'finance', { name: '公积金缴存.md', bytes: enc(CORPUS['公积金缴存.md']) });
      assert.deepEqual([again.status, again.reason], ['skipped', 'unchanged']);
      const dup = await kb.ingest(finance, 'finance', { name: 'copy.md', bytes: enc(CORPUS['公积金缴存.md']) });
      assert.equal(dup.status, 'skipped');
      assert.match(dup.reason!, /duplicate/);
      const changed = await kb.ingest(finance, 'finance', { name: '公积金缴存.md', bytes: enc('# 住房公积金\n\n缴存比例调整为百分之八。') });
      assert.equal(changed.status, 'done');
      const hits = await kb.search(finance, ['finance'], '公积金缴存比例', { topK: 10 });
      const texts = hits.filter((h) => h.document === '公积金缴存.md').map((h) => h.text).join('\n');
      assert.match(texts, /百分之八/);
      assert.doesNotMatch(texts, /百分之十二/);
      assert.equal((await kb.listDocuments(finance, 'finance')).filter((d) => d.name === '公积金缴存.md').length, 1);
    });

    it('permissions: owner reads and writes, others see nothing until shared, and shared is read-only', async () => {
      await assert.rejects(kb.search(audit, ['finance'], '住宿费'), (e: any) => e.code === 'not_found');
      assert.equal((await kb.listBases(audit)).length, 0);
      await kb.share(finance, 'finance', '审计局');
      assert.ok((await kb.search(audit, ['finance'], '住宿费')).length > 0);
      assert.deepEqual((await kb.listBases(audit)).map((b) => b.name), ['finance']);
      await assert.rejects(kb.ingest(audit, 'finance', { name: 'x.txt', bytes: enc('篡改') }), (e: any) => e.code === 'forbidden');
      await assert.rejects(kb.deleteBase(audit, 'finance'), (e: any) => e.code === 'forbidden');
      await assert.rejects(kb.share(audit, 'finance', '审计局', false), (e: any) => e.code === 'forbidden');
      await kb.share(finance, 'finance', '审计局', false);
      await assert.rejects(kb.search(audit, ['finance'], '住宿费'), (e: any) => e.code === 'not_found');
      await assert.rejects(kb.createBase({ tenant: '财政局', name: 'finance' }), (e: any) => e.code === 'conflict');
    });

    it('a department dictionary keeps its own terms whole', async () => {
      await kb.createBase({ tenant: '审计局', name: 'audit-kb' });
      await kb.addWords(audit, 'audit-kb', ['穿透式监管']);
      await kb.ingest(audit, 'audit-kb', { name: 'a.txt', bytes: enc('本年度推行穿透式监管，覆盖全部预算单位。') });
      await kb.ingest(audit, 'audit-kb', { name: 'b.txt', bytes: enc('监管部门的年度工作要点。') });
      const [top] = await kb.search(audit, ['audit-kb'], '穿透式监管');
      assert.equal(top.document, 'a.txt');
    });

    it('ingest jobs persist in the database and resume in a new process (service instance)', async () => {
      await kb.createBase({ tenant: '财政局', name: 'jobs-kb' });
      const dir = mkdtempSync(join(tmpdir(), 'yumen-kb-'));
      const files = ['一.txt', '二.txt', '三.txt'].map((n, i) => {
        const p = join(dir, n);
        writeFileSync(p, `第${i + 1}份文件：关于资产清查的通知${i}。`);
        return p;
      });
      const batch = await kb.enqueue(finance, 'jobs-kb', [...files.map((source) => ({ source })), { source: 'upload.txt', content: enc('上传的文件内容：预算执行情况。') }, { source: join(dir, 'missing.txt') }]);
      assert.equal((await kb.progress(batch)).queued, 5);
      const first = await kb.runNextJob(batch);
      assert.ok(first && first.outcome?.status === 'done');
      // "Restart": a fresh store connection and service finish the remaining jobs.
      const store2 = await openStore(tdb.url);
      try {
        const kb2 = createKnowledgeService({ store: store2 });
        while (await kb2.runNextJob(batch)) { /* drain */ }
        const p = await kb2.progress(batch);
        assert.deepEqual([p.total, p.done, p.failed, p.queued], [5, 4, 1, 0]);
        assert.match((await kb2.listJobs(batch)).find((j) => j.status === 'failed')!.error!, /ENOENT/);
        assert.equal((await kb2.search(finance, ['jobs-kb'], '预算执行'))[0].document, 'upload.txt');
      } finally {
        await store2.close();
      }
    });

    it('deleting a base removes its documents from search', async () => {
      await kb.createBase({ tenant: '财政局', name: 'tmp-kb' });
      await kb.ingest(finance, 'tmp-kb', { name: 't.txt', bytes: enc('临时知识库中的独特内容：蓝鲸计划。') });
      assert.equal((await kb.search(finance, ['tmp-kb'], '蓝鲸计划')).length, 1);
      await kb.deleteBase(finance, 'tmp-kb');
      await assert.rejects(kb.search(finance, ['tmp-kb'], '蓝鲸计划'), (e: any) => e.code === 'not_found');
      assert.ok((await kb.search(finance, ['finance'], '蓝鲸计划')).every((h) => h.document !== 't.txt'));
    });
  });
}

/** A deterministic embeddings server: hashed bag of character bigrams → 64-dim vector (OpenAI /v1/embeddings shape). */
function embeddingServer(): Promise<{ server: Server; url: string; calls: () => number }> {
  let calls = 0;
  const vec = (s: string) => {
    const v = new Array(64).fill(0);
    const cs = [...s];
    for (let i = 0; i + 1 < cs.length; i++) {
      let h = 0;
      for (const ch of cs[i] + cs[i + 1]) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
      v[h % 64] += 1;
    }
    return v;
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls++;
      const { input } = JSON.parse(body) as { input: string[] };
      const data = input.map((t, index) => ({ object: 'embedding', index, embedding: vec(t) }));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ object: 'list', data, model: 'hash-bigram', usage: { prompt_tokens: 1, total_tokens: 1 } }));
    });
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => {
    const a = server.address() as { port: number };
    r({ server, url: `http://127.0.0.1:${a.port}/v1`, calls: () => calls });
  }));
}

for (const dialect of await testDialects()) describe(`hybrid retrieval with an embedding model on ${dialect}`, () => {
  it('embeds chunks at ingest, embeds the query, fuses dense and full-text ranks', async () => {
    const emb = await embeddingServer();
    const tdb = await createTestDatabase(dialect);
    const store = await openStore(tdb.url);
    const registry = createModelRegistry([
      { name: 'bge-test', provider: 'openai-compatible', base_url: emb.url, zone: 'private', type: 'embeddings' },
      { name: 'outside', provider: 'openai-compatible', base_url: emb.url, zone: 'external', type: 'embeddings' },
    ] as never);
    try {
      const kb = createKnowledgeService({ store, embedder: modelEmbedder(registry, 'bge-test') });
      await kb.createBase({ tenant: 'd', name: 'h' });
      for (const [name, text] of Object.entries(CORPUS)) await kb.ingest(null, 'h', { name, bytes: enc(text) });
      const before = emb.calls();
      const hybrid = await kb.search(null, ['h'], '住宿费标准', { topK: 3 });
      assert.equal(emb.calls(), before + 1);
      assert.equal(hybrid[0].document, '差旅费管理办法.txt');
      // A query whose words never occur as tokens still finds the passage through its vector (shared bigrams).
      const fulltextOnly = await kb.search(null, ['h'], '综合定额控', { topK: 3, mode: 'fulltext' });
      const fused = await kb.search(null, ['h'], '综合定额控', { topK: 3 });
      assert.equal(fused[0].document, '会议费管理.html');
      assert.ok(fulltextOnly.length >= 0);
      if (dialect === 'sqlite') {
        // SQLite keeps the vectors in a sqlite-vec vec0 table (64 dimensions here), one row per embedded chunk.
        const vecRows = async () => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM kb_vec_64`.execute(store.db)).rows[0].n);
        const chunks = (await kb.listBases(null)).find((b) => b.name === 'h')!.chunks;
        assert.equal(await vecRows(), chunks);
        // Deleting a document deletes its vectors.
        const doc = (await kb.listDocuments(null, 'h')).find((d) => d.name === '会议费管理.html')!;
        await kb.deleteDocument(null, 'h', doc.id);
        assert.equal(await vecRows(), chunks - doc.chunks);
        // Vectors missing from vec0 (written by a process without sqlite-vec) are rebuilt from kb_chunks on the next search.
        await sql`DELETE FROM kb_vec_64`.execute(store.db);
        const fresh = createKnowledgeService({ store, embedder: modelEmbedder(registry, 'bge-test') });
        assert.equal((await fresh.search(null, ['h'], '住宿费标准', { topK: 1 }))[0].document, '差旅费管理办法.txt');
        assert.equal(await vecRows(), chunks - doc.chunks);
      }
      // An external embedding model is refused: knowledge text would leave the domain.
      const outside = createKnowledgeService({ store, embedder: modelEmbedder(registry, 'outside') });
      await outside.createBase({ tenant: 'd', name: 'h2' });
      await assert.rejects(outside.ingest(null, 'h2', { name: 'x.txt', bytes: enc('内容。') }), /external/);
    } finally {
      await registry.close();
      await store.close();
      await tdb.drop();
      emb.server.close();
    }
  });
});
