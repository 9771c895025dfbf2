import type { FindingType, RawFinding } from '../types.ts';
import { isValidIdCard18, isValidIPv6, isValidUscc } from '../validators.ts';
import { isAsciiAlnum } from '../chars.ts';

/** Alphanumeric codes: USCC, e-mail, IPv6, passports, travel permits, licence plates. */

const USCC = /[1-9ANY][1-9]\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])/y;

const USCC_CUE = /(?:信用代码|社会信用|税号|纳税人识别号|识别号|注册号|USCC|uscc|credit code)/;

function detectUscc(text: string, out: RawFinding[], runs: Int32Array, nr: number): void {
  for (let r = 0; r < 2 * nr; r += 2) {
    if (runs[r + 1] - runs[r] !== 18) continue;
    USCC.lastIndex = runs[r];
    const m = USCC.exec(text);
    if (m === null) continue;
    const s = m[0];
    if (!isValidUscc(s)) continue;
    // An all-digit code passes the mod-31 check by chance one time in 31: demand a label, and never take
    // a valid ID number.
    if (/^\d{17}[\dX]$/.test(s)) {
      if (isValidIdCard18(s)) continue;
      if (!USCC_CUE.test(text.slice(Math.max(0, m.index - 24), m.index))) continue;
    }
    out.push({ type: 'cn_uscc', start: m.index, end: m.index + s.length, score: 0.97, detector: 'codes' });
  }
}


/** IPv6 needs "::" or seven colons close together; check that before running the pattern. */
const recentColons = new Int32Array(8);

function mayHoldIPv6(text: string): boolean {
  if (text.includes('::')) return true;
  // recentColons is a ring of the last 7 colon positions; k counts colons seen.
  let k = 0;
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) {
    recentColons[k % 7] = i;
    k++;
    if (k >= 7 && i - recentColons[(k - 7) % 7] < 40) return true;
  }
  return false;
}

function isLocalChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 95 || c === 37 ||
    c === 43 || c === 45;
}
function isDomainChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 45;
}

function detectEmail(text: string, out: RawFinding[]): void {
  let at = text.indexOf('@');
  while (at >= 0) {
    let s = at;
    while (s > 0 && isLocalChar(text.charCodeAt(s - 1))) s--;
    while (s < at && (text.charCodeAt(s) === 46 || text.charCodeAt(s) === 45)) s++;
    let e = at + 1;
    while (e < text.length && isDomainChar(text.charCodeAt(e))) e++;
    while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--;
    const domain = text.slice(at + 1, e);
    const dot = domain.lastIndexOf('.');
    const tld = dot >= 0 ? domain.slice(dot + 1) : '';
    // A "user:pass@host" connection string is a secret, not an address.
    const prev = s > 0 ? text.charCodeAt(s - 1) : 32;
    const inUrl = (prev === 58 || prev === 47) && /:\/\/\S*$/.test(text.slice(Math.max(0, s - 64), s));
    if (s < at && dot > 0 && /^[A-Za-z]{2,24}$/.test(tld) && !inUrl && !domain.includes('..')) {
      out.push({ type: 'email', start: s, end: e, score: 0.97, detector: 'codes' });
    }
    at = text.indexOf('@', Math.max(e, at + 1));
  }
}

/**
 * An e-mail address written so that harvesters miss it, and so that a filter would: `zhang.wei(at)example.com`,
 * `zhangwei#example.com`, `zhangwei艾特qq点com`, `zhangwei at example dot com`. The domain must end in a common top-level
 * domain; `at` as a word needs `dot` spelled out too (prose says `find us at example.com`).
 */
const AT_MARK = '(?:\\s*[(\\[{<【]\\s*(?:at|AT)\\s*[)\\]}>】]\\s*|#|\\s*艾特\\s*)';
const DOT_SPELLED = '(?:\\s*[(\\[{<【]\\s*(?:dot|DOT)\\s*[)\\]}>】]\\s*|\\s+(?:dot|DOT)\\s+|\\s*点\\s*)';
const DOT = `(?:${DOT_SPELLED}|\\.)`;
const TLD = '(?:com|cn|net|org|edu|gov|io|info|biz|me|co|cc|top|xyz|hk|tw|mo|us|uk|jp)(?![A-Za-z0-9])';
const LOCAL = '(?<![\\w.+-])[A-Za-z0-9][\\w.+-]{0,63}';
const LABEL = '[A-Za-z0-9-]{1,63}';
const OBFUSCATED_EMAIL = new RegExp(
  `${LOCAL}${AT_MARK}${LABEL}(?:${DOT}${LABEL}){0,3}?${DOT}${TLD}` +
  `|${LOCAL}\\s+(?:at|AT)\\s+${LABEL}(?:${DOT_SPELLED}${LABEL}){0,3}?${DOT_SPELLED}${TLD}`, 'g');
