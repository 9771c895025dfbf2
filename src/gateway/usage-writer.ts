import type { UsageRecord, UsageRepository } from '../store/index.ts';

/**
 * Buffers usage records and writes them in batches, off the request path.
 * When a batch fails, its rows are retried one by one: a row the database refuses on its own (a poison
 * record) is dropped and reported, so it cannot block the others; rows that fail because the database is
 * unreachable stay queued for the next flush, up to `maxPending`, beyond which the oldest are dropped and
 * reported. `close()` flushes what remains.
 */
export class UsageWriter {
  readonly #repo: UsageRepository;
  readonly #maxBatch: number;
  readonly #maxPending: number;
  readonly #onError: (err: unknown, dropped: number) => void;
  #pending: UsageRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(repo: UsageRepository, opts: { flushIntervalMs?: number; maxBatch?: number; maxPending?: number; onError?: (err: unknown, dropped: number) => void } = {}) {
    this.#repo = repo;
    this.#maxBatch = opts.maxBatch ?? 200;
    this.#maxPending = opts.maxPending ?? 100_000;
    this.#onError = opts.onError ?? (() => {});
    this.#timer = setInterval(() => void this.flush(), opts.flushIntervalMs ?? 250);
    this.#timer.unref();
  }

  add(record: UsageRecord): void {
    this.#pending.push(record);
    if (this.#pending.length > this.#maxPending) {
      const dropped = this.#pending.splice(0, this.#pending.length - this.#maxPending);
      this.#onError(new Error('usage records could not be written and the queue is full'), dropped.length);
    }
    if (this.#pending.length >= this.#maxBatch) void this.flush();
  }

  get pending(): number {
    return this.#pending.length;
  }

  async flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    if (this.#pending.length === 0) return;
    const batch = this.#pending.splice(0, this.#maxBatch);
    this.#flushing = this.#write(batch).finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #write(batch: UsageRecord[]): Promise<void> {
    try {
      await this.#repo.insertMany(batch);
      return;
    } catch (err) {
      if (batch.length === 1) return this.#writeOne(batch[0], err);
    }
    for (const record of batch) {
      try {
        await this.#repo.insertMany([record]);
      } catch (err) {
        await this.#writeOne(record, err);
      }
    }
  }

  /** One row failed: keep it when the database seems down (a retry may succeed), drop it when only it fails. */
  async #writeOne(record: UsageRecord, err: unknown): Promise<void> {
    if (await this.#databaseAnswers()) {
      this.#onError(err, 1);
      return;
    }
    this.#pending.unshift(record);
    this.#onError(err, 0);
  }

  async #databaseAnswers(): Promise<boolean> {
    try {
      await this.#repo.list({ limit: 1 });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    while (this.#pending.length && (await this.#drainOnce())) { /* keep flushing */ }
  }

  /** One flush; false when nothing could be written (the database is down), so close() does not spin. */
  async #drainOnce(): Promise<boolean> {
    const before = this.#pending.length;
    await this.flush();
    return this.#pending.length < before;
  }
}
