/** Knowledge bases (src/knowledge): bases owned by a department, shares, documents, chunks, their full-text index, ingest jobs. */
export interface KbBasesTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  created_at: number;
  updated_at: number;
}

export interface KbSharesTable {
  kb_id: string;
  tenant_id: string;
  created_at: number;
}

export interface KbDocumentsTable {
  id: string;
  kb_id: string;
  /** Where it came from (a path for the CLI, the upload's file name for the API); unique within a KB. */
  source: string;
  /** The file name shown in results and citations. */
  name: string;
  format: string;
  sha256: string;
  status: string;
  note: string | null;
  bytes: number;
  chars: number;
  pages: number | null;
  chunk_count: number;
  metadata: string; // JSON object of strings
  created_at: number;
  updated_at: number;
}

export interface KbChunksTable {
  id: string;
  kb_id: string;
  document_id: string;
  seq: number;
  text: string;
  heading: string | null;
  page: number | null;
  /** Token counts of the index fields (their sum is the chunk's length for BM25). */
  len_words: number;
  len_grams: number;
  len_chars: number;
  /** SQLite: the chunk's rowid in the sqlite-vec tables (unique across bases); null on PostgreSQL. */
  fts_rowid: number | null;
  /** The chunk's number within its base (0, 1, 2, … in the order written): what the index's postings name. */
  num: number;
  /** Float32 vector, base64; null when no embedding model is configured. */
  embedding: string | null;
  created_at: number;
}

/** A base's full-text index as a whole: BM25's statistics and the counters for new chunks and segments. */
export interface KbIndexTable {
  kb_id: string;
  /** Live chunks and their tokens (all fields). */
  docs: number;
  tokens: number;
  next_num: number;
  next_seg: number;
  /** Index format; a base below the code's version is rebuilt from its chunks' text. */
  version: number;
  updated_at: number;
}

/** One immutable segment of a base's index: the postings of chunks min_num…max_num. */
export interface KbSegmentsTable {
  kb_id: string;
  seg: number;
  /** `ready` (searched) or `building` (a merge or rebuild in progress; invisible). */
  state: string;
  docs: number;
  /** Chunks of this segment deleted since it was written (their postings are dropped when it is merged). */
  dead: number;
  postings: number;
  bytes: number;
  min_num: number;
  max_num: number;
  created_at: number;
}

/** A block of a segment's term entries (src/store/repositories/kb-postings.ts), found by its first term's hash. */
export interface KbBlocksTable {
  kb_id: string;
  seg: number;
  first_hash: number;
  data: Uint8Array;
}

export interface KbJobsTable {
  id: string;
  batch_id: string;
  kb_id: string;
  source: string;
  name: string;
  /** Uploaded bytes as base64 (API uploads); null when `source` is a path the worker reads. */
  content: string | null;
  status: string; // queued | running | done | skipped | failed
  attempts: number;
  error: string | null;
  document_id: string | null;
  created_at: number;
  updated_at: number;
}

/** A department's own segmentation dictionary. */
export interface KbWordsTable {
  tenant_id: string;
  word: string;
  created_at: number;
}

export interface KnowledgeTables {
  kb_bases: KbBasesTable;
  kb_shares: KbSharesTable;
  kb_documents: KbDocumentsTable;
  kb_chunks: KbChunksTable;
  kb_index: KbIndexTable;
  kb_segments: KbSegmentsTable;
  kb_blocks: KbBlocksTable;
  kb_jobs: KbJobsTable;
  kb_words: KbWordsTable;
}
