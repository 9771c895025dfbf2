/**
 * Client mistakes and hostile shapes are 4xx in the OpenAI error shape, never a 500 or a crash, and
 * every refusal is honest: the level header, what was found (types and counts, never values), and the
 * decision in the usage and audit records.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';

describe('hostile shapes and honest refusals', () => {
  let up: MockUpstream;
  let y: TestYumen;
  let key: string;
  const post = async (path: string, body: string | object) => {
    const res = await request(`${y.url}${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body: JSON.parse(text) };
  };

  before(async () => {
    up = await startMockUpstream();
    y = await startTestYumen({ models: [{ name: 'cloud', provider: 'openai-compatible', base_url: up.baseUrl, zone: 'external' }], server: { body_limit_bytes: 4 * 1024 * 1024 } });
    key = await y.key('财政局');
  });
  after(async () => {
    await y.stop();
    await up.close();
  });

  it('answers 400 for a body nested 20,000 levels deep, wherever the nesting sits', async () => {
    const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    const bodies = [
      `{"model":"cloud","messages":[{"role":"user","content":"hi"}],"metadata":${deep(20_000)}}`,
      `{"model":"cloud","messages":[{"role":"user","content":"hi","extra":${deepArray(20_000)}}]}`,
      `{"model":"cloud","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${deep(20_000)}}}]}`,
      deepArray(20_000),
    ];
    for (const [i, body] of bodies.entries()) {
      const res = await post('/v1/chat/completions', body);
      assert.equal(res.status, 400, `body ${i}`);
      assert.equal(res.body.error.type, 'invalid_request_error');
      assert.equal(typeof res.body.error.message, 'string');
    }
    const emb = await post('/v1/embeddings', `{"model":"cloud","input":"x","extra":${deep(20_000)}}`);
    assert.equal(emb.status, 400);
    assert.equal(up.requests.length, 0, 'nothing reached the model');
    // Moderately nested tool schemas (well within the limit) still work.
    const ok = await post('/v1/chat/completions', { model: 'cloud', messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'f', parameters: JSON.parse(deep(30)) } }] });
    assert.equal(ok.status, 200);
  });

  it('answers 4xx, never 500, for other hostile shapes', async () => {
    const cases: Array<string | object> = [
      '{"model":"cloud","messages":[{"role":"user","content":"hi"}],"metadata":{"__proto__":{"polluted":true}}}',
      { model: 'cloud', messages: [{ role: 'user', content: { text: 'hi' } }] },
      { model: 'cloud', messages: [] },
      { model: 'cloud', messages: 'hi' },
      { model: ['cloud'], messages: [{ role: 'user', content: 'hi' }] },
      { model: 'cloud', input: { text: 'x' } },
    ];
    for (const body of cases) {
      const res = await post(typeof body === 'object' && 'input' in body ? '/v1/embeddings' : '/v1/chat/completions', body);
      assert.ok(res.status >= 400 && res.status < 500, `${JSON.stringify(body).slice(0, 80)} → ${res.status}`);
      assert.equal(typeof res.body.error.code, 'string');
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('a classified refusal carries the level, names types and counts, and is recorded with its decision', async () => {
    const res = await post('/v1/chat/completions', { model: 'cloud', messages: [{ role: 'user', content: '这份绝密★启用前的文件请总结，联系人手机13800138000' }] });
    assert.equal(res.status, 403);
    assert.equal(res.headers['x-yumen-level'], 'classified');
    assert.equal(res.body.error.code, 'classified_content');
    assert.deepEqual(res.body.error.findings, { classified_marking: 1 });
    assert.ok(!JSON.stringify(res.body).includes('13800138000'));
    const id = String(res.headers['x-yumen-request-id']);
    await new Promise((r) => setTimeout(r, 300)); // usage records are written in batches
    const usage = await y.store.db.selectFrom('usage_records').selectAll().where('id', '=', id).executeTakeFirst();
    assert.equal(usage?.status, 403);
    assert.equal(usage?.decision, 'block');
    assert.equal(usage?.level, 'classified');
    const audit = await y.store.db.selectFrom('audit_records').selectAll().where('request_id', '=', id).executeTakeFirst();
    assert.equal(audit?.decision, 'block');
    assert.equal(audit?.level, 'classified');
    assert.equal(audit?.error_code, 'classified_content');
    assert.match(String(audit?.findings), /classified_marking/);
  });
});
