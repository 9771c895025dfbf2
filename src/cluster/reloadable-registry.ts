import type { ModelConfig } from '../config/index.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import type { ModelHandle, ModelRegistry } from '../providers/index.ts';

/** Builds a registry for some model configs (the providers' createModelRegistry). */
export type RegistryFactory = (models: ModelConfig[]) => ModelRegistry;

interface Entry {
  /** Canonical JSON of the config the handle was built from: an unchanged model keeps its handle. */
  fingerprint: string;
  handle: ModelHandle;
  /** What the gateway gets: the handle, counting the calls it is inside. */
  tracked: ModelHandle;
  inFlight: number;
  /** Set once the handle is replaced or removed: closes it when its last call ends. */
  retire?: () => void;
}

export interface ReloadableRegistry extends ModelRegistry {
  /**
   * Makes `models` the served set at once: unchanged models keep their handles (an embedded model is not
   * loaded again), new and changed ones get fresh handles, and replaced or removed handles are closed
   * after their in-flight calls end (or after `retireAfterMs`). Throws, changing nothing, when a config is invalid.
   */
  replace(models: ModelConfig[]): { added: string[]; changed: string[]; removed: string[] };
}

/**
 * A model registry whose set of models can be swapped while calls run: the hot-reload seam for models
 * added, changed or removed through the admin API on any node.
 */
export function createReloadableRegistry(models: ModelConfig[], build: RegistryFactory, opts: { retireAfterMs?: number; onError?: (err: unknown) => void } = {}): ReloadableRegistry {
  const retireAfterMs = opts.retireAfterMs ?? 10 * 60_000;
  let entries = new Map<string, Entry>();
  /** Replaced handles not closed yet, with the promise of their closing. */
  const retiring = new Map<Entry, Promise<void>>();

  function track(entry: Entry): ModelHandle {
    const done = () => {
      entry.inFlight--;
      if (entry.inFlight === 0) entry.retire?.();
    };
    const wrapStream = <T>(stream: AsyncIterable<T>): AsyncIterable<T> => ({
      async *[Symbol.asyncIterator]() {
        try {
          yield* stream;
        } finally {
          done();
        }
      },
    });
    return new Proxy(entry.handle, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop === 'chat' || prop === 'embeddings') {
          return async (...args: unknown[]) => {
            entry.inFlight++;
            try {
              return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            } finally {
              done();
            }
          };
        }
        if (prop === 'chatStream') {
          return async (...args: unknown[]) => {
            entry.inFlight++;
            let result: { stream: AsyncIterable<unknown> };
            try {
              result = await (value as (...a: unknown[]) => Promise<{ stream: AsyncIterable<unknown> }>).apply(target, args);
            } catch (err) {
              done();
              throw err;
            }
            return { ...result, stream: wrapStream(result.stream) };
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  function retire(entry: Entry): void {
    let resolve!: () => void;
    const closed = new Promise<void>((r) => { resolve = r; });
    retiring.set(entry, closed);
    const timer = setTimeout(() => entry.retire?.(), retireAfterMs);
    timer.unref();
    entry.retire = () => {
      entry.retire = undefined;
      clearTimeout(timer);
      entry.handle.close().catch((err) => opts.onError?.(err)).finally(() => {
        retiring.delete(entry);
        resolve();
      });
    };
    if (entry.inFlight === 0) entry.retire();
  }

  function replace(next: ModelConfig[]) {
    const fresh = next.filter((m) => entries.get(m.name)?.fingerprint !== canonicalJson(m));
    // Builds (and validates) before anything changes: a bad config leaves the served set as it was.
    const built = fresh.length ? build(fresh) : undefined;
    const updated = new Map<string, Entry>();
    const added: string[] = [];
    const changed: string[] = [];
    for (const m of next) {
      const old = entries.get(m.name);
      const handle = built?.get(m.name);
      if (!handle) {
        updated.set(m.name, old!);
        continue;
      }
      const entry: Entry = { fingerprint: canonicalJson(m), handle, tracked: handle, inFlight: 0 };
      entry.tracked = track(entry);
      updated.set(m.name, entry);
      (old ? changed : added).push(m.name);
    }
    const removed = [...entries.keys()].filter((name) => !updated.has(name));
    const replaced = [...entries].filter(([name, e]) => updated.get(name) !== e).map(([, e]) => e);
    entries = updated;
    for (const e of replaced) retire(e);
    return { added, changed, removed };
  }

  replace(models);

  return {
    get: (name) => entries.get(name)?.tracked,
    list: () => [...entries.values()].map((e) => e.tracked),
    stats: () => {
      const now = Date.now();
      return [...entries.values()].flatMap((e) => (e.handle as ModelHandle & { stats?: (now: number) => ReturnType<ModelRegistry['stats']> }).stats?.(now) ?? []);
    },
    replace,
    async close() {
      const current = [...entries.values()];
      entries = new Map();
      await Promise.allSettled(current.map((e) => e.handle.close()));
      // Shutting down: replaced handles still in use close now (the server has drained its calls).
      const left = [...retiring];
      for (const [e] of left) e.retire?.();
      await Promise.allSettled(left.map(([, p]) => p));
    },
  };
}
