import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FairQueue } from '../../src/governance/limits/index.ts';
import { YumenError } from '../../src/util/errors.ts';

const BIG = { maxQueue: 10_000, maxWaitMs: 60_000 };
const tick = () => new Promise((r) => setImmediate(r));

/** Holds the only slot, queues `perTenant` waiters for each class, then serves them one at a time; returns the order served. */
async function serveOrder(q: FairQueue, classes: Array<{ tenantId: string; weight: number; priority: number }>, perTenant: number): Promise<string[]> {
  const hold = await q.enter({ tenantId: 'holder', weight: 1, priority: 0 });
  const order: string[] = [];
  const all: Promise<void>[] = [];
  for (let i = 0; i < perTenant; i++) {
    for (const c of classes) {
      all.push(q.enter(c).then((release) => {
        order.push(c.tenantId);
        setImmediate(release);
      }));
    }
  }
  hold();
  await Promise.all(all);
  return order;
}

describe('fair queue', () => {
  it('serves backlogged departments in proportion to their weights 3:2:1', async () => {
    const q = new FairQueue({ maxConcurrency: 1, ...BIG });
    const order = await serveOrder(q, [{ tenantId: 'a', weight: 3, priority: 0 }, { tenantId: 'b', weight: 2, priority: 0 }, { tenantId: 'c', weight: 1, priority: 0 }], 60);
    // While all three are backlogged (the first 60 grants), shares follow the weights.
    const first = order.slice(0, 60);
    const count = (t: string) => first.filter((x) => x === t).length;
    assert.ok(Math.abs(count('a') - 30) <= 1, `a=${count('a')}`);
    assert.ok(Math.abs(count('b') - 20) <= 1, `b=${count('b')}`);
    assert.ok(Math.abs(count('c') - 10) <= 1, `c=${count('c')}`);
    assert.equal(order.length, 180);
  });

  it('serves a higher priority class strictly first', async () => {
    const q = new FairQueue({ maxConcurrency: 1, ...BIG });
    const order = await serveOrder(q, [{ tenantId: 'low', weight: 10, priority: 0 }, { tenantId: 'high', weight: 1, priority: 5 }], 10);
    assert.deepEqual(order.slice(0, 10), Array(10).fill('high'));
  });

  it('a department arriving late banks no credit from its idle time', async () => {
    const q = new FairQueue({ maxConcurrency: 1, ...BIG });
    const hold = await q.enter({ tenantId: 'x', weight: 1, priority: 0 });
    const order: string[] = [];
    const enter = (t: string) => q.enter({ tenantId: t, weight: 1, priority: 0 }).then((r) => { order.push(t); setImmediate(r); });
    const a = Array.from({ length: 40 }, () => enter('a'));
    hold();
    while (order.length < 20) await tick();
    const b = Array.from({ length: 20 }, () => enter('b'));
    await Promise.all([...a, ...b]);
    // Once b arrives the two alternate instead of b taking 20 in a row.
    const after = order.slice(order.indexOf('b'), order.indexOf('b') + 10);
    assert.ok(after.filter((t) => t === 'b').length <= 6, after.join(','));
  });

  it('a waiter whose signal aborts leaves the queue; the others still get served', async () => {
    const q = new FairQueue({ maxConcurrency: 1, ...BIG });
    const hold = await q.enter({ tenantId: 'x', weight: 1, priority: 0 });
    const ac = new AbortController();
    const gone = q.enter({ tenantId: 'a', weight: 1, priority: 0 }, ac.signal);
    const kept = q.enter({ tenantId: 'b', weight: 1, priority: 0 });
    assert.equal(q.stats().queued, 2);
    ac.abort();
    await assert.rejects(gone, (e: YumenError) => e.status === 499);
    assert.equal(q.stats().queued, 1);
    hold();
    const release = await kept;
    assert.equal(q.stats().active, 1);
    release();
    release(); // twice is harmless
    assert.equal(q.stats().active, 0);
  });

  it('answers 429 with Retry-After when the wait is too long or the queue is full', async () => {
    const q = new FairQueue({ maxConcurrency: 1, maxQueue: 1, maxWaitMs: 20 });
    const hold = await q.enter({ tenantId: 'x', weight: 1, priority: 0 });
    const waiting = q.enter({ tenantId: 'a', weight: 1, priority: 0 });
    await assert.rejects(q.enter({ tenantId: 'b', weight: 1, priority: 0 }), (e: YumenError) => e.code === 'rate_limited' && e.status === 429 && e.headers?.['retry-after'] === '1');
    await assert.rejects(waiting, (e: YumenError) => e.code === 'rate_limited' && e.headers?.['retry-after'] === '1');
    assert.equal(q.stats().queued, 0);
    hold();
  });
});
