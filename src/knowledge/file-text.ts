import { createOcr } from './ocr.ts';
import { createWorkerParser } from './ingest/worker-parser.ts';

/** Reads the text of one file, as the knowledge bases parse it; null when it has none. */
export interface FileTextReader {
  read(name: string, bytes: Uint8Array): Promise<string | null>;
  close(): Promise<void>;
}

/**
 * The text of files and images as the knowledge bases read them — text layers of PDF, Office and OFD files, text
 * files, OCR for images and scans — parsed in a worker thread with a heap limit, so that a hostile file fails alone.
 * The gateway reads the attachments of a request with it (gateway/attachments.ts). Without the OCR packages,
 * images have no text.
 */
export async function createFileTextReader(): Promise<FileTextReader> {
  const parser = createWorkerParser();
  const ocr = await createOcr();
  return {
    async read(name, bytes) {
      const doc = await parser.parse(name, bytes, { ocr });
      const text = doc.blocks.map((b) => b.text).join('\n');
      return text.trim() === '' ? null : text;
    },
    async close() {
      await parser.close();
      await ocr?.close();
    },
  };
}
