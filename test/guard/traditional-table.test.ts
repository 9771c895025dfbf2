import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TABLE_FILE, traditionalTable } from '../../bench/build-traditional.ts';
import { SIMPLIFIED, TRADITIONAL } from '../../src/guard/data/traditional.ts';

test('the committed traditional-to-simplified table is what npm run build:traditional makes from OpenCC\'s data', () => {
  assert.equal(readFileSync(TABLE_FILE, 'utf8'), traditionalTable());
});

test('the table folds one character to one, never to itself, never to a character outside the BMP, and no character twice', () => {
  const from = [...TRADITIONAL];
  const to = [...SIMPLIFIED];
  assert.equal(from.length, to.length);
  assert.equal(new Set(from).size, from.length);
  for (let i = 0; i < from.length; i++) {
    assert.notEqual(from[i], to[i]);
    assert.equal(to[i].length, 1, `${from[i]} → ${to[i]}`);
  }
  // Simplified text's own characters are no sources: a character folded would change ordinary simplified text.
  for (const ch of '乾於麽么着里后发干') assert.ok(!from.includes(ch), ch);
});
