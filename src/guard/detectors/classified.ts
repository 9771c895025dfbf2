import type { RawFinding } from '../types.ts';
import { isSpace } from '../chars.ts';

/**
 * 密级 marks (GB/T 9704 and BMB practice): "机密★5年", "绝密★长期", "秘密★启用前", "密级：机密",
 * "【机密】", "秘密级", a grade alone on its line — in simplified or traditional characters (機密, 絕密, 密級), inside any bracket pair
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

const GRADE_LINE = new RegExp(`^[ \\t\\u00a0]*(${GRADE})[ \\t\\u00a0\\r]*$`);
/**
 * A grade and a period with one other character where the star stands, alone on its line: what OCR makes of a page's
 * "绝密★长期" (绝密妇长期, 机密友5年), and how some type it (机密▲5年). Not a numeral (绝密十五年 may be a title), 的 or 之.
 */
const STAR_MISREAD_LINE = new RegExp(`^[ \\t\\u00a0]*(${GRADE}${SP}[^\\s\\d一二三四五六七八九十百的之]${SP}${PERIOD})[ \\t\\u00a0\\r]*$`, 'u');
const LEVEL_LINE = /^[ \t\u00a0]*(?:公开|公開|内部|內部|秘密|机密|機密|绝密|絕密|非密|普通|受控)[ \t\u00a0]*$/;

/** The line around position p: [start, end). */
function lineAt(text: string, p: number): [number, number] {
  const s = text.lastIndexOf('\n', p - 1) + 1;
  const e = text.indexOf('\n', p);
  return [s, e < 0 ? text.length : e];
}

/** The nearest line before or after line [s, e) that is not blank, or null. */
function neighbourLine(text: string, s: number, e: number, dir: -1 | 1): string | null {
  for (let n = 0; n < 4; n++) {
    if (dir < 0 ? s === 0 : e >= text.length) return null;
    [s, e] = dir < 0 ? lineAt(text, s - 1) : lineAt(text, e + 1);
    const line = text.slice(s, e);
    if (line.trim() !== '') return line;
  }
  return null;
}

/**
 * A grade alone on its line with the document after it (GB/T 9704 puts a mark with no period on a line of its own at the
 * top left): its end, or -1. In running text (这是绝密消息) a grade is a word; a string that is only a grade (an enum
 * value, a form's option) is no document; and a grade beside other levels is a list of them (公开 / 秘密 / 机密).
 */
function gradeAloneAtHead(text: string, g: number): number {
  // Only spaces between the line's start and the grade: looked at before the line is (a hostile line of grades is long).
  let b = g;
  for (let k = 0; k < 8 && b > 0 && isMarkSpace(text.charCodeAt(b - 1)); k++) b--;
  if (b > 0 && text.charCodeAt(b - 1) !== 10) return -1;
  const close = text.indexOf('密', g);
  let a = close + 1;
  while (a < text.length && (isMarkSpace(text.charCodeAt(a)) || text.charCodeAt(a) === 13)) a++;
  if (close < 0 || close - g > 4 || (a < text.length && text.charCodeAt(a) !== 10)) return -1;
  const [s, e] = [b, a];
  const line = text.slice(s, e);
  const m = GRADE_LINE.exec(line);
  if (m === null || s + m[0].indexOf(m[1]) !== g) return -1;
  const after = neighbourLine(text, s, e, 1);
  if (after === null || LEVEL_LINE.test(after)) return -1;
  const before = neighbourLine(text, s, e, -1);
  if (before !== null && LEVEL_LINE.test(before)) return -1;
  return g + m[1].length;
}

/** A mark whose star is misread, alone on its line (STAR_MISREAD_LINE) and starting at grade g: its end, or -1. */
function misreadStarLine(text: string, g: number): number {
  // The line is short: look no further than that for its ends (a long line of marks is read once per grade, not whole).
  const max = 24;
  let s = g;
  while (s > 0 && g - s < max && text.charCodeAt(s - 1) !== 10) s--;
  let e = g;
  while (e < text.length && e - g < max && text.charCodeAt(e) !== 10) e++;
  if ((s > 0 && text.charCodeAt(s - 1) !== 10) || (e < text.length && text.charCodeAt(e) !== 10)) return -1;
  const m = STAR_MISREAD_LINE.exec(text.slice(s, e));
  if (m === null || s + m[0].indexOf(m[1]) !== g) return -1;
  return g + m[1].length;
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
  for (const g of grades) {
    const end = Math.max(gradeAloneAtHead(text, g), misreadStarLine(text, g));
    if (end > 0) found.push([g, end]);
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
