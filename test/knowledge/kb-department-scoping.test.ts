/**
 * Regression (issue 12, item 5): department B read A's ingest job (names, document ids) through its own base's
 * URL, and creating a base named like A's answered "already exists". Jobs now belong to their base, and names
 * are unique per department.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createKnowledgeService } from '../../src/knowledge/index.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('knowledge bases are scoped to their department', () => {
  let y: TestYumen;
  let a: string;
  let b: string;
  const api = async (key: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${y.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  before(async () => {
    y = await startTestYumen({ models: [] });
    a = await y.key('财政局');
    b = await y.key('公安局');
  });
  after(async () => y?.stop());

  it('another department cannot read a batch through its own base\'s URL', async () => {
    assert.equal((await api(a, 'POST', '/api/kb', { name: 'budget' })).status, 201);
    const up = await api(a, 'POST', '/api/kb/budget/documents', { files: [{ name: '绝密预算.txt', content_base64: b64('预算草案') }] });
    assert.equal(up.status, 202);
    assert.equal((await api(b, 'POST', '/api/kb', { name: 'cases' })).status, 201);
    const peek = await api(b, 'GET', `/api/kb/cases/jobs/${up.body.batch_id}`);
    assert.equal(peek.status, 404);
    assert.ok(!JSON.stringify(peek.body).includes('绝密预算'));
    assert.equal((await api(a, 'GET', `/api/kb/budget/jobs/${up.body.batch_id}`)).status, 200);
  });

  it('a department may use a name another department already uses, without learning of it', async () => {
    const mine = await api(b, 'POST', '/api/kb', { name: 'budget' });
    assert.equal(mine.status, 201, JSON.stringify(mine.body));
    assert.equal((await api(b, 'POST', '/api/kb', { name: 'budget' })).body.error.code, 'conflict', 'its own name is still taken');
    assert.deepEqual((await api(b, 'GET', '/api/kb/budget')).body.documents, [], 'B sees its own empty base, not A\'s');
    assert.equal((await api(a, 'GET', '/api/kb/budget')).body.tenantId, (await api(a, 'GET', '/api/kb')).body.data[0].tenantId);
    // Shared with B, A's base is still reached by name when B has none of that name; B's own wins otherwise.
    assert.equal((await api(a, 'POST', '/api/kb/budget/shares', { department: '公安局' })).status, 200);
    assert.equal((await api(b, 'GET', '/api/kb/budget')).body.tenantId, mine.body.tenantId);
  });

  it('the host operator names a base as 部门/名称 when the name is ambiguous', async () => {
    const service = createKnowledgeService({ store: y.store });
    await assert.rejects(service.resolve(null, 'budget', 'read'), (e: any) => e.code === 'conflict');
    const kb = await service.resolve(null, '财政局/budget', 'read');
    assert.equal(kb.name, 'budget');
    assert.notEqual(kb.tenantId, (await service.resolve(null, '公安局/budget', 'read')).tenantId);
  });
});
