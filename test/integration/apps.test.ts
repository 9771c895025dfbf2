/**
 * Business-scenario apps end to end: an app's prompt (variables filled) and knowledge reach the private
 * upstream through the ordinary pipeline; sharing makes it visible to the shared department only; the
 * guard inspects the app's prompt and variables like any message.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';
import { Client, loginAs, makeUser } from '../governance/helpers.ts';
import { createTenantRepository } from '../../src/store/index.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const ID_CARD = '11010519491231002X';

async function kbApi(y: TestYumen, key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${y.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: await res.json() as any };
}

async function chat(y: TestYumen, key: string, body: Record<string, unknown>) {
  const res = await fetch(`${y.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() as any, headers: res.headers };
}

describe('business-scenario apps (app:<slug>)', () => {
  let inside: MockUpstream;
  let cloud: MockUpstream;
  let y: TestYumen;
  let admin: Client;
  let adminB: Client;
  let finance: string;
  let police: string;
  let archive: string;
  const dept: Record<string, string> = {};

  before(async () => {
    inside = await startMockUpstream();
    inside.setDefault({ content: '住宿费每晚不超过五百元[1]。' });
    cloud = await startMockUpstream();
    cloud.setDefault({ content: '好的。' });
    y = await startTestYumen({ models: [
      { name: 'inhouse', provider: 'openai-compatible', base_url: inside.baseUrl, model: 'qwen-72b', zone: 'private' },
      { name: 'cloud', provider: 'openai-compatible', base_url: cloud.baseUrl, zone: 'external' },
    ] });
    finance = await y.key('财政局');
    police = await y.key('公安局');
    archive = await y.key('档案馆');
    const tenants = createTenantRepository(y.store.db);
    for (const n of ['财政局', '公安局', '档案馆']) dept[n] = (await tenants.findByName(n))!.id;
    await makeUser(y, 'sys', [{ role: 'sysadmin', tenantId: null }]);
    await makeUser(y, 'admin-b', [{ role: 'dept_admin', tenantId: dept['公安局'] }]);
    admin = await loginAs(y.url, 'sys');
    adminB = await loginAs(y.url, 'admin-b');

    assert.equal((await kbApi(y, finance, 'POST', '/api/kb', { name: 'travel-rules' })).status, 201);
    const up = await kbApi(y, finance, 'POST', '/api/kb/travel-rules/documents', { files: [{ name: '差旅费管理办法.txt', content_base64: b64('第二条 工作人员出差住宿费标准为每人每晚五百元，超出部分自理。') }] });
    assert.equal(up.status, 202);
    for (let i = 0; i < 200; i++) {
      if ((await kbApi(y, finance, 'GET', `/api/kb/travel-rules/jobs/${up.body.batch_id}`)).body.done) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  after(async () => {
    await y.stop();
    await inside.close();
    await cloud.close();
  });

  const travelApp = () => ({
    slug: 'travel-qa', name: '差旅报销助手', department_id: dept['财政局'], model: 'inhouse', description: '回答差旅报销问题',
    system_prompt: '你是{{unit}}的差旅报销助手，只依据制度回答。', knowledge_bases: ['travel-rules'],
    welcome: '您好，请问差旅报销有什么问题？', suggested_questions: ['住宿费标准是多少？'], shared_with: [dept['公安局']],
  });

  it('refuses to share an app whose knowledge the other department cannot read, then creates it once the base is shared', async () => {
    const refused = await admin.req('POST', '/api/apps', travelApp());
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.error.param, 'knowledge_bases');
    assert.equal((await kbApi(y, finance, 'POST', '/api/kb/travel-rules/shares', { department: '公安局' })).status, 200);
    const created = await admin.req('POST', '/api/apps', travelApp());
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.slug, 'travel-qa');
    assert.deepEqual(created.body.shared_with, [dept['公安局']]);
    assert.equal((await admin.req('POST', '/api/apps', travelApp())).body.error.code, 'conflict');
    const bad = await admin.req('POST', '/api/apps', { ...travelApp(), slug: 'nope', model: 'no-such-model', knowledge_bases: [], shared_with: [] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.param, 'model');
  });

  it("puts the app's prompt (variables filled) and knowledge before the client's messages, on the app's model", async () => {
    const before = inside.requests.length;
    const r = await chat(y, finance, { model: 'app:travel-qa', variables: { unit: '财政局' }, messages: [{ role: 'user', content: '出差住宿费标准是多少？' }] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.headers.get('x-yumen-route'), 'private');
    assert.equal(r.headers.get('x-yumen-model'), 'inhouse');
    assert.equal(inside.requests.length, before + 1);
    const sent = inside.requests.at(-1)!.body;
    assert.equal(sent.model, 'qwen-72b');
    assert.equal(sent.variables, undefined, 'the variables field never goes upstream');
    const text = JSON.stringify(sent.messages);
    assert.match(text, /你是财政局的差旅报销助手/);
    assert.match(text, /每人每晚五百元/, 'the knowledge base passage is in the prompt');
    assert.equal(sent.messages.at(-1).role, 'user');
    assert.match(sent.messages.at(-1).content, /出差住宿费标准是多少/);
    assert.ok(sent.messages.findIndex((m: any) => /差旅报销助手/.test(JSON.stringify(m))) < sent.messages.length - 1, 'the prompt comes before the question');
    assert.ok(Array.isArray(r.body.yumen?.citations), 'grounded answers carry citations');

    const sdk = new OpenAI({ apiKey: finance, baseURL: y.baseURL, maxRetries: 0 });
    const stream = await sdk.chat.completions.create({ model: 'app:travel-qa', stream: true, messages: [{ role: 'user', content: '住宿费？' }], variables: { unit: '财政局' } } as never) as unknown as AsyncIterable<{ choices: Array<{ delta?: { content?: string } }> }>;
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';
    assert.match(streamed, /五百元/);
    assert.match(JSON.stringify(inside.requests.at(-1)!.body.messages), /你是财政局的差旅报销助手/, 'streamed app calls take the same path');
  });

  it('lists the app for its department and the one it is shared with, and for no one else', async () => {
    const ids = async (key: string) => (await new OpenAI({ apiKey: key, baseURL: y.baseURL, maxRetries: 0 }).models.list()).data.map((m) => m.id);
    assert.ok((await ids(finance)).includes('app:travel-qa'));
    assert.ok((await ids(police)).includes('app:travel-qa'));
    assert.ok(!(await ids(archive)).includes('app:travel-qa'));
    const entry = (await new OpenAI({ apiKey: police, baseURL: y.baseURL, maxRetries: 0 }).models.list()).data.find((m) => m.id === 'app:travel-qa') as any;
    assert.equal(entry.app.name, '差旅报销助手');
    assert.deepEqual(entry.app.suggested_questions, ['住宿费标准是多少？']);
    assert.deepEqual(entry.app.variables, ['unit']);

    assert.equal((await chat(y, police, { model: 'app:travel-qa', variables: { unit: '公安局' }, messages: [{ role: 'user', content: '住宿费标准？' }] })).status, 200);
    const outsider = await chat(y, archive, { model: 'app:travel-qa', variables: { unit: '档案馆' }, messages: [{ role: 'user', content: '住宿费标准？' }] });
    assert.equal(outsider.status, 404);
    assert.equal(outsider.body.error.code, 'model_not_found');
    assert.equal((await chat(y, archive, { model: 'app:no-such', messages: [{ role: 'user', content: 'x' }] })).body.error.code, 'model_not_found');
    // Look-alikes and odd slugs name no app: a full-width letter, a Unicode hyphen, a path, upper case.
    for (const model of ['app:ｔravel-qa', 'app:travel‐qa', 'app:../travel-qa', 'app:TRAVEL-QA', 'app:']) {
      const r = await chat(y, finance, { model, variables: { unit: '财政局' }, messages: [{ role: 'user', content: 'x' }] });
      assert.equal(r.status, 404, model);
      assert.equal(r.body.error.code, 'model_not_found');
    }
  });

  it('lets the shared department read the app but not change it; the owner changes it', async () => {
    assert.equal((await adminB.req('GET', '/api/apps/travel-qa')).status, 200);
    assert.ok((await adminB.req('GET', '/api/apps')).body.data.some((a: any) => a.slug === 'travel-qa'));
    assert.equal((await adminB.req('PATCH', '/api/apps/travel-qa', { name: '改名' })).status, 404);
    assert.equal((await adminB.req('DELETE', '/api/apps/travel-qa')).status, 404);
    const crossCreate = await adminB.req('POST', '/api/apps', { ...travelApp(), slug: 'foreign', knowledge_bases: [], shared_with: [] });
    assert.equal(crossCreate.status, 403, 'a department admin creates apps only for their own department');
    const patched = await admin.req('PATCH', '/api/apps/travel-qa', { shared_with: [], knowledge_bases: [] });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const gone = await chat(y, police, { model: 'app:travel-qa', variables: { unit: '公安局' }, messages: [{ role: 'user', content: '住宿费标准？' }] });
    assert.equal(gone.status, 404, 'unsharing applies at once');
  });

  it('checks variables: required, known names only, strings only, and never on an ordinary model', async () => {
    const ask = { model: 'app:travel-qa', messages: [{ role: 'user', content: '问题' }] };
    const missing = await chat(y, finance, ask);
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.param, 'variables.unit');
    assert.equal((await chat(y, finance, { ...ask, variables: { unit: '财政局', extra: 'x' } })).body.error.param, 'variables.extra');
    assert.equal((await chat(y, finance, { ...ask, variables: { unit: 7 } })).body.error.param, 'variables.unit');
    const plain = await chat(y, finance, { model: 'inhouse', variables: { unit: 'x' }, messages: [{ role: 'user', content: '问题' }] });
    assert.equal(plain.status, 400, 'a field no model reads is refused rather than passed on unguarded');
    assert.equal(plain.body.error.param, 'variables');
  });

  it("guards the app's prompt and variables: pseudonymized for an external model, classified refused before any call", async () => {
    assert.equal((await admin.req('POST', '/api/apps', {
      slug: 'cloud-helper', name: '外部助手', department_id: dept['财政局'], model: 'cloud', system_prompt: '为申请人{{applicant}}（身份证号{{id}}）起草回复。',
    })).status, 201);
    const r = await chat(y, finance, { model: 'app:cloud-helper', variables: { applicant: '申请人甲', id: ID_CARD }, messages: [{ role: 'user', content: '请起草。' }] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.headers.get('x-yumen-route'), 'external');
    assert.ok(Number(r.headers.get('x-yumen-redactions')) >= 1);
    const sent = JSON.stringify(cloud.requests.at(-1)!.body);
    assert.ok(!sent.includes(ID_CARD), 'the ID number in a variable never reaches the external model');
    assert.match(sent, /〔身份证号_1〕/);

    assert.equal((await admin.req('POST', '/api/apps', {
      slug: 'secret-app', name: '涉密', department_id: dept['财政局'], model: 'inhouse', system_prompt: '绝密★启用前 本文件内容：……',
    })).status, 201);
    const calls = inside.requests.length;
    const refused = await chat(y, finance, { model: 'app:secret-app', messages: [{ role: 'user', content: '总结一下' }] });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'classified_content');
    assert.equal(inside.requests.length, calls, 'no model was called');
  });

  it('a key restricted to the app may use it (and so its model), but not the model directly', async () => {
    const appKey = await y.key('财政局', { allowedModels: ['app:travel-qa'] });
    assert.equal((await chat(y, appKey, { model: 'app:travel-qa', variables: { unit: '财政局' }, messages: [{ role: 'user', content: '问题' }] })).status, 200);
    assert.equal((await chat(y, appKey, { model: 'inhouse', messages: [{ role: 'user', content: '问题' }] })).status, 404);
    const ids = (await new OpenAI({ apiKey: appKey, baseURL: y.baseURL, maxRetries: 0 }).models.list()).data.map((m) => m.id);
    assert.deepEqual(ids, ['app:travel-qa']);
    const other = await y.key('财政局', { allowedModels: ['inhouse'] });
    assert.equal((await chat(y, other, { model: 'app:travel-qa', variables: { unit: '财政局' }, messages: [{ role: 'user', content: '问题' }] })).status, 404, 'a key listing models but not the app does not see it');
  });

  it('deletes an app: gone from the catalogue and from chat', async () => {
    assert.equal((await admin.req('DELETE', '/api/apps/secret-app')).status, 200);
    assert.equal((await admin.req('GET', '/api/apps/secret-app')).status, 404);
    assert.equal((await chat(y, finance, { model: 'app:secret-app', messages: [{ role: 'user', content: 'x' }] })).status, 404);
  });
});
