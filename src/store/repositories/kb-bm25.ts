/**
 * BM25 over the knowledge index's posting lists (pure: no I/O), term at a time into one accumulator per chunk.
 * The formula is SQLite FTS5's bm25() — which Yumen ranked with before it kept its own index — so rankings did not
 * move: k1 1.2, b 0.75, idf = ln((N − df + 0.5) / (df + 0.5)), a field weight multiplying the term frequency inside
 * the saturation, and the chunk's token count over the average for length normalisation. N, df and the average are
 * those of the bases searched together.
 *
 * Cost is bounded by what is read, and the plan decides that before reading:
 * - a term in at least half the chunks has no positive idf (FTS5 counted it 1e-6: a tie-breaker) and is not read —
 *   at 100,000 chunks such a term costs as much as the rest of a query together and changes no order above a tie;
 * - then, rarest first, terms are read until `maxPostings` postings; the commoner rest is left out. The rarest
 *   term is always read, so a query whose every term is common still answers.
 */


export const K1 = 1.2;
export const B = 0.75;

/** Default budget of postings read per search (all bases together). */
export const DEFAULT_MAX_POSTINGS = 200_000;

export interface RankTerm {
  key: string;
  /** Field weight (words 1, bigrams 0.5). */
  weight: number;
  /** Its posting lists: one per segment holding the term, tagged with the searched base's index. */
  lists: ReadonlyArray<{ base: number; df: number; postings: Uint8Array }>;
}

export interface RankBase {
  /** Live chunks. */
  docs: number;
  /** Their tokens, all fields. */
  tokens: number;
  /** One past the highest chunk number ever given out (the accumulator's size). */
  nextNum: number;
}

export interface PlannedTerm {
  key: string;
  df: number;
  idf: number;
  /** Why it was not read: in half the chunks or more (`common`), or past the postings budget (`budget`). */
  skipped: 'common' | 'budget' | null;
}

/** Which terms a search reads (see the module comment); the order of `terms` is kept. */
export function planTerms(terms: ReadonlyArray<{ key: string; df: number }>, docs: number, maxPostings: number): PlannedTerm[] {
  const plan: PlannedTerm[] = terms.map((t) => {
    const df = Math.min(t.df, docs);
    const idf = Math.log((docs - df + 0.5) / (df + 0.5));
    return { key: t.key, df, idf: idf > 0 ? idf : 1e-6, skipped: idf > 0 ? null : 'common' };
  });
  const present = plan.filter((p) => p.df > 0);
  const byRarity = present.filter((p) => p.skipped === null).sort((a, b) => a.df - b.df);
  if (!byRarity.length && present.length) {
    // Every term is common: read the rarest alone, so the search still ranks something.
    const rarest = present.reduce((a, b) => (b.df < a.df ? b : a));
    rarest.skipped = null;
    return plan;
  }
  let read = 0;
  byRarity.forEach((p, i) => {
    if (i > 0 && read + p.df > maxPostings) p.skipped = 'budget';
    else read += p.df;
  });
  return plan;
}

export interface Ranked { base: number; num: number; score: number }

/**
 * The best `limit` chunks by BM25 over the bases, best first (ties: lower base index, then lower number), with
 * the plan and the number of postings read.
 */
export function rankBm25(terms: readonly RankTerm[], bases: readonly RankBase[], limit: number, maxPostings = DEFAULT_MAX_POSTINGS): { top: Ranked[]; plan: PlannedTerm[]; postings: number } {
  const docs = bases.reduce((n, b) => n + b.docs, 0);
  const tokens = bases.reduce((n, b) => n + b.tokens, 0);
  const plan = planTerms(terms.map((t) => ({ key: t.key, df: t.lists.reduce((n, l) => n + l.df, 0) })), docs, maxPostings);
  const offsets: number[] = [];
  let size = 0;
  for (const b of bases) { offsets.push(size); size += b.nextNum; }
  let budget = 0;
  terms.forEach((t, i) => { if (plan[i].skipped === null) for (const l of t.lists) budget += l.df; });
  if (!docs || !budget || limit < 1) return { top: [], plan, postings: 0 };

  const avg = tokens / docs || 1;
  const { acc, touched } = scratch(size, budget);
  let nTouched = 0;
  let postings = 0;
  for (let i = 0; i < terms.length; i++) {
    const p = plan[i];
    if (p.skipped !== null) continue;
    const t = terms[i];
    // BM25's saturation with the constants folded: idf·f·(k1+1) / (f + k1·(1 − b) + k1·b·len/avg).
    const top = p.idf * (K1 + 1);
    const k0 = K1 * (1 - B);
    const kl = (K1 * B) / avg;
    for (const l of t.lists) {
      const base = offsets[l.base];
      const buf = l.postings;
      const end = buf.length;
      let pos = 0;
      let num = -1;
      while (pos < end) {
        // Three varints, decoded inline (this loop is most of a search's CPU).
        let x = buf[pos++];
        let gap = x & 0x7f;
        for (let shift = 128; x >= 0x80; shift *= 128) { x = buf[pos++]; gap += (x & 0x7f) * shift; }
        num = num < 0 ? gap : num + gap;
        x = buf[pos++];
        let v = x & 0x7f;
        for (let shift = 128; x >= 0x80; shift *= 128) { x = buf[pos++]; v += (x & 0x7f) * shift; }
        let tf = 1;
        if (v & 1) {
          x = buf[pos++];
          tf = x & 0x7f;
          for (let shift = 128; x >= 0x80; shift *= 128) { x = buf[pos++]; tf += (x & 0x7f) * shift; }
        }
        const at = base + num;
        if (at >= size) continue; // a number given out after the stats were read
        const f = t.weight * tf;
        if (acc[at] === 0) touched[nTouched++] = at;
        acc[at] += (top * f) / (f + k0 + kl * Math.floor(v / 2));
        postings++;
      }
    }
  }

  // Keep the best `limit` in a min-heap (by score, then by higher position so lower numbers win ties).
  const heap: number[] = [];
  const worse = (a: number, b: number) => acc[a] < acc[b] || (acc[a] === acc[b] && a > b);
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l], heap[m])) m = l;
      if (r < heap.length && worse(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  for (let k = 0; k < nTouched; k++) {
    const at = touched[k];
    if (heap.length < limit) {
      heap.push(at);
      for (let i = heap.length - 1; i > 0;) {
        const parent = (i - 1) >> 1;
        if (!worse(heap[i], heap[parent])) break;
        [heap[i], heap[parent]] = [heap[parent], heap[i]];
        i = parent;
      }
    } else if (worse(heap[0], at)) {
      heap[0] = at;
      down(0);
    }
  }
  heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
  const top = heap.map((at) => {
    let base = bases.length - 1;
    while (offsets[base] > at) base--;
    return { base, num: at - offsets[base], score: acc[at] };
  });
  for (let k = 0; k < nTouched; k++) acc[touched[k]] = 0;
  return { top, plan, postings };
}

// One accumulator for every search of the process, zeroed again through the touched list after each (a search
// ranks synchronously, so no two use it at once): a fresh 800 KB array per search at 100,000 chunks was a
// tenth of its time in allocation and garbage collection.
let shared = { acc: new Float64Array(0), touched: new Int32Array(0) };
function scratch(size: number, postings: number): { acc: Float64Array; touched: Int32Array } {
  if (shared.acc.length < size) shared = { acc: new Float64Array(Math.max(size, shared.acc.length * 2)), touched: shared.touched };
  if (shared.touched.length < postings) shared = { acc: shared.acc, touched: new Int32Array(Math.max(postings, shared.touched.length * 2)) };
  return shared;
}
