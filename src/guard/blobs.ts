/**
 * Text hidden in base64, as API payloads, data: URIs, JWT-like tokens and mail bodies carry it
 * (`{"content":"5byg5LiJ55qE5omL5py65Y+3…"}`), or in hex, as databases and scripts print bytes (0xE5BCA0E4B889,
 * \xe5bca0…, e5bca0e4b889): a run of either that decodes to text is read again by the guard,
 * and when that text holds a finding the whole run is one finding of the same type (guard.ts). What does not
 * decode to text (hashes, keys, images, identifiers) is left alone.
 *
 * Compressed payloads in base64 (gzip, `H4sI…`; zlib, `eJ…`), as logs and message queues carry them, are inflated
 * first, each to at most `ratio` bytes per character of its base64 (INFLATE_RATIO at the top, and MAX_DECODED): the
 * work stays proportionate to the text, however many bombs it holds, and no bomb takes another blob's share. A
 * payload that compresses better than that is not read (docs/guard.md). Nested blobs share their parent's allowance
 * (nestedRatio), so that a bomb inside a payload inside a payload cannot multiply it.
 *
 * A blob is a run of the base64 alphabet (standard or URL-safe) with at most two `=` after it, of at least
 * MIN_CHARS characters, with digits and letters in it (every word of English letters and every number is base64
 * too, but decodes to no text), starting at an alphanumeric run of the tokenizer. A run of digits alone is hex when
 * every byte of it is a digit or punctuation of ASCII (`3133383030…`, what HEX() prints for a phone number): a number
 * of 12 digits or more has that shape by chance once in 15,000. Lines of a mail body (76
 * characters each) join into one blob when a full line of base64 is followed by another. Its bytes are UTF-8 text,
 * or else GB18030 text when a `charset=gb2312|gbk|gb18030` stands before it (old Chinese mail); text means no control
 * characters but tab and line breaks.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { HEX } from './escapes.ts';

export interface Blob {
  start: number;
  end: number;
  encoding: 'base64' | 'hex' | 'gzip';
  text: string;
}

/** 8 base64 characters are 6 bytes: two Chinese characters (12 hex digits). */
const MIN_CHARS = 8;
const MIN_BYTES = 6;
/** Decoded bytes allowed per character of a blob at the top: all that its nested blobs decode counts against it. */
export const INFLATE_RATIO = 64;
/** A line of a mail body ends a blob unless it is at least this long (RFC 2045 writes 76) and whole quads. */
const MIN_WRAPPED_LINE = 40;
/** A blob that decodes to more is not read again: the guard's own limits on a string apply to the outer text. */
const MAX_DECODED = 1 << 20;


const UTF8 = new TextDecoder('utf-8');
const GB = new TextDecoder('gb18030', { fatal: true });
const GB_CHARSET = /charset\s*=\s*["']?(?:gb2312|gbk|gb18030)\b/i;

/** Characters a text may not hold: C0 controls but tab, LF and CR; DEL and the C1 controls. */
function isText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || (c >= 0x7f && c < 0xa0) || c === 0xfffd) return false;
  }
  return true;
}

/** The 6-bit value of each base64 character (standard and URL-safe alphabets), or -1. */
const BASE64 = new Int8Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((ch, v) => { BASE64[ch.charCodeAt(0)] = v; });
BASE64[45] = 62; // -
BASE64[95] = 63; // _

const isB64 = (c: number): boolean => c < 128 && BASE64[c] >= 0;

/**
 * Whether text[start, end), `width` bits a character by `values` (BASE64 or HEX), decodes to UTF-8 text (as isText):
 * decoded and checked byte by byte, stopping at the first byte that cannot be text — most blobs are not text, and
 * they fail within a few bytes, before anything is allocated.
 */
