import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FINDING_TYPES } from '../../src/guard/index.ts';
import { DETECTORS, PRIORITY } from '../../src/guard/detectors/table.ts';

test('one table: every finding type has a detector row and a priority', () => {
  for (const t of FINDING_TYPES) {
    assert.ok(DETECTORS.some((d) => d.types.includes(t)), `no detector for ${t}`);
    assert.equal(typeof PRIORITY[t], 'number', `no priority for ${t}`);
  }
  assert.equal(new Set(DETECTORS.map((d) => d.name)).size, DETECTORS.length, 'detector names are unique');
});

test('a row compiles to nothing when none of its types is wanted', () => {
  const none = { want: new Set<never>(), tagger: true };
  for (const row of DETECTORS) {
    if (row.name === 'codes') continue; // codes checks each of its types inside
    assert.equal(row.create(none), null, row.name);
  }
  const ner = DETECTORS.find((d) => d.name === 'ner')!;
  assert.equal(ner.create({ want: new Set(['person_name'] as const), tagger: false }), null, 'tagger off');
  assert.equal(typeof ner.create({ want: new Set(['person_name'] as const), tagger: true }), 'function');
});
