import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { inScope } from '../../../governance/index.ts';
import type { Dictionary as DictionaryRecord } from '../../../store/index.ts';
import { yumenError } from '../../../util/errors.ts';
import { allow, listedDepartments, notFound, type AdminContext } from './context.ts';
import { DeptQuery, Dictionary, DictionaryCreate, DictionaryPatch, IdParams, ListOf, Ok } from './schemas.ts';

const tags = ['dictionaries'];

function view(d: DictionaryRecord) {
  return { id: d.id, department_id: d.tenantId, name: d.name, terms: d.terms, created_at: d.createdAt, updated_at: d.updatedAt };
}

export async function dictionaryRoutes(app: FastifyInstance, { ctx }: { ctx: AdminContext }): Promise<void> {
  const { dictionaries } = ctx;
  async function target(request: FastifyRequest<{ Params: Static<typeof IdParams> }>): Promise<DictionaryRecord> {
    const d = await dictionaries.findById(request.params.id);
    if (!d || !inScope(request.scope!, d.tenantId)) notFound('dictionary');
    request.auditTenant = d.tenantId;
    return d;
  }

  app.get<{ Querystring: Static<typeof DeptQuery> }>('/dictionaries', {
    preHandler: allow(ctx, 'dictionary.read'),
    schema: { tags, summary: 'Custom-term dictionaries the caller may see', querystring: DeptQuery, response: { 200: ListOf(Dictionary) } },
  }, async (request) => {
    return { data: (await dictionaries.list({ tenantIds: listedDepartments(request.scope!, request.query.department_id) })).map(view) };
  });

  app.post<{ Body: Static<typeof DictionaryCreate> }>('/dictionaries', {
    preHandler: allow(ctx, 'dictionary.write'),
    config: { action: 'admin.dictionary.create' },
    schema: { tags, summary: 'Create a department dictionary (secadmin)', body: DictionaryCreate, response: { 201: Dictionary } },
  }, async (request, reply) => {
    request.auditTenant = request.body.department_id;
    if (!(await ctx.departments.findById(request.body.department_id))) throw yumenError('invalid_request', 'department_id: no such department.', { param: 'department_id' });
    const d = await dictionaries.create({ tenantId: request.body.department_id, name: request.body.name, terms: request.body.terms });
    ctx.onChange?.('policies');
    return reply.code(201).send(view(d));
  });

  app.get<{ Params: Static<typeof IdParams> }>('/dictionaries/:id', {
    preHandler: allow(ctx, 'dictionary.read'),
    schema: { tags, summary: 'One dictionary with its terms', params: IdParams, response: { 200: Dictionary } },
  }, async (request) => view(await target(request)));

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof DictionaryPatch> }>('/dictionaries/:id', {
    preHandler: allow(ctx, 'dictionary.write'),
    config: { action: 'admin.dictionary.update' },
    schema: { tags, summary: 'Rename a dictionary or replace its terms (secadmin)', params: IdParams, body: DictionaryPatch, response: { 200: Dictionary } },
  }, async (request) => {
    const d = await target(request);
    const updated = (await dictionaries.update(d.id, request.body))!;
    ctx.onChange?.('policies');
    return view(updated);
  });

  app.delete<{ Params: Static<typeof IdParams> }>('/dictionaries/:id', {
    preHandler: allow(ctx, 'dictionary.write'),
    config: { action: 'admin.dictionary.delete' },
    schema: { tags, summary: 'Delete a dictionary (secadmin)', params: IdParams, response: { 200: Ok } },
  }, async (request) => {
    const d = await target(request);
    await dictionaries.delete(d.id);
    ctx.onChange?.('policies');
    return { ok: true };
  });
}
