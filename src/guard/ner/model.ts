import * as F from './features.ts';
import type { EntityType, TableBits, Window } from './features.ts';
import { Lexicon } from './lexicon.ts';
import { BLOCK, rowSummer } from './simd.ts';
import type { RowSummer } from './simd.ts';

// Module bindings read once: under tsx every imported binding is a getter, too slow for the inner loops.
const { ENTITY_TYPES, NCTX, NT, O, PAD, UNI_SLOTS, BI_SLOTS, TRI_SLOTS, UNI_REACH } = F;
if (NT !== 7) throw new Error('packed emissions and the decoder hold exactly seven tags: update pack(), emissions() and decode() with the tag set');
const contextKeys = F.contextKeys;
const prepare = F.prepare;

/**
 * The character-level tagger: a linear model over the rows of features.ts with first-order tag
 * transitions, decoded by Viterbi. Trained as an averaged perceptron by bench/train-ner.ts; stored as
 * int8 weights (one scale) and int32 transitions.
 *
 * All weight rows live in one array, segment after segment: characters (dense, by vocabulary row), bigrams,
 * trigrams, skip-bigrams and context (hashed). A position's score for tag t is the sum of W[row · NT + t]
 * over its ROWS rows (rowsAt).
 *
 * For scoring, the int8 rows are packed (pack()): the seven weights of a row as biased bytes of two int32
 * words (tags 0–3 and 4–6), 8 bytes a row, summed in 16-bit lanes; the sums are exact.
 *
 * File layout (little-endian): "YNER" · u8 version · u8 nt · u8 nctx · u8 × 4 table bits (bi, tri, skip,
 * ctx) · f32 scale · i32 bias[nt] · i32 start[nt] · i32 trans[nt·nt] · u32 vocabulary size · u16 code
 * units (rows 2…) · u32 non-zero rows · rows × (varint row delta, u16 mask of the non-zero tags, i8 per non-zero tag), rows of the segments in order
 * of their offsets, each NT wide · u32 gates · gates × (u16 code unit, u8 GATE_OPEN or GATE_PAIRS) · u32 pairs ·
 * pairs × varint delta of (first << 16 | second), ascending · u8 lexicon bits · u32 entries ·
 * entries × (varint hash delta, u8 lists), hashes ascending.
 */
/** gate[c]: a name may start at c before any character but the listed pairs (gatePairs). */
export const GATE_OPEN = 1;
/** gate[c]: a name may start at c only before the characters listed with it (gatePairs). */
export const GATE_PAIRS = 2;

export interface NerModel {
  readonly bits: TableBits;
  readonly scale: number;
  /** Folded code unit → character row (0 unknown, 1 edge, 2… the vocabulary). */
  readonly vocab: Uint16Array;
  /** The code units of vocabulary rows 2…, in row order. */
  readonly chars: Uint16Array;
  readonly weights: Int8Array;
  /** The weights packed for scoring (pack()). */
  readonly packed: Int32Array;
  /** The same rows summed in WebAssembly SIMD (simd.ts), where available; absent, emissions() sums them. */
  readonly summer?: RowSummer | null;
  readonly bias: Int32Array;
  readonly start: Int32Array;
  readonly trans: Int32Array;
  /**
   * Characters that may start a name (from the training data), GATE_OPEN or GATE_PAIRS, and the character pairs
   * (first << 16 | second, ascending) that are the exceptions: the scanner tags windows around a name start
   * c·d when gate[c] is GATE_OPEN and c·d is not listed, or gate[c] is GATE_PAIRS and c·d is listed
   * (bench/train-ner.ts: nameGate).
   */
  readonly gate: Uint8Array;
  readonly gatePairs: Uint32Array;
  /** gatePairs as a set, for the scanner (a PairSet). */
  readonly gatePairSet: { has(pair: number): boolean };
  /** The word lists (lexicon.ts) as sorted string hashes and their list bits, and the table built from them. */
  readonly lexHashes: Uint32Array;
  readonly lexLists: Uint8Array;
  readonly lexicon: Lexicon;
}

