import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream, type RecordedRequest } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';
import { docx } from './fixtures.ts';

const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');

async function api(y: TestYumen, key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const isRaw = body instanceof Uint8Array;
  const res = await fetch(`${y.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': isRaw ? 'application/octet-stream' : 'application/json' }), ...headers },
    body: body === undefined ? undefined : isRaw ? Buffer.from(body) : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function waitForBatch(y: TestYumen, key: string, kb: string, batch: string) {
  for (let i = 0; i < 200; i++) {
    const r = await api(y, key, 'GET', `/api/kb/${encodeURIComponent(kb)}/jobs/${batch}`);
    if (r.body.done) return r.body;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('ingest batch did not finish');
}

/** Personal data that must never reach an external model, even when it comes from a knowledge base. */
const PHONE = '13800138000';
const ID_CARD = '11010519491231002X';
const NAME = '张伟';

describe('knowledge-base HTTP API', () => {
  let y: TestYumen;
  let external: MockUpstream;
  let finance: string;
  let auditKey: string;
  before(async () => {
    external = await startMockUpstream();
    external.setDefault((req: RecordedRequest) => ({ content: `根据资料，住宿费标准为每人每天五百元[1]。${JSON.stringify(req.body).length > 0 ? '' : ''}` }));
    y = await startTestYumen({ models: [{ name: 'cloud', provider: 'openai-compatible', base_url: external.baseUrl, zone: 'external' }] });
    finance = await y.key('财政局');
    auditKey = await y.key('审计局');
  });
  after(async () => {
    await y.stop();
    await external.close();
  });

  it('creates a base, ingests uploads in the background, and searches with the pinned response shape', async () => {
    assert.equal((await api(y, finance, 'POST', '/api/kb', { name: 'policies' })).status, 201);
    assert.equal((await api(y, finance, 'POST', '/api/kb', { name: 'policies' })).body.error.code, 'conflict');
    const up = await api(y, finance, 'POST', '/api/kb/policies/documents', { files: [
      { name: '差旅费管理办法.txt', content_base64: b64('第二条 工作人员出差住宿费标准为每人每天五百元，超出部分自理。') },
      { name: '通讯录.md', content_base64: b64(`# 联系人\n\n财务处联系人${NAME}，手机${PHONE}，身份证号${ID_CARD}。`) },
    ] });
    assert.equal(up.status, 202);
    const done = await waitForBatch(y, finance, 'policies', up.body.batch_id);
    assert.equal(done.progress.done, 2);
    const raw = await api(y, finance, 'POST', '/api/kb/policies/documents?filename=规定.docx', docx());
    assert.equal(raw.status, 202);
    await waitForBatch(y, finance, 'policies', raw.body.batch_id);

    const r = await api(y, finance, 'POST', '/api/kb/policies/search', { query: '出差住宿费标准', top_k: 3 });
    assert.equal(r.status, 200);
    const top = r.body.results[0];
    assert.deepEqual(Object.keys(top).slice(0, 5), ['document', 'chunk', 'score', 'text', 'page']);
    assert.ok(['差旅费管理办法.txt', '规定.docx'].includes(top.document));
    assert.ok(r.body.results.length <= 3);
    const info = await api(y, finance, 'GET', '/api/kb/policies');
    assert.equal(info.body.documents.length, 3);
  });

  it('holds permissions: no key, another department, sharing read-only', async () => {
    assert.equal((await fetch(`${y.url}/api/kb`)).status, 401);
    assert.equal((await api(y, auditKey, 'POST', '/api/kb/policies/search', { query: '住宿费' })).status, 404);
    assert.equal((await api(y, auditKey, 'GET', '/api/kb')).body.data.length, 0);
    assert.equal((await api(y, finance, 'POST', '/api/kb/policies/shares', { department: '审计局' })).status, 200);
    assert.equal((await api(y, auditKey, 'POST', '/api/kb/policies/search', { query: '住宿费' })).status, 200);
    const write = await api(y, auditKey, 'POST', '/api/kb/policies/documents', { files: [{ name: 'x.txt', content_base64: b64('篡改') }] });
    assert.equal(write.status, 403);
    assert.equal(write.body.error.code, 'forbidden');
    assert.equal((await api(y, auditKey, 'DELETE', '/api/kb/policies')).status, 403);
    assert.equal((await api(y, finance, 'POST', '/api/kb/policies/search', {})).body.error.code, 'invalid_request');
  });

  it('grounded chat with an external model: the KB\'s personal data never leaves, the reply carries citations', async () => {
    const client = new OpenAI({ apiKey: finance, baseURL: y.baseURL, maxRetries: 0 });
    external.enqueue({ content: '根据[1]，住宿费按标准执行。' }, { stream: ['根据', '[1', ']，按', '标准执行。'] });
    const res = await client.chat.completions.create({ model: 'cloud', messages: [{ role: 'user', content: '财务处联系人是谁？电话多少？出差住宿费标准？' }], knowledge_bases: ['policies'] } as never);
    const sent = JSON.stringify(external.requests.at(-1)!.body);
    for (const v of [PHONE, ID_CARD, NAME]) assert.ok(!sent.includes(v), `${v} reached the external model`);
    assert.match(sent, /\[1\]/);
    const citations = (res as unknown as { yumen?: { citations?: Array<{ n: number; document: string }> } }).yumen?.citations;
    assert.ok(Array.isArray(citations) && citations.length > 0);
    assert.equal(citations[0].n, 1);

    const stream = await client.chat.completions.create({ model: 'cloud', stream: true, messages: [{ role: 'user', content: '出差住宿费标准？' }], knowledge_bases: ['policies'] } as never) as unknown as AsyncIterable<{ choices: unknown[]; yumen?: { citations: Array<{ n: number }> } }>;
    let final: { citations: Array<{ n: number }> } | undefined;
    for await (const chunk of stream) if (chunk.yumen) final = chunk.yumen;
    assert.deepEqual(final?.citations.map((c) => c.n), [1], 'a final stream event carries the citations');
  });
});
