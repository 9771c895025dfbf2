import { createHash } from 'node:crypto';
import { idCardCheckChar, luhnValid, usccCheckChar, type FindingType } from '../guard/index.ts';

/**
 * Synthetic stand-ins for personal data in training sets: a value of the same type and shape (an ID-card
 * number with a valid check digit, a mobile number, a three-character name, an address), so the data stays
 * natural for training. Each value is derived from a hash of (seed, type, original key), so one key gets one
 * value everywhere within a sample, and a re-export gives the same file. Types without a natural stand-in
 * (custom terms, classified markings, source code) keep their placeholder.
 */
export const SYNTHESIZED_TYPES: readonly FindingType[] = Object.freeze([
  'cn_id_card', 'cn_mobile', 'cn_landline', 'bank_card', 'cn_uscc', 'email', 'ip_address', 'passport', 'cn_permit',
  'license_plate', 'person_name', 'address', 'secret',
]);

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢';
const GIVEN = '子涵梓轩浩宇欣怡思远雨桐嘉禾俊杰晓东文博佳琪明哲志强海燕秀英建国立新春华玉兰德胜永康书瑶若曦静怡';
const REGIONS = ['110105', '120103', '310115', '320102', '330106', '340104', '370102', '410105', '420106', '440106', '510107', '610113'];
const AREA_CODES = ['010', '021', '022', '023', '020', '025', '027', '028', '029', '0571', '0755'];
const PLATE_PROVINCES = '京津沪渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤琼川贵云陕甘青蒙桂宁新';
const PLATE_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
const CITIES = ['南京', '杭州', '成都', '武汉', '西安', '长沙', '合肥', '济南', '郑州', '福州', '昆明', '南宁'];
const DISTRICTS = ['城关区', '新华区', '和平区', '解放区', '高新区', '经开区'];
const ROADS = ['建设路', '人民路', '文化路', '光明街', '和平大道', '长江路', '黄河路', '育才街'];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** A stream of pseudo-random integers from a hash, extended as needed. */
class HashRandom {
  #bytes: Buffer;
  #pos = 0;
  #round = 0;
  readonly #seed: string;
  constructor(seed: string) {
    this.#seed = seed;
    this.#bytes = createHash('sha256').update(seed).digest();
  }
  int(n: number): number {
    if (this.#pos + 4 > this.#bytes.length) {
      this.#bytes = createHash('sha256').update(`${this.#seed}\u0000${++this.#round}`).digest();
      this.#pos = 0;
    }
    const v = this.#bytes.readUInt32LE(this.#pos);
    this.#pos += 4;
    return v % n;
  }
  pick<T>(list: ArrayLike<T>): T { return list[this.int(list.length)]; }
  digits(n: number): string { let s = ''; for (let i = 0; i < n; i++) s += String(this.int(10)); return s; }
}

function luhnComplete(prefix: string): string {
  for (let d = 0; d < 10; d++) if (luhnValid(prefix + d)) return prefix + d;
  return `${prefix}0`;
}

const MAKERS: Record<string, (r: HashRandom) => string> = {
  cn_id_card: (r) => {
    const year = 1960 + r.int(45);
    const month = String(1 + r.int(12)).padStart(2, '0');
    const day = String(1 + r.int(28)).padStart(2, '0');
    const first17 = `${r.pick(REGIONS)}${year}${month}${day}${r.digits(3)}`;
    return first17 + idCardCheckChar(first17);
  },
  cn_mobile: (r) => `1${r.pick(['3', '5', '7', '8', '9'])}${r.digits(9)}`,
  cn_landline: (r) => `${r.pick(AREA_CODES)}-${1 + r.int(8)}${r.digits(7)}`,
  bank_card: (r) => luhnComplete(`622${r.pick(['2', '8'])}${r.digits(11)}`),
  cn_uscc: (r) => {
    const first17 = `91${r.pick(REGIONS)}${r.digits(8)}${r.pick('0123456789ABCDEFGHJKLMNPQRTUWXY')}`;
    return first17 + usccCheckChar(first17);
  },
  email: (r) => `${Array.from({ length: 5 + r.int(4) }, () => r.pick(LETTERS)).join('')}${r.digits(2)}@example.com`,
  // 10.0.0.0/8 is private address space: natural in an organisation's data, never a real public host.
  ip_address: (r) => `10.${r.int(256)}.${r.int(256)}.${1 + r.int(254)}`,
  passport: (r) => `E${r.digits(8)}`,
  cn_permit: (r) => `C${r.digits(8)}`,
  license_plate: (r) => `${r.pick(PLATE_PROVINCES)}${r.pick('ABCDEFGHJK')}${Array.from({ length: 5 }, () => r.pick(PLATE_CHARS)).join('')}`,
  // Always three characters, so a stand-in never equals a two-character original such as 张伟.
  person_name: (r) => `${r.pick(SURNAMES)}${r.pick(GIVEN)}${r.pick(GIVEN)}`,
  address: (r) => `${r.pick(CITIES)}市${r.pick(DISTRICTS)}${r.pick(ROADS)}${1 + r.int(300)}号`,
  secret: (r) => `sk-${Array.from({ length: 32 }, () => r.pick('0123456789abcdef')).join('')}`,
};

/** Stand-ins for one sample: the same (type, key) always gives the same value; distinct keys get distinct values. */
export function createSynthesizer(seed: string): (type: FindingType, key: string) => string | null {
  const byKey = new Map<string, string>();
  const used = new Set<string>();
  return (type, key) => {
    const make = MAKERS[type];
    if (!make) return null;
    const k = `${type}\u0000${key}`;
    let value = byKey.get(k);
    if (value === undefined) {
      for (let attempt = 0; value === undefined || used.has(value); attempt++) value = make(new HashRandom(`${seed}\u0000${k}\u0000${attempt}`));
      byKey.set(k, value);
      used.add(value);
    }
    return value;
  };
}
