import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { ConversationsTable } from '../tables/audit.ts';

export interface StoredConversation {
  id: string;
  createdAt: number;
  tenantId: string;
  keyId: string | null;
  model: string;
  zone: string | null;
  messages: unknown[];
  completion: string | null;
  /** The app slug the call went through, if any. */
  app?: string | null;
}

function fromRow(r: ConversationsTable): StoredConversation {
  return {
    id: r.id, createdAt: Number(r.created_at), tenantId: r.tenant_id, keyId: r.key_id, model: r.model, zone: r.zone,
    messages: JSON.parse(r.messages) as unknown[], completion: r.completion, app: r.app ?? null,
  };
}

export function createConversationRepository(db: Kysely<Database>) {
  return {
    async insertMany(items: StoredConversation[]): Promise<void> {
      if (items.length === 0) return;
      await db.insertInto('conversations').values(items.map((c) => ({
        id: c.id, created_at: c.createdAt, tenant_id: c.tenantId, key_id: c.keyId, model: c.model, zone: c.zone,
        messages: JSON.stringify(c.messages), completion: c.completion, app: c.app ?? null,
      }))).onConflict((oc) => oc.column('id').doNothing()).execute();
    },
    async list(filter: { tenantId?: string; since?: number; until?: number; limit?: number; app?: string } = {}): Promise<StoredConversation[]> {
      let q = db.selectFrom('conversations').selectAll();
      if (filter.tenantId) q = q.where('tenant_id', '=', filter.tenantId);
      if (filter.app !== undefined) q = q.where('app', '=', filter.app);
      if (filter.since !== undefined) q = q.where('created_at', '>=', filter.since);
      if (filter.until !== undefined) q = q.where('created_at', '<', filter.until);
      const rows = await q.orderBy('created_at').limit(filter.limit ?? 1000).execute();
      return rows.map(fromRow);
    },
    async findById(id: string): Promise<StoredConversation | undefined> {
      const r = await db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? fromRow(r) : undefined;
    },
    async deleteBefore(time: number): Promise<number> {
      const r = await db.deleteFrom('conversations').where('created_at', '<', time).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
export type ConversationRepository = ReturnType<typeof createConversationRepository>;
