import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageWriter } from '../../src/gateway/usage-writer.ts';
import type { UsageRecord, UsageRepository } from '../../src/store/index.ts';

const record = (id: string): UsageRecord => ({
  id, createdAt: 1, tenantId: 't', keyId: null, endpoint: 'chat', model: 'm', backend: null, zone: 'private', stream: false,
  status: 200, errorCode: null, promptTokens: 1, completionTokens: 1, latencyMs: 1, level: 'public', decision: 'allow', redactions: 0, findings: null,
});

/** A repository double with a unique id constraint and a switch to simulate an unreachable database. */
function fakeRepo() {
  const rows = new Map<string, UsageRecord>();
  const state = { down: false, rows };
  const repo = {
    async insertMany(records: UsageRecord[]) {
      if (state.down) throw new Error('connection refused');
      if (records.some((r) => rows.has(r.id)) || new Set(records.map((r) => r.id)).size !== records.length) throw new Error('UNIQUE constraint failed');
      for (const r of records) rows.set(r.id, r);
    },
    async list() {
      if (state.down) throw new Error('connection refused');
      return [];
    },
  } as unknown as UsageRepository;
  return { repo, state };
}

describe('usage writer', () => {
  it('drops a poison record instead of retrying it forever (regression: one duplicate blocked every later record)', async () => {
    const { repo, state } = fakeRepo();
    const errors: number[] = [];
    const w = new UsageWriter(repo, { flushIntervalMs: 60_000, onError: (_e, dropped) => errors.push(dropped) });
    w.add(record('a'));
    await w.flush();
    w.add(record('a')); // duplicate id: the database refuses it alone
    w.add(record('b'));
    w.add(record('c'));
    await w.close();
    assert.deepEqual([...state.rows.keys()].sort(), ['a', 'b', 'c']);
    assert.deepEqual(errors, [1]);
    assert.equal(w.pending, 0);
  });

  it('keeps records while the database is down and writes them when it is back', async () => {
    const { repo, state } = fakeRepo();
    const w = new UsageWriter(repo, { flushIntervalMs: 60_000 });
    state.down = true;
    w.add(record('x'));
    w.add(record('y'));
    await w.flush();
    assert.equal(state.rows.size, 0);
    assert.equal(w.pending, 2);
    state.down = false;
    await w.close();
    assert.deepEqual([...state.rows.keys()].sort(), ['x', 'y']);
  });

  it('bounds the queue when the database stays down', async () => {
    const { repo, state } = fakeRepo();
    let dropped = 0;
    const w = new UsageWriter(repo, { flushIntervalMs: 60_000, maxBatch: 1_000, maxPending: 3, onError: (_e, n) => (dropped += n) });
    state.down = true;
    for (const id of ['1', '2', '3', '4', '5']) w.add(record(id));
    assert.equal(w.pending, 3);
    assert.equal(dropped, 2);
    await w.close(); // returns although nothing can be written
  });
});
