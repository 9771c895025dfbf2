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
 *
 * Markdown does the same with emphasis inside a word (`张**三丰**`, `~~张~~三丰`, `1380013**8000**`): see inlineEmphasis.
 */
import { isAsciiAlnum, isHanOrDigit, isWideOrAsciiDigit } from './chars.ts';

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

/** Longest text between two emphasis markers that is read as an emphasized word. */
const MAX_EMPHASIZED = 40;
// Single underscores are left alone: CommonMark reads no emphasis from them inside a word, and they join file names and
// lists (`报告_张三_2024.docx`). A double one is bold written the other way (`张__三丰__`): CommonMark does not render it
// inside a word either, but a reader, and a model, reads the name straight through it.
const EMPHASIS_RUN = /\*{1,3}|~{1,2}|_{2}/g;

/** Whether text[from, to) is one emphasized word: 1 to MAX_EMPHASIZED Han characters, digits and ASCII letters. */
function isEmphasizedWord(text: string, from: number, to: number): boolean {
  if (to <= from || to - from > MAX_EMPHASIZED) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!isHanOrDigit(c) && !isAsciiAlnum(c)) return false;
  }
  return true;
}

/** Whether the marker run text[start, end) stands between two Han characters or digits (only `**` or `~~` between digits). */
function splitsValue(text: string, start: number, end: number): boolean {
  const before = text.charCodeAt(start - 1);
  const after = text.charCodeAt(end);
  if (!isHanOrDigit(before) || !isHanOrDigit(after)) return false;
  // A single `*` between digits is a product (3*4), three or more mask a number (138****8000).
  return end - start === 2 || !(isWideOrAsciiDigit(before) && isWideOrAsciiDigit(after));
}

const UNDERSCORE = 0x5f;
const isWordChar = (c: number): boolean => isAsciiAlnum(c) || c === UNDERSCORE;

/**
 * Whether a `__` run stands at a value's edge: a Han character or digit on one side, no word character on the other
 * (`1380013__8000__`: the closing run would otherwise glue the number to a word character, where no detector reads it).
 */
function edgeOfValue(text: string, start: number, end: number): boolean {
  const before = text.charCodeAt(start - 1);
  const after = text.charCodeAt(end);
  return (isHanOrDigit(before) && !isWordChar(after)) || (isHanOrDigit(after) && !isWordChar(before));
}

/**
 * Marks in `drop` (allocated when null) the markdown emphasis markers inside a word: of a pair of equal marker runs
 * (`**`…`**`, `*`…`*`, `~~`…`~~`, `__`…`__`) around one word without spaces or punctuation, each run that stands between
 * two Han characters or digits. A masked value (`张*丰、李*明`, `138****8000`) pairs no such word and stays.
 */
export function inlineEmphasis(text: string, drop: Uint8Array | null): Uint8Array | null {
  if (text.indexOf('*') < 0 && text.indexOf('~') < 0 && text.indexOf('__') < 0) return drop;
  let openStart = -1;
  let openEnd = -1;
  EMPHASIS_RUN.lastIndex = 0;
  for (let m = EMPHASIS_RUN.exec(text); m !== null; m = EMPHASIS_RUN.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    // A longer run of one marker is no emphasis: skip the whole of it.
    const c = text.charCodeAt(start);
    if (text.charCodeAt(end) === c || text.charCodeAt(start - 1) === c) {
      while (text.charCodeAt(EMPHASIS_RUN.lastIndex) === c) EMPHASIS_RUN.lastIndex++;
      openStart = -1;
      continue;
    }
    const paired = openStart >= 0 && openEnd - openStart === end - start && text.charCodeAt(openStart) === c &&
      isEmphasizedWord(text, openEnd, start);
    if (!paired) {
      openStart = start;
      openEnd = end;
      continue;
    }
    for (const [from, to] of [[openStart, openEnd], [start, end]]) {
      if (splitsValue(text, from, to) || (c === UNDERSCORE && edgeOfValue(text, from, to))) (drop ??= new Uint8Array(text.length)).fill(1, from, to);
    }
    openStart = -1;
  }
  return drop;
}
