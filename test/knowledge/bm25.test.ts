import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { B, K1, planTerms, rankBm25, type RankTerm } from '../../src/store/repositories/kb-bm25.ts';
import { blockEntries } from '../../src/store/repositories/kb-postings.ts';
import { buildSegment } from '../../src/store/repositories/kb-segment-builder.ts';

/** Chunks as word lists, indexed into one segment; the terms of a query as RankTerms over it. */
function setup(chunks: string[][], query: string[], weight = 1) {
  const { blocks } = buildSegment(chunks.map((words, num) => ({ num, len: words.length, fields: [['w:', words]] as const })), 64);
  const entries = blocks.flatMap((b) => [...blockEntries(b.data)]);
  const terms: RankTerm[] = query.map((q) => {
    const e = entries.find((x) => Buffer.from(x.key).toString() === `w:${q}`);
    return { key: `w:${q}`, weight, lists: e ? [{ base: 0, df: e.df, postings: e.postings }] : [] };
  });
  const base = { docs: chunks.length, tokens: chunks.reduce((n, c) => n + c.length, 0), nextNum: chunks.length };
  return { terms, base };
}

/** SQLite FTS5's bm25(), written out plainly. */
function reference(chunks: string[][], query: string[], weight = 1): number[] {
  const n = chunks.length;
  const avg = chunks.reduce((s, c) => s + c.length, 0) / n;
  return chunks.map((c) => query.reduce((s, q) => {
    const df = chunks.filter((x) => x.includes(q)).length;
    const tf = c.filter((x) => x === q).length * weight;
    if (!tf) return s;
    const idf = Math.max(Math.log((n - df + 0.5) / (df + 0.5)), 1e-6);
    return s + (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * c.length) / avg));
  }, 0));
}

const CHUNKS = [
  ['差旅费', '住宿', '标准', '每人', '每天'],
  ['会议费', '综合', '定额', '控制'],
  ['差旅费', '报销', '差旅费', '审批', '流程', '财务', '处'],
  ['住宿', '安排', '办公室', '负责'],
  ['培训费', '标准', '每人', '每天', '住宿'],
  ['公务', '接待', '标准'],
  ['车辆', '运行', '维护'],
  ['印章', '管理'],
];

describe('BM25 over posting lists', () => {
  it('scores exactly as FTS5\'s bm25() (idf, tf saturation, length normalisation, field weight) and ranks by it', () => {
    // (No query term here is in half the chunks: such a term is not read at all; see below.)
    for (const weight of [1, 0.5]) {
      const query = ['差旅费', '住宿', '审批'];
      const { terms, base } = setup(CHUNKS, query, weight);
      const { top } = rankBm25(terms, [base], 10);
      const ref = reference(CHUNKS, query, weight);
      const expected = ref.map((score, num) => ({ num, score })).filter((x) => x.score > 0).sort((a, b) => b.score - a.score || a.num - b.num);
      assert.deepEqual(top.map((t) => t.num), expected.map((e) => e.num));
      top.forEach((t, i) => assert.ok(Math.abs(t.score - expected[i].score) < 1e-12, `chunk ${t.num}`));
    }
  });

  it('keeps the best `limit` only, ties to the lower number', () => {
    const { terms, base } = setup([['甲'], ['甲'], ['甲'], ['乙']], ['甲']);
    assert.deepEqual(rankBm25(terms, [base], 2).top.map((t) => t.num), [0, 1]);
  });

  it('two bases searched together share N, df and the average length, so their scores compare', () => {
    const a = setup([['甲', '乙'], ['丙']], ['甲']);
    const b = setup([['甲'], ['丁'], ['戊']], ['甲']);
    const terms: RankTerm[] = [{ key: 'w:甲', weight: 1, lists: [...a.terms[0].lists, ...b.terms[0].lists.map((l) => ({ ...l, base: 1 }))] }];
    const { top } = rankBm25(terms, [a.base, b.base], 5);
    const ref = reference([['甲', '乙'], ['丙'], ['甲'], ['丁'], ['戊']], ['甲']);
    assert.deepEqual(top.map((t) => [t.base, t.num]), [[1, 0], [0, 0]], 'the shorter chunk first');
    assert.ok(Math.abs(top[0].score - ref[2]) < 1e-12 && Math.abs(top[1].score - ref[0]) < 1e-12);
  });
});

describe('which terms a search reads', () => {
  it('a term in half the chunks or more is not read (no positive idf); the others are', () => {
    const plan = planTerms([{ key: 'w:的', df: 60 }, { key: 'w:标准', df: 49 }, { key: 'w:差旅费', df: 3 }, { key: 'w:无', df: 0 }], 100, 1_000_000);
    assert.deepEqual(plan.map((p) => p.skipped), ['common', null, null, null]);
    assert.ok(plan[0].idf <= 1e-6 && plan[1].idf > 0);
  });

  it('past the postings budget the commonest terms are left out, rarest first kept; the rarest is read even alone over it', () => {
    const terms = [{ key: 'a', df: 40 }, { key: 'b', df: 5 }, { key: 'c', df: 20 }, { key: 'd', df: 30 }];
    assert.deepEqual(planTerms(terms, 100, 30).map((p) => p.skipped), ['budget', null, null, 'budget']);
    assert.deepEqual(planTerms(terms, 100, 1).map((p) => p.skipped), ['budget', null, 'budget', 'budget']);
  });

  it('when every term is common, the rarest alone is read, so the search still answers', () => {
    const plan = planTerms([{ key: 'x', df: 90 }, { key: 'y', df: 70 }], 100, 1_000_000);
    assert.deepEqual(plan.map((p) => p.skipped), ['common', null]);
  });

  it('a skipped term costs nothing: its postings are not counted as read', () => {
    // 甲 is in 3 of 4 chunks (skipped), 乙 in one.
    const { terms, base } = setup([['甲', '乙'], ['甲'], ['甲'], ['丙']], ['甲', '乙']);
    const r = rankBm25(terms, [base], 10);
    assert.deepEqual(r.plan.map((p) => p.skipped), ['common', null]);
    assert.equal(r.postings, 1);
    assert.deepEqual(r.top.map((t) => t.num), [0]);
  });
});
