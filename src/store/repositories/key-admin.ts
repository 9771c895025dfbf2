import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { ApiKeyRow } from './api-keys.ts';

/** Admin-side queries over API keys (the hot-path lookups stay in api-keys.ts). */
export function createKeyAdminRepository(db: Kysely<Database>) {
  return {
    async list(filter: { tenantIds?: Iterable<string>; createdBy?: string } = {}): Promise<ApiKeyRow[]> {
      let q = db.selectFrom('api_keys').selectAll();
      if (filter.tenantIds) {
        const ids = [...filter.tenantIds];
        if (ids.length === 0) return [];
        q = q.where('tenant_id', 'in', ids);
      }
      if (filter.createdBy) q = q.where('created_by', '=', filter.createdBy);
      return q.orderBy('created_at').execute();
    },
    async setCreatedBy(keyId: string, userId: string): Promise<void> {
      await db.updateTable('api_keys').set({ created_by: userId }).where('id', '=', keyId).execute();
    },
    /**
     * Marks keys as used at `at` in one statement (the key authenticator batches these, at most one
     * write per key per minute). Never moves a key's time backwards.
     */
    async touchLastUsed(ids: readonly string[], at: number): Promise<void> {
      if (ids.length === 0) return;
      await db.updateTable('api_keys').set({ last_used_at: at }).where('id', 'in', [...ids])
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)])).execute();
    },
    async findByPrefixOrId(ref: string): Promise<ApiKeyRow[]> {
      return db.selectFrom('api_keys').selectAll().where((eb) => eb.or([eb('id', '=', ref), eb('prefix', '=', ref)])).execute();
    },
  };
}
export type KeyAdminRepository = ReturnType<typeof createKeyAdminRepository>;
