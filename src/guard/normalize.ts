import { SIMPLIFIED, TRADITIONAL } from './data/traditional.ts';
import { IDEOGRAPHS, RADICALS } from './data/radicals.ts';
import { decodeEscape, decoded } from './escapes.ts';
import { wrappedBreaks } from './wrapped.ts';
import { inlineEmphasis, inlineMarkup } from './markup.ts';
import { paddedNames } from './padded.ts';
import { isAsciiLetter } from './chars.ts';

/**
 * Normalization against evasion, before any detector runs:
 * - every Unicode decimal digit (\p{Nd}: Arabic-Indic, Devanagari, full-width, mathematical …) becomes its
 *   ASCII digit, and so do numbers whose compatibility form is digits (① ⑩ ⑴ ⒈ ² ₃ 🄁) and the dingbat and
 *   double-circled series that Unicode gives no such form (❶ ➀ ➊ ⓵ ⓫ ⓿);
 * - letters whose compatibility form is one ASCII letter (𝐀 𝒂 Ⓐ ª ⁿ), full-width ASCII and the ideographic
 *   space become ASCII;
 * - Cyrillic and Greek look-alikes of Latin letters become Latin inside words written with Latin letters or
 *   digits ("АKIA…", "раssport"), never inside a word of real Cyrillic or Greek;
 * - format characters (\p{Cf}: zero-width, bidi controls, soft hyphen) and variation selectors are dropped everywhere —
 *   but tag characters read as the ASCII they spell (or are dropped: `tags`), and a run of variation selectors that
 *   carries UTF-8 bytes reads as that text (variationRun) — combining marks (\p{M}) after a digit, an ASCII letter or a Han character ("1̲3̲8̲", keycaps
 *   "1️⃣", "机́密"), and Latin letters with diacritics become ASCII letters (Zhāng Wěi → Zhang Wei);
 * - traditional characters become simplified ones (陳 → 陈, 聯絡人 → 联络人; OpenCC's table, src/guard/data/traditional.ts),
 *   so that names, labels and addresses written in Hong Kong, Macau or Taiwan read as the detectors know them;
 * - radicals and strokes become the ideographs they look like (⼤ → 大, ⻓ → 长; the Unicode Character Database's
 *   table, src/guard/data/radicals.ts), as text copied out of a PDF carries them;
 * - the spaces of text copied from a PDF one character at a time are dropped (联 系 人 ： 张 三), and so are the line
 *   breaks of text wrapped at a fixed width inside a name or a number (联系人：张 / 三丰; wrapped.ts), and the inline
 *   tags where a rich-text editor split one (张</span><span>三丰; markup.ts);
 * - Chinese numerals inside long digit runs become digits ("一三八零零一三八零零零");
 * - escaped text reads as what it says, as it comes in pasted logs, URLs, JSON, Python bytes, HTML and mail: \u5f20,
 *   %E5%BC%A0 (and %40, %u5F20, GBK's %D5%C5), \xe5\xbc\xa0, &#24352; &#x5F20;, quoted-printable =E5=BC=A0, a mail
 *   header's =?UTF-8?B?5byg5LiJ?= — each escape is one unit of the normalized text (an encoded word, its whole text)
 *   that maps back to the whole escape.
 * A fold may change the length (⑩ → "10", 𝟏 → "1", dropped characters), so an offset map is kept whenever
 * it does, and offsets found in the normalized text are mapped back with `toOriginal`.
 */
export interface OffsetMap {
  /** starts[i]: index in the original of the character that produced normalized unit i; starts[length] = original length. */
  starts: Int32Array;
  /** ends[i]: index in the original just after that character. */
  ends: Int32Array;
}

export interface Normalized {
  text: string;
  /** Null when every normalized unit is the original unit at the same index. */
  map: OffsetMap | null;
}

const UTF16 = new TextDecoder('utf-16le');

