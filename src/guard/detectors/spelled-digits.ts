import type { FindingType, RawFinding } from '../types.ts';
import { classify, isNegative } from './digits.ts';
import { isCnMobile, isValidIdCard18 } from '../validators.ts';

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
/** Numbers a run of several is split into: those with a structure of their own (a mobile's prefix, an ID's check)… */
const SPLIT_TYPES: ReadonlySet<FindingType> = new Set(['cn_mobile', 'cn_id_card', 'cn_permit']);
/** … and so their lengths: a mobile (also after 86 or 0086), an ID or a residence permit. */
const SPLIT_LENGTHS: ReadonlySet<number> = new Set([11, 13, 15, 18]);
const LONGEST = 18;

/**
 * A run whose digits are no number as a whole may be several said one after another ("…zero zero zero, one one zero
 * one…": a phone number, then an ID). It is cut into the mobile and ID numbers that together cover the most of its
 * digits (taking the longest number from the first word on would cut two phone numbers in the wrong place and leave
 * half of each): not card numbers, one in ten of whose windows of counting words passes the Luhn check, and nothing
 * after a label that says the run is no personal number (an order number). `starts[k]`, `ends[k]` and `lengths[k]` are
 * the text offsets of word k and the digits up to it.
 */
function splitRun(digits: string, starts: readonly number[], ends: readonly number[], lengths: readonly number[], text: string,
  want: ReadonlySet<FindingType>, out: RawFinding[]): void {
  if (isNegative(text, starts[0])) return;
  const n = starts.length;
  // covered[k]: the most digits numbers can cover from word k on; cut[k]: the last word of the number starting at k, or -1.
  const covered = new Int32Array(n + 1);
  const cut = new Int32Array(n).fill(-1);
  const hits: Array<RawFinding | undefined> = [];
  for (let k = n - 1; k >= 0; k--) {
    covered[k] = covered[k + 1];
    const from = k === 0 ? 0 : lengths[k - 1];
    for (let j = k + 2; j < n && lengths[j] - from <= LONGEST; j++) {
      if (!SPLIT_LENGTHS.has(lengths[j] - from) || lengths[j] - from + covered[j + 1] <= covered[k]) continue;
      const d = digits.slice(from, lengths[j]);
      if (!(d.length === 18 ? isValidIdCard18(d) : isCnMobile(d.slice(d.length - 11)))) continue; // before the label checks
      const hit = classify(d, text, starts[k]);
      if (hit === null || !SPLIT_TYPES.has(hit.type) || !want.has(hit.type)) continue;
      covered[k] = lengths[j] - from + covered[j + 1];
      cut[k] = j;
      hits[k] = { type: hit.type, start: starts[k], end: ends[j], score: hit.score, detector: 'spelled-digits' };
    }
  }
  for (let k = 0; k < n;) {
    if (cut[k] >= 0) {
      out.push(hits[k]!);
      k = cut[k] + 1;
    } else k++;
  }
}

export function detectSpelledDigits(
  text: string, out: RawFinding[], want: ReadonlySet<FindingType>, runs: Int32Array, nr: number,
): void {
  let digits = '';
  let words = 0;
  let start = -1;
  let end = -1;
  let repeat = 1;
  let repeatStart = -1;
  // Each word's start, end and the digits up to it: where a run of several numbers may be split.
  const starts: number[] = [];
  const ends: number[] = [];
  const lengths: number[] = [];
  const flush = (): void => {
    if (words >= 3 && digits.length >= 7) {
      const hit = classify(digits, text, start);
      if (hit !== null && want.has(hit.type)) out.push({ type: hit.type, start, end, score: hit.score, detector: 'spelled-digits' });
      else if (hit === null && digits.length >= 14) splitRun(digits, starts, ends, lengths, text, want, out);
    }
    digits = '';
    words = 0;
    start = -1;
    repeat = 1;
    starts.length = ends.length = lengths.length = 0;
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
      if (e - s === 1 && (c0 | 32) === 120 && digits.length >= 17 && joins(text, end, s)) {
        digits += 'X';
        end = e;
        starts.push(s);
        ends.push(e);
        lengths.push(digits.length);
      }
      flush();
      continue;
    }
    if (start >= 0 && !joins(text, end, s)) flush();
    if (start < 0) start = s;
    end = e;
    if (v <= -2) {
      repeat = -v;
      repeatStart = s;
      words++;
      continue;
    }
    const part = v === DIGIT_GROUP ? text.slice(s, e) : String(v);
    digits += repeat > 1 ? part[0].repeat(repeat) + part.slice(1) : part;
    starts.push(repeat > 1 ? repeatStart : s); // "double oh": the word starts at "double"
    ends.push(e);
    lengths.push(digits.length);
    repeat = 1;
    if (v !== DIGIT_GROUP) words++;
  }
  flush();
}
