import type { FindingType } from './types.ts';

/** Chinese placeholder labels; models keep 〔手机号_1〕 intact far better than opaque tokens. */
export const PLACEHOLDER_LABELS: Readonly<Record<FindingType, string>> = Object.freeze({
  cn_id_card: '身份证号',
  cn_mobile: '手机号',
  cn_landline: '电话',
  bank_card: '银行卡号',
  cn_uscc: '信用代码',
  email: '邮箱',
  ip_address: 'IP地址',
  passport: '护照号',
  cn_permit: '通行证号',
  license_plate: '车牌号',
  person_name: '姓名',
  address: '地址',
  secret: '密钥',
  classified_marking: '密级标识',
  custom_term: '专有名词',
  source_code: '代码',
});

export const OPEN = '〔';
export const CLOSE = '〕';

/** Labels may hold CJK and ASCII letters only, so that a placeholder can never contain a bracket or "_". */
export function sanitizeLabel(label: string | undefined, fallback: string): string {
  const clean = (label ?? '').replace(/[^A-Za-z\u4e00-\u9fa5]/g, '').slice(0, 12);
  return clean || fallback;
}

const SP = '[ \\t\\u00a0\\u3000]{0,3}';
const OPENS = '[〔【\\[［(（「『<《]';
const CLOSES = '[〕】\\]］)）」』>》]';
const LABEL = '[A-Za-z\\u4e00-\\u9fa5]{1,12}';
const IDX = '[0-9０-９]{1,6}';

/** A placeholder as models return it: any common bracket pair, spaces, full-width underscore or digits. */
export const PLACEHOLDER_SOURCE = `${OPENS}${SP}(${LABEL})${SP}[_＿]${SP}(${IDX})${SP}${CLOSES}`;

/** Longest text a placeholder-like span can take; the stream restorer holds back no more than this. */
export const MAX_PLACEHOLDER_LENGTH = 1 + 3 + 12 + 3 + 1 + 3 + 6 + 3 + 1;

export function placeholderKey(label: string, index: string): string {
  let idx = '';
  for (let i = 0; i < index.length; i++) {
    const c = index.charCodeAt(i);
    idx += c >= 0xff10 ? String.fromCharCode(c - 0xfee0) : index[i];
  }
  return `${label}_${Number(idx)}`;
}

const OPEN_SET = new Set('〔【[［(（「『<《');
export function isOpenBracket(ch: string): boolean {
  return OPEN_SET.has(ch);
}

const PREFIX = new RegExp(`^${OPENS}${SP}(?:${LABEL.replace('{1,12}', '{0,12}')}(?:${SP}(?:[_＿]${SP}(?:[0-9０-９]{0,6}${SP})?)?)?)?$`);
/** Whether `s` (starting at an opening bracket) could still grow into a placeholder. */
export function couldBePlaceholderPrefix(s: string): boolean {
  return s.length <= MAX_PLACEHOLDER_LENGTH && PREFIX.test(s);
}
