/**
 * Line breaks that only wrap: text copied out of a PDF (or a fixed-width mail) ends every line at the same width,
 * wherever a word, a name or a number happens to stand — 联系人：张 / 三丰, 身份证号：110105 / 19491231002X. Such a
 * break says nothing and hides what runs across it; normalize.ts drops it so that the detectors read the value whole.
 *
 * A text is wrapped when at least MIN_FULL lines, and at least half of its lines of MIN_WIDTH (15 Han characters) or
 * more, are full: as wide as the commonest width of its long lines, less SLACK (a line of Chinese holds a character
 * less where it ends in a wide punctuation mark, or more where it holds half-width digits). Width counts a Han or
 * other wide character as 2 and ASCII as 1. A break is dropped only after a full line, and only between two Han
 * characters or digits (or a digit and an ID card number's X): lists, headings and short lines keep theirs, and so
 * do words of English, where the break stands for a space.
 */
import { isHanOrDigit } from './chars.ts';

const MIN_FULL = 3;
const MIN_WIDTH = 30;
const SLACK = 3;
/** Widths above this are paragraphs of unwrapped text, not wrapped lines. */
const MAX_WIDTH = 240;

const widthOf = (c: number): number => (c < 0x1100 ? 1 : 2);

/** Whether `text` holds at least MIN_FULL line breaks: the cheap test before the lines are measured. */
function mayBeWrapped(text: string): boolean {
  let breaks = 0;
  for (let i = text.indexOf('\n'); i >= 0 && breaks < MIN_FULL; i = text.indexOf('\n', i + 1)) breaks++;
  return breaks >= MIN_FULL;
}

/**
 * The width of the line that starts at `from`, 0 when a tab or two spaces lay it out in columns (a table's rows are
 * records however alike their widths); its end is left in `lineEnd`.
 */
let lineEnd = 0;
function lineWidth(text: string, from: number): number {
  let width = 0;
  let columns = false;
  let i = from;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) break;
    if (c === 9 || ((c === 32 || c === 0x3000) && (text.charCodeAt(i + 1) === 32 || text.charCodeAt(i + 1) === 0x3000))) columns = true;
    else if (c !== 13) width += widthOf(c);
  }
  lineEnd = i;
  return columns ? 0 : width;
}

/** counts[w]: lines of width w … w + SLACK; reused, and cleared after each call. */
const counts = new Uint16Array(MAX_WIDTH + 1);

/** The positions of the \n (and a \r before it) of the breaks to drop, or null when there is none. */
export function wrappedBreaks(text: string): Uint8Array | null {
  if (!mayBeWrapped(text)) return null;
  // First pass: the commonest width of the long lines, with no allocation (most texts with lines are not wrapped).
  let long = 0;
  for (let from = 0; from <= text.length; from = lineEnd + 1) {
    const w = lineWidth(text, from);
    if (w < MIN_WIDTH || w > MAX_WIDTH) continue;
    long++;
    // Each width counts for itself and the SLACK widths below it, so that the commonest window wins.
    for (let k = w; k >= Math.max(MIN_WIDTH, w - SLACK); k--) counts[k]++;
  }
  if (long < MIN_FULL) {
    if (long > 0) counts.fill(0);
    return null;
  }
  let full = 0;
  let at = 0;
  for (let w = MIN_WIDTH; w <= MAX_WIDTH; w++) if (counts[w] >= full) { full = counts[w]; at = w; }
  counts.fill(0);
  if (full < MIN_FULL || full * 2 < long) return null;
  // Second pass: the breaks after full lines, between two Han characters or digits.
  let drop: Uint8Array | null = null;
  for (let from = 0; from < text.length; from = lineEnd + 1) {
    const w = lineWidth(text, from);
    const n = lineEnd;
    if (n >= text.length || w < at || w > at + SLACK) continue;
    const before = text.charCodeAt(n > 0 && text.charCodeAt(n - 1) === 13 ? n - 2 : n - 1);
    const after = text.charCodeAt(n + 1);
    // An ID card number's check character X may be what the line break cut off.
    if (!isHanOrDigit(before) || !(isHanOrDigit(after) || ((after | 32) === 120 && before >= 48 && before <= 57))) continue;
    drop ??= new Uint8Array(text.length);
    drop[n] = 1;
    if (text.charCodeAt(n - 1) === 13) drop[n - 1] = 1;
  }
  return drop;
}
