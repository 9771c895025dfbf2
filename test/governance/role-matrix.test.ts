/**
 * Every role against every admin route: allowed → 2xx, forbidden → 403, anonymous → 401.
 * Targets live in department A, where the department roles hold; on SQLite and PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKeyRepository, createAppRepository, createDepartmentRepository, createDictionaryRepository, createKeyAdminRepository } from '../../src/store/index.ts';
import { testDialects } from '../helpers/db.ts';
import { Client, loginAs, makeUser, startFixture, type Fixture } from './helpers.ts';

type Role = 'sysadmin' | 'secadmin' | 'auditor' | 'dept_admin' | 'member';
const ROLES: Role[] = ['sysadmin', 'secadmin', 'auditor', 'dept_admin', 'member'];
const LOGIN: Record<Role, string> = { sysadmin: 'sys', secadmin: 'sec', auditor: 'aud', dept_admin: 'admin-a', member: 'member-a' };
const ALL = ROLES;

interface Case {
  route: string;
  allowed: Role[];
  /** Builds a fresh request (path, body) — fresh targets so each role acts on its own object. */
  make(f: Fixture, n: number): Promise<{ path: string; body?: unknown }>;
}

let seq = 0;
const uniq = () => `${process.pid}-${++seq}`;
const modelBody = (name: string) => ({ name, provider: 'openai-compatible', zone: 'external', base_url: 'http://10.255.0.9:9/v1', api_key: 'sk-upstream-secret' });

async function memberKey(f: Fixture): Promise<string> {
  const { row } = await createApiKeyRepository(f.yumen.store.db).create({ tenantId: f.dept.A });
  await createKeyAdminRepository(f.yumen.store.db).setCreatedBy(row.id, f.users.memberA);
  return row.id;
}
async function dictionary(f: Fixture): Promise<string> {
  return (await createDictionaryRepository(f.yumen.store.db).create({ tenantId: f.dept.A, name: `d-${uniq()}`, terms: [{ term: '金盾', label: 'project' }] })).id;
}
async function memberUser(f: Fixture): Promise<string> {
  return makeUser(f.yumen, `u-${uniq()}`, [{ role: 'member', tenantId: f.dept.A }]);
}
async function appIn(f: Fixture): Promise<string> {
  const slug = `a-${uniq()}`.replace(/[^a-z0-9-]/g, '-');
  await createAppRepository(f.yumen.store.db).create({
    slug, tenantId: f.dept.A, name: 'app', description: null, model: 'auto', systemPrompt: '你好', knowledgeBases: [], variables: {}, welcome: null, suggestedQuestions: [], createdBy: null,
  });
  return slug;
}
const evalBody = (f: Fixture) => ({ department_id: f.dept.A, suite: { name: 's', models: ['no-such-model'], retries: 0, tasks: [{ name: 't', type: 'qa', metric: 'exact', items: [{ question: 'q', answer: 'a' }] }] } });
/** A finished evaluation run of department A (its one call fails at once: the model does not exist). */
async function evalRun(f: Fixture): Promise<string> {
  const r = await sysClient.req('POST', '/api/eval/runs', evalBody(f));
  assert.equal(r.status, 202, JSON.stringify(r.body));
  while ((await sysClient.req('GET', r.body.status_url)).body.status === 'running') await new Promise((res) => setTimeout(res, 10));
  return r.body.status_url;
}
let sharedModel = '';
async function model(f: Fixture, c: Client): Promise<string> {
  const name = `m-${uniq()}`;
  const r = await c.req('POST', '/api/models', modelBody(name));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return name;
}

