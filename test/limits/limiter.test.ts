import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createLimiter, validateLimitsConfig, type YumenLimiter } from '../../src/governance/limits/index.ts';
import type { Principal } from '../../src/governance/index.ts';
import { toErrorBody, YumenError } from '../../src/util/errors.ts';
import { createTokenUsageRepository, createUsageRepository, openStore } from '../../src/store/index.ts';
import type { YumenConfig } from '../../src/config/index.ts';
import { createTestDatabase, testDialects } from '../helpers/db.ts';
import { REDIS_URL, redisAvailable } from '../helpers/redis.ts';

function principal(name = `dept-${randomUUID()}`, keyId: string | null = randomUUID()): Principal {
  return { tenantId: randomUUID(), tenantName: name, keyId, allowedModels: null };
}
const signal = new AbortController().signal;
// Mid-minute, so no test straddles a window boundary.
const NOW = new Date(2026, 10, 29, 10, 30, 20).getTime();

const backends = (await redisAvailable()) ? ['memory', 'redis'] as const : ['memory'] as const;

for (const backend of backends) {
  describe(`limiter (${backend} counters)`, () => {
    const make = (limits: Record<string, unknown>, now = () => NOW): YumenLimiter =>
      createLimiter({ limits, redisUrl: backend === 'redis' ? REDIS_URL : undefined, now });

    it('answers the request over requests_per_min with 429, Retry-After and the OpenAI error shape', async () => {
      const lim = make({ defaults: { requests_per_min: 5 } });
      const p = principal();
      try {
        for (let i = 0; i < 5; i++) (await lim.acquire({ principal: p, model: 'm', zone: 'private', estimatedTokens: 1, signal })).release({ promptTokens: 1, completionTokens: 0, status: 200 });
        const err = await lim.acquire({ principal: p, model: 'm', zone: 'private', estimatedTokens: 1, signal }).then(() => null, (e: YumenError) => e);
        assert.ok(err instanceof YumenError);
        assert.equal(err.status, 429);
        assert.equal(err.code, 'rate_limited');
        assert.equal(err.headers?.['retry-after'], '40');
        const body = toErrorBody(err);
        assert.equal(body.error.type, 'rate_limit_error');
        assert.equal(body.error.code, 'rate_limited');
        // Another department is unaffected.
        await lim.acquire({ principal: principal(), model: 'm', zone: 'private', estimatedTokens: 1, signal });
      } finally {
        await lim.close();
      }
    });

    it('under 200 concurrent calls a daily token quota is overspent by at most one call', async () => {
      const lim = make({ tenants: { 审计局: { tokens_per_day: 10_000 } } });
      const p = principal('审计局');
      try {
        let admitted = 0;
        let refused = 0;
        await Promise.all(Array.from({ length: 200 }, async () => {
          try {
            const permit = await lim.acquire({ principal: p, model: 'm', zone: 'private', estimatedTokens: 300, signal });
            admitted++;
            await new Promise((r) => setImmediate(r));
            permit.release({ promptTokens: 100, completionTokens: 200, status: 200 });
          } catch (e) {
            assert.equal((e as YumenError).code, 'quota_exceeded');
            refused++;
          }
        }));
        assert.equal(admitted + refused, 200);
        assert.ok(admitted * 300 <= 10_000 + 300, `admitted ${admitted} calls = ${admitted * 300} tokens`);
        assert.ok(admitted * 300 >= 10_000, 'the quota was used up');
        await new Promise((r) => setTimeout(r, 20));
        assert.equal((await lim.usage(p)).used.tokens_today, admitted * 300);
      } finally {
        await lim.close();
      }
    });

    it('settles the estimate with the actual tokens on release, and limits keys on their own', async () => {
      const lim = make({ defaults: { tokens_per_min: 1000 }, key_defaults: { tokens_per_day: 500 } });
      const p = principal();
      try {
        const permit = await lim.acquire({ principal: p, model: 'm', zone: 'private', estimatedTokens: 900, signal });
        assert.equal((await lim.usage(p)).used.tokens_this_min, 900);
        permit.release({ promptTokens: 30, completionTokens: 20, status: 200 });
        permit.release({ promptTokens: 30, completionTokens: 20, status: 200 });
        await new Promise((r) => setTimeout(r, 20));
        const u = await lim.usage(p);
        assert.deepEqual(u.used, { requests_this_min: 1, tokens_this_min: 50, tokens_today: 50, tokens_this_month: 50 });
        // The key's 500/day is the tighter limit now.
        (await lim.acquire({ principal: p, model: 'm', zone: 'private', estimatedTokens: 500, signal })).release({ promptTokens: 500, completionTokens: 0, status: 200 });
        await new Promise((r) => setTimeout(r, 20));
        await assert.rejects(lim.acquire({ principal: p, model: 'm', zone: 'private', estimatedTokens: 1, signal }), (e: YumenError) => e.code === 'quota_exceeded' && (e.detail as { scope: string }).scope === 'key');
        // Same department, another key: only the department's per-minute limit applies (550 of 1000 used).
        await lim.acquire({ principal: { ...p, keyId: randomUUID() }, model: 'm', zone: 'private', estimatedTokens: 1, signal });
      } finally {
        await lim.close();
      }
    });

    it('a monthly quota tells the client to come back next month', async () => {
      let now = NOW;
      const lim = make({ defaults: { tokens_per_month: 100 } }, () => now);
      const p = principal();
      try {
        (await lim.acquire({ principal: p, model: 'm', zone: 'private', estimatedTokens: 100, signal })).release({ promptTokens: 100, completionTokens: 0, status: 200 });
        const err = await lim.acquire({ principal: p, model: 'm', zone: 'private', estimatedTokens: 1, signal }).then(() => null, (e: YumenError) => e);
        assert.equal(err?.code, 'quota_exceeded');
        const retry = Number(err?.headers?.['retry-after']);
        assert.equal(retry, Math.ceil((new Date(2026, 11, 1).getTime() - NOW) / 1000));
        now = new Date(2026, 11, 1, 0, 0, 1).getTime();
        await lim.acquire({ principal: p, model: 'm', zone: 'private', estimatedTokens: 1, signal });
      } finally {
        await lim.close();
      }
    });

    it('queues per backend and gives the reservation back when the wait fails', async () => {
      const lim = make({ defaults: { requests_per_min: 10 }, backends: { slow: { max_concurrency: 1, max_wait_ms: 10 } } });
      const p = principal();
      try {
        const first = await lim.acquire({ principal: p, model: 'slow', zone: 'private', estimatedTokens: 5, signal });
        await assert.rejects(lim.acquire({ principal: p, model: 'slow', zone: 'private', estimatedTokens: 5, signal }), (e: YumenError) => e.code === 'rate_limited');
        await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual((await lim.usage(p)).used, { requests_this_min: 1, tokens_this_min: 5, tokens_today: 5, tokens_this_month: 5 });
        assert.equal(lim.queues().slow.active, 1);
        first.release({ promptTokens: 5, completionTokens: 0, status: 200 });
        assert.equal(lim.queues().slow.active, 0);
        // Unlimited models never queue.
        await Promise.all(Array.from({ length: 5 }, () => lim.acquire({ principal: p, model: 'other', zone: 'private', estimatedTokens: 0, signal })));
      } finally {
        await lim.close();
      }
    });
  });
}

