import type { RawFinding } from '../types.ts';
import { isSpace } from '../chars.ts';
import { keyEndingAt, valueAfterKey } from './keys.ts';
import { CUE, KIND, ROLE_KEYS, codeAt, isNameKey, isQuote, push, wholeNameEnd } from './name-shapes.ts';
import { namesInColumns } from './name-tables.ts';

/**
 * Names in structured data as developers and operators paste it: values of keys (JSON, YAML, logs, XML, LDAP), lists,
 * SQL INSERTs, and names written in Chinese after an English word. (Prose, forms and labels: names.ts; tables:
 * name-tables.ts; the shape of a name and which keys hold one: name-shapes.ts.)
 */

/**
 * Whether the run of letters text[start, end) may be such a key: it ends as the name keys do (…name, …xm, lxr, xingming,
 * frdb, cn), or a colon, = or quote follows it (a role key). A cheap first test, before the run is read as a string.
 */
function mayBeKey(text: string, start: number, end: number): boolean {
  if (endsLikeKey(text, start, end)) return true;
  if (end - start < 2 || end - start > 20) return false;
  const c = codeAt(text, end) === 32 ? codeAt(text, end + 1) : codeAt(text, end);
  return (c === 58 || c === 61 || c === 34 || c === 39 || c === 62 || c === 0xff1a) && ROLE_LAST_WORDS.has(lowerHash(text, start, end));
}

/** A hash of text[start, end) in lower case, made without a string (a collision costs one string made). */
function lowerHash(text: string, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + (text.charCodeAt(i) | 32)) | 0;
  return h;
}
/** The hashes of the role keys' last words (the run of letters a key ends with: by for created_by, contact for emergency_contact). */
const ROLE_LAST_WORDS = new Set<number>();
for (const k of 'by person contact holder names'.split(' ').concat([...ROLE_KEYS])) {
  ROLE_LAST_WORDS.add(lowerHash(k, 0, k.length));
  ROLE_LAST_WORDS.add(lowerHash(`${k}s`, 0, k.length + 1));
}

function endsLikeKey(text: string, start: number, end: number): boolean {
  const a = text.charCodeAt(end - 1) | 32;
  const b = end - start >= 2 ? text.charCodeAt(end - 2) | 32 : 0;
  switch (a) {
    case 101 /* e */: return end - start >= 4 && b === 109 && (text.charCodeAt(end - 3) | 32) === 97 && (text.charCodeAt(end - 4) | 32) === 110;
    case 109 /* m */: return b === 120;
    case 114 /* r */: return b === 120 || b === 122 || b === 113 || b === 98;
    case 103 /* g */: return b === 110;
    case 98 /* b */: return b === 100;
    case 110 /* n */: return b === 99 && end - start === 2;
    default: return false;
  }
}

/**
 * Names as values of structured data, read off the runs of ASCII letters: with English or pinyin keys in JSON and dicts
 * ("name": "张三", 'realName': '李四'), YAML, query strings and logs (customer_name=王五&…), XML (<xm>赵六</xm>,
 * name="钱七"), LDAP (cn=孙八,ou=…), the name columns of tables whose header uses such keys, and SQL INSERTs. The value
 * must be one whole name.
 */
