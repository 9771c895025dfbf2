import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface StoredFeedback {
  requestId: string;
  tenantId: string;
  keyId: string | null;
  rating: 1 | -1;
  correction: string | null;
  comment: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A captured exchange with the feedback given on it, as the curation step reads it. */
export interface Exchange {
  id: string;
  createdAt: number;
  tenantId: string;
  model: string;
  app: string | null;
  messages: unknown[];
  completion: string | null;
  rating: 1 | -1 | null;
  correction: string | null;
}

export function createFeedbackRepository(db: Kysely<Database>) {
  return {
    /** One feedback per exchange: a second one replaces the first. */
    async upsert(f: Omit<StoredFeedback, 'createdAt' | 'updatedAt'>): Promise<StoredFeedback> {
      const now = Date.now();
      const row = { request_id: f.requestId, tenant_id: f.tenantId, key_id: f.keyId, rating: f.rating, correction: f.correction, comment: f.comment, created_at: now, updated_at: now };
      await db.insertInto('feedback').values(row)
        .onConflict((oc) => oc.column('request_id').doUpdateSet({ key_id: f.keyId, rating: f.rating, correction: f.correction, comment: f.comment, updated_at: now }))
        .execute();
      return (await this.find(f.requestId))!;
    },
    async find(requestId: string): Promise<StoredFeedback | undefined> {
      const r = await db.selectFrom('feedback').selectAll().where('request_id', '=', requestId).executeTakeFirst();
      return r ? {
        requestId: r.request_id, tenantId: r.tenant_id, keyId: r.key_id, rating: r.rating === 1 ? 1 : -1, correction: r.correction, comment: r.comment,
        createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
      } : undefined;
    },
    /**
     * A department's captured exchanges with their feedback, oldest first, a page at a time: pass the last
     * exchange of a page as `after` for the next one.
     */
    async exchanges(filter: { tenantId: string; since?: number; app?: string; after?: { createdAt: number; id: string }; limit: number }): Promise<Exchange[]> {
      let q = db.selectFrom('conversations as c')
        .leftJoin('feedback as f', 'f.request_id', 'c.id')
        .select(['c.id', 'c.created_at', 'c.tenant_id', 'c.model', 'c.app', 'c.messages', 'c.completion', 'f.rating', 'f.correction', 'f.tenant_id as feedback_tenant'])
        .where('c.tenant_id', '=', filter.tenantId);
      if (filter.since !== undefined) q = q.where('c.created_at', '>=', filter.since);
      if (filter.app !== undefined) q = q.where('c.app', '=', filter.app);
      const after = filter.after;
      if (after) q = q.where((eb) => eb.or([eb('c.created_at', '>', after.createdAt), eb.and([eb('c.created_at', '=', after.createdAt), eb('c.id', '>', after.id)])]));
      const rows = await q.orderBy('c.created_at').orderBy('c.id').limit(filter.limit).execute();
      return rows.map((r) => {
        // Feedback counts only when it came from the exchange's own department.
        const own = r.feedback_tenant === r.tenant_id;
        return {
          id: r.id, createdAt: Number(r.created_at), tenantId: r.tenant_id, model: r.model, app: r.app,
          messages: JSON.parse(r.messages) as unknown[], completion: r.completion,
          rating: own && r.rating !== null ? (r.rating === 1 ? 1 : -1) : null, correction: own ? r.correction : null,
        };
      });
    },
  };
}
export type FeedbackRepository = ReturnType<typeof createFeedbackRepository>;
