import { SqliteAdapter, sql, type Kysely } from 'kysely';

/** Knowledge bases. Dialect-neutral tables; on SQLite one FTS5 virtual table (raw SQL: the schema builder has none). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('kb_bases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kb_bases_tenant').on('kb_bases').column('tenant_id').execute();

  await db.schema.createTable('kb_shares')
    .addColumn('kb_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('kb_shares_pk', ['kb_id', 'tenant_id'])
    .execute();

  await db.schema.createTable('kb_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kb_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('chars', 'bigint', (c) => c.notNull())
    .addColumn('pages', 'integer')
    .addColumn('chunk_count', 'integer', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('kb_documents_source', ['kb_id', 'source'])
    .execute();
  await db.schema.createIndex('kb_documents_hash').on('kb_documents').columns(['kb_id', 'sha256']).execute();

  await db.schema.createTable('kb_chunks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kb_id', 'text', (c) => c.notNull())
    .addColumn('document_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('heading', 'text')
    .addColumn('page', 'integer')
    .addColumn('len_words', 'integer', (c) => c.notNull())
    .addColumn('len_grams', 'integer', (c) => c.notNull())
    .addColumn('len_chars', 'integer', (c) => c.notNull())
    .addColumn('fts_rowid', 'bigint')
    .addColumn('embedding', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kb_chunks_document').on('kb_chunks').columns(['document_id', 'seq']).execute();
  await db.schema.createIndex('kb_chunks_kb').on('kb_chunks').column('kb_id').execute();
  await db.schema.createIndex('kb_chunks_fts').on('kb_chunks').column('fts_rowid').execute();

  await db.schema.createTable('kb_terms')
    .addColumn('kb_id', 'text', (c) => c.notNull())
    .addColumn('chunk_id', 'text', (c) => c.notNull())
    .addColumn('term', 'text', (c) => c.notNull())
    .addColumn('tf', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kb_terms_lookup').on('kb_terms').columns(['term', 'kb_id']).execute();
  await db.schema.createIndex('kb_terms_chunk').on('kb_terms').column('chunk_id').execute();

  await db.schema.createTable('kb_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('batch_id', 'text', (c) => c.notNull())
    .addColumn('kb_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content', 'text') // base64: one column type for both dialects
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('document_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kb_jobs_status').on('kb_jobs').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('kb_jobs_batch').on('kb_jobs').column('batch_id').execute();

  await db.schema.createTable('kb_words')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('word', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('kb_words_pk', ['tenant_id', 'word'])
    .execute();

  if (await isSqlite(db)) {
    // Tokens are pre-segmented (jieba words, CJK bigrams, CJK characters) and joined by spaces.
    await sql`CREATE VIRTUAL TABLE kb_fts USING fts5(words, grams, chars, kb_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 0')`.execute(db);
  }
}

/** Asks the adapter, not the server: a failing probe would abort PostgreSQL's migration transaction. */
async function isSqlite(db: Kysely<any>): Promise<boolean> {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

export async function down(db: Kysely<any>): Promise<void> {
  if (await isSqlite(db)) await sql`DROP TABLE IF EXISTS kb_fts`.execute(db);
  for (const t of ['kb_words', 'kb_jobs', 'kb_terms', 'kb_chunks', 'kb_documents', 'kb_shares', 'kb_bases']) await db.schema.dropTable(t).execute();
}
