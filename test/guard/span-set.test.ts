import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanSet } from '../../src/guard/span-set.ts';
import { mulberry32 } from '../helpers/random.ts';

test('SpanSet answers overlap exactly as a search of every span does, for overlapping, nested and empty sets', () => {
  const random = mulberry32(42);
  for (let round = 0; round < 200; round++) {
    const spans = Array.from({ length: Math.floor(random() * 30) }, () => {
      const start = Math.floor(random() * 200);
      return { start, end: start + 1 + Math.floor(random() * 25) };
    });
    const set = new SpanSet(spans);
    assert.equal(set.size, spans.length);
    for (let q = 0; q < 50; q++) {
      const start = Math.floor(random() * 220);
      const end = start + 1 + Math.floor(random() * 10);
      const expected = spans.some((s) => s.start < end && start < s.end);
      assert.equal(set.overlaps(start, end), expected, JSON.stringify({ spans, start, end }));
    }
  }
});

test('SpanSet: touching spans do not overlap', () => {
  const set = new SpanSet([{ start: 0, end: 5 }, { start: 10, end: 12 }]);
  assert.equal(set.overlaps(5, 10), false);
  assert.equal(set.overlaps(4, 5), true);
  assert.equal(set.overlaps(11, 30), true);
  assert.equal(new SpanSet([]).overlaps(0, 100), false);
});
