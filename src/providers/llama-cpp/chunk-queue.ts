/**
 * A single-consumer push/pull queue bridging node-llama-cpp's callbacks to an async iterator.
 * `return()` (the consumer leaving, even before its first `next()`) calls `onCancel` exactly once.
 */
export class ChunkQueue<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private head = 0;
  private waiting: { resolve(r: IteratorResult<T>): void; reject(e: unknown): void } | undefined;
  private ended = false;
  private error: unknown;
  private onCancel: (() => void) | undefined;

  constructor(onCancel: () => void) {
    this.onCancel = onCancel;
  }

  [Symbol.asyncIterator](): this { return this; }

  push(value: T): void {
    if (this.ended) return;
    const w = this.waiting;
    if (w !== undefined) {
      this.waiting = undefined;
      w.resolve({ value, done: false });
    } else {
      this.items.push(value);
    }
  }

  /** Ends the stream, with an error when given. */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    this.onCancel = undefined;
    const w = this.waiting;
    if (w !== undefined) {
      this.waiting = undefined;
      if (error !== undefined) w.reject(error);
      else w.resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head++];
      if (this.head === this.items.length) { this.items.length = 0; this.head = 0; }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) {
      if (this.error !== undefined) {
        const e = this.error;
        this.error = undefined;
        return Promise.reject(e);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => { this.waiting = { resolve, reject }; });
  }

  return(): Promise<IteratorResult<T>> {
    const cancel = this.onCancel;
    this.onCancel = undefined;
    this.items.length = 0;
    this.head = 0;
    this.end();
    cancel?.();
    return Promise.resolve({ value: undefined, done: true });
  }
}
