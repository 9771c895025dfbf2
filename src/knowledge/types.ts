/** A piece of a parsed document, in reading order. */
export interface Block {
  kind: 'heading' | 'text' | 'row';
  text: string;
  /** 1-based page (PDF, OFD), slide (PPTX) or sheet (XLSX); absent when the format has none. */
  page?: number;
  /** Heading level 1–6. */
  level?: number;
}

export type DocumentFormat = 'pdf' | 'docx' | 'xlsx' | 'csv' | 'pptx' | 'html' | 'md' | 'txt' | 'ofd' | 'image';

export type DocumentStatus = 'ready' | 'no_text_layer' | 'failed';

export interface ParsedDocument {
  format: DocumentFormat;
  blocks: Block[];
  /** ready; no_text_layer for a scanned PDF or an image when OCR is unavailable. */
  status: DocumentStatus;
  pages?: number;
  /** Title, author, sheet names, the detected text encoding… (strings only). */
  metadata: Record<string, string>;
  /** Why status is not ready. */
  note?: string;
}

export interface Chunk {
  seq: number;
  text: string;
  heading: string | null;
  page: number | null;
}

/** One search hit as the API returns it. */
export interface SearchResult {
  /** The document's file name. */
  document: string;
  /** The chunk's ordinal within its document (0-based). */
  chunk: number;
  score: number;
  text: string;
  page: number | null;
  kb: string;
  heading: string | null;
  chunkId: string;
  documentId: string;
}

/** A retrieved source as it enters a grounded prompt, numbered from 1. */
export interface Source {
  n: number;
  document: string;
  page: number | null;
  chunk: number;
  text: string;
  kb: string;
}

export interface Citation {
  n: number;
  document: string;
  page: number | null;
  chunk: number;
  kb: string;
}

export type KbAction = 'read' | 'write';
