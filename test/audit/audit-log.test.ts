import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { createAuditLog, canonicalJson, hashRecord } from '../../src/audit/index.ts';
import { event } from './fixtures/events.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../helpers/db.ts';

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });
});

describe('record hash', () => {
  // The definition: SM3(prev_hash ‖ canonical JSON of every member but hash). hashRecord writes known rows
  // without sorting keys; any row, of the usual shape or not, must hash exactly as the definition says.
  const definition = (row: Record<string, unknown>): string => {
    const { hash: _ignored, ...fields } = row;
    return createHash('sm3').update(String(row.prev_hash)).update(canonicalJson(fields)).digest('hex');
  };
  const text = fc.oneof(fc.string(), fc.constant('引号"与\\反斜杠\n'), fc.constant(null));
  const num = fc.oneof(fc.integer(), fc.double({ noNaN: false }));
  const row = fc.record({
    seq: num, time: num, request_id: text, actor: text, tenant_id: text, action: text, model: text, zone: text, level: text,
    findings: text, decision: text, status: num, error_code: text, prompt_tokens: num, completion_tokens: num, latency_ms: num,
    prev_hash: fc.stringMatching(/^[0-9a-f]{64}$/), hash: fc.string(),
  });
  it('is the SM3 of the canonical JSON for every row, with extra, missing or undefined members too', () => {
    fc.assert(fc.property(row, fc.dictionary(fc.string(), fc.oneof(text, num, fc.constant(undefined)), { maxKeys: 3 }), fc.constantFrom('none', 'drop', 'undefined'), (r, extra, change) => {
      const variant: Record<string, unknown> = { ...r };
      if (change === 'drop') delete variant.model;
      if (change === 'undefined') variant.zone = undefined;
      assert.equal(hashRecord(r as never), definition(r));
      assert.equal(hashRecord(variant as never), definition(variant));
      const wider = { ...extra, ...variant };
      assert.equal(hashRecord(wider as never), definition(wider));
    }), { numRuns: 500 });
  });
});

