import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MERGE_FACTOR, pickMerge, WRITE_MERGE_FACTOR } from '../../src/store/repositories/kb-segments.ts';

/** Segments of the given live sizes, in number order (seg = position). */
const segs = (sizes: readonly number[], dead: readonly number[] = []) => {
  let num = 0;
  return sizes.map((docs, seg) => {
    const s = { seg, docs, dead: dead[seg] ?? 0, min_num: num, max_num: num + docs - 1 };
    num += docs;
    return s;
  });
};
const picked = (r: ReturnType<typeof pickMerge>) => r?.map((s) => Number(s.seg)) ?? null;

describe('which index segments merge', () => {
  it('a level of MERGE_FACTOR segments merges at the end of an ingest, but a write waits for twice as many', () => {
    assert.equal(MERGE_FACTOR, 4);
    assert.equal(WRITE_MERGE_FACTOR, 8);
    const three = segs([1000, 1000, 1000]);
    assert.equal(pickMerge(three), null, 'three of a level stay');
    assert.deepEqual(picked(pickMerge(segs([1000, 1000, 1000, 1000]))), [0, 1, 2, 3]);
    const seven = segs(Array(7).fill(10));
    assert.equal(pickMerge(seven, WRITE_MERGE_FACTOR), null, 'a write leaves seven of a level');
    assert.deepEqual(picked(pickMerge(seven)), [0, 1, 2, 3, 4, 5, 6], 'the end of an ingest merges the whole level at once');
    assert.deepEqual(picked(pickMerge(segs(Array(8).fill(10)), WRITE_MERGE_FACTOR)), [0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('groups segments within 0.75 of a level, so 1,000- and 2,000-chunk segments merge together', () => {
    assert.deepEqual(picked(pickMerge(segs([2000, 1000, 2000, 1000]))), [0, 1, 2, 3]);
    // A big old segment is not rewritten for small new ones: the small ones form their own group.
    assert.deepEqual(picked(pickMerge(segs([100_000, 50, 60, 40, 50]))), [1, 2, 3, 4]);
    assert.equal(pickMerge(segs([100_000, 5000, 50, 60, 40])), null);
  });

  it('merges at most 32 segments in one pass', () => {
    assert.deepEqual(picked(pickMerge(segs(Array(40).fill(10)))), Array.from({ length: 32 }, (_, i) => i));
  });

  it('rewrites a segment a third or more deleted alone, before any level merge', () => {
    assert.deepEqual(picked(pickMerge(segs([900, 30, 30, 30, 30], [300]))), [0]);
    assert.deepEqual(picked(pickMerge(segs([900, 30, 30, 30, 30], [299]))), [1, 2, 3, 4]);
  });
});
