import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createAuditLog } from '../../src/audit/index.ts';
import { event } from './fixtures/events.ts';
import { openStore, createAuditRepository } from '../../src/store/index.ts';
import { testDialects, useFreshStore } from '../helpers/db.ts';

const tick = () => new Promise<void>((r) => setImmediate(r));

for (const dialect of await testDialects()) {
  describe(`audit append paths on ${dialect}`, () => {
    const fresh = useFreshStore(dialect, 'each');

    async function requestIds(): Promise<string[]> {
      const rows = await fresh.store.db.selectFrom('audit_records').select('request_id').orderBy('seq').execute();
      return rows.map((r) => r.request_id);
    }

    it('the fast path and the plain Kysely path write one chain, in any interleaving', async () => {
      const fast = createAuditLog(fresh.store.db);
      const plain = createAuditLog(fresh.store.db, { fastAppend: false });
      for (let i = 0; i < 12; i++) await (i % 3 === 1 ? plain : fast).record(event(i));
      await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? plain : fast).record(event(100 + i))));
      const v = await fast.verify();
      assert.equal(v.ok, true, JSON.stringify(v));
      assert.equal(v.ok && v.records, 72);
      assert.deepEqual((await requestIds()).slice(0, 12), Array.from({ length: 12 }, (_, i) => `req-${i}`));
    });

    it('a writer whose remembered head is stale (another process appended) re-reads it and stays in the chain', async () => {
      const other = await openStore(fresh.url);
      try {
        const a = createAuditLog(fresh.store.db);
        const b = createAuditLog(other.db);
        // Strict alternation: every append of one follows an append of the other.
        for (let i = 0; i < 10; i++) await (i % 2 ? a : b).record(event(i));
        // Someone resets the chain behind a's back (as an insider would): a must follow the stored head.
        await fresh.store.db.deleteFrom('audit_records').execute();
        await fresh.store.db.updateTable('audit_head').set({ seq: 0, hash: '0'.repeat(64) }).execute();
        await a.record(event(10));
        const v = await a.verify();
        assert.equal(v.ok, true, JSON.stringify(v));
        assert.equal(v.ok && v.lastSeq, 1);
        assert.deepEqual(await requestIds(), ['req-10']);
      } finally {
        await other.close();
      }
    });

    it('a record made while another Kysely transaction is open is not undone by its rollback', async () => {
      const log = createAuditLog(fresh.store.db);
      await log.record(event(0));
      let acked: Promise<void> | undefined;
      await assert.rejects(fresh.store.db.transaction().execute(async (trx) => {
        await trx.updateTable('audit_head').set((eb) => ({ seq: eb.ref('seq') })).execute();
        acked = log.record(event(1));
        // Let the group commit start while this transaction (on SQLite: the same connection) is open.
        for (let i = 0; i < 5; i++) await tick();
        throw new Error('rolled back');
      }), /rolled back/);
      await acked;
      assert.deepEqual(await requestIds(), ['req-0', 'req-1']);
      assert.equal((await log.verify()).ok, true);
    });

    it('append() hands build the stored head and returns the committed rows', async () => {
      const repo = createAuditRepository(fresh.store.db);
      await repo.ensureHead();
      const seen: number[] = [];
      const rows = await repo.append((head) => {
        seen.push(head.seq);
        return [{ ...chainRow(head.seq + 1, head.hash) }];
      });
      assert.deepEqual(seen, [0]);
      assert.equal(rows[0].seq, 1);
      assert.deepEqual(await repo.head(), { seq: 1, hash: rows[0].hash });
      assert.deepEqual(await repo.append(() => []), []);
      assert.deepEqual(await repo.head(), { seq: 1, hash: rows[0].hash });
    });
  });
}

function chainRow(seq: number, prev: string) {
  return {
    seq, time: 1, request_id: `r${seq}`, actor: null, tenant_id: 't', action: 'chat', model: null, zone: null, level: 'public',
    findings: '{}', decision: 'allow', status: 200, error_code: null, prompt_tokens: 0, completion_tokens: 0, latency_ms: 0,
    prev_hash: prev, hash: seq.toString(16).padStart(64, '0'),
  };
}
