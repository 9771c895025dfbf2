import type { FindingType, RawFinding } from '../types.ts';
import { LabelSet } from '../labels.ts';
import {
  cnLandlineAreaLength, isCnMobile, isValidIdCard15, isValidIdCard18, isValidIPv4Parts, knownBin, luhnValid,
} from '../validators.ts';
import { isAsciiAlnum, isSpace } from '../chars.ts';

/**
 * Numbers that identify people: ID cards, mobiles, landlines, bank cards — plus IPv4 addresses, which share
 * the digit-cluster tokenizer. A cluster is a run of digit groups joined by single separators (space, dash,
 * dot, underscore, closing parenthesis), so "138 0013 8000", "6222-0212-3456-7890" and "1 3 8 0 0 …" are
 * seen whole; contiguous groups are tried longest first and kept only when a validator accepts them.
 */
// The pattern that clusterEnd implements:
// /\d+(?:(?:[ \u00a0]{1,2}|\s?[-\u2010-\u2015]\s?|[._\u00b7]|\)\s?)\d+)*(?:[Xx](?![A-Za-z0-9]))?/g;

// Labels naming a number that is not personal data (order, waybill, invoice numbers …): a number counts as
// labelled when one of these words ends at most 8 non-digit characters before it (within 20 characters).
const NEGATIVE_LABEL = new LabelSet(('订单 单号 运单 快递 物流 发票 编号 编码 流水 交易号 合同号 工单 批次 序列号 序号 凭证 票号 条码 券码 验证码 ' +
  '工号 学号 型号 版本 批号 货号 账单 保单 申请号 案号 文号 会员号 客户号 代码 ID No SN 编目 时间戳 timestamp 金额 价格 数量 Order order ' +
  'tracking invoice Invoice').split(' '));
const CARD_LABEL = new LabelSet('卡号 银行卡 账号 帐号 账户 帐户 储蓄卡 信用卡 借记卡 开户 收款 付款 转账 汇款 card Card CARD'.split(' '));
/**
 * Nouns for an account right before a number (at most 4 characters between, none a digit): many bank account numbers
 * — passbook and corporate accounts of 13–22 digits — are no card numbers and fail the Luhn check. A card number
 * (卡号) always passes it, so a card label does not count here.
 */
const ACCOUNT_LABEL = new LabelSet('账号 帐号 账户 帐户'.split(' '));
const ID_LABEL = new LabelSet(['身份证', '证件号', '公民身份', '身份号码', 'ID card', 'id_card']);
/**
 * A phone label right before a number, nothing but a colon or spaces between (电话：62751234, Tel 6275 1234): a local
 * number of 7 or 8 digits without its area code is a landline there (电话费：12345678 is an amount, and stays one).
 */
const PHONE_LABEL = /(?:电话|座机|固话|联系方式|传真|[Tt]el|TEL|[Pp]hone|PHONE)(?:号码?)?\s*(?:[:：]|是|为)?\s*$/;

/** When text[start, end), of `digits` digits, is a local landline number after a phone label: reports it, true. */
function localLandline(text: string, out: RawFinding[], start: number, end: number, digits: number): boolean {
  const c0 = text.charCodeAt(start);
  if ((digits !== 7 && digits !== 8) || c0 < 50 || c0 > 57 || !PHONE_LABEL.test(text.slice(Math.max(0, start - 12), start))) return false;
  out.push({ type: 'cn_landline', start, end, score: 0.8, detector: 'digits' });
  return true;
}
const VERSION_LABEL = /(?:版本|version|Version|ver|Ver|v|V)\s*[:：]?\s*$/;

/** The label tests look at the 20 characters before `pos`. */
export function isNegative(text: string, pos: number): boolean {
  return NEGATIVE_LABEL.before(text, pos, 20, 8, true);
}
function cardLabel(text: string, pos: number): boolean {
  return CARD_LABEL.before(text, pos, 20, 12, false);
}
function accountLabel(text: string, pos: number): boolean {
  return ACCOUNT_LABEL.before(text, pos, 12, 4, true);
}
function idLabel(text: string, pos: number): boolean {
  return ID_LABEL.before(text, pos, 20, 14, false);
}

interface Group {
  start: number;
  end: number;
  digits: string;
  /** Separator before this group ('' for the first). */
  sep: string;
}


/** text.slice(start, end).toUpperCase() for a digit group, whose only letter can be a final x. */
function upperSlice(text: string, start: number, end: number): string {
  const d = text.slice(start, end);
  return text.charCodeAt(end - 1) === 120 ? d.toUpperCase() : d;
}

