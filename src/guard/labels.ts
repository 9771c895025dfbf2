/**
 * "Is there a label just before this position?" as a backward character scan over a short window, in place
 * of `…[^\n]{0,N}$`-anchored patterns on a slice. A label table groups its words by last character.
 */
export class LabelSet {
  readonly #byLast = new Map<number, string[]>();
  readonly #last = new Uint8Array(65536);

  constructor(words: readonly string[]) {
    for (const w of words) {
      const c = w.charCodeAt(w.length - 1);
      this.#last[c] = 1;
      let b = this.#byLast.get(c);
      if (!b) this.#byLast.set(c, (b = []));
      b.push(w);
    }
  }

  /** Length of the longest word that ends at `e` and starts at or after `from`, or 0. */
  longestEndingAt(text: string, e: number, from: number): number {
    if (e <= from || this.#last[text.charCodeAt(e - 1)] === 0) return 0;
    let best = 0;
    for (const w of this.#byLast.get(text.charCodeAt(e - 1))!) {
      if (w.length > best && e - w.length >= from && text.startsWith(w, e - w.length)) best = w.length;
    }
    return best;
  }

  /**
   * True when one of the words ends at `e` and starts at or after `from`, e ≤ text.length.
   */
  endsAt(text: string, e: number, from: number): boolean {
    if (e <= from || this.#last[text.charCodeAt(e - 1)] === 0) return false;
    for (const w of this.#byLast.get(text.charCodeAt(e - 1))!) {
      const s = e - w.length;
      if (s >= from && text.startsWith(w, s)) return true;
    }
    return false;
  }

  /**
   * Same as testing `(?:words)[^\n]{0,gap}$` (or `[^\d\n]` with noDigits) against
   * text.slice(max(0, pos - window), pos).
   */
  before(text: string, pos: number, window: number, gap: number, noDigits: boolean): boolean {
    const from = pos > window ? pos - window : 0;
    for (let k = 0; k <= gap; k++) {
      const e = pos - k;
      if (e <= from) return false;
      if (k > 0) {
        const c = text.charCodeAt(e);
        if (c === 10 || (noDigits && c >= 48 && c <= 57)) return false;
      }
      if (this.endsAt(text, e, from)) return true;
    }
    return false;
  }
}

