import type { Kysely, Transaction } from 'kysely';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import type { Database } from '../schema.ts';
import type { AuditRecordsTable } from '../tables/audit.ts';
import { nativeDriver, sqliteRowInserter } from '../database.ts';

export type AuditRow = AuditRecordsTable;
export interface AuditHead { seq: number; hash: string }
export interface AuditAnchor { seq: number; hash: string; time: number; kind: string }
/** Builds the chained rows after `head`. Must be pure: an append may call it again with a newer head. */
export type AuditBuild = (head: AuditHead) => AuditRow[];

export interface AuditRepositoryOptions {
  /**
   * Appends through cached better-sqlite3 statements in one synchronous transaction (SQLite) or one
   * conditional statement per group commit (PostgreSQL). Default true; false uses a plain Kysely
   * transaction for every append (six statements; the path before 2026-11-29, kept for benchmarks and tests).
   */
  fastAppend?: boolean;
}

/** The hash before the first record. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);
const HEAD_ID = 'head';
/** SQLite allows 32,766 bound parameters; 18 columns × 500 rows stays well below. */
const INSERT_CHUNK = 500;
const COLUMNS = [
  'seq', 'time', 'request_id', 'actor', 'tenant_id', 'action', 'model', 'zone', 'level', 'findings', 'decision',
  'status', 'error_code', 'prompt_tokens', 'completion_tokens', 'latency_ms', 'prev_hash', 'hash',
] as const satisfies ReadonlyArray<keyof AuditRow>;

/**
 * Storage of the audit hash chain. Every append is serialized on the head row across processes, so several
 * processes append in one order: on SQLite by `BEGIN IMMEDIATE` (the write lock) before the head is read;
 * on PostgreSQL by an UPDATE of the head row that only succeeds on the head the rows were built on; on the
 * general path by locking the head row (a no-op UPDATE) before reading it.
 */
