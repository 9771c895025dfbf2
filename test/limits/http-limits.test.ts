import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { inOneMinute } from '../helpers/clock.ts';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';

/** The limiter, cache and audit trail as wired into a real server (sqlite), seen over HTTP. */
describe('limits, cache and audit through the real server', () => {
  let up: MockUpstream;
  let yumen: TestYumen;
  before(async () => {
    up = await startMockUpstream();
    yumen = await startTestYumen({
      models: [
        { name: 'm', provider: 'openai-compatible', base_url: '', zone: 'private' },
        { name: 'cached', provider: 'openai-compatible', base_url: '', zone: 'private', cache: true },
      ].map((m) => ({ ...m, base_url: up.baseUrl })) as never,
      extra: { limits: { tenants: { 限流局: { requests_per_min: 2 } } } },
    });
  });
  after(async () => {
    await yumen.stop();
    await up.close();
  });

  const chat = (key: string, model: string, content = '你好') => fetch(`${yumen.baseURL}/chat/completions`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });

  it('answers 429 with Retry-After in the OpenAI error shape once a department is over its limit', async () => {
    const key = await yumen.key('限流局');
    await inOneMinute(10_000);
    assert.equal((await chat(key, 'm')).status, 200);
    assert.equal((await chat(key, 'm')).status, 200);
    const res = await chat(key, 'm');
    assert.equal(res.status, 429);
    assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
    const body = await res.json() as { error: { type: string; code: string; scope: string } };
    assert.equal(body.error.type, 'rate_limit_error');
    assert.equal(body.error.code, 'rate_limited');
    assert.equal(body.error.scope, 'tenant');
    // Other departments are not affected.
    assert.equal((await chat(await yumen.key('其他局'), 'm')).status, 200);
  });

  it('serves a repeated request to a cache-enabled model from the cache, per department only', async () => {
    const a = await yumen.key('缓存甲');
    const b = await yumen.key('缓存乙');
    const before = up.requests.length;
    assert.equal((await chat(a, 'cached', '同一个问题')).status, 200);
    assert.equal((await chat(a, 'cached', '同一个问题')).status, 200);
    assert.equal(up.requests.length, before + 1, 'the second identical request was a cache hit');
    assert.equal((await chat(b, 'cached', '同一个问题')).status, 200);
    assert.equal(up.requests.length, before + 2, 'another department never gets the first one\'s cached answer');
    await chat(a, 'm', '同一个问题');
    await chat(a, 'm', '同一个问题');
    assert.equal(up.requests.length, before + 4, 'models without cache: true are never cached');
  });

  it('audits every call, 429s included, in a chain that verifies', async () => {
    const rows = await yumen.store.db.selectFrom('audit_records').select(['status', 'decision']).execute();
    assert.ok(rows.some((r) => r.status === 429));
    assert.ok(rows.some((r) => r.decision.endsWith('+cache')));
    const { createAuditLog } = await import('../../src/audit/index.ts');
    const v = await createAuditLog(yumen.store.db).verify();
    assert.equal(v.ok, true);
  });
});
