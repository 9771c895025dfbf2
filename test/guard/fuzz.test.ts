import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, Vault } from '../../src/guard/index.ts';
import { mulberry32 } from '../helpers/random.ts';

// Pieces a hostile or merely messy text is made of: names and their cues, numbers in several scripts, look-alike
// letters, marks that change nothing on screen, lone and paired surrogates, brackets, handles, lists, line breaks.
const PIECES = [
  '张', '伟', '王', '李', '欧阳', '司马', '先生', '女士', '记者', '副行长', '表示', '说', '姓名：', '住址：', '北京市', '朝阳区',
  '建国路', '88号', '3单元', '502室', '村', '小区', '大厦', '路', '街', '·', '・', '、', '；', '，', '。', '《', '》', '「', '」',
  '@', '//@', '_', '-', '—', '（', '）', '(', ')', '138', '1234', '5678', '１３８', '٣٨', '①', '⑴', '²', '𝟏', '\u0301', '\u200b',
  '\u200d', '\ufeff', '\ud83d', '\ude00', '😀', '𠀀', 'A', 'а', 'Ι', 'LTAI', 'sk-', 'key=', '"', '\n', '\r\n', '\t', ' ',
  '机密', '機密', '★', '绝密★启用前', '110105', '19491231', '002X', 'x', '.', ':', '/', '\\', '{', '}', '=', '0x', '%',
  '赫哲族', '阿森纳', '雷克雅维克', '榆叶梅', '王约翰逊', '公爵', '改元', '于', '用于', '姓', '语', '国', '诗', '帝',
];

function hostileText(random: () => number): string {
  const n = Math.floor(random() * 120);
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(random() * PIECES.length)];
  return s;
}

test('the guard never throws on hostile text, its findings are ordered spans inside the text, each becomes a placeholder, and restore gives the text back', () => {
  const random = mulberry32(20261207);
  const guard = createGuard({ scanCacheEntries: 0 });
  for (let k = 0; k < 3000; k++) {
    const text = hostileText(random);
    const { findings } = guard.scan(text);
    let end = 0;
    for (const f of findings) {
      assert.ok(Number.isInteger(f.start) && Number.isInteger(f.end) && f.start < f.end && f.end <= text.length, JSON.stringify({ text, f }));
      assert.ok(f.start >= end, `findings overlap or are out of order in ${JSON.stringify(text)}`);
      end = f.end;
    }
    const vault = new Vault();
    const safe = vault.pseudonymize(text, findings);
    const brackets = (s: string): number => s.split('〔').length - 1;
    assert.equal(brackets(safe), brackets(text) + findings.length, `one placeholder a finding in ${JSON.stringify(safe)}`);
    assert.equal(vault.restore(safe), text, `restore(pseudonymize(text)) is text for ${JSON.stringify(text)}`);
  }
});
