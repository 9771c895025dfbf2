import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { yumenError } from '../../util/errors.ts';
import type { Database } from '../schema.ts';
import type { AppsTable } from '../tables/apps.ts';

/** A business-scenario app as stored: what `app:<slug>` resolves to. */
export interface StoredApp {
  id: string;
  slug: string;
  tenantId: string;
  name: string;
  description: string | null;
  model: string;
  systemPrompt: string;
  knowledgeBases: string[];
  /** Default values of the prompt's {{variables}}. */
  variables: Record<string, string>;
  welcome: string | null;
  suggestedQuestions: string[];
  /** Departments (ids) the app is shared with, besides its own. */
  sharedWith: string[];
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export type NewApp = Omit<StoredApp, 'id' | 'sharedWith' | 'createdAt' | 'updatedAt'> & { sharedWith?: string[] };
export type AppPatch = Partial<Omit<StoredApp, 'id' | 'slug' | 'tenantId' | 'createdBy' | 'createdAt' | 'updatedAt'>>;

function toApp(r: AppsTable, sharedWith: string[]): StoredApp {
  return {
    id: r.id, slug: r.slug, tenantId: r.tenant_id, name: r.name, description: r.description, model: r.model,
    systemPrompt: r.system_prompt, knowledgeBases: JSON.parse(r.knowledge_bases) as string[],
    variables: JSON.parse(r.variables) as Record<string, string>, welcome: r.welcome,
    suggestedQuestions: JSON.parse(r.suggested_questions) as string[], sharedWith,
    createdBy: r.created_by, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  };
}

export function createAppRepository(db: Kysely<Database>) {
  async function withShares(rows: AppsTable[]): Promise<StoredApp[]> {
    if (rows.length === 0) return [];
    const shares = await db.selectFrom('app_shares').select(['app_id', 'tenant_id']).where('app_id', 'in', rows.map((r) => r.id)).orderBy('tenant_id').execute();
    const by = new Map<string, string[]>();
    for (const s of shares) (by.get(s.app_id) ?? by.set(s.app_id, []).get(s.app_id)!).push(s.tenant_id);
    return rows.map((r) => toApp(r, by.get(r.id) ?? []));
  }

  async function setShares(appId: string, tenantIds: readonly string[]): Promise<void> {
    await db.deleteFrom('app_shares').where('app_id', '=', appId).execute();
    const unique = [...new Set(tenantIds)];
    if (unique.length) await db.insertInto('app_shares').values(unique.map((t) => ({ app_id: appId, tenant_id: t, created_at: Date.now() }))).execute();
  }

  return {
    /** Apps owned by, or (with `includeShared`) shared with, the given departments; all apps when `tenantIds` is undefined. */
    async list(filter: { tenantIds?: Iterable<string>; includeShared?: boolean } = {}): Promise<StoredApp[]> {
      let q = db.selectFrom('apps').selectAll();
      if (filter.tenantIds) {
        const ids = [...filter.tenantIds];
        if (ids.length === 0) return [];
        q = filter.includeShared
          ? q.where((eb) => eb.or([eb('tenant_id', 'in', ids), eb('id', 'in', eb.selectFrom('app_shares').select('app_id').where('tenant_id', 'in', ids))]))
          : q.where('tenant_id', 'in', ids);
      }
      return withShares(await q.orderBy('slug').execute());
    },
    async findBySlug(slug: string): Promise<StoredApp | undefined> {
      const r = await db.selectFrom('apps').selectAll().where('slug', '=', slug).executeTakeFirst();
      return r ? (await withShares([r]))[0] : undefined;
    },
    async create(input: NewApp): Promise<StoredApp> {
      if (await db.selectFrom('apps').select('id').where('slug', '=', input.slug).executeTakeFirst()) {
        throw yumenError('conflict', `slug: an app "${input.slug}" already exists. / 应用标识已存在。`, { param: 'slug' });
      }
      const now = Date.now();
      const id = randomUUID();
      await db.insertInto('apps').values({
        id, slug: input.slug, tenant_id: input.tenantId, name: input.name, description: input.description, model: input.model,
        system_prompt: input.systemPrompt, knowledge_bases: JSON.stringify(input.knowledgeBases), variables: JSON.stringify(input.variables),
        welcome: input.welcome, suggested_questions: JSON.stringify(input.suggestedQuestions), created_by: input.createdBy,
        created_at: now, updated_at: now,
      }).execute();
      await setShares(id, input.sharedWith ?? []);
      return (await this.findBySlug(input.slug))!;
    },
    async update(slug: string, patch: AppPatch): Promise<StoredApp | undefined> {
      const app = await this.findBySlug(slug);
      if (!app) return undefined;
      const set: Partial<AppsTable> = { updated_at: Date.now() };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.model !== undefined) set.model = patch.model;
      if (patch.systemPrompt !== undefined) set.system_prompt = patch.systemPrompt;
      if (patch.knowledgeBases !== undefined) set.knowledge_bases = JSON.stringify(patch.knowledgeBases);
      if (patch.variables !== undefined) set.variables = JSON.stringify(patch.variables);
      if (patch.welcome !== undefined) set.welcome = patch.welcome;
      if (patch.suggestedQuestions !== undefined) set.suggested_questions = JSON.stringify(patch.suggestedQuestions);
      await db.updateTable('apps').set(set).where('id', '=', app.id).execute();
      if (patch.sharedWith !== undefined) await setShares(app.id, patch.sharedWith);
      return this.findBySlug(slug);
    },
    async delete(slug: string): Promise<boolean> {
      const app = await db.selectFrom('apps').select('id').where('slug', '=', slug).executeTakeFirst();
      if (!app) return false;
      await db.deleteFrom('app_shares').where('app_id', '=', app.id).execute();
      await db.deleteFrom('apps').where('id', '=', app.id).execute();
      return true;
    },
  };
}
export type AppRepository = ReturnType<typeof createAppRepository>;
