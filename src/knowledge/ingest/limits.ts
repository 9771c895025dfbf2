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
  /** Pixels of one image given to OCR (as its header declares them, before anything is decoded). */
  maxImagePixels: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 128 * 1024 * 1024,
  maxRatio: 200,
  maxEntries: 20_000,
  maxPdfPages: 5_000,
  maxPdfStreamBytes: 64 * 1024 * 1024,
  maxPdfDecodedBytes: 256 * 1024 * 1024,
  // A 12-megapixel photo, an A4 page scanned at 600 dpi (35 MP) fit; a declared 30,000 × 30,000 does not.
  maxImagePixels: 40_000_000,
};

/** A document that exceeds a limit: the job fails with this message and nothing is indexed. */
export class IngestLimitError extends Error {
  constructor(message: string) {
    super(`ingest limit: ${message} / 超出导入限制`);
    this.name = 'IngestLimitError';
  }
}

/** Images smaller than this (pixels) are logos, bullets and rules, not a scanned or pasted page. */
export const MIN_PICTURE_PIXELS = 2_000;
