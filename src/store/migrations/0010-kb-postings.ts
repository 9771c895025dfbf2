import { SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * Yumen's own full-text index (issue 17), the same on SQLite and PostgreSQL, replacing FTS5 (SQLite) and the
 * one-row-per-posting kb_terms table (PostgreSQL). Chunks get a number within their base; a base's index is a few
 * immutable segments of posting blocks (src/store/repositories/kb-postings.ts), written once per ingest batch and
 * merged in the background. Bases that already hold chunks are marked version 0: their index is rebuilt from the
 * chunks' text the first time they are searched or written (src/knowledge/service.ts), so the old token tables
 * can go now.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema.alterTable('kb_chunks').addColumn('num', 'bigint').execute();
  // Numbers 0, 1, 2, … in each base, in the order the chunks were written.
  await sql`UPDATE kb_chunks SET num = x.rn FROM (
      SELECT id, row_number() OVER (PARTITION BY kb_id ORDER BY created_at, document_id, seq) - 1 AS rn FROM kb_chunks
    ) AS x WHERE x.id = kb_chunks.id`.execute(db);
  await db.schema.createIndex('kb_chunks_num').on('kb_chunks').columns(['kb_id', 'num']).unique().execute();
  // (kb_id, num) serves every look-up by base: the index on kb_id alone only slowed writes.
  await db.schema.dropIndex('kb_chunks_kb').execute();

  await db.schema.createTable('kb_index')
    .addColumn('kb_id', 'text', (c) => c.primaryKey())
    .addColumn('docs', 'bigint', (c) => c.notNull())
    .addColumn('tokens', 'bigint', (c) => c.notNull())
    .addColumn('next_num', 'bigint', (c) => c.notNull())
    .addColumn('next_seg', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO kb_index (kb_id, docs, tokens, next_num, next_seg, version, updated_at)
    SELECT b.id, count(c.id), coalesce(sum(c.len_words + c.len_grams + c.len_chars), 0), coalesce(max(c.num) + 1, 0), 0,
      CASE WHEN count(c.id) = 0 THEN 1 ELSE 0 END, ${Date.now()}
    FROM kb_bases b LEFT JOIN kb_chunks c ON c.kb_id = b.id GROUP BY b.id`.execute(db);

  await db.schema.createTable('kb_segments')
    .addColumn('kb_id', 'text', (c) => c.notNull())
    .addColumn('seg', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('docs', 'bigint', (c) => c.notNull())
    .addColumn('dead', 'bigint', (c) => c.notNull())
    .addColumn('postings', 'bigint', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('min_num', 'bigint', (c) => c.notNull())
    .addColumn('max_num', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('kb_segments_pk', ['kb_id', 'seg'])
    .execute();

  await db.schema.createTable('kb_blocks')
    .addColumn('kb_id', 'text', (c) => c.notNull())
    .addColumn('seg', 'bigint', (c) => c.notNull())
    .addColumn('first_hash', 'bigint', (c) => c.notNull())
    .addColumn('data', sqlite ? 'blob' : sql`bytea`, (c) => c.notNull())
    .addPrimaryKeyConstraint('kb_blocks_pk', ['kb_id', 'seg', 'first_hash'])
    .execute();

  await db.schema.dropTable('kb_terms').execute();
  if (sqlite) await sql`DROP TABLE IF EXISTS kb_fts`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['kb_blocks', 'kb_segments', 'kb_index']) await db.schema.dropTable(t).execute();
  await db.schema.createIndex('kb_chunks_kb').on('kb_chunks').column('kb_id').execute();
  await db.schema.dropIndex('kb_chunks_num').execute();
  await db.schema.alterTable('kb_chunks').dropColumn('num').execute();
}
