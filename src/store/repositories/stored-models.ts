import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { yumenError } from '../../util/errors.ts';
import type { Database } from '../schema.ts';
import type { StoredModelsTable } from '../tables/governance.ts';

export type StoredModelRow = StoredModelsTable;

/** Models added through the admin API. The upstream key arrives here already encrypted. */
export function createStoredModelRepository(db: Kysely<Database>) {
  return {
    async list(): Promise<StoredModelRow[]> {
      return db.selectFrom('stored_models').selectAll().orderBy('name').execute();
    },
    async findByName(name: string): Promise<StoredModelRow | undefined> {
      return db.selectFrom('stored_models').selectAll().where('name', '=', name).executeTakeFirst();
    },
    async create(input: { name: string; provider: string; zone: string; config: Record<string, unknown>; apiKeyEnc: string | null }): Promise<StoredModelRow> {
      if (await this.findByName(input.name)) throw yumenError('conflict', `name: a model named "${input.name}" already exists.`, { param: 'name' });
      const now = Date.now();
      const row: StoredModelRow = { id: randomUUID(), name: input.name, provider: input.provider, zone: input.zone, config: JSON.stringify(input.config), api_key_enc: input.apiKeyEnc, created_at: now, updated_at: now };
      await db.insertInto('stored_models').values(row).execute();
      return row;
    },
    async update(name: string, patch: { provider?: string; zone?: string; config?: Record<string, unknown>; apiKeyEnc?: string | null }): Promise<StoredModelRow | undefined> {
      const set: Partial<StoredModelRow> = { updated_at: Date.now() };
      if (patch.provider !== undefined) set.provider = patch.provider;
      if (patch.zone !== undefined) set.zone = patch.zone;
      if (patch.config !== undefined) set.config = JSON.stringify(patch.config);
      if (patch.apiKeyEnc !== undefined) set.api_key_enc = patch.apiKeyEnc;
      await db.updateTable('stored_models').set(set).where('name', '=', name).execute();
      return this.findByName(name);
    },
    async delete(name: string): Promise<boolean> {
      const r = await db.deleteFrom('stored_models').where('name', '=', name).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
export type StoredModelRepository = ReturnType<typeof createStoredModelRepository>;