function splitGroups(text: string, start: number, end: number): Group[] {
  const groups: Group[] = [];
  let i = start;
  let sep = '';
  while (i < end) {
    const gs = i;
    while (i < end) {
      const c = text.charCodeAt(i);
      if ((c >= 48 && c <= 57) || c === 88 || c === 120) i++;
      else break;
    }
    groups.push({ start: gs, end: i, digits: upperSlice(text, gs, i), sep });
    const ss = i;
    while (i < end) {
      const c = text.charCodeAt(i);
      if ((c >= 48 && c <= 57) || c === 88 || c === 120) break;
      i++;
    }
    sep = text.slice(ss, i);
  }
  return groups;
}

interface Hit {
  type: FindingType;
  score: number;
  /** Digits at the front that are a country code, not part of the number. */
  prefix: number;
}

// Hits are constants: classify allocates nothing.
const PERMIT_HIT: Hit = { type: 'cn_permit', score: 0.9, prefix: 0 };
const ID_HIT: Hit = { type: 'cn_id_card', score: 0.99, prefix: 0 };
const ID15_HIT: Hit = { type: 'cn_id_card', score: 0.8, prefix: 0 };
const MOBILE_HIT: Hit = { type: 'cn_mobile', score: 0.95, prefix: 0 };
const LANDLINE_HIT: Hit = { type: 'cn_landline', score: 0.85, prefix: 0 };
const CARD_LABELLED_HIT: Hit = { type: 'bank_card', score: 0.95, prefix: 0 };
const CARD_HIT: Hit = { type: 'bank_card', score: 0.85, prefix: 0 };
const ACCOUNT_HIT: Hit = { type: 'bank_card', score: 0.8, prefix: 0 };

/** The words that ask a reader to turn a number around (请倒过来读：00083100831). */
const REVERSED_CUE = /(?:倒过来|倒着|倒序|反过来|反着|逆序|颠倒|反转|reverse|backwards?)/i;

function reversed(d: string): string {
  let r = '';
  for (let i = d.length - 1; i >= 0; i--) r += d[i];
  return r;
}

/**
 * A number written backwards, which a model turns around when asked: a resident ID whose reversal validates (its
 * region, birth date and check character must all agree, which a number seldom does by chance), a mobile number only
 * where the text says to reverse it (about one 11-digit number in 14 is a mobile backwards).
 */
function reversedHit(d: string, text: string, pos: number): Hit | null {
  if (d.length === 18 && isValidIdCard18(reversed(d))) return ID_HIT;
  if (d.length === 11 && isCnMobile(reversed(d)) && REVERSED_CUE.test(text.slice(Math.max(0, pos - 24), pos))) return MOBILE_HIT;
  return null;
}

/**
 * What the digits `d` are; `pos`: where the number starts in `text`, and the label tests run only for candidates that need
 * them. Also for numbers written otherwise than in digits (spelled-digits.ts).
 */
export function classify(d: string, text: string, pos: number): Hit | null {
  const n = d.length;
  const hasX = d.endsWith('X');
  if (hasX && n !== 18) return null;
  if (!hasX && (n === 18 || n === 11)) {
    const back = !(n === 18 ? isValidIdCard18(d) : isCnMobile(d)) ? reversedHit(d, text, pos) : null;
    if (back !== null) return back;
  }
  if (n === 18 && isValidIdCard18(d)) {
    const r = d.slice(0, 2);
    if (r === '81' || r === '82' || r === '83') return PERMIT_HIT;
    if (!(cardLabel(text, pos) && luhnValid(d) && !idLabel(text, pos))) return ID_HIT;
  }
  if (hasX) return null;
  if (n === 15 && isValidIdCard15(d) && idLabel(text, pos)) return ID15_HIT;
  if (n < 10 || n > 22) return null;
  if (n > 19) return accountLabel(text, pos) && !isNegative(text, pos) ? ACCOUNT_HIT : null;
  const c0 = d.charCodeAt(0);
  // Only numbers that could be a mobile (1…, 86…, 0086…), landline (0…) or card are worth the label test.
  if (c0 !== 49 && c0 !== 48 && c0 !== 56 && n < 13) return null;
  if (isNegative(text, pos)) return null;
  if (n === 11 && isCnMobile(d)) return MOBILE_HIT;
  if (n === 13 && d.startsWith('86') && isCnMobile(d.slice(2))) return MOBILE_HIT;
  if (n === 15 && d.startsWith('0086') && isCnMobile(d.slice(4))) return MOBILE_HIT;
  if (n >= 10 && n <= 12 && cnLandlineAreaLength(d) > 0) return LANDLINE_HIT;
  if (n >= 13 && n <= 19 && luhnValid(d)) {
    const labelled = cardLabel(text, pos);
    if (labelled || knownBin(d)) return labelled ? CARD_LABELLED_HIT : CARD_HIT;
  }
  if (n >= 13 && accountLabel(text, pos)) return ACCOUNT_HIT;
  return null;
}