// Digit value + 1 of Chinese numerals used to spell out phone and ID numbers (0 = not a numeral).
const CN_NUMERAL = new Uint8Array(65536);
// 洞 幺 两 拐 勾 are 0 1 2 7 9 as numbers are read aloud over a radio or a phone line (幺三八洞洞…): they count only in a
// run of seven or more numerals (convertRun), which no word of them makes.
for (const [chars, d] of [['〇零○洞', 0], ['一幺壹', 1], ['二贰两', 2], ['三叁', 3], ['四肆', 4], ['五伍', 5], ['六陆', 6],
  ['七柒拐', 7], ['八捌', 8], ['九玖勾', 9]] as const) {
  for (const ch of chars) CN_NUMERAL[ch.charCodeAt(0)] = d + 1;
}

// Class of each code unit in the rewriting loop.
const ORDINARY = 0;
const DIGIT = 1;
const NUMERAL = 2;
/** Space and dash: inside a digit run they neither end it nor count. */
const NEUTRAL = 3;
/** O o l I: digits (0 and 1) inside a run of digits that convertRun rewrites (l38OO138OOO), letters elsewhere. */
const LETTER_DIGIT = 4;
/** Full-width ASCII and the ideographic space: rewritten to ASCII in place. */
const WIDE = 5;
/** Format characters and variation selectors: dropped. */
const INVISIBLE = 6;
/** Replaced by the string in FOLD (digits, ASCII letters, a Chinese numeral). */
const FOLDED = 7;
/** Combining mark: dropped after a digit, kept elsewhere. */
const MARK = 8;
/** Cyrillic or Greek look-alike of a Latin letter: folded inside Latin words. */
const CONFUSABLE = 9;
/** High surrogate: the code point it starts is looked up in ASTRAL. */
const HIGH = 10;
/** \ % & =: may start an escape (decodeEscape). */
const ESCAPE = 11;

const CLASS = new Uint8Array(65536);
const FOLD = new Map<number, string>();
/** Supplementary code points that fold ('' = dropped). */
const ASTRAL = new Map<number, string>();
const LOOKALIKE = new Map<number, number>();

const ND = /\p{Nd}/u;
const CF = /\p{Cf}/u;
const MARKS = /\p{M}/u;
const NUMBER_OR_LETTER = /[\p{N}\p{L}\p{So}]/u;
const HAN = /^\p{Script=Han}$/u;

/**
 * What a number or letter folds to: the digits of its compatibility form with enclosing parentheses and a
 * trailing full stop or comma removed (⑴ → 1, ⒛ → 20, 🄁 → 0), a single ASCII letter, or a Chinese
 * numeral (㈠ → 一); null when it folds to nothing useful (½, №, ℃).
 */
function compatFold(cp: number): string | null {
  const s = String.fromCodePoint(cp);
  if (!NUMBER_OR_LETTER.test(s)) return null;
  const k = s.normalize('NFKC');
  if (k === s) return null;
  const bare = k.replace(/^\((.+)\)$/, '$1').replace(/^(.+)[.,]$/, '$1');
  if (/^[0-9]{1,2}$/.test(bare) || /^[A-Za-z]$/.test(bare)) return bare;
  if (bare.length === 1 && CN_NUMERAL[bare.charCodeAt(0)] !== 0) return bare;
  // An ideograph in a circle, brackets or a square (㊙ → 秘, ㈱ → 株, 🈲 → 禁).
  if ([...bare].length === 1 && HAN.test(bare)) return bare;
  return null;
}

function addFold(cp: number, to: string): void {
  if (cp > 0xffff) ASTRAL.set(cp, to);
  else {
    FOLD.set(cp, to);
    CLASS[cp] = FOLDED;
  }
}

// Decimal digits of every script, by property: a block of \p{Nd} is always 0–9 in order.
function addDecimalDigits(from: number, to: number): void {
  let run = 0;
  for (let cp = from; cp < to; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    if (!ND.test(String.fromCodePoint(cp))) {
      run = 0;
      continue;
    }
    if (cp >= 0x80 && !(cp >= 0xff10 && cp <= 0xff19)) addFold(cp, String(run % 10));
    run++;
  }
}
addDecimalDigits(0, 0x20000);

