import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { TenantsTable } from '../tables/core.ts';

export type Tenant = TenantsTable;

export function createTenantRepository(db: Kysely<Database>) {
  return {
    async findByName(name: string): Promise<Tenant | undefined> {
      return db.selectFrom('tenants').selectAll().where('name', '=', name).executeTakeFirst();
    },
    async findById(id: string): Promise<Tenant | undefined> {
      return db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async list(): Promise<Tenant[]> {
      return db.selectFrom('tenants').selectAll().orderBy('name').execute();
    },
    /** Returns the tenant of that name, creating it first when it does not exist yet. */
    async ensure(name: string, parentId: string | null = null): Promise<Tenant> {
      const existing = await this.findByName(name);
      if (existing) return existing;
      const row: Tenant = { id: randomUUID(), name, parent_id: parentId, created_at: Date.now() };
      // Two processes may race to create the same tenant: the unique name decides, then we read the winner.
      await db.insertInto('tenants').values(row).onConflict((oc) => oc.column('name').doNothing()).execute();
      return (await this.findByName(name))!;
    },
  };
}
export type TenantRepository = ReturnType<typeof createTenantRepository>;
