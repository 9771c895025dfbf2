import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { auditLogFromConfig, auditSettings, publicKeyFileOf } from '../../audit/index.ts';
import { runWithStore, withConfigOption } from '../config-option.ts';

/** Exit codes of `yumen audit verify`: a stable interface for scripts and monitoring. */
export const VERIFY_EXIT = { intact: 0, broken: 1, error: 2 } as const;

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
    .option('--public-key <file>', 'SM2 public key (PEM) that must have signed every anchor of this chain (default: the installation\'s, beside audit.anchor.key_file, when it exists)')
    .action(async (opts: { config?: string; anchors?: string | false; publicKey?: string }) => {
      await runWithStore(opts.config, async (store, config) => {
        const settings = auditSettings(config);
        const anchorFile = opts.anchors === false ? null : (opts.anchors ?? settings.anchorFile);
        const localKey = settings.anchorKeyFile ? publicKeyFileOf(settings.anchorKeyFile) : null;
        const keyFile = opts.publicKey ?? (localKey && existsSync(localKey) ? localKey : null);
        const publicKeyPem = keyFile && anchorFile ? readFileSync(keyFile, 'utf8') : null;
        const result = await auditLogFromConfig(store.db, config).verify({ anchorFile, publicKeyPem });
        if (result.ok) {
          const range = result.firstSeq === null ? 'no records' : `records ${result.firstSeq}–${result.lastSeq}`;
          const ignored = result.anchorsIgnored ? `; ${result.anchorsIgnored} anchors of another chain ignored` : '';
          process.stdout.write(`audit chain intact: ${result.records} records (${range}${result.anchoredFrom ? `, resumed after prune anchor at seq ${result.anchoredFrom}` : ''}; ${result.externalAnchorsChecked} external anchors matched${publicKeyPem ? ', SM2 signatures valid' : ''}${ignored}) / 审计链完整\n`);
          process.exitCode = VERIFY_EXIT.intact;
        } else {
          process.stdout.write(`audit chain BROKEN at record seq ${result.seq}: ${result.reason} / 审计链在第 ${result.seq} 条记录处断裂\n`);
          process.exitCode = VERIFY_EXIT.broken;
        }
      }, VERIFY_EXIT.error);
    });

  withConfigOption(audit.command('export'))
    .description('export records with from ≤ time < to as JSON lines or CSV (never prompt text)')
    .requiredOption('--from <date>', 'start (inclusive): ISO date/time or epoch ms')
    .requiredOption('--to <date>', 'end (exclusive): ISO date/time or epoch ms')
    .option('--format <format>', 'jsonl or csv', 'jsonl')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .action(async (opts: { config?: string; from: string; to: string; format: string; out?: string }) => {
      await runWithStore(opts.config, async (store, config) => {
        if (opts.format !== 'jsonl' && opts.format !== 'csv') throw new Error(`--format: expected jsonl or csv, got ${opts.format}`);
        const from = parseTime(opts.from, '--from');
        const to = parseTime(opts.to, '--to');
        const out = opts.out ? createWriteStream(opts.out) : process.stdout;
        let n = 0;
        for await (const line of auditLogFromConfig(store.db, config).export({ from, to, format: opts.format })) {
          if (!out.write(line)) await once(out, 'drain');
          n++;
        }
        if (opts.out) {
          await new Promise<void>((resolve, reject) => (out as ReturnType<typeof createWriteStream>).end((err?: Error | null) => (err ? reject(err) : resolve())));
          process.stderr.write(`yumen: exported ${opts.format === 'csv' ? n - 1 : n} records to ${opts.out}\n`);
        }
      });
    });

  withConfigOption(audit.command('prune'))
    .description('delete records older than audit.retention_days (default 180), keeping the rest verifiable')
    .option('--days <n>', 'keep this many days instead of audit.retention_days', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--days: expected an integer ≥ 1, got ${v}`);
      return n;
    })
    .action(async (opts: { config?: string; days?: number }) => {
      await runWithStore(opts.config, async (store, config) => {
        const days = opts.days ?? auditSettings(config).retentionDays;
        const r = await auditLogFromConfig(store.db, config).prune({ before: Date.now() - days * 86_400_000 });
        process.stdout.write(r.deleted ? `pruned ${r.deleted} records older than ${days} days; the chain now starts after the anchor at seq ${r.anchoredSeq}\n` : `nothing older than ${days} days\n`);
      });
    });

  withConfigOption(audit.command('anchor'))
    .description('write the current chain head to the anchor file / syslog now')
    .action(async (opts: { config?: string }) => {
      await runWithStore(opts.config, async (store, config) => {
        const a = await auditLogFromConfig(store.db, config).anchor();
        process.stdout.write(a ? `${JSON.stringify(a)}\n` : 'the audit chain is empty\n');
      });
    });
}
