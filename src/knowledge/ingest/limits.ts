/** Caps that keep a decompression bomb from taking the memory of whoever parses it. */
export interface IngestLimits {
  /** Uncompressed bytes of one zip entry (DOCX/XLSX/PPTX/OFD part). */
  maxEntryBytes: number;
  /** Uncompressed bytes of every entry read from one archive together. */
  maxTotalBytes: number;
  /** Uncompressed ÷ compressed size of one entry, checked once it is larger than 1 MiB. */
  maxRatio: number;
  /** Entries in one archive's central directory. */
  maxEntries: number;
  /** Pages of one PDF. */
  maxPdfPages: number;
  /** Decoded bytes of one PDF stream, and of all of a PDF's streams together. */
  maxPdfStreamBytes: number;
  maxPdfDecodedBytes: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 128 * 1024 * 1024,
  maxRatio: 200,
  maxEntries: 20_000,
  maxPdfPages: 5_000,
  maxPdfStreamBytes: 64 * 1024 * 1024,
  maxPdfDecodedBytes: 256 * 1024 * 1024,
};

/** A document that exceeds a limit: the job fails with this message and nothing is indexed. */
export class IngestLimitError extends Error {
  constructor(message: string) {
    super(`ingest limit: ${message} / 超出导入限制`);
    this.name = 'IngestLimitError';
  }
}
