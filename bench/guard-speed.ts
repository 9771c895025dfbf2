/**
 * Guard speed: MB/s (UTF-8 bytes) of PII-dense Chinese text through guard.scan, one thread, all detectors
 * on, including a 20,000-term tenant dictionary. Reports request-sized (~4 KB) and whole-document runs.
 * Run: npm run bench:guard-speed [-- --mb N]
 */
import { createGuard } from '../src/guard/index.ts';
import { generateCorpus, TENANT_TERMS } from './guard-corpus.ts';
import { Gen, mulberry32 } from './guard-values.ts';
import { datasetsDir } from './ner-data.ts';
import { ordinaryPassages } from './ordinary-text.ts';

function dictionary(n: number): string[] {
  const g = new Gen(mulberry32(7));
  const syll = '天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏闰余成岁律吕调阳云腾致雨露结为霜金生丽水玉出昆冈';
  const terms = new Set<string>(TENANT_TERMS);
  while (terms.size < n) {
    const len = g.int(3, 6);
    let t = '';
    for (let i = 0; i < len; i++) t += syll[g.int(0, syll.length - 1)];
    terms.add(g.chance(0.2) ? `${t}${g.pick(['系统', '平台', '项目', '工程'])}` : t);
  }
  return [...terms];
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * Throughput by CPU time of this process (user + system) as well as wall time: on a shared 2-core machine
 * the wall clock also counts time the scheduler gave to other processes.
 */
function run(label: string, scan: (t: string) => unknown, chunks: string[], bytes: number, seconds = 3): number {
  for (let i = 0; i < Math.min(chunks.length, 200); i++) scan(chunks[i]); // warm-up
  let total = 0;
  let rounds = 0;
  const w0 = process.hrtime.bigint();
  const c0 = cpuSeconds();
  let cpu = 0;
  while (cpu < seconds) {
    for (const c of chunks) scan(c);
    total += bytes;
    rounds++;
    cpu = cpuSeconds() - c0;
  }
  const wall = Number(process.hrtime.bigint() - w0) / 1e9;
  const mbs = total / 1e6 / cpu;
  console.log(`${label.padEnd(44)} ${mbs.toFixed(1).padStart(7)} MB/s CPU  ${(total / 1e6 / wall).toFixed(1).padStart(7)} MB/s wall  (${rounds} rounds, ${(total / 1e6).toFixed(1)} MB)`);
  return mbs;
}

const args = process.argv.slice(2);
const targetMb = Number(args[args.indexOf('--mb') + 1]) || 4;
const docs: string[] = [];
let size = 0;
let seed = 1;
while (size < targetMb * 1e6) {
  for (const d of generateCorpus(900, seed++)) {
    docs.push(d.text);
    size += Buffer.byteLength(d.text);
  }
}
// Request-sized chunks of ~4 KB of concatenated documents.
const chunks: string[] = [];
let cur = '';
for (const d of docs) {
  cur += d;
  if (Buffer.byteLength(cur) >= 4096) { chunks.push(cur); cur = ''; }
}
if (cur) chunks.push(cur);
const bytes = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
const chars = chunks.reduce((n, c) => n + c.length, 0);
const guardPlain = createGuard();
const guardDict = createGuard({ customTerms: dictionary(20000) });
const findings = chunks.reduce((n, c) => n + guardDict.scan(c).findings.length, 0);
console.log(`corpus: ${(bytes / 1e6).toFixed(2)} MB UTF-8, ${chars} chars, ${findings} findings (${(findings / (bytes / 1024)).toFixed(1)} per KB), ${chunks.length} chunks of ~4 KB`);
console.log(`node ${process.version}, single thread`);
run('all detectors, ~4 KB requests', (t) => guardPlain.scan(t), chunks, bytes);
const guardRules = createGuard({ tagger: false });
run('rules only (tagger off), ~4 KB requests', (t) => guardRules.scan(t), chunks, bytes);
run('all detectors + 20k-term dictionary, ~4 KB', (t) => guardDict.scan(t), chunks, bytes);
const whole = [chunks.slice(0, 64).join('')];
run('all detectors + dictionary, 256 KB document', (t) => guardDict.scan(t), whole, Buffer.byteLength(whole[0]));

// Chat path: latency per ordinary message (WebQA evidence passages, ~100–600 characters) with and
// without the tagger, when ../shared/datasets is present.
const dataDir = datasetsDir();
if (dataDir !== null) {
  const messages = ordinaryPassages(dataDir).slice(0, 3024).map((p) => p.text);
  const chars = messages.reduce((n, m) => n + m.length, 0);
  for (const [label, g] of [['rules only', guardRules], ['rules + tagger', guardPlain]] as const) {
    for (const m of messages.slice(0, 300)) g.scan(m);
    const times: number[] = [];
    for (const m of messages) {
      const t0 = process.hrtime.bigint();
      g.scan(m);
      times.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    times.sort((a, b) => a - b);
    console.log(`ordinary messages (${messages.length}, mean ${Math.round(chars / messages.length)} chars), ${label}: p50 ${times[times.length >> 1].toFixed(0)} µs, p99 ${times[Math.floor(times.length * 0.99)].toFixed(0)} µs`);
  }
}
