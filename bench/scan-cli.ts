/**
 * `yumen scan --format jsonl` end to end, the way a user runs it over a file: PII-dense Chinese records
 * (the generated corpus) in a JSONL file, the real CLI in its own process, output to /dev/null. Reports
 * MB/s of the records' text (UTF-8 bytes) by wall time and by the child's CPU time (user + system, from
 * /usr/bin/time when present), with and without the start-up of the process (tsx, module loading, the
 * model: measured on a one-record file), beside guard.scan alone on the same records; in-process (`--jobs 1`)
 * and on one worker thread per core (`--jobs N`), side by side in each round.
 * Run: npm run bench:scan-cli [-- --mb N] [--rounds N]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createGuard } from '../src/guard/index.ts';
import { generateCorpus } from './guard-corpus.ts';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '8' }, rounds: { type: 'string', default: '3' } } });
const target = Number(values.mb) * 1e6;
const records: string[] = [];
let bytes = 0;
for (let seed = 1; bytes < target; seed++) {
  for (const d of generateCorpus(900, seed)) {
    records.push(d.text);
    bytes += Buffer.byteLength(d.text);
  }
}
const dir = mkdtempSync(join(tmpdir(), 'yumen-scan-bench-'));
const file = join(dir, 'records.jsonl');
writeFileSync(file, records.map((t, i) => JSON.stringify({ id: i, text: t })).join('\n') + '\n');
const one = join(dir, 'one.jsonl');
writeFileSync(one, `${JSON.stringify({ id: 0, text: records[0] })}\n`);
const main = join(import.meta.dirname, '../bin/yumen.js');
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function run(path: string, jobs: number): { wall: number; cpu: number | null } {
  const cmd = [process.execPath, main, 'scan', path, '--format', 'jsonl', '--jobs', String(jobs)];
  const argv = timeBin ? [timeBin, '-f', '%U %S', ...cmd] : cmd;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'], encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`scan failed: ${r.stderr}`);
  let cpu: number | null = null;
  if (timeBin) {
    const [u, s] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    cpu = u + s;
  }
  return { wall, cpu };
}

const cpuNow = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const guard = createGuard({ scanCacheEntries: 0 }); // the warm-up records would be cache hits below
for (const t of records.slice(0, 300)) guard.scan(t);
const c0 = cpuNow();
for (const t of records) guard.scan(t);
const guardCpu = cpuNow() - c0;

console.log(`records: ${records.length}, ${(bytes / 1e6).toFixed(2)} MB of text (UTF-8), node ${process.version}`);
console.log(`guard.scan alone, in process: ${(bytes / 1e6 / guardCpu).toFixed(1)} MB/s CPU`);
const rounds = Number(values.rounds);
const cores = availableParallelism();
for (let r = 0; r < rounds; r++) {
  for (const jobs of cores > 1 ? [1, cores] : [1]) {
    const start = run(one, jobs);
    const all = run(file, jobs);
    const mb = bytes / 1e6;
    const fmt = (x: number | null): string => (x === null ? '–' : (mb / x).toFixed(1));
    console.log(`yumen scan --format jsonl --jobs ${jobs}: wall ${all.wall.toFixed(2)} s, CPU ${all.cpu?.toFixed(2) ?? '–'} s (start-up alone: wall ${start.wall.toFixed(2)} s, CPU ${start.cpu?.toFixed(2) ?? '–'} s)` +
      ` → ${fmt(all.wall)} MB/s wall, ${fmt(all.cpu)} MB/s CPU; without start-up ${fmt(all.wall - start.wall)} MB/s wall, ${fmt(all.cpu === null ? null : all.cpu - start.cpu!)} MB/s CPU`);
  }
}
rmSync(dir, { recursive: true, force: true });
