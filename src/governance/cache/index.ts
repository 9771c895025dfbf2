import type { YumenConfig } from '../../config/index.ts';
import type { ResponseCache } from '../../gateway/ports.ts';
import type { ChatCompletion, ChatRequest } from '../../providers/index.ts';
import type { Principal } from '../principal.ts';
import { cacheKey } from './cache-key.ts';
import { createMemoryStore } from './memory-store.ts';
import { createRedisStore } from './redis-store.ts';
import type { CacheStore } from './types.ts';

export const CACHE_DEFAULTS = { ttl_s: 300, max_entries: 1000, max_bytes: 64 * 1024 * 1024 } as const;

export interface ResponseCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  maxBytes?: number;
  /** When set, entries live in Redis (shared by every gateway process). */
  redisUrl?: string;
  /** Prefix of the Redis keys (default `yumen:`; entries live under `<prefix>cache:`). */
  redisPrefix?: string;
  now?: () => number;
}

export interface YumenResponseCache extends ResponseCache {
  stats(): { hits: number; misses: number; entries: number };
  close(): Promise<void>;
}

/**
 * Exact-match response cache, per tenant. The gateway consults it only for non-stream requests to models
 * with `cache: true` and never for requests that needed pseudonymization. A store failure is a miss.
 */
export function createResponseCache(opts: ResponseCacheOptions = {}): YumenResponseCache {
  const ttlMs = opts.ttlMs ?? CACHE_DEFAULTS.ttl_s * 1000;
  const store: CacheStore = opts.redisUrl
    ? createRedisStore(opts.redisUrl, `${opts.redisPrefix ?? 'yumen:'}cache:`)
    : createMemoryStore({ maxEntries: opts.maxEntries ?? CACHE_DEFAULTS.max_entries, maxBytes: opts.maxBytes ?? CACHE_DEFAULTS.max_bytes, now: opts.now });
  let hits = 0;
  let misses = 0;
  return {
    async get(principal: Principal, request: ChatRequest): Promise<ChatCompletion | undefined> {
      if (request.stream) return undefined;
      const raw = await store.get(cacheKey(principal.tenantId, request)).catch(() => undefined);
      if (raw === undefined) {
        misses++;
        return undefined;
      }
      hits++;
      // A fresh copy each time, so no caller can change what the next one gets.
      return JSON.parse(raw) as ChatCompletion;
    },
    async set(principal: Principal, request: ChatRequest, completion: ChatCompletion): Promise<void> {
      if (request.stream) return;
      await store.set(cacheKey(principal.tenantId, request), JSON.stringify(completion), ttlMs).catch(() => {});
    },
    stats: () => ({ hits, misses, entries: store.size() }),
    close: () => store.close(),
  };
}

/** The cache as yumen.yaml configures it (`cache:` section, Redis when `redis.url` is set). */
export function responseCacheFromConfig(config: Pick<YumenConfig, 'cache' | 'redis'>): YumenResponseCache {
  const c = (config.cache ?? {}) as { ttl_s?: number; max_entries?: number; max_bytes?: number };
  return createResponseCache({
    ttlMs: (c.ttl_s ?? CACHE_DEFAULTS.ttl_s) * 1000,
    maxEntries: c.max_entries,
    maxBytes: c.max_bytes,
    redisUrl: config.redis?.url,
    redisPrefix: config.redis?.prefix,
  });
}

/** ConfigValidator for `cache:`, and for `cache:` on models (true/false). */
export function validateCacheConfig(config: YumenConfig): string[] {
  const p: string[] = [];
  const c = config.cache as Record<string, unknown> | undefined;
  if (c !== undefined) {
    for (const [k, v] of Object.entries(c)) {
      if (!['ttl_s', 'max_entries', 'max_bytes'].includes(k)) p.push(`cache.${k}: unknown key (known: ttl_s, max_entries, max_bytes)`);
      else if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1)) p.push(`cache.${k}: expected an integer ≥ 1`);
    }
  }
  (config.models ?? []).forEach((m, i) => {
    if (m.cache !== undefined && typeof m.cache !== 'boolean') p.push(`models[${i}].cache: expected true or false`);
  });
  return p;
}

export { cacheKey } from './cache-key.ts';
export type { CacheStore } from './types.ts';
