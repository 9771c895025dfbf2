import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, createTenantRepository, createApiKeyRepository, createUsageRepository, hashApiKey, parseStorageUrl } from '../../src/store/index.ts';
import { testDialects, useFreshStore } from '../helpers/db.ts';

for (const dialect of await testDialects()) {
  describe(`store on ${dialect}`, () => {
    const fresh = useFreshStore(dialect);

    it('migrations are idempotent across restarts', async () => {
      const again = await openStore(fresh.url);
      await again.close();
    });

    it('ensures tenants once by name', async () => {
      const tenants = createTenantRepository(fresh.store.db);
      const [a, b] = await Promise.all([tenants.ensure('财政局'), tenants.ensure('财政局')]);
      assert.equal(a.id, b.id);
      assert.equal((await tenants.list()).filter((t) => t.name === '财政局').length, 1);
    });

    it('stores keys hashed and finds them by hash', async () => {
      const tenant = await createTenantRepository(fresh.store.db).ensure('dept-keys');
      const keys = createApiKeyRepository(fresh.store.db);
      const { secret, row } = await keys.create({ tenantId: tenant.id, allowedModels: ['m1'] });
      assert.match(secret, /^ym-[A-Za-z0-9]{40}$/);
      assert.notEqual(row.key_hash, secret);
      const found = await keys.findByHash(hashApiKey(secret));
      assert.equal(found?.id, row.id);
      assert.deepEqual(JSON.parse(found!.allowed_models!), ['m1']);
      assert.equal(typeof found!.created_at, 'number');
      assert.equal(await keys.revoke(row.id), true);
      assert.equal(await keys.revoke(row.id), false);
    });

    it('records usage and sums tokens', async () => {
      const usage = createUsageRepository(fresh.store.db);
      const base = { createdAt: Date.now(), tenantId: 't-usage', keyId: null, endpoint: 'chat', model: 'm', backend: 'b', zone: 'private', stream: false, status: 200, errorCode: null, latencyMs: 12.6, level: 'public', decision: 'allow', redactions: 0, findings: { cn_mobile: 2 } };
      await usage.insertMany([
        { ...base, id: 'r1', promptTokens: 10, completionTokens: 5 },
        { ...base, id: 'r2', promptTokens: 7, completionTokens: 3, stream: true },
      ]);
      const totals = await usage.totals({ tenantId: 't-usage' });
      assert.deepEqual(totals.map((t) => [t.requests, t.prompt_tokens, t.completion_tokens]), [[2, 17, 8]]);
      const rows = await usage.list({ tenantId: 't-usage' });
      assert.equal(rows.length, 2);
      assert.deepEqual(rows.find((r) => r.id === 'r1')!.findings, { cn_mobile: 2 });
      assert.equal(rows.find((r) => r.id === 'r2')!.stream, true);
      assert.equal(rows.find((r) => r.id === 'r1')!.latencyMs, 13);
    });

    it('writes a usage batch whole or not at all', async () => {
      const usage = createUsageRepository(fresh.store.db);
      const base = { createdAt: Date.now(), tenantId: 't-atomic', keyId: null, endpoint: 'chat', model: 'm', backend: null, zone: null, stream: false, status: 200, errorCode: null, promptTokens: 1, completionTokens: 1, latencyMs: 1, level: null, decision: null, redactions: 0, findings: null };
      await usage.insertMany([{ ...base, id: 'a1' }]);
      // The second row repeats a primary key: the whole batch must be refused, the first row included.
      await assert.rejects(usage.insertMany([{ ...base, id: 'a2' }, { ...base, id: 'a1' }]));
      assert.deepEqual((await usage.list({ tenantId: 't-atomic' })).map((r) => r.id), ['a1']);
      // A batch written while another part of the server holds a Kysely transaction is not lost with its rollback.
      let written: Promise<void> | undefined;
      await assert.rejects(fresh.store.db.transaction().execute(async (trx) => {
        await trx.selectFrom('tenants').select('id').execute();
        written = usage.insertMany([{ ...base, id: 'a3' }]);
        throw new Error('roll back');
      }));
      await written;
      assert.deepEqual((await usage.list({ tenantId: 't-atomic' })).map((r) => r.id).sort(), ['a1', 'a3']);
    });
  });
}

describe('parseStorageUrl', () => {
  it('accepts sqlite and postgres URLs and rejects others', () => {
    assert.deepEqual(parseStorageUrl('sqlite:./data/x.db'), { dialect: 'sqlite', target: './data/x.db' });
    assert.equal(parseStorageUrl('postgresql://u@h/db').dialect, 'postgres');
    assert.throws(() => parseStorageUrl('mysql://x'), /storage.url/);
  });
});
