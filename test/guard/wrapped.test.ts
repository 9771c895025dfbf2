import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, Vault } from '../../src/guard/index.ts';
import { normalize } from '../../src/guard/normalize.ts';
import { wrappedBreaks } from '../../src/guard/wrapped.ts';

// Text copied out of a PDF ends every line at the same width, wherever a name or a number stands: the line breaks that
// only wrap are dropped for the detectors, so that 联系人：张 / 三丰 and 110105 / 19491231002X read whole.
const rules = createGuard({ scanCacheEntries: 0, tagger: false });

const PARAGRAPH = '根据工作安排，现将有关事项通知如下。请各单位认真组织学习，按照要求做好相关工作，确保各项任务落实到位。' +
  '本次会议的联系人张三丰，联系电话13800138000，身份证号码为11010519491231002X，家庭住址为北京市朝阳区建国路88号院3号楼1单元501室，' +
  '请及时与其联系，不得延误。以上事项请遵照执行，如有问题及时反馈。各单位要高度重视，精心组织，确保按时完成各项工作任务。';

/** The text laid out in lines of `cols` columns, a Han character two of them, as a PDF's text layer gives it. */
function wrap(text: string, cols: number): string {
  const lines: string[] = [];
  let line = '';
  let width = 0;
  for (const ch of text) {
    const w = ch.charCodeAt(0) < 0x1100 ? 1 : 2;
    if (width + w > cols) {
      lines.push(line);
      line = '';
      width = 0;
    }
    line += ch;
    width += w;
  }
  return [...lines, line].join('\n');
}

test('a paragraph wrapped at any width: the name, phone, ID card and address are found whole across the breaks', () => {
  let across = 0;
  for (let cols = 30; cols <= 90; cols++) {
    const text = wrap(PARAGRAPH, cols);
    const found = rules.scan(text).findings.map((f) => `${f.type}:${text.slice(f.start, f.end)}`);
    if (found.some((f) => f.includes('\n'))) across++;
    const whole = found.map((f) => f.replace(/\n/g, ''));
    for (const value of ['cn_mobile:13800138000', 'cn_id_card:11010519491231002X', 'address:北京市朝阳区建国路88号院3号楼1单元501室']) {
      assert.ok(whole.includes(value), `${cols} columns: ${value} not found whole in ${JSON.stringify(found)}`);
    }
  }
  assert.ok(across >= 20, `values cut by a break in only ${across} layouts`);
});

test('a name after its label cut by the line end (联系人：张 / 三丰) is found, pseudonymized and restored with its break', () => {
  const paragraph = '关于召开年度工作会议的通知，请各部门负责同志准时参加会议并做好准备工作。会议地点在机关办公楼三楼第一会议室，' +
    '会务联系人：张三丰，请各单位于本周五前报送参会人员名单，逾期不再受理相关的报名事宜。会议期间请将手机调至静音状态，遵守会场纪律。';
  // Every layout whose line ends at 张, found by moving the paragraph's start (a few characters more before it).
  const layouts: string[] = [];
  for (let pad = 0; pad < 30; pad++) {
    for (const cols of [40, 52, 60, 72]) {
      const text = wrap('附'.repeat(pad) + paragraph, cols);
      if (text.includes('张\n三丰')) layouts.push(text);
    }
  }
  assert.ok(layouts.length >= 4, String(layouts.length));
  for (const text of layouts) {
    assert.ok(wrappedBreaks(text) !== null);
    const names = rules.scan(text).findings.filter((f) => f.type === 'person_name').map((f) => text.slice(f.start, f.end));
    assert.deepEqual(names, ['张\n三丰']);
    const vault = new Vault();
    const safe = vault.pseudonymize(text, rules.scan(text).findings);
    assert.ok(!safe.includes('三丰'), safe);
    assert.equal(vault.restore(safe), text);
  }
});

test('breaks that mean something stay: lists, short lines, tables, English, paragraphs of unwrapped text, two lines', () => {
  const keep = [
    '张三\n李四\n王五\n赵六\n钱七',
    '一、会议时间\n二、会议地点\n三、参会人员\n四、有关要求',
    // A table's rows are alike in width; a tab or two spaces mark its columns.
    Array.from({ length: 6 }, (_, i) => `张三丰${i}\t13800138000\t北京市朝阳区建国路`).join('\n'),
    Array.from({ length: 6 }, (_, i) => `张三丰${i}  13800138000  北京市朝阳区建国路`).join('\n'),
    // English wrapped at 40 columns: the break stands for a space.
    wrap('The quick brown fox jumps over the lazy dog again and again until the dog wakes up and runs away.', 40),
    // Paragraphs as a word processor gives them: one line each, of any width.
    ['第一段写的是工作的总体安排情况。', '第二段较长，写的是各部门需要完成的具体任务以及完成时限，请认真阅读', '第三段。'].join('\n'),
    '联系人：张\n三丰',
  ];
  for (const text of keep) assert.equal(normalize(text).text.split('\n').length, text.split('\n').length, text);
});

test('hostile: 100,000 lines, one huge line, nothing but breaks — linear, and no break but wrapped ones dropped', () => {
  const many = wrap('数据'.repeat(500_000), 40);
  assert.equal(many.split('\n').length, 50_000);
  assert.equal(normalize(many).text, '数据'.repeat(500_000));
  assert.equal(wrappedBreaks('\n'.repeat(100_000)), null);
  assert.equal(wrappedBreaks('长'.repeat(1_000_000)), null);
  const lines = Array.from({ length: 100_000 }, (_, i) => `第${i}行`).join('\n');
  assert.equal(normalize(lines).text, lines);
});
