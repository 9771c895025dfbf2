import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, Vault } from '../../src/guard/index.ts';
import { normalize } from '../../src/guard/normalize.ts';

// Rich-text editors and Word's HTML split a run of text where its formatting changes, in the middle of a name or a
// number; the split is dropped for the detectors, so that the value reads whole.
const rules = createGuard({ scanCacheEntries: 0, tagger: false });
const found = (text: string): string[] => rules.scan(text).findings.map((f) => `${f.type}:${text.slice(f.start, f.end)}`);

test('a name, a phone and an ID card split by formatting runs are found whole (spans, Word\'s lang and o:p, comments)', () => {
  assert.deepEqual(found('<p>联系人：<span>张</span><span style="font-size:12pt">三丰</span></p>'),
    ['person_name:张</span><span style="font-size:12pt">三丰']);
  assert.deepEqual(found('<p class=MsoNormal>手机：<span lang=EN-US>1380013</span><span lang=EN-US>8000<o:p></o:p></span></p>'),
    ['cn_mobile:1380013</span><span lang=EN-US>8000']);
  assert.deepEqual(found('<td>身份证号</td><td>110105<b>1949</b>1231002X</td>'), ['cn_id_card:110105<b>1949</b>1231002X']);
  assert.deepEqual(found('联系人：张<!-- 待核实 -->三丰'), ['person_name:张<!-- 待核实 -->三丰']);
});

test('the split is pseudonymized with the value and comes back as written', () => {
  const text = '<p>联系人：<span>张</span><span>三丰</span>，手机：<span>138</span><span>0013</span><span>8000</span></p>';
  const vault = new Vault();
  const safe = vault.pseudonymize(text, rules.scan(text).findings);
  assert.ok(!safe.includes('三丰') && !safe.includes('8000'), safe);
  assert.equal(vault.restore(safe), text);
});

test('markup that bounds a value stays: a highlighted word, block tags, masked digits, a lone tag between Han characters', () => {
  assert.deepEqual(found('搜索结果：<em>张三</em>的简历，电话<b>13800138000</b>'), ['cn_mobile:13800138000']);
  for (const text of ['<td>张三</td><td>李四</td>', '<p>第一段</p><p>第二段</p>', '手机 138****8000', '这是<b>重点</b>内容', '<br>一<br>二']) {
    assert.equal(normalize(text).text, text, text);
  }
});

test('hostile: 100,000 splits, unclosed angle brackets, a tag longer than 500 characters — linear and as written', () => {
  const many = `1${'</span><span>1'.repeat(100_000)}`;
  assert.equal(normalize(many).text, '1'.repeat(100_001));
  const open = '张<'.repeat(200_000);
  assert.equal(normalize(open).text, open);
  const long = `张</span><span title="${'x'.repeat(600)}">三丰`;
  assert.equal(normalize(long).text, long);
});

test('markdown emphasis inside a word is read through: bold, italic, strikethrough, in names and numbers', () => {
  assert.deepEqual(found('联系人：张**三丰**，请尽快回电'), ['person_name:张**三丰']);
  assert.deepEqual(found('手机1380013**8000**'), ['cn_mobile:1380013**8000']);
  assert.deepEqual(found('身份证 110105**19491231**002X'), ['cn_id_card:110105**19491231**002X']);
  assert.deepEqual(found('联系人：张~~三~~丰'), ['person_name:张~~三~~丰']);
  // Bold with underscores (2026-12-07 evening): not rendered inside a word, read through all the same.
  assert.deepEqual(found('联系人：张__三丰__，请尽快回电'), ['person_name:张__三丰']);
  assert.deepEqual(found('手机1380013__8000__'), ['cn_mobile:1380013__8000']);
  assert.equal(normalize('申请人:王*小明*').text, '申请人:王小明*');
  // Read as it renders: emphasis between Han characters is no boundary.
  assert.equal(normalize('这是**重点**内容').text, '这是重点内容');
  assert.equal(normalize('张***三丰***').text, '张三丰***');
});

test('hostile: what only looks like emphasis stays — masked values, products, identifiers, unpaired and long runs', () => {
  for (const text of [
    '张*丰、李*明', '手机 138****8000', '138***8000, 139***9000', '姓名:欧阳**', '面积 3*4*5 平方米', 'user_name_id', '报告_张三_2024.docx', '周日_周一_周二', '__init__', 'a__b__c', 'README__张三__v2', 'x__1380013__y',
    '张*三丰', '**注意**: 明天开会', '标题\n**张**\n三丰',
  ]) {
    assert.equal(normalize(text).text, text, text);
  }
  // Linear however many markers: 100,000 pairs, and a list of 200,000 masked names.
  const pairs = '张**三丰**\n'.repeat(100_000);
  assert.ok(normalize(pairs).text === '张三丰**\n'.repeat(100_000));
  const masked = '张*丰、'.repeat(200_000);
  assert.ok(normalize(masked).text === masked);
});