export function createAuditRepository(db: Kysely<Database>, opts: AuditRepositoryOptions = {}) {
  async function lockHead(trx: Transaction<Database>): Promise<AuditHead> {
    // Writing first, reading after: no other writer can slip in between on either dialect.
    await trx.updateTable('audit_head').set((eb) => ({ seq: eb.ref('seq') })).where('id', '=', HEAD_ID).execute();
    const head = await trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', HEAD_ID).executeTakeFirst();
    if (!head) throw new Error('audit_head row missing: call ensureHead() first');
    return { seq: Number(head.seq), hash: head.hash };
  }

  /** The general path: one Kysely transaction holding the head lock. Returns the head after the append. */
  function lockedAppend(build: AuditBuild): Promise<{ rows: AuditRow[]; head: AuditHead }> {
    return db.transaction().execute(async (trx) => {
      const head = await lockHead(trx);
      const rows = build(head);
      if (rows.length === 0) return { rows, head };
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await trx.insertInto('audit_records').values(rows.slice(i, i + INSERT_CHUNK)).execute();
      }
      const last = rows[rows.length - 1];
      await trx.updateTable('audit_head').set({ seq: last.seq, hash: last.hash }).where('id', '=', HEAD_ID).execute();
      return { rows, head: { seq: last.seq, hash: last.hash } };
    });
  }

  const native = opts.fastAppend === false ? undefined : nativeDriver(db);
  let append: (build: AuditBuild) => Promise<AuditRow[]>;
  if (native?.dialect === 'sqlite') {
    const sqliteAppend = sqliteAppender(native.sqlite);
    append = async (build) => {
      // The connection is shared with Kysely: inside someone's open Kysely transaction a better-sqlite3
      // transaction would become a savepoint of it (and vanish with its rollback), so wait for it instead.
      if (native.sqlite.inTransaction) return (await lockedAppend(build)).rows;
      return sqliteAppend(build);
    };
  } else if (native?.dialect === 'postgres') {
    append = postgresAppender(native.pool, lockedAppend);
  } else {
    append = async (build) => (await lockedAppend(build)).rows;
  }

  return {
    async ensureHead(): Promise<void> {
      await db.insertInto('audit_head').values({ id: HEAD_ID, seq: 0, hash: AUDIT_GENESIS_HASH })
        .onConflict((oc) => oc.column('id').doNothing()).execute();
    },

    async head(): Promise<AuditHead> {
      const head = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', HEAD_ID).executeTakeFirst();
      return head ? { seq: Number(head.seq), hash: head.hash } : { seq: 0, hash: AUDIT_GENESIS_HASH };
    },

    /**
     * Appends atomically: `build` receives the current head and returns the chained rows to insert
     * (seq head+1, head+2, …); it may be called twice if another process appended meanwhile. Resolves
     * once committed.
     */
    append,

    /** Records with seq > afterSeq, in order. */
    async page(afterSeq: number, limit: number): Promise<AuditRow[]> {
      const rows = await db.selectFrom('audit_records').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
      return rows.map(normalize);
    },

    /** Records with from ≤ time < to, after a seq (for paging), in seq order. */
    async pageByTime(from: number, to: number, afterSeq: number, limit: number): Promise<AuditRow[]> {
      const rows = await db.selectFrom('audit_records').selectAll()
        .where('time', '>=', from).where('time', '<', to).where('seq', '>', afterSeq)
        .orderBy('seq').limit(limit).execute();
      return rows.map(normalize);
    },

    /** Records after `afterSeq`, in seq order, optionally of one action and one department (the auditor's API). */
    async list(filter: { afterSeq?: number; limit: number; action?: string; tenantId?: string }): Promise<AuditRow[]> {
      let q = db.selectFrom('audit_records').selectAll().where('seq', '>', filter.afterSeq ?? 0);
      if (filter.action) q = q.where('action', '=', filter.action);
      if (filter.tenantId) q = q.where('tenant_id', '=', filter.tenantId);
      return (await q.orderBy('seq').limit(filter.limit).execute()).map(normalize);
    },

    async bySeq(seq: number): Promise<AuditRow | undefined> {
      const row = await db.selectFrom('audit_records').selectAll().where('seq', '=', seq).executeTakeFirst();
      return row ? normalize(row) : undefined;
    },

    async count(): Promise<number> {
      const r = await db.selectFrom('audit_records').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
      return Number(r?.n ?? 0);
    },

    /** The latest prune anchor: verification starts after it. */
    async pruneAnchor(): Promise<AuditAnchor | undefined> {
      const row = await db.selectFrom('audit_anchors').selectAll().where('kind', '=', 'prune').orderBy('seq', 'desc').limit(1).executeTakeFirst();
      return row ? { seq: Number(row.seq), hash: row.hash, time: Number(row.time), kind: row.kind } : undefined;
    },

    async addAnchor(anchor: AuditAnchor): Promise<void> {
      await db.insertInto('audit_anchors').values(anchor).execute();
    },

    async anchors(kind?: string): Promise<AuditAnchor[]> {
      let q = db.selectFrom('audit_anchors').selectAll();
      if (kind) q = q.where('kind', '=', kind);
      const rows = await q.orderBy('seq').execute();
      return rows.map((r) => ({ seq: Number(r.seq), hash: r.hash, time: Number(r.time), kind: r.kind }));
    },

    /**
     * Deletes the oldest records, a contiguous prefix of the chain ending before the first record at or
     * after `before`, and records a prune anchor holding the last deleted record's hash. Returns how many went.
     */
    async prune(before: number, now = Date.now()): Promise<{ deleted: number; anchor: AuditAnchor | null }> {
      return db.transaction().execute(async (trx) => {
        const head = await lockHead(trx);
        const current = await trx.selectFrom('audit_anchors').select((eb) => eb.fn.max('seq').as('seq')).where('kind', '=', 'prune').executeTakeFirst();
        const anchoredSeq = Number(current?.seq ?? 0);
        const firstKept = await trx.selectFrom('audit_records').select((eb) => eb.fn.min('seq').as('seq')).where('time', '>=', before).executeTakeFirst();
        const upTo = firstKept?.seq != null ? Number(firstKept.seq) - 1 : head.seq;
        if (upTo <= anchoredSeq) return { deleted: 0, anchor: null };
        const last = await trx.selectFrom('audit_records').select(['seq', 'hash']).where('seq', '=', upTo).executeTakeFirst();
        if (!last) throw new Error(`audit record ${upTo} is missing; run "yumen audit verify" before pruning`);
        const anchor: AuditAnchor = { seq: upTo, hash: last.hash, time: now, kind: 'prune' };
        await trx.insertInto('audit_anchors').values(anchor).execute();
        const r = await trx.deleteFrom('audit_records').where('seq', '<=', upTo).executeTakeFirst();
        return { deleted: Number(r.numDeletedRows), anchor };
      });
    },
  };
}
export type AuditRepository = ReturnType<typeof createAuditRepository>;

