import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import type { AuditRecordsTable } from '../tables/audit.ts';

export type AuditRow = AuditRecordsTable;
export interface AuditHead { seq: number; hash: string }
export interface AuditAnchor { seq: number; hash: string; time: number; kind: string }

/** The hash before the first record. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);
const HEAD_ID = 'head';
/** SQLite allows 32,766 bound parameters; 18 columns × 500 rows stays well below. */
const INSERT_CHUNK = 500;

/**
 * Storage of the audit hash chain. Appends take the head row's lock first (an UPDATE, which on
 * PostgreSQL locks the row and on SQLite takes the write lock), so several processes append in one order.
 */
export function createAuditRepository(db: Kysely<Database>) {
  async function lockHead(trx: Transaction<Database>): Promise<AuditHead> {
    // Writing first, reading after: no other writer can slip in between on either dialect.
    await trx.updateTable('audit_head').set((eb) => ({ seq: eb.ref('seq') })).where('id', '=', HEAD_ID).execute();
    const head = await trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', HEAD_ID).executeTakeFirst();
    if (!head) throw new Error('audit_head row missing: call ensureHead() first');
    return { seq: Number(head.seq), hash: head.hash };
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
     * Appends in one transaction: `build` receives the locked head and returns the chained rows to insert
     * (seq head+1, head+2, …). Resolves once committed.
     */
    async append(build: (head: AuditHead) => AuditRow[]): Promise<AuditRow[]> {
      return db.transaction().execute(async (trx) => {
        const head = await lockHead(trx);
        const rows = build(head);
        if (rows.length === 0) return rows;
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
          await trx.insertInto('audit_records').values(rows.slice(i, i + INSERT_CHUNK)).execute();
        }
        const last = rows[rows.length - 1];
        await trx.updateTable('audit_head').set({ seq: last.seq, hash: last.hash }).where('id', '=', HEAD_ID).execute();
        return rows;
      });
    },

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
