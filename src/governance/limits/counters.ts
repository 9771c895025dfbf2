/** One window counter to check and bump: admitted while its value is below `limit`. */
export interface CounterItem { key: string; limit: number; add: number; ttlMs: number }

/**
 * Atomic window counters. `reserve` checks every item (value < limit) and, only if all pass, adds to all;
 * it returns -1 on success or the index of the first item over its limit. The in-process store and the
 * Redis store (a Lua script) implement the same contract, so several gateways can share limits.
 */
export interface CounterStore {
  reserve(items: CounterItem[]): Promise<number>;
  /** Adds `delta` to counters that still exist (a window that has rolled over is left alone). */
  adjust(items: Array<{ key: string; delta: number }>): Promise<void>;
  get(keys: string[]): Promise<number[]>;
  /** Sets a counter only when it does not exist yet (restoring a day's or month's usage after a restart). */
  seed(key: string, value: number, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

interface Entry { value: number; expiresAt: number }

export function createMemoryCounters(now: () => number = Date.now): CounterStore {
  const map = new Map<string, Entry>();
  const live = (key: string): Entry | undefined => {
    const e = map.get(key);
    if (e && e.expiresAt <= now()) {
      map.delete(key);
      return undefined;
    }
    return e;
  };
  const sweep = setInterval(() => {
    const t = now();
    for (const [k, e] of map) if (e.expiresAt <= t) map.delete(k);
  }, 60_000);
  sweep.unref();
  return {
    async reserve(items) {
      // Synchronous between the check and the add: atomic within the process.
      for (let i = 0; i < items.length; i++) if ((live(items[i].key)?.value ?? 0) >= items[i].limit) return i;
      const t = now();
      for (const it of items) {
        const e = live(it.key);
        if (e) e.value += it.add;
        else map.set(it.key, { value: it.add, expiresAt: t + it.ttlMs });
      }
      return -1;
    },
    async adjust(items) {
      for (const it of items) {
        const e = live(it.key);
        if (e) e.value += it.delta;
      }
    },
    async get(keys) {
      return keys.map((k) => live(k)?.value ?? 0);
    },
    async seed(key, value, ttlMs) {
      if (!live(key)) map.set(key, { value, expiresAt: now() + ttlMs });
    },
    async close() {
      clearInterval(sweep);
      map.clear();
    },
  };
}
