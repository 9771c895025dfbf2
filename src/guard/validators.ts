/** Check-digit and format validators. Pure functions over ASCII strings. */

// GB/T 2260 province-level codes (first two digits of an ID number); 81/82/83 are HK/Macao/Taiwan residence permits.
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
  61, 62, 63, 64, 65, 71, 81, 82, 83,
]);

export function isKnownRegion(code6: string): boolean {
  return PROVINCES.has((code6.charCodeAt(0) - 48) * 10 + (code6.charCodeAt(1) - 48));
}

function isValidDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

function num(s: string, from: number, len: number): number {
  let v = 0;
  for (let i = from; i < from + len; i++) v = v * 10 + (s.charCodeAt(i) - 48);
  return v;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643 check character for the first 17 digits. */
export function idCardCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

/** 18-character resident ID: known region, valid birth date (1900–2030), GB 11643 check character. */
export function isValidIdCard18(s: string): boolean {
  if (s.length !== 18 || !/^\d{17}[\dXx]$/.test(s)) return false;
  if (!isKnownRegion(s)) return false;
  const y = num(s, 6, 4);
  if (y < 1900 || y > 2030 || !isValidDate(y, num(s, 10, 2), num(s, 12, 2))) return false;
  // The check character is a digit or "X"; an "x" counts as "X".
  return idCardCheckChar(s) === s[17].toUpperCase();
}

/** Legacy 15-digit ID (issued before 1999): known region and valid YYMMDD birth date in the 1900s. */
export function isValidIdCard15(s: string): boolean {
  if (s.length !== 15 || !/^\d{15}$/.test(s)) return false;
  if (!isKnownRegion(s)) return false;
  return isValidDate(1900 + num(s, 6, 2), num(s, 8, 2), num(s, 10, 2));
}

/** Luhn (mod 10) check. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

/** Known issuer ranges and their lengths; UnionPay 62… cards run 16–19 digits. */
export function knownBin(d: string): boolean {
  const n = d.length;
  const p2 = num(d, 0, 2);
  if (p2 === 62) return n >= 16 && n <= 19;
  if (d[0] === '4') return n === 13 || n === 16 || n === 19;
  if (p2 >= 51 && p2 <= 55) return n === 16;
  const p4 = num(d, 0, 4);
  if (p4 >= 2221 && p4 <= 2720) return n === 16;
  if (p2 === 34 || p2 === 37) return n === 15;
  if (p2 === 35 || p2 === 60 || p2 === 65 || p2 === 64) return n === 16 || n === 19;
  if (p4 === 9558 || p4 === 9559) return n === 19;
  return false;
}

const MOBILE_OK = (() => {
  const ok = new Uint8Array(100);
  for (let i = 30; i <= 39; i++) ok[i] = 1;
  for (const i of [45, 46, 47, 48, 49]) ok[i] = 1;
  for (const i of [50, 51, 52, 53, 55, 56, 57, 58, 59]) ok[i] = 1;
  for (const i of [62, 65, 66, 67]) ok[i] = 1;
  for (const i of [70, 71, 72, 73, 75, 76, 77, 78]) ok[i] = 1;
  for (let i = 80; i <= 89; i++) ok[i] = 1;
  for (const i of [90, 91, 92, 93, 95, 96, 97, 98, 99]) ok[i] = 1;
  return ok;
})();

/** 11-digit mainland mobile number in an allocated range (13x, 14[5-9], 15x, 16[2567], 17x, 18x, 19x). */
export function isCnMobile(d: string): boolean {
  return d.length === 11 && d.charCodeAt(0) === 49 && MOBILE_OK[num(d, 1, 2)] === 1;
}

/**
 * Landline: area code (010, 02x, or 0 + [3-9] + two digits) then a 7–8 digit subscriber number not
 * starting with 0 or 1. Returns the area-code length, or 0.
 */
export function cnLandlineAreaLength(d: string): number {
  if (d.charCodeAt(0) !== 48) return 0;
  const c1 = d.charCodeAt(1) - 48;
  let area: number;
  if (c1 === 1) {
    if (d[2] !== '0') return 0;
    area = 3;
  } else if (c1 === 2) area = 3;
  else if (c1 >= 3) area = 4;
  else return 0;
  const sub = d.length - area;
  if (sub < 7 || sub > 8) return 0;
  const s0 = d.charCodeAt(area) - 48;
  if (s0 < 2) return 0;
  // 4-digit area codes take 7 or 8 digits; 3-digit codes (big cities) take 8.
  if (area === 3 && sub !== 8) return 0;
  return area;
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** GB 32100 unified social credit code: 18 characters with a mod-31 check character. */
// Value + 1 of each USCC character by code unit (0 = not a USCC character).
const USCC_VALUE = new Uint8Array(128);
for (let i = 0; i < USCC_CHARS.length; i++) USCC_VALUE[USCC_CHARS.charCodeAt(i)] = i + 1;

export function isValidUscc(s: string): boolean {
  if (s.length !== 18) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? USCC_VALUE[c] - 1 : -1;
    if (v < 0) return false;
    sum += v * USCC_WEIGHTS[i];
  }
  const check = (31 - (sum % 31)) % 31;
  return USCC_CHARS.charCodeAt(check) === s.charCodeAt(17);
}

export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(first17[i]) * USCC_WEIGHTS[i];
  return USCC_CHARS[(31 - (sum % 31)) % 31];
}

const ENTROPY_COUNTS = new Uint32Array(65536);

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  // Same sum as over a Map of counts (in first-seen order); a typed array avoids the Map for ASCII text.
  const counts = s.length <= 65535 ? ENTROPY_COUNTS : new Uint32Array(65536);
  const order: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (counts[c]++ === 0) order.push(c);
  }
  let h = 0;
  for (const c of order) {
    const p = counts[c] / s.length;
    h -= p * Math.log2(p);
    counts[c] = 0;
  }
  return h;
}

export function isValidIPv4Parts(parts: readonly string[]): boolean {
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (p.length === 0 || p.length > 3) return false;
    if (p.length > 1 && p[0] === '0') return false;
    if (Number(p) > 255) return false;
  }
  return true;
}

/** RFC 4291 textual IPv6 (with at most one "::" and an optional trailing IPv4). */
export function isValidIPv6(s: string): boolean {
  const dbl = s.indexOf('::');
  if (dbl !== s.lastIndexOf('::')) return false;
  let groups = 0;
  const parts = s.split(':');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p === '') continue;
    if (i === parts.length - 1 && p.includes('.')) {
      if (!isValidIPv4Parts(p.split('.'))) return false;
      groups += 2;
      continue;
    }
    if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return false;
    groups++;
  }
  // Empty parts are only allowed as part of "::".
  if (dbl < 0) return groups === 8 && parts.every((p) => p !== '');
  const left = s.slice(0, dbl);
  const right = s.slice(dbl + 2);
  if ((left && left.split(':').some((p) => p === '')) || (right && right.split(':').some((p) => p === ''))) return false;
  return groups < 8;
}
