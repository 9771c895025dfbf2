import { KeywordIndex } from '../keywords.ts';
import { COMPOUND_SURNAMES, GIVEN_CHARS, NAME_CUES, NAME_STOP, NAME_VERBS, SINGLE_SURNAMES, TITLE_SUFFIXES } from '../data/names.ts';
import { CITIES, PROVINCES } from '../data/places.ts';

/**
 * Features of the character-level name and address tagger (ner/model.ts), shared by the training script
 * (bench/train-ner.ts) and the scanner so that both see exactly the same thing. Each feature is a hashed
 * bucket: a template id and a few small integers (characters, classes, lexicon bits) mixed into
 * HASH_BITS bits. Collisions cost a little accuracy, never a wrong answer about offsets.
 */
export const TAGS = ['O', 'B-PER', 'I-PER', 'B-ADR', 'I-ADR'] as const;
export const NT = TAGS.length;
export const O = 0;
export const B_PER = 1;
export const I_PER = 2;
export const B_ADR = 3;
export const I_ADR = 4;
export const HASH_BITS = 18;
export const HASH_MASK = (1 << HASH_BITS) - 1;
/** Features per character (the number of templates). */
export const NF = 26;

/** Fold a code unit: full-width ASCII to ASCII, every digit to '0', ASCII letters to lower case. */
export function fold(c: number): number {
  if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0;
  else if (c === 0x3000) return 32;
  if (c >= 48 && c <= 57) return 48;
  if (c >= 65 && c <= 90) return c + 32;
  return c;
}

// Character classes.
const C_HAN = 1;
const C_DIGIT = 2;
const C_LATIN = 3;
const C_SPACE = 4;
const C_NUMERAL = 5;
const C_DOT = 6; // the middle dot of transliterated names
const C_OTHER = 7;
const NUMERALS = '一二三四五六七八九十百千零〇两';

function charClass(f: number): number {
  if (f === 48) return C_DIGIT;
  if (f >= 97 && f <= 122) return C_LATIN;
  if (f === 32 || f === 9 || f === 10 || f === 13) return C_SPACE;
  if (f === 0xb7 || f === 0x30fb || f === 0x2022 || f === 0xff65) return C_DOT;
  if (f >= 0x4e00 && f <= 0x9fa5) return NUMERALS.includes(String.fromCharCode(f)) ? C_NUMERAL : C_HAN;
  return C_OTHER;
}

// Lexicon bits of a character.
const L_SURNAME = 1;
const L_TOP_SURNAME = 2;
const L_GIVEN = 4;
const L_TRANS = 8;
const L_ADDR = 16;
const L_STOP = 32;
const L_ADMIN = 64;

/** Characters common in transliterated foreign names (沙波什尼科夫, 丹尼斯·霍珀). */
const TRANSLIT =
  '斯尔克夫特德里利尼娜亚伊安诺罗拉基维奇布卡马洛莉丝格兰莎塔米哈贝瓦姆纳耶托什科波普泰蒂沙雅戈伯汉弗杰森顿逊勒奥艾迪加菲索阿巴达萨西乌佐扎契希霍丹彼得约翰琼芙蕾黛妮露茜莫桑蒙穆鲁默赫柯舍谢佩帕蓬荷朗菲迈麦摩曼韦威温沃乔琪恩因茨兹芬凯坎肯库昆' +
  '凡伦林吉列娃卢赛塞切尤泽图';
const ADDR_CHARS = '路街巷弄号栋幢室村楼层单元院里苑庄屯组道段';
const ADMIN_CHARS = '省市区县镇乡旗州';

const CLASS = new Uint8Array(65536);
const LEX = new Uint8Array(65536);
for (let c = 0; c < 65536; c++) CLASS[c] = charClass(fold(c));
for (let i = 0; i < SINGLE_SURNAMES.length; i++) LEX[SINGLE_SURNAMES.charCodeAt(i)] |= i < 100 ? L_SURNAME | L_TOP_SURNAME : L_SURNAME;
for (const ch of GIVEN_CHARS) LEX[ch.charCodeAt(0)] |= L_GIVEN;
for (const ch of TRANSLIT) LEX[ch.charCodeAt(0)] |= L_TRANS;
for (const ch of ADDR_CHARS) LEX[ch.charCodeAt(0)] |= L_ADDR;
for (const ch of NAME_STOP) LEX[ch.charCodeAt(0)] |= L_STOP;
for (const ch of ADMIN_CHARS) LEX[ch.charCodeAt(0)] |= L_ADMIN;

