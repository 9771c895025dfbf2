/**
 * An async iterator wrapper whose clean-up always runs: on completion, on error, and on `return()` —
 * even when `return()` comes before the first `next()` (a plain async generator skips its `finally`
 * in that case, which would leak the upstream socket and the pool's in-flight count).
 */
export class GuardedStream<T> implements AsyncIterableIterator<T> {
  private readonly inner: AsyncIterator<T>;
  private onEnd: (() => void) | undefined;

  /** `onEnd` runs exactly once, however the iteration ends. */
  constructor(inner: AsyncIterable<T>, onEnd: () => void) {
    this.inner = inner[Symbol.asyncIterator]();
    this.onEnd = onEnd;
  }

  [Symbol.asyncIterator](): this { return this; }

  async next(): Promise<IteratorResult<T>> {
    try {
      const r = await this.inner.next();
      if (r.done === true) this.end();
      return r;
    } catch (err) {
      this.end();
      throw err;
    }
  }

  async return(value?: unknown): Promise<IteratorResult<T>> {
    this.end();
    try {
      if (this.inner.return !== undefined) await this.inner.return(value);
    } catch {
      // the consumer is leaving; an error while closing the upstream is of no use to it
    }
    return { done: true, value: value as T };
  }

  private end(): void {
    const f = this.onEnd;
    if (f !== undefined) {
      this.onEnd = undefined;
      f();
    }
  }
}