const OBFUSCATION_HINT = /\b(?:at|AT)\b|#|艾特/;

function detectObfuscatedEmail(text: string, out: RawFinding[]): void {
  if (!OBFUSCATION_HINT.test(text)) return;
  OBFUSCATED_EMAIL.lastIndex = 0;
  for (let m = OBFUSCATED_EMAIL.exec(text); m !== null; m = OBFUSCATED_EMAIL.exec(text)) {
    // A plain address is the detector above's.
    if (!m[0].includes('@')) out.push({ type: 'email', start: m.index, end: m.index + m[0].length, score: 0.85, detector: 'codes.obfuscated' });
  }
}

const IPV6 = /(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4})(?![0-9A-Za-z:])/y;

function isV6RunChar(c: number): boolean {
  return isAsciiAlnum(c) || c === 58 || c === 46;
}

function detectIPv6(text: string, out: RawFinding[]): void {
  // The look-behind means a match can only start where a run of [0-9A-Za-z:.] starts, and it holds a
  // colon: try the sticky pattern once at the start of each run that contains a colon.
  const n = text.length;
  let colon = text.indexOf(':');
  while (colon >= 0) {
    let rs = colon;
    while (rs > 0 && isV6RunChar(text.charCodeAt(rs - 1))) rs--;
    let re = colon + 1;
    let colons = 1;
    let double = false;
    for (let c = text.charCodeAt(re); re < n && isV6RunChar(c); c = text.charCodeAt(++re)) {
      if (c === 58) {
        colons++;
        if (text.charCodeAt(re - 1) === 58) double = true;
      }
    }
    if (text.charCodeAt(colon - 1) === 58) double = true;
    colon = text.indexOf(':', re);
    if (colons < 2) continue; // the pattern needs two colons ("姓名:张三" is one)
    // Valid IPv6 has "::" or at least six colons (eight groups, or six and an IPv4 tail): "10:30:00" is neither.
    if (!double && colons < 6) continue;
    IPV6.lastIndex = rs;
    const m = IPV6.exec(text);
    if (m === null) continue;
    const s = m[0];
    if (!/\d/.test(s) || !isValidIPv6(s)) continue;
    let nonEmpty = 0;
    for (const p of s.split(':')) if (p) nonEmpty++;
    if (nonEmpty < 2 && s !== '::1') continue;
    // "10:30:00"-style times never reach here (not valid IPv6), but "12::30" might: demand a hex letter or 3+ groups.
    if (nonEmpty < 3 && !/[A-Fa-f]/.test(s)) continue;
    out.push({ type: 'ip_address', start: m.index, end: m.index + s.length, score: 0.9, detector: 'codes' });
  }
}

// Chinese passports: E + 8 digits, E + letter + 7 digits, G/D/S/P + 7–8 digits; labelled nearby.
const PASSPORT = /(?<![0-9A-Za-z])(?:E[0-9A-HJ-NP-Z]\d{7}|[GDSP]E?\d{7,8}|[A-Z]{1,2}\d{6,9})(?![0-9A-Za-z])/y;
const PASSPORT_CUE = /(?:护照|passport|Passport|PASSPORT|旅行证)/;

// 港澳通行证 C/W…, 台湾通行证 L/T…, 回乡证 H/M…, 台胞证 8–10 digits; always labelled.
const PERMIT = /(?<![0-9A-Za-z])(?:[CWLTHM][0-9A-Z]?\d{7,10}|\d{8}(?:\d{2})?)(?![0-9A-Za-z])/y;
const PERMIT_HINTS = ['通行证', '回乡证', '台胞证', '居住证', '往来港澳', '往来台湾', '来往内地', '来往大陆', '旅行证件', 'ermit', 'ERMIT',
  'txz', 'hxz'];
const PERMIT_CUE = /(?:通行证|回乡证|台胞证|往来港澳|往来台湾|来往内地|来往大陆|居住证|旅行证件)/;
/**
 * The keys of APIs and database schemas (hkmPermit, twPermit, permit_no; pinyin initials gatxz 港澳通行证, hxz 回乡证): they
 * label only the permits that start with a letter — after "permitCount" a number of eight digits is a count.
 */
const PERMIT_KEY_CUE = /(?:[Pp]ermit|PERMIT|txz|hxz)/;

/**
 * `gate`: whether the text holds a hint word at all, asked only once a candidate matches; `letterCue`: a cue that labels
 * only values starting with a letter.
 */
