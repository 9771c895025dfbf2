import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createChangeBus, parseChangeMessage, postgresChangeTransport, redisChangeTransport, type ChangeBus, type ChangeTransport } from '../../src/cluster/index.ts';
import { createChangeVersionRepository } from '../../src/store/index.ts';
import { sql } from 'kysely';
import { testDialects, useFreshStore } from '../helpers/db.ts';
import { REDIS_URL, redisAvailable, redisPrefix } from '../helpers/redis.ts';

/** Resolves once `cond()` holds, polling; fails after `ms`. */
async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('change bus, in process', () => {
  test('a publish runs the topic\'s handlers before it resolves, and only that topic\'s', async () => {
    const bus = await createChangeBus();
    const seen: string[] = [];
    bus.subscribe('keys', () => { seen.push('keys'); });
    bus.subscribe('models', async () => { await new Promise((r) => setTimeout(r, 5)); seen.push('models'); });
    await bus.publish('models');
    assert.deepEqual(seen, ['models']);
    assert.equal(bus.transport, 'none');
    await bus.close();
  });

  test('a failing handler is reported and does not stop the others', async () => {
    const errors: string[] = [];
    const bus = await createChangeBus({ onError: (_e, what) => errors.push(what) });
    let ran = false;
    bus.subscribe('policies', () => { throw new Error('boom'); });
    bus.subscribe('policies', () => { ran = true; });
    await bus.publish('policies');
    assert.ok(ran);
    assert.deepEqual(errors, ['applying a policies change']);
    await bus.close();
  });

  test('messages from other programs on the channel are ignored', () => {
    assert.equal(parseChangeMessage('not json'), undefined);
    assert.equal(parseChangeMessage(JSON.stringify({ topic: 'drop-tables', version: 1, node: 'x' })), undefined);
    assert.equal(parseChangeMessage(JSON.stringify({ topic: 'keys', version: '1', node: 'x' })), undefined);
    assert.deepEqual(parseChangeMessage(JSON.stringify({ topic: 'keys', version: 3, node: 'x' })), { topic: 'keys', version: 3, node: 'x' });
  });
});

for (const dialect of await testDialects()) {
  describe(`change bus: the version check on ${dialect} (the safety net)`, () => {
    const fresh = useFreshStore(dialect);

    test('a change whose push was lost still arrives at the next check, exactly once', async () => {
      const versions = createChangeVersionRepository(fresh.store.db);
      // No transport at all: only the stored versions connect the two nodes.
      const a = await createChangeBus({ versions, checkEveryMs: 0 });
      const b = await createChangeBus({ versions, checkEveryMs: 0 });
      let bKeys = 0;
      let aKeys = 0;
      b.subscribe('keys', () => { bKeys++; });
      a.subscribe('keys', () => { aKeys++; });
      await a.publish('keys');
      assert.equal(aKeys, 1);
      assert.equal(bKeys, 0);
      await b.check();
      assert.equal(bKeys, 1);
      await b.check();
      await a.check();
      assert.equal(bKeys, 1, 'a version is applied once');
      assert.equal(aKeys, 1, 'the publisher does not apply its own change twice');
      await Promise.all([a.close(), b.close()]);
    });

    test('the periodic check runs by itself', async () => {
      const versions = createChangeVersionRepository(fresh.store.db);
      const a = await createChangeBus({ versions, checkEveryMs: 0 });
      const b = await createChangeBus({ versions, checkEveryMs: 50 });
      let n = 0;
      b.subscribe('apps', () => { n++; });
      await a.publish('apps');
      await until(() => n === 1);
      await Promise.all([a.close(), b.close()]);
    });
  });
}

async function pushTest(makeTransport: () => ChangeTransport, versions?: ReturnType<typeof createChangeVersionRepository>) {
  const buses: ChangeBus[] = [];
  for (let i = 0; i < 3; i++) buses.push(await createChangeBus({ versions, transport: makeTransport(), checkEveryMs: 0 }));
  const counts = buses.map(() => 0);
  buses.forEach((b, i) => b.subscribe('models', () => { counts[i]++; }));
  await buses[0].publish('models');
  await until(() => counts.every((c) => c === 1));
  await buses[2].publish('models');
  await until(() => counts.every((c) => c === 2));
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(counts, [2, 2, 2], 'every node applies every change once');
  await Promise.all(buses.map((b) => b.close()));
}

if (await redisAvailable()) {
  describe('change bus over Redis pub/sub', () => {
    const keys = redisPrefix();
    after(() => keys.cleanup());
    const fresh = useFreshStore('sqlite');
    test('a change on one node reaches the others by push, without any check', async () => {
      await pushTest(() => redisChangeTransport(REDIS_URL, keys.prefix), createChangeVersionRepository(fresh.store.db));
    });
  });
}

if ((await testDialects()).includes('postgres')) {
  describe('change bus over PostgreSQL LISTEN/NOTIFY', () => {
    const fresh = useFreshStore('postgres');
    test('a change on one node reaches the others by push, without any check', async () => {
      const db = fresh.store.db;
      await pushTest(() => postgresChangeTransport(fresh.url, async (c, p) => { await sql`SELECT pg_notify(${c}, ${p})`.execute(db); }), createChangeVersionRepository(db));
    });
  });
}
