/**
 * Keys of structured data as developers and operators paste it — JSON and dicts, YAML, `key=value` in logs and query
 * strings, XML tags and attributes, PHP arrays — read off the tokenizer's runs of ASCII letters and digits, so that no
 * detector scans the text for them again.
 */
import { isAsciiAlnum } from '../chars.ts';

function isKeyUnit(c: number): boolean {
  return isAsciiAlnum(c) || c === 95 /* _ */ || c === 45 /* - */;
}

/**
 * The whole key that the run text[runStart, runEnd) ends (`real_name` for the run `name`), as [start, key], or null when
 * the key goes on after the run (`name_en`).
 */
export function keyEndingAt(text: string, runStart: number, runEnd: number): [start: number, key: string] | null {
  const next = runEnd < text.length ? text.charCodeAt(runEnd) : 0;
  if (next === 95 /* _ */ || next === 45 /* - */) return null;
  let start = runStart;
  while (start > 0 && isKeyUnit(text.charCodeAt(start - 1))) start--;
  return [start, text.slice(start, runEnd)];
}

/** Between a key and its value: a JSON, YAML or dict colon, =, PHP's =>, or an XML tag's end; an opening quote. */
const KEY_SEP = /(?:["']?\s*(=>|[:=])\s*|(>))["']?/y;

/**
 * Where the value of the key text[start, end) begins, or -1 when no value follows it. `equalsOnly`: the key takes a
 * value only after `=` (LDAP's cn=张三). An XML tag's value (<xm>王五</xm>) needs the tag's `<` before the key.
 */
export function valueAfterKey(text: string, start: number, end: number, equalsOnly = false): number {
  KEY_SEP.lastIndex = end;
  const sep = KEY_SEP.exec(text);
  if (!sep || (equalsOnly && sep[1] !== '=')) return -1;
  if (sep[2] !== undefined && (start === 0 || text.charCodeAt(start - 1) !== 60 /* < */)) return -1;
  return KEY_SEP.lastIndex;
}
