import { parentPort } from 'node:worker_threads';
import { parseDocument } from './index.ts';
import { documentExtras } from './document-extras.ts';

/**
 * The worker side of worker-parser.ts: parses one document per message, without OCR; with `extras`, also reads what
 * leaves with the file besides its body (document-extras.ts) — a scan's pictures are left to OCR on the calling thread.
 */
parentPort?.on('message', async (msg: { id: number; name: string; bytes: Uint8Array; extras?: boolean }) => {
  try {
    const doc = await parseDocument(msg.name, msg.bytes, { ocr: null });
    const extras = msg.extras ? await documentExtras(doc.format, msg.bytes, { pictures: doc.status === 'ready' }) : undefined;
    parentPort!.postMessage({ id: msg.id, doc, extras });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