// Compatibility forms in the blocks that hold them: Latin-1 (ª ¹ ² ³ º), super- and subscripts, letterlike
// symbols and number forms, enclosed alphanumerics, enclosed CJK (㊙ ㈱), mathematical alphanumerics, enclosed
// alphanumeric and ideographic supplements (🈲).
for (const [from, to] of [[0xa0, 0x100], [0x2070, 0x21a0], [0x2460, 0x2500], [0x3190, 0x31a0], [0x3200, 0x3400],
  [0x1d400, 0x1d800], [0x1f100, 0x1f300]]) {
  for (let cp = from; cp < to; cp++) {
    if (FOLD.has(cp) || ASTRAL.has(cp)) continue;
    const f = compatFold(cp);
    if (f !== null) addFold(cp, f);
  }
}

// Traditional characters: their simplified forms (all in the BMP); those in U+4E00–U+9FA5 are marked in CJK_SPECIAL_BITS below.
{
  const simplified = [...SIMPLIFIED];
  [...TRADITIONAL].forEach((ch, i) => addFold(ch.codePointAt(0)!, simplified[i]));
}

// Latin letters with diacritics become their ASCII letter (Zhāng Wěi → Zhang Wei, Lǚ → Lu, José → Jose): names in pinyin
// with tone marks read as the pinyin detector knows them. Letters without a decomposition (ß, æ, ø) stay.
for (let cp = 0xc0; cp < 0x250; cp++) {
  const d = String.fromCharCode(cp).normalize('NFD');
  if (d.length > 1 && /^[A-Za-z]\p{M}+$/u.test(d) && !FOLD.has(cp)) addFold(cp, d[0]);
}

// Radicals and strokes as text copied from a PDF carries them (⼤ → 大, ⻓ → 长): the ideograph, then its simplified
// form if it is a traditional one (⻑ → 長 → 长). All in the BMP, one for one.
{
  const ideographs = [...IDEOGRAPHS];
  [...RADICALS].forEach((ch, i) => addFold(ch.charCodeAt(0), FOLD.get(ideographs[i].charCodeAt(0)) ?? ideographs[i]));
}

// Numbered series Unicode gives no compatibility form: dingbat circled 1–10 (three styles), double circled
// 1–10, negative circled 11–20 and 0.
for (const [first, count, value] of [[0x2776, 10, 1], [0x2780, 10, 1], [0x278a, 10, 1], [0x24f5, 10, 1], [0x24eb, 10, 11],
  [0x24ff, 1, 0], [0x1f10b, 1, 0], [0x1f10c, 1, 0]]) {
  for (let i = 0; i < count; i++) addFold(first + i, String(value + i));
}

// Format characters anywhere (zero-width, bidi, soft hyphen, tags), and variation selectors.
for (let cp = 0xa0; cp < 0x10000; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  const s = String.fromCharCode(cp);
  if (CF.test(s) || (cp >= 0xfe00 && cp <= 0xfe0f)) CLASS[cp] = INVISIBLE;
  else if (CLASS[cp] === ORDINARY && MARKS.test(s)) CLASS[cp] = MARK;
}
// Tag characters are invisible, and spell ASCII to a model that reads them ("ASCII smuggling": a phone number written in
// U+E0031 U+E0033 …): they read as the ASCII they spell. The language tag and the cancel tag are dropped.
for (let cp = 0xe0000; cp < 0xe0080; cp++) ASTRAL.set(cp, cp >= 0xe0020 && cp <= 0xe007e ? String.fromCharCode(cp - 0xe0000) : '');
for (let cp = 0xe0100; cp < 0xe01f0; cp++) ASTRAL.set(cp, '');
ASTRAL.set(0x1bca0, '').set(0x1bca1, '').set(0x1bca2, '').set(0x1bca3, '');

