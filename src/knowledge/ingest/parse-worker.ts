import { parentPort } from 'node:worker_threads';
import { detectFormat, parseDocument } from './index.ts';
import { documentExtras } from './document-extras.ts';
import { DEFAULT_INGEST_LIMITS } from './limits.ts';
import { readPdf, withPdf } from './pdf.ts';

/** The document, and with `extras` what leaves with it besides its body (document-extras.ts); a PDF is opened once for both. */
async function parse(name: string, bytes: Uint8Array, extras: boolean) {
  if (extras && detectFormat(name, bytes) === 'pdf') {
    return withPdf(bytes, DEFAULT_INGEST_LIMITS, async (pdf) => {
      const doc = await readPdf(pdf, null);
      return { doc, extras: await documentExtras('pdf', bytes, { pictures: doc.status === 'ready', pdf }) };
    });
  }
  const doc = await parseDocument(name, bytes, { ocr: null });
  return { doc, extras: extras ? await documentExtras(doc.format, bytes, { pictures: doc.status === 'ready' }) : undefined };
}

/**
 * The worker side of worker-parser.ts: parses one document per message, without OCR; with `extras`, also reads what
 * leaves with the file besides its body (document-extras.ts) — a scan's pictures are left to OCR on the calling thread.
 */
parentPort?.on('message', async (msg: { id: number; name: string; bytes: Uint8Array; extras?: boolean }) => {
  try {
    parentPort!.postMessage({ id: msg.id, ...await parse(msg.name, msg.bytes, msg.extras === true) });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
