/**
 * Knowledge-base scale (`npm run bench:retrieval -- --scale [--sizes 10000,100000] [--postgres URL] [--stores sqlite,postgres]`):
 * builds bases of N documents from the shared sets (WebQA evidences and CMRC answer windows, repeated with variation:
 * sentences rotated and a serial number added, so no two documents are equal and deduplication skips none), one chunk
 * per document, and reports ingest throughput (UTF-8 MB of text a second through the real pipeline, in this process),
 * index size on disk, peak memory (this process while ingesting; the server child's VmHWM while searching), and search
 * latency over HTTP (POST /api/kb/{name}/search, top_k 5, keep-alive) at 1 and 8 concurrent searches, on SQLite
 * and PostgreSQL, with the server's CPU time per search (from /proc: a figure other load on a shared machine barely
 * moves). The server runs in its own child process so its memory and CPU are its own.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Agent, request } from 'undici';
import { createKnowledgeService } from '../src/knowledge/index.ts';
import { createApiKeyRepository, createTenantRepository, openStore } from '../src/store/index.ts';
import { loadCmrcWindows, loadWebqa } from './retrieval-sets.ts';

const SELF = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const opt = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };

function vmHwmMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

interface Source { passages: string[]; queries: string[] }

export function source(): Source | null {
  const dir = resolve(process.env.YUMEN_DATASETS ?? join(import.meta.dirname, '../../shared/datasets'));
  const web = loadWebqa(dir);
  const win = loadCmrcWindows(dir);
  if (!web || !win) return null;
  return { passages: [...web.docs, ...win.docs].map((d) => d.text), queries: [...web.queries, ...win.queries].map((q) => q.q) };
}

/** Document i: passage i mod P, its sentences rotated by the round, with a serial number. */
export function* documents(src: Source, n: number): Generator<{ name: string; text: string }> {
  const p = src.passages.length;
  for (let i = 0; i < n; i++) {
    const round = Math.floor(i / p);
    const sentences = src.passages[i % p].match(/[^。！？；]+[。！？；]*/g) ?? [src.passages[i % p]];
    const r = round % sentences.length;
    const text = `${[...sentences.slice(r), ...sentences.slice(0, r)].join("")}（${round ? `第${round}版，` : ""}编号${i}）`;
    yield { name: `doc-${i}.txt`, text };
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (a figure other load barely moves). */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function loadTest(url: string, key: string, kb: string, queries: string[], concurrency: number, total: number, serverPid: number): Promise<{ p50: number; p99: number; qps: number; cpuMs: number }> {
  const cpu0 = cpuSeconds(serverPid);
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const q = queries[next++ % queries.length];
      const t = performance.now();
      const res = await request(`${url}/api/kb/${kb}/search`, { method: 'POST', dispatcher: agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: q, top_k: 5 }) });
      const body = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`search answered HTTP ${res.statusCode}: ${body}`);
      lat.push(performance.now() - t);
    }
  }));
  const wall = (performance.now() - t0) / 1000;
  await agent.close();
  lat.sort((a, b) => a - b);
  return { p50: pct(lat, 50), p99: pct(lat, 99), qps: total / wall, cpuMs: ((cpuSeconds(serverPid) - cpu0) * 1000) / total };
}

/** A fresh PostgreSQL database beside the admin URL's, with its size and its removal. */
export async function pgDatabase(admin: string): Promise<{ url: string; size(): Promise<number>; drop(): Promise<void> }> {
  const name = `yumen_scale_${randomBytes(4).toString('hex')}`;
  const run = async (q: string) => { const c = new pg.Client({ connectionString: admin }); await c.connect(); try { return await c.query(q); } finally { await c.end(); } };
  await run(`CREATE DATABASE ${name}`);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    size: async () => Number((await run(`SELECT pg_database_size('${name}') AS s`)).rows[0].s),
    drop: async () => { await run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); },
  };
}

