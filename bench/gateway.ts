/**
 * Gateway overhead benchmark (`npm run bench:gateway`): the same chat completion sent straight to a
 * minimal upstream, through Yumen (guard on, public text), through Yumen with a Chinese prompt full of
 * personal data to an external-zone model (pseudonymize + restore active), and through Portkey's
 * open-source gateway (custom host pointed at the same upstream).
 *
 * Every server runs in its own child process; this process only drives load (autocannon, 32
 * connections) and measures latency at concurrency 1 with a keep-alive client and sub-ms timing.
 * The machine has 2 cores shared by the load generator, the upstream and the server under test, so
 * the rows are measured in interleaved rounds (median reported) and each server's own CPU time per
 * request is read from /proc: a figure that other load on the machine barely moves.
 * Env: BENCH_DURATION (s, default 10), BENCH_ROUNDS (default 3), BENCH_C1_REQUESTS (default 4000),
 * BENCH_ONLY=yumen,yumen-pii,yumen-pii-10k,portkey, BENCH_PROF=1 (CPU profile of the Yumen child into .tmp/prof/),
 * BENCH_BASELINE=DIR (another checkout of Yumen, e.g. a `git worktree` of an earlier commit: its rows `base-yumen` and
 * `base-yumen-pii` run interleaved with this one's, so a change is compared with what it changes under the same load).
 * `yumen-pii-10k` is the personal-data request from a department whose output guard carries a content-safety
 * keyword library of 10,000 terms (TC260-003 asks for ≥ 10,000): its cost beside `yumen-pii` is that of the library.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, Agent, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { mulberry32 } from '../test/helpers/random.ts';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(dirname(SELF), '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = 3;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const C1_REQUESTS = Number(process.env.BENCH_C1_REQUESTS ?? 4000);

const UPSTREAM_MODEL = 'bench-upstream';
const PUBLIC_PROMPT = '请用三句话介绍玉门关的历史沿革，以及它在丝绸之路上的地位。请注意语言简洁，适合放在旅游宣传册上。';
// Fictitious personal data: a valid-checksum ID card number, a mobile, a Luhn-valid bank card, e-mail, name, address.
const PII_PROMPT = '请帮我给客户张伟写一封回信。他的身份证号是11010519491231002X，手机号13812345678，'
  + '邮箱zhang.wei@example.com，住址北京市朝阳区建国路88号3单元502室，工资卡号6222020200112233446。'
  + '告诉他补贴已经到账，请他用手机号13812345678登录核对。';
// What the upstream answers for the PII row: the placeholders a model would echo, so restore does real work.
const PII_REPLY = '〔姓名_1〕您好：您的补贴已经发放到尾号为〔银行卡号_1〕的账户，请使用〔手机号_1〕登录核对。如有疑问请发邮件至〔邮箱_1〕。';
const PLAIN_REPLY = '玉门关始建于汉武帝时期，是丝绸之路通往西域的重要关隘。';

function completion(content: string): Buffer {
  return Buffer.from(JSON.stringify({
    id: 'chatcmpl-bench', object: 'chat.completion', created: 1_700_000_000, model: UPSTREAM_MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 60, completion_tokens: 30, total_tokens: 90 },
  }));
}

const KEYWORD_COUNT = 10_000;
const KEYWORD_DEPT = 'bench-dept-10k';

/**
 * A stand-in for a content-safety library: 10,000 distinct terms of 2–6 CJK ideographs (seeded, so every run
 * uses the same), none of which occurs in the bench's prompts or replies — the reply is scanned, not masked.
 */
function keywordLibrary(): string[] {
  const random = mulberry32(20261129);
  const texts = [PUBLIC_PROMPT, PII_PROMPT, PII_REPLY, PLAIN_REPLY];
  const terms = new Set<string>();
  while (terms.size < KEYWORD_COUNT) {
    let term = '';
    const length = 2 + Math.floor(random() * 5);
    for (let i = 0; i < length; i++) term += String.fromCharCode(0x4e00 + Math.floor(random() * (0x9fa5 - 0x4e00)));
    if (!texts.some((t) => t.includes(term))) terms.add(term);
  }
  return [...terms];
}

