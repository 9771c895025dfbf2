/**
 * Fast lookup of a small set of keywords (labels, titles, gazetteer names): a 64 K table of first
 * characters lets the scan skip every position that cannot start a keyword, and a small hashed table of
 * (first, second) character pairs skips most of the rest without touching the word lists; candidates are
 * checked with startsWith, longest keyword first.
 */
const PAIR_BITS = 16;
const PAIR_MASK = (1 << PAIR_BITS) - 1;
/** Size of a table indexed by {@link pairHash}. */
export const PAIR_TABLE_SIZE = PAIR_MASK + 1;

export function pairHash(c0: number, c1: number): number {
  return (Math.imul(c0, 0x9e3779b1) ^ c1) & PAIR_MASK;
}

export class KeywordIndex {
  /** 1: some keyword starts with this code unit; 2: and one of them is a single character. */
  readonly #first = new Uint8Array(65536);
  readonly #pairs = new Uint8Array(PAIR_MASK + 1);
  readonly #buckets: Array<string[] | undefined> = [];

  constructor(words: Iterable<string>) {
    for (const w of new Set(words)) {
      if (!w) continue;
      const c = w.charCodeAt(0);
      if (w.length === 1) this.#first[c] = 2;
      else {
        if (this.#first[c] === 0) this.#first[c] = 1;
        this.#pairs[pairHash(c, w.charCodeAt(1))] = 1;
      }
      let b = this.#buckets[c];
      if (!b) this.#buckets[c] = b = [];
      b.push(w);
    }
    for (const b of this.#buckets) if (b) b.sort((x, y) => y.length - x.length);
  }

  /** Whether some keyword starts with code unit `c`. */
  startsWith(c: number): boolean {
    return this.#first[c] !== 0;
  }

  /**
   * The lookup tables, for callers that test candidates inline: first[c] (0 none, 1 keywords of two or
   * more characters, 2 also a one-character keyword) and pairs[pairHash(c0, c1)] (1: some keyword may start so).
   */
  tables(): { first: Uint8Array; pairs: Uint8Array } {
    return { first: this.#first, pairs: this.#pairs };
  }

  /** The longest keyword starting at `pos`, or undefined. */
  at(text: string, pos: number): string | undefined {
    if (pos < 0 || pos >= text.length) return undefined;
    const c = text.charCodeAt(pos);
    const f = this.#first[c];
    if (f === 0) return undefined;
    if (f === 1 && (pos + 1 >= text.length || this.#pairs[pairHash(c, text.charCodeAt(pos + 1))] === 0)) return undefined;
    for (const w of this.#buckets[c]!) if (text.startsWith(w, pos)) return w;
    return undefined;
  }

  /** Leftmost-longest, non-overlapping occurrences as [start, keyword] pairs. */
  findAll(text: string): Array<[number, string]> {
    const found: Array<[number, string]> = [];
    const first = this.#first;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      if (first[text.charCodeAt(i)] === 0) continue;
      const w = this.at(text, i);
      if (w !== undefined) {
        found.push([i, w]);
        i += w.length - 1;
      }
    }
    return found;
  }
}
