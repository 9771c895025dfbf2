import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAuditLog } from '../../src/audit/index.ts';
import { createApiKeyRepository, createTenantRepository, openStore } from '../../src/store/index.ts';
import { createTestDatabase, testDialects } from '../helpers/db.ts';
import { startMockUpstream } from '../helpers/mock-upstream.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

for (const dialect of await testDialects()) {
  describe(`real server killed with SIGKILL under load (${dialect})`, () => {
    it('every 2xx a client received has its audit record, and the chain verifies', async () => {
      const tdb = await createTestDatabase(dialect);
      const dir = mkdtempSync(join(tmpdir(), 'yumen-kill-'));
      const up = await startMockUpstream();
      up.setDefault({ delayMs: 2 });
      try {
        const setup = await openStore(tdb.url);
        const tenant = await createTenantRepository(setup.db).ensure('财政局');
        const { secret } = await createApiKeyRepository(setup.db).create({ tenantId: tenant.id });
        await setup.close();
        const config = join(dir, 'yumen.yaml');
        writeFileSync(config, [
          `storage: { url: "${tdb.url}" }`, `data_dir: ${dir}`, 'log: { level: silent }',
          'models:', `  - { name: m, provider: openai-compatible, base_url: "${up.baseUrl}", zone: private }`,
          'limits: { backends: { m: { max_concurrency: 8 } } }', '',
        ].join('\n'));
        const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--config', config, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
        const exited = new Promise((r) => child.once('exit', r));
        const url = await new Promise<string>((resolve, reject) => {
          let err = '';
          child.stderr!.setEncoding('utf8').on('data', (d: string) => {
            err += d;
            const m = /listening on (http:\/\/\S+)/.exec(err);
            if (m) resolve(m[1]);
          });
          child.once('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
        });

        const succeeded: string[] = [];
        let stop = false;
        const client = async () => {
          while (!stop) {
            try {
              const res = await fetch(`${url}/v1/chat/completions`, {
                method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
                body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: '今天天气如何' }] }),
              });
              await res.arrayBuffer();
              if (res.status >= 200 && res.status < 300) succeeded.push(res.headers.get('x-yumen-request-id')!);
            } catch {
              return; // the server is gone
            }
          }
        };
        const clients = Array.from({ length: 16 }, client);
        while (succeeded.length < 300) await new Promise((r) => setTimeout(r, 10));
        child.kill('SIGKILL');
        await exited;
        stop = true;
        await Promise.all(clients);

        const store = await openStore(tdb.url);
        try {
          const ids = new Set((await store.db.selectFrom('audit_records').select('request_id').execute()).map((r) => r.request_id));
          assert.deepEqual(succeeded.filter((id) => !ids.has(id)), [], 'a client saw success for a request with no audit record');
          const v = await createAuditLog(store.db).verify();
          assert.equal(v.ok, true, JSON.stringify(v));
          const sample = await store.db.selectFrom('audit_records').selectAll().where('request_id', '=', succeeded[0]).executeTakeFirstOrThrow();
          assert.equal(sample.tenant_id, tenant.id);
          assert.equal(sample.status, 200);
          assert.equal(sample.model, 'm');
        } finally {
          await store.close();
        }
      } finally {
        await up.close();
        await tdb.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