const chatBody = (model: string, content: string): string => JSON.stringify({ model, messages: [{ role: 'user', content }], max_tokens: 128, temperature: 0.2 });

/**
 * Every request and every reply carries a ticket number of its own (4,096 variants, more than any cache of
 * the guard holds), so no row is measured on a text the server has seen just before: each request is tagged,
 * inspected and restored in full, as a new question would be.
 */
const VARIANTS = 4096;
const ticket = (i: number): string => `（工单${1000 + (i % VARIANTS)}）`;
const chatBodies = (model: string, content: string): string[] => Array.from({ length: VARIANTS }, (_, i) => chatBody(model, content + ticket(i)));

// ---------------------------------------------------------------- child roles

function runUpstream(): void {
  const plain = Array.from({ length: VARIANTS }, (_, i) => completion(PLAIN_REPLY + ticket(i)));
  const pii = Array.from({ length: VARIANTS }, (_, i) => completion(PII_REPLY + ticket(i)));
  let served = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { body += c; });
    req.on('end', () => {
      const payload = (body.includes('pii-echo') ? pii : plain)[served++ % VARIANTS];
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': payload.length });
      res.end(payload);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
}

async function runYumen(upstreamPort: number): Promise<void> {
  const { startTestYumen } = await import('../test/helpers/yumen.ts');
  const base = `http://127.0.0.1:${upstreamPort}/v1`;
  const yumen = await startTestYumen({
    models: [
      { name: 'bench-external', provider: 'openai-compatible', base_url: base, model: UPSTREAM_MODEL, zone: 'external' },
      { name: 'bench-external-pii', provider: 'openai-compatible', base_url: base, model: 'pii-echo', zone: 'external' },
    ] as never,
    policy: { tenants: { [KEYWORD_DEPT]: { output: { keywords: keywordLibrary() } } } },
  });
  const key = await yumen.key('bench-dept');
  const keywordKey = await yumen.key(KEYWORD_DEPT);
  process.on('message', (m) => { if (m === 'stop') void yumen.stop().then(() => process.exit(0)); });
  process.send!({ url: yumen.url, key, keywordKey });
}

// ---------------------------------------------------------------- driver helpers

function forkRole(role: string, args: string[], extraExecArgv: string[] = [], script = SELF): Promise<{ child: ChildProcess; msg: any }> {
  const child = fork(script, [role, ...args], { execArgv: [...extraExecArgv, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (msg) => resolve({ child, msg }));
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function startPortkey(): Promise<{ child: ChildProcess; url: string }> {
  const pkg = createRequire(import.meta.url).resolve('@portkey-ai/gateway/package.json');
  const port = await freePort();
  const child = spawn(process.execPath, [join(dirname(pkg), 'build/start-server.js'), `--port=${port}`, '--headless'], {
    stdio: 'ignore', env: { ...process.env, NODE_ENV: 'production' },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return { child, url };
    } catch { /* not up yet */ }
  }
  throw new Error('Portkey did not start');
}

interface Target { name: string; url: string; headers: Record<string, string>; bodies: string[]; pid: number }

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14 and 15)
}

/** One request with a fresh keep-alive agent: status, headers, body (for sanity checks). */
function once(t: Target, agent?: Agent, i = 0): Promise<{ status: number; headers: IncomingHttpHeaders; body: string; ms: number }> {
  const sent = t.bodies[i % t.bodies.length];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = httpRequest(t.url, { method: 'POST', agent, headers: { ...t.headers, 'content-length': Buffer.byteLength(sent) } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    });
    req.on('error', reject);
    req.end(sent);
  });
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function serial(t: Target): Promise<{ p50: number; p99: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < 300; i++) await once(t, agent, i);
  const times: number[] = [];
  for (let i = 0; i < C1_REQUESTS; i++) times.push((await once(t, agent, 300 + i)).ms);
  agent.destroy();
  times.sort((a, b) => a - b);
  return { p50: pct(times, 50), p99: pct(times, 99) };
}

