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
