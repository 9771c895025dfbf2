/**
 * Second-stage re-scoring of full-text candidates, in pure JS (no model): BM25 ranks by bag of tokens and
 * cannot tell a passage that states the query's phrase from one that mentions the same words apart. For the
 * top candidates this adds cheap signals to the (max-normalised) BM25 score:
 * - `cover`: share of the query's content characters that the passage contains inside a common substring of
 *   at least two characters (exact phrase matches of multi-character query spans), each character weighted by
 *   its rarity among the candidates (a character in every candidate says nothing);
 * - `span`: the longest such common substring, as a share of the query's content characters;
 * - `near`: proximity — the query words found in the passage, divided by the length of the shortest passage
 *   window that holds one occurrence of each (weighted like `cover`);
 * - `coord`: coordination — the share of the query's words (jieba, question words out; each weighted by the rarity
 *   of its characters) that the passage contains at all: a passage answering the question names all of its topics;
 * - `lead`: position — the same words, each discounted by how far into the passage it first appears: passages
 *   state their subject early (a news lead, a definition, a heading carried into the chunk), while a topical
 *   distractor mentions the query's subject in passing, late.
 * Weights were tuned on CMRC 2018 dev only; WebQA is held out (docs/BENCHMARKS.md).
 */

export interface RescoreWeights { cover: number; span: number; near: number; coord: number; lead: number }
/**
 * Fitted on the CMRC 2018 dev sets only (whole passages and answer windows, R@1 and MRR@5; WebQA test held out).
 * Proximity added nothing measurable there (`near` 0.25: −0.001 MRR@5 on the windows), so it is off by default and
 * computed only when weighted.
 */
export const DEFAULT_RESCORE_WEIGHTS: RescoreWeights = { cover: 4, span: 1, near: 0, coord: 0.5, lead: 1.5 };

export interface RescoreQuery {
  /** The query text as typed. */
  text: string;
  /** Query words (jieba, question words removed). */
  words: readonly string[];
  /** Characters that carry no topic (question words, particles): they never count as matched content. */
  isStopChar: (ch: string) => boolean;
}

const norm = (s: string) => s.normalize('NFKC').toLowerCase();
const CONTENT = /[\p{L}\p{N}]/u;

/** Re-ranks `items` (best first by BM25 `score`); returns new scores, best first. */
export function rescore<T>(items: ReadonlyArray<{ item: T; score: number; text: string }>, q: RescoreQuery, w: RescoreWeights = DEFAULT_RESCORE_WEIGHTS): Array<{ item: T; score: number }> {
  if (items.length < 2) return items.map(({ item, score }) => ({ item, score }));
  const texts = items.map((i) => norm(i.text));
  const qs = [...norm(q.text)];
  const content = qs.map((c) => CONTENT.test(c) && !q.isStopChar(c));
  // Rarity of each query character among the candidates: log(1 + n / df).
  const n = items.length;
  const weightOf = new Map<string, number>();
  for (const c of new Set(qs)) {
    let df = 0;
    for (const t of texts) if (t.includes(c)) df++;
    weightOf.set(c, Math.log(1 + n / (df + 0.5)));
  }
  let total = 0;
  qs.forEach((c, i) => { if (content[i]) total += weightOf.get(c)!; });
  const words = [...new Set(q.words.map(norm))].filter((x) => [...x].some((c) => CONTENT.test(c)));
  const wordWeight = new Map(words.map((x) => [x, [...x].reduce((s, c) => s + (weightOf.get(c) ?? Math.log(1 + n / 0.5)), 0)]));
  const wordTotal = [...wordWeight.values()].reduce((a, b) => a + b, 0);
  const max = Math.max(...items.map((i) => i.score)) || 1;
  return items.map((it, k) => {
    const t = texts[k];
    const { cover, span } = phraseCover(qs, content, weightOf, t);
    const near = w.near && wordTotal ? proximity(words, wordWeight, t) : 0;
    const { coord, lead } = (w.coord || w.lead) && wordTotal ? wordPresence(words, wordWeight, t) : { coord: 0, lead: 0 };
    const s = it.score / max + (total ? (w.cover * cover + w.span * span) / total : 0)
      + (wordTotal ? (w.near * near + w.coord * coord + w.lead * lead) / wordTotal : 0);
    return { item: it.item, score: s };
  }).sort((a, b) => b.score - a.score);
}

/**
 * `coord`: weight of the query words the passage contains; `lead`: the same, each word discounted by how far into
 * the passage it first appears (1 at the start, 0 at the end).
 */
function wordPresence(words: readonly string[], weight: Map<string, number>, t: string): { coord: number; lead: number } {
  let coord = 0, lead = 0;
  for (const x of words) {
    const p = t.indexOf(x);
    if (p < 0) continue;
    coord += weight.get(x)!;
    lead += weight.get(x)! * (1 - p / t.length);
  }
  return { coord, lead };
}

/** Weighted content characters of `qs` covered by common substrings (≥ 2 chars) with `t`, and the best single one. */
function phraseCover(qs: readonly string[], content: readonly boolean[], weightOf: Map<string, number>, t: string): { cover: number; span: number } {
  const covered = new Uint8Array(qs.length);
  let span = 0;
  for (let i = 0; i + 1 < qs.length; i++) {
    let len = 0;
    // Longest substring of the query starting at i that occurs in t.
    while (i + len < qs.length && t.includes(qs.slice(i, i + len + 1).join(''))) len++;
    if (len < 2) continue;
    let wsum = 0;
    for (let j = i; j < i + len; j++) {
      covered[j] = 1;
      if (content[j]) wsum += weightOf.get(qs[j])!;
    }
    if (wsum > span) span = wsum;
  }
  let cover = 0;
  covered.forEach((on, j) => { if (on && content[j]) cover += weightOf.get(qs[j])!; });
  return { cover, span };
}

/** Weight of the matched words times their density in the shortest window of `t` holding each of them once. */
function proximity(words: readonly string[], weight: Map<string, number>, t: string): number {
  const occ: Array<{ pos: number; w: number }> = [];
  const found: string[] = [];
  for (const x of words) {
    let p = t.indexOf(x);
    if (p < 0) continue;
    const wi = found.push(x) - 1;
    for (let guard = 0; p >= 0 && guard < 64; guard++) { occ.push({ pos: p, w: wi }); p = t.indexOf(x, p + 1); }
  }
  if (!found.length) return 0;
  occ.sort((a, b) => a.pos - b.pos);
  // Minimum window over the occurrence list covering every found word.
  const need = found.length;
  const have = new Map<number, number>();
  let best = Infinity;
  let lo = 0;
  for (let hi = 0; hi < occ.length; hi++) {
    have.set(occ[hi].w, (have.get(occ[hi].w) ?? 0) + 1);
    while (have.size === need) {
      const end = occ[hi].pos + found[occ[hi].w].length;
      best = Math.min(best, end - occ[lo].pos);
      const c = have.get(occ[lo].w)! - 1;
      if (c) have.set(occ[lo].w, c); else have.delete(occ[lo].w);
      lo++;
    }
  }
  const chars = found.reduce((s, x) => s + x.length, 0);
  const density = Math.min(1, chars / best);
  return found.reduce((s, x) => s + weight.get(x)!, 0) * density;
}
