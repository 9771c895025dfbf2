import { sql, type Kysely, type Transaction } from 'kysely';
import { load } from 'sqlite-vec';
import { nativeDriver } from '../database.ts';
import type { Database } from '../schema.ts';

/**
 * Chunk vectors in sqlite-vec `vec0` virtual tables, on SQLite only. The dimension of a vec0 column is fixed
 * and depends on the configured embedding model, so the tables are created when the first vector of a
 * dimension arrives (`kb_vec_<dim>`, partitioned by knowledge base, rowid = kb_chunks.fts_rowid), not by a
 * migration. `kb_chunks.embedding` stays the source of truth: a base whose vec rows do not match it (vectors
 * written before sqlite-vec loaded, or by a process that could not load it) is rebuilt on its next search.
 * On PostgreSQL, or when the extension does not load, `vecIndex` returns null and the caller falls back to
 * brute-force cosine.
 */
const loaded = new WeakSet<object>();

type Exec = Kysely<Database> | Transaction<Database>;

export interface VecIndex {
  /** Adds vectors (Float32 base64) of chunks with these FTS rowids. */
  insert(exec: Exec, kbId: string, rows: ReadonlyArray<{ rowid: number; embedding: string }>): Promise<void>;
  /** Removes the vectors of the chunks matching `where` (a condition on kb_chunks). */
  deleteChunks(exec: Exec, column: 'document_id' | 'kb_id', value: string): Promise<void>;
  /** The k nearest chunks (cosine similarity, best first) in the given bases. */
  nearest(kbIds: readonly string[], query: Float32Array, k: number): Promise<Array<{ id: string; score: number }>>;
  /** Forget which bases were checked against kb_chunks (call after a write by another path). */
  invalidate(kbId: string): void;
}

/** The sqlite-vec index of this store, or null (PostgreSQL, or the extension failed to load). */
export function vecIndex(db: Kysely<Database>): VecIndex | null {
  const native = nativeDriver(db);
  if (native?.dialect !== 'sqlite' || process.env.YUMEN_SQLITE_VEC === 'off') return null;
  if (!loaded.has(native.sqlite)) {
    try {
      load(native.sqlite);
      loaded.add(native.sqlite);
    } catch {
      return null;
    }
  }
  const synced = new Set<string>();
  const dims = new Set<number>();

  async function tables(exec: Exec): Promise<number[]> {
    const r = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'kb_vec_%'`.execute(exec);
    return r.rows.map((t) => /^kb_vec_(\d+)$/.exec(t.name)).filter((m) => m !== null).map((m) => Number(m![1]));
  }
  async function ensure(exec: Exec, dim: number): Promise<void> {
    if (dims.has(dim)) return;
    await sql.raw(`CREATE VIRTUAL TABLE IF NOT EXISTS kb_vec_${dim} USING vec0(kb_id text partition key, embedding float[${dim}] distance_metric=cosine)`).execute(exec);
    dims.add(dim);
  }
  const blob = (b64: string) => Buffer.from(b64, 'base64');

  const index: VecIndex = {
    async insert(exec, kbId, rows) {
      for (const r of rows) {
        const b = blob(r.embedding);
        await ensure(exec, b.byteLength / 4);
        await sql`INSERT INTO ${sql.table(`kb_vec_${b.byteLength / 4}`)} (rowid, kb_id, embedding) VALUES (${BigInt(r.rowid)}, ${kbId}, ${b})`.execute(exec);
      }
    },
    async deleteChunks(exec, column, value) {
      for (const dim of await tables(exec)) {
        await sql`DELETE FROM ${sql.table(`kb_vec_${dim}`)} WHERE rowid IN (SELECT fts_rowid FROM kb_chunks WHERE ${sql.ref(column)} = ${value})`.execute(exec);
      }
      if (column === 'kb_id') synced.delete(value);
    },
    async nearest(kbIds, query, k) {
      for (const id of kbIds) if (!synced.has(id)) await sync(id);
      const dim = query.length;
      if (!(await tables(db)).includes(dim) || !kbIds.length) return [];
      const q = Buffer.from(query.buffer, query.byteOffset, query.byteLength);
      const r = await sql<{ id: string; distance: number }>`
        SELECT c.id, v.distance FROM (
          SELECT rowid, distance FROM ${sql.table(`kb_vec_${dim}`)} WHERE embedding MATCH ${q} AND k = ${BigInt(k)} AND kb_id IN (${sql.join(kbIds)})
        ) v JOIN kb_chunks c ON c.fts_rowid = v.rowid ORDER BY v.distance`.execute(db);
      return r.rows.map((x) => ({ id: x.id, score: 1 - Number(x.distance) }));
    },
    invalidate(kbId) { synced.delete(kbId); },
  };

  /** Rebuilds a base's vec rows from kb_chunks.embedding when the counts differ. */
  async function sync(kbId: string): Promise<void> {
    const want = await db.selectFrom('kb_chunks').select((eb) => eb.fn.countAll<number>().as('n')).where('kb_id', '=', kbId).where('embedding', 'is not', null).executeTakeFirstOrThrow();
    let have = 0;
    for (const dim of await tables(db)) {
      const r = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(`kb_vec_${dim}`)} WHERE kb_id = ${kbId}`.execute(db);
      have += Number(r.rows[0]?.n ?? 0);
    }
    if (have !== Number(want.n)) {
      await db.transaction().execute(async (tx) => {
        for (const dim of await tables(tx)) await sql`DELETE FROM ${sql.table(`kb_vec_${dim}`)} WHERE kb_id = ${kbId}`.execute(tx);
        const rows = await tx.selectFrom('kb_chunks').select(['fts_rowid', 'embedding']).where('kb_id', '=', kbId).where('embedding', 'is not', null).execute();
        await index.insert(tx, kbId, rows.map((r) => ({ rowid: Number(r.fts_rowid), embedding: r.embedding! })));
      });
    }
    synced.add(kbId);
  }
  return index;
}
