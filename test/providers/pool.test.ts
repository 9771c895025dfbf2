import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.ts';
import { createModelRegistry, UpstreamError, type BackendConfig, type ModelConfig } from '../../src/providers/index.ts';

let a: MockUpstream;
let b: MockUpstream;
let deadUrl: string;
before(async () => {
  a = await startMockUpstream();
  b = await startMockUpstream();
  const port = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
  deadUrl = `http://127.0.0.1:${port}/v1`;
});
after(async () => { await a.close(); await b.close(); });

const ctx = () => ({ signal: new AbortController().signal, requestId: 'r' });
const req = { model: 'p', messages: [{ role: 'user' as const, content: 'x' }] };

function pool(extra: Partial<ModelConfig>, backends: BackendConfig[] = [{ base_url: a.baseUrl }, { base_url: b.baseUrl }]) {
  return createModelRegistry([{ name: 'p', provider: 'vllm', zone: 'private', backoff_ms: 1, backends, ...extra } as ModelConfig]);
}

test('weighted round-robin spreads requests by weight', async () => {
  const reg = pool({}, [{ base_url: a.baseUrl, weight: 2 }, { base_url: b.baseUrl, weight: 1 }]);
  const na = a.requests.length; const nb = b.requests.length;
  for (let i = 0; i < 6; i++) await reg.get('p')!.chat(req, ctx());
  assert.equal(a.requests.length - na, 4);
  assert.equal(b.requests.length - nb, 2);
  await reg.close();
});

test('least-in-flight sends the next request to the idle backend', async () => {
  const reg = pool({ balance: 'least-in-flight' });
  a.enqueue({ stream: ['x', 'y'], stallAfter: 1 }); // ties go to the first backend
  const h = reg.get('p')!;
  const first = await h.chatStream(req, ctx());
  const busy = first.servedBy.backend;
  assert.equal(busy, new URL(a.baseUrl).host);
  const second = await h.chat(req, ctx());
  assert.notEqual(second.servedBy.backend, busy);
  assert.equal(reg.stats().find((s) => s.backend === busy)!.inFlight, 1);
  const it = first.stream[Symbol.asyncIterator]();
  await it.return!(); // return() before the first next(): must still release the slot and the socket
  assert.equal(reg.stats().every((s) => s.inFlight === 0), true);
  await a.waitForAborts(1);
  await reg.close();
});

test('retries a 503 with backoff on a single backend, then succeeds', async () => {
  const reg = pool({ retries: 2, cooldown_ms: 0 }, [{ base_url: a.baseUrl }]);
  const n = a.requests.length;
  a.enqueue({ status: 503 }, { status: 502 });
  const { completion } = await reg.get('p')!.chat(req, ctx());
  assert.equal(completion.choices[0].message.content, 'Hello from mock');
  assert.equal(a.requests.length - n, 3);
  await reg.close();
});

test('fails over from an unreachable backend, ejects it, and skips it during the cool-down', async () => {
  const reg = pool({ cooldown_ms: 60_000 }, [{ base_url: deadUrl }, { base_url: b.baseUrl }]);
  const h = reg.get('p')!;
  const nb = b.requests.length;
  const first = await h.chatStream(req, ctx());
  for await (const _ of first.stream) { /* drain */ }
  assert.equal(first.servedBy.backend, new URL(b.baseUrl).host);
  const dead = reg.stats().find((s) => s.backend === new URL(deadUrl).host)!;
  assert.equal(dead.healthy, false);
  assert.ok(dead.ejectedUntil! > Date.now());
  for (let i = 0; i < 3; i++) {
    const r = await h.chat(req, ctx());
    assert.equal(r.servedBy.backend, new URL(b.baseUrl).host);
  }
  assert.equal(b.requests.length - nb, 4);
  await reg.close();
});

test('a 429 fails over to the other replica', async () => {
  const reg = pool({ retries: 1 }, [{ base_url: a.baseUrl }, { base_url: b.baseUrl }]);
  a.enqueue({ status: 429 }); // smooth round-robin starts with the first backend
  const r = await reg.get('p')!.chat(req, ctx());
  assert.equal(r.servedBy.backend, new URL(b.baseUrl).host);
  assert.equal(r.completion.choices[0].message.content, 'Hello from mock');
  await reg.close();
});

test('client errors (400) are not retried', async () => {
  const reg = pool({ retries: 3 }, [{ base_url: a.baseUrl }]);
  const n = a.requests.length;
  a.enqueue({ status: 400 });
  await assert.rejects(reg.get('p')!.chat(req, ctx()), (e: unknown) => e instanceof UpstreamError && e.kind === 'client');
  assert.equal(a.requests.length - n, 1);
  await reg.close();
});

test('never retries once the stream was handed over: a mid-stream failure surfaces and is not replayed', async () => {
  const reg = pool({ retries: 3 }, [{ base_url: a.baseUrl }]);
  const n = a.requests.length;
  a.enqueue({ stream: ['a', 'b', 'c'], destroy: 2 });
  const { stream } = await reg.get('p')!.chatStream(req, ctx());
  await assert.rejects((async () => { for await (const _ of stream) { /* consume */ } })(), UpstreamError);
  assert.equal(a.requests.length - n, 1);
  assert.equal(reg.stats()[0].inFlight, 0);
  await reg.close();
});

test('when every attempt fails the last error is thrown, and all-ejected backends are still tried', async () => {
  const reg = pool({ retries: 1, cooldown_ms: 60_000 }, [{ base_url: deadUrl }]);
  const h = reg.get('p')!;
  await assert.rejects(h.chat(req, ctx()), (e: unknown) => e instanceof UpstreamError && e.kind === 'connect');
  assert.equal(reg.stats()[0].healthy, false);
  await assert.rejects(h.chat(req, ctx()), (e: unknown) => e instanceof UpstreamError && e.kind === 'connect');
  await reg.close();
});

test('retries: 0 means one attempt only', async () => {
  const reg = pool({ retries: 0 }, [{ base_url: a.baseUrl }, { base_url: b.baseUrl }]);
  a.enqueue({ status: 500 }); b.enqueue({ status: 500 });
  await assert.rejects(reg.get('p')!.chat(req, ctx()), (e: unknown) => e instanceof UpstreamError && e.kind === 'server');
  await reg.close();
});
