/**
 * Guard speed: MB/s (UTF-8 bytes) of PII-dense Chinese text through guard.scan, one thread, all detectors
 * on, including a 20,000-term tenant dictionary. Reports request-sized (~4 KB) and whole-document runs, and how
 * the scan grows with hostile shapes (one piece repeated).
 * Run: npm run bench:guard-speed [-- --mb N]
 */
import { createGuard, type Guard } from '../src/guard/index.ts';
import { inspectBody } from '../src/gateway/inspect.ts';
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
// The throughput runs scan the same chunks round after round: the scan cache is off there, or from the second
// round on nothing would run at all.
const guardPlain = createGuard({ scanCacheEntries: 0 });
const guardDict = createGuard({ customTerms: dictionary(20000), scanCacheEntries: 0 });
const findings = chunks.reduce((n, c) => n + guardDict.scan(c).findings.length, 0);
console.log(`corpus: ${(bytes / 1e6).toFixed(2)} MB UTF-8, ${chars} chars, ${findings} findings (${(findings / (bytes / 1024)).toFixed(1)} per KB), ${chunks.length} chunks of ~4 KB`);
console.log(`node ${process.version}, single thread`);
run('all detectors, ~4 KB requests', (t) => guardPlain.scan(t), chunks, bytes);
const guardRules = createGuard({ tagger: false, scanCacheEntries: 0 });
run('rules only (tagger off), ~4 KB requests', (t) => guardRules.scan(t), chunks, bytes);
run('all detectors + 20k-term dictionary, ~4 KB', (t) => guardDict.scan(t), chunks, bytes);
const whole = [chunks.slice(0, 64).join('')];
run('all detectors + dictionary, 256 KB document', (t) => guardDict.scan(t), whole, Buffer.byteLength(whole[0]));

// Chat path: the prompts of bench/gateway.ts (copied: that script starts servers when imported), one scan at a
// time, µs of CPU per scan (median of 15 rounds of 2,000 scans): rules alone, the tagger on a text it has not
// seen (scan cache off: every scan runs), and on a text seen before (the cache: the earlier turns a chat
// client resends with every request, the gateway bench's repeated prompt).
const PUBLIC_PROMPT = '请用三句话介绍玉门关的历史沿革，以及它在丝绸之路上的地位。请注意语言简洁，适合放在旅游宣传册上。';
const PII_PROMPT = '请帮我给客户张伟写一封回信。他的身份证号是11010519491231002X，手机号13812345678，'
  + '邮箱zhang.wei@example.com，住址北京市朝阳区建国路88号3单元502室，工资卡号6222020200112233446。'
  + '告诉他补贴已经到账，请他用手机号13812345678登录核对。';
const PII_REPLY = '〔姓名_1〕您好：您的补贴已经发放到尾号为〔银行卡号_1〕的账户，请使用〔手机号_1〕登录核对。如有疑问请发邮件至〔邮箱_1〕。';
const guardCold = guardPlain;
const guardCached = createGuard();
function perScan(g: { scan(t: string): unknown }, text: string): number {
  const times: number[] = [];
  for (let r = 0; r < 15; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < 2000; i++) g.scan(text);
    const c = process.cpuUsage(c0);
    times.push((c.user + c.system) / 2000);
  }
  times.sort((a, b) => a - b);
  return times[7];
}
for (const [label, text] of [['PII prompt', PII_PROMPT], ['public prompt', PUBLIC_PROMPT], ['PII reply', PII_REPLY]] as const) {
  const [rules, cold, warm] = [guardRules, guardCold, guardCached].map((g) => perScan(g, text));
  console.log(`${label} (${text.length} chars): rules only ${rules.toFixed(1)} µs, rules + tagger ${cold.toFixed(1)} µs (text not seen before), ${warm.toFixed(1)} µs (seen before: scan cache)`);
}

