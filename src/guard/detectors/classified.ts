import type { RawFinding } from '../types.ts';
import { isSpace } from '../chars.ts';

/**
 * 密级 marks (GB/T 9704 and BMB practice): "机密★5年", "绝密★长期", "秘密★启用前", "密级：机密",
 * "【机密】", "秘密级". Mentions such as 商业秘密, 机密性, 保守国家秘密法 carry no mark and are not matched.
 */
const MARK = [
  // Grade + star (+ period or 启用前).
  /(?<!商业|技术|国家|工作|经营|个人)(?:绝密|机密|秘密)\s*(?:[★☆]|\*(?!\*))\s*(?:\d{1,2}\s*(?:年|个月)|[一二三四五六七八九十]{1,3}\s*(?:年|个月)|长期|启用前)?/g,
  // 密级：grade (the label and grade together).
  /密\s*级\s*[:]?\s*[【\[(（〔]?\s*(?:绝密|机密|秘密)(?:\s*[★☆*]\s*(?:\d{1,2}\s*(?:年|个月)|长期|启用前))?\s*[】\])）〕]?/g,
  // Bracketed grade at the head of a document.
  /[【\[(（〔]\s*(?:绝密|机密|秘密)(?:\s*[★☆*]\s*(?:\d{1,2}\s*(?:年|个月)|长期))?\s*[】\])）〕]/g,
  // "机密级", "绝密级文件" — not 级别.
  /(?<!商业|技术|工作|经营)(?:绝密|机密|秘密)级(?!别)/g,
  // "机密 启用前" without a star.
  /(?:绝密|机密|秘密)\s*启用前/g,
];

// Sticky copies: each pattern is tried only where one of its matches can start.
const STICKY = MARK.map((re) => new RegExp(re.source, 'y'));

function isBracket(c: number): boolean {
  return c === 0x3010 || c === 91 || c === 40 || c === 0xff08 || c === 0x3014; // 【 [ ( （ 〔
}

/**
 * Every match holds a grade (绝密, 机密, 秘密) or "密 级": patterns 1, 4 and 5 start at a grade, pattern 2 at
 * a 密, pattern 3 at the bracket before a grade (spaces between). Trying the sticky pattern at these
 * starts, in text order, finds what a global scan finds.
 */
export function detectClassified(text: string, out: RawFinding[]): void {
  let q = text.indexOf('密');
  if (q < 0) return;
  const mi: number[] = [];
  const grades: number[] = [];
  const brackets: number[] = [];
  for (; q >= 0; q = text.indexOf('密', q + 1)) {
    mi.push(q);
    const c = q > 0 ? text.charCodeAt(q - 1) : 0;
    if (c === 0x7edd || c === 0x673a || c === 0x79d8) { // 绝 机 秘
      grades.push(q - 1);
      let b = q - 2;
      while (b >= 0 && isSpace(text.charCodeAt(b))) b--;
      if (b >= 0 && isBracket(text.charCodeAt(b)) && (brackets.length === 0 || brackets[brackets.length - 1] !== b)) brackets.push(b);
    }
  }
  const starts = [grades, mi, brackets, grades, grades];
  const found: Array<[number, number]> = [];
  for (let k = 0; k < STICKY.length; k++) {
    const re = STICKY[k];
    let next = 0;
    for (const p of starts[k]) {
      if (p < next) continue;
      re.lastIndex = p;
      const m = re.exec(text);
      if (m === null) continue;
      next = p + m[0].length;
      const s = m.index;
      const e = s + m[0].replace(/\s+$/, '').length;
      // Merge with an overlapping mark found by another pattern.
      let merged = false;
      for (const f of found) {
        if (s < f[1] && e > f[0]) {
          f[0] = Math.min(f[0], s);
          f[1] = Math.max(f[1], e);
          merged = true;
          break;
        }
      }
      if (!merged) found.push([s, e]);
    }
  }
  for (const [start, end] of found) {
    out.push({ type: 'classified_marking', start, end, score: 0.97, detector: 'classified' });
  }
}
