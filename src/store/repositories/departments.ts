import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { yumenError } from '../../util/errors.ts';
import type { Database } from '../schema.ts';

/** A department is a tenant with its place in the tree and its policy. */
export interface Department {
  id: string;
  name: string;
  displayName: string | null;
  parentId: string | null;
  createdAt: number;
  /** Parsed policy JSON of this department alone (not inherited); null when it has none. */
  policy: unknown;
  policyUpdatedAt: number | null;
}

interface TenantRowLike { id: string; name: string; parent_id: string | null; created_at: number; display_name?: string | null; policy?: string | null; policy_updated_at?: number | null }

function toDepartment(r: TenantRowLike): Department {
  return {
    id: r.id, name: r.name, displayName: r.display_name ?? null, parentId: r.parent_id, createdAt: r.created_at,
    policy: r.policy ? JSON.parse(r.policy) : null, policyUpdatedAt: r.policy_updated_at ?? null,
  };
}

/**
 * Departments (tenants) as a tree. The tree is small (hundreds of nodes at most), so ancestry is
 * computed in memory from one read rather than with recursive SQL that differs between dialects.
 */
export function createDepartmentRepository(db: Kysely<Database>) {
  async function all(): Promise<Department[]> {
    const rows = await db.selectFrom('tenants').selectAll().orderBy('name').execute();
    return rows.map(toDepartment);
  }
  async function findById(id: string): Promise<Department | undefined> {
    const r = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toDepartment(r) : undefined;
  }
  /** The department and its ancestors, nearest first. */
  async function ancestry(id: string): Promise<Department[]> {
    const byId = new Map((await all()).map((d) => [d.id, d]));
    const out: Department[] = [];
    for (let d = byId.get(id); d && out.length <= byId.size; d = d.parentId ? byId.get(d.parentId) : undefined) out.push(d);
    return out;
  }
  return {
    list: all,
    findById,
    async findByName(name: string): Promise<Department | undefined> {
      const r = await db.selectFrom('tenants').selectAll().where('name', '=', name).executeTakeFirst();
      return r ? toDepartment(r) : undefined;
    },
    ancestry,
    /** Ids of the department and every department below it. */
    async subtreeIds(id: string): Promise<Set<string>> {
      const depts = await all();
      const out = new Set<string>([id]);
      for (let grew = true; grew;) {
        grew = false;
        for (const d of depts) if (d.parentId && out.has(d.parentId) && !out.has(d.id)) { out.add(d.id); grew = true; }
      }
      return out;
    },
    async create(input: { name: string; displayName?: string | null; parentId?: string | null }): Promise<Department> {
      if (input.parentId && !(await findById(input.parentId))) throw yumenError('invalid_request', `parent_id: no department ${input.parentId}.`, { param: 'parent_id' });
      if (await db.selectFrom('tenants').select('id').where('name', '=', input.name).executeTakeFirst()) {
        throw yumenError('conflict', `name: a department named "${input.name}" already exists.`, { param: 'name' });
      }
      const row = { id: randomUUID(), name: input.name, parent_id: input.parentId ?? null, created_at: Date.now(), display_name: input.displayName ?? null };
      await db.insertInto('tenants').values(row).execute();
      return toDepartment(row);
    },
    async update(id: string, patch: { displayName?: string | null; parentId?: string | null }): Promise<Department | undefined> {
      if (patch.parentId) {
        if (patch.parentId === id || (await ancestry(patch.parentId)).some((d) => d.id === id)) {
          throw yumenError('invalid_request', 'parent_id: a department cannot be moved below itself.', { param: 'parent_id' });
        }
        if (!(await findById(patch.parentId))) throw yumenError('invalid_request', `parent_id: no department ${patch.parentId}.`, { param: 'parent_id' });
      }
      const set: Record<string, unknown> = {};
      if (patch.displayName !== undefined) set.display_name = patch.displayName;
      if (patch.parentId !== undefined) set.parent_id = patch.parentId;
      if (Object.keys(set).length) await db.updateTable('tenants').set(set).where('id', '=', id).execute();
      return findById(id);
    },
    /** Deletes an empty department; refuses while it has sub-departments, keys or members. */
    async delete(id: string): Promise<boolean> {
      const child = await db.selectFrom('tenants').select('id').where('parent_id', '=', id).executeTakeFirst();
      const key = await db.selectFrom('api_keys').select('id').where('tenant_id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      const member = await db.selectFrom('user_roles').select('id').where('tenant_id', '=', id).executeTakeFirst();
      if (child || key || member) throw yumenError('conflict', 'The department still has sub-departments, active keys or members. / 该部门下仍有子部门、有效密钥或成员。');
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('dictionaries').where('tenant_id', '=', id).execute();
        await trx.deleteFrom('api_keys').where('tenant_id', '=', id).execute();
        const r = await trx.deleteFrom('tenants').where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      });
    },
    async setPolicy(id: string, policy: unknown): Promise<boolean> {
      const r = await db.updateTable('tenants').set({ policy: policy === null ? null : JSON.stringify(policy), policy_updated_at: Date.now() }).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /**
     * The policy that applies to a department: its own, else the nearest ancestor's; null when none
     * is set anywhere up the tree (the built-in default applies).
     */
    async getTenantPolicy(tenantId: string): Promise<{ policy: unknown; sourceTenantId: string } | null> {
      for (const d of await ancestry(tenantId)) if (d.policy !== null) return { policy: d.policy, sourceTenantId: d.id };
      return null;
    },
    /** Policies from the root down to the department, for a policy engine that merges layers. */
    async getTenantPolicyChain(tenantId: string): Promise<Array<{ tenantId: string; policy: unknown }>> {
      return (await ancestry(tenantId)).reverse().filter((d) => d.policy !== null).map((d) => ({ tenantId: d.id, policy: d.policy }));
    },
  };
}
export type DepartmentRepository = ReturnType<typeof createDepartmentRepository>;
