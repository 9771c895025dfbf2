import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSharedQueues } from '../../src/cluster/index.ts';
import { REDIS_URL, redisAvailable, redisPrefix } from '../helpers/redis.ts';

const opts = { maxConcurrency: 2, maxQueue: 100, maxWaitMs: 10_000, pollMs: 50 };
const cls = (tenantId: string, weight = 1, priority = 0) => ({ tenantId, weight, priority });

if (await redisAvailable()) {
  describe('fair queue shared through Redis (a backend\'s max_concurrency across nodes)', () => {
    const keys = redisPrefix();
    after(() => keys.cleanup());

    test('three nodes together never hold more than max_concurrency slots', async () => {
      const nodes = [0, 1, 2].map(() => createSharedQueues(REDIS_URL, keys.prefix));
      const queues = nodes.map((n) => n.queue('m1', opts));
      let active = 0;
      let peak = 0;
      await Promise.all(Array.from({ length: 18 }, async (_, i) => {
        const release = await queues[i % 3].enter(cls(`t${i % 2}`));
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 15));
        active--;
        release();
      }));
      assert.equal(peak, 2);
      await Promise.all(nodes.map((n) => n.close()));
    });

    test('weights hold across nodes: a department of weight 3 gets about 3 of 4 contended slots', async () => {
      const nodes = [0, 1].map(() => createSharedQueues(REDIS_URL, keys.prefix));
      const [qa, qb] = nodes.map((n) => n.queue('m2', { ...opts, maxConcurrency: 1 }));
      const hold = await qa.enter(cls('warmup'));
      const order: string[] = [];
      // Department "heavy" waits on node A, "light" on node B, 8 calls each.
      const calls = [
        ...Array.from({ length: 8 }, () => qa.enter(cls('heavy', 3)).then((r) => { order.push('heavy'); return r; })),
        ...Array.from({ length: 8 }, () => qb.enter(cls('light', 1)).then((r) => { order.push('light'); return r; })),
      ];
      await new Promise((r) => setTimeout(r, 300)); // every waiter is queued in Redis
      hold();
      for (const p of calls) void p.then((release) => setTimeout(release, 5));
      await Promise.all(calls);
      const firstEight = order.slice(0, 8);
      const heavy = firstEight.filter((t) => t === 'heavy').length;
      assert.ok(heavy >= 5 && heavy <= 7, `heavy got ${heavy} of the first 8 (${order.join(',')})`);
      await Promise.all(nodes.map((n) => n.close()));
    });

    test('a node that dies holding a slot frees it once its lease expires', async () => {
      const dying = createSharedQueues(REDIS_URL, keys.prefix);
      const alive = createSharedQueues(REDIS_URL, keys.prefix);
      const leased = { ...opts, maxConcurrency: 1, leaseMs: 600 };
      await dying.queue('m3', leased).enter(cls('x'));
      // The node is gone without releasing: its connection closes, its renewals stop.
      await dying.close();
      const started = Date.now();
      const release = await alive.queue('m3', leased).enter(cls('y'));
      const waited = Date.now() - started;
      assert.ok(waited >= 300, `the slot was not free before the lease ended (waited ${waited} ms)`);
      release();
      await alive.close();
    });

    test('a full queue answers 429 at once; an aborted waiter leaves the queue', async () => {
      const node = createSharedQueues(REDIS_URL, keys.prefix);
      const q = node.queue('m4', { ...opts, maxConcurrency: 1, maxQueue: 1 });
      const hold = await q.enter(cls('a'));
      const ac = new AbortController();
      const waiting = q.enter(cls('b'), ac.signal);
      await new Promise((r) => setTimeout(r, 50));
      await assert.rejects(q.enter(cls('c')), (e: { code?: string }) => e.code === 'rate_limited');
      ac.abort();
      await assert.rejects(waiting, (e: { status?: number }) => e.status === 499);
      hold();
      const next = await q.enter(cls('d'));
      next();
      await node.close();
    });
  });
}
