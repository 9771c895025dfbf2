import { sql, type Kysely, type Transaction } from 'kysely';
import { cachedStatement, nativeDriver, type DialectName } from '../database.ts';
import type { Database } from '../schema.ts';
import type { KbDocumentsTable } from '../tables/knowledge.ts';
import { DEFAULT_MAX_POSTINGS, rankBm25, type PlannedTerm, type RankTerm } from './kb-bm25.ts';
import { keyBytes, scanBlock, termHash } from './kb-postings.ts';
import { SegmentBuilder } from './kb-segment-builder.ts';
import { ensureIndexRow, finishRebuild, INDEX_VERSION, lookupBlocks, markDead, mergeSegments, reserve, writeSegment, deleteIndex, WRITE_MERGE_FACTOR } from './kb-segments.ts';
import { vecIndex, type VecIndex } from './knowledge-vec.ts';
import { anyOf, createBulkInserter, createStatsKeeper } from './kb-rows.ts';

/** The token fields of a chunk or a query (see src/knowledge/segmentation.ts). */
export interface KbTokenFields { words: string[]; grams: string[]; chars: string[] }

/** How many tokens a chunk has in each field. */
export interface KbTokenCounts { words: number; grams: number; chars: number }

export interface KbChunkInput {
  seq: number;
  text: string;
  heading: string | null;
  page: number | null;
  /** Its token counts, as KbIndexInput.add returned them. */
  lens: KbTokenCounts;
  /** Float32 vector as base64, or null. */
  embedding: string | null;
}

/** A document and its chunks, as one ingest writes them. */
export interface KbDocumentWrite { doc: KbDocumentsTable; chunks: readonly KbChunkInput[] }

/**
 * The index postings of the chunks a write holds, added a chunk at a time in write order (documents in order,
 * their chunks in order), so the chunks' tokens need not be kept until the write.
 */
