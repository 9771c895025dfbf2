import { Redis } from 'ioredis';
import type { CacheStore } from './types.ts';

/** Cached completions in Redis, shared by every gateway process; Redis' own TTL expires them. */
export function createRedisStore(url: string, prefix = 'yumen:cache:'): CacheStore {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => { /* a cache miss is the fallback */ });
  return {
    async get(key) {
      return (await redis.get(prefix + key)) ?? undefined;
    },
    async set(key, value, ttlMs) {
      await redis.set(prefix + key, value, 'PX', Math.max(1, Math.round(ttlMs)));
    },
    size: () => -1,
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
