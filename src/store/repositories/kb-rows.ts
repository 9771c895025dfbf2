import type { Insertable, Kysely, Transaction } from 'kysely';
import { nativeDriver, sqliteRowInserter } from '../database.ts';
import type { Database } from '../schema.ts';

type Exec = Kysely<Database> | Transaction<Database>;

/** Rows per multi-row INSERT (well under PostgreSQL's 65,535 parameters and SQLite's 32,766 for these tables). */
const ROWS = 200;

/**
 * Bulk inserts of the knowledge index (documents, chunks, index blocks). On SQLite inside a transaction the rows go
 * through statements prepared once per table and bound by position — the connection is the one Kysely's
 * transaction holds, so they are part of it — which costs a fraction of compiling and preparing a multi-row
 * statement per 200 rows; elsewhere they go as multi-row INSERTs.
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
