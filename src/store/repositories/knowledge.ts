import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { nativeDriver } from '../database.ts';
import type { Database } from '../schema.ts';
import { anyOf } from './kb-rows.ts';
import type { KbBasesTable, KbDocumentsTable, KbJobsTable } from '../tables/knowledge.ts';

export type KbRow = KbBasesTable;
export type KbDocumentRow = KbDocumentsTable;
export type KbJobRow = Omit<KbJobsTable, 'content'>;
export interface KbJobProgress { total: number; queued: number; running: number; done: number; skipped: number; failed: number }

const JOB_COLUMNS = ['id', 'batch_id', 'kb_id', 'source', 'name', 'status', 'attempts', 'error', 'document_id', 'created_at', 'updated_at'] as const;

/** Knowledge bases, shares, documents, ingest jobs and the departments' segmentation words. */
export function createKnowledgeRepository(db: Kysely<Database>) {
  const postgres = nativeDriver(db)?.dialect === 'postgres';
  return {
    async createBase(input: { tenantId: string; name: string; description?: string | null }): Promise<KbRow | undefined> {
      const now = Date.now();
      const row: KbRow = { id: randomUUID(), tenant_id: input.tenantId, name: input.name, description: input.description ?? null, created_at: now, updated_at: now };
      await db.insertInto('kb_bases').values(row).onConflict((oc) => oc.columns(['tenant_id', 'name']).doNothing()).execute();
      const stored = await db.selectFrom('kb_bases').selectAll().where('tenant_id', '=', input.tenantId).where('name', '=', input.name).executeTakeFirst();
      return stored?.id === row.id ? stored : undefined;
    },
    /** Every base of that name (names are unique per department), oldest first. */
    findBasesByName: (name: string) => db.selectFrom('kb_bases').selectAll().where('name', '=', name).orderBy('created_at').execute(),
    findBaseById: (id: string) => db.selectFrom('kb_bases').selectAll().where('id', '=', id).executeTakeFirst(),
    /** Bases a department owns or that were shared with it. */
    async listBasesFor(tenantId: string | null): Promise<KbRow[]> {
      let q = db.selectFrom('kb_bases').selectAll();
      if (tenantId !== null) {
        q = q.where((eb) => eb.or([
          eb('tenant_id', '=', tenantId),
          eb('id', 'in', eb.selectFrom('kb_shares').select('kb_id').where('tenant_id', '=', tenantId)),
        ]));
      }
      return q.orderBy('name').execute();
    },
    async deleteBase(id: string): Promise<void> {
      await db.transaction().execute(async (tx) => {
        for (const t of ['kb_blocks', 'kb_segments', 'kb_index', 'kb_chunks', 'kb_documents', 'kb_jobs', 'kb_shares'] as const) await tx.deleteFrom(t).where('kb_id', '=', id).execute();
        await tx.deleteFrom('kb_bases').where('id', '=', id).execute();
      });
    },
    async share(kbId: string, tenantId: string): Promise<void> {
      await db.insertInto('kb_shares').values({ kb_id: kbId, tenant_id: tenantId, created_at: Date.now() }).onConflict((oc) => oc.columns(['kb_id', 'tenant_id']).doNothing()).execute();
    },
    async unshare(kbId: string, tenantId: string): Promise<void> {
      await db.deleteFrom('kb_shares').where('kb_id', '=', kbId).where('tenant_id', '=', tenantId).execute();
    },
    async isSharedWith(kbId: string, tenantId: string): Promise<boolean> {
      return !!(await db.selectFrom('kb_shares').select('kb_id').where('kb_id', '=', kbId).where('tenant_id', '=', tenantId).executeTakeFirst());
    },
    async listShares(kbId: string): Promise<string[]> {
      return (await db.selectFrom('kb_shares').select('tenant_id').where('kb_id', '=', kbId).execute()).map((r) => r.tenant_id);
    },

    listDocuments: (kbId: string) => db.selectFrom('kb_documents').selectAll().where('kb_id', '=', kbId).orderBy('name').execute(),
    /** Documents of the base with any of these sources, or any of these content hashes (dedup for a batch). */
    async findDocumentsBySourceOrHash(kbId: string, sources: readonly string[], hashes: readonly string[]): Promise<KbDocumentRow[]> {
      const out = new Map<string, KbDocumentRow>();
      if (postgres) {
        // One statement with two array parameters (a BitmapOr of the two indexes), not two look-ups per 500 files.
        if (!sources.length && !hashes.length) return [];
        return db.selectFrom('kb_documents').selectAll().where('kb_id', '=', kbId)
          .where((eb) => eb.or([anyOf('postgres', 'source', [...new Set(sources)]), anyOf('postgres', 'sha256', [...new Set(hashes)])])).execute();
      }
      for (const [column, values] of [['source', sources], ['sha256', hashes]] as const) {
        const uniq = [...new Set(values)];
        for (let i = 0; i < uniq.length; i += 500) {
          for (const r of await db.selectFrom('kb_documents').selectAll().where('kb_id', '=', kbId).where(column, 'in', uniq.slice(i, i + 500)).execute()) out.set(r.id, r);
        }
      }
      return [...out.values()];
    },
    findDocumentById: (id: string) => db.selectFrom('kb_documents').selectAll().where('id', '=', id).executeTakeFirst(),
    async countDocuments(kbId: string): Promise<{ documents: number; chunks: number }> {
      const r = await db.selectFrom('kb_documents').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('chunk_count').as('c')]).where('kb_id', '=', kbId).executeTakeFirstOrThrow();
      return { documents: Number(r.n), chunks: Number(r.c ?? 0) };
    },

    /** Queues one job per file; `content` holds uploaded bytes, null when the worker reads `source` from disk. */
    async enqueue(kbId: string, files: Array<{ source: string; name: string; content?: Uint8Array | null }>): Promise<string> {
      const batchId = randomUUID();
      const now = Date.now();
      for (let i = 0; i < files.length; i += 200) {
        const rows = files.slice(i, i + 200).map((f, j) => ({
          id: randomUUID(), batch_id: batchId, kb_id: kbId, source: f.source, name: f.name, content: f.content ? Buffer.from(f.content).toString('base64') : null,
          status: 'queued', attempts: 0, error: null, document_id: null, created_at: now + i + j, updated_at: now,
        }));
        await db.insertInto('kb_jobs').values(rows).execute();
      }
      return batchId;
    },
    /**
     * Claims up to `max` queued jobs of one batch (the oldest job's, or `batchId`'s), oldest first, to be ingested
     * together. The update re-checks `queued`, so two workers never share a job (PostgreSQL re-reads a row another
     * transaction changed; SQLite runs one writer at a time). Jobs left `running` by a process that stopped are queued
     * again by `requeueStale`.
     */
    async claimMany(max: number, batchId?: string): Promise<KbJobRow[]> {
      let first = db.selectFrom('kb_jobs').select(['batch_id']).where('status', '=', 'queued');
      if (batchId) first = first.where('batch_id', '=', batchId);
      const oldest = await first.orderBy('created_at').limit(1).executeTakeFirst();
      if (!oldest) return [];
      const ids = db.selectFrom('kb_jobs').select('id').where('status', '=', 'queued').where('batch_id', '=', oldest.batch_id).orderBy('created_at').limit(max);
      const jobs = await db.updateTable('kb_jobs').set((eb) => ({ status: 'running', updated_at: Date.now(), attempts: eb('attempts', '+', 1) }))
        .where('id', 'in', ids).where('status', '=', 'queued').returning(JOB_COLUMNS).execute();
      return jobs.sort((a, b) => Number(a.created_at) - Number(b.created_at));
    },
    /** A claimed job's uploaded bytes (null: read its source from disk); one job at a time keeps memory bounded. */
    async jobContent(id: string): Promise<Uint8Array | null> {
      const r = await db.selectFrom('kb_jobs').select('content').where('id', '=', id).executeTakeFirst();
      return r?.content ? new Uint8Array(Buffer.from(r.content, 'base64')) : null;
    },
    async finishJob(id: string, status: 'done' | 'skipped' | 'failed', opts: { error?: string | null; documentId?: string | null } = {}): Promise<void> {
      await db.updateTable('kb_jobs').set({ status, error: opts.error ?? null, document_id: opts.documentId ?? null, content: null, updated_at: Date.now() }).where('id', '=', id).execute();
    },
    /** Jobs `running` for longer than `olderThanMs` belonged to a process that stopped: queue them again. */
    async requeueStale(olderThanMs: number): Promise<number> {
      const r = await db.updateTable('kb_jobs').set({ status: 'queued', updated_at: Date.now() }).where('status', '=', 'running').where('updated_at', '<', Date.now() - olderThanMs).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async progress(batchId: string): Promise<KbJobProgress> {
      const rows = await db.selectFrom('kb_jobs').select((eb) => ['status', eb.fn.countAll<number>().as('n')]).where('batch_id', '=', batchId).groupBy('status').execute();
      const p: KbJobProgress = { total: 0, queued: 0, running: 0, done: 0, skipped: 0, failed: 0 };
      for (const r of rows) {
        const n = Number(r.n);
        p.total += n;
        if (r.status in p) p[r.status as keyof KbJobProgress] += n;
      }
      return p;
    },
    listJobs: (batchId: string) => db.selectFrom('kb_jobs').select(JOB_COLUMNS).where('batch_id', '=', batchId).orderBy('created_at').execute(),
    async pendingBatches(kbId?: string): Promise<string[]> {
      let q = db.selectFrom('kb_jobs').select('batch_id').distinct().where('status', 'in', ['queued', 'running']);
      if (kbId) q = q.where('kb_id', '=', kbId);
      return (await q.execute()).map((r) => r.batch_id);
    },

    async listWords(tenantId: string): Promise<string[]> {
      return (await db.selectFrom('kb_words').select('word').where('tenant_id', '=', tenantId).orderBy('word').execute()).map((r) => r.word);
    },
    async addWords(tenantId: string, words: string[]): Promise<void> {
      const now = Date.now();
      const rows = [...new Set(words.map((w) => w.trim()).filter(Boolean))].map((word) => ({ tenant_id: tenantId, word, created_at: now }));
      if (rows.length) await db.insertInto('kb_words').values(rows).onConflict((oc) => oc.columns(['tenant_id', 'word']).doNothing()).execute();
    },
  };
}
export type KnowledgeRepository = ReturnType<typeof createKnowledgeRepository>;