export class KbIndexInput {
  readonly segment = new SegmentBuilder();
  private next = 0;
  /** Adds the next chunk's tokens (or those of chunk `num`, for a rebuild); returns its token counts. */
  add(tokens: KbTokenFields, num = this.next): KbTokenCounts {
    const lens = { words: tokens.words.length, grams: tokens.grams.length, chars: tokens.chars.length };
    this.segment.add({ num, len: lens.words + lens.grams + lens.chars, fields: FIELDS.map((f) => [PREFIX[f], tokens[f]] as const) });
    this.next = num + 1;
    return lens;
  }
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

/** A full-text search's hits, what it read, and the bases it could not search until their index is rebuilt. */
export interface KbSearch {
  hits: KbHit[];
  /** Each query term with its document frequency and whether it was read (kb-bm25.ts). */
  terms: PlannedTerm[];
  /** Postings read. */
  postings: number;
  /** Bases whose index predates this code (rebuild them, then search again). */
  stale: string[];
}

/** BM25 weights of the fields, multiplying term frequency (FTS5's column weights); fitted on CMRC dev (bench/retrieval.ts). */
export interface KbFieldWeights { words: number; grams: number; chars: number }
export const DEFAULT_FIELD_WEIGHTS: KbFieldWeights = { words: 1, grams: 0.5, chars: 0.3 };

const FIELDS = ['words', 'grams', 'chars'] as const;
/** A key is a field letter and the token ("w差旅费", "g差旅"). */
const PREFIX = { words: 'w', grams: 'g', chars: 'c' } as const;

const chunkLength = (t: KbTokenCounts) => t.words + t.grams + t.chars;

/**
 * Runs `each` over parts of `values`: 500 at a time on SQLite (its IN lists), all at once on PostgreSQL, where
 * `anyOf` binds them as one array parameter (a round trip per 500 was ~30 of them per ingest group).
 */
async function inChunks<T>(values: readonly T[], each: (part: T[]) => Promise<void>, dialect: DialectName = 'sqlite'): Promise<void> {
  const step = dialect === 'postgres' ? Math.max(1, values.length) : 500;
  for (let i = 0; i < values.length; i += step) await each(values.slice(i, i + step));
}

/** Removes documents with their chunks and vectors; returns the chunks' numbers and tokens (for the index's counts). */
async function deleteDocumentRows(tx: Transaction<Database>, documentIds: readonly string[], vec: VecIndex | null): Promise<{ nums: number[]; tokens: number }> {
  const nums: number[] = [];
  let tokens = 0;
  await inChunks(documentIds, async (ids) => {
    const rows = await tx.selectFrom('kb_chunks').select(['num', 'len_words', 'len_grams', 'len_chars']).where('document_id', 'in', ids).execute();
    for (const r of rows) { nums.push(Number(r.num)); tokens += Number(r.len_words) + Number(r.len_grams) + Number(r.len_chars); }
    if (vec) for (const id of ids) await vec.deleteChunks(tx, 'document_id', id);
    await tx.deleteFrom('kb_chunks').where('document_id', 'in', ids).execute();
    await tx.deleteFrom('kb_documents').where('id', 'in', ids).execute();
  });
  return { nums, tokens };
}

/**
 * Chunks and their full-text index: Yumen's own inverted index (kb-postings.ts, kb-segments.ts), the same on SQLite
 * and PostgreSQL, ranked by FTS5's BM25 (kb-bm25.ts). A write is one transaction and one new index segment however
 * many documents it holds; segments are merged after it. Query tokens arrive pre-segmented.
 */
export function createKnowledgeIndexRepository(db: Kysely<Database>, dialect: DialectName) {
  const vec = vecIndex(db);
  const insert = createBulkInserter(db);
  const wrote = createStatsKeeper(db, dialect);

  const native = nativeDriver(db);
  /** The rows of chunks by (base, number), with their document's name. */
  async function fetchChunks(kbIds: readonly string[], wanted: ReadonlyArray<{ base: number; num: number }>): Promise<Array<Omit<KbHit, 'score'> & { num: number }>> {
    const byBase = new Map<number, number[]>();
    for (const w of wanted) (byBase.get(w.base) ?? byBase.set(w.base, []).get(w.base)!).push(w.num);
    if (!byBase.size) return [];
    if (native?.dialect === 'sqlite') {
      // One statement prepared once, the numbers as a JSON array: preparing a 58-value IN list cost twice running it.
      const st = cachedStatement(native.sqlite, 'fetchChunks', () => `SELECT c.id AS chunkId, c.kb_id AS kbId, c.document_id AS documentId, d.name AS document,
          c.seq, c.text, c.heading, c.page, c.num
        FROM kb_chunks c JOIN kb_documents d ON d.id = c.document_id
        WHERE c.kb_id = ? AND c.num IN (SELECT value FROM json_each(?))`);
      return [...byBase].flatMap(([base, nums]) => st.all(kbIds[base], JSON.stringify(nums)) as Array<Omit<KbHit, 'score'> & { num: number }>);
    }
    if (native?.dialect === 'postgres') {
      // A named statement, parsed and planned once per connection: planning the join cost ~1 ms a search.
      const out: Array<Omit<KbHit, 'score'> & { num: number }> = [];
      for (const [base, nums] of byBase) {
        const r = await native.pool.query({
          name: 'yumen_kb_chunks_by_num',
          text: `SELECT c.id AS "chunkId", c.kb_id AS "kbId", c.document_id AS "documentId", d.name AS document, c.seq, c.text, c.heading, c.page, c.num
            FROM kb_chunks c JOIN kb_documents d ON d.id = c.document_id WHERE c.kb_id = $1 AND c.num = ANY($2::bigint[])`,
          values: [kbIds[base], nums],
        });
        out.push(...r.rows);
      }
      return out;
    }
    return db.selectFrom('kb_chunks as c').innerJoin('kb_documents as d', 'd.id', 'c.document_id')
      .select(['c.id as chunkId', 'c.kb_id as kbId', 'c.document_id as documentId', 'd.name as document', 'c.seq', 'c.text', 'c.heading', 'c.page', 'c.num'])
      .where((eb) => eb.or([...byBase].map(([base, nums]) => eb.and([eb('c.kb_id', '=', kbIds[base]), eb('c.num', 'in', nums)]))))
      .execute();
  }

  return {
    /** True when vectors are searched in sqlite-vec; false = brute-force cosine by the caller. */
    hasVectorIndex: vec !== null,

    /**
     * Writes documents of one base with their chunks and index (`input`: their chunks' tokens, in order), in one
     * transaction: a document replaces the one of the same (base, source). Then merges the base's segments if a
     * level holds WRITE_MERGE_FACTOR of them (a finished ingest calls `merge` for the tighter bound).
     */
    async writeDocuments(docs: readonly KbDocumentWrite[], input: KbIndexInput): Promise<void> {
      if (!docs.length) return;
      const kbId = docs[0].doc.kb_id;
      if (docs.some((d) => d.doc.kb_id !== kbId)) throw new Error('writeDocuments: documents of one knowledge base at a time');
      if (input.segment.chunks !== docs.reduce((n, d) => n + d.chunks.length, 0)) throw new Error('writeDocuments: the index input does not match the chunks');
      await db.transaction().execute(async (tx) => {
        await ensureIndexRow(tx, kbId);
        const old: string[] = [];
        await inChunks(docs.map((d) => d.doc.source), async (sources) => {
          for (const r of await tx.selectFrom('kb_documents').select('id').where('kb_id', '=', kbId).where(anyOf(dialect, 'source', sources)).execute()) old.push(r.id);
        }, dialect);
        const removed = await deleteDocumentRows(tx, old, vec);
        const chunks = docs.flatMap((d) => d.chunks.map((c) => ({ d: d.doc, c })));
        const tokens = chunks.reduce((n, x) => n + chunkLength(x.c.lens), 0);
        const { firstNum, seg } = await reserve(tx, kbId, chunks.length, chunks.length - removed.nums.length, tokens - removed.tokens);
        let rowid = 0;
        if (dialect === 'sqlite' && chunks.length) {
          // sqlite-vec rows need an id unique across bases; max() over the indexed column.
          const r = await sql<{ m: number | null }>`SELECT max(fts_rowid) AS m FROM kb_chunks`.execute(tx);
          rowid = Number(r.rows[0]?.m ?? 0) + 1;
        }
        await insert(tx, 'kb_documents', docs.map((d) => d.doc));
        const now = Date.now();
        const rows = chunks.map(({ d, c }, i) => ({
          id: `${d.id}:${c.seq}`, kb_id: kbId, document_id: d.id, seq: c.seq, text: c.text, heading: c.heading, page: c.page,
          len_words: c.lens.words, len_grams: c.lens.grams, len_chars: c.lens.chars,
          fts_rowid: dialect === 'sqlite' ? rowid + i : null, num: firstNum + i, embedding: c.embedding, created_at: now,
        }));
        await insert(tx, 'kb_chunks', rows);
        if (vec) await vec.insert(tx, kbId, rows.filter((r) => r.embedding !== null).map((r) => ({ rowid: r.fts_rowid!, embedding: r.embedding! })));
        await writeSegment(tx, insert, kbId, seg, input.segment, firstNum, 'ready');
        await markDead(tx, kbId, removed.nums);
      });
      await wrote(input.segment.chunks);
      await mergeSegments(db, insert, kbId, WRITE_MERGE_FACTOR);
    },

    async deleteDocument(documentId: string): Promise<void> {
      const kbId = await db.transaction().execute(async (tx) => {
        const doc = await tx.selectFrom('kb_documents').select('kb_id').where('id', '=', documentId).executeTakeFirst();
        if (!doc) return null;
        await ensureIndexRow(tx, doc.kb_id);
        const removed = await deleteDocumentRows(tx, [documentId], vec);
        await reserve(tx, doc.kb_id, 0, -removed.nums.length, -removed.tokens);
        await markDead(tx, doc.kb_id, removed.nums);
        return doc.kb_id;
      });
      if (kbId) await mergeSegments(db, insert, kbId);
    },

    async deleteBaseIndex(kbId: string): Promise<void> {
      if (vec) await vec.deleteChunks(db, 'kb_id', kbId);
      await db.transaction().execute((tx) => deleteIndex(tx, kbId));
    },

    /**
     * BM25 over the given bases, best first, with what the search read. Reads one block per query term and
     * segment (one statement), then only the postings of terms the plan keeps (kb-bm25.ts).
     */
    async searchFullText(kbIds: readonly string[], query: KbTokenFields, limit: number, opts: { weights?: KbFieldWeights; maxPostings?: number } = {}): Promise<KbSearch> {
      const result: KbSearch = { hits: [], terms: [], postings: 0, stale: [] };
      if (!kbIds.length || limit < 1) return result;
      const stats = await db.selectFrom('kb_index').select(['kb_id', 'docs', 'tokens', 'next_num', 'version']).where('kb_id', 'in', kbIds).execute();
      result.stale = stats.filter((s) => s.version < INDEX_VERSION).map((s) => s.kb_id);
      const bases = stats.filter((s) => Number(s.docs) > 0);
      if (result.stale.length || !bases.length) return result;
      const weights = opts.weights ?? DEFAULT_FIELD_WEIGHTS;
      const terms: Array<RankTerm & { hash: number; bytes: Uint8Array; lists: Array<{ base: number; df: number; postings: Uint8Array }> }> = [];
      for (const f of FIELDS) {
        for (const t of new Set(query[f])) {
          const key = PREFIX[f] + t;
          terms.push({ key, weight: weights[f], hash: termHash(key), bytes: keyBytes(key), lists: [] });
        }
      }
      if (!terms.length) return result;
      const byHash = new Map<number, typeof terms>();
      for (const t of terms) (byHash.get(t.hash) ?? byHash.set(t.hash, []).get(t.hash)!).push(t);
      const baseOf = new Map(bases.map((b, i) => [b.kb_id, i]));
      const seen = new Set<string>();
      for (const block of await lookupBlocks(db, bases.map((b) => b.kb_id), [...byHash.keys()])) {
        const base = baseOf.get(block.kbId)!;
        scanBlock(block.data, byHash, (t, df, postings) => {
          // A term has one entry per segment; a block fetched twice must not count it twice.
          const once = `${t.key}\u0000${block.kbId}\u0000${block.seg}`;
          if (seen.has(once)) return;
          seen.add(once);
          t.lists.push({ base, df, postings });
        });
      }
      const rankBases = bases.map((b) => ({ docs: Number(b.docs), tokens: Number(b.tokens), nextNum: Number(b.next_num) }));
      const ids = bases.map((b) => b.kb_id);
      // Chunks deleted since their segment was written still have postings: fetch a few extra, more if needed.
      const rows = new Map<string, Omit<KbHit, 'score'> & { num: number }>();
      for (let want = limit + 8, tries = 0; ; want *= 4, tries++) {
        const ranked = rankBm25(terms, rankBases, want, opts.maxPostings ?? DEFAULT_MAX_POSTINGS);
        const key = (base: number, num: number) => `${base}:${num}`;
        const missing = ranked.top.filter((r) => !rows.has(key(r.base, r.num)));
        for (const row of await fetchChunks(ids, missing)) rows.set(key(baseOf.get(row.kbId)!, Number(row.num)), row);
        const hits: KbHit[] = [];
        for (const r of ranked.top) {
          const row = rows.get(key(r.base, r.num));
          if (row) hits.push({ chunkId: row.chunkId, kbId: row.kbId, documentId: row.documentId, document: row.document, seq: row.seq, text: row.text, heading: row.heading, page: row.page, score: r.score });
        }
        if (hits.length >= limit || ranked.top.length < want || tries >= 3) return { hits: hits.slice(0, limit), terms: ranked.plan, postings: ranked.postings, stale: [] };
      }
    },

    /** Merges the base's index segments until no level holds MERGE_FACTOR of them (ingests call it when they finish). */
    merge: (kbId: string) => mergeSegments(db, insert, kbId),

    /** The base's index version and the number its next chunk gets (undefined: nothing written yet). */
    async indexState(kbId: string): Promise<{ version: number; nextNum: number } | undefined> {
      const r = await db.selectFrom('kb_index').select(['version', 'next_num']).where('kb_id', '=', kbId).executeTakeFirst();
      return r && { version: Number(r.version), nextNum: Number(r.next_num) };
    },

    /** Bases whose index predates this code's version. */
    async staleIndexes(): Promise<string[]> {
      return (await db.selectFrom('kb_index').select('kb_id').where('version', '<', INDEX_VERSION).execute()).map((r) => r.kb_id);
    },

    /** Chunks numbered after `afterNum` and below `below`, in number order (a rebuild reads a base a page at a time). */
    chunksToRebuild: (kbId: string, afterNum: number, below: number, limit: number) =>
      db.selectFrom('kb_chunks').select(['num', 'text', 'heading']).where('kb_id', '=', kbId).where('num', '>', afterNum).where('num', '<', below)
        .orderBy('num').limit(limit).execute(),

    /**
     * Writes the new token counts of rebuilt chunks and an invisible segment over them (`input`: their tokens,
     * added with their numbers); returns the segment's id.
     */
    async writeRebuilt(kbId: string, chunks: ReadonlyArray<{ num: number; lens: KbTokenCounts }>, input: KbIndexInput): Promise<number> {
      return db.transaction().execute(async (tx) => {
        const { seg } = await reserve(tx, kbId, 0, 0, 0);
        for (let i = 0; i < chunks.length; i += 500) {
          const part = chunks.slice(i, i + 500);
          const setTo = (f: (typeof FIELDS)[number]) => sql`CASE num ${sql.join(part.map((c) => sql`WHEN ${c.num} THEN CAST(${c.lens[f]} AS integer)`), sql` `)} END`;
          await sql`UPDATE kb_chunks SET len_words = ${setTo('words')}, len_grams = ${setTo('grams')}, len_chars = ${setTo('chars')}
            WHERE kb_id = ${kbId} AND num IN (${sql.join(part.map((c) => c.num))})`.execute(tx);
        }
        await writeSegment(tx, insert, kbId, seg, input.segment, 0, 'building');
        return seg;
      });
    },

    /** Makes the rebuilt segments the index of every chunk below `boundary`; false when another process did first. */
    finishRebuild: (kbId: string, boundary: number, segs: readonly number[]) => finishRebuild(db, kbId, boundary, segs),

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