/**
 * A set of character pairs (first << 16 | second) in an open-addressing table of int32. The scanner asks it at
 * almost every ideograph; a Set of such numbers (above 2^30, so not small integers) hashes each as a heap number,
 * several times slower.
 */
export class PairSet {
  readonly #slots: Int32Array;
  readonly #mask: number;
  readonly #shift: number;

  constructor(pairs: ArrayLike<number>) {
    const bits = Math.max(4, Math.ceil(Math.log2(pairs.length * 2 + 1)));
    this.#slots = new Int32Array(1 << bits);
    this.#mask = (1 << bits) - 1;
    this.#shift = 32 - bits;
    for (let k = 0; k < pairs.length; k++) {
      const key = pairs[k] | 0;
      // 0 marks an empty slot; no pair of ideographs is 0.
      if (key === 0) throw new Error('NER model is corrupt (gate pair 0)');
      let i = Math.imul(key, 0x9e3779b1) >>> this.#shift;
      while (this.#slots[i] !== 0 && this.#slots[i] !== key) i = (i + 1) & this.#mask;
      this.#slots[i] = key;
    }
  }

  has(pair: number): boolean {
    const key = pair | 0;
    const slots = this.#slots;
    for (let i = Math.imul(key, 0x9e3779b1) >>> this.#shift; ; i = (i + 1) & this.#mask) {
      const s = slots[i];
      if (s === key) return key !== 0;
      if (s === 0) return false;
    }
  }
}

/** The lookup table of word-list entries (hashes ascending, so the table is the same however they came). */
export function buildLexicon(hashes: Uint32Array, lists: Uint8Array): Lexicon {
  const bits = Math.max(10, Math.ceil(Math.log2(Math.max(1, hashes.length) * 2)));
  const lex = new Lexicon(bits);
  for (let i = 0; i < hashes.length; i++) lex.add(hashes[i], lists[i]);
  return lex;
}

export interface Span {
  type: EntityType;
  start: number;
  end: number;
  /**
   * Confidence in [0.7, 0.99]: 0.7 + 0.29·tanh(m / 100), m being the span's mean emission margin over "O"
   * in weight units. A span the decoder chose is a finding at its type's full level (the guard lowers
   * findings below 0.7 one level), and a wider margin scores higher.
   */
  score: number;
}

/** Rows a position's score sums: 7 characters, 4 bigrams, 3 trigrams, 1 skip-bigram, the context rows. */
export const ROWS = UNI_SLOTS + BI_SLOTS + TRI_SLOTS + 1 + NCTX;

/** Where each segment starts, in rows (a row is NT weights), for a vocabulary size. */
export interface Layout {
  uni: number;
  bi: number;
  tri: number;
  skip: number;
  ctx: number;
  size: number;
  bits: TableBits;
}

export function layout(vocabSize: number, bits: TableBits): Layout {
  const uni = 0;
  const bi = uni + vocabSize * UNI_SLOTS;
  const tri = bi + (1 << bits.bi) * BI_SLOTS;
  const skip = tri + (1 << bits.tri) * TRI_SLOTS;
  const ctx = skip + (1 << bits.skip);
  return { uni, bi, tri, skip, ctx, size: ctx + (1 << bits.ctx), bits };
}

/**
 * The ROWS weight rows of window position k (0-based inside the window) into out[o, o + ROWS).
 * The only definition of which weights score a position: scanner and trainer both go through it.
 */
export function rowsAt(w: Window, k: number, l: Layout, out: Int32Array, o: number): void {
  const j = k + PAD;
  const uni = w.uni;
  // Character at offset d from the position: its row's slot d + UNI_REACH.
  for (let d = -UNI_REACH; d <= UNI_REACH; d++) out[o++] = l.uni + uni[j + d] * UNI_SLOTS + d + UNI_REACH;
  // Bigram starting at offset s ∈ {−2, −1, 0, 1}: slot s + 2.
  for (let s = -2; s <= 1; s++) out[o++] = l.bi + w.bi[j + s] * BI_SLOTS + s + 2;
  // Trigram starting at offset s ∈ {−2, −1, 0}: slot s + 2.
  for (let s = -2; s <= 0; s++) out[o++] = l.tri + w.tri[j + s] * TRI_SLOTS + s + 2;
  out[o++] = l.skip + w.skip[j - 1];
  contextKeys(w, k, (1 << l.bits.ctx) - 1, out, o, l.ctx);
}

const MAGIC = 0x52454e59; // "YNER"
const VERSION = 3;
const NEG = -1e15;

/** Allowed transitions: I-X only after B-X or I-X. */
export function allowed(prev: number, next: number): boolean {
  if (next === O || (next & 1) === 1) return true;
  return prev === next - 1 || prev === next;
}

export function modelLayout(m: NerModel): Layout {
  return layout(m.chars.length + 2, m.bits);
}

export function encodeModel(m: NerModel): Uint8Array {
  const bytes: number[] = [];
  const u32 = (v: number): void => { bytes.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255); };
  u32(MAGIC);
  bytes.push(VERSION, NT, NCTX, m.bits.bi, m.bits.tri, m.bits.skip, m.bits.ctx);
  const f = new DataView(new ArrayBuffer(4));
  f.setFloat32(0, m.scale, true);
  for (let i = 0; i < 4; i++) bytes.push(f.getUint8(i));
  for (const v of m.bias) u32(v);
  for (const v of m.start) u32(v);
  for (const v of m.trans) u32(v);
  u32(m.chars.length);
  for (const c of m.chars) bytes.push(c & 255, c >>> 8);
  const rows: number[] = [];
  for (let r = 0; r < m.weights.length / NT; r++) {
    for (let t = 0; t < NT; t++) if (m.weights[r * NT + t] !== 0) { rows.push(r); break; }
  }
  u32(rows.length);
  let prev = 0;
  for (const r of rows) {
    let d = r - prev;
    prev = r;
    while (d >= 128) { bytes.push((d & 127) | 128); d >>>= 7; }
    bytes.push(d);
    let mask = 0;
    for (let t = 0; t < NT; t++) if (m.weights[r * NT + t] !== 0) mask |= 1 << t;
    bytes.push(mask & 255, mask >>> 8);
    for (let t = 0; t < NT; t++) if (m.weights[r * NT + t] !== 0) bytes.push(m.weights[r * NT + t] & 255);
  }
  const gates: number[] = [];
  for (let c = 0; c < 65536; c++) if (m.gate[c] !== 0) gates.push(c);
  u32(gates.length);
  for (const c of gates) bytes.push(c & 255, c >>> 8, m.gate[c]);
  u32(m.gatePairs.length);
  let prevPair = 0;
  for (const x of m.gatePairs) {
    let d = x - prevPair;
    prevPair = x;
    while (d >= 128) { bytes.push((d & 127) | 128); d = Math.floor(d / 128); }
    bytes.push(d);
  }
  u32(m.lexHashes.length);
  let prevHash = 0;
  for (let i = 0; i < m.lexHashes.length; i++) {
    let d = m.lexHashes[i] - prevHash;
    prevHash = m.lexHashes[i];
    while (d >= 128) { bytes.push((d & 127) | 128); d = Math.floor(d / 128); }
    bytes.push(d, m.lexLists[i]);
  }
  return Uint8Array.from(bytes);
}

