import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createKnowledgeService } from '../../src/knowledge/index.ts';
import { createTenantRepository, openStore, type Store } from '../../src/store/index.ts';
import { DEFAULT_FIELD_WEIGHTS, fts5Query, sqliteFullTextQuery } from '../../src/store/repositories/knowledge-index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

/**
 * The SQLite search must be driven by the FTS5 index (one MATCH) and look chunks up by rowid. Driven from
 * kb_chunks' kb_id index instead, SQLite runs the MATCH once per chunk of the base: at 100,000 chunks a search
 * took seconds. Without table statistics (Yumen runs no ANALYZE) the planner picks that plan as soon as kb_id is a
 * plain comparison, so this pins the query: without the unary + in the query this test fails.
 */
describe('knowledge search query plan (SQLite)', () => {
  let tdb: TestDatabase;
  let store: Store;
  let kbId: string;
  before(async () => {
    tdb = await createTestDatabase('sqlite');
    store = await openStore(tdb.url);
    const kb = createKnowledgeService({ store });
    const tenant = { tenantId: (await createTenantRepository(store.db).ensure('财政局')).id };
    kbId = (await kb.createBase({ tenant: '财政局', name: 'finance' })).id;
    for (let i = 0; i < 30; i++) {
      await kb.ingest(tenant, 'finance', { name: `办法${i}.txt`, bytes: new TextEncoder().encode(`第${i}条 差旅费住宿标准为每人每天${300 + i}元。\n\n第${i + 1}条 会议费实行综合定额控制。`) });
    }
  });
  after(async () => {
    await store?.close();
    await tdb?.drop();
  });

  it('drives the join from the FTS5 MATCH and finds chunks by rowid, not by scanning the base', async () => {
    const match = fts5Query({ words: ['差旅费', '住宿'], grams: ['差旅', '住宿'], chars: [] });
    assert.ok(match);
    const query = sqliteFullTextQuery([kbId], match, 10, DEFAULT_FIELD_WEIGHTS);
    const plan = (await sql<{ id: number; parent: number; detail: string }>`EXPLAIN QUERY PLAN ${query}`.execute(store.db)).rows;
    const steps = plan.map((r) => r.detail);
    const first = steps.findIndex((d) => /kb_fts|kb_chunks|\bc\b/.test(d));
    assert.match(steps[first], /kb_fts VIRTUAL TABLE/, `the FTS index drives the search:\n${steps.join('\n')}`);
    const chunkStep = steps.find((d) => /\bc\b/.test(d) && /SEARCH|SCAN/.test(d));
    assert.ok(chunkStep, steps.join('\n'));
    assert.match(chunkStep, /fts_rowid=\?/, `chunks are looked up by rowid:\n${steps.join('\n')}`);
    assert.doesNotMatch(steps.join('\n'), /kb_id=\?/, 'the base is filtered on the joined row, not used to drive the join');
    // And the query still answers: the matching chunks of the base, best first.
    const hits = (await query.execute(store.db)).rows;
    assert.ok(hits.length > 0 && hits.every((h) => h.kbId === kbId && h.text.includes('差旅费')));
  });
});
