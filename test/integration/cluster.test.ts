/**
 * Three real `yumen serve` processes on one PostgreSQL database and one Redis behave as one gateway:
 * admin changes on any node apply on every node within 2 s (models included), limits, the fair queue of
 * a private backend and the response cache are shared, the audit chain stays whole under load and after
 * kill -9 of a node, and SIGTERM drains a node gracefully. Required in CI (CI=true), skipped elsewhere
 * when PostgreSQL or Redis is not reachable.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { openStore, createApiKeyRepository, createTenantRepository, createUserRepository, type Store } from '../../src/store/index.ts';
import { hashPassword } from '../../src/governance/index.ts';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../helpers/db.ts';
import { REDIS_URL, redisAvailable, redisPrefix } from '../helpers/redis.ts';
import { chatCompletionBody, startMockUpstream, type MockUpstream, type RecordedRequest } from '../helpers/mock-upstream.ts';
import { startNode, stopNode, type Node } from '../helpers/cluster.ts';
import { inOneMinute } from '../helpers/clock.ts';
import { Client, PASSWORD, TEST_SCRYPT_N } from '../governance/helpers.ts';

const ready = (await postgresAvailable()) && (await redisAvailable());
const WITHIN_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ChatResult { status: number; body: any; requestId: string | null }

async function chat(node: Node, key: string, model: string, content: string, extra: Record<string, unknown> = {}): Promise<ChatResult> {
  const res = await fetch(`${node.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }], ...extra }),
  });
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* a stream or garbage */ }
  return { status: res.status, body, requestId: res.headers.get('x-yumen-request-id') };
}

/** Polls `probe` until it returns true; returns how long that took, or fails after `ms`. */
async function within(ms: number, probe: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`not applied within ${ms} ms`);
    await sleep(25);
  }
}

