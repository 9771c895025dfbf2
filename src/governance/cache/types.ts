/** Where cached completions live: strings by key with a time to live. */
export interface CacheStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Entries held (in-process store only; -1 when unknown). */
  size(): number;
  close(): Promise<void>;
}
