/** Knowledge bases (src/knowledge): bases owned by a department, shares, documents, chunks, index terms, ingest jobs. */
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
  /** Token counts of the three index fields (BM25 length normalisation on PostgreSQL). */
  len_words: number;
  len_grams: number;
  len_chars: number;
  /** SQLite: the rowid of the chunk's FTS5 row. */
  fts_rowid: number | null;
  /** Float32 vector, base64; null when no embedding model is configured. */
  embedding: string | null;
  created_at: number;
}

/** PostgreSQL full-text postings: one row per distinct token of a chunk (field-prefixed: w:, g:, c:). */
export interface KbTermsTable {
  kb_id: string;
  chunk_id: string;
  term: string;
  tf: number;
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
  kb_terms: KbTermsTable;
  kb_jobs: KbJobsTable;
  kb_words: KbWordsTable;
}