// Chat path: latency per ordinary message (WebQA evidence passages, ~100–600 characters) with and
// without the tagger, when ../shared/datasets is present.
const dataDir = datasetsDir();
if (dataDir !== null) {
  const messages = ordinaryPassages(dataDir).slice(0, 3024).map((p) => p.text);
  const chars = messages.reduce((n, m) => n + m.length, 0);
  for (const [label, g] of [['rules only', guardRules], ['rules + tagger', guardCold]] as const) {
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

// Chat path: a conversation that grows turn by turn (a system prompt, then alternating user and assistant
// messages of ordinary text), inspected whole at every turn as the gateway does — every message, and the joined
// text around each junction between messages. CPU µs per inspection at turns 1, 5, 10 and 20 (mean over 40
// conversations), with the guard's scan cache and without it, side by side.
if (dataDir !== null) {
  const passages = ordinaryPassages(dataDir).map((p) => p.text).filter((t) => t.length < 400);
  const TURNS = 20;
  const CONVERSATIONS = 40;
  const SYSTEM = '你是某市政务服务中心的智能助手，请用简洁、准确的中文回答市民的问题。';
  const perTurn = (g: Guard, offset: number) => {
    const cpu = new Array<number>(TURNS + 1).fill(0);
    for (let c = 0; c < CONVERSATIONS; c++) {
      const messages = [{ role: 'system', content: SYSTEM }];
      for (let t = 1; t <= TURNS; t++) {
        messages.push({ role: t % 2 ? 'user' : 'assistant', content: passages[(offset + c * TURNS + t) % passages.length] });
        const c0 = process.cpuUsage();
        inspectBody(g, { model: 'm', messages: [...messages] });
        const d = process.cpuUsage(c0);
        cpu[t] += (d.user + d.system) / CONVERSATIONS;
      }
    }
    return [1, 5, 10, 20].map((t) => `${t}: ${cpu[t].toFixed(0)}`).join(', ');
  };
  const cached = createGuard();
  const uncached = createGuard({ scanCacheEntries: 0 });
  perTurn(cached, 50_000);
  perTurn(uncached, 50_000);
  console.log(`conversation, CPU µs per inspection by turn — scan cache on: ${perTurn(cached, 0)}; off: ${perTurn(uncached, 0)}`);
}

// Hostile shapes: one piece repeated over 100,000 and 400,000 characters (lists of names, one name said again and
// again, addresses, classified marks, key headers without a footer, passports …). A scan should grow with the text,
// 4× here; a step that compares every finding with every other would grow 16× and stall a request for seconds.
const HOSTILE: Array<[string, string]> = [
  ['names in a list', '张伟、'], ['one transliteration said', '克林顿说，'], ['labelled names', '姓名：张伟\n'],
  ['names with titles', '张伟先生，'], ['addresses', '北京市朝阳区建国路88号，'], ['classified marks', '机密★'],
  ['key headers, no footer', '-----BEGIN PRIVATE KEY-----\n'], ['passports', '护照号E12345678，'], ['surnames', '张'],
  ['a table', '|张伟|13812345678|\n'],
  // One run of capitals (a base64 blob of a compressed run looks so): an unanchored search for two capitalised words
  // once backtracked over the whole run from each of its letters (80,000 capitals took 4.2 s).
  ['capitals', 'A'], ['base64', 'QUJD'], ['hex', 'e5bca0'],
  // Emphasis pairs, padded names, and hex made of digits (each read through since the session of 2026-12-07, afternoon).
  ['emphasis', '张**三丰**，'], ['padded names', '张　伟、李建国、'], ['digit hex', '3133383030313338303030 '],
];
const hostileGuard = createGuard({ scanCacheEntries: 0 });
const hostileRows: string[] = [];
for (const [label, piece] of HOSTILE) {
  const ms = [100_000, 400_000].map((n) => {
    const text = piece.repeat(Math.ceil(n / piece.length));
    const c0 = process.cpuUsage();
    hostileGuard.scan(text);
    const d = process.cpuUsage(c0);
    return (d.user + d.system) / 1000;
  });
  hostileRows.push(`${label} ${ms[0].toFixed(0)} → ${ms[1].toFixed(0)} ms (×${(ms[1] / ms[0]).toFixed(1)})`);
}
console.log(`hostile shapes, CPU ms at 100k → 400k characters: ${hostileRows.join('; ')}`);
