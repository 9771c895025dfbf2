/** Character-code tests shared by the tokenizer, the keyword automata and the detectors. */

/** ASCII A–Z to a–z; every other code unit as it is. */
export function asciiLower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** ASCII digits and letters. */
export function isAsciiAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || isAsciiLetter(c);
}

/** A CJK unified ideograph of the basic block (U+4E00–U+9FA5): what names, places and word lists are written in. */
export function isIdeograph(c: number): boolean {
  return c >= 0x4e00 && c <= 0x9fa5;
}

/** JavaScript's `\s`. */
export function isSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f ||
    c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** ASCII A–Z and a–z. */
export function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** A digit, ASCII or full-width. */
export function isWideOrAsciiDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 0xff10 && c <= 0xff19);
}

/** A Han character (U+3400–U+9FFF) or a digit, ASCII or full-width: what a value cut by layout or markup is made of. */
export function isHanOrDigit(c: number): boolean {
  return (c >= 0x3400 && c <= 0x9fff) || isWideOrAsciiDigit(c);
}
