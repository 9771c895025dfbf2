import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../util/ts-worker.ts';
import type { ParsedDocument } from '../types.ts';
import { parseDocument, type OcrFunction } from './index.ts';
import type { DocumentExtras } from './document-extras.ts';
import { readScan } from './pdf.ts';

export interface WorkerParserOptions {
  /** V8 heap of the parsing worker, MiB (default 256): a document that needs more fails alone. */
  maxHeapMb?: number;
}

interface Parsed { doc: ParsedDocument; extras?: DocumentExtras }

/** A document to parse; with `scan`, a PDF without a text layer stays open for ScanRequests (the caller has OCR). */
export interface ParseRequest { id: number; name: string; bytes: Uint8Array; extras: boolean; scan: boolean }
/** The pictures of one page of the scan held open; without `page`, the end of the scan. */
export interface ScanRequest { id: number; page?: number }
/** A PNG to enlarge for OCR's reading of small type (scale.ts enlargedPng); the reply's pictures hold it, or nothing. */
export interface EnlargeRequest { id: number; enlarge: Uint8Array }
export interface ParseReply extends Partial<Parsed> {
  id: number;
  error?: string;
  /** The document is a PDF without a text layer, held open for ScanRequests. */
  scan?: boolean;
  pictures?: Uint8Array[];
}
interface Pending { resolve: (reply: ParseReply) => void; reject: (err: Error) => void }

const NO_EXTRAS: DocumentExtras = Object.freeze({ text: '', pictures: [] });

/**
 * Parses documents in a worker thread with a heap limit, one at a time, so that a hostile file (a zip or
 * PDF bomb, a pathological XML) ends as a failed job with a clear error while the gateway keeps serving.
 * A worker that dies (out of memory) is replaced for the next document. OCR runs where the caller's engine is: an
 * image is handed to it as it is; a scanned PDF stays open in the worker, which decodes one page's pictures at a time
 * for it (a page of an A4 scan is ≈ 0.25 s of decoding and encoding that would otherwise stall the gateway's thread),
 * and enlarges small type for it likewise.
 */
export function createWorkerParser(opts: WorkerParserOptions = {}) {
  let worker: Worker | null = null;
  let nextId = 0;
  const pending = new Map<number, Pending>();
  let queue: Promise<unknown> = Promise.resolve();

  function spawn(): Worker {
    const w = startTsWorker(new URL('./parse-worker.ts', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb ?? 256, maxYoungGenerationSizeMb: 32 },
    });
    w.unref();
    w.on('message', (m: ParseReply) => {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (pending.size === 0) w.unref(); // an idle worker does not keep the process alive
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m);
    });
    const fail = (err: Error) => {
      if (worker === w) worker = null;
      const reason = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? new Error(`ingest limit: parsing needed more than ${opts.maxHeapMb ?? 256} MiB of memory / 解析所需内存超出限制`)
        : err;
      for (const p of pending.values()) p.reject(reason);
      pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the parsing worker stopped (exit ${code})`)));
    return w;
  }

  function send(w: Worker, msg: Omit<ParseRequest, 'id'> | Omit<ScanRequest, 'id'> | Omit<EnlargeRequest, 'id'>): Promise<ParseReply> {
    const id = ++nextId;
    return new Promise<ParseReply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ id, ...msg });
    });
  }

  /** One document at a time; a scan or an image is read by OCR when `ocr` is given. */
  function run(name: string, bytes: Uint8Array, o: { ocr?: OcrFunction | null }, extras: boolean): Promise<Parsed> {
    const done = queue.then(async (): Promise<Parsed> => {
      const w = worker ??= spawn();
      const reply = await send(w, { name, bytes, extras, scan: Boolean(o.ocr) });
      const parsed = { doc: reply.doc!, extras: reply.extras };
      if (parsed.doc.status !== 'no_text_layer' || !o.ocr) return parsed;
      if (parsed.doc.format === 'image') return { ...parsed, doc: await parseDocument(name, bytes, o) };
      if (!reply.scan) return parsed;
      try {
        return { ...parsed, doc: await readScan(parsed.doc, async (page) => (await send(w, { page })).pictures!, o.ocr) };
      } finally {
        if (worker === w) w.postMessage({ id: 0 } satisfies ScanRequest);
      }
    });
    queue = done.catch(() => {});
    return done;
  }

  return {
    /** Same contract as parseDocument. */
    async parse(name: string, bytes: Uint8Array, o: { ocr?: OcrFunction | null } = {}): Promise<ParsedDocument> {
      return (await run(name, bytes, o, false)).doc;
    },
    /**
     * The document and what leaves with it besides its body (document-extras.ts), both read in the worker: a scan's
     * pictures are not among the extras (OCR read its pages already).
     */
    async parseWithExtras(name: string, bytes: Uint8Array, o: { ocr?: OcrFunction | null } = {}): Promise<Required<Parsed>> {
      const parsed = await run(name, bytes, o, true);
      return { doc: parsed.doc, extras: parsed.extras ?? NO_EXTRAS };
    },
    /**
     * A PNG twice as large in gray, made in the worker (not on the caller's thread), between documents or beside the
     * one being parsed; null when it cannot be.
     */
    async enlarge(png: Uint8Array): Promise<Uint8Array | null> {
      const reply = await send(worker ??= spawn(), { enlarge: png });
      return reply.pictures?.[0] ?? null;
    },
    async close(): Promise<void> {
      const w = worker;
      worker = null;
      await w?.terminate();
    },
  };
}
export type WorkerParser = ReturnType<typeof createWorkerParser>;
