/**
 * Knowledge-base scale (`npm run bench:retrieval -- --scale [--sizes 10000,100000] [--postgres URL] [--stores sqlite,postgres]`,
 * or `-- --scale --memory N [--postgres URL]` for memory as one base grows, see memoryRun):
 * builds bases of N documents from the shared sets (WebQA evidences and CMRC answer windows, repeated with variation:
 * sentences rotated and a serial number added, so no two documents are equal and deduplication skips none), one chunk
 * per document, and reports ingest throughput (UTF-8 MB of text a second through the real pipeline —
 * `KnowledgeService.ingestMany`, the batch path uploads and `yumen kb add` take — in this process), index size on disk,
 * peak memory (this process's peak RSS while ingesting, VmHWM after a reset; the server child's VmHWM), and search
 * latency over HTTP (POST /api/kb/{name}/search, top_k 5, keep-alive) at 1 and 8 concurrent searches, on SQLite
 * and PostgreSQL, with the server's CPU time per search (from /proc: a figure other load on a shared machine barely
 * moves; on PostgreSQL the database backends' CPU is added, read from /proc for the bench database's connections).
 * R@1 at scale: for the questions run one at a time, whether the first result is a copy of the question's own
 * passage among the N documents (every passage appears about N / 7,694 times, rotated). The server runs in its own
 * child process so its memory and CPU are its own.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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

/** Peak resident memory of a process, MiB (VmHWM). */
function vmHwmMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Passages to build documents from, and questions with the indices of their relevant passages. */
interface Source { passages: string[]; queries: Array<{ q: string; rel: number[] }> }

export function source(): Source | null {
  const dir = resolve(process.env.YUMEN_DATASETS ?? join(import.meta.dirname, '../../shared/datasets'));
  const web = loadWebqa(dir);
  const win = loadCmrcWindows(dir);
  if (!web || !win) return null;
  const docs = [...web.docs, ...win.docs];
  const at = new Map(docs.map((d, i) => [d.id, i]));
  // Interleaved, so any prefix of the questions holds both sets.
  const queries: Source['queries'] = [];
  for (let i = 0; i < Math.max(web.queries.length, win.queries.length); i++) {
    for (const set of [web, win]) {
      const q = set.queries[i];
      if (q) queries.push({ q: q.q, rel: q.rel.map((id) => at.get(id)!) });
    }
  }
  return { passages: docs.map((d) => d.text), queries };
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

/** CPU seconds of a set of processes, each read at most once a second and kept at its highest (a PostgreSQL backend may exit). */
function cpuMeter(pids: () => Promise<number[]>): { stop(): Promise<number> } {
  const seen = new Map<number, number>();
  const sample = async () => {
    for (const pid of await pids()) {
      try { seen.set(pid, Math.max(seen.get(pid) ?? 0, cpuSeconds(pid))); } catch { /* gone */ }
    }
  };
  const start = sample().then(() => new Map(seen));
  const timer = setInterval(() => void sample(), 1000);
  return {
    async stop() {
      clearInterval(timer);
      await sample();
      const first = await start;
      let s = 0;
      for (const [pid, v] of seen) s += v - (first.get(pid) ?? 0);
      return s;
    },
  };
}

/** The pids of the PostgreSQL backends connected to `db` (empty for SQLite). */
function backends(admin: string | null, db: string | null): () => Promise<number[]> {
  if (!admin || !db) return async () => [];
  return async () => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      return (await c.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [db])).rows.map((r) => Number(r.pid));
    } finally {
      await c.end();
    }
  };
}

async function loadTest(url: string, key: string, kb: string, queries: Source['queries'], concurrency: number, total: number, serverPid: number, dbPids: () => Promise<number[]>): Promise<{ p50: number; p99: number; qps: number; cpuMs: number; dbCpuMs: number; r1: number }> {
  const cpu0 = cpuSeconds(serverPid);
  const db = cpuMeter(dbPids);
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });
  const lat: number[] = [];
  let next = 0, hit = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const { q, rel } = queries[next++ % queries.length];
      const t = performance.now();
      const res = await request(`${url}/api/kb/${kb}/search`, { method: 'POST', dispatcher: agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: q, top_k: 5 }) });
      const body = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`search answered HTTP ${res.statusCode}: ${body}`);
      lat.push(performance.now() - t);
      const first = (JSON.parse(body) as { results: Array<{ document: string }> }).results[0]?.document;
      const i = first ? Number(/doc-(\d+)\.txt/.exec(first)?.[1]) : NaN;
      if (rel.includes(i % passagesCount)) hit++;
    }
  }));
  const wall = (performance.now() - t0) / 1000;
  const dbCpu = await db.stop();
  await agent.close();
  lat.sort((a, b) => a - b);
  return { p50: pct(lat, 50), p99: pct(lat, 99), qps: total / wall, cpuMs: ((cpuSeconds(serverPid) - cpu0) * 1000) / total, dbCpuMs: (dbCpu * 1000) / total, r1: hit / total };
}
let passagesCount = 1;

