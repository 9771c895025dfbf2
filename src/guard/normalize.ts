/**
 * Normalization against evasion. Length-preserving steps (full-width ASCII, Chinese numerals in digit runs)
 * rewrite characters in place; removing invisible characters shortens the text, and only then is an index
 * map built. Offsets found in the normalized text are mapped back with `toOriginal`.
 */
export interface Normalized {
  text: string;
  /** map[i] = index in the original of normalized char i; map[text.length] = original length. Null when lengths agree. */
  map: Int32Array | null;
}

const UTF16 = new TextDecoder('utf-16le');

// Digit value + 1 of Chinese numerals used to spell out phone and ID numbers (0 = not a numeral).
const CN_NUMERAL = new Uint8Array(65536);
for (const [chars, d] of [['〇零○', 0], ['一幺壹', 1], ['二贰', 2], ['三叁', 3], ['四肆', 4], ['五伍', 5], ['六陆', 6],
  ['七柒', 7], ['八捌', 8], ['九玖', 9]] as const) {
  for (const ch of chars) CN_NUMERAL[ch.charCodeAt(0)] = d + 1;
}

function isInvisible(c: number): boolean {
  return (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x2064) ||
    (c >= 0x2066 && c <= 0x2069) || c === 0xfeff || c === 0xad || c === 0x180e;
}

/**
 * Rewrite buf[from, to) — a run of digits, numerals, spaces and dashes — as ASCII digits when it holds at
 * least 7 digit characters and at least one Chinese numeral ("一三八零零一三八零零零", "139 一二三四 五六七八").
 */
function convertRun(buf: Uint16Array, from: number, to: number): boolean {
  // Trim separators at the ends.
  while (from < to && (buf[from] === 32 || buf[from] === 45)) from++;
  while (to > from && (buf[to - 1] === 32 || buf[to - 1] === 45)) to--;
  let digits = 0;
  let numerals = 0;
  for (let i = from; i < to; i++) {
    const c = buf[i];
    if (c === 32 || c === 45) continue;
    digits++;
    if (CN_NUMERAL[c] !== 0) numerals++;
  }
  if (digits < 7 || numerals === 0) return false;
  for (let i = from; i < to; i++) if (CN_NUMERAL[buf[i]] !== 0) buf[i] = 47 + CN_NUMERAL[buf[i]];
  return true;
}

/**
 * Cheap pre-check, no allocation: true when some character would be rewritten or dropped — full-width
 * ASCII, ideographic space, invisible characters, or a digit run that convertRun would rewrite.
 */
function needsNormalizing(text: string): boolean {
  const n = text.length;
  let runDigits = 0;
  let runNumeral = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xad) {
      if (c >= 48 && c <= 57) runDigits++;
      else if (runDigits > 0 && c !== 32 && c !== 45) {
        if (runNumeral && runDigits >= 7) return true;
        runDigits = 0;
        runNumeral = false;
      }
      continue;
    }
    if ((c >= 0xff01 && c <= 0xff5e) || c === 0x3000 || isInvisible(c)) return true;
    if (CN_NUMERAL[c] !== 0) {
      runDigits++;
      runNumeral = true;
    } else if (runDigits > 0) {
      if (runNumeral && runDigits >= 7) return true;
      runDigits = 0;
      runNumeral = false;
    }
  }
  return runNumeral && runDigits >= 7;
}

// Class of each code unit in the rewriting loop.
const ORDINARY = 0;
const DIGIT = 1;
const NUMERAL = 2;
/** Space and dash: inside a digit run they neither end it nor count. */
const NEUTRAL = 3;
/** Full-width ASCII and the ideographic space: rewritten to ASCII. */
const WIDE = 4;
const INVISIBLE = 5;
const CLASS = new Uint8Array(65536);
for (let c = 0; c < 65536; c++) {
  if (c >= 48 && c <= 57) CLASS[c] = DIGIT;
  else if (CN_NUMERAL[c] !== 0) CLASS[c] = NUMERAL;
  else if (c === 32 || c === 45) CLASS[c] = NEUTRAL;
  else if ((c >= 0xff01 && c <= 0xff5e) || c === 0x3000) CLASS[c] = WIDE;
  else if (c >= 0xad && isInvisible(c)) CLASS[c] = INVISIBLE;
}

let scratch = new Uint16Array(4096);

// Chinese numerals among the CJK ideographs U+4E00–U+9FA5, one bit each (2.6 KB, where CLASS spends 42 KB
// on that range): the common characters of Chinese text are classified without touching CLASS.
const CJK_NUMERAL_BITS = new Int32Array((0x9fa5 - 0x4e00 + 32) >> 5);
for (let c = 0x4e00; c <= 0x9fa5; c++) if (CLASS[c] === NUMERAL) CJK_NUMERAL_BITS[(c - 0x4e00) >> 5] |= 1 << ((c - 0x4e00) & 31);

function classOf(c: number): number {
  if (c >= 0x4e00 && c <= 0x9fa5) {
    const b = c - 0x4e00;
    return (CJK_NUMERAL_BITS[b >> 5] & (1 << (b & 31))) === 0 ? ORDINARY : NUMERAL;
  }
  return CLASS[c];
}

/** Normalize `text` for detection. Returns the same string (and no map) when there is nothing to do. */
export function normalize(text: string): Normalized {
  if (!needsNormalizing(text)) return { text, map: null };
  const n = text.length;
  // The rewrite buffer is reused: decoding copies it into the new string.
  if (scratch.length < n) scratch = new Uint16Array(Math.max(n, 2 * scratch.length));
  const buf = scratch;
  let map: Int32Array | null = null;
  let changed = false;
  let j = 0;
  // Current run of digit-like characters in buf: start, and whether it holds a Chinese numeral.
  let runStart = -1;
  let runHasNumeral = false;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    let k = classOf(c);
    if (k >= WIDE) {
      if (k === WIDE) {
        c = c === 0x3000 ? 32 : c - 0xfee0;
        k = CLASS[c];
        changed = true;
      } else {
        if (map === null) {
          map = new Int32Array(n + 1);
          for (let q = 0; q < j; q++) map[q] = q;
        }
        changed = true;
        continue;
      }
    }
    if (k === ORDINARY) {
      if (runStart >= 0) {
        if (runHasNumeral && convertRun(buf, runStart, j)) changed = true;
        runStart = -1;
        runHasNumeral = false;
      }
    } else if (k !== NEUTRAL) {
      if (runStart < 0) runStart = j;
      if (k === NUMERAL) runHasNumeral = true;
    }
    if (map !== null) map[j] = i;
    buf[j++] = c;
  }
  if (runStart >= 0 && runHasNumeral && convertRun(buf, runStart, j)) changed = true;
  if (!changed) return { text, map: null };
  const out = UTF16.decode(buf.subarray(0, j));
  if (map === null) return { text: out, map: null };
  map[j] = n;
  return { text: out, map: map.subarray(0, j + 1) };
}

/** Map a [start, end) range of the normalized text back to the original. */
export function toOriginal(map: Int32Array | null, start: number, end: number): [number, number] {
  if (!map) return [start, end];
  return [map[start], end > start ? map[end - 1] + 1 : map[start]];
}

/** Normalize a dictionary term the same way as scanned text (and lower-case ASCII). */
export function normalizeTerm(term: string): string {
  return normalize(term).text.toLowerCase();
}
