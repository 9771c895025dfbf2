import { sql } from 'kysely';
import type { YumenConfig } from '../config/index.ts';
import { createChangeVersionRepository, type Store } from '../store/index.ts';
import type { BackendQueue, FairQueueOptions, LimitsConfig } from '../governance/limits/index.ts';
import { createChangeBus, type ChangeBus, type ChangeTransport } from './change-bus.ts';
import { createSharedQueues, type SharedQueues } from './redis-fair-queue.ts';
import { postgresChangeTransport, redisChangeTransport } from './transports.ts';

export interface ClusterParts {
  bus: ChangeBus;
  /** Shared backend queues (Redis), for the limiter; undefined on a single node. */
  queues?: SharedQueues;
  queueFor?: (model: string, opts: FairQueueOptions) => BackendQueue;
  close(): Promise<void>;
}

/** The Redis key prefix of this installation. */
export function redisPrefix(config: Pick<YumenConfig, 'redis'>): string {
  return config.redis?.prefix ?? 'yumen:';
}

/**
 * What makes N nodes one gateway: the change bus (Redis pub/sub when `redis.url` is set, else PostgreSQL
 * LISTEN/NOTIFY, else in-process; always with the version check on the shared database) and, with Redis,
 * fair queues whose max_concurrency holds across nodes.
 */
export async function clusterFromConfig(config: Pick<YumenConfig, 'redis' | 'limits' | 'storage'>, store: Store, opts: { onError?: (err: unknown, what: string) => void; checkEveryMs?: number } = {}): Promise<ClusterParts> {
  const prefix = redisPrefix(config);
  let transport: ChangeTransport | undefined;
  if (config.redis?.url) transport = redisChangeTransport(config.redis.url, prefix);
  else if (store.dialect === 'postgres') {
    transport = postgresChangeTransport(config.storage.url, async (channel, payload) => {
      await sql`SELECT pg_notify(${channel}, ${payload})`.execute(store.db);
    }, { onError: (err) => opts.onError?.(err, 'listening for changes') });
  }
  const bus = await createChangeBus({ versions: createChangeVersionRepository(store.db), transport, checkEveryMs: opts.checkEveryMs, onError: opts.onError });
  const queues = config.redis?.url ? createSharedQueues(config.redis.url, prefix) : undefined;
  const leaseMs = (config.limits as LimitsConfig | undefined)?.queue?.lease_ms;
  return {
    bus,
    queues,
    queueFor: queues ? (model, o) => queues.queue(model, { ...o, leaseMs }) : undefined,
    async close() {
      await bus.close();
      await queues?.close();
    },
  };
}
