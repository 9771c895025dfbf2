import type { UsageRecord, UsageRepository } from '../store/index.ts';

/**
 * Buffers usage records and writes them in batches, off the request path.
 * A failed batch is kept and retried on the next flush so nothing is lost to a passing database error;
 * `close()` flushes what remains.
 */
export class UsageWriter {
  readonly #repo: UsageRepository;
  readonly #maxBatch: number;
  readonly #onError: (err: unknown) => void;
  #pending: UsageRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(repo: UsageRepository, opts: { flushIntervalMs?: number; maxBatch?: number; onError?: (err: unknown) => void } = {}) {
    this.#repo = repo;
    this.#maxBatch = opts.maxBatch ?? 200;
    this.#onError = opts.onError ?? (() => {});
    this.#timer = setInterval(() => void this.flush(), opts.flushIntervalMs ?? 250);
    this.#timer.unref();
  }

  add(record: UsageRecord): void {
    this.#pending.push(record);
    if (this.#pending.length >= this.#maxBatch) void this.flush();
  }

  async flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#flushing = this.#repo.insertMany(batch).catch((err) => {
      this.#pending = batch.concat(this.#pending);
      this.#onError(err);
    }).finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    if (this.#pending.length) await this.flush();
  }
}