function varint(bytes: Uint8Array, at: { p: number }): number {
  let d = 0;
  let scale = 1;
  for (;;) {
    const x = bytes[at.p++];
    if (x === undefined) throw new Error('NER model is corrupt (truncated)');
    d += (x & 127) * scale;
    if (x < 128) return d;
    scale *= 128;
  }
}

/** The vocabulary lookup table of a model's characters. */
export function vocabTable(chars: ArrayLike<number>): Uint16Array {
  const vocab = new Uint16Array(65536);
  for (let i = 0; i < chars.length; i++) vocab[chars[i]] = i + 2;
  return vocab;
}

export function decodeModel(bytes: Uint8Array): NerModel {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 16 || view.getUint32(0, true) !== MAGIC) throw new Error('not a Yumen NER model');
  if (bytes[4] !== VERSION || bytes[5] !== NT || bytes[6] !== NCTX) {
    throw new Error('NER model does not match this version of the feature templates');
  }
  const bits: TableBits = { bi: bytes[7], tri: bytes[8], skip: bytes[9], ctx: bytes[10] };
  const scale = view.getFloat32(11, true);
  let p = 15;
  const ints = (n: number): Int32Array => {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++, p += 4) a[i] = view.getInt32(p, true);
    return a;
  };
  const bias = ints(NT);
  const start = ints(NT);
  const trans = ints(NT * NT);
  const nChars = view.getUint32(p, true);
  p += 4;
  const chars = new Uint16Array(nChars);
  for (let i = 0; i < nChars; i++, p += 2) chars[i] = bytes[p] | (bytes[p + 1] << 8);
  const l = layout(nChars + 2, bits);
  const weights = new Int8Array(l.size * NT);
  const rows = view.getUint32(p, true);
  p += 4;
  let r = 0;
  const at = { p };
  for (let k = 0; k < rows; k++) {
    r += varint(bytes, at);
    p = at.p;
    const o = r * NT;
    if (o + NT > weights.length) throw new Error('NER model is corrupt (row out of range)');
    const mask = bytes[p] | (bytes[p + 1] << 8);
    p += 2;
    for (let t = 0; t < NT; t++) {
      if ((mask & (1 << t)) === 0) continue;
      const v = (bytes[p++] << 24) >> 24;
      if (v > WMAX || v < -WMAX) throw new Error('NER model is corrupt (weight out of range)');
      weights[o + t] = v;
    }
    at.p = p;
  }
  const gate = new Uint8Array(65536);
  const gates = view.getUint32(p, true);
  p += 4;
  for (let g = 0; g < gates; g++, p += 3) {
    if (bytes[p + 2] !== GATE_OPEN && bytes[p + 2] !== GATE_PAIRS) throw new Error('NER model is corrupt (gate)');
    gate[bytes[p] | (bytes[p + 1] << 8)] = bytes[p + 2];
  }
  const pairs = view.getUint32(p, true);
  at.p = p + 4;
  const gatePairs = new Uint32Array(pairs);
  let x = 0;
  for (let i = 0; i < pairs; i++) gatePairs[i] = x += varint(bytes, at);
  p = at.p;
  const entries = view.getUint32(p, true);
  at.p = p + 4;
  const lexHashes = new Uint32Array(entries);
  const lexLists = new Uint8Array(entries);
  let h = 0;
  for (let i = 0; i < entries; i++) {
    h += varint(bytes, at);
    lexHashes[i] = h;
    lexLists[i] = bytes[at.p++];
  }
  if (at.p !== bytes.length || h > 0xffffffff) throw new Error('NER model is corrupt (length)');
  const packed = pack(weights);
  const summer = rowSummer(packed, ROWS);
  return {
    bits, scale, vocab: vocabTable(chars), chars, weights, packed: summer?.packed ?? packed, summer, bias, start, trans, gate, gatePairs,
    gatePairSet: new PairSet(gatePairs), lexHashes, lexLists, lexicon: buildLexicon(lexHashes, lexLists),
  };
}

