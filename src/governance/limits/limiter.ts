import type { LimitRequest, Limiter, Permit } from '../../gateway/ports.ts';
import type { TokenUsageRepository } from '../../store/index.ts';
import { yumenError, type YumenError } from '../../util/errors.ts';
import type { CounterItem, CounterStore } from './counters.ts';
import { FairQueue, type FairQueueOptions, type QueueClass, type QueueStats } from './fair-queue.ts';
import { QUEUE_DEFAULTS, type LimitsConfig, type RateLimits, type TenantLimits } from './config.ts';

/** Stands for "no limit" in a counter that still runs; fits Lua's doubles exactly. */
const UNLIMITED = Number.MAX_SAFE_INTEGER;

type Window = 'minute' | 'day' | 'month';
type Metric = 'requests_per_min' | 'tokens_per_min' | 'tokens_per_day' | 'tokens_per_month';
const METRICS: ReadonlyArray<{ metric: Metric; window: Window; tokens: boolean }> = [
  { metric: 'requests_per_min', window: 'minute', tokens: false },
  { metric: 'tokens_per_min', window: 'minute', tokens: true },
  { metric: 'tokens_per_day', window: 'day', tokens: true },
  { metric: 'tokens_per_month', window: 'month', tokens: true },
];

/** Start and end of the window holding `t`; days and months follow the server's local calendar. */
export function windowBounds(window: Window, t: number): { id: string; start: number; end: number } {
  if (window === 'minute') {
    const start = Math.floor(t / 60_000) * 60_000;
    return { id: `m${start / 60_000}`, start, end: start + 60_000 };
  }
  const d = new Date(t);
  if (window === 'day') {
    const start = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
    const end = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
    return { id: `d${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`, start, end };
  }
  const start = new Date(d.getFullYear(), d.getMonth(), 1).getTime();
  const end = new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime();
  return { id: `M${d.getFullYear()}${pad(d.getMonth() + 1)}`, start, end };
}
function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A backend's concurrency queue: the in-process FairQueue, or one shared by every node (cluster/). */
export interface BackendQueue {
  enter(cls: QueueClass, signal?: AbortSignal): Promise<() => void>;
  stats(): QueueStats;
}

export interface LimiterOptions {
  /** Builds the queue of each limited backend (default: an in-process FairQueue). */
  queueFor?: (model: string, opts: FairQueueOptions) => BackendQueue;
  config?: LimitsConfig;
  counters: CounterStore;
  /** Restores today's and this month's token use after a restart (in-process counters). */
  usage?: TokenUsageRepository;
  now?: () => number;
}

export interface UsageSnapshot {
  tenantId: string;
  limits: TenantLimits;
  used: { requests_this_min: number; tokens_this_min: number; tokens_today: number; tokens_this_month: number };
}

export interface YumenLimiter extends Limiter {
  /** Seeding finished (acquire waits for it anyway). */
  readonly ready: Promise<void>;
  /** Current consumption of a department in each window, beside its limits. */
  usage(tenant: { tenantId: string; tenantName: string }): Promise<UsageSnapshot>;
  /** Per backend: slots in use and waiters by department. */
  queues(): Record<string, QueueStats>;
  close(): Promise<void>;
}

interface Scope { kind: 't' | 'k'; id: string; limits: RateLimits }

/**
 * Rate limits and token quotas per department and key, plus a fair queue per limited backend.
 * Tokens are reserved with the caller's estimate before the call and settled with the actual use on
 * release; a call is admitted while its counters are still below their limits, so concurrent calls can
 * overshoot a quota by at most one call's tokens (when estimates bound the actual use).
 */
