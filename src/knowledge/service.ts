import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  createKnowledgeIndexRepository, createKnowledgeRepository, createTenantRepository, INDEX_VERSION, KbIndexInput,
  type KbHit, type KbRow, type KbSearch, type KbTokenFields, type Store,
} from '../store/index.ts';
import { yumenError } from '../util/errors.ts';
import { authorizeKb, type KbCaller } from './authorize.ts';
import type { Embedder } from './embeddings.ts';
import { createIngester, groups, GROUP_BYTES, type IngestItem, type IngestOutcome } from './ingest-batch.ts';
import { parseDocument, type OcrFunction } from './ingest/index.ts';
import type { Reranker, TextScreen } from './rerank.ts';
import { decodeVector, fuseRankings, nearest, type FusionSettings } from './retrieval.ts';
import { rescore, DEFAULT_RESCORE_WEIGHTS, type RescoreWeights } from './rescore.ts';
import { createSegmenter, isQueryStopChar, type Segmenter } from './segmentation.ts';
import { DEFAULT_KNOWLEDGE_SETTINGS, type KnowledgeSettings } from './settings.ts';
import type { KbAction, SearchResult, Source } from './types.ts';

export interface KnowledgeBase {
  id: string;
  name: string;
  tenantId: string;
  description: string | null;
  sharedWith: string[];
  createdAt: number;
}

export type { IngestOutcome } from './ingest-batch.ts';

/** The outcome of one ingest job. */
export interface JobResult { job: string; name: string; outcome?: IngestOutcome; error?: string }

export interface KnowledgeServiceOptions {
  store: Store;
  settings?: Partial<KnowledgeSettings>;
  embedder?: Embedder | null;
  reranker?: Reranker | null;
  /** Text from images; `close` (when present) ends its worker at shutdown. */
  ocr?: (OcrFunction & { close?: () => Promise<void> }) | null;
  /** Parses documents (default: on this thread). The server passes a worker with a heap limit (ingest/worker-parser.ts). */
  parser?: { parse: typeof parseDocument; close(): Promise<void> } | null;
}

export interface SearchOptions {
  topK?: number;
  mode?: 'fulltext' | 'hybrid';
  /** Override `knowledge.rescore` for this search (benchmarks compare both in one run). */
  rescore?: boolean | RescoreWeights;
  /** Chat-time retrieval: what the embedding and rerank models may receive, as the caller's policy decides. */
  screen?: TextScreen;
  signal?: AbortSignal;
  /** Override `knowledge.fusion` for this search. */
  fusion?: FusionSettings;
}

export type KnowledgeService = ReturnType<typeof createKnowledgeService>;

