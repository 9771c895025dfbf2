import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { auditLogFromConfig, auditSettings, validateAuditConfig } from '../../audit/index.ts';
import { ConfigError } from '../../config/index.ts';
import { openStore } from '../../store/index.ts';
import { fail, loadValidatedConfig, withConfigOption } from '../config-option.ts';

/** Exit codes of `yumen audit verify`: a stable interface for scripts and monitoring. */
export const VERIFY_EXIT = { intact: 0, broken: 1, error: 2 } as const;

function loadAuditConfig(file?: string) {
  const config = loadValidatedConfig(file);
  const problems = validateAuditConfig(config);
  if (problems.length) throw new ConfigError(problems, config.source);
  return config;
}

function parseTime(v: string, name: string): number {
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw new Error(`${name}: expected a date (2026-11-01, 2026-11-01T08:00:00+08:00) or epoch ms, got ${v}`);
  return t;
}

export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit trail / 审计日志（SM3 哈希链）');

  withConfigOption(audit.command('verify'))
    .description('check the SM3 hash chain; exit 0 when intact, 1 naming the first broken record, 2 when it cannot be checked')
    .option('--anchors <file>', 'also check against this anchor file (default: audit.anchor.file when it exists)')
    .option('--no-anchors', 'do not check the anchor file')
    .action(async (opts: { config?: string; anchors?: string | false }) => {
      try {
        const config = loadAuditConfig(opts.config);
        const anchorFile = opts.anchors === false ? null : (opts.anchors ?? auditSettings(config).anchorFile);
        const store = await openStore(config.storage.url);
        try {
          const result = await auditLogFromConfig(store.db, config).verify({ anchorFile });
          if (result.ok) {
            const range = result.firstSeq === null ? 'no records' : `records ${result.firstSeq}–${result.lastSeq}`;
            process.stdout.write(`audit chain intact: ${result.records} records (${range}${result.anchoredFrom ? `, resumed after prune anchor at seq ${result.anchoredFrom}` : ''}; ${result.externalAnchorsChecked} external anchors matched) / 审计链完整\n`);
            process.exitCode = VERIFY_EXIT.intact;
          } else {
            process.stdout.write(`audit chain BROKEN at record seq ${result.seq}: ${result.reason} / 审计链在第 ${result.seq} 条记录处断裂\n`);
            process.exitCode = VERIFY_EXIT.broken;
          }
        } finally {
          await store.close();
        }
      } catch (err) {
        fail(err, VERIFY_EXIT.error);
      }
    });

  withConfigOption(audit.command('export'))
    .description('export records with from ≤ time < to as JSON lines or CSV (never prompt text)')
    .requiredOption('--from <date>', 'start (inclusive): ISO date/time or epoch ms')
    .requiredOption('--to <date>', 'end (exclusive): ISO date/time or epoch ms')
    .option('--format <format>', 'jsonl or csv', 'jsonl')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .action(async (opts: { config?: string; from: string; to: string; format: string; out?: string }) => {
      try {
        if (opts.format !== 'jsonl' && opts.format !== 'csv') throw new Error(`--format: expected jsonl or csv, got ${opts.format}`);
        const from = parseTime(opts.from, '--from');
        const to = parseTime(opts.to, '--to');
        const config = loadAuditConfig(opts.config);
        const store = await openStore(config.storage.url);
        const out = opts.out ? createWriteStream(opts.out) : process.stdout;
        try {
          let n = 0;
          for await (const line of auditLogFromConfig(store.db, config).export({ from, to, format: opts.format })) {
            if (!out.write(line)) await once(out, 'drain');
            n++;
          }
          if (opts.out) {
            await new Promise<void>((resolve, reject) => (out as ReturnType<typeof createWriteStream>).end((err?: Error | null) => (err ? reject(err) : resolve())));
            process.stderr.write(`yumen: exported ${opts.format === 'csv' ? n - 1 : n} records to ${opts.out}\n`);
          }
        } finally {
          await store.close();
        }
      } catch (err) {
        fail(err);
      }
    });

  withConfigOption(audit.command('prune'))
    .description('delete records older than audit.retention_days (default 180), keeping the rest verifiable')
    .option('--days <n>', 'keep this many days instead of audit.retention_days', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--days: expected an integer ≥ 1, got ${v}`);
      return n;
    })
    .action(async (opts: { config?: string; days?: number }) => {
      try {
        const config = loadAuditConfig(opts.config);
        const days = opts.days ?? auditSettings(config).retentionDays;
        const store = await openStore(config.storage.url);
        try {
          const log = auditLogFromConfig(store.db, config);
          const r = await log.prune({ before: Date.now() - days * 86_400_000 });
          process.stdout.write(r.deleted ? `pruned ${r.deleted} records older than ${days} days; the chain now starts after the anchor at seq ${r.anchoredSeq}\n` : `nothing older than ${days} days\n`);
        } finally {
          await store.close();
        }
      } catch (err) {
        fail(err);
      }
    });

  withConfigOption(audit.command('anchor'))
    .description('write the current chain head to the anchor file / syslog now')
    .action(async (opts: { config?: string }) => {
      try {
        const config = loadAuditConfig(opts.config);
        const store = await openStore(config.storage.url);
        try {
          const a = await auditLogFromConfig(store.db, config).anchor();
          process.stdout.write(a ? `${JSON.stringify(a)}\n` : 'the audit chain is empty\n');
        } finally {
          await store.close();
        }
      } catch (err) {
        fail(err);
      }
    });
}
