import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './schema.ts';
import { migrateToLatest } from './migrations/index.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  close(): Promise<void>;
}

/** What is under a Kysely instance opened by openStore(): its dialect and its better-sqlite3 connection or pg pool. */
export type NativeDriver = { dialect: 'sqlite'; sqlite: SQLite.Database } | { dialect: 'postgres'; pool: pg.Pool };
const natives = new WeakMap<Kysely<Database>, NativeDriver>();

/**
 * The driver behind a Kysely instance from openStore() (undefined for transactions and instances made
 * elsewhere). Only for hot paths in store/ repositories that need cached prepared statements or one
 * round trip; they are the same connection and pool Kysely uses.
 */
export function nativeDriver(db: Kysely<Database>): NativeDriver | undefined {
  return natives.get(db);
}

/**
 * A prepared INSERT of `columns` into `table` for hot paths in store/ repositories: values are bound by
 * position, which better-sqlite3 does faster than named parameters.
 */
export function sqliteRowInserter<R>(sqlite: SQLite.Database, table: string, columns: ReadonlyArray<keyof R & string>): (row: R) => void {
  const statement = sqlite.prepare<unknown[]>(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  return (row) => {
    statement.run(columns.map((c) => row[c]));
  };
}

const statements = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

/**
 * A statement prepared once per SQLite connection under `key` (`text` is called only the first time): for hot
 * reads whose text does not change from call to call (values bound as parameters, lists as one JSON array).
 */
export function cachedStatement(sqlite: SQLite.Database, key: string, text: () => string): SQLite.Statement {
  let byKey = statements.get(sqlite);
  if (!byKey) statements.set(sqlite, (byKey = new Map()));
  let st = byKey.get(key);
  if (!st) byKey.set(key, (st = sqlite.prepare(text())));
  return st;
}

/**
 * SQLite transactions take the write lock when they begin (BEGIN IMMEDIATE). A deferred transaction that
 * reads and then writes cannot wait for another process's writer: SQLite answers "database is locked" at
 * once instead of honouring busy_timeout, which lost files when `yumen kb add` ran beside a server (issue 12).
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver() {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

/** Parses `sqlite:./data/yumen.db`, `sqlite::memory:`, `postgres://…` or `postgresql://…`. */
export function parseStorageUrl(url: string): { dialect: DialectName; target: string } {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { dialect: 'postgres', target: url };
  if (url.startsWith('sqlite:')) return { dialect: 'sqlite', target: url.slice('sqlite:'.length) || ':memory:' };
  throw new Error(`storage.url: expected "sqlite:PATH" or "postgres://…", got "${url}"`);
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * Opens the database named by `url` and applies every pending migration.
 * SQLite runs in WAL mode with a busy timeout and write-locking transactions, so the CLI and a running server can share a file.
 */
export async function openStore(url: string, opts: { migrate?: boolean } = {}): Promise<Store> {
  const { dialect, target } = parseStorageUrl(url);
  let db: Kysely<Database>;
  if (dialect === 'sqlite') {
    if (target !== ':memory:') mkdirSync(dirname(resolve(target)), { recursive: true });
    const sqlite = new SQLite(target);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 30000');
    sqlite.pragma('foreign_keys = ON');
    db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
    natives.set(db, { dialect: 'sqlite', sqlite });
  } else {
    // Timestamps are epoch milliseconds in BIGINT columns: read them back as numbers, not strings.
    const types = {
      getTypeParser: (oid: number, format?: string) =>
        oid === INT8_OID || oid === NUMERIC_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
    };
    const pool = new pg.Pool({ connectionString: target, max: 10, types } as pg.PoolConfig);
    pool.on('error', () => { /* idle client errors surface on the next query */ });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    natives.set(db, { dialect: 'postgres', pool });
  }
  if (opts.migrate !== false) {
    const { error } = await migrateToLatest(db);
    if (error) {
      await db.destroy();
      throw new Error(`database migration failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  return { db, dialect, close: () => db.destroy() };
}
