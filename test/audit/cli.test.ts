import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditSettings, createAuditLog } from '../../src/audit/index.ts';
import { openStore } from '../../src/store/index.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../helpers/db.ts';
import { event } from './fixtures/events.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

function yumen(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...process.env, YUMEN_CONFIG: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

for (const dialect of await testDialects()) {
  describe(`yumen audit CLI on ${dialect}`, () => {
    let tdb: TestDatabase;
    let dir: string;
    let config: string;
    before(async () => {
      tdb = await createTestDatabase(dialect);
      dir = mkdtempSync(join(tmpdir(), 'yumen-audit-cli-'));
      config = join(dir, 'yumen.yaml');
      writeFileSync(config, `storage: { url: "${tdb.url}" }\ndata_dir: ${dir}\naudit: { retention_days: 180 }\n`);
      const store = await openStore(tdb.url);
      const log = createAuditLog(store.db);
      const now = Date.now();
      for (let i = 0; i < 6; i++) await log.record(event(i, { time: now - (200 - i) * 86_400_000 + (i < 3 ? 0 : 100 * 86_400_000) }));
      await store.close();
    });
    after(async () => {
      await tdb.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('verify exits 0 on an intact chain', async () => {
      const r = await yumen(['audit', 'verify', '--config', config]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /intact: 6 records/);
    });

    it('export writes JSON lines and CSV for a time range', async () => {
      const r = await yumen(['audit', 'export', '--config', config, '--from', '0', '--to', String(Date.now()), '--format', 'jsonl']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim().split('\n').length, 6);
      const out = join(dir, 'out.csv');
      const c = await yumen(['audit', 'export', '--config', config, '--from', '1970-01-01', '--to', '2999-01-01', '--format', 'csv', '--out', out]);
      assert.equal(c.code, 0, c.stderr);
      assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 7);
      const bad = await yumen(['audit', 'export', '--config', config, '--from', 'yesterday', '--to', '0']);
      assert.notEqual(bad.code, 0);
    });

    it('anchor writes the head to the anchor file, and prune keeps the chain verifiable', async () => {
      const a = await yumen(['audit', 'anchor', '--config', config]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(JSON.parse(readFileSync(auditSettings({ data_dir: dir, storage: { url: tdb.url } }).anchorFile!, 'utf8').trim()).seq, 6);
      const p = await yumen(['audit', 'prune', '--config', config]);
      assert.equal(p.code, 0, p.stderr);
      assert.match(p.stdout, /pruned 3 records/);
      const v = await yumen(['audit', 'verify', '--config', config]);
      assert.equal(v.code, 0, v.stdout + v.stderr);
      assert.match(v.stdout, /intact: 3 records .*prune anchor at seq 3; 1 external anchors matched/);
    });

    it('verify exits 1 naming the first broken record', async () => {
      const store = await openStore(tdb.url);
      await store.db.updateTable('audit_records').set({ completion_tokens: 999 }).where('seq', '=', 5).execute();
      await store.close();
      const r = await yumen(['audit', 'verify', '--config', config]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /BROKEN at record seq 5: hash mismatch/);
    });

    it('verify exits 2 when it cannot check', async () => {
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'audit: { retention_days: -1 }\n');
      const r = await yumen(['audit', 'verify', '--config', bad]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /audit\.retention_days/);
    });
  });
}
