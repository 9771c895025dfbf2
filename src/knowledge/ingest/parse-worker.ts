import { parentPort } from 'node:worker_threads';
import { detectFormat, parseDocument } from './index.ts';
import { documentExtras } from './document-extras.ts';
import { DEFAULT_INGEST_LIMITS } from './limits.ts';
import { pagePictures, readPdf, withPdf, type PdfDocument } from './pdf.ts';
import type { EnlargeRequest, ParseReply, ParseRequest, ScanRequest } from './worker-parser.ts';
import { enlargedPng } from './scale.ts';

const post = (reply: ParseReply): void => parentPort!.postMessage(reply);
const failure = (id: number, err: unknown): ParseReply => ({ id, error: err instanceof Error ? err.message : String(err) });

/** Page requests for the scan held open (one at a time: the parser sends one document at a time). */
const inbox: ScanRequest[] = [];
let waiting: ((m: ScanRequest) => void) | null = null;
let scanOpen = false;

function nextScanRequest(): Promise<ScanRequest> {
  const m = inbox.shift();
  return m ? Promise.resolve(m) : new Promise((resolve) => { waiting = resolve; });
}

/**
 * A PDF without a text layer, held open while the caller reads its pages by OCR: it asks for one page's pictures at a
 * time (the page images are decoded and encoded here, under this worker's heap limit, not on the caller's thread), and
 * ends the scan when it is done or gives up.
 */
async function serveScan(pdf: PdfDocument): Promise<void> {
  scanOpen = true;
  try {
    for (;;) {
      const m = await nextScanRequest();
      if (m.page === undefined) return;
      try {
        post({ id: m.id, pictures: await pagePictures(pdf, m.page, DEFAULT_INGEST_LIMITS) });
      } catch (err) {
        post(failure(m.id, err));
      }
    }
  } finally {
    scanOpen = false;
  }
}

/**
 * The document, and with `extras` what leaves with it besides its body (document-extras.ts); a PDF is opened once for
 * both. With `scan`, a PDF without a text layer stays open for its pages' pictures (serveScan) after the reply.
 */
async function parse(msg: ParseRequest): Promise<void> {
  if (detectFormat(msg.name, msg.bytes) === 'pdf') {
    return withPdf(msg.bytes, DEFAULT_INGEST_LIMITS, async (pdf, xfa) => {
      const doc = await readPdf(pdf, null);
      const extras = msg.extras ? await documentExtras('pdf', msg.bytes, { pictures: doc.status === 'ready', pdf: { doc: pdf, xfa } }) : undefined;
      const scan = msg.scan === true && doc.status === 'no_text_layer';
      post({ id: msg.id, doc, extras, scan });
      if (scan) await serveScan(pdf);
    });
  }
  const doc = await parseDocument(msg.name, msg.bytes, { ocr: null });
  post({ id: msg.id, doc, extras: msg.extras ? await documentExtras(doc.format, msg.bytes, { pictures: doc.status === 'ready' }) : undefined });
}

/**
 * The worker side of worker-parser.ts: parses one document per message, without OCR; with `extras`, also reads what
 * leaves with the file besides its body (document-extras.ts); with `scan`, serves a scanned PDF's page pictures to
 * the caller's OCR; enlarges small type for it.
 */
parentPort?.on('message', (msg: ParseRequest | ScanRequest | EnlargeRequest) => {
  if ('enlarge' in msg) {
    const png = enlargedPng(msg.enlarge);
    post({ id: msg.id, pictures: png ? [png] : [] });
    return;
  }
  if (!('name' in msg)) {
    if (!scanOpen) {
      if (msg.page !== undefined) post(failure(msg.id, new Error('no scanned PDF is open')));
      return;
    }
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve(msg);
    } else inbox.push(msg);
    return;
  }
  parse(msg).catch((err: unknown) => post(failure(msg.id, err)));
});
