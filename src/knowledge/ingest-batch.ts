import { createHash, randomUUID } from 'node:crypto';
import { KbIndexInput, type KbDocumentRow, type KbDocumentWrite, type KnowledgeIndexRepository, type KnowledgeRepository } from '../store/index.ts';
import { chunkBlocks } from './chunking.ts';
import type { Embedder } from './embeddings.ts';
import { parseDocument, type OcrFunction } from './ingest/index.ts';
import { encodeVector } from './retrieval.ts';
import type { Segmenter } from './segmentation.ts';
import type { KnowledgeSettings } from './settings.ts';

/** What became of one file. `failed` carries the reason; the other files of its group are not affected. */
export interface IngestOutcome {
  status: 'done' | 'skipped' | 'failed';
  documentId: string;
  reason?: string;
  chunks: number;
  chars: number;
  docStatus: string;
}

/** A file to ingest into a base: `source` is unique within the base (a path, an upload's name). */
export interface IngestItem { source: string; name: string; bytes: Uint8Array }

/** A group is written when its files hold this many bytes (memory: about this plus one file's parse). */
export const GROUP_BYTES = 4 * 1024 * 1024;
/** …or this many files. */
export const GROUP_FILES = 20000;
const EMBED_BATCH = 64;

export interface IngesterDeps {
  repo: KnowledgeRepository;
  index: KnowledgeIndexRepository;
  settings: KnowledgeSettings;
  embedder: Embedder | null;
  ocr: OcrFunction | null;
  parse: typeof parseDocument;
  segmenterFor(tenantIds: readonly string[]): Promise<Segmenter>;
}

interface Prepared { at: number; write: KbDocumentWrite; outcome: IngestOutcome }

/** Files parsed and segmented, waiting to be written together; `input` holds their chunks' postings. */
interface Pending { files: Prepared[]; input: KbIndexInput }

const indexText = (c: { heading: string | null; text: string }) => (c.heading ? `${c.heading}\n${c.text}` : c.text);

const failure = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Ingest of files in groups: one dedup look-up, one transaction and one index segment per group rather than per
 * file (many small files ingested one by one spend their time in per-file round trips, commits and index
 * flushes). Files are still decided in order — unchanged, duplicate of another file, replacing the file of the
 * same source — and a file that fails (parse, embedding, write) fails alone: when a group's write fails, its files
 * are written one by one so the others still land. Returns outcomes in the order of `items`, with the error of
 * each failed file.
 */
