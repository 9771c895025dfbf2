import type { Kysely } from 'kysely';

/** Keyed digests of the values behind a stored conversation's placeholders (see util/value-link.ts). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('links', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('links').execute();
}
