/** Governance repositories and services on SQLite and PostgreSQL. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Gateway } from '../../src/gateway/index.ts';
import type { AuditEvent } from '../../src/gateway/ports.ts';
import { createAccounts, createKeyAuthenticator, createSecretBox, getTenantPolicy, getTenantPolicyChain, GOVERNANCE_DEFAULTS, governanceSettings, hashPassword, ipThrottleKey, listDictionaryTerms, listStoredModels, createModelStore, parseMasterKey, validateGovernanceConfig } from '../../src/governance/index.ts';
import { buildServer } from '../../src/server/app.ts';
import { adminRoutes } from '../../src/server/routes/admin/index.ts';
import { createDepartmentRepository, createDictionaryRepository, createUserRepository, openStore } from '../../src/store/index.ts';
import { testDialects, useFreshStore } from '../helpers/db.ts';
import { Registry } from 'prom-client';

const settings = { ...GOVERNANCE_DEFAULTS, password: { scryptN: 1024 } };

for (const dialect of await testDialects()) {
  describe(`governance store on ${dialect}`, () => {
    const fresh = useFreshStore(dialect);

    it('the repository refuses two of the three top roles (三员分立)', async () => {
      const users = createUserRepository(fresh.store.db);
      await assert.rejects(users.create({ username: 'x1', roles: [{ role: 'sysadmin', tenantId: null }, { role: 'secadmin', tenantId: null }] }), (e: any) => e.code === 'role_conflict');
      const u = await users.create({ username: 'x2', roles: [{ role: 'auditor', tenantId: null }] });
      await assert.rejects(users.setRoles(u.id, [{ role: 'auditor', tenantId: null }, { role: 'sysadmin', tenantId: null }]), (e: any) => e.code === 'role_conflict');
      assert.deepEqual(await users.roles(u.id), [{ role: 'auditor', tenantId: null }], 'unchanged after the refusal');
      assert.equal(await users.findByUsername('x1'), undefined, 'nothing half-written');
      await assert.rejects(users.create({ username: 'x2', roles: [] }), (e: any) => e.code === 'conflict' && e.param === 'username');
    });

    it('policies and dictionaries are inherited down the department tree', async () => {
      const depts = createDepartmentRepository(fresh.store.db);
      const root = await depts.create({ name: 'p-root' });
      const mid = await depts.create({ name: 'p-mid', parentId: root.id });
      const leaf = await depts.create({ name: 'p-leaf', parentId: mid.id });
      assert.equal(await getTenantPolicy(fresh.store.db, leaf.id), null);
      await depts.setPolicy(root.id, { external: 'pseudonymize' });
      assert.deepEqual(await getTenantPolicy(fresh.store.db, leaf.id), { policy: { external: 'pseudonymize' }, sourceTenantId: root.id });
      await depts.setPolicy(mid.id, { external: 'deny' });
      assert.deepEqual((await getTenantPolicy(fresh.store.db, leaf.id))!.sourceTenantId, mid.id);
      assert.deepEqual((await getTenantPolicyChain(fresh.store.db, leaf.id)).map((p) => p.tenantId), [root.id, mid.id]);
      await assert.rejects(depts.update(root.id, { parentId: leaf.id }), (e: any) => e.param === 'parent_id', 'no cycles');

      const dicts = createDictionaryRepository(fresh.store.db);
      await dicts.create({ tenantId: root.id, name: 'org', terms: [{ term: '金盾工程', label: 'project' }] });
      await dicts.create({ tenantId: leaf.id, name: 'own', terms: [{ term: '天网', label: 'project' }] });
      const other = await depts.create({ name: 'p-other' });
      await dicts.create({ tenantId: other.id, name: 'other', terms: [{ term: '别家', label: 'x' }] });
      const terms = (await listDictionaryTerms(fresh.store.db, leaf.id)).map((t) => t.term).sort();
      assert.deepEqual(terms, ['金盾工程', '天网'].sort());
      assert.deepEqual((await listDictionaryTerms(fresh.store.db, mid.id)).map((t) => t.term), ['金盾工程']);
      await assert.rejects(depts.delete(root.id), (e: any) => e.code === 'conflict', 'not while it has sub-departments');
    });

    it('sessions end after idle and absolute timeouts; lock-out lifts after its period', async () => {
      let t = 1_000_000;
      const accounts = createAccounts(fresh.store.db, { settings: { ...settings, session: { idleTimeoutMs: 10_000, absoluteTimeoutMs: 100_000, secureCookie: 'auto' }, login: { maxFailures: 3, windowMs: 50_000, lockoutMs: 30_000, maxFailuresPerIp: 20 } }, now: () => t });
      await createUserRepository(fresh.store.db).create({ username: 'clock', passwordHash: await hashPassword('Clock-Pass-1', 1024), roles: [] });
      const s = await accounts.login('clock', 'Clock-Pass-1');
      t += 9_000;
      assert.ok(await accounts.resolveSession(s.sessionId));
      t += 11_000;
      assert.equal(await accounts.resolveSession(s.sessionId), null, 'idle too long');
      const s2 = await accounts.login('clock', 'Clock-Pass-1');
      for (let i = 0; i < 12; i++) { t += 9_000; await accounts.resolveSession(s2.sessionId); }
      assert.equal(await accounts.resolveSession(s2.sessionId), null, 'past the absolute limit despite activity');

      for (let i = 0; i < 3; i++) await assert.rejects(accounts.login('clock', 'nope'), (e: any) => e.code === 'invalid_credentials');
      await assert.rejects(accounts.login('clock', 'Clock-Pass-1'), (e: any) => e.code === 'account_locked');
      t += 31_000;
      assert.ok((await accounts.login('clock', 'Clock-Pass-1')).sessionId, 'the lock lifted');
    });

    it('stored models round-trip their credentials through SM4 for the registry', async () => {
      const box = createSecretBox(parseMasterKey('m'.repeat(40), 'test'));
      const models = createModelStore(fresh.store.db, box, { configModels: [{ name: 'from-yaml', provider: 'vllm', zone: 'private' }] });
      await models.create({ name: 'pool-x', provider: 'openai-compatible', zone: 'private', api_key: 'sk-main', backends: [{ base_url: 'http://a.internal/v1', api_key: 'sk-a' }, { base_url: 'http://b.internal/v1' }] });
      await assert.rejects(models.create({ name: 'from-yaml', provider: 'vllm', zone: 'private' }), (e: any) => e.code === 'conflict');
      const [m] = await listStoredModels(fresh.store.db, box);
      assert.equal(m.api_key, 'sk-main');
      assert.deepEqual(m.backends, [{ base_url: 'http://a.internal/v1', api_key: 'sk-a' }, { base_url: 'http://b.internal/v1' }]);
      assert.deepEqual((await models.list()).map((v) => [v.name, v.source]), [['from-yaml', 'config'], ['pool-x', 'api']]);
      const wrong = createSecretBox(parseMasterKey('w'.repeat(40), 'test'));
      await assert.rejects(listStoredModels(fresh.store.db, wrong), /integrity/);
    });

    it('every admin mutation is audited, without secrets', async () => {
      const events: AuditEvent[] = [];
      await createUserRepository(fresh.store.db).create({ username: 'audit-sys', passwordHash: await hashPassword('Audit-Pass-1', 1024), roles: [{ role: 'sysadmin', tenantId: null }] });
      const { app } = await buildServer({
        gateway: {} as Gateway, authenticator: createKeyAuthenticator(fresh.store.db), metrics: new Registry(), checkStore: async () => {}, bodyLimitBytes: 1 << 20,
        plugins: [adminRoutes({ db: fresh.store.db, settings, audit: { record: async (e) => { events.push(e); } } })],
      });
      try {
        const bad = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'audit-sys', password: 'Wrong-Pass-1' } });
        assert.equal(bad.statusCode, 401);
        const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'audit-sys', password: 'Audit-Pass-1' } });
        const cookie = String(login.headers['set-cookie']).split(';')[0];
        const dept = await app.inject({ method: 'POST', url: '/api/departments', headers: { cookie }, payload: { name: 'audited' } });
        const key = await app.inject({ method: 'POST', url: '/api/keys', headers: { cookie }, payload: { department_id: dept.json().id } });
        await app.inject({ method: 'GET', url: '/api/keys', headers: { cookie } });
        const denied = await app.inject({ method: 'PUT', url: `/api/departments/${dept.json().id}/policy`, headers: { cookie }, payload: { policy: {} } });
        assert.equal(denied.statusCode, 403);
        assert.deepEqual(events.map((e) => [e.action, e.status]), [
          ['admin.auth.login', 401], ['admin.auth.login', 200], ['admin.department.create', 201], ['admin.key.create', 201], ['admin.policy.update', 403],
        ]);
        const userId = login.json().user.id;
        assert.deepEqual(events.slice(1).map((e) => e.actor), [userId, userId, userId, userId]);
        assert.equal(events[3].tenantId, dept.json().id);
        assert.equal(events[4].errorCode, 'forbidden');
        const dump = JSON.stringify(events);
        assert.ok(!dump.includes(key.json().secret) && !dump.includes('Audit-Pass-1') && !dump.includes('Wrong-Pass-1'));
      } finally {
        await app.close();
      }
    });
  });
}

describe('governance config', () => {
  it('names bad keys', () => {
    const problems = validateGovernanceConfig({ governance: { session: { idle_timeout_ms: -1, secure_cookie: 'yes' }, login: { max_failure: 5 }, password: { scrypt_n: 1000 }, oops: {} } } as any);
    assert.deepEqual(problems, [
      'governance.session.idle_timeout_ms: expected a positive integer',
      'governance.session.secure_cookie: expected auto, true or false',
      'governance.login.max_failure: unknown key (known: max_failures, window_ms, lockout_ms, max_failures_per_ip)',
      'governance.password.scrypt_n: expected a power of two ≥ 1024',
      'governance.oops: unknown key (known: session, login, password, oidc, models)',
    ]);
  });

  it('checks governance.oidc and never grants a top role automatically', () => {
    const problems = validateGovernanceConfig({ governance: { oidc: {
      issuer: 'http://idp.example.com', client_id: '', default_role: 'sysadmin', auto_create: 'yes', post_login_redirect: '//evil.example', nope: 1,
    } } } as any);
    assert.deepEqual(problems, [
      'governance.oidc.nope: unknown key (known: issuer, client_id, client_secret, redirect_uri, scopes, username_claim, auto_create, link_existing, default_department, default_role, post_login_redirect, allow_http)',
      'governance.oidc.issuer: must be https (set allow_http: true only for a provider on a trusted network)',
      'governance.oidc.client_id: expected a non-empty string',
      'governance.oidc.post_login_redirect: expected a path on this server, e.g. /console',
      'governance.oidc.auto_create: expected true or false',
      'governance.oidc.default_role: expected member or dept_admin (the three top roles are never granted automatically)',
    ]);
    assert.deepEqual(validateGovernanceConfig({ governance: { oidc: { issuer: 'https://sso.gov.example', client_id: 'yumen', client_secret: 's', default_role: 'member', default_department: '财政局', scopes: ['openid', 'email'] } } } as any), []);
    assert.deepEqual(validateGovernanceConfig({ governance: { oidc: { issuer: 'http://127.0.0.1:9000', client_id: 'yumen', default_role: 'member' } } } as any), ['governance.oidc.default_department: required with default_role']);
    const s = governanceSettings({ governance: { oidc: { issuer: 'https://sso.gov.example', client_id: 'yumen', scopes: 'profile email' } } });
    assert.deepEqual(s.oidc!.scopes, ['openid', 'profile', 'email']);
    assert.equal(s.oidc!.usernameClaim, 'preferred_username');
    assert.equal(s.oidc!.autoCreate, false);
    assert.equal(s.login.maxFailuresPerIp, 20);
  });

  it('throttles IPv6 clients by their /64', () => {
    assert.equal(ipThrottleKey('10.1.2.3'), 'ip|10.1.2.3');
    assert.equal(ipThrottleKey('::ffff:10.1.2.3'), 'ip|10.1.2.3');
    assert.equal(ipThrottleKey('2001:db8:0:1::5'), 'ip|2001:db8:0:1::/64');
    assert.equal(ipThrottleKey('2001:0db8:0000:0001:ffff:1:2:3'), 'ip|2001:db8:0:1::/64');
    assert.equal(ipThrottleKey('::1'), 'ip|0:0:0:0::/64');
  });
});