function detectLabelled(
  text: string, out: RawFinding[], runs: Int32Array, nr: number, re: RegExp, cue: RegExp, type: FindingType, window: number,
  gate: (text: string) => boolean, letterCue?: RegExp,
): void {
  let gated = false;
  for (let r = 0; r < 2 * nr; r += 2) {
    const len = runs[r + 1] - runs[r];
    if (len < 7 || len > 12) continue;
    re.lastIndex = runs[r];
    const m = re.exec(text);
    if (m === null) continue;
    if (!gated) {
      if (!gate(text)) return;
      gated = true;
    }
    const before = text.slice(Math.max(0, m.index - window), m.index);
    if (!cue.test(before) && !(letterCue !== undefined && text.charCodeAt(m.index) >= 65 && letterCue.test(before))) continue;
    if (/^(?:19|20)\d\d(?:0[1-9]|1[0-2])/.test(m[0])) continue; // a date such as 20300105
    out.push({ type, start: m.index, end: m.index + m[0].length, score: 0.9, detector: 'codes' });
  }
}

const PLATE =
  /[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][A-HJ-NP-Z][·•\- ]?(?:[DF][A-HJ-NP-Z0-9]\d{4}|\d{5}[DF]|[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳])(?![A-Za-z0-9])/y;

const PLATE_PROVINCE = new Uint8Array(65536);
for (const ch of '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领') PLATE_PROVINCE[ch.charCodeAt(0)] = 1;

function detectPlates(text: string, out: RawFinding[], runs: Int32Array, nr: number): void {
  // The province character is followed by a capital letter, so a plate starts just before a run.
  for (let r = 0; r < 2 * nr; r += 2) {
    const p = runs[r] - 1;
    if (p < 0 || PLATE_PROVINCE[text.charCodeAt(p)] === 0) continue;
    PLATE.lastIndex = p;
    const m = PLATE.exec(text);
    if (m === null) continue;
    const body = m[0].slice(2).replace(/[·•\- ]/, '');
    let digits = 0;
    for (let i = 0; i < body.length; i++) if (body.charCodeAt(i) >= 48 && body.charCodeAt(i) <= 57) digits++;
    if (digits < 2) continue;
    out.push({ type: 'license_plate', start: m.index, end: m.index + m[0].length, score: 0.9, detector: 'codes' });
  }
}

/**
 * A passport number with no label nearby, in the strict forms of Chinese ordinary passports only — E + 8
 * digits, E + letter + 7 digits (2012 e-passports), G + 8 digits (older ones) — at a lower score
 * (PASSPORT_UNLABELLED_SCORE), which the guard reports one level lower (levels.ts): the policy decides what
 * that means. 0 hits in 4.9 MB of real Chinese passages (docs/BENCHMARKS.md, bench:guard-false-positives);
 * the looser labelled forms (D/S/P…, two letters + digits) stay label-only.
 */
const BARE_PASSPORT = /(?:E\d{8}|E[A-HJ-NP-Z]\d{7}|G\d{8})/y;
export const PASSPORT_UNLABELLED_SCORE = 0.6;

function detectBarePassports(text: string, out: RawFinding[], runs: Int32Array, nr: number, labelled: number): void {
  let seen: Set<number> | null = null;
  for (let r = 0; r < 2 * nr; r += 2) {
    if (runs[r + 1] - runs[r] !== 9) continue;
    const c = text.charCodeAt(runs[r]);
    if (c !== 69 && c !== 71) continue; // E, G
    BARE_PASSPORT.lastIndex = runs[r];
    if (BARE_PASSPORT.exec(text) === null) continue;
    // The labelled passports found just before, by start: looked up, not searched, for each candidate.
    if (seen === null) {
      seen = new Set<number>();
      for (let f = labelled; f < out.length; f++) seen.add(out[f].start);
    }
    if (seen.has(runs[r])) continue;
    out.push({ type: 'passport', start: runs[r], end: runs[r] + 9, score: PASSPORT_UNLABELLED_SCORE, detector: 'codes' });
  }
}

function passportHint(text: string): boolean {
  return text.includes('护照') || /passport|旅行证/i.test(text);
}
function permitHint(text: string): boolean {
  return PERMIT_HINTS.some((h) => text.includes(h));
}

/** `runs`, `nr`: the alphanumeric runs of `text` (tokens.ts). */
export function detectCodes(
  text: string, out: RawFinding[], want: ReadonlySet<FindingType>, runs: Int32Array, nr: number,
): void {
  if (want.has('cn_uscc')) detectUscc(text, out, runs, nr);
  if (want.has('email')) {
    detectEmail(text, out);
    detectObfuscatedEmail(text, out);
  }
  if (want.has('ip_address') && mayHoldIPv6(text)) detectIPv6(text, out);
  if (want.has('passport')) {
    const from = out.length;
    detectLabelled(text, out, runs, nr, PASSPORT, PASSPORT_CUE, 'passport', 24, passportHint);
    detectBarePassports(text, out, runs, nr, from);
  }
  if (want.has('cn_permit')) detectLabelled(text, out, runs, nr, PERMIT, PERMIT_CUE, 'cn_permit', 24, permitHint, PERMIT_KEY_CUE);
  if (want.has('license_plate')) detectPlates(text, out, runs, nr);
}
