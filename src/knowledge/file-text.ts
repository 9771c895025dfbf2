import { createOcr, type OcrEngine } from './ocr.ts';
import { IngestLimitError } from './ingest/limits.ts';
import { createWorkerParser } from './ingest/worker-parser.ts';

/**
 * Reads the text of one file, as the knowledge bases parse it: '' when it has none (a photo); throws when it cannot be
 * read, or when `deadline` (a performance.now() time) passes before the next image to OCR.
 */
export interface FileTextReader {
  read(name: string, bytes: Uint8Array, deadline?: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * The text of files and images as the knowledge bases read them — text layers of PDF, Office and OFD files, text
 * files, OCR for images and scans — parsed in a worker thread with a heap limit, so that a hostile file fails alone.
 * The gateway reads the attachments of a request with it (gateway/attachments.ts). Without the OCR packages,
 * images and scans cannot be read.
 */
export function createFileTextReader(): FileTextReader {
  // Both start on the first file: a server that is never sent one pays nothing for them.
  const parser = createWorkerParser();
  let engine: Promise<OcrEngine | null> | undefined;
  return {
    async read(name, bytes, deadline) {
      const ocr = await (engine ??= createOcr({ enlarge: parser.enlarge }));
      // A scanned PDF of a hundred pages is a hundred OCR runs: stop between two when the caller's time is up.
      const timed = ocr && deadline !== undefined
        ? (image: Uint8Array) => {
          if (performance.now() > deadline) return Promise.reject(new IngestLimitError('no time left to read the images of this file'));
          return ocr(image);
        }
        : ocr;
      const { doc, extras } = await parser.parseWithExtras(name, bytes, { ocr: timed });
      // Without OCR an image or a scan is unread, not empty.
      if (doc.status === 'no_text_layer' && ocr === null) throw new Error(`${name}: an image or a scan, and OCR is not installed`);
      // A PDF whose text could not be decoded, or that is drawn with shapes: what a model shown it reads was not read.
      if (doc.metadata.unreadable) throw new Error(`${name}: ${doc.metadata.unreadable}`);
      // The body and what leaves with the file besides it: headers, comments, deleted revisions, properties, a PDF's form
      // fields and comments, a photo's metadata (read in the parsing worker: document-extras.ts) …
      const read = [doc.blocks.map((b) => b.text).join('\n'), doc.metadata.title, doc.metadata.author, extras.text];
      // … and the pictures pasted into it, or an animation's later frames and a TIFF's later pages (taken even when the
      // first showed no text).
      if (extras.pictures.length > 0 && timed === null) throw new Error(`${name}: holds pictures, and OCR is not installed`);
      for (const picture of extras.pictures) read.push(await timed!(picture));
      return read.filter(Boolean).join('\n');
    },
    async close() {
      await parser.close();
      await (await engine)?.close();
    },
  };
}