// Cyrillic and Greek letters drawn like Latin ones (upper and lower case as they look).
const LOOKALIKES: Array<[string, string]> = [
  ['АВЕКМНОРСТХЅІЈѴԚԜ', 'ABEKMHOPCTXSIJVQW'],
  ['аеорсухѕіјԁԛԝһӏ', 'aeopcyxsijdqwhl'],
  ['ΑΒΕΖΗΙΚΜΝΟΡΤΥΧϹϜ', 'ABEZHIKMNOPTYXCF'],
  ['οκνρϲϳ', 'okvpcj'],
];
for (const [from, to] of LOOKALIKES) {
  for (let i = 0; i < from.length; i++) {
    LOOKALIKE.set(from.charCodeAt(i), to.charCodeAt(i));
    CLASS[from.charCodeAt(i)] = CONFUSABLE;
  }
}

for (let c = 0; c < 65536; c++) {
  if (c >= 48 && c <= 57) CLASS[c] = DIGIT;
  else if (CN_NUMERAL[c] !== 0) CLASS[c] = NUMERAL;
  else if (c === 32 || c === 45) CLASS[c] = NEUTRAL;
  else if (c === 79 || c === 111 || c === 108 || c === 73) CLASS[c] = LETTER_DIGIT;
  else if ((c >= 0xff01 && c <= 0xff5e) || c === 0x3000) CLASS[c] = WIDE;
  else if (c >= 0xd800 && c <= 0xdbff) CLASS[c] = HIGH;
  else if (c === 92 || c === 37 || c === 38 || c === 61) CLASS[c] = ESCAPE;
}

/**
 * Variation selectors as bytes (VS1–VS16 are 0–15, VS17–VS256 are 16–255): a run of them after one character is
 * invisible, and carries any text, UTF-8 encoded, to a model told how to read it ("emoji smuggling"). A single selector
 * picks a glyph (❤️, an ideograph's variant); a run of MIN_SMUGGLED or more that decodes to UTF-8 is read as that text.
 * Returns the run's length in code units, the whole of which is read at once (a long run that is no text is dropped in
 * one step, not re-read from each of its selectors), and leaves its text in `smuggled` ('' to drop it).
 */
const MIN_SMUGGLED = 4;
let smuggled = '';
const SMUGGLED_UTF8 = new TextDecoder('utf-8', { fatal: true });
function variationRun(text: string, i: number): number {
  const bytes: number[] = [];
  let at = i;
  for (;;) {
    const c = text.charCodeAt(at);
    if (c >= 0xfe00 && c <= 0xfe0f) { bytes.push(c - 0xfe00); at++; continue; }
    const cp = c >= 0xd800 && c <= 0xdbff ? astralAt(text, at) : -1;
    if (cp >= 0xe0100 && cp <= 0xe01ef) { bytes.push(cp - 0xe0100 + 16); at += 2; continue; }
    break;
  }
  smuggled = '';
  if (bytes.length >= MIN_SMUGGLED) {
    try {
      smuggled = SMUGGLED_UTF8.decode(Uint8Array.from(bytes));
    } catch {
      // no text: dropped like any selector
    }
  }
  return at - i;
}

/** What a decoded character folds to, as if it had been written plainly (full-width colons, circled digits, 陳). */
function foldDecoded(cp: number): string {
  if (cp <= 0xffff && CLASS[cp] === WIDE) return String.fromCharCode(cp === 0x3000 ? 32 : cp - 0xfee0);
  if (cp <= 0xffff && CLASS[cp] === FOLDED) return FOLD.get(cp)!;
  return ASTRAL.get(cp) ?? String.fromCodePoint(cp);
}

function foldDecodedText(text: string): string {
  let out = '';
  for (const ch of text) out += foldDecoded(ch.codePointAt(0)!);
  return out;
}

/** Whether a code unit may belong to a word for the look-alike rule (letters, digits, marks of any script). */
function isWordUnit(c: number): boolean {
  if (c < 0x80) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return (c >= 0xc0 && c <= 0x24f) || (c >= 0x370 && c <= 0x52f) || CLASS[c] === CONFUSABLE || (CLASS[c] === FOLDED && c < 0x3400) ||
    CLASS[c] === WIDE || CLASS[c] === INVISIBLE || CLASS[c] === MARK;
}

