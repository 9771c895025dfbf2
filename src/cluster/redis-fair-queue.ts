import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { BackendQueue, FairQueueOptions, QueueStats } from '../governance/limits/index.ts';
import { yumenError } from '../util/errors.ts';

// Every script reads the clock of Redis, so the nodes' clocks never matter; expired leases (a node that
// died holding a slot) and silent waiters (a node that died waiting) are purged first.
// KEYS: holders (zset id → lease end), waiters (zset id → order), waiter heartbeats (zset id → end), state (hash).
const PURGE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local dead = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, w in ipairs(dead) do
  redis.call('ZREM', KEYS[2], w)
  redis.call('ZREM', KEYS[3], w)
  redis.call('HDEL', KEYS[4], 'w:' .. w)
end
`;

// ARGV: id, tenant, weight, priority, max concurrency, max queue, lease ms, waiter ttl ms.
// Returns 1 = slot granted, 0 = queued, -1 = queue full.
const ENTER = `${PURGE}
local maxc = tonumber(ARGV[5])
local waiting = redis.call('ZCARD', KEYS[2])
if waiting == 0 and redis.call('ZCARD', KEYS[1]) < maxc then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[7]), ARGV[1])
  return 1
end
if waiting >= tonumber(ARGV[6]) then return -1 end
local v = tonumber(redis.call('HGET', KEYS[4], 'vtime') or '0')
local last = tonumber(redis.call('HGET', KEYS[4], 't:' .. ARGV[2]) or '0')
local tag = math.max(v, last) + 1 / tonumber(ARGV[3])
redis.call('HSET', KEYS[4], 't:' .. ARGV[2], tostring(tag), 'w:' .. ARGV[1], tostring(tag))
redis.call('ZADD', KEYS[2], -tonumber(ARGV[4]) * 1e9 + tag, ARGV[1])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[8]), ARGV[1])
return 0`;

// ARGV: id, max concurrency, lease ms, waiter ttl ms. Returns 1 = granted, 0 = still waiting, -1 = no longer queued.
// A free slot goes to the waiters at the head (highest priority, then smallest fair tag), whichever node they are on.
const TRY = `${PURGE}
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return -1 end
local free = tonumber(ARGV[2]) - redis.call('ZCARD', KEYS[1])
if free > 0 then
  local heads = redis.call('ZRANGE', KEYS[2], 0, free - 1)
  for _, w in ipairs(heads) do
    if w == ARGV[1] then
      local tag = tonumber(redis.call('HGET', KEYS[4], 'w:' .. w) or '0')
      local v = tonumber(redis.call('HGET', KEYS[4], 'vtime') or '0')
      if tag > v then redis.call('HSET', KEYS[4], 'vtime', tostring(tag)) end
      redis.call('HDEL', KEYS[4], 'w:' .. w)
      redis.call('ZREM', KEYS[2], w)
      redis.call('ZREM', KEYS[3], w)
      redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), w)
      return 1
    end
  end
end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), ARGV[1])
return 0`;

// ARGV: id, lease ms. Extends a held lease (no-op when it was lost).
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])`;