// Scratch buffers, grown on demand (the guard is single-threaded per process).
let rows = new Int32Array(ROWS * 256);
let emit = new Float64Array(NT * 256);
let score = new Float64Array(NT * 256);
let back = new Uint8Array(NT * 256);

function ensure(n: number): void {
  if (emit.length >= NT * n) return;
  const size = Math.max(n, (emit.length / NT) * 2);
  rows = new Int32Array(ROWS * size);
  emit = new Float64Array(NT * size);
  score = new Float64Array(NT * size);
  back = new Uint8Array(NT * size);
}

/** Largest weight magnitude: a weight plus LANE_BIAS must fit a byte. */
export const WMAX = 120;
/** Added to each weight so that it packs as an unsigned byte (8…248). */
const LANE_BIAS = 128;
/** Every position sums ROWS biased bytes per tag: at most ROWS · 255, which must fit a 16-bit lane. */
if (ROWS * 255 >= 65536) throw new Error('too many rows per position for packed emissions');
/** What the biases add to each tag's sum of a position. */
const ROW_BIAS = LANE_BIAS * ROWS;

/**
 * Pack int8 rows of NT = 7 weights into 8 bytes each: two int32 words of biased bytes, tags 0–3 and 4–6
 * (half the memory of the doubles used before 2026-12-07, at the same speed).
 */