/** Whether the tagger could start a name at code unit c (gating in ner/model.ts). */
export function lexBits(c: number): number {
  return LEX[c];
}
export const LEX_SURNAME = L_SURNAME;
export const LEX_TRANS = L_TRANS;
export const LEX_ADDR = L_ADDR;

// Words around a name: titles (before or after it), speech verbs (after), labels (before), place names.
const K_TITLE = 1;
const K_VERB = 2;
const K_CUE = 4;
const K_PLACE = 8;
const K_ORG = 16;
const EXTRA_TITLES = ['记者', '通讯员', '行长', '副行长', '总理', '副总理', '总统', '副总统', '主席', '副主席', '委员长', '主任委员',
  '大使', '总书记', '常委', '司令', '司令员', '政委', '将军', '教练', '主教练', '队员', '选手', '导演', '演员', '歌手', '作家', '诗人',
  '画家', '编辑', '主编', '研究员', '院士', '老人', '同学', '夫人', '首相', '外长', '部长助理', '发言人', '总经理', '厂长', '经理',
  '社长', '团长', '会长', '理事长', '秘书长', '议员', '国王', '女王', '王子', '公主', '皇帝', '球员', '前锋', '后卫', '门将'];
const EXTRA_VERBS = ['说', '表示', '称', '认为', '指出', '告诉', '介绍', '强调', '宣布', '透露', '回忆', '坦言', '笑', '曾', '在', '是',
  '的', '和', '等', '也', '就', '对', '被', '向', '与', '今天', '昨天', '日前', '近日', '率', '一行', '会见', '接见', '发表', '获得'];
const ORG_SUFFIXES = ['公司', '银行', '集团', '大学', '学院', '中学', '小学', '医院', '委员会', '办公室', '研究所', '研究院', '中心',
  '协会', '学会', '基金会', '政府', '法院', '检察院', '公安局', '总局', '管理局', '出版社', '报社', '电视台', '电台', '部', '厅', '局',
  '处', '科', '委', '办', '党', '军', '队', '所', '社', '行', '会', '团', '厂', '院', '馆', '站'];
const KIND = new Map<string, number>();
function addKind(words: Iterable<string>, kind: number): void {
  for (const w of words) KIND.set(w, (KIND.get(w) ?? 0) | kind);
}
addKind(TITLE_SUFFIXES, K_TITLE);
addKind(EXTRA_TITLES, K_TITLE);
addKind(NAME_VERBS, K_VERB);
addKind(EXTRA_VERBS, K_VERB);
addKind(NAME_CUES, K_CUE);
addKind(PROVINCES, K_PLACE);
addKind(CITIES, K_PLACE);
addKind(ORG_SUFFIXES, K_ORG);
const WORDS = new KeywordIndex(KIND.keys());
const COMPOUND = new Set(COMPOUND_SURNAMES);

const PAD = 4;

/**
 * A window of text prepared for the templates: folded characters, classes, lexicon bits and the kinds of
 * words starting and ending at each position, PAD positions of real context (or padding) on each side.
 * Buffers are reused by the next prepare() call.
 */
export interface Window {
  from: number;
  to: number;
  ch: Int32Array;
  cl: Int32Array;
  lx: Int32Array;
  ws: Int32Array;
  we: Int32Array;
  cmp: Uint8Array;
}

let win: Window = alloc(256);

function alloc(n: number): Window {
  const m = n + 2 * PAD;
  return {
    from: 0, to: 0, ch: new Int32Array(m), cl: new Int32Array(m), lx: new Int32Array(m), ws: new Int32Array(m),
    we: new Int32Array(m), cmp: new Uint8Array(m),
  };
}

