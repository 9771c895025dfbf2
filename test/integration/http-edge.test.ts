import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { request } from 'undici';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';

describe('HTTP edge: validation, limits, headers, disconnects, shutdown', () => {
  let up: MockUpstream;
  let yumen: TestYumen;
  let key: string;
  const post = (path: string, body: string | object, headers: Record<string, string> = {}) =>
    request(`${yumen.url}${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers } });

  before(async () => {
    up = await startMockUpstream();
    yumen = await startTestYumen({ models: [{ name: 'm', provider: 'openai-compatible', base_url: up.baseUrl, zone: 'private' }], server: { body_limit_bytes: 64 * 1024, shutdown_grace_ms: 2000 } });
    key = await yumen.key();
  });
  after(async () => {
    await yumen.stop().catch(() => {});
    await up.close();
  });

  it('answers 401 in the OpenAI shape without a key, with the request id header', async () => {
    const res = await request(`${yumen.url}/v1/models`);
    assert.equal(res.statusCode, 401);
    const body = (await res.body.json()) as { error: { code: string; type: string; message: string; param: null } };
    assert.equal(body.error.code, 'missing_api_key');
    assert.equal(body.error.type, 'authentication_error');
    assert.match(String(res.headers['x-yumen-request-id']), /^req_/);
  });

  it('rejects malformed JSON, wrong types and oversized bodies with the right status', async () => {
    const bad = await post('/v1/chat/completions', '{"model":');
    assert.equal(bad.statusCode, 400);
    assert.equal(((await bad.body.json()) as any).error.code, 'invalid_json');
    const wrong = await post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' });
    assert.equal(wrong.statusCode, 400);
    assert.equal(((await wrong.body.json()) as any).error.param, 'temperature');
    const missing = await post('/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }] });
    assert.equal(((await missing.body.json()) as any).error.param, 'model');
    const huge = await rawPost(`${yumen.url}/v1/chat/completions`, JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(100 * 1024) }] }), key);
    assert.equal(huge.status, 413);
    assert.equal(JSON.parse(huge.body).error.code, 'body_too_large');
    const unknown = await request(`${yumen.url}/v1/nothing`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(unknown.statusCode, 404);
    await unknown.body.dump();
  });

  it('sets the x-yumen headers on model calls', async () => {
    const res = await post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: '请总结会议纪要' }] });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['x-yumen-route'], 'private');
    assert.equal(res.headers['x-yumen-level'], 'public');
    assert.equal(res.headers['x-yumen-redactions'], '0');
    await res.body.dump();
  });

  it('cancels the upstream request when the client disconnects mid-stream', async () => {
    up.enqueue({ stream: Array.from({ length: 200 }, (_, i) => `片段${i} `), chunkDelayMs: 20 });
    const aborts = up.requests.filter((r) => r.aborted).length;
    const res = await post('/v1/chat/completions', { model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] }, {});
    const reader = res.body;
    reader.on('error', () => {}); // destroying our own body reports an AbortError: expected
    let seen = 0;
    await new Promise<void>((resolve) => {
      reader.on('data', () => {
        if (++seen === 3) {
          reader.destroy();
          resolve();
        }
      });
    });
    await up.waitForAborts(aborts + 1);
    assert.ok(up.requests.at(-1)!.aborted);
  });

  it('lets an in-flight stream finish on shutdown and refuses new requests with 503', async () => {
    up.enqueue({ stream: ['一', '二', '三', '四', '五'], chunkDelayMs: 100 });
    const res = await post('/v1/chat/completions', { model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] });
    const text = res.body.text();
    await new Promise((r) => setTimeout(r, 50));
    const closing = yumen.close();
    const refused = await post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'x' }] }).catch((err: Error) => err);
    if (!(refused instanceof Error)) {
      assert.equal(refused.statusCode, 503);
      await refused.body.dump();
    }
    const body = await text;
    assert.match(body, /五/);
    assert.match(body, /\[DONE\]/);
    await closing;
  });
});

/** A POST whose body the server may refuse before reading it all: write errors after the answer are expected. */
function rawPost(url: string, body: string, key: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', (err) => (err as NodeJS.ErrnoException).code === 'EPIPE' || (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err));
    req.end(body);
  });
}