function isUtf8TextBlob(text: string, start: number, end: number, values: Int8Array, width: number): boolean {
  let bits = 0;
  let nbits = 0;
  let need = 0; // continuation bytes still expected
  let lo = 0x80;
  let hi = 0xbf;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? values[c] : -1;
    if (v < 0) continue; // line breaks and padding
    bits = ((bits << width) | v) & 0xffffff;
    nbits += width;
    if (nbits < 8) continue;
    nbits -= 8;
    const b = (bits >> nbits) & 0xff;
    if (need > 0) {
      if (b < lo || b > hi) return false;
      lo = 0x80;
      hi = 0xbf;
      need--;
    } else if (b < 0x80) {
      if ((b < 32 && b !== 9 && b !== 10 && b !== 13) || b === 0x7f) return false;
    } else {
      // The second byte's range rules out overlong forms, surrogates, what lies beyond U+10FFFF and the C1 controls.
      if (b >= 0xc2 && b <= 0xdf) { need = 1; lo = b === 0xc2 ? 0xa0 : 0x80; }
      else if (b >= 0xe0 && b <= 0xef) { need = 2; lo = b === 0xe0 ? 0xa0 : 0x80; hi = b === 0xed ? 0x9f : 0xbf; }
      else if (b >= 0xf0 && b <= 0xf4) { need = 3; lo = b === 0xf0 ? 0x90 : 0x80; hi = b === 0xf4 ? 0x8f : 0xbf; }
      else return false;
    }
  }
  return need === 0;
}

/** What blobEnd found besides the end: the blob's base64 characters, and which kinds it holds (1 letters, 2 digits). */
let blobChars = 0;
let blobKinds = 0;

/** Whether text[start, end) is digits two a byte, each byte ASCII punctuation or a digit (0x20–0x39): hex of a number. */
function isDigitHex(text: string, start: number, end: number): boolean {
  if (((end - start) & 1) !== 0) return false;
  for (let i = start; i < end; i += 2) {
    const hi = text.charCodeAt(i);
    const lo = text.charCodeAt(i + 1);
    if ((hi !== 50 && hi !== 51) || lo < 48 || lo > 57) return false;
  }
  return true;
}

/** Where the blob starting at `start` ends (after its `=` padding); blobChars and blobKinds describe it. */
function blobEnd(text: string, start: number): number {
  let i = start;
  let kinds = 0;
  let chars = 0;
  let lineStart = start;
  for (;;) {
    for (let c = text.charCodeAt(i); isB64(c); c = text.charCodeAt(++i)) kinds |= c >= 48 && c <= 57 ? 2 : 1;
    chars += i - lineStart;
    // A wrapped body: a long line of whole quads, a line break, more base64.
    const line = i - lineStart;
    const brk = text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10 ? 2 : text.charCodeAt(i) === 10 ? 1 : 0;
    if (brk > 0 && line >= MIN_WRAPPED_LINE && line % 4 === 0 && isB64(text.charCodeAt(i + brk))) {
      i += brk;
      lineStart = i;
      continue;
    }
    break;
  }
  let pad = 0;
  while (pad < 2 && text.charCodeAt(i) === 61 /* = */) {
    i++;
    pad++;
  }
  blobChars = chars;
  blobKinds = kinds;
  return i;
}

/** Where the hex digits of the blob text[start, end) start (after 0x or \\x), or -1 when it is not all hex. */
function hexFrom(text: string, start: number, end: number): number {
  let i = start;
  if ((text.charCodeAt(i + 1) | 32) === 120 && text.charCodeAt(i) === 48) i += 2; // 0x
  else if ((text.charCodeAt(i) | 32) === 120 && text.charCodeAt(i - 1) === 92) i += 1; // \x (PostgreSQL's bytea)
  for (let k = i; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c >= 128 || HEX[c] < 0) return -1;
  }
  return i;
}

/** The text whose GB charset declaration was looked for last (findBlobs clears it), and where it stands (-1: none). */
let gbText: string | null = null;
let gbAt = -1;

/** Whether the text declares a GB charset before `at`: looked for once per text, when a blob is not UTF-8. */
function gbDeclaredBefore(text: string, at: number): boolean {
  if (gbText !== text) {
    gbText = text;
    gbAt = text.search(GB_CHARSET);
  }
  return gbAt >= 0 && gbAt < at;
}

/**
 * The blob text[start, end) with its text, or null: hex digits two a byte (a database's HEX(), Python's .hex()) when
 * the blob is all hex, base64 otherwise; UTF-8, or GB18030 where the text declares a GB charset before the blob.
 */
