import type { Kysely } from 'kysely';
import type SQLite from 'better-sqlite3';
import type { Database } from '../schema.ts';
import type { UsageRecordsTable } from '../tables/core.ts';
import { nativeDriver, sqliteRowInserter } from '../database.ts';

export interface UsageRecord {
  id: string;
  createdAt: number;
  tenantId: string;
  keyId: string | null;
  endpoint: string;
  model: string;
  backend: string | null;
  zone: string | null;
  stream: boolean;
  status: number;
  errorCode: string | null;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  level: string | null;
  decision: string | null;
  redactions: number;
  /** Counts by finding type — never the values. */
  findings: Record<string, number> | null;
}

function toRow(r: UsageRecord): UsageRecordsTable {
  return {
    id: r.id, created_at: r.createdAt, tenant_id: r.tenantId, key_id: r.keyId, endpoint: r.endpoint, model: r.model,
    backend: r.backend, zone: r.zone, stream: r.stream ? 1 : 0, status: r.status, error_code: r.errorCode,
    prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, latency_ms: Math.round(r.latencyMs),
    level: r.level, decision: r.decision, redactions: r.redactions,
    findings: r.findings && Object.keys(r.findings).length > 0 ? JSON.stringify(r.findings) : null,
  };
}

function fromRow(row: UsageRecordsTable): UsageRecord {
  return {
    id: row.id, createdAt: row.created_at, tenantId: row.tenant_id, keyId: row.key_id, endpoint: row.endpoint, model: row.model,
    backend: row.backend, zone: row.zone, stream: row.stream === 1, status: row.status, errorCode: row.error_code,
    promptTokens: row.prompt_tokens, completionTokens: row.completion_tokens, latencyMs: row.latency_ms,
    level: row.level, decision: row.decision, redactions: row.redactions,
    findings: row.findings ? JSON.parse(row.findings) : null,
  };
}

const COLUMNS = [
  'id', 'created_at', 'tenant_id', 'key_id', 'endpoint', 'model', 'backend', 'zone', 'stream', 'status', 'error_code',
  'prompt_tokens', 'completion_tokens', 'latency_ms', 'level', 'decision', 'redactions', 'findings',
] as const satisfies ReadonlyArray<keyof UsageRecordsTable>;

/**
 * SQLite: one cached statement run per row inside one transaction. A multi-row Kysely insert compiles and
 * prepares a statement of 18 × n parameters for every batch, which cost three times as much per row.
 */
function sqliteInserter(sqlite: SQLite.Database): (rows: UsageRecordsTable[]) => void {
  let insert: ((rows: UsageRecordsTable[]) => void) | undefined;
  return (rows) => {
    if (!insert) {
      const insertRow = sqliteRowInserter<UsageRecordsTable>(sqlite, 'usage_records', COLUMNS);
      insert = sqlite.transaction((batch: UsageRecordsTable[]) => {
        for (const row of batch) insertRow(row);
      });
    }
    insert(rows);
  };
}

export function createUsageRepository(db: Kysely<Database>) {
  const native = nativeDriver(db);
  const sqliteInsert = native?.dialect === 'sqlite' ? sqliteInserter(native.sqlite) : undefined;
  return {
    /** Inserts every record or none. */
    async insertMany(records: UsageRecord[]): Promise<void> {
      if (records.length === 0) return;
      const rows = records.map(toRow);
      // Inside someone's open Kysely transaction the native one would become a savepoint of it: use Kysely then.
      if (sqliteInsert && native?.dialect === 'sqlite' && !native.sqlite.inTransaction) return sqliteInsert(rows);
      await db.insertInto('usage_records').values(rows).execute();
    },
    async list(filter: { tenantId?: string; since?: number; until?: number; limit?: number } = {}): Promise<UsageRecord[]> {
      let q = db.selectFrom('usage_records').selectAll();
      if (filter.tenantId) q = q.where('tenant_id', '=', filter.tenantId);
      if (filter.since !== undefined) q = q.where('created_at', '>=', filter.since);
      if (filter.until !== undefined) q = q.where('created_at', '<', filter.until);
      const rows = await q.orderBy('created_at', 'desc').limit(filter.limit ?? 1000).execute();
      return rows.map((r) => fromRow(r as UsageRecordsTable));
    },
    /** Token totals per tenant and model since a time: the basis of quotas and dashboards. */
    async totals(filter: { tenantId?: string; since?: number } = {}) {
      let q = db.selectFrom('usage_records')
        .select(['tenant_id', 'model', 'zone'])
        .select((eb) => [
          eb.fn.countAll<number>().as('requests'),
          eb.fn.sum<number>('prompt_tokens').as('prompt_tokens'),
          eb.fn.sum<number>('completion_tokens').as('completion_tokens'),
        ])
        .groupBy(['tenant_id', 'model', 'zone']);
      if (filter.tenantId) q = q.where('tenant_id', '=', filter.tenantId);
      if (filter.since !== undefined) q = q.where('created_at', '>=', filter.since);
      const rows = await q.execute();
      return rows.map((r) => ({ ...r, requests: Number(r.requests), prompt_tokens: Number(r.prompt_tokens ?? 0), completion_tokens: Number(r.completion_tokens ?? 0) }));
    },
  };
}
export type UsageRepository = ReturnType<typeof createUsageRepository>;
