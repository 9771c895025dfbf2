import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { cacheKey, createResponseCache, validateCacheConfig } from '../../src/governance/cache/index.ts';
import type { Principal } from '../../src/governance/index.ts';
import type { ChatCompletion, ChatRequest } from '../../src/providers/index.ts';
import type { YumenConfig } from '../../src/config/index.ts';

const REDIS_URL = process.env.YUMEN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
async function redisAvailable(): Promise<boolean> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  try {
    await r.connect();
    return true;
  } catch (err) {
    if (process.env.CI === 'true') throw err;
    return false;
  } finally {
    r.disconnect();
  }
}

const who = (tenantId: string): Principal => ({ tenantId, tenantName: tenantId, keyId: null, allowedModels: null });
const req = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'm', messages: [{ role: 'user', content }], temperature: 0, ...extra });
const completion = (text: string): ChatCompletion => ({ id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] });

describe('cache key', () => {
  it('is the same for equal requests whatever the key order, and differs per tenant', () => {
    const a = cacheKey('t1', { model: 'm', messages: [{ role: 'user', content: 'hi' }], temperature: 0 });
    const b = cacheKey('t1', { temperature: 0, messages: [{ content: 'hi', role: 'user' }], model: 'm', stream: false });
    assert.equal(a, b);
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.notEqual(a, cacheKey('t2', { model: 'm', messages: [{ role: 'user', content: 'hi' }], temperature: 0 }));
    assert.notEqual(a, cacheKey('t1', { model: 'm', messages: [{ role: 'user', content: 'hi' }], temperature: 0.5 }));
  });
});

for (const backend of (await redisAvailable()) ? ['memory', 'redis'] : ['memory']) {
  describe(`response cache (${backend})`, () => {
    it('returns an exact match to the same tenant only, as a fresh copy', async () => {
      const cache = createResponseCache({ redisUrl: backend === 'redis' ? REDIS_URL : undefined });
      const t1 = randomUUID();
      try {
        await cache.set(who(t1), req('你好'), completion('答'));
        const hit = await cache.get(who(t1), req('你好'));
        assert.equal(hit?.choices[0].message.content, '答');
        hit!.choices[0].message.content = 'changed';
        assert.equal((await cache.get(who(t1), req('你好')))?.choices[0].message.content, '答');
        assert.equal(await cache.get(who(randomUUID()), req('你好')), undefined, 'never shared across tenants');
        assert.equal(await cache.get(who(t1), req('你好 ')), undefined, 'exact match only');
        assert.equal(await cache.get(who(t1), req('你好', { stream: true })), undefined, 'streams are never served from cache');
        assert.deepEqual({ hits: cache.stats().hits, misses: cache.stats().misses }, { hits: 2, misses: 2 });
      } finally {
        await cache.close();
      }
    });
  });
}

describe('in-process cache limits', () => {
  it('expires entries after the TTL and evicts the least recently used', async () => {
    let now = 0;
    const cache = createResponseCache({ ttlMs: 1000, maxEntries: 2, now: () => now });
    await cache.set(who('t'), req('a'), completion('A'));
    await cache.set(who('t'), req('b'), completion('B'));
    await cache.get(who('t'), req('a')); // a is now the most recent
    await cache.set(who('t'), req('c'), completion('C')); // evicts b
    assert.equal(await cache.get(who('t'), req('b')), undefined);
    assert.ok(await cache.get(who('t'), req('a')));
    now = 1001;
    assert.equal(await cache.get(who('t'), req('a')), undefined);
    assert.equal(cache.stats().entries, 1);
  });

  it('validates the cache section and per-model switches', () => {
    const c = { cache: { ttl_s: 0, foo: 1 }, models: [{ name: 'm', provider: 'x', zone: 'private', cache: 'yes' }] } as unknown as YumenConfig;
    assert.deepEqual(validateCacheConfig(c), ['cache.ttl_s: expected an integer ≥ 1', 'cache.foo: unknown key (known: ttl_s, max_entries, max_bytes)', 'models[0].cache: expected true or false']);
  });
});
