import { Redis } from 'ioredis';
import type { CounterStore } from './counters.ts';

// KEYS: counters; ARGV: limit, add, ttl for each key in turn. Returns 0 when admitted, else the 1-based index over its limit.
const RESERVE = `
for i = 1, #KEYS do
  local cur = tonumber(redis.call('GET', KEYS[i]) or '0')
  if cur >= tonumber(ARGV[(i - 1) * 3 + 1]) then return i end
end
for i = 1, #KEYS do
  redis.call('INCRBY', KEYS[i], ARGV[(i - 1) * 3 + 2])
  if redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[(i - 1) * 3 + 3]) end
end
return 0`;

// KEYS: counters; ARGV: delta for each. Only counters whose window is still open are changed.
const ADJUST = `
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('INCRBY', KEYS[i], ARGV[i]) end
end
return 0`;

type Scripted = Redis & {
  yumenReserve(n: number, ...args: Array<string | number>): Promise<number>;
  yumenAdjust(n: number, ...args: Array<string | number>): Promise<number>;
};

/** Window counters in Redis, shared by every gateway process; each check-and-add is one Lua script (atomic). */
export function createRedisCounters(url: string, prefix = 'yumen:lim:'): CounterStore {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true }) as Scripted;
  redis.on('error', () => { /* surfaced by the failing command */ });
  redis.defineCommand('yumenReserve', { lua: RESERVE });
  redis.defineCommand('yumenAdjust', { lua: ADJUST });
  return {
    async reserve(items) {
      if (items.length === 0) return -1;
      const args: Array<string | number> = items.map((i) => prefix + i.key);
      for (const i of items) args.push(i.limit, Math.round(i.add), Math.ceil(i.ttlMs));
      const r = await redis.yumenReserve(items.length, ...args);
      return r === 0 ? -1 : r - 1;
    },
    async adjust(items) {
      const changed = items.filter((i) => i.delta !== 0);
      if (changed.length === 0) return;
      await redis.yumenAdjust(changed.length, ...changed.map((i) => prefix + i.key), ...changed.map((i) => Math.round(i.delta)));
    },
    async get(keys) {
      if (keys.length === 0) return [];
      const values = await redis.mget(...keys.map((k) => prefix + k));
      return values.map((v) => Number(v ?? 0));
    },
    async seed(key, value, ttlMs) {
      await redis.set(prefix + key, Math.round(value), 'PX', Math.ceil(ttlMs), 'NX');
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
