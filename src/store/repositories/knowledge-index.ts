import { sql, type Kysely, type Transaction } from 'kysely';
import type { DialectName } from '../database.ts';
import type { Database } from '../schema.ts';
import type { KbDocumentsTable } from '../tables/knowledge.ts';
import { vecIndex, type VecIndex } from './knowledge-vec.ts';

/** The three token fields of a chunk or a query (see src/knowledge/segmentation.ts). */
export interface KbTokenFields { words: string[]; grams: string[]; chars: string[] }

export interface KbChunkInput {
  seq: number;
  text: string;
  heading: string | null;
  page: number | null;
  tokens: KbTokenFields;
  /** Float32 vector as base64, or null. */
  embedding: string | null;
}

export interface KbHit {
  chunkId: string;
  kbId: string;
  documentId: string;
  document: string;
  seq: number;
  text: string;
  heading: string | null;
  page: number | null;
  score: number;
}

/** BM25 weights of the three fields; tuned on WebQA/CMRC (bench/retrieval.ts). */
export interface KbFieldWeights { words: number; grams: number; chars: number }
export const DEFAULT_FIELD_WEIGHTS: KbFieldWeights = { words: 1, grams: 0.5, chars: 0.3 };

const K1 = 1.2;
const B = 0.75;
const FIELDS = ['words', 'grams', 'chars'] as const;
const PREFIX = { words: 'w:', grams: 'g:', chars: 'c:' } as const;

/** FTS5 phrase: a token in double quotes (quotes doubled), so no token is read as an operator. */
const phrase = (t: string) => `"${t.replaceAll('"', '""')}"`;

export function fts5Query(q: KbTokenFields): string | null {
  const parts: string[] = [];
  for (const f of FIELDS) {
    const uniq = [...new Set(q[f])];
    if (uniq.length) parts.push(`${f} : (${uniq.map(phrase).join(' OR ')})`);
  }
  return parts.length ? parts.join(' OR ') : null;
}

function counts(tokens: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of tokens) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

async function deleteDocumentRows(tx: Transaction<Database>, dialect: DialectName, documentId: string, vec: VecIndex | null): Promise<void> {
  if (vec) await vec.deleteChunks(tx, 'document_id', documentId);
  if (dialect === 'sqlite') {
    await sql`DELETE FROM kb_fts WHERE rowid IN (SELECT fts_rowid FROM kb_chunks WHERE document_id = ${documentId})`.execute(tx);
  } else {
    await tx.deleteFrom('kb_terms').where('chunk_id', 'in', tx.selectFrom('kb_chunks').select('id').where('document_id', '=', documentId)).execute();
  }
  await tx.deleteFrom('kb_chunks').where('document_id', '=', documentId).execute();
  await tx.deleteFrom('kb_documents').where('id', '=', documentId).execute();
}

/**
 * The SQLite full-text search: FTS5 drives, kb_chunks is looked up by rowid. The base is checked on kb_chunks
 * (read for the join anyway): kb_fts.kb_id would load each matching row's whole token record from the FTS
 * content table just to compare one column. The unary + keeps the planner from driving the join from
 * kb_chunks' kb_id index, which would run the MATCH once per chunk of the base (test/knowledge/query-plan.test.ts).
 */
export function sqliteFullTextQuery(kbIds: readonly string[], match: string, limit: number, weights: KbFieldWeights) {
  const rank = sql`bm25(kb_fts, ${weights.words}, ${weights.grams}, ${weights.chars})`;
  return sql<KbHit>`
    SELECT c.id AS "chunkId", c.kb_id AS "kbId", c.document_id AS "documentId", d.name AS document, c.seq, c.text, c.heading, c.page, -${rank} AS score
    FROM kb_fts JOIN kb_chunks c ON c.fts_rowid = kb_fts.rowid JOIN kb_documents d ON d.id = c.document_id
    WHERE kb_fts MATCH ${match} AND +c.kb_id IN (${sql.join(kbIds)})
    ORDER BY ${rank} LIMIT ${limit}`;
}

/**
 * Chunks and their full-text index. SQLite: FTS5 with bm25() and per-field weights. PostgreSQL: a postings
 * table (one row per distinct token of a chunk) with the same BM25 (k1 1.2, b 0.75, FTS5's idf) computed in SQL,
 * so both stores rank alike. Query tokens arrive pre-segmented.
 */
