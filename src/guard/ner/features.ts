import { KeywordIndex } from '../keywords.ts';
import { COMPOUND_SURNAMES, GIVEN_CHARS, NAME_CUES, NAME_STOP, NAME_VERBS, SINGLE_SURNAMES, TITLE_SUFFIXES } from '../data/names.ts';
import { CITIES, PROVINCES } from '../data/places.ts';
import * as Lx from './lexicon.ts';
import * as Ch from '../chars.ts';
import type { Lexicon } from './lexicon.ts';

// Module bindings read once: under tsx every imported binding is a getter, too slow for the inner loops.
const { HASH_SEED, LEX_NAME, LIST_BITS, MAX_LEN, MIN_LEN } = Lx;
const step = Lx.step;
const isIdeograph = Ch.isIdeograph;

/**
 * What the character-level tagger (ner/model.ts) sees of a text, shared by the training script
 * (bench/train-ner.ts) and the scanner so that both compute exactly the same thing.
 *
 * The tagger scores each position t with the sum of weight rows picked by the characters around it.
 * Rows are grouped by the n-gram that picks them rather than by template, so that one lookup serves every
 * position the n-gram is near (the costly part of a linear tagger is fetching rows from memory, not adding):
 * - a character's row (dense, by vocabulary id) holds its weights at offsets −3…+3 from t;
 * - a bigram's row (hashed) its weights as t−2t−1, t−1t, tt+1 and t+1t+2;
 * - a trigram's row (hashed) its weights as t−2…t, t−1…t+1 and t…t+2; a skip-bigram (t−1, t+1) one row;
 * - context templates (character classes, surname/given-name/address lexicon bits, cue words such as
 *   titles, speech verbs and labels before or after t, and which word lists — common words, names, places,
 *   organisations (lexicon.ts) — hold the strings of 2–4 characters starting, ending or running through t)
 *   pick rows of a small hashed table.
 */
export const ENTITY_TYPES = ['PER', 'LOC', 'ORG'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];
/** Tags: O, then B-X and I-X for each entity type (B at 1 + 2k, I at 2 + 2k). */
export const NT = 1 + 2 * ENTITY_TYPES.length;
export const O = 0;
export const B_PER = 1;
export const I_PER = 2;
export const B_LOC = 3;
export const I_LOC = 4;
export const B_ORG = 5;
export const I_ORG = 6;

/** Offsets a character's row covers (−UNI_REACH…+UNI_REACH). */
export const UNI_REACH = 3;
export const UNI_SLOTS = 2 * UNI_REACH + 1;
export const BI_SLOTS = 4;
export const TRI_SLOTS = 3;
/** Context templates per position (see contextKeys). */
export const NCTX = 18;

/** Hashed table sizes (rows) as powers of two; the model file records them. */
export interface TableBits {
  bi: number;
  tri: number;
  skip: number;
  ctx: number;
}
export const DEFAULT_BITS: TableBits = { bi: 16, tri: 16, skip: 14, ctx: 14 };

/** Vocabulary rows 0 and 1: a character not in the vocabulary, and the edge of the text. */
export const UNKNOWN = 0;
export const EDGE = 1;
/** The folded code of the edge of the text (never a real character after folding). */
const EDGE_CODE = 1;

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
const C_PUNCT = 7;
const C_OTHER = 0;
const NUMERALS = '一二三四五六七八九十百千零〇两';
const PUNCT = '，。、；：？！“”‘’（）《》【】「」『』〈〉…—,.;:?!"\'()[]<>-/';