function decodeBlob(text: string, start: number, end: number, chars: number, ratio: number): Blob | null {
  const hex = hexFrom(text, start, end);
  const from = hex >= 0 ? hex : start;
  // Two hex digits a byte, six bytes at least (two Chinese characters); base64 has no quad of one character.
  if (hex >= 0 ? ((end - hex) & 1) !== 0 || end - hex < 2 * MIN_BYTES : chars % 4 === 1) return null;
  const encoding = hex >= 0 ? 'hex' : 'base64';
  let decoded: string | null = null;
  const max = Math.min(MAX_DECODED, Math.floor(ratio * (end - from)));
  if (hex < 0 && (text.startsWith('H4sI', from) || text.startsWith('eJ', from) || text.startsWith('eN', from))) {
    const inflated = inflate(Buffer.from(text.slice(from, end), 'base64'), max);
    return inflated === null ? null : { start, end, encoding: 'gzip', text: inflated };
  }
  if (isUtf8TextBlob(text, from, end, hex >= 0 ? HEX : BASE64, hex >= 0 ? 4 : 6)) {
    const bytes = Buffer.from(text.slice(from, end), encoding);
    if (bytes.length >= 2 && bytes.length <= max) decoded = UTF8.decode(bytes);
  } else if (gbDeclaredBefore(text, start)) {
    const bytes = Buffer.from(text.slice(from, end), encoding);
    try {
      const gb = bytes.length >= 2 && bytes.length <= max ? GB.decode(bytes) : '';
      if (isText(gb) && gb !== '') decoded = gb;
    } catch {
      // not GB18030
    }
  }
  // PostgreSQL's \x prefix is part of the blob.
  return decoded === null ? null : { start: hex === start + 1 ? start - 1 : start, end, encoding, text: decoded };
}

/**
 * The allowance per character of a blob's decoded text for the blobs inside it: what is left of the blob's own
 * allowance once its text is decoded, spread over that text. What a blob and everything nested in it decode stays
 * within `ratio` times the blob, however deep (a stream that inflated 50-fold leaves its inner blobs 0.28 a character,
 * which base64 of plain text, 0.75 a character, does not fit).
 */
export function nestedRatio(blob: Blob, ratio: number): number {
  const decoded = blob.text.length;
  return Math.max(0, (ratio * (blob.end - blob.start) - decoded) / decoded);
}

/** The text a gzip or zlib stream holds, when it inflates to at most `max` bytes of text; otherwise null. */
function inflate(bytes: Buffer, max: number): string | null {
  let out: Buffer;
  try {
    out = bytes[0] === 0x1f ? gunzipSync(bytes, { maxOutputLength: max }) : inflateSync(bytes, { maxOutputLength: max });
  } catch {
    return null; // no stream (a word that starts with eJ), cut short, or more than allowed
  }
  if (out.length < 2) return null;
  const text = UTF8.decode(out);
  return isText(text) ? text : null;
}

/**
 * The blobs of `text` that decode to text. `runs` holds the tokenizer's alphanumeric runs as [start, end] pairs
 * (tokens.ts); a blob starts at one of them and swallows the runs it spans. A blob decodes to at most `ratio` bytes
 * per character of it.
 */
export function findBlobs(text: string, runs: Int32Array, runCount: number, ratio = INFLATE_RATIO): readonly Blob[] {
  let out: Blob[] | null = null;
  let done = 0;
  for (let r = 0; r < runCount; r++) {
    const start = runs[2 * r];
    const runEnd = runs[2 * r + 1];
    if (start < done) continue;
    // Most runs are words and numbers too short to be a blob, with nothing of the alphabet after them.
    if (runEnd - start < MIN_CHARS && !isB64(text.charCodeAt(runEnd))) continue;
    // A blob never starts inside a word of its alphabet (`-` and `_` join runs that are one token).
    if (start > 0 && isB64(text.charCodeAt(start - 1))) continue;
    const end = blobEnd(text, start);
    done = end;
    if (blobChars < MIN_CHARS || (blobKinds !== 3 && !(blobKinds === 2 && isDigitHex(text, start, end)))) continue;
    const blob = decodeBlob(text, start, end, blobChars, ratio);
    if (blob !== null) (out ??= []).push(blob);
  }
  gbText = null;
  return out ?? NONE;
}

const NONE: readonly Blob[] = Object.freeze([]);
