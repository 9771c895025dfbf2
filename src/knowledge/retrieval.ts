/** Pure ranking helpers: reciprocal-rank fusion and brute-force cosine similarity. */

/**
 * Reciprocal-rank fusion (Cormack et al. 2009): score(d) = Σ_lists weight / (k + rank), rank from 1.
 * Robust to the incomparable scales of BM25 and cosine; k = 60 as in the paper.
 */
export function reciprocalRankFusion<T>(lists: ReadonlyArray<{ items: readonly T[]; weight?: number }>, key: (item: T) => string, k = 60): Array<{ item: T; score: number }> {
  const acc = new Map<string, { item: T; score: number }>();
  for (const { items, weight = 1 } of lists) {
    items.forEach((item, i) => {
      const id = key(item);
      const entry = acc.get(id);
      const add = weight / (k + i + 1);
      if (entry) entry.score += add;
      else acc.set(id, { item, score: add });
    });
  }
  return [...acc.values()].sort((a, b) => b.score - a.score);
}

/** How the lexical and dense rankings are combined (`knowledge.fusion`). */
export interface FusionSettings {
  /** `rrf`: reciprocal-rank fusion; `weighted`: a weighted sum of the max-normalised lexical score and the cosine. */
  method: 'rrf' | 'weighted';
  /** Share of the dense ranking, 0–1 (RRF: the dense list's weight against the lexical list's 1 − w). */
  denseWeight: number;
  /** RRF's k. */
  k: number;
}
export const DEFAULT_FUSION: FusionSettings = { method: 'rrf', denseWeight: 0.5, k: 60 };

/**
 * Fuses a lexical ranking (best first, any score scale) with a dense one (best first, cosine in [-1, 1]).
 * RRF needs no calibration and is the default; `weighted` keeps score gaps (a lexical hit far ahead of the rest
 * stays ahead) and suits a model whose cosines are well spread, e.g. bge-small-zh or m3e.
 */
export function fuseRankings<T>(lexical: ReadonlyArray<{ item: T; score: number }>, dense: ReadonlyArray<{ item: T; score: number }>, key: (item: T) => string, f: FusionSettings = DEFAULT_FUSION): Array<{ item: T; score: number }> {
  const w = Math.min(1, Math.max(0, f.denseWeight));
  if (f.method === 'rrf') {
    return reciprocalRankFusion([{ items: lexical.map((x) => x.item), weight: 1 - w }, { items: dense.map((x) => x.item), weight: w }], key, f.k);
  }
  const max = Math.max(0, ...lexical.map((x) => x.score)) || 1;
  const acc = new Map<string, { item: T; score: number }>();
  const add = (item: T, s: number) => {
    const id = key(item);
    const e = acc.get(id);
    if (e) e.score += s; else acc.set(id, { item, score: s });
  };
  for (const x of lexical) add(x.item, (1 - w) * (x.score / max));
  for (const x of dense) add(x.item, w * Math.max(0, x.score));
  return [...acc.values()].sort((a, b) => b.score - a.score);
}

export function encodeVector(v: Float32Array | readonly number[]): string {
  const f = v instanceof Float32Array ? v : Float32Array.from(v);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

export function decodeVector(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** Scales to unit length so a dot product is the cosine. */
export function normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n) || 1;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / n;
  return out;
}

/** The `k` nearest unit vectors to `query` by dot product. */
export function nearest(query: Float32Array, vectors: ReadonlyArray<{ id: string; v: Float32Array }>, k: number): Array<{ id: string; score: number }> {
  const scored: Array<{ id: string; score: number }> = [];
  for (const { id, v } of vectors) {
    if (v.length !== query.length) continue;
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i] * query[i];
    scored.push({ id, score: s });
  }
  scored.sort((a, b) => b.score - a.score);
  return scored.slice(0, k);
}
