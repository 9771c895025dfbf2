import type { RawFinding } from '../types.ts';
import { isSpace } from '../chars.ts';

/**
 * Blocks of source code, fenced (```…```) or not, so that policy can keep code inside the domain. An
 * unfenced block is a run of at least three lines, most of which look like code.
 */
const FENCE = /(^|\n)[ \t]*(```|~~~)[^\n]*\n[\s\S]*?\n[ \t]*\2[ \t]*(?=\n|$)/g;
const SIGNAL = /[{}]|=>|\bdef |\bimport |#include|\bfunction\b|\bclass |\breturn\b|<\/|\bSELECT\b|\bselect\b|\bfunc |\bpublic |:=|[\w)\]'"];[ \t]*(?:\n|$)/;

const KEYWORD_START =
  /^\s*(?:def |class |import |from \S+ import|public |private |protected |static |function |const |let |var |return\b|if\s*\(|if .+:$|for\s*\(|for .+ in .+:$|while\s*\(|#include|#define|package |func |fn |pub |use |impl |struct |enum |interface |type \w+ =|export |async |await |try\s*[:{]|catch\s*\(|except\b|elif |else\b|print\(|console\.|System\.|SELECT\b|INSERT\b|UPDATE\b|DELETE\b|CREATE\b|ALTER\b|<\?php|<div|<script|<\/|@\w+|\}|\{|\/\/|\/\*|\*\/|#!\/|echo |export |sudo |apt |npm |pip |docker |kubectl |git )/;
const CODE_END = /(?:[;{}]|\)\s*:|:\s*$|\)\s*\{?|=>\s*\{?|\\)\s*$/;
const OPERATORS = /(?:[=!<>]=|&&|\|\||->|=>|::|\+\+|\w\(.*\)|\w\[|\w\.\w+\()/;

const END_CHAR = new Uint8Array(128);
for (const ch of ';{}:)>\\') END_CHAR[ch.charCodeAt(0)] = 1;
const OPERATOR_CHAR = new Uint8Array(128);
for (const ch of '=&|-:+([') OPERATOR_CHAR[ch.charCodeAt(0)] = 1;

function hasOperatorChar(text: string, ts: number, te: number): boolean {
  for (let i = ts; i < te; i++) {
    const c = text.charCodeAt(i);
    if (c < 128 && OPERATOR_CHAR[c] === 1) return true;
  }
  return false;
}

function isCommentStart(text: string, ts: number, te: number): boolean {
  const c0 = text.charCodeAt(ts);
  if (c0 === 35 || c0 === 42) return true; // # *
  if (ts + 1 >= te) return false;
  const c1 = text.charCodeAt(ts + 1);
  return (c0 === 47 && (c1 === 47 || c1 === 42)) || (c0 === 45 && c1 === 45); // // /* --
}

/**
 * Score of the line text[pos, nl), whose trimmed part text[ts, te) is not empty. Lines of prose are told
 * apart without building strings; the patterns run on the rest.
 */
function lineScore(text: string, pos: number, nl: number, ts: number, te: number): number {
  const len = te - ts;
  let cjk = 0;
  let prose = false;
  for (let i = ts; i < te; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x4e00 && c <= 0x9fa5 && ++cjk / len > 0.3) {
      prose = true;
      break;
    }
  }
  // A line of prose (comments aside) is not code.
  if (prose && !isCommentStart(text, ts, te)) return 0;
  // Cheap necessary conditions guard each pattern: every KEYWORD_START alternative begins with an ASCII
  // character other than a digit, CODE_END needs one of ;{}:)>\ at the end, OPERATORS one of =&|-:+([
  const t = text.slice(ts, te);
  let s = 0;
  const c0 = text.charCodeAt(ts);
  if (c0 < 128 && !(c0 >= 48 && c0 <= 57) && KEYWORD_START.test(t)) s += 2;
  const cl = text.charCodeAt(te - 1);
  if (cl < 128 && END_CHAR[cl] === 1 && CODE_END.test(t)) s += 1;
  if (hasOperatorChar(text, ts, te) && OPERATORS.test(t)) s += 1;
  if (ts - pos >= 2 && /[=(){}:;]/.test(t)) s += 1;
  return s;
}

export function detectSourceCode(text: string, out: RawFinding[]): void {
  if (!SIGNAL.test(text)) return;
  const fenced: Array<[number, number]> = [];
  if (text.includes('```') || text.includes('~~~')) {
    FENCE.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = FENCE.exec(text)) !== null) {
      const start = m.index + m[1].length;
      const end = m.index + m[0].length;
      fenced.push([start, end]);
      out.push({ type: 'source_code', start, end, score: 0.95, detector: 'source_code' });
    }
  }
  // Unfenced: walk lines, grouping code-like lines (blank lines allowed inside a block).
  const b: Block = { start: -1, end: -1, codeLines: 0, proseLines: 0 };
  let pos = 0;
  while (pos <= text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    // The trimmed line is text[ts, te).
    let ts = pos;
    while (ts < nl && isSpace(text.charCodeAt(ts))) ts++;
    let te = nl;
    while (te > ts && isSpace(text.charCodeAt(te - 1))) te--;
    const s = ts === te ? -1 : lineScore(text, pos, nl, ts, te);
    if (s >= 2) {
      if (b.start < 0) b.start = ts;
      b.end = te;
      b.codeLines++;
    } else if (s === 1 && b.start >= 0) {
      b.end = te;
      b.codeLines++;
    } else if (s < 0) {
      // Blank line: a block may continue across one.
    } else if (b.start >= 0) {
      b.proseLines++;
      if (b.proseLines > 1 || b.codeLines < 2) flush(b, fenced, out);
    }
    pos = nl + 1;
  }
  flush(b, fenced, out);
}

/** A run of code-like lines being gathered (start −1: none). */
interface Block { start: number; end: number; codeLines: number; proseLines: number }

/**
 * Report the block if it is code (three code lines or more, at least twice its prose lines) and not inside a fence,
 * then start a new one. A module function, not a closure per call: tsx names every closure it creates.
 */
function flush(b: Block, fenced: ReadonlyArray<[number, number]>, out: RawFinding[]): void {
  if (b.start >= 0 && b.codeLines >= 3 && b.codeLines >= 2 * b.proseLines && !overlapsAny(fenced, b.start, b.end)) {
    out.push({ type: 'source_code', start: b.start, end: b.end, score: 0.8, detector: 'source_code' });
  }
  b.start = -1;
  b.codeLines = 0;
  b.proseLines = 0;
}

function overlapsAny(spans: ReadonlyArray<[number, number]>, start: number, end: number): boolean {
  for (const [s, e] of spans) if (start < e && end > s) return true;
  return false;
}