const CASES: Case[] = [
  { route: 'GET /api/auth/me', allowed: ALL, make: async () => ({ path: '/api/auth/me' }) },
  { route: 'GET /api/departments', allowed: ALL, make: async () => ({ path: '/api/departments' }) },
  { route: 'POST /api/departments', allowed: ['sysadmin'], make: async (f) => ({ path: '/api/departments', body: { name: `d-${uniq()}`, parent_id: f.dept.A } }) },
  { route: 'GET /api/departments/:id', allowed: ALL, make: async (f) => ({ path: `/api/departments/${f.dept.A}` }) },
  { route: 'PATCH /api/departments/:id', allowed: ['sysadmin'], make: async (f) => ({ path: `/api/departments/${f.dept.A1}`, body: { display_name: '预算处' } }) },
  { route: 'DELETE /api/departments/:id', allowed: ['sysadmin'], make: async (f) => ({ path: `/api/departments/${(await createDepartmentRepository(f.yumen.store.db).create({ name: `x-${uniq()}`, parentId: f.dept.A })).id}` }) },
  { route: 'GET /api/departments/:id/policy', allowed: ['secadmin', 'auditor', 'dept_admin'], make: async (f) => ({ path: `/api/departments/${f.dept.A}/policy` }) },
  { route: 'PUT /api/departments/:id/policy', allowed: ['secadmin'], make: async (f) => ({ path: `/api/departments/${f.dept.A}/policy`, body: { policy: {} } }) },
  { route: 'GET /api/users', allowed: ['sysadmin', 'auditor', 'dept_admin'], make: async () => ({ path: '/api/users' }) },
  { route: 'POST /api/users', allowed: ['sysadmin', 'dept_admin'], make: async (f) => ({ path: '/api/users', body: { username: `n-${uniq()}`, password: 'Another-Pass-7', roles: [{ role: 'member', department_id: f.dept.A }] } }) },
  { route: 'GET /api/users/:id', allowed: ['sysadmin', 'auditor', 'dept_admin'], make: async (f) => ({ path: `/api/users/${f.users.memberA}` }) },
  { route: 'PATCH /api/users/:id', allowed: ['sysadmin', 'dept_admin'], make: async (f) => ({ path: `/api/users/${await memberUser(f)}`, body: { display_name: '张三' } }) },
  { route: 'DELETE /api/users/:id', allowed: ['sysadmin', 'dept_admin'], make: async (f) => ({ path: `/api/users/${await memberUser(f)}` }) },
  { route: 'PUT /api/users/:id/roles', allowed: ['sysadmin', 'dept_admin'], make: async (f) => ({ path: `/api/users/${await memberUser(f)}/roles`, body: { roles: [{ role: 'dept_admin', department_id: f.dept.A1 }] } }) },
  { route: 'GET /api/keys', allowed: ['sysadmin', 'auditor', 'dept_admin', 'member'], make: async () => ({ path: '/api/keys' }) },
  { route: 'POST /api/keys', allowed: ['sysadmin', 'dept_admin', 'member'], make: async (f) => ({ path: '/api/keys', body: { department_id: f.dept.A, name: 'k' } }) },
  { route: 'GET /api/keys/:id', allowed: ['sysadmin', 'auditor', 'dept_admin', 'member'], make: async (f) => ({ path: `/api/keys/${await memberKey(f)}` }) },
  { route: 'POST /api/keys/:id/revoke', allowed: ['sysadmin', 'dept_admin', 'member'], make: async (f) => ({ path: `/api/keys/${await memberKey(f)}/revoke` }) },
  { route: 'GET /api/models', allowed: ALL, make: async () => ({ path: '/api/models' }) },
  { route: 'POST /api/models', allowed: ['sysadmin'], make: async () => ({ path: '/api/models', body: modelBody(`m-${uniq()}`) }) },
  { route: 'GET /api/models/:name', allowed: ALL, make: async () => ({ path: `/api/models/${sharedModel}` }) },
  { route: 'PATCH /api/models/:name', allowed: ['sysadmin'], make: async () => ({ path: `/api/models/${sharedModel}`, body: { description: 'x' } }) },
  { route: 'DELETE /api/models/:name', allowed: ['sysadmin'], make: async (_f) => ({ path: `/api/models/${await model(_f, sysClient)}` }) },
  { route: 'GET /api/dictionaries', allowed: ['secadmin', 'auditor', 'dept_admin'], make: async () => ({ path: '/api/dictionaries' }) },
  { route: 'POST /api/dictionaries', allowed: ['secadmin'], make: async (f) => ({ path: '/api/dictionaries', body: { department_id: f.dept.A, name: `d-${uniq()}`, terms: [{ term: '天网', label: 'project' }] } }) },
  { route: 'GET /api/dictionaries/:id', allowed: ['secadmin', 'auditor', 'dept_admin'], make: async (f) => ({ path: `/api/dictionaries/${await dictionary(f)}` }) },
  { route: 'PATCH /api/dictionaries/:id', allowed: ['secadmin'], make: async (f) => ({ path: `/api/dictionaries/${await dictionary(f)}`, body: { terms: [] } }) },
  { route: 'GET /api/audit/records', allowed: ['auditor'], make: async () => ({ path: '/api/audit/records?limit=5' }) },
  { route: 'GET /api/audit/verify', allowed: ['auditor'], make: async () => ({ path: '/api/audit/verify' }) },
  { route: 'GET /api/audit/export', allowed: ['auditor'], make: async () => ({ path: `/api/audit/export?from=0&to=${Date.now()}` }) },
  { route: 'DELETE /api/dictionaries/:id', allowed: ['secadmin'], make: async (f) => ({ path: `/api/dictionaries/${await dictionary(f)}` }) },
  { route: 'GET /api/apps', allowed: ALL, make: async () => ({ path: '/api/apps' }) },
  { route: 'POST /api/apps', allowed: ['sysadmin', 'dept_admin'], make: async (f) => ({ path: '/api/apps', body: { slug: `n-${uniq()}`, department_id: f.dept.A, name: 'app', model: 'auto', system_prompt: '你好' } }) },
  { route: 'GET /api/apps/:slug', allowed: ALL, make: async (f) => ({ path: `/api/apps/${await appIn(f)}` }) },
  { route: 'PATCH /api/apps/:slug', allowed: ['sysadmin', 'dept_admin'], make: async (f) => ({ path: `/api/apps/${await appIn(f)}`, body: { name: '改名' } }) },
  { route: 'DELETE /api/apps/:slug', allowed: ['sysadmin', 'dept_admin'], make: async (f) => ({ path: `/api/apps/${await appIn(f)}` }) },
  { route: 'GET /api/console/models/health', allowed: ['sysadmin'], make: async () => ({ path: '/api/console/models/health' }) },
  { route: 'GET /api/console/overview', allowed: ['sysadmin', 'secadmin', 'auditor', 'dept_admin'], make: async () => ({ path: '/api/console/overview?days=7' }) },
  { route: 'POST /api/console/scan', allowed: ['secadmin', 'auditor', 'dept_admin'], make: async (f) => ({ path: '/api/console/scan', body: { department_id: f.dept.A, text: '联系人张伟，电话13800138000' } }) },
  { route: 'GET /api/console/chat/models', allowed: ['dept_admin', 'member'], make: async (f) => ({ path: `/api/console/chat/models?department_id=${f.dept.A}` }) },
  { route: 'POST /api/datasets/export', allowed: ['sysadmin', 'dept_admin'], make: async (f) => ({ path: '/api/datasets/export', body: { department_id: f.dept.A, format: 'alpaca' } }) },
  { route: 'POST /api/eval/runs', allowed: ['sysadmin', 'dept_admin'], make: async (f) => ({ path: '/api/eval/runs', body: evalBody(f) }) },
  { route: 'GET /api/eval/runs', allowed: ['sysadmin', 'dept_admin'], make: async () => ({ path: '/api/eval/runs' }) },
  { route: 'GET /api/eval/runs/:id', allowed: ['sysadmin', 'dept_admin'], make: async (f) => ({ path: await evalRun(f) }) },
  { route: 'GET /api/eval/runs/:id/report', allowed: ['sysadmin', 'dept_admin'], make: async (f) => ({ path: `${await evalRun(f)}/report` }) },
];

