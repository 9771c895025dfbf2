import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import { nativeDriver, sqliteRowInserter } from '../database.ts';
import type { Database } from '../schema.ts';

type Exec = Kysely<Database> | Transaction<Database>;

/** Rows per multi-row INSERT (well under PostgreSQL's 65,535 parameters and SQLite's 32,766 for these tables). */
const ROWS = 200;

/**
 * Bulk inserts of the knowledge index (documents, chunks, index blocks). On SQLite inside a transaction the rows go
 * through statements prepared once per table and bound by position — the connection is the one Kysely's
 * transaction holds, so they are part of it — which costs a fraction of compiling and preparing a multi-row
 * statement per 200 rows; elsewhere they go as multi-row INSERTs. (On PostgreSQL, one INSERT … SELECT FROM
 * unnest(…) of array parameters per 5,000 rows measured no faster: its time goes in inserting rows and their index
 * entries, not in parsing.)
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
    for (let i = 0; i < rows.length; i += ROWS) await exec.insertInto(table).values(rows.slice(i, i + ROWS) as never).execute();
  };
}
export type BulkInserter = ReturnType<typeof createBulkInserter>;

/**
 * PostgreSQL plans the knowledge look-ups (documents by source or hash, chunks by number) from table statistics.
 * A table that grew from empty in one bulk ingest still looks empty to the planner, which then read a look-up of 500
 * sources by kb_id alone and filtered every document of the base (50 ms a look-up at 100,000 documents; a 100,000-
 * document ingest got slower with every group). Autovacuum refreshes statistics where it runs, but it may be off or
 * a minute late: after writes, this runs ANALYZE on the knowledge tables once the chunks written by this process
 * since the last time reach 1,000 and half of what the statistics count. Nothing on SQLite.
 */
export function createStatsKeeper(db: Kysely<Database>, dialect: 'sqlite' | 'postgres') {
  let written = 0;
  return async function wrote(chunks: number): Promise<void> {
    if (dialect !== 'postgres') return;
    written += chunks;
    if (written < 1000) return;
    const r = await sql<{ n: number }>`SELECT reltuples AS n FROM pg_class WHERE oid = 'kb_chunks'::regclass`.execute(db);
    if (written < Math.max(0, Number(r.rows[0]?.n ?? 0)) / 2) return;
    written = 0;
    await sql`ANALYZE kb_documents, kb_chunks, kb_blocks, kb_segments`.execute(db);
  };
}
