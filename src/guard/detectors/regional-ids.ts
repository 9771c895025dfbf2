import type { FindingType, RawFinding } from '../types.ts';

/**
 * Identity card numbers of Hong Kong, Macao and Taiwan residents, reported as `cn_id_card` (the type of a resident's
 * identity number): a mainland deployment reads them in forms, HR records and bank files of people from there.
 * - Hong Kong (HKID): one or two letters, six digits and a check character (0–9 or A), in brackets as printed on the
 *   card — A123456(3) — or run on (A1234563). The check (mod 11) lets one string in eleven through: the bracketed form
 *   is taken as it is, the run-on form only after a label.
 * - Taiwan (國民身分證 / 居留證): a letter, 1 or 2 (8 or 9 for a residence certificate), eight digits, a check digit
 *   (mod 10): only after a label, since one in ten strings of that shape passes.
 * - Macao (BIR): 1, 5 or 7, six digits and a check digit in brackets — 1234567(8) — after a label (its check digit's
 *   rule is not published).
 * Labels (身份证, 身分證 folded to 身分证, 证件, HKID, ID card…) are looked for in the 24 characters before.
 */
const LABEL = /(?:身[份分]证|证件|证号|居留证|HKID|HKIC|BIR|[Ii][Dd][ .]?(?:[Cc]ard|[Nn]o\.?|[Nn]umber))/;
const HK_BRACKETED = /([A-Z]{1,2})(\d{6})\(([0-9A])\)(?![0-9A-Za-z])/y;
const HK_RUN_ON = /([A-Z]{1,2})(\d{6})([0-9A])(?![0-9A-Za-z])/y;
const TAIWAN = /[A-Z][1289]\d{8}(?![0-9A-Za-z])/y;
const MACAO = /[157]\d{6}\(\d\)(?![0-9A-Za-z])/y;

/** HKID check: the letters (a single one after a space, 36), the digits and the check character weigh 9 … 1, mod 11. */
export function hkidValid(letters: string, digits: string, check: string): boolean {
  const chars = letters.length === 1 ? [36, letters.charCodeAt(0) - 55] : [letters.charCodeAt(0) - 55, letters.charCodeAt(1) - 55];
  let sum = 9 * chars[0] + 8 * chars[1];
  for (let i = 0; i < 6; i++) sum += (7 - i) * (digits.charCodeAt(i) - 48);
  sum += check === 'A' ? 10 : check.charCodeAt(0) - 48;
  return sum % 11 === 0;
}

/** Taiwan's letters stand for two-digit numbers in this order (I, O, W, X, Y, Z were added last). */
const TW_LETTERS = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';

export function taiwanIdValid(id: string): boolean {
  const n = TW_LETTERS.indexOf(id[0]) + 10;
  let sum = Math.floor(n / 10) + 9 * (n % 10);
  for (let i = 1; i < 9; i++) sum += (9 - i) * (id.charCodeAt(i) - 48);
  sum += id.charCodeAt(9) - 48;
  return sum % 10 === 0;
}

function labelled(text: string, at: number): boolean {
  return LABEL.test(text.slice(Math.max(0, at - 24), at));
}

/** `runs`, `nr`: the alphanumeric runs of `text` (tokens.ts); every number here starts one. */
export function detectRegionalIds(text: string, out: RawFinding[], want: ReadonlySet<FindingType>, runs: Int32Array, nr: number): void {
  if (!want.has('cn_id_card')) return;
  const push = (start: number, end: number, score: number): void => {
    out.push({ type: 'cn_id_card', start, end, score, detector: 'regional-ids' });
  };
  for (let r = 0; r < 2 * nr; r += 2) {
    const s = runs[r];
    const len = runs[r + 1] - s;
    if (len < 7 || len > 10 || (s > 0 && text.charCodeAt(s - 1) === 95)) continue;
    const c0 = text.charCodeAt(s);
    if (c0 >= 65 && c0 <= 90) {
      HK_BRACKETED.lastIndex = s;
      let m = len <= 8 ? HK_BRACKETED.exec(text) : null;
      if (m !== null && hkidValid(m[1], m[2], m[3])) {
        push(s, s + m[0].length, 0.95);
        continue;
      }
      HK_RUN_ON.lastIndex = s;
      m = len <= 9 ? HK_RUN_ON.exec(text) : null;
      if (m !== null && m[0].length === len && hkidValid(m[1], m[2], m[3]) && labelled(text, s)) {
        push(s, s + len, 0.9);
        continue;
      }
      TAIWAN.lastIndex = s;
      if (len === 10 && TAIWAN.test(text) && taiwanIdValid(text.slice(s, s + 10)) && labelled(text, s)) push(s, s + 10, 0.9);
    } else if (len === 7) {
      MACAO.lastIndex = s;
      const m = MACAO.exec(text);
      if (m !== null && labelled(text, s)) push(s, s + m[0].length, 0.85);
    }
  }
}
