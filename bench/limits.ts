/**
 * npm run bench:limits — the fair queue sharing one slow private backend among three departments.
 *
 * A real HTTP mock model server (127.0.0.1, random port) takes SERVICE_MS per request. The limiter allows
 * max_concurrency 2 on it. Three departments with weights 3:2:1 hammer it at once; the third runs three
 * times as many clients as the others. Printed: calls served and shares vs the configured weights, with the
 * weighted fair queue and, for comparison, with a plain FIFO semaphore of the same concurrency.
 *
 * Options (env): BENCH_SECONDS (default 6), BENCH_SERVICE_MS (default 50).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLimiter } from '../src/governance/limits/index.ts';
import type { Principal } from '../src/governance/index.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const SERVICE_MS = Number(process.env.BENCH_SERVICE_MS ?? 50);
const CONCURRENCY = 2;
const DEPTS = [
  { name: '财政局', weight: 3, clients: 4 },
  { name: '人社局', weight: 2, clients: 4 },
  { name: '公安局', weight: 1, clients: 12 },
];

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => setTimeout(() => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id: 'x', object: 'chat.completion', created: 0, model: 'slow', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } }));
  }, SERVICE_MS));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;

async function callModel(): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"slow","messages":[{"role":"user","content":"hi"}]}' });
  await res.arrayBuffer();
}

type Acquire = (p: Principal) => Promise<() => void>;

async function run(acquire: Acquire): Promise<number[]> {
  const served = DEPTS.map(() => 0);
  const deadline = Date.now() + SECONDS * 1000;
  const warmup = Date.now() + 500;
  const clients: Promise<void>[] = [];
  DEPTS.forEach((d, i) => {
    const p: Principal = { tenantId: `id-${d.name}`, tenantName: d.name, keyId: null, allowedModels: null };
    for (let c = 0; c < d.clients; c++) {
      clients.push((async () => {
        while (Date.now() < deadline) {
          const release = await acquire(p);
          try {
            await callModel();
          } finally {
            release();
          }
          if (Date.now() > warmup && Date.now() < deadline) served[i]++;
        }
      })());
    }
  });
  await Promise.all(clients);
  return served;
}

// Weighted fair queue: the real limiter.
const limiter = createLimiter({
  limits: {
    tenants: Object.fromEntries(DEPTS.map((d) => [d.name, { weight: d.weight }])),
    backends: { slow: { max_concurrency: CONCURRENCY, max_wait_ms: 120_000 } },
  },
});
const fair = await run(async (principal) => {
  const permit = await limiter.acquire({ principal, model: 'slow', zone: 'private', estimatedTokens: 12, signal: new AbortController().signal });
  return () => permit.release({ promptTokens: 10, completionTokens: 2, status: 200 });
});
await limiter.close();

// Plain FIFO semaphore with the same concurrency, for comparison.
let active = 0;
const waiting: Array<() => void> = [];
const fifo = await run(async () => {
  if (active < CONCURRENCY) active++;
  else await new Promise<void>((r) => waiting.push(r));
  return () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
});
server.close();

const totalWeight = DEPTS.reduce((s, d) => s + d.weight, 0);
const pct = (n: number, total: number) => `${((100 * n) / total).toFixed(1)}%`;
const sum = (a: number[]) => a.reduce((s, n) => s + n, 0);
console.log(`one backend, ${SERVICE_MS} ms per call, max_concurrency ${CONCURRENCY}, ${SECONDS} s per run (first 0.5 s not counted)`);
console.log('| department | weight | clients | configured share | fair queue: served | share | FIFO: served | share |');
console.log('|---|---|---|---|---|---|---|---|');
DEPTS.forEach((d, i) => {
  console.log(`| ${d.name} | ${d.weight} | ${d.clients} | ${pct(d.weight, totalWeight)} | ${fair[i]} | ${pct(fair[i], sum(fair))} | ${fifo[i]} | ${pct(fifo[i], sum(fifo))} |`);
});
console.log(`| total | | | | ${sum(fair)} (${(sum(fair) / (SECONDS - 0.5)).toFixed(1)}/s) | | ${sum(fifo)} (${(sum(fifo) / (SECONDS - 0.5)).toFixed(1)}/s) | |`);
