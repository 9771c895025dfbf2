import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';
import { createDepartmentRepository, createDictionaryRepository, createTenantRepository } from '../../src/store/index.ts';
import { Client, makeUser } from '../governance/helpers.ts';

describe('department policies and dictionaries stored through governance reach the request path', () => {
  let up: MockUpstream;
  let yumen: TestYumen;

  before(async () => {
    up = await startMockUpstream();
    yumen = await startTestYumen({ models: [{ name: 'cloud', provider: 'openai-compatible', base_url: up.baseUrl, zone: 'external' }] });
  });
  after(async () => {
    await yumen.stop();
    await up.close();
  });

  it('pseudonymizes a department dictionary term and applies the department policy', async () => {
    const key = await yumen.key('研发中心');
    const tenant = (await createTenantRepository(yumen.store.db).findByName('研发中心'))!;
    await createDictionaryRepository(yumen.store.db).create({ tenantId: tenant.id, name: '项目代号', terms: [{ term: '天穹计划', label: '项目代号' }] });
    await createDepartmentRepository(yumen.store.db).setPolicy(tenant.id, { types: { email: 'block' } });
    const client = new OpenAI({ apiKey: key, baseURL: yumen.baseURL, maxRetries: 0 });

    await client.chat.completions.create({ model: 'cloud', messages: [{ role: 'user', content: '天穹计划的进度如何？' }] });
    assert.doesNotMatch(JSON.stringify(up.requests.at(-1)!.body), /天穹计划/);

    const err = await client.chat.completions.create({ model: 'cloud', messages: [{ role: 'user', content: '发给 zhang.wei@example.gov.cn' }] }).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof OpenAI.PermissionDeniedError);
    assert.equal((err as InstanceType<typeof OpenAI.APIError>).code, 'policy_blocked');
  });

  it('leaves other departments under the default policy', async () => {
    const client = new OpenAI({ apiKey: await yumen.key('办公室'), baseURL: yumen.baseURL, maxRetries: 0 });
    const res = await client.chat.completions.create({ model: 'cloud', messages: [{ role: 'user', content: '天穹计划的进度如何？' }] });
    assert.ok(res.choices[0].message.content);
    assert.match(JSON.stringify(up.requests.at(-1)!.body), /天穹计划/);
  });

  it('a policy or dictionary changed through the admin API applies to the next request, not after the refresh', async () => {
    const key = await yumen.key('规划局');
    const tenant = (await createTenantRepository(yumen.store.db).findByName('规划局'))!;
    const client = new OpenAI({ apiKey: key, baseURL: yumen.baseURL, maxRetries: 0 });
    // The department's guards are compiled by this first request and would otherwise be kept for 30 s.
    await client.chat.completions.create({ model: 'cloud', messages: [{ role: 'user', content: '北斗工程的进度如何？' }] });
    assert.match(JSON.stringify(up.requests.at(-1)!.body), /北斗工程/);

    await makeUser(yumen, 'sec-live', [{ role: 'secadmin', tenantId: null }]);
    const sec = new Client(yumen.url);
    assert.equal((await sec.login('sec-live')).status, 200);
    const created = await sec.req('POST', '/api/dictionaries', { department_id: tenant.id, name: '工程代号', terms: [{ term: '北斗工程', label: '工程代号' }] });
    assert.equal(created.status, 201);
    await client.chat.completions.create({ model: 'cloud', messages: [{ role: 'user', content: '北斗工程的进度如何？' }] });
    assert.doesNotMatch(JSON.stringify(up.requests.at(-1)!.body), /北斗工程/);

    assert.equal((await sec.req('PUT', `/api/departments/${tenant.id}/policy`, { policy: { types: { email: 'block' } } })).status, 200);
    const err = await client.chat.completions.create({ model: 'cloud', messages: [{ role: 'user', content: '发给 li.na@example.gov.cn' }] }).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof OpenAI.PermissionDeniedError);
  });

  it('public terms set by a security admin reach that department\'s requests only; a bad list is refused with the entry named', async () => {
    const text = '请用高德地图查一下去比斯特购物村的路线，联系人李建国';
    const client = new OpenAI({ apiKey: await yumen.key('交通局'), baseURL: yumen.baseURL, maxRetries: 0 });
    const other = new OpenAI({ apiKey: await yumen.key('统计局'), baseURL: yumen.baseURL, maxRetries: 0 });
    const { id } = (await createTenantRepository(yumen.store.db).findByName('交通局'))!;
    await makeUser(yumen, 'sec-public', [{ role: 'secadmin', tenantId: null }]);
    const sec = new Client(yumen.url);
    assert.equal((await sec.login('sec-public')).status, 200);

    const bad = await sec.req('PUT', `/api/departments/${id}/policy`, { policy: { public_terms: ['高德', '张'] } });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /public_terms\[1\]: expected 2–64 characters/);

    assert.equal((await sec.req('PUT', `/api/departments/${id}/policy`, { policy: { public_terms: ['高德', '比斯特购物村'] } })).status, 200);
    await client.chat.completions.create({ model: 'cloud', messages: [{ role: 'user', content: text }] });
    const sent = JSON.stringify(up.requests.at(-1)!.body);
    assert.match(sent, /高德地图/);
    assert.match(sent, /比斯特购物村/);
    assert.doesNotMatch(sent, /李建国/, 'a name that is not listed is still pseudonymized');

    // Another department's list is not this one's.
    await other.chat.completions.create({ model: 'cloud', messages: [{ role: 'user', content: text }] });
    const elsewhere = JSON.stringify(up.requests.at(-1)!.body);
    assert.doesNotMatch(elsewhere, /高德/);
    assert.doesNotMatch(elsewhere, /比斯特购物村/);
  });
});
