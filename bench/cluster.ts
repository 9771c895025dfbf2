/**
 * Cluster benchmark (`npm run bench:cluster`): throughput of 1, 2 and 3 real `yumen serve` nodes on one
 * PostgreSQL database and one Redis, all calling the same minimal upstream, beside one node on SQLite and
 * one on PostgreSQL without Redis — so the rows show what the shared parts cost.
 *
 * Per row: requests/s and p50/p99 latency (autocannon, connections split evenly over the nodes), the Yumen
 * nodes' own CPU time per request (/proc), PostgreSQL commits per request (pg_stat_database of the bench's
 * own database) and Redis commands per request (INFO; the Redis is shared, so others' traffic adds noise).
 * The load generator, the upstream, every node, PostgreSQL and Redis share the machine's 2 cores: more
 * nodes cannot add CPU here, so the rows measure the cost of coordination, not the scaling of a real cluster.
 * Env: BENCH_DURATION (s, default 8), BENCH_CONNECTIONS (default 24), BENCH_ONLY=1,3 (rows by number, from 1).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createApiKeyRepository, createTenantRepository, openStore } from '../src/store/index.ts';
import { createTestDatabase, PG_ADMIN_URL } from '../test/helpers/db.ts';
import { REDIS_URL, redisPrefix } from '../test/helpers/redis.ts';
import { startNode, stopNode } from '../test/helpers/cluster.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 24);

const reply = Buffer.from(JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 1_700_000_000, model: 'bench',
  choices: [{ index: 0, message: { role: 'assistant', content: '玉门关始建于汉武帝时期，是丝绸之路通往西域的重要关隘。' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 60, completion_tokens: 30, total_tokens: 90 },
}));
const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: '请用三句话介绍玉门关的历史沿革。' }], max_tokens: 128 });

function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime in clock ticks (100 Hz)
}

async function commits(dbName: string): Promise<number> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  const r = await c.query('SELECT xact_commit FROM pg_stat_database WHERE datname = $1', [dbName]);
  await c.end();
  return Number(r.rows[0]?.xact_commit ?? 0);
}

async function redisCommands(r: Redis): Promise<number> {
  const info = await r.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

interface Row { name: string; nodes: number; rps: number; p50: number; p99: number; cpuPerReq: number; pgCommitsPerReq: number | null; redisCmdsPerReq: number | null; errors: number }

async function runRow(name: string, opts: { nodes: number; storage: 'sqlite' | 'postgres'; redis: boolean; queue?: boolean }, upstreamUrl: string, redis: Redis): Promise<Row> {
  const tdb = await createTestDatabase(opts.storage);
  const prefix = redisPrefix();
  const config: Record<string, unknown> = {
    storage: { url: tdb.url },
    log: { level: 'error' },
    models: [{ name: 'm', provider: 'openai-compatible', base_url: upstreamUrl, zone: 'private' }],
    ...(opts.redis ? { redis: { url: REDIS_URL, prefix: prefix.prefix } } : {}),
    ...(opts.queue ? { limits: { backends: { m: { max_concurrency: 64 } } } } : {}),
  };
  const env = { YUMEN_MASTER_KEY: randomBytes(32).toString('hex') };
  const nodes = await Promise.all(Array.from({ length: opts.nodes }, () => startNode(config, env)));
  const store = await openStore(tdb.url, { migrate: false });
  const tenant = await createTenantRepository(store.db).ensure('bench');
  const key = (await createApiKeyRepository(store.db).create({ tenantId: tenant.id, allowedModels: null })).secret;
  await store.close();
  const dbName = opts.storage === 'postgres' ? new URL(tdb.url).pathname.slice(1) : '';
  const hit = (url: string, duration: number, connections: number) => autocannon({
    url: `${url}/v1/chat/completions`, method: 'POST', duration, connections,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body,
  });
  try {
    await Promise.all(nodes.map((n) => hit(n.url, 2, 4))); // warm-up: JIT, pools, key caches
    const cpu0 = nodes.map((n) => cpuMs(n.proc.pid!));
    const pg0 = dbName ? await commits(dbName) : 0;
    const r0 = await redisCommands(redis);
    const per = Math.max(1, Math.floor(CONNECTIONS / nodes.length));
    const results = await Promise.all(nodes.map((n) => hit(n.url, DURATION, per)));
    const total = results.reduce((a, r) => a + r.requests.total, 0);
    const cpu = nodes.reduce((a, n, i) => a + cpuMs(n.proc.pid!) - cpu0[i], 0);
    const pgc = dbName ? (await commits(dbName)) - pg0 : null;
    const rc = (await redisCommands(redis)) - r0;
    const errors = results.reduce((a, r) => a + r.errors + r.non2xx, 0);
    return {
      name, nodes: opts.nodes,
      rps: results.reduce((a, r) => a + r.requests.average, 0),
      p50: Math.max(...results.map((r) => r.latency.p50)),
      p99: Math.max(...results.map((r) => r.latency.p99)),
      cpuPerReq: cpu / total,
      pgCommitsPerReq: pgc === null ? null : pgc / total,
      redisCmdsPerReq: opts.redis ? rc / total : null,
      errors,
    };
  } finally {
    for (const n of nodes) {
      n.proc.kill('SIGTERM');
      await n.exited;
      await stopNode(n);
    }
    await tdb.drop();
    await prefix.cleanup();
  }
}

const upstream = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': reply.length });
    res.end(reply);
  });
});
await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
const redis = new Redis(REDIS_URL);

const rows: Row[] = [];
const plan: Array<[string, Parameters<typeof runRow>[1]]> = [
  ['1 node · SQLite · no Redis', { nodes: 1, storage: 'sqlite', redis: false }],
  ['1 node · PostgreSQL · no Redis', { nodes: 1, storage: 'postgres', redis: false }],
  ['1 node · PostgreSQL + Redis', { nodes: 1, storage: 'postgres', redis: true }],
  ['2 nodes · PostgreSQL + Redis', { nodes: 2, storage: 'postgres', redis: true }],
  ['3 nodes · PostgreSQL + Redis', { nodes: 3, storage: 'postgres', redis: true }],
  ['3 nodes · PostgreSQL + Redis · shared queue', { nodes: 3, storage: 'postgres', redis: true, queue: true }],
];
const only = process.env.BENCH_ONLY?.split(',').map(Number);
for (const [name, opts] of plan.filter((_, i) => !only || only.includes(i + 1))) {
  process.stderr.write(`bench:cluster: ${name}…\n`);
  rows.push(await runRow(name, opts, upstreamUrl, redis));
}
redis.disconnect();
upstream.close();

const fmt = (n: number | null, d = 1) => (n === null ? '—' : n.toFixed(d));
console.log(`\n${new Date().toISOString()} · ${DURATION} s per row · ${CONNECTIONS} connections split over the nodes\n`);
console.log('| setup | nodes | req/s | p50 ms | p99 ms | node CPU ms/req | PG commits/req | Redis cmds/req | errors |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${r.nodes} | ${fmt(r.rps, 0)} | ${fmt(r.p50, 0)} | ${fmt(r.p99, 0)} | ${fmt(r.cpuPerReq, 2)} | ${fmt(r.pgCommitsPerReq, 2)} | ${fmt(r.redisCmdsPerReq, 1)} | ${r.errors} |`);
