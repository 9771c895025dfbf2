import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.YUMEN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let reachable: Promise<boolean> | undefined;

/** Redis is optional on a developer machine and required in CI (CI=true). */
export function redisAvailable(): Promise<boolean> {
  reachable ??= (async () => {
    const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
    try {
      await r.connect();
      await r.ping();
      return true;
    } catch (err) {
      if (process.env.CI === 'true') throw new Error(`Redis is required in CI but not reachable at ${REDIS_URL}`, { cause: err });
      return false;
    } finally {
      r.disconnect();
    }
  })();
  return reachable;
}

/** A key prefix of its own for one suite (Redis is shared by everyone on the machine), and a way to remove its keys. */
export function redisPrefix(): { prefix: string; cleanup(): Promise<void> } {
  const prefix = `yumen-t-${randomBytes(5).toString('hex')}:`;
  return {
    prefix,
    async cleanup() {
      const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      try {
        let cursor = '0';
        do {
          const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          cursor = next;
          if (keys.length) await r.del(...keys);
        } while (cursor !== '0');
      } finally {
        r.disconnect();
      }
    },
  };
}