export function createLimiterCore(opts: LimiterOptions): YumenLimiter {
  const cfg = opts.config ?? {};
  const now = opts.now ?? Date.now;
  const counters = opts.counters;
  const queues = new Map<string, BackendQueue>();
  const queueFor = opts.queueFor ?? ((_model: string, o: FairQueueOptions) => new FairQueue(o));
  for (const [model, b] of Object.entries(cfg.backends ?? {})) {
    queues.set(model, queueFor(model, {
      maxConcurrency: b.max_concurrency,
      maxQueue: b.max_queue ?? cfg.queue?.max_queue ?? QUEUE_DEFAULTS.max_queue,
      maxWaitMs: b.max_wait_ms ?? cfg.queue?.max_wait_ms ?? QUEUE_DEFAULTS.max_wait_ms,
    }));
  }

  const tenantLimits = (t: { tenantId: string; tenantName: string }): TenantLimits =>
    ({ ...(cfg.defaults ?? {}), ...(cfg.tenants?.[t.tenantName] ?? cfg.tenants?.[t.tenantId] ?? {}) });
  const keyLimits = (keyId: string | null): RateLimits =>
    (keyId ? { ...(cfg.key_defaults ?? {}), ...(cfg.keys?.[keyId] ?? {}) } : {});
  const counterKey = (s: { kind: string; id: string }, metric: Metric, windowId: string) => `${s.kind}:${s.id}:${metric}:${windowId}`;
  // The current window of each kind, reused until the clock leaves it (days and months need Date arithmetic).
  const current = new Map<Window, ReturnType<typeof windowBounds>>();
  const bounds = (window: Window, t: number) => {
    const b = current.get(window);
    if (b !== undefined && t >= b.start && t < b.end) return b;
    const fresh = windowBounds(window, t);
    current.set(window, fresh);
    return fresh;
  };

  const ready = seed().catch(() => { /* limits still work; only the restored totals are missing */ });

  async function seed(): Promise<void> {
    if (!opts.usage) return;
    const t = now();
    for (const window of ['day', 'month'] as const) {
      const b = windowBounds(window, t);
      const metric: Metric = window === 'day' ? 'tokens_per_day' : 'tokens_per_month';
      const totals = await opts.usage.totalsSince(b.start);
      const byTenant = new Map<string, number>();
      for (const r of totals) {
        byTenant.set(r.tenantId, (byTenant.get(r.tenantId) ?? 0) + r.tokens);
        if (r.keyId) await counters.seed(counterKey({ kind: 'k', id: r.keyId }, metric, b.id), r.tokens, b.end - t + 60_000);
      }
      for (const [tenantId, tokens] of byTenant) await counters.seed(counterKey({ kind: 't', id: tenantId }, metric, b.id), tokens, b.end - t + 60_000);
    }
  }

  function exceeded(metric: Metric, scope: Scope, windowEnd: number, t: number): YumenError {
    const retry = String(Math.max(1, Math.ceil((windowEnd - t) / 1000)));
    const who = scope.kind === 't' ? 'department' : 'API key';
    const quota = metric === 'tokens_per_day' || metric === 'tokens_per_month';
    const zh = { requests_per_min: '每分钟请求数', tokens_per_min: '每分钟令牌数', tokens_per_day: '每日令牌配额', tokens_per_month: '每月令牌配额' }[metric];
    return yumenError(quota ? 'quota_exceeded' : 'rate_limited',
      `The ${who}'s ${metric} limit (${scope.limits[metric]}) is reached; retry after ${retry} s. / 已达${scope.kind === 't' ? '部门' : '密钥'}${zh}上限。`,
      { headers: { 'retry-after': retry }, detail: { limit: metric, scope: scope.kind === 't' ? 'tenant' : 'key' } });
  }

  return {
    ready,

    async acquire(req: LimitRequest): Promise<Permit> {
      await ready;
      const t = now();
      const tl = tenantLimits(req.principal);
      const scopes: Scope[] = [{ kind: 't', id: req.principal.tenantId, limits: tl }];
      if (req.principal.keyId) scopes.push({ kind: 'k', id: req.principal.keyId, limits: keyLimits(req.principal.keyId) });
      const estimate = Math.max(0, Math.round(req.estimatedTokens));
      const items: CounterItem[] = [];
      const meta: Array<{ metric: Metric; scope: Scope; end: number; tokens: boolean }> = [];
      for (const scope of scopes) {
        for (const m of METRICS) {
          // A department's counters always run (its usage is reported); a key's only when limited.
          const limit = scope.limits[m.metric] ?? (scope.kind === 't' ? UNLIMITED : undefined);
          if (limit === undefined) continue;
          const w = bounds(m.window, t);
          items.push({ key: counterKey(scope, m.metric, w.id), limit, add: m.tokens ? estimate : 1, ttlMs: w.end - t + 60_000 });
          meta.push({ metric: m.metric, scope, end: w.end, tokens: m.tokens });
        }
      }
      const failed = await counters.reserve(items);
      if (failed >= 0) throw exceeded(meta[failed].metric, meta[failed].scope, meta[failed].end, t);

      let releaseSlot: (() => void) | undefined;
      const queue = queues.get(req.model);
      if (queue) {
        try {
          releaseSlot = await queue.enter({ tenantId: req.principal.tenantId, weight: tl.weight ?? 1, priority: tl.priority ?? 0 }, req.signal);
        } catch (err) {
          // Nothing reached the model: give the reservation back.
          await counters.adjust(items.map((it) => ({ key: it.key, delta: -it.add }))).catch(() => {});
          throw err;
        }
      }
      let released = false;
      return {
        release(outcome) {
          if (released) return;
          released = true;
          releaseSlot?.();
          const actual = Math.max(0, Math.round((outcome.promptTokens || 0) + (outcome.completionTokens || 0)));
          const delta = actual - estimate;
          if (delta === 0) return;
          const changes = items.filter((_, i) => meta[i].tokens).map((it) => ({ key: it.key, delta }));
          if (changes.length) void counters.adjust(changes).catch(() => {});
        },
      };
    },

    async usage(tenant) {
      await ready;
      const t = now();
      const s = { kind: 't', id: tenant.tenantId };
      const minute = bounds('minute', t).id;
      const [r, tm, td, tmo] = await counters.get([
        counterKey(s, 'requests_per_min', minute), counterKey(s, 'tokens_per_min', minute),
        counterKey(s, 'tokens_per_day', bounds('day', t).id), counterKey(s, 'tokens_per_month', bounds('month', t).id),
      ]);
      return { tenantId: tenant.tenantId, limits: tenantLimits(tenant), used: { requests_this_min: r, tokens_this_min: tm, tokens_today: td, tokens_this_month: tmo } };
    },

    queues() {
      const out: Record<string, QueueStats> = {};
      for (const [model, q] of queues) out[model] = q.stats();
      return out;
    },

    close: () => counters.close(),
  };
}