export function pack(weights: Int8Array): Int32Array {
  const rows = weights.length / NT;
  const packed = new Int32Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    const o = r * NT;
    // No helper closure here: under tsx every closure created is named at run time, 525,000 times at start-up.
    packed[2 * r] = (weights[o] + LANE_BIAS) | ((weights[o + 1] + LANE_BIAS) << 8) | ((weights[o + 2] + LANE_BIAS) << 16) | ((weights[o + 3] + LANE_BIAS) << 24);
    packed[2 * r + 1] = (weights[o + 4] + LANE_BIAS) | ((weights[o + 5] + LANE_BIAS) << 8) | ((weights[o + 6] + LANE_BIAS) << 16);
  }
  return packed;
}

/**
 * Emission scores of the n positions of window w into e (NT per position) from the packed model. The bytes
 * of a word are summed two at a time in 16-bit lanes (even tags masked, odd tags shifted then masked), so a
 * row costs two loads and four additions, and no lane can overflow (ROWS · 255 < 65536).
 */
export function emissions(P: Int32Array, bias: Int32Array, l: Layout, w: Window, n: number, e: Float64Array, r: Int32Array): void {
  for (let i = 0; i < n; i++) rowsAt(w, i, l, r, i * ROWS);
  for (let i = 0; i < n; i++) {
    let t02 = 0;
    let t13 = 0;
    let t46 = 0;
    let t5 = 0;
    const ro = i * ROWS;
    for (let k = 0; k < ROWS; k++) {
      const x = 2 * r[ro + k];
      const lo = P[x];
      const hi = P[x + 1];
      t02 = (t02 + (lo & 0xff00ff)) | 0;
      t13 = (t13 + ((lo >>> 8) & 0xff00ff)) | 0;
      t46 = (t46 + (hi & 0xff00ff)) | 0;
      t5 = (t5 + ((hi >>> 8) & 0xff)) | 0;
    }
    const o = i * NT;
    e[o] = (t02 & 0xffff) - ROW_BIAS + bias[0];
    e[o + 1] = (t13 & 0xffff) - ROW_BIAS + bias[1];
    e[o + 2] = (t02 >>> 16) - ROW_BIAS + bias[2];
    e[o + 3] = (t13 >>> 16) - ROW_BIAS + bias[3];
    e[o + 4] = (t46 & 0xffff) - ROW_BIAS + bias[4];
    e[o + 5] = t5 - ROW_BIAS + bias[5];
    e[o + 6] = (t46 >>> 16) - ROW_BIAS + bias[6];
  }
}

/**
 * emissions() with the rows summed by a RowSummer, BLOCK positions a call: the same scores (a test holds the two
 * equal), about a third of the time (docs/BENCHMARKS.md).
 */
