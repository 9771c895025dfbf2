import type { CacheStore } from './types.ts';

interface Entry { value: string; expiresAt: number }

/** In-process LRU with a time to live; Map keeps insertion order, so re-inserting on a hit marks it recent. */
export function createMemoryStore(opts: { maxEntries: number; maxBytes: number; now?: () => number }): CacheStore {
  const now = opts.now ?? Date.now;
  const map = new Map<string, Entry>();
  let bytes = 0;
  const drop = (key: string, e: Entry) => {
    map.delete(key);
    bytes -= e.value.length * 2;
  };
  return {
    async get(key) {
      const e = map.get(key);
      if (!e) return undefined;
      if (e.expiresAt <= now()) {
        drop(key, e);
        return undefined;
      }
      map.delete(key);
      map.set(key, e);
      return e.value;
    },
    async set(key, value, ttlMs) {
      const old = map.get(key);
      if (old) drop(key, old);
      const size = value.length * 2;
      if (size > opts.maxBytes) return;
      map.set(key, { value, expiresAt: now() + ttlMs });
      bytes += size;
      for (const [k, e] of map) {
        if (map.size <= opts.maxEntries && bytes <= opts.maxBytes) break;
        drop(k, e);
      }
    },
    size: () => map.size,
    async close() {
      map.clear();
      bytes = 0;
    },
  };
}
