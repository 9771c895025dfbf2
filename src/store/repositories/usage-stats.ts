import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** One cell of the usage table grouped by time bucket, department, zone and model. */
export interface UsageCell {
  bucket: number;
  tenantId: string;
  zone: string | null;
  model: string;
  calls: number;
  tokens: number;
  refused: number;
  pseudonymized: number;
}

export interface BackendLatency { backend: string; calls: number; avgLatencyMs: number; maxLatencyMs: number }

export interface UsageSummary {
  cells: UsageCell[];
  /** Counts by finding type over the window (never values). */
  findings: Record<string, number>;
  /** Latency of private-zone backends over the window. */
  privateBackends: BackendLatency[];
}

/**
 * Read-only aggregates of usage_records for the console's overview. Bucket arithmetic is integer division
 * on the millisecond timestamp, which SQLite and PostgreSQL both do for integer columns.
 */
export function createUsageStatsRepository(db: Kysely<Database>) {
  return {
    async summarize(opts: { since: number; bucketMs: number; tenantIds?: Iterable<string> }): Promise<UsageSummary> {
      const tenants = opts.tenantIds ? [...opts.tenantIds] : undefined;
      if (tenants && tenants.length === 0) return { cells: [], findings: {}, privateBackends: [] };
      let base = db.selectFrom('usage_records').where('created_at', '>=', opts.since);
      if (tenants) base = base.where('tenant_id', 'in', tenants);
      // A literal, not a parameter: PostgreSQL must see the same expression in SELECT and GROUP BY.
      const bucket = sql<number>`created_at / ${sql.lit(Math.max(1, Math.trunc(opts.bucketMs)))}`;
      const cells = await base
        .select([
          bucket.as('bucket'), 'tenant_id', 'zone', 'model',
          sql<number>`count(*)`.as('calls'),
          sql<number>`coalesce(sum(prompt_tokens + completion_tokens), 0)`.as('tokens'),
          sql<number>`sum(case when status >= 400 then 1 else 0 end)`.as('refused'),
          sql<number>`sum(case when redactions > 0 then 1 else 0 end)`.as('pseudonymized'),
        ])
        .groupBy([bucket, 'tenant_id', 'zone', 'model'])
        .execute();
      const findingRows = await base.select(['findings', sql<number>`count(*)`.as('n')]).where('findings', 'is not', null).groupBy('findings').execute();
      const findings: Record<string, number> = {};
      for (const row of findingRows) {
        let counts: Record<string, number> = {};
        try { counts = JSON.parse(row.findings!); } catch { /* a damaged row adds nothing */ }
        for (const [type, n] of Object.entries(counts)) findings[type] = (findings[type] ?? 0) + Number(n) * Number(row.n);
      }
      const backends = await base
        .select(['backend', sql<number>`count(*)`.as('calls'), sql<number>`avg(latency_ms)`.as('avg'), sql<number>`max(latency_ms)`.as('max')])
        .where('zone', '=', 'private').where('backend', 'is not', null)
        .groupBy('backend').execute();
      return {
        cells: cells.map((c) => ({
          bucket: Number(c.bucket), tenantId: c.tenant_id, zone: c.zone, model: c.model, calls: Number(c.calls),
          tokens: Number(c.tokens), refused: Number(c.refused), pseudonymized: Number(c.pseudonymized),
        })),
        findings,
        privateBackends: backends.map((b) => ({ backend: b.backend!, calls: Number(b.calls), avgLatencyMs: Math.round(Number(b.avg)), maxLatencyMs: Number(b.max) })),
      };
    },
  };
}
export type UsageStatsRepository = ReturnType<typeof createUsageStatsRepository>;