/**
 * Whether the look-alikes of the word around `i` are folded: when the word also holds an ASCII (or
 * full-width) letter or digit, or consists of look-alikes only. Returns the word's end in `wordEnd`.
 */
let wordEnd = 0;
function foldsWord(text: string, i: number): boolean {
  let s = i;
  while (s > 0 && isWordUnit(text.charCodeAt(s - 1))) s--;
  let e = i;
  while (e < text.length && isWordUnit(text.charCodeAt(e))) e++;
  wordEnd = e;
  let latin = false;
  let foreign = false;
  for (let p = s; p < e; p++) {
    const c = text.charCodeAt(p);
    const k = CLASS[c];
    if (c < 0x80 || k === WIDE || k === FOLDED) latin = true;
    else if (k !== CONFUSABLE && k !== INVISIBLE && k !== MARK) foreign = true;
  }
  return latin || !foreign;
}

/** The digit a letter stands for inside a number (O o → 0, l I → 1), as a character code; 0 for any other. */
function letterDigit(c: number): number {
  return c === 79 || c === 111 ? 48 : c === 108 || c === 73 ? 49 : 0;
}

/**
 * Rewrite buf[from, to) — a run of digits, Chinese numerals, the letters O o l I, spaces and dashes, ended by the
 * character `after` (-1 at the end of the text) — as ASCII digits when it holds at least 7 digit characters:
 * - Chinese numerals, when there is one ("一三八零零一三八零零零", "139 一二三四 五六七八");
 * - the letters, when they stand in for digits (l38OO138OOO, 138 oo13 8ooo): at least 4 real digits in the run, a
 *   real digit in every word of it that holds such a letter, and no other letter just before or after the run
 *   (so that lol, IO and words of English stay as they are).
 */
function convertRun(buf: Uint16Array, from: number, to: number, after: number): boolean {
  // Trim separators at the ends.
  while (from < to && (buf[from] === 32 || buf[from] === 45)) from++;
  while (to > from && (buf[to - 1] === 32 || buf[to - 1] === 45)) to--;
  let digits = 0;
  let numerals = 0;
  let letters = 0;
  let real = 0;
  // Whether every word holding a letter also holds a real digit.
  let wordsOk = true;
  let wordLetter = false;
  let wordReal = false;
  for (let i = from; i <= to; i++) {
    const c = i < to ? buf[i] : 32;
    if (c === 32 || c === 45) {
      if (wordLetter && !wordReal) wordsOk = false;
      wordLetter = wordReal = false;
      continue;
    }
    digits++;
    if (CN_NUMERAL[c] !== 0) numerals++;
    else if (letterDigit(c) !== 0) {
      letters++;
      wordLetter = true;
    } else {
      real++;
      wordReal = true;
    }
  }
  if (digits < 7) return false;
  // The run's neighbours past its separators (gpt-4o-2024-05-13 is a word of letters, o1-2024-12-17 too).
  let before = from - 1;
  while (before >= 0 && (buf[before] === 32 || buf[before] === 45)) before--;
  // An ID card number's check character X may follow its 17 digits.
  const letterAfter = isAsciiLetter(after) && !((after | 32) === 120 && digits === 17);
  const lettersAsDigits = letters > 0 && real >= 4 && wordsOk && !(before >= 0 && isAsciiLetter(buf[before])) && !letterAfter;
  if (numerals === 0 && !lettersAsDigits) return false;
  for (let i = from; i < to; i++) {
    const c = buf[i];
    if (CN_NUMERAL[c] !== 0) buf[i] = 47 + CN_NUMERAL[c];
    else if (lettersAsDigits && letterDigit(c) !== 0) buf[i] = letterDigit(c);
  }
  return true;
}

