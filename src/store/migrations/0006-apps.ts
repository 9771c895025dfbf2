import type { Kysely } from 'kysely';

/** Business-scenario apps, their shares, feedback on captured exchanges, and the app a conversation went through. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('apps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('system_prompt', 'text', (c) => c.notNull())
    .addColumn('knowledge_bases', 'text', (c) => c.notNull())
    .addColumn('variables', 'text', (c) => c.notNull())
    .addColumn('welcome', 'text')
    .addColumn('suggested_questions', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('apps_tenant').on('apps').column('tenant_id').execute();

  await db.schema.createTable('app_shares')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('app_shares_pk', ['app_id', 'tenant_id'])
    .execute();
  await db.schema.createIndex('app_shares_tenant').on('app_shares').column('tenant_id').execute();

  await db.schema.createTable('feedback')
    .addColumn('request_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text')
    .addColumn('rating', 'integer', (c) => c.notNull())
    .addColumn('correction', 'text')
    .addColumn('comment', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('feedback_tenant').on('feedback').columns(['tenant_id', 'created_at']).execute();

  await db.schema.alterTable('conversations').addColumn('app', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('app').execute();
  for (const t of ['feedback', 'app_shares', 'apps']) await db.schema.dropTable(t).execute();
}