for (const dialect of await testDialects()) {
  describe(`audit log on ${dialect}`, () => {
    let tdb: TestDatabase;
    let store: Store;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'yumen-audit-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    async function fresh(): Promise<void> {
      if (store) {
        await store.close();
        await tdb.drop();
      }
      tdb = await createTestDatabase(dialect);
      store = await openStore(tdb.url);
    }
    after(async () => {
      await store.close();
      await tdb.drop();
    });

    it('chains concurrent records without gaps and verifies them', async () => {
      await fresh();
      const log = createAuditLog(store.db);
      await Promise.all(Array.from({ length: 300 }, (_, i) => log.record(event(i))));
      const rows = await store.db.selectFrom('audit_records').selectAll().orderBy('seq').execute();
      assert.deepEqual(rows.map((r) => Number(r.seq)), Array.from({ length: 300 }, (_, i) => i + 1));
      assert.equal(new Set(rows.map((r) => r.request_id)).size, 300);
      for (let i = 1; i < rows.length; i++) assert.equal(rows[i].prev_hash, rows[i - 1].hash);
      assert.match(rows[0].hash, /^[0-9a-f]{64}$/);
      assert.deepEqual(await log.verify(), { ok: true, records: 300, firstSeq: 1, lastSeq: 300, anchoredFrom: 0, externalAnchorsChecked: 0, anchorsIgnored: 0 });
    });

    it('keeps finding counts only and clips nothing numeric', async () => {
      await fresh();
      const log = createAuditLog(store.db);
      await log.record(event(1, { findings: { cn_id_card: 3, bogus: 0 } as Record<string, number> }));
      const row = await store.db.selectFrom('audit_records').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.findings, '{"cn_id_card":3}');
      assert.equal(Number(row.latency_ms), 15);
    });

    it('two writers on one database (two processes) share one unbroken chain', async () => {
      await fresh();
      const other = await openStore(tdb.url);
      try {
        const a = createAuditLog(store.db);
        const b = createAuditLog(other.db);
        await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).record(event(i))));
        const v = await a.verify();
        assert.equal(v.ok, true);
        assert.equal(v.ok && v.records, 200);
      } finally {
        await other.close();
      }
    });

    it('names the altered record', async () => {
      await fresh();
      const log = createAuditLog(store.db);
      for (let i = 0; i < 10; i++) await log.record(event(i));
      await store.db.updateTable('audit_records').set({ decision: 'block' }).where('seq', '=', 4).execute();
      const v = await log.verify();
      assert.equal(v.ok, false);
      assert.equal(!v.ok && v.seq, 4);
      assert.match(!v.ok ? v.reason : '', /hash mismatch/);
    });

    it('names a removed record (gap) and a removed tail', async () => {
      await fresh();
      const log = createAuditLog(store.db);
      for (let i = 0; i < 10; i++) await log.record(event(i));
      await store.db.deleteFrom('audit_records').where('seq', '=', 10).execute();
      let v = await log.verify();
      assert.equal(!v.ok && v.seq, 10);
      assert.match(!v.ok ? v.reason : '', /removed from the end/);
      await store.db.deleteFrom('audit_records').where('seq', '=', 6).execute();
      v = await log.verify();
      assert.equal(!v.ok && v.seq, 6);
      assert.match(!v.ok ? v.reason : '', /gap/);
    });

    it('names a record whose prev_hash link was changed', async () => {
      await fresh();
      const log = createAuditLog(store.db);
      for (let i = 0; i < 5; i++) await log.record(event(i));
      await store.db.updateTable('audit_records').set({ prev_hash: 'f'.repeat(64) }).where('seq', '=', 3).execute();
      const v = await log.verify();
      assert.equal(!v.ok && v.seq, 3);
      assert.match(!v.ok ? v.reason : '', /prev_hash/);
    });

    it('an external anchor catches a chain rewritten from scratch', async () => {
      await fresh();
      const anchorFile = join(dir, `${dialect}-anchors.jsonl`);
      const log = createAuditLog(store.db, { anchor: { file: anchorFile } });
      for (let i = 0; i < 5; i++) await log.record(event(i));
      const a = await log.anchor();
      assert.deepEqual(JSON.parse(readFileSync(anchorFile, 'utf8').trim()), { time: a!.time, seq: 5, hash: a!.hash, chain: (await store.db.selectFrom('audit_records').select('hash').where('seq', '=', 1).executeTakeFirstOrThrow()).hash });
      assert.equal((await log.verify({ anchorFile })).ok, true);
      // An insider rewrites everything and recomputes the chain: internally consistent, but not the anchored one.
      await store.db.deleteFrom('audit_records').execute();
      await store.db.updateTable('audit_head').set({ seq: 0, hash: '0'.repeat(64) }).execute();
      const forged = createAuditLog(store.db);
      for (let i = 0; i < 5; i++) await forged.record(event(i, { decision: i === 2 ? 'block' : 'allow' }));
      assert.equal((await forged.verify()).ok, true);
      const v = await forged.verify({ anchorFile });
      assert.equal(v.ok, false);
      assert.equal(!v.ok && v.seq, 5);
      assert.match(!v.ok ? v.reason : '', /external anchor/);
    });

    it('prunes old records and keeps the rest verifiable from the prune anchor', async () => {
      await fresh();
      const log = createAuditLog(store.db);
      for (let i = 0; i < 20; i++) await log.record(event(i));
      const r = await log.prune({ before: event(8).time });
      assert.deepEqual(r, { deleted: 8, anchoredSeq: 8 });
      assert.deepEqual(await log.verify(), { ok: true, records: 12, firstSeq: 9, lastSeq: 20, anchoredFrom: 8, externalAnchorsChecked: 0, anchorsIgnored: 0 });
      assert.deepEqual(await log.prune({ before: event(8).time }), { deleted: 0, anchoredSeq: null });
      await log.record(event(21));
      assert.equal((await log.verify()).ok, true);
      // Tampering with the first kept record is still caught after a prune.
      await store.db.updateTable('audit_records').set({ status: 500 }).where('seq', '=', 9).execute();
      const v = await log.verify();
      assert.equal(!v.ok && v.seq, 9);
    });

    it('exports a time range as JSON lines and CSV', async () => {
      await fresh();
      const log = createAuditLog(store.db);
      for (let i = 0; i < 10; i++) await log.record(event(i, { actor: i === 3 ? '=cmd,"x"' : 'key:k1' }));
      const lines: string[] = [];
      for await (const l of log.export({ from: event(2).time, to: event(5).time, format: 'jsonl' })) lines.push(l);
      assert.deepEqual(lines.map((l) => JSON.parse(l).request_id), ['req-2', 'req-3', 'req-4']);
      assert.deepEqual(JSON.parse(lines[0]).findings, { cn_mobile: 2, email: 1 });
      const csv: string[] = [];
      for await (const l of log.export({ from: event(3).time, to: event(4).time, format: 'csv' })) csv.push(l);
      assert.equal(csv.length, 2);
      assert.match(csv[0], /^seq,time,request_id,actor,/);
      assert.match(csv[1], /^4,\d+,req-3,"'=cmd,""x""",t1,chat,/);
    });

    it('a failed commit rejects record() so the request cannot succeed unaudited', async () => {
      await fresh();
      const log = createAuditLog(store.db);
      await log.record(event(0));
      await sql`drop table audit_records`.execute(store.db);
      await assert.rejects(log.record(event(1)));
    });
  });
}