const EXT = /^(?:\s?-\s?|\s?转\s?|\s?ext\.?\s?|\s?分机\s?)(\d{1,5})(?!\d)/;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Length of a separator at `p` that CLUSTER would take before another digit group, or 0. The alternatives
 * are tried in the pattern's order, greedy quantifiers longest first.
 */
function separatorLength(text: string, p: number): number {
  const c0 = text.charCodeAt(p);
  if (c0 === 32 || c0 === 0xa0) {
    const c1 = text.charCodeAt(p + 1);
    if ((c1 === 32 || c1 === 0xa0) && isDigit(text.charCodeAt(p + 2))) return 2;
    if (isDigit(c1)) return 1;
  }
  // \s?[-\u2010-\u2015]\s?
  for (let q = isSpace(c0) ? p + 1 : p; q >= p; q--) {
    const d = text.charCodeAt(q);
    if (d === 45 || (d >= 0x2010 && d <= 0x2015)) {
      const r = q + 1;
      if (isSpace(text.charCodeAt(r)) && isDigit(text.charCodeAt(r + 1))) return r + 1 - p;
      if (isDigit(text.charCodeAt(r))) return r - p;
    }
  }
  if ((c0 === 46 || c0 === 95 || c0 === 0xb7) && isDigit(text.charCodeAt(p + 1))) return 1;
  if (c0 === 41) {
    if (isSpace(text.charCodeAt(p + 1)) && isDigit(text.charCodeAt(p + 2))) return 2;
    if (isDigit(text.charCodeAt(p + 1))) return 1;
  }
  return 0;
}

// Set by clusterEnd: whether the cluster has a "." separator, and whether it has any separator.
let clusterDot = false;
let clusterSeparated = false;

/** End of the CLUSTER match that starts at the digit at `start` (the pattern, without building a match). */
function clusterEnd(text: string, start: number): number {
  const n = text.length;
  let p = start;
  while (p < n && isDigit(text.charCodeAt(p))) p++;
  clusterDot = false;
  clusterSeparated = false;
  for (let sep = separatorLength(text, p); sep > 0; sep = separatorLength(text, p)) {
    if (text.charCodeAt(p) === 46) clusterDot = true;
    clusterSeparated = true;
    p += sep;
    while (p < n && isDigit(text.charCodeAt(p))) p++;
  }
  // An ID card's check character X, after its digits or, when they are spaced out, after one more space or dash
  // (1 1 0 1 … 0 0 2 X, as a PDF copies it).
  const gap = clusterSeparated && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 45) ? 1 : 0;
  const x = text.charCodeAt(p + gap);
  if ((x === 88 || x === 120) && !(p + gap + 1 < n && isAsciiAlnum(text.charCodeAt(p + gap + 1)))) p += gap + 1;
  return p;
}

/**
 * Detect digit-based types in normalized text. `runs`, `nr`: its alphanumeric runs (tokens.ts) — every
 * cluster starts at a digit inside one.
 */
