/**
 * The last active sysadmin cannot be disabled, demoted or deleted; login failures are throttled per
 * client address as well as per name; API keys record when they were last used, cheaply.
 * On SQLite and PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KyselyPlugin } from 'kysely';
import { createKeyAuthenticator } from '../../src/governance/index.ts';
import { createApiKeyRepository, createUserRepository } from '../../src/store/index.ts';
import { testDialects } from '../helpers/db.ts';
import { Client, loginAs, makeUser, PASSWORD, startFixture, type Fixture } from './helpers.ts';

/** Counts UPDATE statements sent through a Kysely instance. */
function countUpdates() {
  const counter = { n: 0, plugin: undefined as unknown as KyselyPlugin };
  counter.plugin = {
    transformQuery(args) {
      if (args.node.kind === 'UpdateQueryNode') counter.n++;
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  };
  return counter;
}

for (const dialect of await testDialects()) {
  describe(`governance hardening on ${dialect}`, () => {
    let f: Fixture;
    before(async () => {
      f = await startFixture(dialect, { login: { max_failures: 3, window_ms: 900_000, lockout_ms: 900_000, max_failures_per_ip: 4 } }, { trust_proxy: true });
    });
    after(() => f.close());

    it('refuses to disable, demote or delete the last active sysadmin (409), in the store for every caller', async () => {
      const users = createUserRepository(f.yumen.store.db);
      const sys = f.users.sysadmin;
      for (const attempt of [() => users.update(sys, { disabled: true }), () => users.setRoles(sys, [{ role: 'auditor', tenantId: null }]), () => users.delete(sys)]) {
        await assert.rejects(attempt(), (e: any) => e.code === 'conflict' && e.status === 409 && /last active system administrator/.test(e.message));
      }
      assert.equal((await users.findById(sys))!.disabled, 0);
      assert.deepEqual(await users.roles(sys), [{ role: 'sysadmin', tenantId: null }]);
      assert.ok(await users.update(sys, { displayName: '系统管理员' }), 'other changes still work');

      // With a second sysadmin either may go; the survivor is then protected again.
      const second = await makeUser(f.yumen, 'sys-2', [{ role: 'sysadmin', tenantId: null }]);
      const sysClient = await loginAs(f.url, 'sys');
      const viaApi = await sysClient.req('PUT', `/api/users/${second}/roles`, { roles: [{ role: 'member', department_id: f.dept.A }] });
      assert.equal(viaApi.status, 403, 'a sysadmin account is changed on the host only (三员分立)');
      await users.setRoles(second, [{ role: 'member', tenantId: f.dept.A }]);
      await assert.rejects(users.update(sys, { disabled: true }), (e: any) => e.code === 'conflict');
      // A disabled sysadmin does not count.
      const dormant = await makeUser(f.yumen, 'sys-dormant', [{ role: 'sysadmin', tenantId: null }]);
      await users.update(dormant, { disabled: true });
      await assert.rejects(users.update(sys, { disabled: true }), (e: any) => e.code === 'conflict');
      assert.ok(await users.delete(dormant), 'a disabled sysadmin may be deleted');
    });

    it('two sysadmins disabling each other at once cannot both succeed', async (t) => {
      const users = createUserRepository(f.yumen.store.db);
      const a = await makeUser(f.yumen, 'race-a', [{ role: 'sysadmin', tenantId: null }]);
      const b = await makeUser(f.yumen, 'race-b', [{ role: 'sysadmin', tenantId: null }]);
      await users.update(f.users.sysadmin, { disabled: true }); // allowed: a and b remain
      // Through the API neither may touch the other (三员分立); on the host (the store) the race is still safe.
      const [ca, cb] = [await loginAs(f.url, 'race-a'), await loginAs(f.url, 'race-b')];
      assert.equal((await ca.req('PATCH', `/api/users/${b}`, { disabled: true })).status, 403);
      assert.equal((await cb.req('PATCH', `/api/users/${a}`, { disabled: true })).status, 403);
      const results = await Promise.allSettled([users.update(b, { disabled: true }), users.update(a, { disabled: true })]);
      const ok = results.filter((r) => r.status === 'fulfilled').length;
      t.diagnostic(`concurrent disables: ${results.map((r) => r.status).join(', ')}`);
      assert.equal(ok, 1);
      const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.match(loser.reason.message, /last active system administrator/);
      assert.equal(await users.countWithRole('sysadmin'), 1);
      // Back to the fixture's state for the other tests.
      await users.update(f.users.sysadmin, { disabled: false });
      await users.update(a, { disabled: false });
      await users.update(b, { disabled: false });
    });

    it('throttles failed logins per address (429 with Retry-After), without locking other addresses', async () => {
      const from = (ip: string) => ({ 'x-forwarded-for': ip });
      const c = new Client(f.url);
      for (const name of ['ip-a', 'ip-b', 'ip-c', 'ip-d']) {
        const r = await c.req('POST', '/api/auth/login', { username: name, password: 'Wrong-Pass-1' }, from('10.9.0.1'));
        assert.equal(r.status, 401, 'different names: no name is locked');
      }
      const blocked = await c.req('POST', '/api/auth/login', { username: 'aud', password: PASSWORD }, from('10.9.0.1'));
      assert.equal(blocked.status, 429, JSON.stringify(blocked.body));
      assert.equal(blocked.body.error.code, 'rate_limited');
      const retry = Number(blocked.headers.get('retry-after'));
      assert.ok(retry > 0 && retry <= 900, String(retry));
      assert.equal((await c.req('POST', '/api/auth/login', { username: 'aud', password: PASSWORD }, from('10.9.0.2'))).status, 200, 'another address is unaffected');
      // IPv6 clients are counted by their /64.
      for (let i = 0; i < 4; i++) await c.req('POST', '/api/auth/login', { username: `v6-${i}`, password: 'Wrong-Pass-1' }, from(`2001:db8:1:2::${i + 1}`));
      assert.equal((await c.req('POST', '/api/auth/login', { username: 'aud', password: PASSWORD }, from('2001:db8:1:2:ffff::9'))).status, 429);
      assert.equal((await c.req('POST', '/api/auth/login', { username: 'aud', password: PASSWORD }, from('2001:db8:1:3::1'))).status, 200);
      // A user name cannot be used to lock an address: "ip|…" names never touch address counters.
      for (let i = 0; i < 3; i++) await c.req('POST', '/api/auth/login', { username: 'ip|10.9.0.3', password: 'Wrong-Pass-1' }, from('10.9.0.4'));
      assert.equal((await c.req('POST', '/api/auth/login', { username: 'aud', password: PASSWORD }, from('10.9.0.3'))).status, 200);
    });

    it('records last_used_at off the request path, at most once a minute per key, in one batched UPDATE', async () => {
      const keys = createApiKeyRepository(f.yumen.store.db);
      const k1 = await keys.create({ tenantId: f.dept.A });
      const k2 = await keys.create({ tenantId: f.dept.B });
      const counter = countUpdates();
      let t = 1_700_000_000_000;
      const auth = createKeyAuthenticator(f.yumen.store.db.withPlugin(counter.plugin), { now: () => t, lastUsedFlushMs: 3_600_000 });
      await auth.authenticate(k1.secret);
      await auth.authenticate(k2.secret);
      assert.equal(counter.n, 0, 'authenticating writes nothing');
      assert.equal((await keys.findById(k1.row.id))!.last_used_at, null);
      await auth.flush();
      assert.equal(counter.n, 1, 'both keys in one statement');
      assert.equal((await keys.findById(k1.row.id))!.last_used_at, t);
      assert.equal((await keys.findById(k2.row.id))!.last_used_at, t);
      const first = t;
      for (let i = 0; i < 50; i++) { t += 1_000; await auth.authenticate(k1.secret); }
      await auth.flush();
      assert.equal(counter.n, 1, 'no write within the minute');
      assert.equal((await keys.findById(k1.row.id))!.last_used_at, first);
      t += 10_000;
      await auth.authenticate(k1.secret);
      await auth.close();
      assert.equal(counter.n, 2);
      assert.equal((await keys.findById(k1.row.id))!.last_used_at, t, 'written again after a minute, on close at the latest');
    });

    it('shows last_used_at in the admin API once a key has been used on /v1', async () => {
      const sys = await loginAs(f.url, 'sys');
      const created = await sys.req('POST', '/api/keys', { department_id: f.dept.A });
      assert.equal(created.body.key.last_used_at, null);
      const before = Date.now();
      assert.equal((await fetch(`${f.url}/v1/models`, { headers: { authorization: `Bearer ${created.body.secret}` } })).status, 200);
      let seen: number | null = null;
      for (let i = 0; i < 100 && seen === null; i++) {
        await new Promise((r) => setTimeout(r, 100));
        seen = (await sys.req('GET', `/api/keys/${created.body.key.id}`)).body.last_used_at;
      }
      assert.ok(seen !== null && seen >= before, `last_used_at ${seen}`);
      assert.ok((await sys.req('GET', '/api/keys')).body.data.some((k: any) => k.id === created.body.key.id && k.last_used_at === seen));
    });
  });
}