async function runOne(src: Source, store: 'sqlite' | 'postgres', n: number): Promise<string> {
  let url: string, size: () => Promise<number>, drop: () => Promise<void>;
  if (store === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'yumen-scale-'));
    const file = join(dir, 'scale.db');
    url = `sqlite:${file}`;
    size = async () => [file, `${file}-wal`].filter(existsSync).reduce((s, f) => s + statSync(f).size, 0);
    drop = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const d = await pgDatabase(opt('--postgres') ?? 'postgres://postgres@127.0.0.1:5432/test');
    ({ url, size, drop } = d);
  }
  try {
    const s = await openStore(url);
    const kb = createKnowledgeService({ store: s });
    await kb.createBase({ tenant: 'bench-scale', name: 'scale' });
    const tenant = await createTenantRepository(s.db).ensure('bench-scale');
    const { secret } = await createApiKeyRepository(s.db).create({ tenantId: tenant.id, allowedModels: null });
    let bytes = 0, peak = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let i = 0;
    for (const d of documents(src, n)) {
      const b = Buffer.from(d.text);
      bytes += b.byteLength;
      await kb.ingest(null, 'scale', { name: d.name, bytes: b });
      if (++i % 500 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    const ingestS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const ingestCpuS = (cpu.user + cpu.system) / 1e6;
    if (store === 'sqlite') await s.db.executeQuery({ sql: 'PRAGMA wal_checkpoint(TRUNCATE)', parameters: [] } as never).catch(() => undefined);
    const chunks = (await kb.listBases(null))[0].chunks;
    await s.close();
    const diskMb = (await size()) / 1e6;
    const child = fork(SELF, [], { env: { ...process.env, BENCH_SCALE_SERVER: url }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const srvUrl = await new Promise<string>((res, rej) => { child.once('message', (m: any) => res(m.url)); child.once('exit', (c) => rej(new Error(`server exited ${c}`))); });
    try {
      await loadTest(srvUrl, secret, 'scale', src.queries, 2, 100, child.pid!); // warm-up
      const c1 = await loadTest(srvUrl, secret, 'scale', src.queries, 1, Number(process.env.BENCH_SCALE_Q1 ?? 400), child.pid!);
      const c8 = await loadTest(srvUrl, secret, 'scale', src.queries, 8, Number(process.env.BENCH_SCALE_Q8 ?? 800), child.pid!);
      child.send('hwm');
      const hwm = await new Promise<number>((res) => child.once('message', (m: any) => res(m.hwm)));
      return `| ${store === 'sqlite' ? 'SQLite' : 'PostgreSQL'} | ${n.toLocaleString('en')} | ${chunks.toLocaleString('en')} | ${(bytes / 1e6 / ingestS).toFixed(2)} / ${(bytes / 1e6 / ingestCpuS).toFixed(2)} (${(bytes / 1e6).toFixed(1)} MB in ${ingestS.toFixed(0)} s) | ${diskMb.toFixed(0)} | ${(peak / 1e6).toFixed(0)} / ${hwm.toFixed(0)} | ${c1.p50.toFixed(1)} / ${c1.p99.toFixed(1)} | ${c8.p50.toFixed(1)} / ${c8.p99.toFixed(1)} (${c8.qps.toFixed(0)}/s) | ${c1.cpuMs.toFixed(1)} |`;
    } finally {
      child.send('stop');
      await new Promise((res) => child.once('exit', res));
    }
  } finally {
    await drop();
  }
}

/** The scale table for the sizes and stores asked for on the command line. */
export async function runScale(): Promise<void> {
  const src = source();
  if (!src) { console.log('No datasets under ../shared/datasets: nothing to build the bases from.'); return; }
  const sizes = (opt('--sizes') ?? '10000,100000').split(',').map(Number);
  const stores = (opt('--stores') ?? 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'>;
  console.log('| store | documents | chunks | ingest MB/s: wall / per CPU s of this process | index on disk, MB | peak RSS MB: ingest / server | search ms p50 / p99, 1 at a time | 8 at a time | server CPU ms / search |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const n of sizes) for (const st of stores) console.log(await runOne(src, st, n));
}

if (process.env.BENCH_SCALE_SERVER) {
  // Child: a real Yumen server on the given store; prints its URL, then serves until killed.
  const { startYumen } = await import('../src/server/bootstrap.ts');
  const { DEFAULTS } = await import('../src/config/index.ts');
  const dir = mkdtempSync(join(tmpdir(), 'yumen-scale-srv-'));
  const running = await startYumen({ server: { ...DEFAULTS.server, port: 0 }, storage: { url: process.env.BENCH_SCALE_SERVER }, log: { level: 'silent' }, models: [], data_dir: dir } as never, { port: 0, logger: false });
  process.send!({ url: running.url });
  process.on('message', async (m) => {
    if (m === 'hwm') process.send!({ hwm: vmHwmMb(process.pid) });
    if (m === 'stop') { await running.close(); rmSync(dir, { recursive: true, force: true }); process.exit(0); }
  });
}
