/**
 * Markup inside a value: rich-text editors and Word's HTML split a run of text wherever its formatting changes
 * (`联系人：<span>张</span><span>三丰</span>`, `<span>1380013</span><span lang=EN-US>8000</span>`), and page sources hold
 * comments. Such a split between two Han characters or digits is dropped for the detectors (normalize.ts), so that
 * the value reads whole.
 *
 * A split is a run of inline tags — of text-level elements (span, font, b, i, u, s, em, strong, mark, small, big, sub,
 * sup, a, code, del, ins, Word's o:p), each at most MAX_TAG characters — and HTML comments that holds a comment, or a
 * closing tag and after it an opening one (`</span><span style=…>`); between two digits, any run of them. A lone `<em>`
 * or `</em>` between Han characters bounds a highlighted word (`<em>张三</em>的简历`) and stays, as do block tags (p,
 * div, td, br, li …), which end a value.
 */
import { isHanOrDigit, isWideOrAsciiDigit } from './chars.ts';

const MAX_TAG = 500;
const INLINE_TAG = new RegExp(
  `<\\/?(?:span|font|b|i|u|s|em|strong|mark|small|big|sub|sup|a|code|del|ins|o:p)(?:\\s[^<>]{0,${MAX_TAG}})?\\/?>|<!--[^]{0,${MAX_TAG}}?-->`, 'iy',
);


/** What markupEnd found in the run: a comment, or a closing tag followed by an opening one. */
let split = false;

/** The end of the run of inline tags and comments starting at `i` (`i` when none starts there); `split` describes it. */
function markupEnd(text: string, i: number): number {
  let closed = false;
  split = false;
  while (text.charCodeAt(i) === 60 /* < */) {
    INLINE_TAG.lastIndex = i;
    if (!INLINE_TAG.test(text)) break;
    const second = text.charCodeAt(i + 1);
    if (second === 33 /* ! */) split = true;
    else if (second === 47 /* / */) closed = true;
    else if (closed) split = true;
    i = INLINE_TAG.lastIndex;
  }
  return i;
}

/** Marks in `drop` (allocated when null) the splits between two Han characters or digits; returns `drop`. */
export function inlineMarkup(text: string, drop: Uint8Array | null): Uint8Array | null {
  for (let i = text.indexOf('<', 1); i > 0; i = text.indexOf('<', i + 1)) {
    if (!isHanOrDigit(text.charCodeAt(i - 1))) continue;
    const end = markupEnd(text, i);
    if (end === i) continue;
    // Between two digits any run of inline tags splits a number (1380013</span>8000); between Han characters a lone
    // tag may bound a word.
    const next = end < text.length ? text.charCodeAt(end) : -1;
    if ((split || (isWideOrAsciiDigit(next) && isWideOrAsciiDigit(text.charCodeAt(i - 1)))) && isHanOrDigit(next)) {
      drop ??= new Uint8Array(text.length);
      drop.fill(1, i, end);
    }
    i = end - 1;
  }
  return drop;
}