function normalize(row: AuditRow): AuditRow {
  // PostgreSQL hands bigint back as numbers through the pool's type parser; keep both dialects identical anyway.
  return { ...row, seq: Number(row.seq), time: Number(row.time) };
}

/**
 * SQLite: cached statements in one synchronous `BEGIN IMMEDIATE` transaction (the write lock across
 * processes), so an append costs no event-loop hops and no statement compilation. The head is read
 * inside the lock, so another process's appends are always seen.
 */
function sqliteAppender(sqlite: SQLite.Database): (build: AuditBuild) => AuditRow[] {
  let tx: ((build: AuditBuild) => AuditRow[]) & { immediate: (build: AuditBuild) => AuditRow[] } | undefined;
  return (build) => {
    if (!tx) {
      const readHead = sqlite.prepare<[], { seq: number; hash: string }>(`SELECT seq, hash FROM audit_head WHERE id = '${HEAD_ID}'`);
      const insert = sqliteRowInserter<AuditRow>(sqlite, 'audit_records', COLUMNS);
      const setHead = sqlite.prepare<[number, string]>(`UPDATE audit_head SET seq = ?, hash = ? WHERE id = '${HEAD_ID}'`);
      tx = sqlite.transaction((b: AuditBuild) => {
        const h = readHead.get();
        if (!h) throw new Error('audit_head row missing: call ensureHead() first');
        const rows = b({ seq: Number(h.seq), hash: h.hash });
        for (const row of rows) insert(row);
        if (rows.length) setHead.run(rows[rows.length - 1].seq, rows[rows.length - 1].hash);
        return rows;
      });
    }
    return tx.immediate(build);
  };
}

/**
 * PostgreSQL: one autocommit statement per append that moves the head only if it is still the head this
 * process last wrote, and inserts the rows only if it did — one round trip. On a miss (another process
 * appended, or nothing known yet) the locked transaction runs instead and its head is remembered.
 */
function postgresAppender(
  pool: pg.Pool,
  lockedAppend: (build: AuditBuild) => Promise<{ rows: AuditRow[]; head: AuditHead }>,
): (build: AuditBuild) => Promise<AuditRow[]> {
  // A named statement: parsed and planned once per pooled connection.
  const statement = {
    name: 'yumen_audit_append_v1',
    text: `WITH h AS (
        UPDATE audit_head SET seq = $1, hash = $2 WHERE id = '${HEAD_ID}' AND seq = $3 AND hash = $4 RETURNING 1
      ), ins AS (
        INSERT INTO audit_records (${COLUMNS.join(', ')})
        SELECT ${COLUMNS.join(', ')} FROM json_populate_recordset(NULL::audit_records, $5::json)
        WHERE EXISTS (SELECT 1 FROM h)
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM h)::int AS moved, (SELECT count(*) FROM ins)::int AS inserted`,
  };
  let known: AuditHead | undefined;
  return async (build) => {
    const head = known;
    if (head) {
      const rows = build(head);
      if (rows.length === 0) return rows;
      const last = rows[rows.length - 1];
      known = undefined; // until this statement's outcome is known
      const r = await pool.query<{ moved: number; inserted: number }>({
        ...statement, values: [last.seq, last.hash, head.seq, head.hash, JSON.stringify(rows)],
      });
      const { moved, inserted } = r.rows[0];
      if (moved === 1) {
        if (inserted !== rows.length) throw new Error(`audit append inserted ${inserted} of ${rows.length} rows`);
        known = { seq: last.seq, hash: last.hash };
        return rows;
      }
    }
    const done = await lockedAppend(build);
    known = done.head;
    return done.rows;
  };
}
