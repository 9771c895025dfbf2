import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as core from './0001-core.ts';
import * as governance from './0002-governance.ts';
import * as audit from './0003-audit.ts';
import * as knowledge from './0004-knowledge.ts';
import * as kbNamesPerDepartment from './0005-kb-names-per-department.ts';
import * as apps from './0006-apps.ts';
import * as appLinks from './0006-apps-links.ts';
import * as cluster from './0009-cluster.ts';
import * as kbPostings from './0010-kb-postings.ts';

/**
 * Every migration, in order. Names are stable forever: a shipped migration is never edited,
 * a change is a new entry. Each uses only Kysely's schema builder so one set serves SQLite and PostgreSQL.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001-core': core,
  '0002-governance': governance,
  '0003-audit': audit,
  '0004-knowledge': knowledge,
  '0005-kb-names-per-department': kbNamesPerDepartment,
  '0006-apps': apps,
  '0006-apps-links': appLinks,
  '0009-cluster': cluster,
  '0010-kb-postings': kbPostings,
};

const migrator = (db: Kysely<any>) => new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });

export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  return migrator(db).migrateToLatest();
}

/** Migrates up (or down) to the named migration: upgrade tests build a database as an older release left it. */
export async function migrateTo(db: Kysely<any>, name: string): Promise<MigrationResultSet> {
  return migrator(db).migrateTo(name);
}
