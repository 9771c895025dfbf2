import type { RawFinding } from '../types.ts';
import { isSpace } from '../chars.ts';

/**
 * 密级 marks (GB/T 9704 and BMB practice): "机密★5年", "绝密★长期", "秘密★启用前", "密级：机密",
 * "【机密】", "秘密级" — in simplified or traditional characters (機密, 絕密, 密級), inside any bracket pair
 * (「」『』〈〉《》[] …, by Unicode property), with spaces between the characters ("机 密 ★ 5 年").
 * Mentions such as 商业秘密, 机密性, 保守国家秘密法 carry no mark and are not matched.
 */
// Up to three spaces between the characters of a mark (the ideographic space is a space after normalize).
const SP = '[ \\t\\u00a0]{0,3}';
const GRADE = `(?:[绝絕]|[机機]|[秘祕])${SP}密`;
const STAR = `(?:[★☆✩✪✫✬✭✮✯✰⭐⭑✱✲✳✶✷✸✹﹡]|\\*(?!\\*))`;
const PERIOD = `(?:(?:\\d{1,2}|[一二三四五六七八九十]{1,3})${SP}(?:年|[个個]${SP}月)|[长長]${SP}期|[启啓啟]${SP}用${SP}前)`;
const OPEN = '[\\p{Ps}<]';
const CLOSE = '[\\p{Pe}>]';
const NOT_A_MENTION = '(?<!商业|商業|技术|技術|国家|國家|工作|经营|經營|个人|個人)';

const MARK = [
  // Grade + star (+ period or 启用前).
  `${NOT_A_MENTION}${GRADE}\\s*${STAR}\\s*${PERIOD}?`,
  // 密级：grade (the label and grade together).
  `密${SP}[级級]\\s*[:：]?\\s*${OPEN}?\\s*${GRADE}(?:\\s*${STAR}\\s*${PERIOD})?\\s*${CLOSE}?`,
  // Bracketed grade at the head of a document.
  `${OPEN}\\s*${GRADE}(?:\\s*${STAR}\\s*${PERIOD})?\\s*${CLOSE}`,
  // "机密级", "绝密级文件" — not 级别.
  `(?<!商业|商業|技术|技術|工作|经营|經營)${GRADE}${SP}[级級](?![别別])`,
  // "机密 启用前" without a star.
  `${GRADE}\\s*[启啓啟]${SP}用${SP}前`,
];

// Sticky: each pattern is tried only where one of its matches can start.
const STICKY = MARK.map((source) => new RegExp(source, 'uy'));
const OPENING = /[\p{Ps}<]/u;

function isGradeChar(c: number): boolean {
  return c === 0x7edd || c === 0x7d55 || c === 0x673a || c === 0x6a5f || c === 0x79d8 || c === 0x7955; // 绝絕机機秘祕
}
function isMarkSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 0xa0;
}
/** Index of the first non-space at or before `p` (at most three spaces skipped), or -1. */
function skipBack(text: string, p: number): number {
  for (let k = 0; k < 3 && p >= 0 && isMarkSpace(text.charCodeAt(p)); k++) p--;
  return p;
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
    const g = skipBack(text, q - 1);
    if (g < 0 || !isGradeChar(text.charCodeAt(g))) continue;
    grades.push(g);
    let b = g - 1;
    while (b >= 0 && isSpace(text.charCodeAt(b))) b--;
    if (b >= 0 && OPENING.test(text[b]) && (brackets.length === 0 || brackets[brackets.length - 1] !== b)) brackets.push(b);
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
      found.push([s, s + m[0].replace(/\s+$/, '').length]);
    }
  }
  // Marks found by several patterns overlap: one finding for each run of overlapping marks. Sorted once, so
  // a text of many marks (机密★ repeated 70,000 times) costs n log n, not n² (it took 12 s).
  found.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const f of found) {
    const last = merged.at(-1);
    if (last !== undefined && f[0] < last[1]) last[1] = Math.max(last[1], f[1]);
    else merged.push(f);
  }
  for (const [start, end] of merged) out.push({ type: 'classified_marking', start, end, score: 0.97, detector: 'classified' });
}