/** A fresh PostgreSQL database beside the admin URL's, with its size and its removal. */
export async function pgDatabase(admin: string): Promise<{ url: string; name: string; size(): Promise<number>; drop(): Promise<void> }> {
  const name = `yumen_scale_${randomBytes(4).toString('hex')}`;
  const run = async (q: string) => { const c = new pg.Client({ connectionString: admin }); await c.connect(); try { return await c.query(q); } finally { await c.end(); } };
  await run(`CREATE DATABASE ${name}`);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    size: async () => Number((await run(`SELECT pg_database_size('${name}') AS s`)).rows[0].s),
    drop: async () => { await run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); },
  };
}

async function runOne(src: Source, store: 'sqlite' | 'postgres', n: number): Promise<string> {
  let url: string, size: () => Promise<number>, drop: () => Promise<void>;
  let dbPids = backends(null, null);
  if (store === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'yumen-scale-'));
    const file = join(dir, 'scale.db');
    url = `sqlite:${file}`;
    size = async () => [file, `${file}-wal`].filter(existsSync).reduce((s, f) => s + statSync(f).size, 0);
    drop = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const admin = opt('--postgres') ?? 'postgres://postgres@127.0.0.1:5432/test';
    const d = await pgDatabase(admin);
    ({ url, size, drop } = d);
    dbPids = backends(admin, d.name);
  }
  try {
    const s = await openStore(url);
    const kb = createKnowledgeService({ store: s });
    await kb.createBase({ tenant: 'bench-scale', name: 'scale' });
    const tenant = await createTenantRepository(s.db).ensure('bench-scale');
    const { secret } = await createApiKeyRepository(s.db).create({ tenantId: tenant.id, allowedModels: null });
    let bytes = 0, failed = 0;
    // The kernel's high-water mark of this process, reset before ingest (a timer would not fire: on SQLite the
    // awaits of an ingest group settle without turning the event loop).
    writeFileSync('/proc/self/clear_refs', '5');
    const dbCpu = cpuMeter(dbPids);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    // Slices of the generator: the outcomes of one slice at a time, the documents of one ingest group at a time.
    const docs = documents(src, n);
    for (let left = n; left > 0; left -= 50_000) {
      const slice = (function* () {
        for (let k = 0; k < Math.min(left, 50_000); k++) {
          const d = docs.next();
          if (d.done) return;
          const b = Buffer.from(d.value.text);
          bytes += b.byteLength;
          yield { name: d.value.name, bytes: b };
        }
      })();
      failed += (await kb.ingestMany(null, 'scale', slice)).filter((o) => o.status === 'failed').length;
    }
    const ingestS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const ingestCpuS = (cpu.user + cpu.system) / 1e6 + (await dbCpu.stop());
    const peak = vmHwmMb(process.pid);
    if (failed) throw new Error(`${failed} documents failed to ingest`);
    if (store === 'sqlite') await s.db.executeQuery({ sql: 'PRAGMA wal_checkpoint(TRUNCATE)', parameters: [] } as never).catch(() => undefined);
    const chunks = (await kb.listBases(null))[0].chunks;
    await s.close();
    const diskMb = (await size()) / 1e6;
    const child = fork(SELF, [], { env: { ...process.env, BENCH_SCALE_SERVER: url }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const srvUrl = await new Promise<string>((res, rej) => { child.once('message', (m: any) => res(m.url)); child.once('exit', (c) => rej(new Error(`server exited ${c}`))); });
    try {
      passagesCount = src.passages.length;
      await loadTest(srvUrl, secret, 'scale', src.queries, 2, 100, child.pid!, dbPids); // warm-up
      const c1 = await loadTest(srvUrl, secret, 'scale', src.queries, 1, Number(process.env.BENCH_SCALE_Q1 ?? 400), child.pid!, dbPids);
      const c8 = await loadTest(srvUrl, secret, 'scale', src.queries, 8, Number(process.env.BENCH_SCALE_Q8 ?? 800), child.pid!, dbPids);
      child.send('hwm');
      const hwm = await new Promise<number>((res) => child.once('message', (m: any) => res(m.hwm)));
      const cpuCell = (r: typeof c1) => (store === 'sqlite' ? r.cpuMs.toFixed(1) : `${r.cpuMs.toFixed(1)} + ${r.dbCpuMs.toFixed(1)}`);
      return `| ${store === 'sqlite' ? 'SQLite' : 'PostgreSQL'} | ${n.toLocaleString('en')} | ${chunks.toLocaleString('en')} | ${(bytes / 1e6 / ingestS).toFixed(2)} / ${(bytes / 1e6 / ingestCpuS).toFixed(2)} (${(bytes / 1e6).toFixed(1)} MB in ${ingestS.toFixed(0)} s) | ${diskMb.toFixed(0)} | ${peak.toFixed(0)} / ${hwm.toFixed(0)} | ${c1.p50.toFixed(1)} / ${c1.p99.toFixed(1)} | ${c8.p50.toFixed(1)} / ${c8.p99.toFixed(1)} (${c8.qps.toFixed(0)}/s) | ${cpuCell(c1)} / ${cpuCell(c8)} | ${c1.r1.toFixed(3)} |`;
    } finally {
      child.send('stop');
      await new Promise((res) => child.once('exit', res));
    }
  } finally {
    await drop();
  }
}

/**
 * `--memory N [--postgres ADMIN_URL]`: whether ingest memory grows with the base (SQLite, or a fresh PostgreSQL database). N documents go into one base through ingestMany in slices
 * of 16,000 (one call each, as a batch job would); after each slice, the JS heap before and after a full garbage
 * collection and the process's resident memory. A whole-base load would show as a retained heap that grows.
 */
async function memoryRun(src: Source, n: number, pgAdmin: string | undefined): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const dir = mkdtempSync(join(tmpdir(), 'yumen-mem-'));
  const pgdb = pgAdmin ? await pgDatabase(pgAdmin) : null;
  const s = await openStore(pgdb ? pgdb.url : `sqlite:${join(dir, 'mem.db')}`);
  try {
    const kb = createKnowledgeService({ store: s });
    await kb.createBase({ tenant: 'bench-mem', name: 'mem' });
    const docs = documents(src, n);
    const mib = (x: number) => (x / 2 ** 20).toFixed(0);
    console.log('| documents in the base | heap MiB after the slice / after GC | RSS MiB | peak RSS MiB |\n|---|---|---|---|');
    for (let done = 0; done < n; done += 16_000) {
      const slice = (function* () {
        for (let k = 0; k < 16_000; k++) {
          const d = docs.next();
          if (d.done) return;
          yield { name: d.value.name, bytes: Buffer.from(d.value.text) };
        }
      })();
      await kb.ingestMany(null, 'mem', slice);
      const heap = process.memoryUsage().heapUsed;
      gc();
      const status = readFileSync('/proc/self/status', 'utf8');
      const kb_ = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1]) * 1024;
      console.log(`| ${Math.min(n, done + 16_000).toLocaleString('en')} | ${mib(heap)} / ${mib(process.memoryUsage().heapUsed)} | ${mib(kb_('VmRSS'))} | ${mib(kb_('VmHWM'))} |`);
    }
  } finally {
    await s.close();
    await pgdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The scale table for the sizes and stores asked for on the command line. */
export async function runScale(): Promise<void> {
  const src = source();
  if (!src) { console.log('No datasets under ../shared/datasets: nothing to build the bases from.'); return; }
  if (opt('--memory')) { await memoryRun(src, Number(opt('--memory')), opt('--postgres')); return; }
  const sizes = (opt('--sizes') ?? '10000,100000').split(',').map(Number);
  const stores = (opt('--stores') ?? 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'>;
  console.log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log('| store | documents | chunks | ingest MB/s: wall / per CPU s (this process + PostgreSQL) | index on disk, MB | peak RSS MiB: ingest / server | search ms p50 / p99, 1 at a time | 8 at a time (throughput) | server CPU ms / search, 1 / 8 at a time (+ PostgreSQL) | R@1 at scale |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const n of sizes) for (const st of stores) console.log(await runOne(src, st, n));
  console.log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
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
