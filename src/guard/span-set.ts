/**
 * A set of [start, end) spans that answers "does any of them overlap this one?" in O(log n): sorted by start, with
 * the largest end so far beside each. The guard's combination steps ask it once per finding, so a text of tens of
 * thousands of findings (a hostile one: 张伟、 repeated) costs n log n, not n².
 */
export class SpanSet {
  readonly #starts: Int32Array;
  readonly #maxEnds: Int32Array;

  constructor(spans: Iterable<{ start: number; end: number }>) {
    const sorted = [...spans].sort((a, b) => a.start - b.start);
    this.#starts = new Int32Array(sorted.length);
    this.#maxEnds = new Int32Array(sorted.length);
    let max = -1;
    sorted.forEach((s, i) => {
      this.#starts[i] = s.start;
      if (s.end > max) max = s.end;
      this.#maxEnds[i] = max;
    });
  }

  get size(): number {
    return this.#starts.length;
  }

  /** Whether some span of the set overlaps [start, end) (shares at least one position). */
  overlaps(start: number, end: number): boolean {
    // The last span starting before `end`: among the spans that start before it, its running maximum end is the
    // largest, so some span overlaps exactly when that end lies after `start`.
    let lo = 0;
    let hi = this.#starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#starts[mid] < end) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && this.#maxEnds[lo - 1] > start;
  }
}
