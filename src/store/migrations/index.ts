import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as core from './0001-core.ts';

/**
 * Every migration, in order. Names are stable forever: a shipped migration is never edited,
 * a change is a new entry. Each uses only Kysely's schema builder so one set serves SQLite and PostgreSQL.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001-core': core,
};

export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  return migrator.migrateToLatest();
}