export function namesInData(text: string, out: RawFinding[], table: { end: number; names: number }, runs: Int32Array, runCount: number): void {
  let readTo = 0;
  for (let r = 0; r < 2 * runCount; r += 2) {
    const end = runs[r + 1];
    // Keys, INSERT and English words start with a letter: runs of digits (phones, dates, numbers) are most runs.
    if (text.charCodeAt(runs[r]) < 65 || runs[r] < readTo) continue;
    const next = codeAt(text, end);
    if ((next === 32 || next === 46 || next === 44) && end - runs[r] <= 9 && ENGLISH_CUE_FIRST[text.charCodeAt(runs[r]) | 32] === 1 &&
      ENGLISH_CUES.has(lowerHash(text, runs[r], end))) {
      nameAfterEnglishCue(text, out, end);
      continue;
    }
    if (end - runs[r] === 6 && (text.charCodeAt(end - 1) | 32) === 116 /* t */ && text.slice(runs[r], end).toLowerCase() === 'insert') {
      readTo = namesInInsert(text, out, runs[r]);
      continue;
    }
    const found = mayBeKey(text, runs[r], end) ? keyEndingAt(text, runs[r], end) : null;
    if (!found) continue;
    const [start, key] = found;
    const ldap = key.toLowerCase() === 'cn';
    if (!ldap && !isNameKey(key)) continue;
    if (!ldap && start >= table.end) [table.end, table.names] = namesInColumns(text, out, start, key);
    const pos = valueAfterKey(text, start, end, ldap);
    if (pos < 0 || namesInList(text, out, pos, true)) continue;
    const name = wholeNameEnd(text, pos);
    if (name > 0) push(out, pos, name, 0.9, 'names.label');
  }
}