// ARGV: id. Leaves the queue or gives back a slot.
const LEAVE = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], 'w:' .. ARGV[1])
return 0`;

type Scripted = Redis & {
  yqEnter(n: number, ...args: Array<string | number>): Promise<number>;
  yqTry(n: number, ...args: Array<string | number>): Promise<number>;
  yqRenew(n: number, ...args: Array<string | number>): Promise<number>;
  yqLeave(n: number, ...args: Array<string | number>): Promise<number>;
};

export interface SharedQueueOptions extends FairQueueOptions {
  /** How long a slot stays held without renewal: a node killed while holding one frees it after this (default 15 s). */
  leaseMs?: number;
  /** Retry period of a waiter when no release was announced (default 200 ms). */
  pollMs?: number;
}

interface LocalWaiter { id: string; attempt: () => void }

/**
 * Fair queues shared by every node through Redis: a backend's max_concurrency holds across the cluster.
 * Slots are leases renewed while a call runs; waiters are ordered by weighted fair tags kept in Redis
 * (the same discipline as the in-process FairQueue) and retry when any node announces a release, or
 * every `pollMs`. `stats()` reports this node's share.
 */
export function createSharedQueues(url: string, prefix: string) {
  const redis = new Redis(url, { maxRetriesPerRequest: 2 }) as Scripted;
  const sub = new Redis(url, { lazyConnect: true });
  for (const r of [redis, sub]) r.on('error', () => { /* surfaced by the failing command */ });
  redis.defineCommand('yqEnter', { lua: ENTER });
  redis.defineCommand('yqTry', { lua: TRY });
  redis.defineCommand('yqRenew', { lua: RENEW });
  redis.defineCommand('yqLeave', { lua: LEAVE });
  const channel = `${prefix}q:free`;
  const waitersByModel = new Map<string, Set<LocalWaiter>>();
  let subscribed: Promise<unknown> | undefined;
  const subscribe = () => (subscribed ??= sub.connect().then(() => sub.subscribe(channel)).catch(() => { subscribed = undefined; }));
  sub.on('message', (_ch: string, model: string) => {
    for (const w of waitersByModel.get(model) ?? []) w.attempt();
  });

  function queue(model: string, opts: SharedQueueOptions): BackendQueue {
    const base = `${prefix}q:${model}:`;
    const keys = [`${base}holders`, `${base}waiters`, `${base}wexp`, `${base}state`];
    const leaseMs = opts.leaseMs ?? 15_000;
    const pollMs = opts.pollMs ?? 200;
    const waiterTtl = Math.max(3000, pollMs * 10);
    const local = new Set<LocalWaiter>();
    waitersByModel.set(model, local);
    const served = new Map<string, number>();
    const queuedBy = new Map<string, number>();
    let active = 0;

    const bump = (m: Map<string, number>, k: string, d: number) => m.set(k, (m.get(k) ?? 0) + d);

    function holding(id: string, tenant: string): () => void {
      active++;
      bump(served, tenant, 1);
      const renew = setInterval(() => void redis.yqRenew(1, keys[0], id, leaseMs).catch(() => {}), Math.max(100, Math.floor(leaseMs / 3)));
      renew.unref();
      let done = false;
      return () => {
        if (done) return;
        done = true;
        active--;
        clearInterval(renew);
        void redis.yqLeave(4, ...keys, id).then(() => redis.publish(channel, model)).catch(() => {});
      };
    }

    return {
      async enter(cls, signal) {
        if (signal?.aborted) throw cancelled();
        const id = randomUUID();
        const r = await redis.yqEnter(4, ...keys, id, cls.tenantId, cls.weight, cls.priority, opts.maxConcurrency, opts.maxQueue, leaseMs, waiterTtl);
        if (r === 1) return holding(id, cls.tenantId);
        if (r === -1) throw yumenError('rate_limited', 'The model is busy and its queue is full; retry shortly. / 模型繁忙，排队已满，请稍后重试。', { headers: { 'retry-after': '1' } });
        void subscribe();
        bump(queuedBy, cls.tenantId, 1);
        return new Promise<() => void>((resolve, reject) => {
          let trying = false;
          let again = false;
          let finished = false;
          const waiter: LocalWaiter = { id, attempt: () => void attempt() };
          const finish = () => {
            finished = true;
            local.delete(waiter);
            bump(queuedBy, cls.tenantId, -1);
            clearInterval(poll);
            clearTimeout(expiry);
            signal?.removeEventListener('abort', onAbort);
          };
          const leave = (err: unknown) => {
            if (finished) return;
            finish();
            void redis.yqLeave(4, ...keys, id).then(() => redis.publish(channel, model)).catch(() => {});
            reject(err);
          };
          async function attempt(): Promise<void> {
            if (finished) return;
            if (trying) { again = true; return; }
            trying = true;
            try {
              do {
                again = false;
                const got = await redis.yqTry(4, ...keys, id, opts.maxConcurrency, leaseMs, waiterTtl);
                if (finished) {
                  if (got === 1) void redis.yqLeave(4, ...keys, id).catch(() => {});
                  return;
                }
                if (got === 1) {
                  finish();
                  resolve(holding(id, cls.tenantId));
                  return;
                }
                if (got === -1) {
                  leave(yumenError('rate_limited', 'Lost the place in the model queue; retry shortly. / 排队位置已失效，请稍后重试。', { headers: { 'retry-after': '1' } }));
                  return;
                }
              } while (again);
            } catch (err) {
              leave(err);
            } finally {
              trying = false;
            }
          }
          const onAbort = () => leave(cancelled());
          signal?.addEventListener('abort', onAbort, { once: true });
          const poll = setInterval(() => void attempt(), pollMs);
          const expiry = setTimeout(() => leave(yumenError('rate_limited',
            `Waited ${opts.maxWaitMs} ms for the model without getting a slot; retry shortly. / 等待模型超时，请稍后重试。`,
            { headers: { 'retry-after': String(Math.max(1, Math.ceil(opts.maxWaitMs / 1000))) } })), opts.maxWaitMs);
          local.add(waiter);
          void attempt();
        });
      },
      stats() {
        const byTenant: QueueStats['byTenant'] = {};
        for (const [t, n] of served) byTenant[t] = { queued: queuedBy.get(t) ?? 0, served: n };
        for (const [t, n] of queuedBy) byTenant[t] ??= { queued: n, served: 0 };
        return { active, queued: [...queuedBy.values()].reduce((a, b) => a + b, 0), byTenant };
      },
    };
  }

  return {
    queue,
    async close() {
      await Promise.all([redis, sub].map((r) => r.quit().catch(() => r.disconnect())));
    },
  };
}
export type SharedQueues = ReturnType<typeof createSharedQueues>;

function cancelled() {
  return yumenError('client_closed', 'The request was cancelled while waiting for the model.');
}
