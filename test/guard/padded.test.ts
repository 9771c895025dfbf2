import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, Vault } from '../../src/guard/index.ts';
import { normalize } from '../../src/guard/normalize.ts';

// Official documents and name lists pad two-character names to the width of three (张　伟); the padding is dropped for
// the detectors, so that the name reads whole.
const guard = createGuard({ scanCacheEntries: 0 });
const names = (text: string): string[] =>
  guard.scan(text).findings.filter((f) => f.type === 'person_name').map((f) => text.slice(f.start, f.end));

test('padded two-character names in lists of attendees are found whole, with their padding', () => {
  assert.deepEqual(names('出席：王小明、张　伟、李建国、刘　洋'), ['王小明', '张　伟', '李建国', '刘　洋']);
  assert.deepEqual(names('参会人员：王小明　张　伟　李　娜　刘建国'), ['王小明', '张　伟', '李　娜', '刘建国']);
  assert.deepEqual(names('组长：李  强\n副组长：王　芳'), ['李  强', '王　芳']);
});

test('the padded name is pseudonymized whole and comes back as written', () => {
  const text = '签到表：王小明　张　伟　李建国';
  const vault = new Vault();
  const safe = vault.pseudonymize(text, guard.scan(text).findings);
  assert.ok(!safe.includes('伟') && !safe.includes('王小明'), safe);
  assert.equal(vault.restore(safe), text);
});

test('hostile: spaces that pad no name stay — odd chains, words spaced apart, lists of surnames, wider gaps, joiners', () => {
  // Exactly as written: nothing dropped.
  for (const text of ['我 爱 你', '张　伟　李', '张   伟', '张　　伟', '的 是', '张 3', 'A 张 B', '今天 天气 很好', '张 三-丰', '王.建 国']) {
    assert.equal(normalize(text).text.length, text.length, text);
  }
  // The result of a merge is read by the detectors like any text: a word is no name, a full name stays what it was.
  assert.deepEqual(names('心情：高 兴'), []);
  assert.deepEqual(names('王小明　张'), ['王小明']);
  assert.deepEqual(names('记者 王小明 摄'), ['王小明']);
  // Linear: 100,000 padded names among full ones, and a chain of 100,001 lone characters padded with two spaces.
  const many = '张　伟、李建国、'.repeat(100_000);
  assert.equal(normalize(many).text.length, many.length - 100_000);
  const chain = `${'张  '.repeat(100_000)}张`;
  assert.equal(normalize(chain).text.length, chain.length);
});

test('a padded name filled into running text (a template\'s fixed-width field) is found whole', () => {
  assert.deepEqual(names('兹证明张　伟同志系我单位职工。'), ['张　伟']);
  assert.deepEqual(names('会议由王　芳主持，李建国作报告。'), ['王　芳', '李建国']);
  assert.deepEqual(names('这件事请告诉张 伟'), ['张 伟']);
  // After a list separated by spaces (2026-12-07 evening): the surname stands alone after a word of two or more characters.
  assert.deepEqual(names('表彰名单：王小明 张 伟同志'), ['王小明', '张 伟']);
  assert.deepEqual(names('吴岳良 郑永飞 李　娜同志'), ['吴岳良', '郑永飞', '李　娜']);
  const text = '兹证明张　伟同志系我单位职工。';
  const vault = new Vault();
  const safe = vault.pseudonymize(text, guard.scan(text).findings);
  assert.ok(!safe.includes('伟'), safe);
  assert.equal(vault.restore(safe), text);
});

test('hostile: a space in running text that pads no name stays, and spaced-out text or a joiner beside it is no field', () => {
  for (const text of ['第一章 总则', '使用 张量 计算', '通　知', '附　件']) assert.deepEqual(names(text), [], text);
  // A joiner or a blank beside it, or a gap wider than a character, is not a filled-in field: nothing is dropped.
  // Nor is a list separated by spaces, whose items a merge would run together.
  for (const text of ['王.张 伟同志', '由张 伟-丰', '由张　　伟同志', '由张 伟 同志', '田刚 于全 吴岳良 郑永飞', '东三环南路 农光路 农光里', '我 王 芳']) {
    assert.equal(normalize(text).text.length, text.length, text);
  }
});
