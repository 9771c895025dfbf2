import * as F from './features.ts';
import type { Window } from './features.ts';

// Module bindings read once: under tsx every imported binding is a getter, too slow for the inner loops.
const { B_ADR, B_PER, HASH_BITS, I_ADR, I_PER, NF, NT, O } = F;
const features = F.features;
const prepare = F.prepare;

/**
 * The character-level tagger: a linear model over hashed features (features.ts) with first-order tag
 * transitions, decoded by Viterbi. Trained as an averaged perceptron by bench/train-ner.ts; stored as
 * int8 emission weights (one row of NT per hash bucket, zero rows left out) and int32 transitions.
 *
 * File layout (little-endian): "YNER" u8 version u8 hashBits u8 nt u8 nf · f32 scale · i32 start[nt] ·
 * i32 trans[nt*nt] · u32 rows · rows × (varint bucket delta, nt × i8) · u32 gates · gates × u16 code unit.
 */
export interface NerModel {
  readonly hashBits: number;
  readonly scale: number;
  readonly weights: Int8Array;
  readonly start: Int32Array;
  readonly trans: Int32Array;
  /** Characters that may start a name (from the training data): the scanner tags windows around them. */
  readonly gate: Uint8Array;
}

export interface Span {
  type: 'person_name' | 'address';
  start: number;
  end: number;
  /**
   * Confidence in [0.7, 0.99]: 0.7 + 0.29·tanh(m / 100), m being the span's mean emission margin over "O"
   * in weight units (typically 50–150 on the dev sets). A span the decoder chose is a finding at its type's full level (the guard lowers
   * findings below 0.7 one level), and a wider margin scores higher.
   */
  score: number;
}

const MAGIC = 0x52454e59; // "YNER"
const NEG = -1e15;

/** Allowed transitions: I-X only after B-X or I-X. */
export function allowed(prev: number, next: number): boolean {
  if (next === I_PER) return prev === B_PER || prev === I_PER;
  if (next === I_ADR) return prev === B_ADR || prev === I_ADR;
  return true;
}

export function encodeModel(m: NerModel): Uint8Array {
  const rows: number[] = [];
  for (let b = 0; b < m.weights.length / NT; b++) {
    for (let t = 0; t < NT; t++) if (m.weights[b * NT + t] !== 0) { rows.push(b); break; }
  }
  const bytes: number[] = [];
  const u32 = (v: number): void => { bytes.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255); };
  u32(MAGIC);
  bytes.push(1, m.hashBits, NT, NF);
  const f = new DataView(new ArrayBuffer(4));
  f.setFloat32(0, m.scale, true);
  for (let i = 0; i < 4; i++) bytes.push(f.getUint8(i));
  for (const v of m.start) u32(v);
  for (const v of m.trans) u32(v);
  u32(rows.length);
  let prev = 0;
  for (const b of rows) {
    let d = b - prev;
    prev = b;
    while (d >= 128) { bytes.push((d & 127) | 128); d >>>= 7; }
    bytes.push(d);
    for (let t = 0; t < NT; t++) bytes.push(m.weights[b * NT + t] & 255);
  }
  const gates: number[] = [];
  for (let c = 0; c < 65536; c++) if (m.gate[c] === 1) gates.push(c);
  u32(gates.length);
  for (const c of gates) bytes.push(c & 255, c >>> 8);
  return Uint8Array.from(bytes);
}

export function decodeModel(bytes: Uint8Array): NerModel {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new Error('not a Yumen NER model');
  const hashBits = bytes[5];
  if (bytes[4] !== 1 || bytes[6] !== NT || bytes[7] !== NF || hashBits !== HASH_BITS) {
    throw new Error('NER model does not match this version of the feature templates');
  }
  const scale = view.getFloat32(8, true);
  let p = 12;
  const start = new Int32Array(NT);
  for (let t = 0; t < NT; t++, p += 4) start[t] = view.getInt32(p, true);
  const trans = new Int32Array(NT * NT);
  for (let t = 0; t < NT * NT; t++, p += 4) trans[t] = view.getInt32(p, true);
  const rows = view.getUint32(p, true);
  p += 4;
  const weights = new Int8Array(NT << hashBits);
  let b = 0;
  for (let r = 0; r < rows; r++) {
    let d = 0;
    let shift = 0;
    for (;;) {
      const x = bytes[p++];
      d |= (x & 127) << shift;
      if (x < 128) break;
      shift += 7;
    }
    b += d;
    for (let t = 0; t < NT; t++) weights[b * NT + t] = (bytes[p++] << 24) >> 24;
  }
  const gate = new Uint8Array(65536);
  const gates = view.getUint32(p, true);
  p += 4;
  for (let g = 0; g < gates; g++, p += 2) gate[bytes[p] | (bytes[p + 1] << 8)] = 1;
  return { hashBits, scale, weights, start, trans, gate };
}

