/**
 * Fast lookup of a small set of keywords (labels, titles, gazetteer names): a 64 K table of first
 * characters lets the scan skip every position that cannot start a keyword; candidates are checked with
 * startsWith, longest keyword first.
 */
export class KeywordIndex {
  readonly #first = new Uint8Array(65536);
  readonly #buckets = new Map<number, string[]>();

  constructor(words: Iterable<string>) {
    for (const w of new Set(words)) {
      if (!w) continue;
      const c = w.charCodeAt(0);
      this.#first[c] = 1;
      let b = this.#buckets.get(c);
      if (!b) this.#buckets.set(c, (b = []));
      b.push(w);
    }
    for (const b of this.#buckets.values()) b.sort((x, y) => y.length - x.length);
  }

  /** The longest keyword starting at `pos`, or undefined. */
  at(text: string, pos: number): string | undefined {
    const c = text.charCodeAt(pos);
    if (this.#first[c] === 0) return undefined;
    for (const w of this.#buckets.get(c)!) if (text.startsWith(w, pos)) return w;
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