let sysClient: Client;

for (const dialect of await testDialects()) {
  describe(`admin API role matrix on ${dialect}`, () => {
    let f: Fixture;
    const clients = {} as Record<Role, Client>;
    before(async () => {
      f = await startFixture(dialect);
      for (const r of ROLES) clients[r] = await loginAs(f.url, LOGIN[r]);
      sysClient = clients.sysadmin;
      sharedModel = await model(f, sysClient);
    });
    after(() => f.close());

    it('covers every admin route of the OpenAPI document', async () => {
      const doc = (await new Client(f.url).req('GET', '/api/openapi.json')).body;
      const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
        .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`));
      // Routes whose callers are not a role: the one-time setup (anonymous, token), and the console routes that act as a
      // department member (chat, the session-signed copy of /api/kb, the model connection test) — the browser tests
      // (test/e2e) drive those with their own hostile cases.
      const driven = documented.filter((r) => r.includes('/api/setup') || r.startsWith('POST /api/console/chat') || r.includes('/api/console/kb') || r === 'POST /api/console/models/test');
      const tested = new Set([...CASES.map((c) => c.route), ...driven, 'POST /api/auth/login', 'POST /api/auth/logout', 'POST /api/auth/password']);
      assert.deepEqual(documented.filter((r) => !tested.has(r)), []);
    });

    for (const c of CASES) {
      it(c.route, async () => {
        const [method] = c.route.split(' ');
        const anon = await c.make(f, 0);
        const a = await new Client(f.url).req(method, anon.path, anon.body);
        assert.equal(a.status, 401, `anonymous: ${JSON.stringify(a.body)}`);
        assert.equal(a.body.error.code, 'unauthenticated');
        for (const role of ROLES) {
          const { path, body } = await c.make(f, 0);
          const res = await clients[role].req(method, path, body);
          if (c.allowed.includes(role)) assert.ok(res.status >= 200 && res.status < 300, `${role} should be allowed: ${res.status} ${JSON.stringify(res.body)}`);
          else {
            assert.equal(res.status, 403, `${role} should be forbidden: ${res.status} ${JSON.stringify(res.body)}`);
            assert.equal(res.body.error.type, 'permission_error');
          }
        }
      });
    }
  });
}
