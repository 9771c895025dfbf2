/**
 * npm run bench:audit — cost of one SM3-chained audit record, as the gateway pays it (`await audit.record()`).
 *
 * For each dialect (a temporary SQLite file; a fresh PostgreSQL database when one is reachable), each append
 * path (`kysely`: a Kysely transaction of six statements per group commit, the path before 2026-11-29;
 * `fast`: cached better-sqlite3 statements in one synchronous transaction on SQLite, one conditional
 * statement on PostgreSQL) and each concurrency (outstanding record() calls), it appends RECORDS records
 * after a warm-up through `createAuditLog` and prints wall µs/record, this process's CPU µs/record
 * (user + system; on PostgreSQL the server's own CPU is not included) and records per group commit.
 * The chain is verified after every run.
 *
 * Options (env): BENCH_RECORDS (default 4000 at concurrency 1, 5× that above), BENCH_CONCURRENCY (default "1,64"),
 * BENCH_DIALECTS (default "sqlite,postgres"), BENCH_PATHS (default "kysely,fast"; one alone prints no table, for profiling).
 */
import { createAuditLog, type AuditEvent } from '../src/audit/index.ts';
import { openStore } from '../src/store/index.ts';
import { createTestDatabase, postgresAvailable } from '../test/helpers/db.ts';

const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,64').split(',').map(Number);
const DIALECTS = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'>;
const PATHS = ['kysely', 'fast'] as const;
const ONLY = process.env.BENCH_PATHS?.split(',');

function event(i: number): AuditEvent {
  return {
    requestId: `req-${i}-${Math.random().toString(36).slice(2, 10)}`, time: Date.now(), actor: 'key:0b6f4c2e', tenantId: 'dept-finance',
    action: 'chat', model: 'qwen2.5-7b', zone: 'private', level: 'sensitive', findings: { cn_mobile: 2, cn_id_card: 1 },
    decision: 'allow', status: 200, errorCode: null, promptTokens: 312, completionTokens: 128, latencyMs: 840,
  };
}

interface Result { wallUs: number; cpuUs: number; perCommit: number; records: number }

async function run(dialect: 'sqlite' | 'postgres', path: (typeof PATHS)[number], concurrency: number): Promise<Result> {
  const tdb = await createTestDatabase(dialect);
  const store = await openStore(tdb.url);
  let commits = 0;
  let committed = 0;
  const log = createAuditLog(store.db, { fastAppend: path === 'fast', onCommit: (n) => { commits++; committed += n; } });
  const records = Number(process.env.BENCH_RECORDS ?? 4000) * (concurrency > 1 ? 5 : 1);
  try {
    let next = 0;
    const drive = async (n: number) => {
      const end = next + n;
      const worker = async () => {
        while (next < end) await log.record(event(next++));
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    };
    await drive(Math.min(1000, records / 4));
    commits = 0;
    committed = 0;
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await drive(records);
    const wallUs = Number(process.hrtime.bigint() - t0) / 1e3;
    const cpu = process.cpuUsage(cpu0);
    const v = await log.verify();
    if (!v.ok) throw new Error(`chain does not verify: ${JSON.stringify(v)}`);
    return { wallUs: wallUs / records, cpuUs: (cpu.user + cpu.system) / records, perCommit: committed / commits, records };
  } finally {
    await log.close();
    await store.close();
    await tdb.drop();
  }
}

const rows: string[] = [];
for (const dialect of DIALECTS) {
  if (dialect === 'postgres' && !(await postgresAvailable())) {
    console.error('PostgreSQL not reachable (YUMEN_TEST_PG_URL): skipped');
    continue;
  }
  for (const concurrency of CONCURRENCY) {
    const r: Partial<Record<(typeof PATHS)[number], Result>> = {};
    for (const path of PATHS) {
      if (ONLY && !ONLY.includes(path)) continue;
      r[path] = await run(dialect, path, concurrency);
      process.stderr.write(`${dialect} c=${concurrency} ${path}: ${r[path]!.wallUs.toFixed(1)} µs wall, ${r[path]!.cpuUs.toFixed(1)} µs CPU per record\n`);
    }
    const k = r.kysely;
    const f = r.fast;
    if (!k || !f) continue;
    rows.push(`| ${dialect} | ${concurrency} | ${f.records} | ${k.wallUs.toFixed(1)} / ${k.cpuUs.toFixed(1)} | ${k.perCommit.toFixed(1)} | ${f.wallUs.toFixed(1)} / ${f.cpuUs.toFixed(1)} | ${f.perCommit.toFixed(1)} | ${(k.cpuUs / f.cpuUs).toFixed(1)}× / ${(k.wallUs / f.wallUs).toFixed(1)}× |`);
  }
}
console.log('| dialect | concurrency | records | kysely µs/record wall / CPU | kysely records/commit | fast µs/record wall / CPU | fast records/commit | CPU / wall speed-up |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