// Scratch buffers, grown on demand (the guard is single-threaded per process).
let feats = new Int32Array(NF * 256);
let emit = new Float64Array(NT * 256);
let score = new Float64Array(NT * 256);
let back = new Uint8Array(NT * 256);

function ensure(n: number): void {
  if (emit.length >= NT * n) return;
  const size = Math.max(n, (emit.length / NT) * 2);
  feats = new Int32Array(NF * size);
  emit = new Float64Array(NT * size);
  score = new Float64Array(NT * size);
  back = new Uint8Array(NT * size);
}

/** Emission scores of text[from, to) into `emit` (NT per position). */
function emissions(m: NerModel, win: Window, n: number): void {
  const w = m.weights;
  for (let i = 0; i < n; i++) {
    features(win, i, feats, 0);
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0;
    for (let k = 0; k < NF; k++) {
      const b = feats[k] * NT;
      s0 += w[b];
      s1 += w[b + 1];
      s2 += w[b + 2];
      s3 += w[b + 3];
      s4 += w[b + 4];
    }
    const e = i * NT;
    emit[e] = s0; emit[e + 1] = s1; emit[e + 2] = s2; emit[e + 3] = s3; emit[e + 4] = s4;
  }
}

const masked = new WeakMap<NerModel, Float64Array>();

/** The transition scores with the disallowed ones at NEG. */
function transitions(m: NerModel): Float64Array {
  let tr = masked.get(m);
  if (tr === undefined) {
    tr = new Float64Array(NT * NT);
    for (let s = 0; s < NT; s++) for (let t = 0; t < NT; t++) tr[s * NT + t] = allowed(s, t) ? m.trans[s * NT + t] : NEG;
    masked.set(m, tr);
  }
  return tr;
}

/**
 * The best tag sequence for text[from, to), written to tags[0, to - from). A window may start or end
 * inside running text: it starts in O or B-*, like a sentence, and ends in any tag.
 */
export function viterbi(m: NerModel, text: string, from: number, to: number, tags: Uint8Array): void {
  const n = to - from;
  if (n <= 0) return;
  ensure(n);
  emissions(m, prepare(text, from, to), n);
  const tr = transitions(m);
  for (let t = 0; t < NT; t++) score[t] = t === I_PER || t === I_ADR ? NEG : m.start[t] + emit[t];
  for (let i = 1; i < n; i++) {
    const p = (i - 1) * NT;
    const q = p + NT;
    for (let t = 0; t < NT; t++) {
      let best = score[p] + tr[t];
      let arg = 0;
      for (let s = 1; s < NT; s++) {
        const v = score[p + s] + tr[s * NT + t];
        if (v > best) { best = v; arg = s; }
      }
      score[q + t] = best + emit[q + t];
      back[q + t] = arg;
    }
  }
  let last = 0;
  const l = (n - 1) * NT;
  for (let t = 1; t < NT; t++) if (score[l + t] > score[l + last]) last = t;
  for (let i = n - 1; i >= 0; i--) {
    tags[i] = last;
    last = back[i * NT + last];
  }
}

/** Spans of the tags of text[from, …), with scores from the emission margins in `emit`. */
export function spansOf(m: NerModel, tags: Uint8Array, from: number, n: number, out: Span[]): void {
  for (let i = 0; i < n; i++) {
    const t = tags[i];
    if (t !== B_PER && t !== B_ADR) continue;
    const inside = t === B_PER ? I_PER : I_ADR;
    let j = i + 1;
    while (j < n && tags[j] === inside) j++;
    let margin = 0;
    for (let k = i; k < j; k++) margin += emit[k * NT + tags[k]] - emit[k * NT + O];
    const x = (margin / (j - i)) / m.scale;
    const type = t === B_PER ? 'person_name' : 'address';
    out.push({ type, start: from + i, end: from + j, score: 0.7 + 0.29 * Math.tanh(Math.max(0, x) / 100) });
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
