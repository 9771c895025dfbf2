import type { FindingType, RawFinding } from '../types.ts';
import { classify } from './digits.ts';

/**
 * Numbers spelled out in English words, as dictation and speech recognition write them and as a model reads them
 * ("one three eight, double oh one, three eight triple oh"): each run of number words (digits may stand among them)
 * becomes its digits, and the digits detector's validators decide what it is. Visits only the text's ASCII runs.
 */
const WORDS: ReadonlyArray<readonly [string, number]> = [
  ['zero', 0], ['oh', 0], ['one', 1], ['two', 2], ['three', 3], ['four', 4], ['five', 5], ['six', 6], ['seven', 7],
  ['eight', 8], ['nine', 9], ['double', -2], ['triple', -3],
];

/** WORDS by length and first letter (a - z as 1 - 26): most runs of a text are looked at once and left. */
const BY_SHAPE: Array<Array<readonly [string, number]> | undefined> = [];
for (const entry of WORDS) (BY_SHAPE[entry[0].length * 32 + entry[0].charCodeAt(0) - 96] ??= []).push(entry);

/** The value of the word at text[start, end) (ASCII letters, any case): a digit, -2/-3 for double/triple, or -1. */
function wordValue(text: string, start: number, end: number): number {
  const n = end - start;
  if (n < 2 || n > 6) return -1;
  const candidates = BY_SHAPE[n * 32 + (text.charCodeAt(start) | 32) - 96];
  if (candidates === undefined) return -1;
  next: for (const [w, v] of candidates) {
    for (let i = 1; i < n; i++) if ((text.charCodeAt(start + i) | 32) !== w.charCodeAt(i)) continue next;
    return v;
  }
  return -1;
}

function allDigits(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Between two words of one number: spaces, a dash or a comma, at most three characters. */
function joins(text: string, from: number, to: number): boolean {
  if (to - from > 3) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 45 && c !== 44) return false;
  }
  return true;
}

const DIGIT_GROUP = 10;

export function detectSpelledDigits(
  text: string, out: RawFinding[], want: ReadonlySet<FindingType>, runs: Int32Array, nr: number,
): void {
  let digits = '';
  let words = 0;
  let start = -1;
  let end = -1;
  let repeat = 1;
  const flush = (): void => {
    if (words >= 3 && digits.length >= 7) {
      const hit = classify(digits, text, start);
      if (hit !== null && want.has(hit.type)) out.push({ type: hit.type, start, end, score: hit.score, detector: 'spelled-digits' });
    }
    digits = '';
    words = 0;
    start = -1;
    repeat = 1;
  };
  for (let r = 0; r < 2 * nr; r += 2) {
    const s = runs[r];
    const e = runs[r + 1];
    const c0 = text.charCodeAt(s);
    const isNumber = c0 >= 48 && c0 <= 57;
    // A digit group of up to four digits counts among words (a number of digits alone is the digits detector's).
    const v = isNumber ? (e - s <= 4 && allDigits(text, s, e) ? DIGIT_GROUP : -1) : wordValue(text, s, e);
    if (v === -1) {
      if (start < 0) continue;
      // An ID number's check character after its seventeen digits.
      if (e - s === 1 && (c0 | 32) === 120 && digits.length === 17 && joins(text, end, s)) {
        digits += 'X';
        end = e;
      }
      flush();
      continue;
    }
    if (start >= 0 && !joins(text, end, s)) flush();
    if (start < 0) start = s;
    end = e;
    if (v <= -2) {
      repeat = -v;
      words++;
      continue;
    }
    const part = v === DIGIT_GROUP ? text.slice(s, e) : String(v);
    digits += repeat > 1 ? part[0].repeat(repeat) + part.slice(1) : part;
    repeat = 1;
    if (v !== DIGIT_GROUP) words++;
  }
  flush();
}