export function createKnowledgeIndexRepository(db: Kysely<Database>, dialect: DialectName) {
  const vec = vecIndex(db);
  return {
    /** True when vectors are searched in sqlite-vec; false = brute-force cosine by the caller. */
    hasVectorIndex: vec !== null,
    /** Replaces the document of the same (kb, source), its chunks and its index rows, in one transaction. */
    async writeDocument(doc: KbDocumentsTable, chunks: readonly KbChunkInput[]): Promise<void> {
      await db.transaction().execute(async (tx) => {
        const old = await tx.selectFrom('kb_documents').select('id').where('kb_id', '=', doc.kb_id).where('source', '=', doc.source).executeTakeFirst();
        if (old) await deleteDocumentRows(tx, dialect, old.id, vec);
        await tx.insertInto('kb_documents').values(doc).execute();
        let nextRowid = 0;
        if (dialect === 'sqlite' && chunks.length) {
          // max() over the indexed column of kb_chunks: on the FTS5 table itself it would scan every row.
          const r = await sql<{ m: number | null }>`SELECT max(fts_rowid) AS m FROM kb_chunks`.execute(tx);
          nextRowid = Number(r.rows[0]?.m ?? 0) + 1;
        }
        const now = Date.now();
        for (let i = 0; i < chunks.length; i += 200) {
          const batch = chunks.slice(i, i + 200);
          const rows = batch.map((c, j) => ({
            id: `${doc.id}:${c.seq}`, kb_id: doc.kb_id, document_id: doc.id, seq: c.seq, text: c.text, heading: c.heading, page: c.page,
            len_words: c.tokens.words.length, len_grams: c.tokens.grams.length, len_chars: c.tokens.chars.length,
            fts_rowid: dialect === 'sqlite' ? nextRowid + i + j : null, embedding: c.embedding, created_at: now,
          }));
          await tx.insertInto('kb_chunks').values(rows).execute();
          if (dialect === 'sqlite') {
            const values = sql.join(batch.map((c, j) => sql`(${nextRowid + i + j}, ${c.tokens.words.join(' ')}, ${c.tokens.grams.join(' ')}, ${c.tokens.chars.join(' ')}, ${doc.kb_id})`));
            await sql`INSERT INTO kb_fts (rowid, words, grams, chars, kb_id) VALUES ${values}`.execute(tx);
            if (vec) await vec.insert(tx, doc.kb_id, rows.filter((r) => r.embedding !== null).map((r) => ({ rowid: r.fts_rowid!, embedding: r.embedding! })));
          } else {
            const postings: Array<{ kb_id: string; chunk_id: string; term: string; tf: number }> = [];
            batch.forEach((c, j) => {
              for (const f of FIELDS) for (const [t, tf] of counts(c.tokens[f])) postings.push({ kb_id: doc.kb_id, chunk_id: rows[j].id, term: PREFIX[f] + t, tf });
            });
            for (let k = 0; k < postings.length; k += 5000) await tx.insertInto('kb_terms').values(postings.slice(k, k + 5000)).execute();
          }
        }
      });
    },

    async deleteDocument(documentId: string): Promise<void> {
      await db.transaction().execute((tx) => deleteDocumentRows(tx, dialect, documentId, vec));
    },

    async deleteBaseIndex(kbId: string): Promise<void> {
      if (vec) await vec.deleteChunks(db, 'kb_id', kbId);
      if (dialect === 'sqlite') await sql`DELETE FROM kb_fts WHERE rowid IN (SELECT fts_rowid FROM kb_chunks WHERE kb_id = ${kbId})`.execute(db);
    },

    /** Full-text BM25 over the given bases, best first. */
    async searchFullText(kbIds: readonly string[], query: KbTokenFields, limit: number, weights: KbFieldWeights = DEFAULT_FIELD_WEIGHTS): Promise<KbHit[]> {
      if (!kbIds.length) return [];
      if (dialect === 'sqlite') {
        const match = fts5Query(query);
        if (!match) return [];
        const r = await sqliteFullTextQuery(kbIds, match, limit, weights).execute(db);
        return r.rows.map((h) => ({ ...h, score: Number(h.score) }));
      }
      return searchPostgres(db, kbIds, query, limit, weights);
    },

    /** The k nearest chunks by cosine in sqlite-vec; null when there is no vector index (brute force instead). */
    async nearestVectors(kbIds: readonly string[], query: Float32Array, k: number): Promise<Array<{ id: string; score: number }> | null> {
      return vec ? vec.nearest(kbIds, query, k) : null;
    },

    /** Every stored vector of the bases (brute-force cosine happens in src/knowledge). */
    async listEmbeddings(kbIds: readonly string[]): Promise<Array<{ id: string; embedding: string }>> {
      if (!kbIds.length) return [];
      return db.selectFrom('kb_chunks').select(['id', 'embedding']).where('kb_id', 'in', kbIds).where('embedding', 'is not', null).execute() as Promise<Array<{ id: string; embedding: string }>>;
    },

    async chunksByIds(ids: readonly string[]): Promise<Array<Omit<KbHit, 'score'>>> {
      if (!ids.length) return [];
      return db.selectFrom('kb_chunks as c').innerJoin('kb_documents as d', 'd.id', 'c.document_id')
        .select(['c.id as chunkId', 'c.kb_id as kbId', 'c.document_id as documentId', 'd.name as document', 'c.seq', 'c.text', 'c.heading', 'c.page'])
        .where('c.id', 'in', ids).execute();
    },
  };
}
export type KnowledgeIndexRepository = ReturnType<typeof createKnowledgeIndexRepository>;

