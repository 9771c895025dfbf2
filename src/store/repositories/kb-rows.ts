import { sql, type Expression, type Insertable, type Kysely, type SqlBool, type Transaction } from 'kysely';
import { nativeDriver, sqliteRowInserter } from '../database.ts';
import type { Database } from '../schema.ts';

type Exec = Kysely<Database> | Transaction<Database>;

/** Rows per multi-row INSERT (well under PostgreSQL's 65,535 parameters and SQLite's 32,766 for these tables). */
const ROWS = 200;
/** Rows per multi-row INSERT of index blocks on PostgreSQL (4 parameters a row; a Buffer is bound in binary). */
const PG_BLOCK_ROWS = 2000;
/** Rows per PostgreSQL INSERT … SELECT FROM unnest(arrays) (a few MB of text at most; one parameter per column). */
const PG_ROWS = 10_000;

/**
 * PostgreSQL column types of the tables written through unnest (the element type of each array). Not kb_blocks: a
 * Buffer parameter goes in binary, but inside an array it becomes hex text that PostgreSQL parses back (2.5× slower).
 */
const PG_TYPES: Partial<Record<keyof Database & string, Record<string, string>>> = {
  kb_documents: {
    id: 'text', kb_id: 'text', source: 'text', name: 'text', format: 'text', sha256: 'text', status: 'text', note: 'text', bytes: 'int8',
    chars: 'int8', pages: 'int4', chunk_count: 'int4', metadata: 'text', created_at: 'int8', updated_at: 'int8',
  },
  kb_chunks: {
    id: 'text', kb_id: 'text', document_id: 'text', seq: 'int4', text: 'text', heading: 'text', page: 'int4', len_words: 'int4', len_grams: 'int4',
    len_chars: 'int4', fts_rowid: 'int8', num: 'int8', embedding: 'text', created_at: 'int8',
  },
};

/**
 * Bulk inserts of the knowledge index (documents, chunks, index blocks). On SQLite inside a transaction the rows go
 * through statements prepared once per table and bound by position — the connection is the one Kysely's
 * transaction holds, so they are part of it — which costs a fraction of compiling and preparing a multi-row
 * statement per 200 rows. On PostgreSQL they go as one `INSERT … SELECT FROM unnest($1::text[], …)` per 10,000
 * rows, one array parameter per column: an ingest group of 16,000 documents is a handful of round trips instead of
 * ~200, and no 3,000-parameter statement is compiled. Round trips matter more than their count suggests: a group's
 * write runs while the next group is segmented on the same thread (ingest-batch.ts), so each round trip waits for
 * the event loop to turn. Elsewhere (a Kysely made outside openStore) they go as multi-row INSERTs.
 */
export function createBulkInserter(db: Kysely<Database>) {
  const native = nativeDriver(db);
  const prepared = new Map<string, (row: object) => void>();
  return async function insertRows<T extends keyof Database & string>(exec: Exec, table: T, rows: ReadonlyArray<Insertable<Database[T]>>): Promise<void> {
    if (!rows.length) return;
    if (native?.dialect === 'sqlite' && native.sqlite.inTransaction) {
      const columns = Object.keys(rows[0]);
      const key = `${table}(${columns.join(',')})`;
      let insert = prepared.get(key);
      if (!insert) prepared.set(key, (insert = sqliteRowInserter(native.sqlite, table, columns as never) as (row: object) => void));
      for (const r of rows) insert(r);
      return;
    }
    const types = native?.dialect === 'postgres' ? PG_TYPES[table] : undefined;
    if (types) {
      const columns = Object.keys(rows[0]);
      if (columns.every((c) => c in types)) {
        for (let i = 0; i < rows.length; i += PG_ROWS) await insertUnnest(exec, table, columns, types, rows.slice(i, i + PG_ROWS) as ReadonlyArray<Record<string, unknown>>);
        return;
      }
    }
    const step = native?.dialect === 'postgres' && table === 'kb_blocks' ? PG_BLOCK_ROWS : ROWS;
    for (let i = 0; i < rows.length; i += step) await exec.insertInto(table).values(rows.slice(i, i + step) as never).execute();
  };
}

/**
 * `column IN (values)`; on PostgreSQL as `column = ANY($1)`, the same plan with one array parameter however many
 * values (SQLite has no arrays: callers keep its lists to 500).
 */
export function anyOf(dialect: 'sqlite' | 'postgres', column: string, values: readonly string[]): Expression<SqlBool> {
  if (dialect === 'postgres') return sql<SqlBool>`${sql.ref(column)} = ANY(${values as string[]})`;
  return sql<SqlBool>`${sql.ref(column)} IN (${sql.join(values)})`;
}

async function insertUnnest(exec: Exec, table: string, columns: readonly string[], types: Record<string, string>, rows: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  const arrays = columns.map((c) => {
    const a = new Array<unknown>(rows.length);
    for (let i = 0; i < rows.length; i++) a[i] = rows[i][c] ?? null;
    return sql`${a}::${sql.raw(types[c])}[]`;
  });
  await sql`INSERT INTO ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) SELECT * FROM unnest(${sql.join(arrays)})`.execute(exec);
}
export type BulkInserter = ReturnType<typeof createBulkInserter>;

/**
 * PostgreSQL plans the knowledge look-ups (documents by source or hash, chunks by number) from table statistics.
 * A table that grew from empty in one bulk ingest still looks empty to the planner, which then read a look-up of 500
 * sources by kb_id alone and filtered every document of the base (50 ms a look-up at 100,000 documents; a 100,000-
 * document ingest got slower with every group). Autovacuum refreshes statistics where it runs, but it may be off or
 * a minute late: after writes, this runs ANALYZE on the knowledge tables once the chunks written by this process
 * since the last time reach 1,000 and what the statistics count (so they are at most half stale, and a base
 * growing from empty is analysed about log₂ of its size times: an ANALYZE costs ~0.3 s of PostgreSQL CPU). Nothing on SQLite.
 */
export function createStatsKeeper(db: Kysely<Database>, dialect: 'sqlite' | 'postgres') {
  let written = 0;
  return async function wrote(chunks: number): Promise<void> {
    if (dialect !== 'postgres') return;
    written += chunks;
    if (written < 1000) return;
    const r = await sql<{ n: number }>`SELECT reltuples AS n FROM pg_class WHERE oid = 'kb_chunks'::regclass`.execute(db);
    if (written < Math.max(0, Number(r.rows[0]?.n ?? 0))) return;
    written = 0;
    // A 3,000-row sample (statistics target 10, not 100) is plenty for what these plans need — row counts and the
    // bases' sizes; every look-up is by a unique or near-unique key — and costs ~100 ms instead of ~1.4 s of
    // PostgreSQL time at 100,000 chunks. Autovacuum's own ANALYZE later uses the server's default.
    await db.transaction().execute(async (tx) => {
      await sql`SET LOCAL default_statistics_target = 10`.execute(tx);
      await sql`ANALYZE kb_documents, kb_chunks, kb_blocks, kb_segments`.execute(tx);
    });
  };
}
