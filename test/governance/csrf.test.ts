/**
 * Regression (issue 12, item 4): a cookie-authenticated POST /api/keys/{id}/revoke without a body was accepted
 * with content-type text/plain from a foreign Origin. State-changing admin routes now check the Origin and
 * accept only JSON, even with an empty body.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKeyRepository } from '../../src/store/index.ts';
import { loginAs, startFixture, type Client, type Fixture } from './helpers.ts';

describe('cross-site requests to the admin API', () => {
  let f: Fixture;
  let sys: Client;
  before(async () => {
    f = await startFixture('sqlite');
    sys = await loginAs(f.url, 'sys');
  });
  after(async () => f?.close());
  const freshKey = async () => (await createApiKeyRepository(f.yumen.store.db).create({ tenantId: f.dept.A })).row.id;
  const revoke = (id: string, headers: Record<string, string>) => fetch(`${f.url}/api/keys/${id}/revoke`, { method: 'POST', headers: { cookie: sys.cookie!, ...headers } });

  it('refuses a foreign Origin, with or without a body, and leaves the key alive', async () => {
    const id = await freshKey();
    const cases: Array<Record<string, string>> = [{ origin: 'https://evil.example', 'content-type': 'text/plain' }, { origin: 'https://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }];
    for (const headers of cases) {
      const res = await revoke(id, headers);
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal(((await res.json()) as any).error.code, 'csrf_rejected');
    }
    assert.equal((await createApiKeyRepository(f.yumen.store.db).findById(id))!.revoked_at, null);
  });

  it('refuses non-JSON content types from its own origin too, even with an empty body', async () => {
    const id = await freshKey();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await revoke(id, { origin: f.url, 'content-type': type });
      assert.equal(res.status, 415, type);
      assert.equal(((await res.json()) as any).error.code, 'unsupported_media_type');
    }
    assert.equal((await createApiKeyRepository(f.yumen.store.db).findById(id))!.revoked_at, null);
  });

  it('accepts the console\'s own requests (same Origin, JSON) and clients that send no Origin', async () => {
    assert.equal((await revoke(await freshKey(), { origin: f.url, 'content-type': 'application/json' })).status, 200);
    assert.equal((await revoke(await freshKey(), { 'sec-fetch-site': 'same-origin' })).status, 200);
    assert.equal((await revoke(await freshKey(), {})).status, 200);
    const rows = await f.yumen.store.db.selectFrom('audit_records').select(['action', 'error_code']).where('action', '=', 'admin.key.revoke').execute();
    assert.ok(rows.some((r) => r.error_code === 'csrf_rejected'), 'refusals are audited');
  });
});
