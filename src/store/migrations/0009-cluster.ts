import type { Kysely } from 'kysely';

/**
 * Cluster: one version number per kind of admin change (keys, policies, models, apps). A node that
 * changes something bumps its version; every node compares versions periodically, so a change whose
 * push notification was lost still arrives (the safety net behind Redis pub/sub or LISTEN/NOTIFY).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('change_versions')
    .addColumn('topic', 'text', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('change_versions').execute();
}