function astralAt(text: string, i: number): number {
  const lo = text.charCodeAt(i + 1);
  if (lo < 0xdc00 || lo > 0xdfff) return -1;
  return ((text.charCodeAt(i) - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
}

// Chinese numerals and traditional characters among the CJK ideographs U+4E00–U+9FA5, one bit each (2.6 KB, where CLASS
// spends 42 KB on that range): the common characters of Chinese text are classified without touching CLASS.
const CJK_SPECIAL_BITS = new Int32Array((0x9fa5 - 0x4e00 + 32) >> 5);
for (let c = 0x4e00; c <= 0x9fa5; c++) {
  if (CLASS[c] === NUMERAL || CLASS[c] === FOLDED) CJK_SPECIAL_BITS[(c - 0x4e00) >> 5] |= 1 << ((c - 0x4e00) & 31);
}

function classOf(c: number): number {
  if (c >= 0x4e00 && c <= 0x9fa5) {
    const b = c - 0x4e00;
    return (CJK_SPECIAL_BITS[b >> 5] & (1 << (b & 31))) === 0 ? ORDINARY : CLASS[c];
  }
  return CLASS[c];
}

/**
 * Digits and Han characters never carry a combining mark in honest text: one there hides the character. On an ASCII
 * letter it is a diacritic, dropped as the precomposed letters' are (Zha\u0304ng → Zhang).
 */
function carriesNoMark(c: number): boolean {
  return (c >= 48 && c <= 57) || isAsciiLetter(c) || (c >= 0x3400 && c <= 0x9fff);
}

/**
 * Cheap pre-check, no allocation: true when some character may be rewritten or dropped — a fold, an
 * invisible character, a mark after a digit, a look-alike, or a digit run that convertRun would rewrite.
 */
function needsNormalizing(text: string): boolean {
  const n = text.length;
  let runDigits = 0;
  let runNumeral = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const k = c < 0x80 ? CLASS[c] : classOf(c);
    if (k === DIGIT || k === NUMERAL || k === LETTER_DIGIT) {
      runDigits++;
      if (k !== DIGIT) runNumeral = true;
      continue;
    }
    if (k === NEUTRAL && c === 32 && mayBeSpacedRun(text, i)) return true;
    if (k === NEUTRAL && runDigits > 0) continue;
    if (k === WIDE || k === INVISIBLE || k === FOLDED || k === CONFUSABLE) return true;
    if (k === ESCAPE && decodeEscape(text, i) > 0) return true;
    if (k === MARK && i > 0 && carriesNoMark(text.charCodeAt(i - 1))) return true;
    if (k === HIGH && ASTRAL.has(astralAt(text, i))) return true;
    if (runDigits > 0) {
      if (runNumeral && runDigits >= 7) return true;
      runDigits = 0;
      runNumeral = false;
    }
  }
  return runNumeral && runDigits >= 7;
}

/**
 * What may stand between the spaces of text copied from a PDF one character at a time: a Han character or a digit
 * (SPACED_SOLID), or a mark (SPACED_MARK), by code unit.
 */
const SPACED = new Uint8Array(65536);
const SPACED_SOLID = 1;
const SPACED_MARK = 2;
for (let c = 0x3400; c <= 0x9fff; c++) SPACED[c] = SPACED_SOLID;
for (let c = 48; c <= 57; c++) SPACED[c] = SPACED[c + 0xfee0] = SPACED_SOLID;
for (const ch of '：:，,。；;、（）()') SPACED[ch.charCodeAt(0)] = SPACED_MARK;
const isSpacedToken = (c: number): boolean => SPACED[c] !== 0;
const isHan = (c: number): boolean => c >= 0x3400 && c <= 0x9fff;
const isSpace1 = (c: number): boolean => c === 32 || c === 0x3000;

/** Whether text[i] is a space between two characters that a third follows a space later (the cheap test). */
function mayBeSpacedRun(text: string, i: number): boolean {
  return i > 0 && isSpacedToken(text.charCodeAt(i - 1)) && isSpacedToken(text.charCodeAt(i + 1)) && isSpace1(text.charCodeAt(i + 2)) &&
    isSpacedToken(text.charCodeAt(i + 3));
}

/**
 * The spaces to drop in text copied from a PDF with a space after every character (联 系 人 ： 张 三, 申 请 人：王 建 国,
 * 住 址 ： 北 京 市 …): stretches where no two Han characters or digits touch (a space or a mark stands between each two), no
 * two spaces touch, with three spaces and three Han characters at least. A form laid out with spaces between words
 * (姓名 王小二 性别 男) has no such stretch. Null when there is none.
 */
function spacedRuns(text: string): Uint8Array | null {
  let drop: Uint8Array | null = null;
  const spaces: number[] = [];
  let han = 0;
  const flush = (): void => {
    if (spaces.length >= 3 && han >= 3) {
      drop ??= new Uint8Array(text.length);
      for (const p of spaces) drop[p] = 1;
    }
    spaces.length = 0;
    han = 0;
  };
  let prev = 0; // 0: nothing of a stretch, 1: a space, 2: a mark, 3: a Han character or digit
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isSpace1(c)) {
      if (prev === 1 || prev === 0) { flush(); prev = 0; continue; }
      spaces.push(i);
      prev = 1;
    } else if (SPACED[c] === SPACED_MARK) {
      prev = 2;
    } else if (SPACED[c] === SPACED_SOLID) {
      if (prev === 3) flush();
      if (isHan(c)) han++;
      prev = 3;
    } else {
      flush();
      prev = 0;
    }
  }
  flush();
  return drop;
}

