import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { AppService } from '../../../apps/index.ts';
import { SLUG_PATTERN } from '../../../apps/index.ts';
import { inScope, type Scope } from '../../../governance/index.ts';
import type { StoredApp } from '../../../store/index.ts';
import { yumenError } from '../../../util/errors.ts';
import { allow, listedDepartments, notFound, type AdminContext } from './context.ts';
import { DeptQuery, Id, ListOf, Ok } from './schemas.ts';

const tags = ['apps'];
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Strings = (max: number, maxLength: number) => Type.Array(Type.String({ minLength: 1, maxLength }), { maxItems: max });

const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 63 }) });
const AppFields = {
  name: Type.String({ minLength: 1, maxLength: 128 }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  model: Type.String({ minLength: 1, maxLength: 128, description: 'A model or pool name, or "auto"' }),
  system_prompt: Type.String({ maxLength: 32_000, description: 'May use {{variables}} that callers fill with "variables" in the chat body' }),
  knowledge_bases: Type.Optional(Strings(32, 64)),
  variables: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 4000 }), { description: 'Default values of {{variables}}' })),
  welcome: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  suggested_questions: Type.Optional(Strings(20, 500)),
  shared_with: Type.Optional(Type.Array(Id, { maxItems: 256, description: 'Departments (ids) whose keys may use the app too' })),
};
const AppCreate = Type.Object({ slug: Type.String({ pattern: SLUG_PATTERN }), department_id: Id, ...AppFields }, { additionalProperties: false });
const AppPatchBody = Type.Partial(Type.Object(AppFields), { additionalProperties: false });
const App = Type.Object({
  slug: Type.String(), name: Type.String(), description: Nullable(Type.String()), department_id: Type.String(), model: Type.String(),
  system_prompt: Type.String(), knowledge_bases: Type.Array(Type.String()), variables: Type.Record(Type.String(), Type.String()),
  welcome: Nullable(Type.String()), suggested_questions: Type.Array(Type.String()), shared_with: Type.Array(Type.String()),
  created_by: Nullable(Type.String()), created_at: Type.Number(), updated_at: Type.Number(),
});

function view(a: StoredApp) {
  return {
    slug: a.slug, name: a.name, description: a.description, department_id: a.tenantId, model: a.model, system_prompt: a.systemPrompt,
    knowledge_bases: a.knowledgeBases, variables: a.variables, welcome: a.welcome, suggested_questions: a.suggestedQuestions,
    shared_with: a.sharedWith, created_by: a.createdBy, created_at: a.createdAt, updated_at: a.updatedAt,
  };
}

const readable = (scope: Scope, a: StoredApp) => inScope(scope, a.tenantId) || a.sharedWith.some((d) => inScope(scope, d));

/** Business-scenario apps (业务场景App) under /api/apps: the owning department's administrators (or sysadmin) define them. */
export async function appRoutes(app: FastifyInstance, { ctx, apps }: { ctx: AdminContext; apps: AppService }): Promise<void> {
  /** The app named in the path, for writing: 404 when it is not owned within the caller's reach. */
  async function owned(request: FastifyRequest<{ Params: Static<typeof SlugParams> }>): Promise<StoredApp> {
    const a = await apps.get(request.params.slug);
    if (!a || !inScope(request.scope!, a.tenantId)) notFound('app');
    request.auditTenant = a.tenantId;
    return a;
  }

  app.get<{ Querystring: Static<typeof DeptQuery> }>('/apps', {
    preHandler: allow(ctx, 'app.read'),
    schema: { tags, summary: 'Apps owned by, or shared with, the departments the caller reaches', querystring: DeptQuery, response: { 200: ListOf(App) } },
  }, async (request) => {
    const ids = listedDepartments(request.scope!, request.query.department_id);
    return { data: (await apps.list({ tenantIds: ids, includeShared: true })).map(view) };
  });

  app.post<{ Body: Static<typeof AppCreate> }>('/apps', {
    preHandler: allow(ctx, 'app.write'),
    config: { action: 'admin.app.create' },
    schema: { tags, summary: 'Create an app: model, system prompt, knowledge bases, sharing (dept_admin of the department, or sysadmin)', body: AppCreate, response: { 201: App } },
  }, async (request, reply) => {
    const b = request.body;
    request.auditTenant = b.department_id;
    if (!inScope(request.scope!, b.department_id)) throw yumenError('forbidden', 'That department is outside your reach. / 无权为该部门创建应用。', { param: 'department_id' });
    if (!(await ctx.departments.findById(b.department_id))) throw yumenError('invalid_request', 'department_id: no such department.', { param: 'department_id' });
    const created = await apps.create({
      slug: b.slug, tenantId: b.department_id, name: b.name, description: b.description ?? null, model: b.model, systemPrompt: b.system_prompt,
      knowledgeBases: b.knowledge_bases ?? [], variables: b.variables ?? {}, welcome: b.welcome ?? null, suggestedQuestions: b.suggested_questions ?? [],
      sharedWith: (b.shared_with ?? []).filter((d) => d !== b.department_id), createdBy: request.actor?.userId ?? null,
    });
    return reply.code(201).send(view(created));
  });

  app.get<{ Params: Static<typeof SlugParams> }>('/apps/:slug', {
    preHandler: allow(ctx, 'app.read'),
    schema: { tags, summary: 'One app', params: SlugParams, response: { 200: App } },
  }, async (request) => {
    const a = await apps.get(request.params.slug);
    if (!a || !readable(request.scope!, a)) notFound('app');
    return view(a);
  });

  app.patch<{ Params: Static<typeof SlugParams>; Body: Static<typeof AppPatchBody> }>('/apps/:slug', {
    preHandler: allow(ctx, 'app.write'),
    config: { action: 'admin.app.update' },
    schema: { tags, summary: 'Change an app (its model, prompt, knowledge, sharing, …)', params: SlugParams, body: AppPatchBody, response: { 200: App } },
  }, async (request) => {
    const a = await owned(request);
    const b = request.body;
    const updated = await apps.update(a.slug, {
      name: b.name, description: b.description, model: b.model, systemPrompt: b.system_prompt, knowledgeBases: b.knowledge_bases,
      variables: b.variables, welcome: b.welcome, suggestedQuestions: b.suggested_questions,
      sharedWith: b.shared_with?.filter((d) => d !== a.tenantId),
    });
    if (!updated) notFound('app');
    return view(updated);
  });

  app.delete<{ Params: Static<typeof SlugParams> }>('/apps/:slug', {
    preHandler: allow(ctx, 'app.write'),
    config: { action: 'admin.app.delete' },
    schema: { tags, summary: 'Delete an app', params: SlugParams, response: { 200: Ok } },
  }, async (request) => {
    const a = await owned(request);
    await apps.delete(a.slug);
    return { ok: true };
  });
}
