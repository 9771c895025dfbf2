import type { YumenConfig } from '../../config/index.ts';
import type { TokenUsageRepository } from '../../store/index.ts';
import { createMemoryCounters } from './counters.ts';
import { createRedisCounters } from './redis-counters.ts';
import { createLimiterCore, type LimiterOptions, type YumenLimiter } from './limiter.ts';
import type { LimitsConfig } from './config.ts';

export interface CreateLimiterOptions {
  /** The `limits:` section (validated with validateLimitsConfig). */
  limits?: LimitsConfig | Record<string, unknown>;
  /** When set, window counters live in Redis and are shared by every gateway process. */
  redisUrl?: string;
  /** Prefix of the counters' Redis keys (default `yumen:`; the counters live under `<prefix>lim:`). */
  redisPrefix?: string;
  /** Queues for limited backends; default in-process (see cluster/ for the shared one). */
  queueFor?: LimiterOptions['queueFor'];
  /** Restores today's and this month's token use from usage_records on start (used when counters are in-process). */
  usage?: TokenUsageRepository;
  now?: () => number;
}

/**
 * The gateway's Limiter: per-department and per-key request and token limits, token quotas per day and
 * month, and a weighted fair queue per backend listed under `limits.backends`.
 *
 * @example
 * const limiter = createLimiter({ limits: config.limits, redisUrl: config.redis?.url, usage: createTokenUsageRepository(store.db) });
 * const permit = await limiter.acquire({ principal, model: 'local-qwen', zone: 'private', estimatedTokens: 900, signal });
 * try { … call the model … } finally { permit.release({ promptTokens, completionTokens, status }); }
 */
export function createLimiter(opts: CreateLimiterOptions = {}): YumenLimiter {
  const counters = opts.redisUrl ? createRedisCounters(opts.redisUrl, `${opts.redisPrefix ?? 'yumen:'}lim:`) : createMemoryCounters(opts.now);
  return createLimiterCore({
    config: opts.limits as LimitsConfig | undefined,
    counters,
    // Redis keeps its counters across gateway restarts; seeding only fills windows it does not have yet.
    usage: opts.usage,
    now: opts.now,
    queueFor: opts.queueFor,
  });
}

/** The limiter as yumen.yaml configures it. */
export function limiterFromConfig(config: Pick<YumenConfig, 'limits' | 'redis'>, usage?: TokenUsageRepository, extra: { queueFor?: LimiterOptions['queueFor'] } = {}): YumenLimiter {
  return createLimiter({ limits: config.limits, redisUrl: config.redis?.url, redisPrefix: config.redis?.prefix, usage, queueFor: extra.queueFor });
}

export { validateLimitsConfig, QUEUE_DEFAULTS, type LimitsConfig, type RateLimits, type TenantLimits, type BackendLimits } from './config.ts';
export { FairQueue, type FairQueueOptions, type QueueStats, type QueueClass } from './fair-queue.ts';
export { createMemoryCounters, type CounterStore, type CounterItem } from './counters.ts';
export { createRedisCounters } from './redis-counters.ts';
export { windowBounds, type YumenLimiter, type UsageSnapshot, type BackendQueue } from './limiter.ts';