export function createIngester(deps: IngesterDeps) {
  const { repo, index, settings, embedder } = deps;

  /** Parses, chunks and segments a file; its chunks' tokens go into `input` (only when all of it succeeded). */
  async function prepare(kbId: string, seg: Segmenter, input: KbIndexInput, item: IngestItem, sha256: string, created: number | null): Promise<Omit<Prepared, 'at'>> {
    const parsed = await deps.parse(item.name, item.bytes, { ocr: settings.ocr ? deps.ocr : null });
    const chunks = chunkBlocks(parsed.blocks, { maxChars: settings.chunkMaxChars, overlapChars: settings.chunkOverlapChars });
    const now = Date.now();
    const chars = parsed.blocks.reduce((n, b) => n + b.text.length, 0);
    const doc: KbDocumentRow = {
      id: randomUUID(), kb_id: kbId, source: item.source, name: item.name, format: parsed.format, sha256, status: parsed.status, note: parsed.note ?? null,
      bytes: item.bytes.byteLength, chars, pages: parsed.pages ?? null, chunk_count: chunks.length, metadata: JSON.stringify(parsed.metadata),
      created_at: created ?? now, updated_at: now,
    };
    // The heading path is indexed with the text: a section title is strong evidence of topic.
    const tokens = chunks.map((c) => seg.index(indexText(c)));
    return {
      write: {
        doc,
        chunks: chunks.map((c, i) => ({ seq: c.seq, text: c.text, heading: c.heading, page: c.page, embedding: null, lens: input.add(tokens[i]) })),
      },
      outcome: { status: 'done', documentId: doc.id, chunks: chunks.length, chars, docStatus: parsed.status },
    };
  }

  /** Embeds every chunk of the group (in batches); throws when the model fails. */
  async function embed(group: readonly Prepared[]): Promise<void> {
    if (!embedder) return;
    const chunks = group.flatMap((p) => p.write.chunks);
    for (let i = 0; i < chunks.length; i += EMBED_BATCH) {
      const part = chunks.slice(i, i + EMBED_BATCH);
      const vectors = await embedder.embed(part.map(indexText));
      part.forEach((c, j) => { c.embedding = encodeVector(vectors[j]); });
    }
  }

  async function write(pending: Pending, seg: Segmenter, outcomes: IngestOutcome[], errors: unknown[]): Promise<void> {
    const group = pending.files;
    if (!group.length) return;
    const fail = (p: Prepared, err: unknown) => {
      outcomes[p.at] = { ...p.outcome, status: 'failed', reason: failure(err) };
      errors[p.at] = err;
    };
    try {
      await embed(group);
    } catch (err) {
      for (const p of group) fail(p, err);
      return;
    }
    try {
      await index.writeDocuments(group.map((p) => p.write), pending.input);
      for (const p of group) outcomes[p.at] = p.outcome;
    } catch (err) {
      if (group.length === 1) { fail(group[0], err); return; }
      // One by one, so the file that broke the group fails alone (its tokens are made again from the text).
      for (const p of group) {
        try {
          const input = new KbIndexInput();
          for (const c of p.write.chunks) input.add(seg.index(indexText(c)));
          await index.writeDocuments([p.write], input);
          outcomes[p.at] = p.outcome;
        } catch (one) { fail(p, one); }
      }
    }
  }

  /**
   * A run of groups into one base, in order: each group is decided and prepared (CPU: parse, chunk, segment), then
   * its write is queued, and the next group is prepared while that write goes on — on PostgreSQL and with an
   * embedding server a write waits on I/O, so the two overlap (on SQLite a write runs on this thread: no overlap,
   * same result). Writes land one at a time, in order. A group's dedup look-up may run before the write ahead of
   * it lands, so the files of the queued writes stand in for what the look-up could not see yet (the documents they
   * replace no longer count). Decisions take queued writes to succeed, as decisions within a group already take
   * the group's earlier files to.
   */
  function pipeline(kb: { id: string; tenantId: string }) {
    let writing: Promise<void> = Promise.resolve();
    let broken: { err: unknown } | null = null;
    // Documents of writes queued and not yet settled, by source.
    const queued = new Map<string, KbDocumentRow>();
    function queue(pending: Pending, seg: Segmenter, outcomes: IngestOutcome[], errors: unknown[], landed?: () => unknown): void {
      const docs = pending.files.map((f) => f.write.doc);
      for (const d of docs) queued.set(d.source, d);
      writing = writing.then(async () => {
        try {
          await write(pending, seg, outcomes, errors);
        } finally {
          for (const d of docs) if (queued.get(d.source) === d) queued.delete(d.source);
        }
        await landed?.();
      });
      // Handled here, so a failure is thrown by the next `add` or by `finish` instead of ending the process.
      writing.catch((err) => { broken ??= { err }; });
    }
    return {
      /**
       * Decides and prepares `items` and queues their write; `landed` gets the outcomes (in the order of `items`)
       * and each failed file's error once the group is written. Throws what a previous group's `landed` threw.
       */
      async add(items: readonly IngestItem[], landed: (r: { outcomes: IngestOutcome[]; errors: unknown[] }) => unknown): Promise<void> {
        if (broken) throw broken.err;
        const outcomes: IngestOutcome[] = new Array(items.length);
        const errors: unknown[] = new Array(items.length);
        const hashes = items.map((it) => createHash('sha256').update(it.bytes).digest('hex'));
        const ahead = [...queued.values()];
        const known = await repo.findDocumentsBySourceOrHash(kb.id, items.map((it) => it.source), hashes);
        const replaced = new Set(ahead.map((d) => d.source));
        const current = [...known.filter((d) => !replaced.has(d.source)), ...ahead];
        const bySource = new Map(current.map((d) => [d.source, d]));
        const byHash = new Map(current.map((d) => [d.sha256, d]));
        const seg = await deps.segmenterFor([kb.tenantId]);
        let pending: Pending = { files: [], input: new KbIndexInput() };
        const pendingSources = new Set<string>();
        for (let i = 0; i < items.length; i++) {
          // Let the event loop turn now and then: with SQLite every await here settles without it, and a server
          // ingesting thousands of small files would otherwise answer nothing until the group is written. Often:
          // on PostgreSQL the write of the group ahead advances one round trip per turn (every 256 files, its
          // ~230 round trips outlasted the preparing of the next group; a turn costs ~1 µs).
          if (i % 32 === 31) await new Promise(setImmediate);
          const item = items[i];
          const sha256 = hashes[i];
          const same = bySource.get(item.source);
          if (same && same.sha256 === sha256) { outcomes[i] = { status: 'skipped', documentId: same.id, reason: 'unchanged', chunks: same.chunk_count, chars: same.chars, docStatus: same.status }; continue; }
          const dup = byHash.get(sha256);
          if (dup && dup.source !== item.source) { outcomes[i] = { status: 'skipped', documentId: dup.id, reason: `duplicate of ${dup.name}`, chunks: dup.chunk_count, chars: dup.chars, docStatus: dup.status }; continue; }
          // A second version of a source in one group replaces the first: the first is written before it.
          if (pendingSources.has(item.source)) {
            queue(pending, seg, outcomes, errors);
            pending = { files: [], input: new KbIndexInput() };
            pendingSources.clear();
          }
          try {
            const p = { at: i, ...(await prepare(kb.id, seg, pending.input, item, sha256, same?.created_at ?? null)) };
            pending.files.push(p);
            pendingSources.add(item.source);
            bySource.set(item.source, p.write.doc);
            byHash.set(sha256, p.write.doc);
          } catch (err) {
            outcomes[i] = { status: 'failed', documentId: '', reason: failure(err), chunks: 0, chars: 0, docStatus: 'failed' };
            errors[i] = err;
          }
        }
        queue(pending, seg, outcomes, errors, () => landed({ outcomes, errors }));
      },
      /** Waits for every queued write; throws what a write's `landed` threw. */
      finish: async (): Promise<void> => { await writing; },
    };
  }

  return {
    pipeline,
    /**
     * Ingests `items` into the base as one group (the caller keeps it to about GROUP_BYTES; see `groups`).
     * `errors[i]` is the error of a failed file, for callers that rethrow it.
     */
    async ingestGroup(kb: { id: string; tenantId: string }, items: readonly IngestItem[]): Promise<{ outcomes: IngestOutcome[]; errors: unknown[] }> {
      const run = pipeline(kb);
      let result: { outcomes: IngestOutcome[]; errors: unknown[] } = { outcomes: [], errors: [] };
      await run.add(items, (r) => { result = r; });
      await run.finish();
      return result;
    },
  };
}

/** Splits items into groups of at most GROUP_FILES files and about GROUP_BYTES bytes (a bigger file is a group alone). */
export function* groups<T extends { bytes: Uint8Array }>(items: Iterable<T>, maxBytes = GROUP_BYTES, maxFiles = GROUP_FILES): Generator<T[]> {
  let group: T[] = [];
  let bytes = 0;
  for (const it of items) {
    if (group.length && (bytes + it.bytes.byteLength > maxBytes || group.length >= maxFiles)) { yield group; group = []; bytes = 0; }
    group.push(it);
    bytes += it.bytes.byteLength;
  }
  if (group.length) yield group;
}