export function emissionsSimd(S: RowSummer, bias: Int32Array, l: Layout, w: Window, n: number, e: Float64Array): void {
  const rows = S.rows;
  const sums = S.sums;
  for (let from = 0; from < n; from += BLOCK) {
    const k = Math.min(BLOCK, n - from);
    for (let i = 0; i < k; i++) rowsAt(w, from + i, l, rows, i * ROWS);
    S.sum(k);
    for (let i = 0; i < k; i++) {
      const o = (from + i) * NT;
      const q = i * 8;
      for (let t = 0; t < NT; t++) e[o + t] = sums[q + t] - ROW_BIAS + bias[t];
    }
  }
}

/** Emission scores from unpacked weights W (NT per row): the trainer's float weights. */
export function emissionsOf(W: Float64Array, bias: Float64Array, l: Layout, w: Window, n: number, e: Float64Array, r: Int32Array): void {
  for (let i = 0; i < n; i++) rowsAt(w, i, l, r, i * ROWS);
  for (let i = 0; i < n; i++) {
    const o = i * NT;
    for (let t = 0; t < NT; t++) e[o + t] = bias[t];
    const ro = i * ROWS;
    for (let k = 0; k < ROWS; k++) {
      const b = r[ro + k] * NT;
      for (let t = 0; t < NT; t++) e[o + t] += W[b + t];
    }
  }
}

/** The previous position's scores, read by the decoder's loop over predecessors. */
const prevScores = new Float64Array(NT);

/**
 * The best tag sequence for emissions e of n positions, written to tags[0, n). The sequence starts in O or
 * B-* (a window may start inside running text, like a sentence) and ends in any tag. `tr` holds the
 * transition scores with the disallowed ones at NEG; s and bk are scratch of n·NT.
 *
 * Written for the seven tags (checked at load): the previous position's scores stay in locals, O and each B-X
 * take the best of all seven predecessors, each I-X of B-X and I-X only (allowed(); the other five carry NEG in
 * `tr` and could never win). Ties go to the lower predecessor.
 */
export function decode(e: Float64Array, n: number, start: ArrayLike<number>, tr: Float64Array, s: Float64Array, bk: Uint8Array, tags: Uint8Array): void {
  if (n <= 0) return;
  let s0 = start[0] + e[0];
  let s1 = start[1] + e[1];
  let s2 = NEG;
  let s3 = start[3] + e[3];
  let s4 = NEG;
  let s5 = start[5] + e[5];
  let s6 = NEG;
  s[0] = s0; s[1] = s1; s[2] = s2; s[3] = s3; s[4] = s4; s[5] = s5; s[6] = s6;
  const prev = prevScores;
  for (let i = 1; i < n; i++) {
    const q = i * NT;
    prev[1] = s1; prev[2] = s2; prev[3] = s3; prev[4] = s4; prev[5] = s5; prev[6] = s6;
    // O, B-PER, B-LOC, B-ORG: from any tag.
    let b0 = s0 + tr[0];
    let b1 = s0 + tr[1];
    let b3 = s0 + tr[3];
    let b5 = s0 + tr[5];
    let a0 = 0;
    let a1 = 0;
    let a3 = 0;
    let a5 = 0;
    for (let u = 1; u < NT; u++) {
      const su = prev[u];
      const r = u * NT;
      let v = su + tr[r];
      if (v > b0) { b0 = v; a0 = u; }
      v = su + tr[r + 1];
      if (v > b1) { b1 = v; a1 = u; }
      v = su + tr[r + 3];
      if (v > b3) { b3 = v; a3 = u; }
      v = su + tr[r + 5];
      if (v > b5) { b5 = v; a5 = u; }
    }
    // I-X: from B-X or I-X.
    let b2 = s1 + tr[1 * NT + 2];
    let a2 = 1;
    let v = s2 + tr[2 * NT + 2];
    if (v > b2) { b2 = v; a2 = 2; }
    let b4 = s3 + tr[3 * NT + 4];
    let a4 = 3;
    v = s4 + tr[4 * NT + 4];
    if (v > b4) { b4 = v; a4 = 4; }
    let b6 = s5 + tr[5 * NT + 6];
    let a6 = 5;
    v = s6 + tr[6 * NT + 6];
    if (v > b6) { b6 = v; a6 = 6; }
    s0 = b0 + e[q]; s1 = b1 + e[q + 1]; s2 = b2 + e[q + 2]; s3 = b3 + e[q + 3]; s4 = b4 + e[q + 4]; s5 = b5 + e[q + 5]; s6 = b6 + e[q + 6];
    s[q] = s0; s[q + 1] = s1; s[q + 2] = s2; s[q + 3] = s3; s[q + 4] = s4; s[q + 5] = s5; s[q + 6] = s6;
    bk[q] = a0; bk[q + 1] = a1; bk[q + 2] = a2; bk[q + 3] = a3; bk[q + 4] = a4; bk[q + 5] = a5; bk[q + 6] = a6;
  }
  let last = 0;
  const l = (n - 1) * NT;
  for (let t = 1; t < NT; t++) if (s[l + t] > s[l + last]) last = t;
  for (let i = n - 1; i >= 0; i--) {
    tags[i] = last;
    last = bk[i * NT + last];
  }
}

