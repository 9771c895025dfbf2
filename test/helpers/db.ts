import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, beforeEach } from 'node:test';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/index.ts';

export const PG_ADMIN_URL = process.env.YUMEN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let pgReachable: Promise<boolean> | undefined;

/** PostgreSQL is optional on a developer machine and required in CI (CI=true). */
export function postgresAvailable(): Promise<boolean> {
  pgReachable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch (err) {
      if (process.env.CI === 'true') throw new Error(`PostgreSQL is required in CI but not reachable at ${PG_ADMIN_URL}`, { cause: err });
      return false;
    }
  })();
  return pgReachable;
}

export interface TestDatabase { url: string; drop(): Promise<void> }

/** A fresh, empty database: a temp SQLite file, or a new PostgreSQL database dropped afterwards. */
export async function createTestDatabase(dialect: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'yumen-test-'));
    return { url: `sqlite:${join(dir, 'yumen.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `yumen_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** The dialects a store test should loop over on this machine. */
export async function testDialects(): Promise<Array<'sqlite' | 'postgres'>> {
  return (await postgresAvailable()) ? ['sqlite', 'postgres'] : ['sqlite'];
}

/**
 * Registers hooks that give a suite a fresh, migrated store on `dialect` — once for the suite, or anew for
 * every test with `'each'` — and drop it afterwards. Read `.store` and `.url` inside tests.
 */
export function useFreshStore(dialect: 'sqlite' | 'postgres', scope: 'all' | 'each' = 'all'): { readonly store: Store; readonly url: string } {
  let tdb: TestDatabase | undefined;
  let store: Store | undefined;
  const [setUp, tearDown] = scope === 'each' ? [beforeEach, afterEach] : [before, after];
  setUp(async () => {
    tdb = await createTestDatabase(dialect);
    store = await openStore(tdb.url);
  });
  tearDown(async () => {
    await store?.close();
    await tdb?.drop();
  });
  return {
    get store() {
      if (!store) throw new Error('useFreshStore: the store is only available inside tests');
      return store;
    },
    get url() {
      return tdb!.url;
    },
  };
}
