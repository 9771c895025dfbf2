import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, Vault } from '../../src/guard/index.ts';

// A department's public terms (公开词) lift name and address findings that are exactly such a term, and nothing else.
const plain = createGuard({ scanCacheEntries: 0 });
const listed = createGuard({
  scanCacheEntries: 0,
  publicTerms: ['高德', '比斯特购物村', '张伟', '13800138000', '11010519491231002X', '机密★1年', 'sk-abcdefghijklmnopqrstuvwx', '天穹计划'],
  customTerms: ['天穹计划'],
});
const found = (guard: typeof plain, text: string): string[][] =>
  guard.scan(text).findings.map((f) => [f.type, text.slice(f.start, f.end)]);

test('a name or address that is a public term is not reported; the rest of the text is scanned as before', () => {
  const text = '请用高德地图查一下去比斯特购物村的路线，联系人李建国';
  assert.deepEqual(found(plain, text), [['person_name', '高德'], ['address', '比斯特购物村'], ['person_name', '李建国']]);
  assert.deepEqual(found(listed, text), [['person_name', '李建国']]);
  // Pseudonymized, the listed words stay for the model to read.
  const vault = new Vault();
  const safe = vault.pseudonymize(text, listed.scan(text).findings);
  assert.match(safe, /高德地图/);
  assert.doesNotMatch(safe, /李建国/);
});

test('terms compare as the detectors read: full-width, traditional and padded forms of a term are the term', () => {
  const guard = createGuard({ scanCacheEntries: 0, publicTerms: ['东三环南路'] });
  assert.deepEqual(found(plain, '他去了東三環南路'), [['address', '東三環南路']]);
  assert.deepEqual(found(guard, '他去了東三環南路'), []);
  assert.deepEqual(found(listed, '会议由张　伟主持'), []);
  assert.deepEqual(found(plain, '会议由张　伟主持'), [['person_name', '张　伟']]);
});

test('hostile: a term lifts only a finding that is exactly it, and only names and addresses', () => {
  // A longer name holding the term stays found.
  assert.deepEqual(found(listed, '联系人：张伟华'), [['person_name', '张伟华']]);
  // Listed identifiers, secrets and markings are found all the same.
  const text = '电话13800138000，身份证11010519491231002X，密钥 sk-abcdefghijklmnopqrstuvwx，机密★1年';
  assert.deepEqual(found(listed, text).map(([type]) => type), found(plain, text).map(([type]) => type));
  assert.ok(found(listed, text).length >= 4, JSON.stringify(found(listed, text)));
  // A custom term also listed as public is still the department's secret.
  assert.deepEqual(found(listed, '天穹计划的进度'), [['custom_term', '天穹计划']]);
  // The term inside an encoded blob: the blob holds only the term, so nothing; with a name beside it, the name.
  assert.deepEqual(found(listed, Buffer.from('请用高德地图').toString('base64')), []);
  const blob = Buffer.from('联系人：李建国，电话13912345678').toString('base64');
  assert.equal(found(listed, blob).length, 1);
});

test('bad terms are refused when the guard is built, with what was wrong', () => {
  assert.throws(() => createGuard({ publicTerms: ['张'] }), /publicTerms: "张": expected 2–64 characters/);
  assert.throws(() => createGuard({ publicTerms: ['  '] }), /expected 2–64 characters besides blanks, got 0/);
  assert.throws(() => createGuard({ publicTerms: [42 as unknown as string] }), /expected a string/);
  assert.throws(() => createGuard({ publicTerms: Array.from({ length: 10_001 }, (_, i) => `词${i}`) }), /at most 10000 terms/);
});