/** Transition scores with the disallowed ones at NEG. */
export function maskedTransitions(trans: ArrayLike<number>): Float64Array {
  const tr = new Float64Array(NT * NT);
  for (let s = 0; s < NT; s++) for (let t = 0; t < NT; t++) tr[s * NT + t] = allowed(s, t) ? trans[s * NT + t] : NEG;
  return tr;
}

const masked = new WeakMap<NerModel, { tr: Float64Array; layout: Layout }>();

function compiled(m: NerModel): { tr: Float64Array; layout: Layout } {
  let c = masked.get(m);
  if (c === undefined) {
    c = { tr: maskedTransitions(m.trans), layout: modelLayout(m) };
    masked.set(m, c);
  }
  return c;
}

/** The best tag sequence for text[from, to), written to tags[0, to - from); emissions stay in `emit`. */
export function viterbi(m: NerModel, text: string, from: number, to: number, tags: Uint8Array): void {
  const n = to - from;
  if (n <= 0) return;
  ensure(n);
  const c = compiled(m);
  const w = prepare(text, from, to, m.vocab, m.bits, m.lexicon);
  if (m.summer) emissionsSimd(m.summer, m.bias, c.layout, w, n, emit);
  else emissions(m.packed, m.bias, c.layout, w, n, emit, rows);
  decode(emit, n, m.start, c.tr, score, back, tags);
}

/** Spans of the tags of text[from, …), with scores from the emission margins in `emit`. */
export function spansOf(m: NerModel, tags: Uint8Array, from: number, n: number, out: Span[]): void {
  for (let i = 0; i < n; i++) {
    const t = tags[i];
    if (t === O || (t & 1) === 0) continue;
    const inside = t + 1;
    let j = i + 1;
    while (j < n && tags[j] === inside) j++;
    let margin = 0;
    for (let k = i; k < j; k++) margin += emit[k * NT + tags[k]] - emit[k * NT + O];
    const x = (margin / (j - i)) / m.scale;
    out.push({ type: ENTITY_TYPES[(t - 1) >> 1], start: from + i, end: from + j, score: 0.7 + 0.29 * Math.tanh(Math.max(0, x) / 100) });
    i = j - 1;
  }
}

let tagBuf = new Uint8Array(256);

/** Tag the whole text (training-time evaluation and tests); the scanner tags candidate windows. */
export function tagText(m: NerModel, text: string): Span[] {
  const out: Span[] = [];
  if (text.length === 0) return out;
  if (tagBuf.length < text.length) tagBuf = new Uint8Array(text.length * 2);
  viterbi(m, text, 0, text.length, tagBuf);
  spansOf(m, tagBuf, 0, text.length, out);
  return out;
}
