/**
 * Regression (issue 12, item 8): `yumen kb add` beside a running server on one SQLite file failed 817 of 7,337
 * files with "database is locked": Kysely's deferred transactions read first and then could not wait for the
 * other process's write lock. Transactions now take the lock when they begin, so busy_timeout applies.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.ts';

const STORE = fileURLToPath(new URL('../../src/store/index.ts', import.meta.url));

describe('two processes writing one SQLite file', () => {
  it('loses no transaction that reads before it writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yumen-writers-'));
    try {
      const url = `sqlite:${join(dir, 'yumen.db')}`;
      (await openStore(url)).close();
      const script = join(dir, 'writer.mts');
      writeFileSync(script, `
        import { openStore } from ${JSON.stringify(STORE)};
        const store = await openStore(${JSON.stringify(url)});
        let failed = 0;
        for (let i = 0; i < 150; i++) {
          try {
            await store.db.transaction().execute(async (trx) => {
              await trx.selectFrom('tenants').select('id').limit(1).execute();
              await new Promise((r) => setTimeout(r, 1));
              await trx.insertInto('tenants').values({ id: process.argv[2] + '-' + i, name: process.argv[2] + '-' + i, created_at: Date.now() }).execute();
            });
          } catch (err) { failed++; if (failed === 1) console.error(String(err)); }
        }
        await store.close();
        console.log(JSON.stringify({ failed }));
      `);
      const run = (tag: string) => new Promise<{ failed: number; err: string }>((resolve) => {
        const p = spawn(process.execPath, ['--import', 'tsx', script, tag], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        p.stdout.on('data', (d) => { out += d; });
        p.stderr.on('data', (d) => { err += d; });
        p.on('close', () => resolve({ failed: out ? JSON.parse(out.trim().split('\n').at(-1)!).failed : -1, err }));
      });
      const results = await Promise.all([run('a'), run('b'), run('c')]);
      assert.deepEqual(results.map((r) => r.failed), [0, 0, 0], results.map((r) => r.err).join('\n'));
      const store = await openStore(url);
      const n = await store.db.selectFrom('tenants').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      await store.close();
      assert.equal(Number(n.n), 450);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