if (backends.includes('redis' as never)) {
  describe('limiter shared through Redis', () => {
    it('two gateway processes together overspend a quota by at most one call', async () => {
      const limits = { defaults: { tokens_per_min: 5_000 } };
      const a = createLimiter({ limits, redisUrl: REDIS_URL, now: () => NOW });
      const b = createLimiter({ limits, redisUrl: REDIS_URL, now: () => NOW });
      const p = principal();
      try {
        const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).acquire({ principal: p, model: 'm', zone: 'private', estimatedTokens: 250, signal })));
        const admitted = results.filter((r) => r.status === 'fulfilled').length;
        assert.equal(admitted, 20);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}

for (const dialect of await testDialects()) {
  describe(`limiter restart on ${dialect}`, () => {
    it('picks up today\'s and this month\'s tokens from usage_records after a restart', async () => {
      const tdb = await createTestDatabase(dialect);
      const store = await openStore(tdb.url);
      try {
        const p = principal('财政局');
        const base = { tenantId: p.tenantId, keyId: p.keyId, endpoint: 'chat', model: 'm', backend: 'b', zone: 'private', stream: false, status: 200, errorCode: null, latencyMs: 5, level: 'public', decision: 'allow', redactions: 0, findings: null };
        const now = Date.now();
        const monthStart = new Date(new Date(now).getFullYear(), new Date(now).getMonth(), 1).getTime();
        await createUsageRepository(store.db).insertMany([
          { ...base, id: 'u1', createdAt: now - 1000, promptTokens: 600, completionTokens: 300 },
          { ...base, id: 'u2', createdAt: monthStart - 1000, promptTokens: 5000, completionTokens: 0 }, // last month
        ]);
        const lim = createLimiter({ limits: { tenants: { 财政局: { tokens_per_month: 1000 } } }, usage: createTokenUsageRepository(store.db) });
        await lim.ready;
        assert.equal((await lim.usage(p)).used.tokens_this_month, 900);
        assert.equal((await lim.usage(p)).used.tokens_today, new Date(now - 1000).getDate() === new Date(now).getDate() ? 900 : 0);
        (await lim.acquire({ principal: p, model: 'm', zone: 'private', estimatedTokens: 200, signal })).release({ promptTokens: 200, completionTokens: 0, status: 200 });
        await assert.rejects(lim.acquire({ principal: p, model: 'm', zone: 'private', estimatedTokens: 1, signal }), (e: YumenError) => e.code === 'quota_exceeded');
        await lim.close();
      } finally {
        await store.close();
        await tdb.drop();
      }
    });
  });
}

describe('limits config', () => {
  const cfg = (limits: unknown) => ({ limits, models: [{ name: 'local-qwen', provider: 'llama-cpp', zone: 'private' }] }) as unknown as YumenConfig;
  it('accepts a full section', () => {
    assert.deepEqual(validateLimitsConfig(cfg({
      defaults: { requests_per_min: 600, tokens_per_day: 2_000_000 }, tenants: { 财政局: { weight: 3, priority: 1, tokens_per_month: 5 } },
      key_defaults: { requests_per_min: 60 }, keys: { k1: { tokens_per_day: 1 } }, backends: { 'local-qwen': { max_concurrency: 2, max_wait_ms: 1000 } }, queue: { max_queue: 10 },
    })), []);
  });
  it('names each wrong key path', () => {
    assert.deepEqual(validateLimitsConfig(cfg({ defaults: { requests_per_min: -1 }, tenants: { a: { weight: 0, rpm: 3 } }, backends: { nope: { max_concurrency: 0 } }, extra: 1 })), [
      'limits.extra: unknown key (known: defaults, tenants, key_defaults, keys, backends, queue)',
      'limits.defaults.requests_per_min: expected an integer ≥ 0',
      'limits.tenants.a.weight: expected a number > 0',
      'limits.tenants.a.rpm: unknown key (known: requests_per_min, tokens_per_min, tokens_per_day, tokens_per_month, weight, priority)',
      'limits.backends.nope: no model of that name in models:',
      'limits.backends.nope.max_concurrency: expected an integer ≥ 1',
    ]);
  });
});