describe('cluster: three yumen serve nodes on one PostgreSQL and Redis', { skip: !ready && 'PostgreSQL or Redis not reachable' }, () => {
  let tdb: TestDatabase;
  let store: Store;
  let up: MockUpstream;
  const redis = redisPrefix();
  const nodes: Array<Node & { dir: string }> = [];
  let config: Record<string, unknown>;
  let key: string;
  let sys: Client;
  let sec: Client;
  let deptId: string;
  // The private GPU backend: how many calls it serves at once, at most.
  let gpuActive = 0;
  let gpuPeak = 0;
  const env = { YUMEN_MASTER_KEY: randomBytes(32).toString('hex') };

  function gpu(req: RecordedRequest, res: ServerResponse): Promise<void> {
    gpuActive++;
    gpuPeak = Math.max(gpuPeak, gpuActive);
    return sleep(Number(/delay=(\d+)/.exec(JSON.stringify(req.body))?.[1] ?? 100)).then(() => {
      gpuActive--;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(chatCompletionBody('gpu answer', 'gpu')));
    });
  }

  before(async () => {
    tdb = await createTestDatabase('postgres');
    up = await startMockUpstream();
    up.setDefault((req) => (req.body?.model === 'gpu' ? { handle: gpu } : {}));
    config = {
      server: { shutdown_grace_ms: 8000 },
      storage: { url: tdb.url },
      redis: { url: REDIS_URL, prefix: redis.prefix },
      log: { level: 'error' },
      governance: { password: { scrypt_n: TEST_SCRYPT_N }, models: { allow_local_addresses: true } },
      models: [
        { name: 'cloud', provider: 'openai-compatible', base_url: up.baseUrl, zone: 'external', cache: true },
        { name: 'gpu', provider: 'openai-compatible', base_url: up.baseUrl, zone: 'private', retries: 0 },
      ],
      limits: {
        backends: { gpu: { max_concurrency: 2, max_wait_ms: 20_000 } },
        tenants: { 限流局: { requests_per_min: 6 } },
        queue: { lease_ms: 1500 },
      },
      cache: { ttl_s: 120 },
    };
    // Three nodes start at once on an empty database: the migrations must serialize themselves.
    nodes.push(...(await Promise.all([0, 1, 2].map(() => startNode(config, env)))));
    store = await openStore(tdb.url, { migrate: false });
    const tenant = await createTenantRepository(store.db).ensure('集群测试局');
    deptId = tenant.id;
    key = (await createApiKeyRepository(store.db).create({ tenantId: tenant.id, allowedModels: null })).secret;
    const users = createUserRepository(store.db);
    const passwordHash = await hashPassword(PASSWORD, TEST_SCRYPT_N);
    await users.create({ username: 'sys', passwordHash, roles: [{ role: 'sysadmin', tenantId: null }] });
    await users.create({ username: 'sec', passwordHash, roles: [{ role: 'secadmin', tenantId: null }] });
    sys = new Client(nodes[0].url);
    sec = new Client(nodes[1].url);
    assert.equal((await sys.login('sys')).status, 200);
    assert.equal((await sec.login('sec')).status, 200);
  });

  after(async () => {
    for (const n of nodes) await stopNode(n);
    await store?.close();
    await up?.close();
    await tdb?.drop();
    await redis.cleanup();
  });

  test('a model added through node 1 is served by node 3 within 2 s, and its removal on node 2 reaches node 1', async () => {
    assert.equal((await chat(nodes[2], key, 'added', 'hi')).status, 404);
    const created = await sys.req('POST', '/api/models', { name: 'added', provider: 'openai-compatible', base_url: up.baseUrl, zone: 'private', api_key: 'sk-upstream-secret' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const took = await within(WITHIN_MS, async () => (await chat(nodes[2], key, 'added', 'hi')).status === 200);
    assert.ok(took < WITHIN_MS, `node 3 served the new model after ${took} ms`);
    // The credential travelled sealed through the database and was opened with the shared master key.
    assert.equal(up.requests.at(-1)!.headers.authorization, 'Bearer sk-upstream-secret');
    const list = await (await fetch(`${nodes[1].url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).json() as { data: Array<{ id: string }> };
    assert.ok(list.data.some((m) => m.id === 'added'));

    const sys2 = new Client(nodes[1].url);
    assert.equal((await sys2.login('sys')).status, 200);
    assert.equal((await sys2.req('DELETE', '/api/models/added')).status, 200);
    await within(WITHIN_MS, async () => (await chat(nodes[0], key, 'added', 'hi')).status === 404);
  });

  test('a department policy and a dictionary changed on one node apply on the others within 2 s', async () => {
    // Every node compiles the department's guards first (they would otherwise be kept for 30 s).
    for (const n of nodes) assert.equal((await chat(n, key, 'cloud', `联系 li.lei@example.gov.cn ${n.url}`)).status, 200);
    const put = await sec.req('PUT', `/api/departments/${deptId}/policy`, { policy: { types: { email: 'block' } } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    for (const n of [nodes[0], nodes[2]]) {
      await within(WITHIN_MS, async () => (await chat(n, key, 'cloud', `联系 li.lei@example.gov.cn ${Math.random()}`)).status === 403);
    }
    const dict = await sec.req('POST', '/api/dictionaries', { department_id: deptId, name: '工程代号', terms: [{ term: '天穹工程', label: '工程代号' }] });
    assert.equal(dict.status, 201, JSON.stringify(dict.body));
    await within(WITHIN_MS, async () => {
      const r = await chat(nodes[2], key, 'cloud', `天穹工程的进度 ${Math.random()}`);
      return r.status === 200 && !JSON.stringify(up.requests.at(-1)!.body).includes('天穹工程');
    });
  });

  test('a key revoked on node 1 stops working on nodes 2 and 3 within 2 s', async () => {
    const tenant = await createTenantRepository(store.db).ensure('集群测试局');
    const { secret, row } = await createApiKeyRepository(store.db).create({ tenantId: tenant.id, allowedModels: null });
    for (const n of nodes) assert.equal((await chat(n, secret, 'gpu', 'warm the key cache')).status, 200);
    assert.equal((await sys.req('POST', `/api/keys/${row.id}/revoke`)).status, 200);
    for (const n of [nodes[1], nodes[2]]) {
      await within(WITHIN_MS, async () => (await chat(n, secret, 'gpu', 'still?')).status === 401);
    }
  });

  test('a department\'s requests_per_min holds across nodes', async () => {
    const t = await createTenantRepository(store.db).ensure('限流局');
    const limited = (await createApiKeyRepository(store.db).create({ tenantId: t.id, allowedModels: null })).secret;
    const statuses: number[] = [];
    await inOneMinute(15_000);
    for (let i = 0; i < 9; i++) statuses.push((await chat(nodes[i % 3], limited, 'gpu', `call ${i}`)).status);
    assert.equal(statuses.filter((s) => s === 200).length, 6, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 429).length, 3, statuses.join(','));
  });

  test('the private backend\'s max_concurrency is global: 12 calls on 3 nodes, never more than 2 at once upstream', async () => {
    gpuPeak = 0;
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => chat(nodes[i % 3], key, 'gpu', `delay=150 ${i}`)));
    assert.deepEqual(results.map((r) => r.status), Array(12).fill(200));
    assert.equal(gpuPeak, 2);
  });

  test('the response cache is shared: an answer cached through node 1 is served by nodes 2 and 3', async () => {
    const question = `缓存问题 ${randomBytes(4).toString('hex')}`;
    const before = up.requests.length;
    const first = await chat(nodes[0], key, 'cloud', question);
    assert.equal(first.status, 200);
    assert.equal(up.requests.length, before + 1);
    for (const n of [nodes[1], nodes[2]]) {
      const again = await chat(n, key, 'cloud', question);
      assert.equal(again.status, 200);
      assert.equal(again.body.choices[0].message.content, first.body.choices[0].message.content);
    }
    assert.equal(up.requests.length, before + 1, 'nodes 2 and 3 did not call the model');
  });

  test('kill -9 of a node in the middle of a load: the audit chain stays intact and every 2xx has its record; its queue slots come back', async () => {
    gpuPeak = 0;
    const ok: string[] = [];
    let failed = 0;
    let sent = 0;
    let killed = false;
    const worker = async (w: number) => {
      for (let i = 0; i < 10; i++) {
        const node = nodes[(w + i) % 3];
        sent++;
        try {
          const r = await chat(node, key, i % 2 ? 'gpu' : 'cloud', `load ${w}-${i} ${randomBytes(3).toString('hex')}${i % 2 ? ' delay=120' : ''}`);
          if (r.status === 200) ok.push(r.requestId!);
        } catch {
          failed++; // the killed node's connections
        }
        if (!killed && sent >= 20) {
          killed = true;
          nodes[1].proc.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, (_, w) => worker(w)));
    assert.ok(killed);
    assert.equal(await nodes[1].exited, 'SIGKILL');
    assert.ok(ok.length >= 30, `${ok.length} calls succeeded, ${failed} failed`);
    assert.ok(gpuPeak <= 2, `upstream saw ${gpuPeak} gpu calls at once`);

    // After the lease, slots the dead node held are free again: the survivors still get both.
    gpuPeak = 0;
    const after = await Promise.all(Array.from({ length: 4 }, (_, i) => chat(nodes[i % 2 ? 2 : 0], key, 'gpu', `after kill ${i} delay=1500`)));
    assert.deepEqual(after.map((r) => r.status), [200, 200, 200, 200]);
    assert.equal(gpuPeak, 2);

    const ids = new Set((await store.db.selectFrom('audit_records').select('request_id').execute()).map((r) => r.request_id));
    const missing = ok.filter((id) => !ids.has(id));
    assert.deepEqual(missing, [], 'a 2xx a client saw has no audit record');
    const seqs = (await store.db.selectFrom('audit_records').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq));
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'one chain, no gap, no fork');
    const verify = spawn(process.execPath, [resolve(import.meta.dirname, '../../bin/yumen.js'), 'audit', 'verify', '--config', nodes[0].configFile], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    verify.stdout!.on('data', (d) => { out += d; });
    verify.stderr!.on('data', (d) => { out += d; });
    const code = await new Promise((r) => verify.once('exit', r));
    assert.equal(code, 0, out);
  });

  test('SIGTERM: the node stops taking calls, /readyz says not ready, its stream finishes, it exits 0 with the record written', async () => {
    const node = nodes[2];
    up.enqueue({ stream: ['第一段', '第二段', '第三段', '第四段', '第五段'], chunkDelayMs: 300 });
    const res = await fetch(`${node.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'cloud', stream: true, messages: [{ role: 'user', content: '慢慢讲' }] }),
    });
    assert.equal(res.status, 200);
    const requestId = res.headers.get('x-yumen-request-id')!;
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.ok(!first.done);
    node.proc.kill('SIGTERM');
    await sleep(150);
    const readyz = await fetch(`${node.url}/readyz`);
    assert.equal(readyz.status, 503);
    const refused = await chat(node, key, 'gpu', 'new call while draining');
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error.code, 'shutting_down');
    let text = new TextDecoder().decode(first.value);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    assert.match(text, /第五段[\s\S]*\[DONE\]/);
    assert.equal(await node.exited, 0);
    const rec = await store.db.selectFrom('audit_records').select(['status']).where('request_id', '=', requestId).executeTakeFirst();
    assert.equal(rec?.status, 200);
    // The rest of the cluster still serves.
    assert.equal((await chat(nodes[0], key, 'gpu', 'still here')).status, 200);
  });
});