function charClass(f: number): number {
  if (f === 48) return C_DIGIT;
  if (f >= 97 && f <= 122) return C_LATIN;
  if (f === 32 || f === 9 || f === 10 || f === 13) return C_SPACE;
  if (f === 0xb7 || f === 0x30fb || f === 0x2022 || f === 0xff65) return C_DOT;
  if (f >= 0x4e00 && f <= 0x9fa5) return NUMERALS.includes(String.fromCharCode(f)) ? C_NUMERAL : C_HAN;
  if (PUNCT.includes(String.fromCharCode(f))) return C_PUNCT;
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

/** Lexicon bits of code unit c (the scanner's candidate windows use them too). */
export function lexBits(c: number): number {
  return LEX[c];
}
export const LEX_SURNAME = L_SURNAME;
export const LEX_TOP_SURNAME = L_TOP_SURNAME;
export const LEX_TRANS = L_TRANS;
export const LEX_ADDR = L_ADDR;

// Words around a name: titles (before or after it), speech verbs (after), labels (before), place names,
// organisation suffixes.
const K_TITLE = 1;
const K_VERB = 2;
const K_CUE = 4;
const K_PLACE = 8;
const K_ORG = 16;
export const EXTRA_TITLES = ['记者', '通讯员', '行长', '副行长', '总理', '副总理', '总统', '副总统', '主席', '副主席', '委员长', '主任委员',
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
const COMPOUND_FIRST = new Uint8Array(65536);
for (const cs of COMPOUND) COMPOUND_FIRST[cs.charCodeAt(0)] = 1;

/** Positions of context read on each side of a window. */
export const PAD = 4;

/**
 * A window of text prepared for scoring: per position (PAD of context or edge on each side), the folded
 * character, its vocabulary row, class and lexicon bits, the kinds of cue words starting and ending there,
 * and the hashed rows of the bigram, trigram and skip-bigram starting there. Buffers are reused by the
 * next prepare() call.
 */
export interface Window {
  n: number;
  ch: Int32Array;
  uni: Int32Array;
  cl: Int32Array;
  lx: Int32Array;
  ws: Int32Array;
  we: Int32Array;
  cmp: Uint8Array;
  bi: Int32Array;
  tri: Int32Array;
  skip: Int32Array;
  /** Lists holding the string of length L starting (ls) or ending (le) here: LIST_BITS per length 2, 3, 4. */
  ls: Int32Array;
  le: Int32Array;
  /** Lists with a string running through here (neither its first nor its last character). */
  li: Int32Array;
}

let win: Window = alloc(256);

function alloc(n: number): Window {
  const m = n + 2 * PAD;
  return {
    n: 0, ch: new Int32Array(m), uni: new Int32Array(m), cl: new Int32Array(m), lx: new Int32Array(m),
    ws: new Int32Array(m), we: new Int32Array(m), cmp: new Uint8Array(m), bi: new Int32Array(m), tri: new Int32Array(m),
    skip: new Int32Array(m), ls: new Int32Array(m), le: new Int32Array(m), li: new Int32Array(m),
  };
}

/** The hash of template t with values a, b, masked to `mask`. */
export function mix(t: number, a: number, b: number, mask: number): number {
  return mixSeeded(templateSeed(t), a, b, mask);
}

/** mix()'s first step for template t (contextKeys keeps those of its templates). */
function templateSeed(t: number): number {
  return Math.imul(t + 1, 0x9e3779b1);
}

/** mix() with the template's seed already computed. */
function mixSeeded(seed: number, a: number, b: number, mask: number): number {
  let h = Math.imul(a ^ seed, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ b, 0xc2b2ae35);
  h ^= h >>> 13;
  return h & mask;
}

/** Hash of the folded characters text[i, i + len), as prepare() computes it (lexicon.ts). */
export function stringHash(text: string, i: number, len: number): number {
  let h = HASH_SEED;
  for (let k = 0; k < len; k++) h = step(h, fold(text.charCodeAt(i + k)));
  return h;
}

/**
 * Prepare text[from, to) for scoring (reading PAD characters of context on each side): `vocab` maps a
 * folded code unit to its character row (UNKNOWN when absent); `lexicon` holds the word lists.
 */
export function prepare(text: string, from: number, to: number, vocab: Uint16Array, bits: TableBits, lexicon: Lexicon): Window {
  const n = to - from;
  if (win.ch.length < n + 2 * PAD) win = alloc(Math.max(n, win.ch.length * 2));
  const w = win;
  w.n = n;
  const base = from - PAD;
  const m = n + 2 * PAD;
  const len = text.length;
  const { ch, uni, cl, lx, ws, we, cmp } = w;
  ws.fill(0, 0, m);
  we.fill(0, 0, m);
  cmp.fill(0, 0, m);
  for (let j = 0; j < m; j++) {
    const i = base + j;
    if (i < 0 || i >= len) {
      ch[j] = EDGE_CODE;
      uni[j] = EDGE;
      cl[j] = 0;
      lx[j] = 128;
      continue;
    }
    const c = text.charCodeAt(i);
    const f = fold(c);
    ch[j] = f;
    uni[j] = vocab[f];
    cl[j] = CLASS[c];
    lx[j] = LEX[c];
  }
  const biMask = (1 << bits.bi) - 1;
  const triMask = (1 << bits.tri) - 1;
  const skipMask = (1 << bits.skip) - 1;
  // rowsAt reads the n-gram hashes from 2 before the first position to 1 after the last (bigrams); the rest of the
  // context is never scored.
  for (let j = PAD - 2; j < n + PAD + 2; j++) {
    const a = ch[j];
    const b = j + 1 < m ? ch[j + 1] : EDGE_CODE;
    const c = j + 2 < m ? ch[j + 2] : EDGE_CODE;
    w.bi[j] = mix(1, a, b, biMask);
    w.tri[j] = mix(2, (a << 16) | b, c, triMask);
    w.skip[j] = mix(3, a, c, skipMask);
  }
  const lo = Math.max(0, base);
  const hi = Math.min(len, base + m);
  for (let i = lo; i < hi; i++) {
    if (!WORDS.startsWith(text.charCodeAt(i))) continue;
    const word = WORDS.at(text, i);
    if (word === undefined) continue;
    const k = KIND.get(word)!;
    ws[i - base] |= k;
    const e = i + word.length - 1 - base;
    if (e < m) we[e] |= k;
  }
  for (let i = lo; i + 1 < hi; i++) {
    if (COMPOUND_FIRST[text.charCodeAt(i)] === 1 && COMPOUND.has(text.slice(i, i + 2))) cmp[i - base] = 1;
  }
  lists(w, m, n + PAD, lexicon);
  return w;
}

/**
 * The word-list bits ls, le, li of the window's m positions (edges hold no word). Only strings starting before
 * `startsBefore` (the end of the scored positions) are looked up: contextKeys reads no list bit of a later string.
 */
function lists(w: Window, m: number, startsBefore: number, lexicon: Lexicon): void {
  const { ch, ls, le, li } = w;
  ls.fill(0, 0, m);
  le.fill(0, 0, m);
  li.fill(0, 0, m);
  for (let j = 0; j < startsBefore && j + MIN_LEN <= m; j++) {
    if (!isIdeograph(ch[j])) continue;
    let h = step(HASH_SEED, ch[j]);
    for (let len = 1; len < MAX_LEN && j + len < m; len++) {
      const c = ch[j + len];
      if (!isIdeograph(c)) break;
      h = step(h, c);
      const bitsHere = lexicon.lookup(h);
      if (bitsHere === 0) continue;
      const shift = (len + 1 - MIN_LEN) * LIST_BITS;
      ls[j] |= bitsHere << shift;
      le[j + len] |= bitsHere << shift;
      for (let k = j + 1; k < j + len; k++) li[k] |= bitsHere;
    }
  }
}


/** The template seeds of contextKeys: mix()'s first step for templates 10…27, computed once. */
const CTX_SEEDS = Int32Array.from({ length: NCTX }, (_, c) => templateSeed(10 + c));
// The two values each template hashes (mix's a and b), gathered before one loop hashes them all: 18 calls of mix
// at 18 sites are more than V8 inlines, and the loop is cheaper than the calls.
const ctxA = new Int32Array(NCTX);
const ctxB = new Int32Array(NCTX);

/**
 * Writes the NCTX context-table rows of window position k into out[o, o + NCTX), each plus `base` (where the
 * context segment starts): mix(10 + c, a, b, mask) of template c's values.
 */
export function contextKeys(w: Window, k: number, mask: number, out: Int32Array, o: number, base = 0): void {
  const j = k + PAD;
  const ch = w.ch;
  const lx = w.lx;
  const cl = w.cl;
  const A = ctxA;
  const B = ctxB;
  const c0 = ch[j];
  const l0 = lx[j];
  const lm1 = lx[j - 1];
  const lp1 = lx[j + 1];
  const endPrev = w.we[j - 1];
  const startNext = w.ws[j + 1];
  A[0] = cl[j - 2] | (cl[j - 1] << 3) | (cl[j] << 6) | (cl[j + 1] << 9) | (cl[j + 2] << 12); B[0] = 0;
  A[1] = l0; B[1] = lm1;
  A[2] = l0; B[2] = lp1;
  A[3] = (lm1 << 8) | l0; B[3] = lp1;
  A[4] = endPrev; B[4] = l0;
  A[5] = startNext; B[5] = l0;
  A[6] = w.ws[j + 2]; B[6] = (l0 << 8) | lp1;
  A[7] = w.ws[j + 3]; B[7] = endPrev;
  A[8] = w.ws[j]; B[8] = w.we[j];
  A[9] = endPrev; B[9] = c0;
  A[10] = c0; B[10] = startNext;
  A[11] = w.cmp[j]; B[11] = (w.we[j - 2] << 8) | l0;
  A[12] = (lx[j - 2] << 8) | lm1; B[12] = (l0 << 8) | lp1;
  const ls = w.ls[j];
  const le = w.le[j];
  A[13] = ls; B[13] = 0;
  A[14] = le; B[14] = 0;
  A[15] = w.le[j - 1]; B[15] = ls;
  A[16] = w.li[j]; B[16] = (ls !== 0 ? 1 : 0) | (le !== 0 ? 2 : 0);
  // Whether a name-list string starts, ends or runs through here, with the character itself.
  A[17] = (any(ls) & LEX_NAME) | ((any(le) & LEX_NAME) << 1) | ((w.li[j] & LEX_NAME) << 2); B[17] = c0;
  for (let c = 0; c < NCTX; c++) out[o + c] = mixSeeded(CTX_SEEDS[c], A[c], B[c], mask) + base;
}

/** The lists of a per-length bit set (ls, le), whatever the length. */
function any(x: number): number {
  return (x | (x >>> LIST_BITS) | (x >>> (2 * LIST_BITS))) & ((1 << LIST_BITS) - 1);
}
