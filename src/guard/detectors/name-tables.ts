import type { RawFinding } from '../types.ts';
import { isSpace } from '../chars.ts';
import { placeWithSuffixAt } from './address.ts';
import { CUE, KIND, codeAt, fieldEnd, isNameKey, isQuote, parseNameAt, push } from './name-shapes.ts';

/**
 * Tables with a name column — markdown, tab-separated, CSV (quoted too) and HTML — whose header labels the column 姓名,
 * 联系人 or `name`: the cells below that are one whole name each.
 */
const TABLE_SEPS = new Set([124 /* | */, 9 /* tab */, 44 /* , */]);
const RULE_LINE = /^[\s|:\-+=]*$/;

/**
 * A table whose header names a column 姓名, 联系人, 负责人 … (markdown, tab-separated or CSV): the cells of that column in
 * the rows below are names when they are one whole name each. `at` is a label's position in the header; returns where
 * the table ends, or the header line when there is no table (the caller skips labels before it, so each line and each
 * table is read once however many labels they hold), and how many names its columns held.
 */
export function namesInColumns(text: string, out: RawFinding[], at: number, word: string): [end: number, names: number] {
  // The label must be a whole cell: a separator or the line's edge on either side (spaces and a colon aside). Most labels
  // stand in prose (联系人张三), and this tells so without reading the line.
  let b = at;
  // An English header may be words (Customer Name, Employee Name): the cell starts before them.
  if (word.charCodeAt(0) < 128) while (b > 0 && b > at - 32 && isHeaderWordUnit(text.charCodeAt(b - 1))) b--;
  while (b > 0 && (text.charCodeAt(b - 1) === 32 || isQuote(text.charCodeAt(b - 1)))) b--;
  let e = at + word.length;
  while (e < text.length && (text.charCodeAt(e) === 32 || text.charCodeAt(e) === 58 || text.charCodeAt(e) === 42 || isQuote(text.charCodeAt(e)))) e++;
  if (codeAt(text, b - 1) === 62 /* > */) return namesInHtmlColumns(text, out, b, e);
  if (!cellEdge(text, b - 1) || !cellEdge(text, e)) return [at, 0];
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  let lineEnd = text.indexOf('\n', at);
  if (lineEnd < 0) lineEnd = text.length;
  let sep = -1;
  for (let i = lineStart; i < lineEnd && sep < 0; i++) if (TABLE_SEPS.has(text.charCodeAt(i))) sep = text.charCodeAt(i);
  // Whatever this header turns out to be, the other labels in its line would read the same: skip to the line's end.
  if (sep < 0) return [lineEnd, 0];
  // A header is short labels, two or more (not a sentence with commas in it); its rows have as many cells. Most lines
  // with a label and a comma are prose: a long cell tells so before anything is split.
  let cellLength = 0;
  for (let i = lineStart; i < lineEnd; i++) {
    const c = text.charCodeAt(i);
    if (c === sep) cellLength = 0;
    // A Han character counts two, a letter one: 姓名 and Customer Name are labels, a clause is no cell.
    else if (!isSpace(c) && (cellLength += c < 128 ? 1 : 2) > 24) return [lineEnd, 0];
  }
  const sepChar = String.fromCharCode(sep);
  const cells = text.slice(lineStart, lineEnd).split(sepChar);
  if (cells.filter((c) => c.trim() !== '').length < 2) return [lineEnd, 0];
  const columns: number[] = [];
  cells.forEach((cell, i) => {
    const label = cell.trim().replace(/^["']|["']?[:*]*$/g, '');
    if (label === word || (KIND.get(label) ?? 0) & CUE || isNameKey(label.replace(/ +/g, '_'))) columns.push(i);
  });
  if (columns.length === 0) return [lineEnd, 0];
  const before = out.length;
  let row = lineEnd + 1;
  for (let rows = 0; row < text.length && rows < 100_000; rows++) {
    let end = text.indexOf('\n', row);
    if (end < 0) end = text.length;
    // The cells' ends, in one pass; a row with another number of cells ends the table.
    const ends: number[] = [];
    for (let i = row; i <= end; i++) if (i === end || text.charCodeAt(i) === sep) ends.push(i);
    if (ends.length !== cells.length) break;
    if (!RULE_LINE.test(text.slice(row, end))) {
      for (const column of columns) nameCell(text, out, column === 0 ? row : ends[column - 1] + 1, ends[column]);
    }
    row = end + 1;
  }
  return [row, out.length - before];
}

const CELL_OPEN = /<t[dh](?:\s[^<>]{0,200})?>/gi;
const ROW = /\s*(?:<\/?(?:thead|tbody|tfoot)>\s*)*<tr(?:\s[^<>]{0,200})?>([^]{0,20000}?)<\/tr>/iy;

/**
 * An HTML table whose header cell text[b, e) is a name label (<th>姓名</th>): the cells of its column in the rows below,
 * when each holds one whole name. Returns where the table's rows end and how many names they held.
 */
function namesInHtmlColumns(text: string, out: RawFinding[], b: number, e: number): [end: number, names: number] {
  if (!/^<\/t[dh]>/i.test(text.slice(e, e + 5))) return [e, 0];
  // The header row: its end (without one, no label after this one is in a table either) and its start, in the 1,000
  // characters before the label (so that many labels cost each a bounded look back).
  const rowEnd = firstOf(text, '</tr>', '</TR>', e);
  if (rowEnd < 0) return [text.length, 0];
  const window = text.slice(Math.max(0, b - 1000), b);
  const row = Math.max(window.lastIndexOf('<tr'), window.lastIndexOf('<TR'));
  if (row < 0) return [rowEnd, 0];
  CELL_OPEN.lastIndex = b - window.length + row;
  // The column: how many cells open before the label's.
  let column = -1;
  for (let m = CELL_OPEN.exec(text); m && m.index < b; m = CELL_OPEN.exec(text)) column++;
  if (column < 0) return [e, 0];
  const before = out.length;
  let pos = rowEnd + 5;
  for (let rows = 0; rows < 100_000; rows++) {
    ROW.lastIndex = pos;
    const r = ROW.exec(text);
    if (!r) break;
    const inner = r.index + r[0].length - 5 - r[1].length;
    CELL_OPEN.lastIndex = inner;
    for (let k = 0, m = CELL_OPEN.exec(text); m && m.index < inner + r[1].length; k++, m = CELL_OPEN.exec(text)) {
      if (k < column) continue;
      const start = m.index + m[0].length;
      const end = text.indexOf('<', start);
      if (end > start) nameCell(text, out, start, end);
      break;
    }
    pos = ROW.lastIndex;
  }
  return [pos, out.length - before];
}

/** The first of two spellings of `word` in text from `from`, or -1. */
function firstOf(text: string, word: string, other: string, from: number): number {
  const a = text.indexOf(word, from);
  const b = text.indexOf(other, from);
  return a < 0 ? b : b < 0 ? a : Math.min(a, b);
}

/** A letter, a space or an underscore: what an English header's words are made of. */
function isHeaderWordUnit(c: number): boolean {
  return c === 32 || c === 95 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Whether text[i] ends a cell: a separator, a line break, or beyond the text. */
function cellEdge(text: string, i: number): boolean {
  if (i < 0 || i >= text.length) return true;
  const c = text.charCodeAt(i);
  return c === 10 || c === 13 || TABLE_SEPS.has(c);
}

/** A table cell text[start, end) that holds one whole name. */
function nameCell(text: string, out: RawFinding[], start: number, end: number): void {
  while (start < end && (isSpace(text.charCodeAt(start)) || isQuote(text.charCodeAt(start)))) start++;
  while (end > start && (isSpace(text.charCodeAt(end - 1)) || isQuote(text.charCodeAt(end - 1)))) end--;
  const name = parseNameAt(text, start, false);
  if (name > 0 && fieldEnd(text, start, name) === end && !placeWithSuffixAt(text, start)) push(out, start, end, 0.9, 'names.label');
}