async function load(t: Target, seconds: number): Promise<autocannon.Result> {
  let n = 0;
  return autocannon({
    url: t.url, method: 'POST', headers: t.headers, connections: 32, duration: seconds,
    // setupRequest is autocannon's documented per-request hook; its type definitions lack it.
    requests: [{ setupRequest: (req: object) => ({ ...req, body: t.bodies[n++ % t.bodies.length] }) }],
  } as autocannon.Options);
}

interface Run { rps: number; p50: number; p99: number; errors: number; cpuUsPerReq: number }
interface Row { name: string; runs: Run[]; c1p50: number; c1p99: number }

async function loadRun(t: Target): Promise<Run> {
  await load(t, WARMUP);
  const cpu0 = cpuMs(t.pid);
  const r = await load(t, DURATION);
  const cpu = cpuMs(t.pid) - cpu0;
  return { rps: r.requests.total / DURATION, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx, cpuUsPerReq: (cpu * 1000) / Math.max(1, r.requests.total) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',');
  const want = (n: string): boolean => !only || only.includes(n);
  const children: ChildProcess[] = [];
  try {
    const up = await forkRole('upstream', []);
    children.push(up.child);
    const upstream = `http://127.0.0.1:${up.msg.port}`;
    const profArgs = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, '.tmp/prof')}`] : [];
    const json = { 'content-type': 'application/json' };
    const targets: Target[] = [];
    targets.push({ name: 'direct', url: `${upstream}/v1/chat/completions`, headers: json, bodies: chatBodies(UPSTREAM_MODEL, PUBLIC_PROMPT), pid: up.child.pid! });
    let yumenChild: ChildProcess | undefined;
    if (want('yumen') || want('yumen-pii') || want('yumen-pii-10k')) {
      const y = await forkRole('yumen', [String(up.msg.port)], profArgs);
      yumenChild = y.child;
      children.push(y.child);
      const headers = { ...json, authorization: `Bearer ${y.msg.key}` };
      const url = `${y.msg.url}/v1/chat/completions`;
      const plain: Target = { name: 'yumen', url, headers, bodies: chatBodies('bench-external', PUBLIC_PROMPT), pid: y.child.pid! };
      const pii: Target = { name: 'yumen-pii', url, headers, bodies: chatBodies('bench-external-pii', PII_PROMPT), pid: y.child.pid! };
      const a = await once(plain);
      if (a.status !== 200 || a.headers['x-yumen-redactions'] !== '0') throw new Error(`yumen sanity check failed: ${a.status} ${a.body}`);
      const b = await once(pii);
      const redactions = Number(b.headers['x-yumen-redactions']);
      const restored = JSON.parse(b.body).choices?.[0]?.message?.content ?? '';
      if (b.status !== 200 || !(redactions > 0) || !restored.includes('张伟')) throw new Error(`yumen-pii sanity check failed: ${b.status} redactions=${redactions} ${b.body}`);
      console.log(`yumen-pii: x-yumen-redactions=${redactions}, route=${b.headers['x-yumen-route']}, level=${b.headers['x-yumen-level']}, restored reply: ${restored}`);
      // The department's guards (with the 10,000-term library) are built on its first request: time it.
      const pii10k: Target = { ...pii, name: 'yumen-pii-10k', headers: { ...json, authorization: `Bearer ${y.msg.keywordKey}` } };
      const first = await once(pii10k);
      const second = await once(pii10k);
      const reply = (body: string): string => (JSON.parse(body).choices?.[0]?.message?.content ?? '').replace(/（工单\d+）$/, '');
      if (first.status !== 200 || reply(first.body) !== reply(b.body)) throw new Error(`yumen-pii-10k sanity check failed: ${first.status} ${first.body}`);
      console.log(`yumen-pii-10k: first request (builds the ${KEYWORD_COUNT}-term output guard) ${first.ms.toFixed(1)} ms, second ${second.ms.toFixed(1)} ms`);
      if (want('yumen')) targets.push(plain);
      if (want('yumen-pii')) targets.push(pii);
      if (want('yumen-pii-10k')) targets.push(pii10k);
    }
    const baseline = process.env.BENCH_BASELINE;
    if (baseline) {
      const b = await forkRole('yumen', [String(up.msg.port)], [], join(baseline, 'bench/gateway.ts'));
      children.push(b.child);
      const headers = { ...json, authorization: `Bearer ${b.msg.key}` };
      const url = `${b.msg.url}/v1/chat/completions`;
      if (want('yumen')) targets.push({ name: 'base-yumen', url, headers, bodies: chatBodies('bench-external', PUBLIC_PROMPT), pid: b.child.pid! });
      if (want('yumen-pii')) targets.push({ name: 'base-yumen-pii', url, headers, bodies: chatBodies('bench-external-pii', PII_PROMPT), pid: b.child.pid! });
    }
    if (want('portkey')) {
      const pk = await startPortkey();
      children.push(pk.child);
      const t: Target = {
        name: 'portkey', url: `${pk.url}/v1/chat/completions`, bodies: chatBodies(UPSTREAM_MODEL, PUBLIC_PROMPT), pid: pk.child.pid!,
        headers: { ...json, authorization: 'Bearer sk-bench', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream}/v1` },
      };
      const c = await once(t);
      if (c.status !== 200 || !c.body.includes('chat.completion')) throw new Error(`portkey sanity check failed: ${c.status} ${c.body}`);
      targets.push(t);
    }

    const rows: Row[] = targets.map((t) => ({ name: t.name, runs: [], c1p50: 0, c1p99: 0 }));
    console.log(`load average before: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [i, t] of targets.entries()) {
        process.stderr.write(`round ${round}/${ROUNDS}: ${t.name}…\n`);
        rows[i].runs.push(await loadRun(t));
      }
    }
    for (const [i, t] of targets.entries()) {
      process.stderr.write(`concurrency 1: ${t.name}…\n`);
      const c1 = await serial(t);
      rows[i].c1p50 = c1.p50;
      rows[i].c1p99 = c1.p99;
    }
    console.log(`load average after: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    print(rows);
    if (yumenChild) {
      yumenChild.send('stop');
      await new Promise((r) => yumenChild!.once('exit', r));
    }
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
  }
}