/** Knowledge bases: create, share, ingest (parse → chunk → segment → index → embed), search, retrieve for chat. */
export function createKnowledgeService(opts: KnowledgeServiceOptions) {
  const settings: KnowledgeSettings = { ...DEFAULT_KNOWLEDGE_SETTINGS, ...opts.settings };
  const repo = createKnowledgeRepository(opts.store.db);
  const index = createKnowledgeIndexRepository(opts.store.db, opts.store.dialect);
  const tenants = createTenantRepository(opts.store.db);
  const embedder = opts.embedder ?? null;
  const segmenters = new Map<string, { at: number; seg: Segmenter }>();
  // Vectors per base, cached until the base changes (brute-force cosine; see docs/knowledge.md).
  const vectorCache = new Map<string, Array<{ id: string; v: Float32Array }>>();

  async function segmenterFor(tenantIds: readonly string[]): Promise<Segmenter> {
    const key = [...new Set(tenantIds)].sort().join(',');
    const cached = segmenters.get(key);
    if (cached && Date.now() - cached.at < 60_000) return cached.seg;
    const words = (await Promise.all([...new Set(tenantIds)].map((t) => repo.listWords(t)))).flat();
    const seg = createSegmenter(words);
    segmenters.set(key, { at: Date.now(), seg });
    return seg;
  }

  async function toBase(row: KbRow): Promise<KnowledgeBase> {
    return { id: row.id, name: row.name, tenantId: row.tenant_id, description: row.description, sharedWith: await repo.listShares(row.id), createdAt: row.created_at };
  }

  /** The base of that name if the caller may do `action` on it; 404 when the caller may not even see it. */
  async function resolve(principal: KbCaller | null, name: string, action: KbAction): Promise<KnowledgeBase> {
    // Names are unique per department: the caller's own base first, else the one base of that name it may read;
    // "部门/名称" names another department's base when several are visible (the CLI operator sees all).
    const slash = name.lastIndexOf('/');
    const baseName = slash > 0 ? name.slice(slash + 1) : name;
    let rows = await repo.findBasesByName(baseName);
    if (slash > 0) {
      const owner = await tenants.findByName(name.slice(0, slash));
      rows = rows.filter((r) => r.tenant_id === owner?.id);
    }
    const visible = (await Promise.all(rows.map(toBase))).filter((b) => authorizeKb(principal, b, 'read'));
    const kb = (principal && visible.find((b) => b.tenantId === principal.tenantId)) || (visible.length === 1 ? visible[0] : undefined);
    if (!kb && visible.length > 1) throw yumenError('conflict', `Several knowledge bases named "${name}" are visible to you; name one as 部门/${baseName}. / 有多个同名知识库，请写作“部门/名称”。`, { param: 'name' });
    if (!kb || !authorizeKb(principal, kb, 'read')) throw yumenError('not_found', `No knowledge base named "${name}". / 知识库“${name}”不存在。`, { param: 'name' });
    if (!authorizeKb(principal, kb, action)) throw yumenError('forbidden', `Knowledge base "${name}" is shared read-only with your department. / 该知识库仅共享只读权限。`);
    return kb;
  }

  const ingester = createIngester({
    repo, index, settings, embedder, ocr: opts.ocr ?? null, parse: opts.parser?.parse ?? parseDocument, segmenterFor,
  });

  /** Ingests a group of files (see ingest-batch.ts) and forgets the base's cached vectors. */
  async function ingestGroup(kb: KnowledgeBase, items: readonly IngestItem[]) {
    try {
      return await ingester.ingestGroup(kb, items);
    } finally {
      vectorCache.delete(kb.id);
    }
  }

  /** Ingests groups of files in order, each written while the next is prepared (ingest-batch.ts); then merges. */
  async function ingestGroups(kb: KnowledgeBase, add: (run: ReturnType<typeof ingester.pipeline>) => Promise<void>): Promise<void> {
    const run = ingester.pipeline(kb);
    try {
      await add(run);
      await run.finish();
    } finally {
      vectorCache.delete(kb.id);
    }
    await index.merge(kb.id);
  }

  // Bases whose index is being rebuilt by this process, so concurrent searches wait for one rebuild.
  const rebuilding = new Map<string, Promise<void>>();

  /**
   * Rebuilds the full-text index of a base written by an older version of Yumen (kb_index.version below the code's):
   * its chunks' text is segmented again, 5,000 chunks to a segment, and the new segments replace the old index in
   * one transaction at the end; searches of the base wait for it.
   */
  function rebuild(kb: { id: string; tenantId: string }): Promise<void> {
    let running = rebuilding.get(kb.id);
    if (!running) {
      running = (async () => {
        const state = await index.indexState(kb.id);
        if (!state || state.version >= INDEX_VERSION) return;
        const seg = await segmenterFor([kb.tenantId]);
        const built: number[] = [];
        for (let after = -1; ;) {
          const page = await index.chunksToRebuild(kb.id, after, state.nextNum, 5000);
          if (!page.length) break;
          const input = new KbIndexInput();
          const chunks = page.map((c) => ({ num: Number(c.num), lens: input.add(seg.index(c.heading ? `${c.heading}\n${c.text}` : c.text), Number(c.num)) }));
          built.push(await index.writeRebuilt(kb.id, chunks, input));
          after = Number(page[page.length - 1].num);
        }
        await index.finishRebuild(kb.id, state.nextNum, built);
        await index.merge(kb.id);
      })().finally(() => rebuilding.delete(kb.id));
      rebuilding.set(kb.id, running);
    }
    return running;
  }

  async function searchFullText(bases: readonly KnowledgeBase[], tokens: KbTokenFields, limit: number): Promise<KbSearch> {
    const kbIds = bases.map((b) => b.id);
    const first = await index.searchFullText(kbIds, tokens, limit, { maxPostings: settings.maxPostings });
    if (!first.stale.length) return first;
    await Promise.all(bases.filter((b) => first.stale.includes(b.id)).map(rebuild));
    return index.searchFullText(kbIds, tokens, limit, { maxPostings: settings.maxPostings });
  }

  async function vectorsOf(kbIds: readonly string[]): Promise<Array<{ id: string; v: Float32Array }>> {
    const out: Array<{ id: string; v: Float32Array }> = [];
    for (const id of kbIds) {
      let list = vectorCache.get(id);
      if (!list) {
        list = (await index.listEmbeddings([id])).map((r) => ({ id: r.id, v: decodeVector(r.embedding) }));
        vectorCache.set(id, list);
      }
      out.push(...list);
    }
    return out;
  }

  async function searchBases(bases: readonly KnowledgeBase[], query: string, o: SearchOptions = {}): Promise<SearchResult[]> {
    const topK = Math.min(Math.max(o.topK ?? 5, 1), 100);
    const q = query.trim();
    if (!q || !bases.length) return [];
    const kbIds = bases.map((b) => b.id);
    const names = new Map(bases.map((b) => [b.id, b.name]));
    const seg = await segmenterFor(bases.map((b) => b.tenantId));
    const pool = Math.max(settings.candidates, topK);
    const qTokens = seg.query(q);
    let fullText = (await searchFullText(bases, qTokens, pool)).hits;
    const re = o.rescore ?? settings.rescore;
    if (re && fullText.length > 1) {
      const weights = typeof re === 'object' ? re : DEFAULT_RESCORE_WEIGHTS;
      fullText = rescore(fullText.map((h) => ({ item: h, score: h.score, text: h.heading ? `${h.heading}\n${h.text}` : h.text })), { text: q, words: qTokens.words, isStopChar: isQueryStopChar }, weights)
        .map(({ item, score }) => ({ ...item, score }));
    }
    let ranked: Array<{ hit: KbHit; score: number }> = fullText.map((hit) => ({ hit, score: hit.score }));
    if (embedder && o.mode !== 'fulltext') {
      // sqlite-vec on SQLite; brute-force cosine over the cached vectors otherwise.
      const vectors = index.hasVectorIndex ? null : await vectorsOf(kbIds);
      if (!vectors || vectors.length) {
        const [qv] = await embedder.embed([q], o.signal, o.screen);
        const near = vectors ? nearest(qv, vectors, pool) : (await index.nearestVectors(kbIds, qv, pool)) ?? [];
        const known = new Map(fullText.map((h) => [h.chunkId, h]));
        const missing = near.filter((n) => !known.has(n.id)).map((n) => n.id);
        for (const h of await index.chunksByIds(missing)) known.set(h.chunkId, { ...h, score: 0 });
        const dense = near.flatMap((n) => { const hit = known.get(n.id); return hit ? [{ item: hit, score: n.score }] : []; });
        ranked = fuseRankings(fullText.map((h) => ({ item: h, score: h.score })), dense, (h) => h.chunkId, o.fusion ?? settings.fusion).map(({ item, score }) => ({ hit: item, score }));
      }
    }
    if (opts.reranker && ranked.length > 1) {
      const head = ranked.slice(0, pool);
      const scores = await opts.reranker(q, head.map((r) => r.hit.text), o.screen, o.signal);
      ranked = head.map((r, i) => ({ hit: r.hit, score: scores[i] })).sort((a, b) => b.score - a.score);
    }
    return ranked.slice(0, topK).map(({ hit, score }) => ({
      document: hit.document, chunk: hit.seq, score: Math.round(score * 1e4) / 1e4, text: hit.text, page: hit.page,
      kb: names.get(hit.kbId) ?? '', heading: hit.heading, chunkId: hit.chunkId, documentId: hit.documentId,
    }));
  }

  return {
    settings,
    resolve,
    /** Releases what the service holds beyond the store (the OCR worker). */
    async close(): Promise<void> {
      await opts.ocr?.close?.();
      await opts.parser?.close();
    },
    async createBase(input: { tenant: string; name: string; description?: string | null }, principal: KbCaller | null = null): Promise<KnowledgeBase> {
      const name = input.name.trim();
      if (!/^[\p{L}\p{N}][\p{L}\p{N}_.-]{0,63}$/u.test(name)) throw yumenError('invalid_request', 'A knowledge base name is 1–64 letters, digits, "_", "." or "-". / 知识库名称须为 1–64 个字母、数字或 _.-', { param: 'name' });
      const tenant = principal ? await tenants.findById(principal.tenantId) : await tenants.ensure(input.tenant);
      if (!tenant) throw yumenError('not_found', 'Unknown department.');
      const row = await repo.createBase({ tenantId: tenant.id, name, description: input.description ?? null });
      if (!row) throw yumenError('conflict', `A knowledge base named "${name}" already exists. / 知识库“${name}”已存在。`, { param: 'name' });
      return toBase(row);
    },
    async listBases(principal: KbCaller | null): Promise<Array<KnowledgeBase & { documents: number; chunks: number; tenant: string }>> {
      const rows = await repo.listBasesFor(principal?.tenantId ?? null);
      return Promise.all(rows.map(async (r) => ({ ...(await toBase(r)), ...(await repo.countDocuments(r.id)), tenant: (await tenants.findById(r.tenant_id))?.name ?? r.tenant_id })));
    },
    async deleteBase(principal: KbCaller | null, name: string): Promise<void> {
      const kb = await resolve(principal, name, 'write');
      await index.deleteBaseIndex(kb.id);
      await repo.deleteBase(kb.id);
      vectorCache.delete(kb.id);
    },
    /** Shares a base read-only with another department (by name), or takes the share back. */
    async share(principal: KbCaller | null, name: string, department: string, on = true): Promise<KnowledgeBase> {
      const kb = await resolve(principal, name, 'write');
      const t = await tenants.findByName(department);
      if (!t) throw yumenError('not_found', `No department named "${department}".`, { param: 'department' });
      if (on) await repo.share(kb.id, t.id);
      else await repo.unshare(kb.id, t.id);
      return toBase((await repo.findBaseById(kb.id))!);
    },
    async listDocuments(principal: KbCaller | null, name: string) {
      const kb = await resolve(principal, name, 'read');
      return (await repo.listDocuments(kb.id)).map((d) => ({ id: d.id, name: d.name, source: d.source, format: d.format, status: d.status, note: d.note, bytes: d.bytes, chars: d.chars, pages: d.pages, chunks: d.chunk_count, sha256: d.sha256, metadata: JSON.parse(d.metadata) as Record<string, string>, updatedAt: d.updated_at }));
    },
    async deleteDocument(principal: KbCaller | null, name: string, documentId: string): Promise<void> {
      const kb = await resolve(principal, name, 'write');
      const doc = await repo.findDocumentById(documentId);
      if (!doc || doc.kb_id !== kb.id) throw yumenError('not_found', 'No such document in this knowledge base.');
      await index.deleteDocument(doc.id);
      vectorCache.delete(kb.id);
    },
    async addWords(principal: KbCaller | null, name: string, words: string[]): Promise<void> {
      const kb = await resolve(principal, name, 'write');
      await repo.addWords(kb.tenantId, words);
      segmenters.clear();
    },
    /** Ingests one file now (no job); throws what made it fail. */
    async ingest(principal: KbCaller | null, name: string, file: { source?: string; name: string; bytes: Uint8Array }): Promise<IngestOutcome> {
      const kb = await resolve(principal, name, 'write');
      if (file.bytes.byteLength > settings.maxFileBytes) throw yumenError('body_too_large', `${file.name} is larger than knowledge.max_file_bytes.`);
      const { outcomes, errors } = await ingestGroup(kb, [{ source: file.source ?? file.name, name: basename(file.name), bytes: file.bytes }]);
      if (outcomes[0].status === 'failed') throw errors[0];
      return outcomes[0];
    },
    /**
     * Ingests many files now, in groups of about 4 MB (one dedup look-up, transaction and index segment per group);
     * one outcome per file, in order — a file that fails does not stop the others.
     */
    async ingestMany(principal: KbCaller | null, name: string, files: Iterable<{ source?: string; name: string; bytes: Uint8Array }>): Promise<IngestOutcome[]> {
      const kb = await resolve(principal, name, 'write');
      const out: IngestOutcome[] = [];
      const items = (function* () {
        for (const f of files) yield { source: f.source ?? f.name, name: basename(f.name), bytes: f.bytes };
      })();
      await ingestGroups(kb, async (run) => {
        for (const group of groups(items)) {
          const at = out.length;
          const fits: IngestItem[] = [];
          for (const f of group) {
            if (f.bytes.byteLength <= settings.maxFileBytes) fits.push(f);
            out.push({ status: 'failed', documentId: '', reason: 'larger than knowledge.max_file_bytes', chunks: 0, chars: 0, docStatus: 'failed' });
          }
          await run.add(fits, ({ outcomes }) => {
            let k = 0;
            group.forEach((f, i) => { if (f.bytes.byteLength <= settings.maxFileBytes) out[at + i] = outcomes[k++]; });
          });
        }
      });
      return out;
    },
    /** Queues files for the background worker; returns the batch id to follow progress with. */
    async enqueue(principal: KbCaller | null, name: string, files: Array<{ source: string; name?: string; content?: Uint8Array | null }>): Promise<string> {
      const kb = await resolve(principal, name, 'write');
      return repo.enqueue(kb.id, files.map((f) => ({ source: f.source, name: basename(f.name ?? f.source), content: f.content ?? null })));
    },
    /** Runs one queued job (of `batchId` when given); false when none is left. */
    async runNextJob(batchId?: string): Promise<JobResult | false> {
      const results = await this.runJobs(batchId, { maxJobs: 1 });
      return results[0] ?? false;
    },
    /**
     * Runs up to `maxJobs` queued jobs of one batch (of `batchId` when given) together: files are read one at a
     * time and written in groups of about 4 MB, each job finished as its group lands. Empty when none is left.
     * A process that stops mid-way leaves its jobs `running`; `requeueStale` queues them again, and the files
     * already written are then skipped as unchanged.
     */
    async runJobs(batchId?: string, o: { maxJobs?: number } = {}): Promise<JobResult[]> {
      const jobs = await repo.claimMany(o.maxJobs ?? 256, batchId);
      if (!jobs.length) return [];
      const results: JobResult[] = [];
      const finish = async (job: (typeof jobs)[number], outcome: IngestOutcome | null, error?: string) => {
        if (outcome && outcome.status !== 'failed') {
          await repo.finishJob(job.id, outcome.status, { documentId: outcome.documentId, error: outcome.reason ?? null });
          results.push({ job: job.id, name: job.name, outcome });
        } else {
          const reason = error ?? outcome?.reason ?? 'failed';
          await repo.finishJob(job.id, 'failed', { error: reason });
          results.push({ job: job.id, name: job.name, error: reason });
        }
      };
      const row = await repo.findBaseById(jobs[0].kb_id);
      if (!row) {
        for (const job of jobs) await finish(job, null, 'the knowledge base was deleted');
        return results;
      }
      const kb = await toBase(row);
      await ingestGroups(kb, async (run) => {
        let group: Array<{ job: (typeof jobs)[number]; item: IngestItem }> = [];
        let bytes = 0;
        const flush = async () => {
          if (!group.length) return;
          const these = group;
          await run.add(these.map((g) => g.item), async ({ outcomes }) => {
            for (let i = 0; i < these.length; i++) await finish(these[i].job, outcomes[i]);
          });
          group = [];
          bytes = 0;
        };
        for (const job of jobs) {
          let content: Uint8Array;
          try {
            content = (await repo.jobContent(job.id)) ?? new Uint8Array(await readFile(job.source));
            if (content.byteLength > settings.maxFileBytes) throw new Error('larger than knowledge.max_file_bytes');
          } catch (err) {
            await finish(job, null, err instanceof Error ? err.message : String(err));
            continue;
          }
          if (group.length && bytes + content.byteLength > GROUP_BYTES) await flush();
          group.push({ job, item: { source: job.source, name: job.name, bytes: content } });
          bytes += content.byteLength;
        }
        await flush();
      });
      return results;
    },
    /** Rebuilds, in the background of a starting server, every base whose index predates this code. */
    async rebuildStale(): Promise<number> {
      let n = 0;
      for (const id of await index.staleIndexes()) {
        const row = await repo.findBaseById(id);
        if (row) { await rebuild({ id, tenantId: row.tenant_id }); n++; }
      }
      return n;
    },
    progress: (batchId: string) => repo.progress(batchId),
    listJobs: (batchId: string) => repo.listJobs(batchId),
    requeueStale: (olderThanMs: number) => repo.requeueStale(olderThanMs),
    async search(principal: KbCaller | null, names: readonly string[], query: string, o: SearchOptions = {}): Promise<SearchResult[]> {
      const bases = await Promise.all([...new Set(names)].map((n) => resolve(principal, n, 'read')));
      return searchBases(bases, query, o);
    },
    /**
     * Sources for a grounded chat: the top chunks of the named bases for the question, numbered from 1.
     * The caller (the gateway) puts their text through the guard before any model sees it.
     */
    async retrieveForChat(principal: KbCaller | null, kbNames: readonly string[], query: string, o: { topK?: number; screen?: TextScreen; signal?: AbortSignal } = {}): Promise<{ sources: Source[] }> {
      const results = await this.search(principal, kbNames, query, { topK: o.topK ?? 5, screen: o.screen, signal: o.signal });
      return { sources: results.map((r, i) => ({ n: i + 1, document: r.document, page: r.page, chunk: r.chunk, text: r.text, kb: r.kb })) };
    },
  };
}
