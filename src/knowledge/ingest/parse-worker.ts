import { parentPort } from 'node:worker_threads';
import { parseDocument } from './index.ts';

/** The worker side of worker-parser.ts: parses one document per message, without OCR. */
parentPort?.on('message', async (msg: { id: number; name: string; bytes: Uint8Array }) => {
  try {
    const doc = await parseDocument(msg.name, msg.bytes, { ocr: null });
    parentPort!.postMessage({ id: msg.id, doc });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