let scratch = new Uint16Array(4096);

/** Offset arrays for a text of `n` units, the first `j` normalized units being the original ones. */
function identityMap(n: number, j: number): [Int32Array, Int32Array] {
  const starts = new Int32Array(2 * n + 1);
  const ends = new Int32Array(2 * n + 1);
  for (let q = 0; q < j; q++) {
    starts[q] = q;
    ends[q] = q + 1;
  }
  return [starts, ends];
}

/**
 * Normalize `text` for detection. Returns the same string (and no map) when there is nothing to do.
 * `tags`: tag characters read as the ASCII they spell, as a model reads them ('read', the default), or dropped, as a
 * person sees them ('drop'). The guard reads a text with tags both ways (guard.ts).
 */
export function normalize(text: string, tags: 'read' | 'drop' = 'read'): Normalized {
  // What layout and markup put inside a value, to drop: the line breaks of text wrapped at a fixed width (a PDF's
  // lines), the inline tags or markdown emphasis where an editor split a run between two Han characters or digits, and
  // the space that pads a two-character name to the width of three.
  const dropped = paddedNames(text, inlineEmphasis(text, inlineMarkup(text, wrappedBreaks(text))));
  if (dropped === null && !needsNormalizing(text)) return { text, map: null };
  const n = text.length;
  // The rewrite buffer is reused: decoding copies it into the new string. A fold writes at most two units.
  if (scratch.length < 2 * n) scratch = new Uint16Array(Math.max(2 * n, 2 * scratch.length));
  const buf = scratch;
  let starts: Int32Array | null = null;
  let ends: Int32Array | null = null;
  let changed = false;
  let j = 0;
  // Current run of digit-like characters in buf: start, and whether it holds a Chinese numeral or a letter O o l I.
  let runStart = -1;
  let runHasNumeral = false;
  // The word whose look-alikes were decided last: [.., foldEnd) and the decision.
  let foldEnd = 0;
  let foldWord = false;
  // The spaces of a PDF's one-character-at-a-time text, found when the first space that may start such a stretch is met.
  let spaced: Uint8Array | null | undefined;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (dropped !== null && dropped[i] === 1) {
      if (starts === null) [starts, ends] = identityMap(n, j);
      changed = true;
      continue;
    }
    if (c === 32 || c === 0x3000) {
      if (spaced === undefined && mayBeSpacedRun(text, i)) spaced = spacedRuns(text);
      if (spaced && spaced[i] === 1) {
        if (starts === null) [starts, ends] = identityMap(n, j);
        changed = true;
        continue;
      }
    }
    let k = c < 0x80 ? CLASS[c] : classOf(c);
    // Replacement units for this character and how many original units it spans.
    let rep: string | null = null;
    let span = 1;
    if (k >= WIDE) {
      if (k === WIDE) {
        c = c === 0x3000 ? 32 : c - 0xfee0;
        k = CLASS[c];
        changed = true;
      } else if (k === INVISIBLE && c >= 0xfe00 && c <= 0xfe0f) {
        span = variationRun(text, i);
        rep = smuggled === '' ? '' : foldDecodedText(smuggled);
      } else if (k === INVISIBLE) {
        if (starts === null) [starts, ends] = identityMap(n, j);
        changed = true;
        continue;
      } else if (k === FOLDED) {
        rep = FOLD.get(c)!;
      } else if (k === MARK) {
        if (j > 0 && carriesNoMark(buf[j - 1])) {
          if (starts === null) [starts, ends] = identityMap(n, j);
          changed = true;
          continue;
        }
        k = ORDINARY;
      } else if (k === CONFUSABLE) {
        if (i >= foldEnd) {
          foldWord = foldsWord(text, i);
          foldEnd = wordEnd;
        }
        if (foldWord) {
          c = LOOKALIKE.get(c)!;
          changed = true;
        }
        k = ORDINARY;
      } else if (k === ESCAPE) {
        const length = decodeEscape(text, i);
        if (length === 0) k = ORDINARY;
        else {
          rep = decoded.codePoint >= 0 ? foldDecoded(decoded.codePoint) : foldDecodedText(decoded.text);
          span = length;
        }
      } else {
        // HIGH
        const cp = astralAt(text, i);
        const f = cp < 0 ? undefined : tags === 'drop' && cp >= 0xe0020 && cp <= 0xe007e ? '' : ASTRAL.get(cp);
        if (f === undefined) k = ORDINARY;
        else if (cp >= 0xe0100 && cp <= 0xe01ef) {
          span = variationRun(text, i);
          rep = smuggled === '' ? '' : foldDecodedText(smuggled);
        }
        else {
          rep = f;
          span = 2;
        }
      }
    }
    if (rep !== null) {
      changed = true;
      if (rep.length !== span && starts === null) [starts, ends] = identityMap(n, j);
      for (let r = 0; r < rep.length; r++) {
        const u = rep.charCodeAt(r);
        const uk = CLASS[u];
        if (uk === ORDINARY) {
          if (runStart >= 0) {
            if (runHasNumeral && convertRun(buf, runStart, j, u)) changed = true;
            runStart = -1;
            runHasNumeral = false;
          }
        } else {
          if (runStart < 0) runStart = j;
          if (uk === NUMERAL || uk === LETTER_DIGIT) runHasNumeral = true;
        }
        if (starts !== null) {
          starts[j] = i;
          ends![j] = i + span;
        }
        buf[j++] = u;
      }
      i += span - 1;
      continue;
    }
    if (k === ORDINARY) {
      if (runStart >= 0) {
        if (runHasNumeral && convertRun(buf, runStart, j, c)) changed = true;
        runStart = -1;
        runHasNumeral = false;
      }
    } else if (k !== NEUTRAL) {
      if (runStart < 0) runStart = j;
      if (k === NUMERAL || k === LETTER_DIGIT) runHasNumeral = true;
    }
    if (starts !== null) {
      starts[j] = i;
      ends![j] = i + 1;
    }
    buf[j++] = c;
  }
  if (runStart >= 0 && runHasNumeral && convertRun(buf, runStart, j, -1)) changed = true;
  if (!changed) return { text, map: null };
  const out = UTF16.decode(buf.subarray(0, j));
  if (starts === null) return { text: out, map: null };
  starts[j] = n;
  return { text: out, map: { starts: starts.subarray(0, j + 1), ends: ends!.subarray(0, j) } };
}

/** Map a [start, end) range of the normalized text back to the original. */
export function toOriginal(map: OffsetMap | null, start: number, end: number): [number, number] {
  if (!map) return [start, end];
  const s = map.starts[start];
  return [s, end > start ? map.ends[end - 1] : s];
}

/** Normalize a dictionary term the same way as scanned text (and lower-case ASCII). */
export function normalizeTerm(term: string): string {
  return normalize(term).text.toLowerCase();
}
