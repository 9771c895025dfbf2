/**
 * Results of recently scanned texts, so that a text seen again is not scanned again. A chat client sends the
 * whole conversation with every turn, so all but the newest message of a request were scanned before (and a
 * retried request, or a system prompt every request carries, is seen again whole).
 *
 * Keyed by the text itself (exact: no hash collision can hand one text another's result), least recently
 * used first out. Only texts up to `maxChars` are kept, so the cache holds at most maxEntries · maxChars
 * characters of recent messages, in this process's memory only, as the request that brought them did.
 */
export class TextCache<V> {
  readonly maxEntries: number;
  readonly maxChars: number;
  readonly #map = new Map<string, V>();
  hits = 0;
  misses = 0;

  constructor(maxEntries = 256, maxChars = 2048) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new TypeError('maxEntries must be a non-negative integer');
    this.maxEntries = maxEntries;
    this.maxChars = maxChars;
  }

  /** Whether text is short enough to be cached. */
  fits(text: string): boolean {
    return this.maxEntries > 0 && text.length <= this.maxChars;
  }

  get(text: string): V | undefined {
    const value = this.#map.get(text);
    if (value === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Most recently used goes last.
    this.#map.delete(text);
    this.#map.set(text, value);
    return value;
  }

  /** Keep the value for text, and return it. The cache takes it as it is: neither the caller nor a reader may change it. */
  set(text: string, value: V): V {
    if (!this.fits(text)) return value;
    if (this.#map.size >= this.maxEntries) this.#map.delete(this.#map.keys().next().value!);
    this.#map.set(text, value);
    return value;
  }

  get size(): number {
    return this.#map.size;
  }
}

