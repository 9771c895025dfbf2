/**
 * Two-character names padded to the width of three: official documents, name lists and sign-in sheets align names so,
 * with an ideographic space (or one or two ASCII spaces) between surname and given name — `出席：王小明、张　伟、李建国`,
 * `参会人员：王小明　张　伟　李　娜`. Read as written, `张` and `伟` are two lone characters and neither is a name. The
 * padding is dropped for the detectors (normalize.ts) where it joins two single characters, the first of them a
 * surname, that stand alone between separators (list and field punctuation, spaces) or the ends of the text; a joiner
 * (`张 三-丰`, `王.建`) is no separator.
 *
 * Single characters spaced one after another form a chain (`张　伟　李　娜`); a chain is read as padded names when it
 * has an even length and every first of a pair is a surname (张伟, 李娜). An odd chain (`我 爱 你`, a PDF's spaced text,
 * which normalize.ts reads otherwise) and a chain of common surnames alone (`赵 钱 孙 李`) are left as they are.
 */
import { isIdeograph } from './chars.ts';
import { LEX_SURNAME, LEX_TOP_SURNAME, lexBits } from './ner/features.ts';

const isSurname = (c: number): boolean => (lexBits(c) & LEX_SURNAME) !== 0;
/** The hundred commonest surnames: a chain of nothing else is a list of surnames (`赵 钱 孙 李`), not of names. */
const isCommonSurname = (c: number): boolean => (lexBits(c) & LEX_TOP_SURNAME) !== 0;

const isPad = (c: number): boolean => c === 32 || c === 0xa0;
const isBlank = (c: number): boolean => isPad(c) || c === 0x3000;

/** The length of the padding starting at i: one ideographic space, or one or two ASCII or no-break spaces; 0 when none. */
function paddingAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 0x3000) return isBlank(text.charCodeAt(i + 1)) ? 0 : 1;
  if (!isPad(c)) return 0;
  const second = text.charCodeAt(i + 1);
  if (!isBlank(second)) return 1;
  return isPad(second) && !isBlank(text.charCodeAt(i + 2)) ? 2 : 0;
}

/** What may stand beside a padded name: separators of lists, tables and fields (not joiners such as - . · _ /). */
const SEPARATOR = new Set([...'、，,；;：:。！!？?（）()【】[]「」『』“”"‘’\'《》<>|\t\n\r \u3000\u00a0'].map((c) => c.charCodeAt(0)));

/** Whether text[j] stands outside the text or is a separator. */
const isBound = (text: string, j: number): boolean => j < 0 || j >= text.length || SEPARATOR.has(text.charCodeAt(j));

/** Whether text[j] is an ideograph between two separators (or the ends of the text). */
function isLone(text: string, j: number): boolean {
  return isIdeograph(text.charCodeAt(j)) && isBound(text, j - 1) && isBound(text, j + 1);
}

/** Marks in `drop` (allocated when null) the padding inside two-character names; returns `drop`. */
export function paddedNames(text: string, drop: Uint8Array | null): Uint8Array | null {
  const chars: number[] = [];
  const pads: number[] = [];
  for (let i = 1; i < text.length; i++) {
    // Most characters are no blank after an ideograph: the cheapest tests first (this loop reads every character).
    if (!isBlank(text.charCodeAt(i)) || !isIdeograph(text.charCodeAt(i - 1))) continue;
    let len = paddingAt(text, i);
    if (len === 0) continue;
    if (!isLone(text, i - 1)) {
      drop = paddedInProse(text, i - 1, drop);
      continue;
    }
    chars.length = 0;
    pads.length = 0;
    chars.push(i - 1);
    let p = i;
    while (len > 0 && isLone(text, p + len)) {
      pads.push(p, len);
      chars.push(p + len);
      p += len + 1;
      len = paddingAt(text, p);
    }
    i = p;
    if (chars.length === 1) {
      drop = paddedInProse(text, chars[0], drop);
      continue;
    }
    if (chars.length % 2 !== 0) continue;
    let surnames = true;
    for (let k = 0; k < chars.length && surnames; k += 2) surnames = isSurname(text.charCodeAt(chars[k]));
    if (!surnames || chars.every((j) => isCommonSurname(text.charCodeAt(j)))) continue;
    drop ??= new Uint8Array(text.length);
    for (let k = 0; k < pads.length; k += 4) drop.fill(1, pads[k], pads[k] + pads[k + 1]);
  }
  return drop;
}

/** Whether text[j] is running text beside a padded name: an ideograph or a separator other than a blank (a blank there
 * means spaced-out text), or outside the text; not a joiner (`张 三-丰`). */
function isProse(text: string, j: number): boolean {
  const c = text.charCodeAt(j);
  return j < 0 || j >= text.length || (!isBlank(c) && (isIdeograph(c) || SEPARATOR.has(c)));
}

/** How far from a padded name a blank marks a list separated by spaces rather than a field in running text. */
const LIST_REACH = 4;

function blankWithin(text: string, from: number, to: number): boolean {
  for (let j = Math.max(0, from); j < Math.min(to, text.length); j++) if (isBlank(text.charCodeAt(j))) return true;
  return false;
}

/**
 * A padded name in running text, filled into a template's fixed-width field: `兹证明张　伟同志系我单位职工`,
 * `会议由张　伟主持`. The padding after the surname at `s` is dropped when one ideograph follows it and neither side
 * continues as spaced-out text; whether the two characters then read as a name is for the detectors to say.
 */
function paddedInProse(text: string, s: number, drop: Uint8Array | null): Uint8Array | null {
  const len = paddingAt(text, s + 1);
  const g = s + 1 + len;
  if (len === 0 || !isSurname(text.charCodeAt(s)) || !isIdeograph(text.charCodeAt(g))) return drop;
  // The surname alone after a list separated by spaces (`王小明 张　伟同志`): the blank before it ends a word of two or more
  // ideographs, so the text is not spaced out character by character, and the name's right side is running text.
  const afterList = isBlank(text.charCodeAt(s - 1)) && isIdeograph(text.charCodeAt(s - 2)) && isIdeograph(text.charCodeAt(s - 3));
  if (!(afterList || isProse(text, s - 1)) || !isProse(text, g + 1)) return drop;
  // Blanks close by on either side make a list separated by spaces (`于全 吴岳良 郑永飞`, `东三环南路 农光路 农光里`),
  // whose items the space keeps apart.
  if ((!afterList && blankWithin(text, s - LIST_REACH, s)) || blankWithin(text, g + 1, g + 1 + LIST_REACH)) return drop;
  drop ??= new Uint8Array(text.length);
  drop.fill(1, s + 1, g);
  return drop;
}
