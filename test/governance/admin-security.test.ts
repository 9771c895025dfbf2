/** Cross-department isolation, 三员分立, lock-out, sessions, key revocation and IP allow-lists over real HTTP. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKeyRepository, createKeyAdminRepository, createUserRepository } from '../../src/store/index.ts';
import { testDialects } from '../helpers/db.ts';
import { Client, loginAs, PASSWORD, startFixture, type Fixture } from './helpers.ts';

for (const dialect of await testDialects()) {
  describe(`admin API security on ${dialect}`, () => {
    let f: Fixture;
    let sys: Client;
    let adminA: Client;
    let memberA: Client;
    before(async () => {
      f = await startFixture(dialect, { login: { max_failures: 5, window_ms: 900_000, lockout_ms: 900_000 } });
      sys = await loginAs(f.url, 'sys');
      adminA = await loginAs(f.url, 'admin-a');
      memberA = await loginAs(f.url, 'member-a');
    });
    after(() => f.close());

    it('a department admin of A sees and changes nothing of B', async () => {
      const keys = createApiKeyRepository(f.yumen.store.db);
      const keyB = (await keys.create({ tenantId: f.dept.B, name: 'b-key' })).row.id;
      const keyA1 = (await keys.create({ tenantId: f.dept.A1, name: 'a1-key' })).row.id;

      const depts = (await adminA.req('GET', '/api/departments')).body.data.map((d: any) => d.id).sort();
      assert.deepEqual(depts, [f.dept.A, f.dept.A1].sort(), 'A and its sub-department only');
      assert.equal((await adminA.req('GET', `/api/departments/${f.dept.B}`)).status, 404);

      const listed = (await adminA.req('GET', '/api/keys')).body.data;
      assert.ok(listed.some((k: any) => k.id === keyA1), 'sub-department keys are in reach');
      assert.ok(listed.every((k: any) => k.department_id !== f.dept.B));
      assert.equal((await adminA.req('GET', `/api/keys?department_id=${f.dept.B}`)).status, 403);
      assert.equal((await adminA.req('GET', `/api/keys/${keyB}`)).status, 404);
      assert.equal((await adminA.req('POST', `/api/keys/${keyB}/revoke`)).status, 404);
      assert.equal((await keys.findById(keyB))!.revoked_at, null);
      const create = await adminA.req('POST', '/api/keys', { department_id: f.dept.B });
      assert.equal(create.status, 403);
      assert.equal(create.body.error.param, 'department_id');

      const users = (await adminA.req('GET', '/api/users')).body.data.map((u: any) => u.username);
      assert.ok(users.includes('member-a') && !users.includes('member-b') && !users.includes('sys'), users.join(','));
      assert.equal((await adminA.req('GET', `/api/users/${f.users.memberB}`)).status, 404);
      assert.equal((await adminA.req('PATCH', `/api/users/${f.users.memberB}`, { disabled: true })).status, 404);
      assert.equal((await adminA.req('DELETE', `/api/users/${f.users.deptAdminB}`)).status, 404);
      const grantB = await adminA.req('POST', '/api/users', { username: 'sneaky', password: PASSWORD, roles: [{ role: 'member', department_id: f.dept.B }] });
      assert.equal(grantB.status, 403);
      const grantTop = await adminA.req('POST', '/api/users', { username: 'sneaky2', password: PASSWORD, roles: [{ role: 'sysadmin' }] });
      assert.equal(grantTop.status, 403);
      const elevate = await adminA.req('PUT', `/api/users/${f.users.memberA}/roles`, { roles: [{ role: 'auditor' }] });
      assert.equal(elevate.status, 403);
      assert.equal((await adminA.req('PUT', `/api/users/${f.users.deptAdminA}/roles`, { roles: [{ role: 'dept_admin', department_id: f.dept.B }] })).status, 403, 'not even their own roles');

      const dictB = await loginAs(f.url, 'sec').then((c) => c.req('POST', '/api/dictionaries', { department_id: f.dept.B, name: 'b-terms', terms: [{ term: '雪亮', label: 'project' }] }));
      assert.equal(dictB.status, 201);
      assert.equal((await adminA.req('GET', `/api/dictionaries/${dictB.body.id}`)).status, 404);
      assert.equal((await adminA.req('GET', `/api/departments/${f.dept.B}/policy`)).status, 404);
    });

    it('a member manages only the keys they made', async () => {
      const other = (await createApiKeyRepository(f.yumen.store.db).create({ tenantId: f.dept.A })).row.id;
      const mine = await memberA.req('POST', '/api/keys', { department_id: f.dept.A, name: 'mine' });
      assert.equal(mine.status, 201);
      const ids = (await memberA.req('GET', '/api/keys')).body.data.map((k: any) => k.id);
      assert.ok(ids.includes(mine.body.key.id) && !ids.includes(other));
      assert.equal((await memberA.req('POST', `/api/keys/${other}/revoke`)).status, 404);
      assert.equal((await memberA.req('POST', '/api/keys', { department_id: f.dept.B })).status, 403);
    });

    it('no account holds two of sysadmin, secadmin and auditor (三员分立)', async () => {
      const both = await sys.req('POST', '/api/users', { username: 'two-hats', password: PASSWORD, roles: [{ role: 'sysadmin' }, { role: 'auditor' }] });
      assert.equal(both.status, 403, 'the API grants none of the three roles');
      assert.equal(both.body.error.code, 'separation_of_duties');
      const users = createUserRepository(f.yumen.store.db);
      await assert.rejects(users.create({ username: 'two-hats', roles: [{ role: 'sysadmin', tenantId: null }, { role: 'auditor', tenantId: null }] }), (e: any) => e.code === 'role_conflict');
      await assert.rejects(users.setRoles(f.users.secadmin, [{ role: 'secadmin', tenantId: null }, { role: 'sysadmin', tenantId: null }]), (e: any) => e.code === 'role_conflict');
      await assert.rejects(users.setRoles(f.users.auditor, [{ role: 'auditor', tenantId: null }, { role: 'member', tenantId: f.dept.A }]), (e: any) => e.code === 'role_conflict', 'an auditor is not also a department member');
      const me = (await (await loginAs(f.url, 'sec')).req('GET', '/api/auth/me')).body.user.roles;
      assert.deepEqual(me, [{ role: 'secadmin', department_id: null }]);
    });

    it('validation errors name the field', async () => {
      const cases: Array<[string, string, unknown, string]> = [
        ['POST', '/api/departments', {}, 'name'],
        ['POST', '/api/users', { username: 'a b', password: PASSWORD, roles: [] }, 'username'],
        ['POST', '/api/users', { username: 'weak', password: 'password', roles: [] }, 'password'],
        ['POST', '/api/users', { username: 'norole', password: PASSWORD, roles: [{ role: 'member' }] }, 'roles[0].department_id'],
        ['POST', '/api/keys', { department_id: f.dept.A, allowed_ips: ['10.0.0.0/8', 'not-an-ip'] }, 'allowed_ips[1]'],
        ['POST', '/api/keys', { department_id: f.dept.A, expires_at: 1 }, 'expires_at'],
        ['POST', '/api/models', { name: 'bad', provider: 'openai-compatible', zone: 'external' }, 'base_url'],
      ];
      for (const [method, path, body, param] of cases) {
        const res = await sys.req(method, path, body);
        assert.equal(res.status, 400, `${path} ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.param, param, JSON.stringify(res.body));
      }
    });

    it('department policies are checked by the policy module, naming the key', async () => {
      const sec = await loginAs(f.url, 'sec');
      const bad = await sec.req('PUT', `/api/departments/${f.dept.A}/policy`, { policy: { bogus: 1 } });
      assert.equal(bad.status, 400, JSON.stringify(bad.body));
      assert.equal(bad.body.error.param, 'policy.bogus');
      const ok = await sec.req('PUT', `/api/departments/${f.dept.A}/policy`, { policy: {} });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const inherited = (await sec.req('GET', `/api/departments/${f.dept.A1}/policy`)).body;
      assert.equal(inherited.policy, null);
      assert.equal(inherited.effective.source_department_id, f.dept.A);
    });

    it('locks a user name after 5 failures, for existing and unknown names alike', async () => {
      for (const name of ['member-b', 'nobody-here']) {
        const c = new Client(f.url);
        for (let i = 0; i < 5; i++) {
          const r = await c.login(name, 'Wrong-Password-1');
          assert.equal(r.status, 401);
          assert.equal(r.body.error.code, 'invalid_credentials');
        }
        const locked = await c.login(name, PASSWORD);
        assert.equal(locked.status, 429, JSON.stringify(locked.body));
        assert.equal(locked.body.error.code, 'account_locked');
        assert.ok(Number(locked.headers.get('retry-after')) > 0);
      }
      assert.equal((await new Client(f.url).login('admin-b')).status, 200, 'other accounts are unaffected');
      // An administrator's password reset lifts the lock.
      assert.equal((await sys.req('PATCH', `/api/users/${f.users.memberB}`, { password: 'Fresh-Password-2' })).status, 200);
      assert.equal((await new Client(f.url).login('member-b', 'Fresh-Password-2')).status, 200);
    });

    it('sessions: HttpOnly SameSite=Strict cookie; logout and disabling end them', async () => {
      const c = new Client(f.url);
      const res = await c.login('aud');
      const cookie = res.headers.get('set-cookie')!;
      assert.match(cookie, /^yumen_session=[A-Za-z0-9_-]{43};/);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Strict/);
      assert.equal((await c.req('GET', '/api/auth/me')).status, 200);
      assert.equal((await c.req('POST', '/api/auth/logout')).status, 200);
      assert.equal((await c.req('GET', '/api/auth/me')).status, 401);

      const d = await loginAs(f.url, 'member-a');
      assert.equal((await sys.req('PATCH', `/api/users/${f.users.memberA}`, { disabled: true })).status, 200);
      assert.equal((await d.req('GET', '/api/auth/me')).status, 401);
      assert.equal((await new Client(f.url).login('member-a')).status, 401, 'a disabled account cannot sign in');
      assert.equal((await sys.req('PATCH', `/api/users/${f.users.memberA}`, { disabled: false })).status, 200);
      assert.equal((await new Client(f.url).req('GET', '/api/auth/me', undefined, { cookie: 'yumen_session=forged' })).status, 401);
    });

    it('a revoked key is refused on /v1 at once', async () => {
      const created = await sys.req('POST', '/api/keys', { department_id: f.dept.A });
      assert.equal(created.status, 201);
      assert.equal(created.headers.get('cache-control'), 'no-store');
      const bearer = { authorization: `Bearer ${created.body.secret}` };
      assert.equal((await fetch(`${f.url}/v1/models`, { headers: bearer })).status, 200);
      assert.equal((await sys.req('POST', `/api/keys/${created.body.key.id}/revoke`)).status, 200);
      const after = await fetch(`${f.url}/v1/models`, { headers: bearer });
      assert.equal(after.status, 401);
      assert.equal(((await after.json()) as any).error.code, 'invalid_api_key');
      const listed = (await sys.req('GET', `/api/keys/${created.body.key.id}`)).body;
      assert.equal(listed.secret, undefined);
      assert.ok(listed.revoked_at > 0);
    });

    it('IP allow-lists admit only listed addresses', async () => {
      const call = async (ips: string[]) => {
        const k = await sys.req('POST', '/api/keys', { department_id: f.dept.A, allowed_ips: ips });
        assert.equal(k.status, 201);
        const r = await fetch(`${f.url}/v1/models`, { headers: { authorization: `Bearer ${k.body.secret}` } });
        return { status: r.status, body: (await r.json()) as any };
      };
      const denied = await call(['10.0.0.0/8', '2001:db8::/32']);
      assert.equal(denied.status, 403);
      assert.equal(denied.body.error.code, 'ip_not_allowed');
      assert.equal((await call(['127.0.0.1'])).status, 200);
      assert.equal((await call(['127.0.0.0/8', '::1'])).status, 200);
    });

    it('models keep their credentials encrypted and never return them', async () => {
      const created = await sys.req('POST', '/api/models', { name: 'deepseek-x', provider: 'openai-compatible', zone: 'external', base_url: 'https://api.example.com/v1', api_key: 'sk-very-secret-123' });
      assert.equal(created.status, 201);
      assert.equal(created.body.has_api_key, true);
      const all = JSON.stringify((await sys.req('GET', '/api/models')).body);
      assert.ok(!all.includes('sk-very-secret-123'));
      const row = await f.yumen.store.db.selectFrom('stored_models').selectAll().where('name', '=', 'deepseek-x').executeTakeFirstOrThrow();
      assert.ok(!row.config.includes('sk-very-secret') && !row.api_key_enc!.includes('sk-very-secret'));
      assert.match(row.api_key_enc!, /^sm4ctr\.v1\./);
      const patched = await sys.req('PATCH', '/api/models/deepseek-x', { zone: 'private' });
      assert.equal(patched.body.zone, 'private');
      assert.equal(patched.body.has_api_key, true, 'the key is kept when not sent');
    });

    it('keys created with the CLI path are not attributed to anyone', async () => {
      const { row } = await createApiKeyRepository(f.yumen.store.db).create({ tenantId: f.dept.A });
      assert.equal((await createKeyAdminRepository(f.yumen.store.db).list({ createdBy: f.users.sysadmin })).some((k) => k.id === row.id), false);
      assert.equal((await sys.req('GET', `/api/keys/${row.id}`)).body.created_by, null);
    });
  });
}
