import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { yumenError } from '../../util/errors.ts';
import type { Database } from '../schema.ts';
import { createDepartmentRepository } from './departments.ts';

export interface DictionaryTerm { term: string; label: string }

export interface Dictionary {
  id: string;
  tenantId: string;
  name: string;
  terms: DictionaryTerm[];
  createdAt: number;
  updatedAt: number;
}

/** A term as the guard sees it: where it came from, so findings can name the dictionary. */
export interface ResolvedTerm extends DictionaryTerm { dictionary: string; tenantId: string }

function toDictionary(r: { id: string; tenant_id: string; name: string; terms: string; created_at: number; updated_at: number }): Dictionary {
  return { id: r.id, tenantId: r.tenant_id, name: r.name, terms: JSON.parse(r.terms), createdAt: r.created_at, updatedAt: r.updated_at };
}

/** Custom-term dictionaries (custom_term findings), one set per department, inherited by sub-departments. */
export function createDictionaryRepository(db: Kysely<Database>) {
  const departments = createDepartmentRepository(db);
  return {
    async list(filter: { tenantIds?: Iterable<string> } = {}): Promise<Dictionary[]> {
      let q = db.selectFrom('dictionaries').selectAll();
      if (filter.tenantIds) {
        const ids = [...filter.tenantIds];
        if (ids.length === 0) return [];
        q = q.where('tenant_id', 'in', ids);
      }
      return (await q.orderBy('name').execute()).map(toDictionary);
    },
    async findById(id: string): Promise<Dictionary | undefined> {
      const r = await db.selectFrom('dictionaries').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toDictionary(r) : undefined;
    },
    async create(input: { tenantId: string; name: string; terms: DictionaryTerm[] }): Promise<Dictionary> {
      const clash = await db.selectFrom('dictionaries').select('id').where('tenant_id', '=', input.tenantId).where('name', '=', input.name).executeTakeFirst();
      if (clash) throw yumenError('conflict', `name: the department already has a dictionary "${input.name}".`, { param: 'name' });
      const now = Date.now();
      const row = { id: randomUUID(), tenant_id: input.tenantId, name: input.name, terms: JSON.stringify(input.terms), created_at: now, updated_at: now };
      await db.insertInto('dictionaries').values(row).execute();
      return toDictionary(row);
    },
    async update(id: string, patch: { name?: string; terms?: DictionaryTerm[] }): Promise<Dictionary | undefined> {
      const set: Record<string, unknown> = { updated_at: Date.now() };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.terms !== undefined) set.terms = JSON.stringify(patch.terms);
      await db.updateTable('dictionaries').set(set).where('id', '=', id).execute();
      return this.findById(id);
    },
    async delete(id: string): Promise<boolean> {
      const r = await db.deleteFrom('dictionaries').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    /** Every term that applies to a department: its own dictionaries and those of its ancestors. */
    async listDictionaryTerms(tenantId: string): Promise<ResolvedTerm[]> {
      const chain = await departments.ancestry(tenantId);
      if (chain.length === 0) return [];
      const dicts = await this.list({ tenantIds: chain.map((d) => d.id) });
      return dicts.flatMap((d) => d.terms.map((t) => ({ term: t.term, label: t.label, dictionary: d.name, tenantId: d.tenantId })));
    },
  };
}
export type DictionaryRepository = ReturnType<typeof createDictionaryRepository>;
