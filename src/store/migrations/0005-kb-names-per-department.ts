import { SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * Knowledge-base names are unique per department, no longer across the organisation: a department creating a
 * base named like another's learned from the 409 that it exists (issue 12). SQLite cannot drop a column's
 * UNIQUE constraint, so there the table is rebuilt (no other table references it by foreign key).
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await db.schema.createTable('kb_bases_v2')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await sql`insert into kb_bases_v2 (id, tenant_id, name, description, created_at, updated_at) select id, tenant_id, name, description, created_at, updated_at from kb_bases`.execute(db);
    await db.schema.dropTable('kb_bases').execute();
    await db.schema.alterTable('kb_bases_v2').renameTo('kb_bases').execute();
    await db.schema.createIndex('kb_bases_tenant').on('kb_bases').column('tenant_id').execute();
  } else {
    await sql`alter table kb_bases drop constraint if exists kb_bases_name_key`.execute(db);
  }
  await db.schema.createIndex('kb_bases_tenant_name').on('kb_bases').columns(['tenant_id', 'name']).unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('kb_bases_tenant_name').execute();
}
