import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createKnowledgeService, fuseRankings, knowledgeSettings, validateKnowledgeConfig, type Embedder, type KnowledgeService } from '../../src/knowledge/index.ts';
import { normalize } from '../../src/knowledge/retrieval.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../helpers/db.ts';

const enc = (s: string) => new TextEncoder().encode(s);

/**
 * A deterministic stand-in for bge-small-zh / m3e: one dimension per concept, synonyms on the same dimension, so
 * "停车位" and "泊位" are close while sharing no characters.
 */
const CONCEPTS = [['停车位', '泊位', '停车', '车位'], ['申请', '办理'], ['办公用品', '会议室', '印章'], ['预算', '编制']];
function conceptEmbedder(): Embedder & { calls: number } {
  const e = {
    model: 'concepts', calls: 0,
    async embed(texts: readonly string[]) {
      e.calls++;
      return texts.map((t) => normalize(Float32Array.from(CONCEPTS.map((group) => group.reduce((n, w) => n + t.split(w).length - 1, 0)).concat([0.01]))));
    },
  };
  return e;
}

describe('fusion of lexical and dense rankings', () => {
  const lexical = [{ item: 'a', score: 10 }, { item: 'b', score: 9 }, { item: 'c', score: 1 }];
  const dense = [{ item: 'c', score: 0.9 }, { item: 'b', score: 0.8 }, { item: 'a', score: 0.1 }];
  const ids = (xs: Array<{ item: string }>) => xs.map((x) => x.item);
  it('RRF: the weight moves the order from the lexical to the dense ranking', () => {
    assert.deepEqual(ids(fuseRankings(lexical, dense, String, { method: 'rrf', denseWeight: 0, k: 60 })), ['a', 'b', 'c']);
    assert.deepEqual(ids(fuseRankings(lexical, dense, String, { method: 'rrf', denseWeight: 1, k: 60 })), ['c', 'b', 'a']);
    // Equal weights: a first place in either list outweighs second place in both (1/61 + 1/63 > 2/62).
    assert.equal(fuseRankings(lexical, dense, String, { method: 'rrf', denseWeight: 0.5, k: 60 })[2].item, 'b');
  });
  it('weighted: a lexical score far ahead of the rest survives a middling cosine, where RRF would see only ranks', () => {
    const lex = [{ item: 'exact', score: 30 }, { item: 'near', score: 3 }];
    const den = [{ item: 'near', score: 0.62 }, { item: 'exact', score: 0.55 }];
    assert.equal(fuseRankings(lex, den, String, { method: 'weighted', denseWeight: 0.5, k: 60 })[0].item, 'exact');
    assert.deepEqual(ids(fuseRankings(lex, den, String, { method: 'rrf', denseWeight: 0.6, k: 60 })), ['near', 'exact']);
  });
  it('a passage found by only one retriever still takes part, and negative cosines add nothing', () => {
    const out = fuseRankings([{ item: 'x', score: 2 }], [{ item: 'y', score: -0.5 }], String, { method: 'weighted', denseWeight: 0.5, k: 60 });
    assert.deepEqual(out, [{ item: 'x', score: 0.5 }, { item: 'y', score: 0 }]);
  });
});

for (const dialect of await testDialects()) describe(`ranking features through the index on ${dialect}`, () => {
  let tdb: TestDatabase;
  let store: Store;
  let kb: KnowledgeService;
  const embedder = conceptEmbedder();
  before(async () => {
    tdb = await createTestDatabase(dialect);
    store = await openStore(tdb.url);
    kb = createKnowledgeService({ store, embedder });
    await kb.createBase({ tenant: '后勤处', name: 'rank' });
    const docs: Record<string, string> = {
      '球拍.txt': '体育用品店的乒乓球拍卖完了，下周补货。',
      '补货.txt': '体育用品店的网球和羽毛球下周补货，请留意通知。',
      '泊位.txt': '机动车泊位由后勤处统一分配，每年一月集中申请一次。',
      '申请.txt': '办公用品申请、会议室申请、印章申请，均在办公系统中提交申请。',
      '预算.txt': '年度预算编制说明：各部门于十月底前报送。',
    };
    for (const [name, text] of Object.entries(docs)) await kb.ingest(null, 'rank', { name, bytes: enc(text) });
  });
  after(async () => {
    await store.close();
    await tdb.drop();
  });

  it('bigram fallback: a word jieba cut differently in the passage (乒乓球/拍卖) is still found through its bigram', async () => {
    // The query word 球拍 is not a jieba word of the passage; only the bigram field matches it.
    const hits = await kb.search(null, ['rank'], '球拍补货', { topK: 2, mode: 'fulltext' });
    assert.equal(hits[0].document, '球拍.txt');
    assert.equal(hits[1].document, '补货.txt');
  });

  it('hybrid: the dense ranking brings up a synonym passage the lexical ranking puts below a distractor', async () => {
    const q = '停车位申请';
    const lexical = await kb.search(null, ['rank'], q, { topK: 3, mode: 'fulltext' });
    assert.equal(lexical[0].document, '申请.txt', 'lexically, 申请 four times wins');
    const calls = embedder.calls;
    const denseOnly = await kb.search(null, ['rank'], q, { topK: 3, fusion: { method: 'rrf', denseWeight: 1, k: 60 } });
    assert.equal(embedder.calls, calls + 1, 'the query is embedded once');
    assert.equal(denseOnly[0].document, '泊位.txt');
    const lexicalOnly = await kb.search(null, ['rank'], q, { topK: 3, fusion: { method: 'weighted', denseWeight: 0, k: 60 } });
    assert.equal(lexicalOnly[0].document, '申请.txt');
    const weighted = await kb.search(null, ['rank'], q, { topK: 3, fusion: { method: 'weighted', denseWeight: 0.7, k: 60 } });
    assert.equal(weighted[0].document, '泊位.txt');
    assert.ok(!weighted.some((h) => h.document === '预算.txt'), 'an unrelated passage stays out');
  });
});

describe('knowledge.fusion in yumen.yaml', () => {
  it('reads method, dense_weight and k, with defaults for what is left out', () => {
    assert.deepEqual(knowledgeSettings({ knowledge: { fusion: { method: 'weighted', dense_weight: 0.3 } } }).fusion, { method: 'weighted', denseWeight: 0.3, k: 60 });
    assert.deepEqual(knowledgeSettings({}).fusion, { method: 'rrf', denseWeight: 0.5, k: 60 });
  });
  it('names the key path of every mistake', () => {
    assert.deepEqual(validateKnowledgeConfig({ knowledge: { fusion: { method: 'max', dense_weight: 1.5, k: 0, alpha: 1 } } }), [
      'knowledge.fusion.alpha: unknown key',
      'knowledge.fusion.method: expected rrf or weighted',
      'knowledge.fusion.dense_weight: expected a number from 0 to 1',
      'knowledge.fusion.k: expected a positive integer',
    ]);
    assert.deepEqual(validateKnowledgeConfig({ knowledge: { fusion: 'rrf' } }), ['knowledge.fusion: expected a mapping { method, dense_weight, k }']);
  });
});
