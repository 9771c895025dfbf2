import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { radicalsTable, TABLE_FILE, UCD_FILE } from '../../bench/build-radicals.ts';

test('the committed radicals table is what npm run build:radicals makes from the Unicode data', { skip: !existsSync(UCD_FILE) && `no ${UCD_FILE}` }, () => {
  assert.equal(readFileSync(TABLE_FILE, 'utf8'), radicalsTable(readFileSync(UCD_FILE, 'utf8')));
});

test('the table folds radicals and strokes only, one BMP ideograph each', async () => {
  const { RADICALS, IDEOGRAPHS } = await import('../../src/guard/data/radicals.ts');
  const from = [...RADICALS];
  const to = [...IDEOGRAPHS];
  assert.equal(from.length, to.length);
  assert.ok(from.length > 300, String(from.length));
  for (let i = 0; i < from.length; i++) {
    const c = from[i].codePointAt(0)!;
    assert.ok((c >= 0x2e80 && c <= 0x2fdf) || (c >= 0x31c0 && c <= 0x31ef), from[i]);
    assert.ok(to[i].length === 1 && /\p{Script=Han}/u.test(to[i]), `${from[i]} → ${to[i]}`);
  }
});