const FLOW_ITEM_END = /[ \t]*["']?[ \t]*(?:,|，|、)[ \t]*["']?[ \t]*/y;
const BLOCK_ITEM = /\r?\n([ \t]*)- +["']?/y;

/**
 * The names of a list that starts at `pos`: a flow list ([张三丰, "李小龙"]), YAML's block list (a line break, then lines of
 * "- 张三丰"), or, with `commas`, a value of names separated by commas or 、 ("张三丰,李小龙"; after a Chinese label the prose
 * rules read such lists). Each item that is one whole name is reported. Returns whether a list was read.
 */
export function namesInList(text: string, out: RawFinding[], pos: number, commas: boolean): boolean {
  let p = pos;
  const flow = codeAt(text, p) === 91 /* [ */;
  if (flow) {
    p++;
    while (isSpace(codeAt(text, p)) || isQuote(codeAt(text, p))) p++;
  } else if (codeAt(text, p) === 45 /* - */ || codeAt(text, p) === 10 || codeAt(text, p) === 13) {
    // YAML's block list: the colon's spaces took the line break; find the first item's line again.
    let q = p;
    while (q > 0 && (text.charCodeAt(q - 1) === 32 || text.charCodeAt(q - 1) === 9)) q--;
    if (codeAt(text, q - 1) === 10) q--;
    BLOCK_ITEM.lastIndex = q;
    if (!BLOCK_ITEM.test(text)) return false;
    let items = 0;
    for (let at = BLOCK_ITEM.lastIndex; items < 100_000; items++) {
      const name = wholeNameEnd(text, at);
      if (name < 0) break;
      push(out, at, name, 0.9, 'names.label');
      BLOCK_ITEM.lastIndex = name;
      // The next item: the rest of this line must be empty or a closing quote.
      let e = name;
      while (isQuote(codeAt(text, e)) || codeAt(text, e) === 32) e++;
      BLOCK_ITEM.lastIndex = e;
      if (!BLOCK_ITEM.test(text)) break;
      at = BLOCK_ITEM.lastIndex;
    }
    return items > 0;
  }
  if (!flow && !commas) return false;
  const found: number[] = [];
  for (let n = 0; n < 100_000; n++) {
    const name = wholeNameEnd(text, p);
    if (name < 0 && !flow) break;
    // In brackets an item that is no name (财务部) is passed over to the next comma; elsewhere it ends the list.
    let end = name;
    if (name < 0) {
      end = p;
      while (end < text.length && end - p < 64 && !',，、]\n'.includes(text[end])) end++;
      while (end > p && (isQuote(text.charCodeAt(end - 1)) || text.charCodeAt(end - 1) === 32)) end--;
    }
    FLOW_ITEM_END.lastIndex = end;
    const more = FLOW_ITEM_END.test(text);
    if (name > 0) found.push(p, name);
    if (!more) break;
    p = FLOW_ITEM_END.lastIndex;
  }
  // Without brackets one name is no list: the caller reads it as a value.
  if (!flow && found.length < 4) return false;
  for (let k = 0; k < found.length; k += 2) push(out, found[k], found[k + 1], 0.9, 'names.label');
  return true;
}

/**
 * English words before a person's name written in Chinese: forms of address and verbs (Please contact 张无忌 at ext 1234,
 * Dear 王建国, Mr. 李明, Hi 孙悦), and a letter's closing (Thanks, 刘洋; Best regards,⏎陈静).
 */
const ENGLISH_CUE_WORDS = 'dear mr mrs ms miss dr prof professor contact attn call ask tell ping meet cc hi hello hey thanks thx regards cheers sincerely'.split(' ');
const ENGLISH_CUES = new Set(ENGLISH_CUE_WORDS.map((w) => lowerHash(w, 0, w.length)));
const AFTER_ENGLISH_CUE = /[.,]?(?: {1,2}|\r?\n)/y;
/** Their first letters, lower case: a cheap first test before a run is hashed. */
const ENGLISH_CUE_FIRST = new Uint8Array(128);
for (const w of ENGLISH_CUE_WORDS) ENGLISH_CUE_FIRST[w.charCodeAt(0)] = 1;

function nameAfterEnglishCue(text: string, out: RawFinding[], at: number): void {
  AFTER_ENGLISH_CUE.lastIndex = at;
  if (!AFTER_ENGLISH_CUE.test(text)) return;
  const pos = AFTER_ENGLISH_CUE.lastIndex;
  const name = wholeNameEnd(text, pos);
  if (name > 0) push(out, pos, name, 0.85, 'names.label');
}

const INSERT = /insert\s+(?:ignore\s+)?into\s+[^\s(;]{1,128}\s*\(([^()]{1,4000})\)\s*values\s*/iy;

/**
 * SQL that inserts rows with a column list (INSERT INTO t (xm, sfzh) VALUES ('张三', '…'), (…)) at `at`: the values of
 * the name columns (keys as above, or Chinese labels such as 姓名) when each is one whole name. Returns where it stopped
 * reading.
 */
function namesInInsert(text: string, out: RawFinding[], at: number): number {
  INSERT.lastIndex = at;
  const head = INSERT.exec(text);
  if (!head) return at;
  const columns: number[] = [];
  head[1].split(',').forEach((c, i) => {
    const column = c.trim().replace(/^[`"'[]|[`"'\]]$/g, '');
    if (isNameKey(column) || (KIND.get(column) ?? 0) & CUE) columns.push(i);
  });
  let pos = INSERT.lastIndex;
  if (columns.length === 0) return pos;
  // Each row: ( value, value, … ), rows separated by commas; a quoted value's start and end by column.
  for (let rows = 0; codeAt(text, pos) === 40 /* ( */ && rows < 100_000; rows++) {
    pos++;
    let column = 0;
    for (;;) {
      while (isSpace(codeAt(text, pos))) pos++;
      const q = codeAt(text, pos);
      if (q === 39 || q === 34) {
        let e = pos + 1;
        while (e < text.length && (text.charCodeAt(e) !== q || text.charCodeAt(e + 1) === q)) e += text.charCodeAt(e) === 92 || text.charCodeAt(e) === q ? 2 : 1;
        if (columns.includes(column)) quotedName(text, out, pos + 1, e);
        pos = e + 1;
      } else {
        while (pos < text.length && !',)\n'.includes(text[pos])) pos++;
      }
      while (isSpace(codeAt(text, pos))) pos++;
      if (codeAt(text, pos) !== 44 /* , */) break;
      pos++;
      column++;
    }
    if (codeAt(text, pos) !== 41 /* ) */) break;
    pos++;
    while (isSpace(codeAt(text, pos))) pos++;
    if (codeAt(text, pos) !== 44) break;
    pos++;
    while (isSpace(codeAt(text, pos))) pos++;
  }
  return pos;
}

/** A quoted value text[start, end) that is one whole name. */
function quotedName(text: string, out: RawFinding[], start: number, end: number): void {
  if (wholeNameEnd(text, start) === end) push(out, start, end, 0.9, 'names.label');
}

