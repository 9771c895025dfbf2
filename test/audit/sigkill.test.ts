import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createAuditLog } from '../../src/audit/index.ts';
import { openStore } from '../../src/store/index.ts';
import { createTestDatabase, testDialects } from '../helpers/db.ts';

const CHILD = fileURLToPath(new URL('./fixtures/append-child.ts', import.meta.url));

function startChild(url: string, label: string): { child: ChildProcess; acked: Set<string>; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, label, '32'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acked = new Set<string>();
  let buf = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) if (l) acked.add(l);
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { if (d.includes('ready')) resolve(); });
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  return { child, acked, ready };
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
}

for (const dialect of await testDialects()) {
  describe(`audit durability on ${dialect}`, () => {
    it('every record acknowledged before SIGKILL is present, and the chain verifies (two writer processes)', async () => {
      const tdb = await createTestDatabase(dialect);
      const setup = await openStore(tdb.url); // migrate once before the children race
      await setup.close();
      try {
        const a = startChild(tdb.url, 'a');
        const b = startChild(tdb.url, 'b');
        await Promise.all([a.ready, b.ready]);
        // Kill mid-stream, while both are appending under load.
        await until(() => a.acked.size >= 300 && b.acked.size >= 300);
        const exits = [a, b].map((c) => new Promise((r) => c.child.once('exit', r)));
        a.child.kill('SIGKILL');
        b.child.kill('SIGKILL');
        await Promise.all(exits);
        // Lines already written to the pipe before the kill are still delivered.
        await new Promise((r) => setTimeout(r, 50));

        const store = await openStore(tdb.url);
        try {
          const ids = new Set((await store.db.selectFrom('audit_records').select('request_id').execute()).map((r) => r.request_id));
          const missing = [...a.acked, ...b.acked].filter((id) => !ids.has(id));
          assert.deepEqual(missing, [], 'acknowledged records lost by SIGKILL');
          const v = await createAuditLog(store.db).verify();
          assert.equal(v.ok, true, JSON.stringify(v));
          assert.ok(v.ok && v.records >= a.acked.size + b.acked.size);
        } finally {
          await store.close();
        }
      } finally {
        await tdb.drop();
      }
    });
  });
}
