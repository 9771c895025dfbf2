/**
 * Regressions (issue 12, item 6 a–b): knowledge-base routes left no audit record, and the auditor could read the
 * trail only with the CLI on the host. Every state-changing /api route now leaves a record (one hook; this test
 * enumerates the routes of the running server), and the auditor alone has /api/audit/records, /verify and /export.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKeyRepository } from '../../src/store/index.ts';
import { Client, loginAs, startFixture, type Fixture } from './helpers.ts';

/** [METHOD, path] of every route, read from Fastify's route tree. */
function routesOf(tree: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+) \(([^)]+)\)/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    stack.push(m[2]);
    const path = stack.join('');
    for (const method of m[3].split(', ')) out.push([method, path]);
  }
  return out;
}

describe('the audit trail for the auditor, and an audit record for every state-changing route', () => {
  let f: Fixture;
  let aud: Client;
  let key: string;
  before(async () => {
    f = await startFixture('sqlite');
    aud = await loginAs(f.url, 'aud');
    key = (await createApiKeyRepository(f.yumen.store.db).create({ tenantId: f.dept.A })).secret;
  });
  after(async () => f?.close());
  const count = async () => Number((await f.yumen.store.db.selectFrom('audit_records').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('every POST/PUT/PATCH/DELETE under /api leaves an audit record, refused or not', async () => {
    const sys = await loginAs(f.url, 'sys');
    const routes = routesOf(f.yumen.app.printRoutes({ commonPrefix: false })).filter(([m, p]) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(m) && p.startsWith('/api/'));
    assert.ok(routes.length >= 20, `found ${routes.length} routes`);
    assert.ok(routes.some(([m, p]) => m === 'POST' && p === '/api/kb/:name/shares'));
    for (const [method, pattern] of routes) {
      const path = pattern.replace(/:[a-z_]+/g, 'x-none');
      const headers: Record<string, string> = pattern.startsWith('/api/kb') ? { authorization: `Bearer ${key}` } : {};
      const before = await count();
      const res = await sys.req(method, path, method === 'DELETE' ? undefined : {}, headers);
      assert.ok((await count()) > before, `${method} ${pattern} (${res.status}) left no audit record`);
    }
  });

  it('knowledge-base create, upload, share and delete are recorded with the department and the key', async () => {
    const h = { authorization: `Bearer ${key}` };
    const kb = new Client(f.url);
    assert.equal((await kb.req('POST', '/api/kb', { name: `audited-${process.pid}` }, h)).status, 201);
    assert.equal((await kb.req('POST', `/api/kb/audited-${process.pid}/documents`, { files: [{ name: 'a.txt', content_base64: Buffer.from('财政预算').toString('base64') }] }, h)).status, 202);
    const shared = await kb.req('POST', `/api/kb/audited-${process.pid}/shares`, { department: '公安局' }, h);
    assert.equal(shared.status, 200, JSON.stringify(shared.body));
    assert.equal((await kb.req('DELETE', `/api/kb/audited-${process.pid}`, undefined, h)).status, 204);
    const res = await aud.req('GET', `/api/audit/records?department=${f.dept.A}&limit=1000`);
    assert.equal(res.status, 200);
    const actions = res.body.data.map((r: any) => r.action);
    for (const a of ['kb.create', 'kb.upload', 'kb.share', 'kb.delete']) assert.ok(actions.includes(a), `${a} in ${actions.join(',')}`);
    assert.ok(res.body.data.filter((r: any) => r.action.startsWith('kb.')).every((r: any) => r.actor?.startsWith('key:')));
  });

  it('serves records with filters and paging, verify and export, to the auditor alone', async () => {
    const page = await aud.req('GET', '/api/audit/records?limit=2&action=admin.auth.login');
    assert.equal(page.status, 200, JSON.stringify(page.body));
    assert.equal(page.body.data.length, 2);
    assert.ok(page.body.data.every((r: any) => r.action === 'admin.auth.login'));
    const next = await aud.req('GET', `/api/audit/records?limit=2&action=admin.auth.login&after_seq=${page.body.next_after_seq}`);
    assert.ok(next.body.data.every((r: any) => r.seq > page.body.next_after_seq));
    const v = await aud.req('GET', '/api/audit/verify');
    assert.equal(v.status, 200);
    assert.deepEqual(Object.keys(v.body).slice(0, 4), ['intact', 'records', 'broken_at', 'reason']);
    assert.equal(v.body.intact, true);
    const ex = await aud.req('GET', `/api/audit/export?from=0&to=${Date.now() + 1000}&format=jsonl`);
    assert.equal(ex.status, 200);
    assert.ok(String(ex.body).split('\n').filter(Boolean).length >= 2 || typeof ex.body === 'object');
    assert.equal((await aud.req('GET', '/api/audit/records?limit=0')).status, 400);
    for (const who of ['sys', 'sec', 'admin-a', 'member-a']) {
      const c = await loginAs(f.url, who);
      for (const path of ['/api/audit/records', '/api/audit/verify', '/api/audit/export?from=0&to=1']) assert.equal((await c.req('GET', path)).status, 403, `${who} ${path}`);
    }
    assert.equal((await new Client(f.url).req('GET', '/api/audit/verify')).status, 401);
  });

  it('reports a tampered record through the API, and the routes are in /api/openapi.json', async () => {
    const doc = (await aud.req('GET', '/api/openapi.json')).body;
    for (const p of ['/api/audit/records', '/api/audit/verify', '/api/audit/export']) assert.ok(doc.paths[p]?.get, p);
    await f.yumen.store.db.updateTable('audit_records').set({ decision: 'allow', status: 299 }).where('seq', '=', 2).execute();
    const v = await aud.req('GET', '/api/audit/verify');
    assert.equal(v.body.intact, false);
    assert.equal(v.body.broken_at, 2);
    assert.match(v.body.reason, /altered/);
  });
});
