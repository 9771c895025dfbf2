import type { AuditRepository, AuditRow } from '../store/index.ts';

export type ExportFormat = 'jsonl' | 'csv';

export const EXPORT_COLUMNS = [
  'seq', 'time', 'request_id', 'actor', 'tenant_id', 'action', 'model', 'zone', 'level', 'findings', 'decision',
  'status', 'error_code', 'prompt_tokens', 'completion_tokens', 'latency_ms', 'prev_hash', 'hash',
] as const satisfies ReadonlyArray<keyof AuditRow>;

const PAGE = 2000;

/** Yields one line per record (and a header for CSV), each ending in "\n"; `time_iso` is added for readers. */
export async function* exportRecords(repo: AuditRepository, opts: { from: number; to: number; format: ExportFormat }): AsyncGenerator<string> {
  if (opts.format === 'csv') yield `${[...EXPORT_COLUMNS, 'time_iso'].join(',')}\n`;
  let after = 0;
  for (;;) {
    const rows = await repo.pageByTime(opts.from, opts.to, after, PAGE);
    for (const row of rows) {
      const iso = new Date(row.time).toISOString();
      if (opts.format === 'jsonl') {
        yield `${JSON.stringify({ ...pick(row), findings: JSON.parse(row.findings) as unknown, time_iso: iso })}\n`;
      } else {
        yield `${[...EXPORT_COLUMNS.map((c) => csvCell(row[c])), iso].join(',')}\n`;
      }
      after = row.seq;
    }
    if (rows.length < PAGE) return;
  }
}

function pick(row: AuditRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of EXPORT_COLUMNS) out[c] = row[c];
  return out;
}

/** RFC 4180 quoting; a leading = + - @ is prefixed with ' so spreadsheets do not run it as a formula. */
function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