async function searchPostgres(db: Kysely<Database>, kbIds: readonly string[], query: KbTokenFields, limit: number, weights: KbFieldWeights): Promise<KbHit[]> {
  const terms = new Map<string, number>(); // term → field weight
  for (const f of FIELDS) for (const t of new Set(query[f])) terms.set(PREFIX[f] + t, weights[f]);
  if (!terms.size) return [];
  const stats = await db.selectFrom('kb_chunks')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.avg<number>('len_words').as('aw'), eb.fn.avg<number>('len_grams').as('ag'), eb.fn.avg<number>('len_chars').as('ac')])
    .where('kb_id', 'in', kbIds).executeTakeFirstOrThrow();
  const n = Number(stats.n);
  if (!n) return [];
  const dfs = await db.selectFrom('kb_terms').select((eb) => ['term', eb.fn.countAll<number>().as('df')])
    .where('kb_id', 'in', kbIds).where('term', 'in', [...terms.keys()]).groupBy('term').execute();
  if (!dfs.length) return [];
  // FTS5's idf: log((N - df + 0.5) / (df + 0.5)), floored at 1e-6 so very common tokens still count a little.
  const q = dfs.map((d) => {
    const df = Number(d.df);
    const idf = Math.max(1e-6, Math.log((n - df + 0.5) / (df + 0.5)));
    return sql`(${d.term}::text, ${idf * terms.get(d.term)!}::float8)`;
  });
  const avg = { w: Number(stats.aw) || 1, g: Number(stats.ag) || 1, c: Number(stats.ac) || 1 };
  const r = await sql<KbHit>`
    WITH q(term, w) AS (VALUES ${sql.join(q)}),
    scored AS (
      SELECT t.chunk_id, sum(q.w * t.tf * ${K1 + 1} / (t.tf + ${K1} * (${1 - B} + ${B} * (CASE left(t.term, 1)
          WHEN 'w' THEN c.len_words / ${avg.w}::float8 WHEN 'g' THEN c.len_grams / ${avg.g}::float8 ELSE c.len_chars / ${avg.c}::float8 END)))) AS score
      FROM kb_terms t JOIN q ON q.term = t.term JOIN kb_chunks c ON c.id = t.chunk_id
      WHERE t.kb_id IN (${sql.join(kbIds)})
      GROUP BY t.chunk_id ORDER BY score DESC LIMIT ${limit}
    )
    SELECT c.id AS "chunkId", c.kb_id AS "kbId", c.document_id AS "documentId", d.name AS document, c.seq, c.text, c.heading, c.page, s.score
    FROM scored s JOIN kb_chunks c ON c.id = s.chunk_id JOIN kb_documents d ON d.id = c.document_id
    ORDER BY s.score DESC`.execute(db);
  return r.rows.map((h) => ({ ...h, score: Number(h.score) }));
}