export function detectDigits(
  text: string, out: RawFinding[], want: ReadonlySet<FindingType>, runs: Int32Array, nr: number,
): void {
  let next = 0;
  for (let r = 0; r < 2 * nr; r += 2) {
    const re = runs[r + 1];
    if (re <= next) continue;
    let cs = runs[r] > next ? runs[r] : next;
    while (cs < re && !isDigit(text.charCodeAt(cs))) cs++;
    if (cs === re) continue;
    const ce = clusterEnd(text, cs);
    next = ce;
    // This run may hold more clusters after this one ("12ab34").
    if (ce < re) r -= 2;
    const dot = clusterDot;
    if (ce - cs < 7 && !dot) continue;
    const pc = cs > 0 ? text.charCodeAt(cs - 1) : 32;
    const nc = ce < text.length ? text.charCodeAt(ce) : 32;
    // Letters glued on after it, or "…1234-AB".
    const gluedAfter = isAsciiAlnum(nc) || nc === 95
      || ((nc === 45 || nc === 47 || nc === 95) && ce + 1 < text.length && isAsciiAlnum(text.charCodeAt(ce + 1)));
    // An ID number backwards starts with its check character (X20013219491501011).
    if ((pc === 88 || pc === 120) && ce - cs === 17 && !clusterSeparated && !gluedAfter && want.has('cn_id_card')
      && !(cs > 1 && isAsciiAlnum(text.charCodeAt(cs - 2))) && isValidIdCard18(reversed(`X${text.slice(cs, ce)}`))) {
      out.push({ type: 'cn_id_card', start: cs - 1, end: ce, score: ID_HIT.score, detector: 'digits' });
      continue;
    }
    // Part of a larger identifier: letters glued on, or "AB-1234…".
    if (isAsciiAlnum(pc) || pc === 95) continue;
    if ((pc === 45 || pc === 47 || pc === 46 || pc === 95) && cs > 1 && isAsciiAlnum(text.charCodeAt(cs - 2))) continue;
    if (gluedAfter) continue;
    if (!clusterSeparated) {
      // One unbroken run of digits: the common case, no grouping needed.
      if (ce - cs < 10 && want.has('cn_landline') && localLandline(text, out, cs, ce, ce - cs)) continue;
      if (ce - cs < 10 || ce - cs > 21) continue;
      const hit = classify(upperSlice(text, cs, ce), text, cs);
      if (hit && want.has(hit.type)) {
        let s = cs;
        let e = ce;
        if (hit.type === 'cn_mobile' && s > 0 && text.charCodeAt(s - 1) === 43) s--;
        if (hit.type === 'cn_landline') {
          const ext = EXT.exec(text.slice(e, e + 12));
          if (ext) e += ext[0].length;
        }
        out.push({ type: hit.type, start: s, end: e, score: hit.score, detector: 'digits' });
      }
      continue;
    }
    const groups = splitGroups(text, cs, ce);
    let used: Uint8Array | null = null;
    if (want.has('ip_address') && dot) used = detectIPv4(groups, text.slice(Math.max(0, cs - 20), cs), out);
    if (ce - cs < 7) continue;
    // A local number in two groups (6275 1234, 6275-1234) after a phone label.
    if (groups.length === 2 && want.has('cn_landline') && !used
      && localLandline(text, out, cs, ce, groups[0].digits.length + groups[1].digits.length)) continue;
    let i = 0;
    while (i < groups.length) {
      if (used && used[i]) {
        i++;
        continue;
      }
      // Longest run of groups first.
      let j = i;
      let len = 0;
      while (j < groups.length && !(used && used[j]) && len + groups[j].digits.length <= 21) len += groups[j++].digits.length;
      let matched = false;
      for (let k = j - 1; k >= i; k--) {
        let count = 0;
        let single = false;
        for (let g = i; g <= k; g++) {
          count += groups[g].digits.length;
          if (groups[g].digits.length === 1) single = true;
        }
        if (count < 10) continue;
        // Digits spelled out one by one ("1 3 8 0 …") count only as a whole cluster.
        if (single && (i > 0 || k < groups.length - 1) && groups.length > 4) continue;
        let digits = '';
        for (let g = i; g <= k; g++) digits += groups[g].digits;
        const start = groups[i].start;
        const hit = classify(digits, text, start);
        if (!hit || !want.has(hit.type)) continue;
        let s = start;
        let e = groups[k].end;
        if (hit.type === 'cn_mobile' && s > 0 && text.charCodeAt(s - 1) === 43) s--; // "+86…"
        if (hit.type === 'cn_landline') {
          if (s > 0 && text.charCodeAt(s - 1) === 40 && groups[i + 1]?.sep.startsWith(')')) s--; // "(010)…"
          const ext = EXT.exec(text.slice(e, e + 12));
          if (ext) {
            e += ext[0].length;
            // Skip the extension's groups.
            while (k + 1 < groups.length && groups[k + 1].end <= e) k++;
          }
        }
        out.push({ type: hit.type, start: s, end: e, score: hit.score, detector: 'digits' });
        i = k + 1;
        matched = true;
        break;
      }
      if (!matched) i++;
    }
  }
}

const IP_LABEL = /ip|地址|主机|服务器|网关|host|server|dns|ping/i;

function detectIPv4(groups: Group[], before: string, out: RawFinding[]): Uint8Array | null {
  if (groups.length < 4) return null;
  if (VERSION_LABEL.test(before)) return null;
  let used: Uint8Array | null = null;
  for (let i = 0; i + 3 < groups.length; i++) {
    if (groups[i + 1].sep !== '.' || groups[i + 2].sep !== '.' || groups[i + 3].sep !== '.') continue;
    if (i > 0 && groups[i].sep === '.') continue;
    if (i + 4 < groups.length && groups[i + 4].sep === '.') continue; // 5+ dotted parts: an OID or version
    const parts = [groups[i].digits, groups[i + 1].digits, groups[i + 2].digits, groups[i + 3].digits];
    if (!isValidIPv4Parts(parts)) continue;
    // "3.1.4.2" (a dental formula, a section number): four single digits count only after an IP label.
    if (parts.every((p) => p.length === 1) && !IP_LABEL.test(before)) continue;
    out.push({ type: 'ip_address', start: groups[i].start, end: groups[i + 3].end, score: 0.9, detector: 'digits' });
    used ??= new Uint8Array(groups.length);
    used[i] = used[i + 1] = used[i + 2] = used[i + 3] = 1;
    i += 3;
  }
  return used;
}
