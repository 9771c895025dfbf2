import type { RawFinding } from '../types.ts';

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

function lineScore(line: string): number {
  const t = line.trim();
  if (t.length === 0) return -1;
  let cjk = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 0x4e00 && c <= 0x9fa5) cjk++;
  }
  // A line of prose (comments aside) is not code.
  if (cjk / t.length > 0.3 && !/^(?:\/\/|#|--|\/\*|\*)/.test(t)) return 0;
  let s = 0;
  if (KEYWORD_START.test(t)) s += 2;
  if (CODE_END.test(t)) s += 1;
  if (OPERATORS.test(t)) s += 1;
  if (/^\s{2,}\S/.test(line) && /[=(){}:;]/.test(t)) s += 1;
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
  let blockStart = -1;
  let blockEnd = -1;
  let codeLines = 0;
  let proseLines = 0;
  const flush = (): void => {
    if (blockStart >= 0 && codeLines >= 3 && codeLines >= 2 * proseLines) {
      if (!fenced.some(([s, e]) => blockStart < e && blockEnd > s)) {
        out.push({ type: 'source_code', start: blockStart, end: blockEnd, score: 0.8, detector: 'source_code' });
      }
    }
    blockStart = -1;
    codeLines = 0;
    proseLines = 0;
  };
  let pos = 0;
  while (pos <= text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const line = text.slice(pos, nl);
    const s = lineScore(line);
    if (s >= 2) {
      if (blockStart < 0) blockStart = pos + (line.length - line.trimStart().length);
      blockEnd = pos + line.trimEnd().length;
      codeLines++;
    } else if (s === 1 && blockStart >= 0) {
      blockEnd = pos + line.trimEnd().length;
      codeLines++;
    } else if (s < 0) {
      // Blank line: a block may continue across one.
    } else if (blockStart >= 0) {
      proseLines++;
      if (proseLines > 1 || codeLines < 2) flush();
    }
    pos = nl + 1;
  }
  flush();
}