function print(rows: Row[]): void {
  const m = (r: Row, k: keyof Run): number => median(r.runs.map((x) => x[k]));
  const direct = rows.find((r) => r.name === 'direct');
  const portkey = rows.find((r) => r.name === 'portkey');
  const f = (n: number, d = 2): string => n.toFixed(d);
  console.log(`\nnode ${process.version}; autocannon 32 connections × ${DURATION} s after ${WARMUP} s warm-up, ${ROUNDS} interleaved rounds (median; all rounds in brackets); concurrency 1: ${C1_REQUESTS} sequential keep-alive requests\n`);
  console.log('| target | req/s (c=32) | × Portkey | p50 / p99 ms (c=32) | server CPU µs/req | p50 / p99 ms (c=1) | added p50 / p99 ms (c=1) | errors |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const added = direct && r !== direct ? `${f(r.c1p50 - direct.c1p50)} / ${f(r.c1p99 - direct.c1p99)}` : '—';
    const x = portkey && r !== portkey && r !== direct ? `${f(m(r, 'rps') / m(portkey, 'rps'), 1)}×` : '—';
    const all = r.runs.map((x) => Math.round(x.rps)).join(', ');
    const errors = r.runs.reduce((a, x) => a + x.errors, 0);
    console.log(`| ${r.name} | ${Math.round(m(r, 'rps'))} (${all}) | ${x} | ${m(r, 'p50')} / ${m(r, 'p99')} | ${Math.round(m(r, 'cpuUsPerReq'))} | ${f(r.c1p50, 3)} / ${f(r.c1p99, 3)} | ${added} | ${errors} |`);
  }
}

const role = process.argv[2];
if (role === 'upstream') runUpstream();
else if (role === 'yumen') void runYumen(Number(process.argv[3]));
else await main();