/** Prepare text[from, to) (reading PAD characters of context on each side). */
export function prepare(text: string, from = 0, to = text.length): Window {
  const n = to - from;
  if (win.ch.length < n + 2 * PAD) win = alloc(Math.max(n, win.ch.length * 2));
  const w = win;
  w.from = from;
  w.to = to;
  const base = from - PAD;
  const m = n + 2 * PAD;
  const len = text.length;
  w.ws.fill(0, 0, m);
  w.we.fill(0, 0, m);
  w.cmp.fill(0, 0, m);
  for (let j = 0; j < m; j++) {
    const i = base + j;
    if (i < 0 || i >= len) {
      w.ch[j] = 1;
      w.cl[j] = 0;
      w.lx[j] = 128;
      continue;
    }
    const c = text.charCodeAt(i);
    w.ch[j] = fold(c);
    w.cl[j] = CLASS[c];
    w.lx[j] = LEX[c];
  }
  const lo = Math.max(0, base);
  const hi = Math.min(len, base + m);
  for (let i = lo; i < hi; i++) {
    if (!WORDS.startsWith(text.charCodeAt(i))) continue;
    const word = WORDS.at(text, i);
    if (word === undefined) continue;
    const k = KIND.get(word)!;
    w.ws[i - base] |= k;
    const e = i + word.length - 1 - base;
    if (e < m) w.we[e] |= k;
  }
  for (let i = lo; i + 1 < hi; i++) {
    if (COMPOUND_FIRST[text.charCodeAt(i)] === 1 && COMPOUND.has(text.slice(i, i + 2))) w.cmp[i - base] = 1;
  }
  return w;
}

const COMPOUND_FIRST = new Uint8Array(65536);
for (const cs of COMPOUND) COMPOUND_FIRST[cs.charCodeAt(0)] = 1;

/** The hash bucket of template t with values a, b (the bias feature is mix(0, 0, 0)). */
export function mix(t: number, a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(t + 1, 0x9e3779b1), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ b, 0xc2b2ae35);
  h ^= h >>> 13;
  return h & HASH_MASK;
}

/** Writes the NF feature buckets of text position from + k into out[o, o + NF). */
export function features(w: Window, k: number, out: Int32Array, o: number): void {
  const j = k + PAD;
  const ch = w.ch;
  const lx = w.lx;
  const c0 = ch[j];
  const cm1 = ch[j - 1];
  const cp1 = ch[j + 1];
  const cm2 = ch[j - 2];
  const cp2 = ch[j + 2];
  const l0 = lx[j];
  const lm1 = lx[j - 1];
  const lp1 = lx[j + 1];
  const endPrev = w.we[j - 1];
  const startNext = w.ws[j + 1];
  const cl = w.cl;
  const classes = cl[j - 2] | (cl[j - 1] << 3) | (cl[j] << 6) | (cl[j + 1] << 9) | (cl[j + 2] << 12);
  out[o] = mix(0, 0, 0); // bias
  out[o + 1] = mix(1, c0, 0);
  out[o + 2] = mix(2, cm1, 0);
  out[o + 3] = mix(3, cp1, 0);
  out[o + 4] = mix(4, cm2, 0);
  out[o + 5] = mix(5, cp2, 0);
  out[o + 6] = mix(6, cm1, c0);
  out[o + 7] = mix(7, c0, cp1);
  out[o + 8] = mix(8, cm2, cm1);
  out[o + 9] = mix(9, cp1, cp2);
  out[o + 10] = mix(10, (cm1 << 16) | c0, cp1);
  out[o + 11] = mix(11, classes, 0);
  out[o + 12] = mix(12, l0, lm1);
  out[o + 13] = mix(13, l0, lp1);
  out[o + 14] = mix(14, (lm1 << 8) | l0, lp1);
  out[o + 15] = mix(15, endPrev, l0);
  out[o + 16] = mix(16, startNext, l0);
  out[o + 17] = mix(17, w.ws[j + 2], (l0 << 8) | lp1);
  out[o + 18] = mix(18, w.ws[j + 3], endPrev);
  out[o + 19] = mix(19, w.ws[j], w.we[j]);
  out[o + 20] = mix(20, endPrev, c0);
  out[o + 21] = mix(21, c0, startNext);
  out[o + 22] = mix(22, w.cmp[j], (w.we[j - 2] << 8) | l0);
  out[o + 23] = mix(23, cm1, cp1);
  out[o + 24] = mix(24, (cm2 << 16) | cm1, c0);
  out[o + 25] = mix(25, (c0 << 16) | cp1, cp2);
}
