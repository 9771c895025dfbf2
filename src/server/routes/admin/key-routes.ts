import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { inScope, ipEntryProblem, type Scope } from '../../../governance/index.ts';
import type { ApiKeyRow } from '../../../store/index.ts';
import { yumenError } from '../../../util/errors.ts';
import { allow, listedDepartments, notFound, type AdminContext } from './context.ts';
import { DeptQuery, IdParams, Key, KeyCreate, KeyCreated, ListOf } from './schemas.ts';

const tags = ['keys'];

export function keyView(k: ApiKeyRow) {
  return {
    id: k.id, department_id: k.tenant_id, name: k.name, prefix: k.prefix, created_at: k.created_at, expires_at: k.expires_at,
    revoked_at: k.revoked_at, last_used_at: k.last_used_at, created_by: k.created_by ?? null,
    allowed_models: k.allowed_models ? JSON.parse(k.allowed_models) : null, allowed_ips: k.allowed_ips ? JSON.parse(k.allowed_ips) : null,
  };
}

function reaches(scope: Scope, key: ApiKeyRow, userId: string): boolean {
  if (scope.kind === 'all') return true;
  return inScope(scope, key.tenant_id) && (!scope.ownKeysOnly || key.created_by === userId);
}

export async function keyRoutes(app: FastifyInstance, { ctx }: { ctx: AdminContext }): Promise<void> {
  async function target(request: FastifyRequest<{ Params: Static<typeof IdParams> }>): Promise<ApiKeyRow> {
    const key = await ctx.keys.findById(request.params.id);
    if (!key || !reaches(request.scope!, key, request.actor!.userId)) notFound('key');
    request.auditTenant = key.tenant_id;
    return key;
  }

  app.get<{ Querystring: Static<typeof DeptQuery> }>('/keys', {
    preHandler: allow(ctx, 'key.read'),
    schema: { tags, summary: 'API keys the caller may see (never their secrets)', querystring: DeptQuery, response: { 200: ListOf(Key) } },
  }, async (request) => {
    const scope = request.scope!;
    const tenantIds = listedDepartments(scope, request.query.department_id);
    const rows = await ctx.keyAdmin.list({ tenantIds, createdBy: scope.kind === 'departments' && scope.ownKeysOnly ? request.actor!.userId : undefined });
    return { data: rows.map(keyView) };
  });

  app.post<{ Body: Static<typeof KeyCreate> }>('/keys', {
    preHandler: allow(ctx, 'key.write'),
    config: { action: 'admin.key.create' },
    schema: { tags, summary: 'Create an API key; the secret is in this response only', body: KeyCreate, response: { 201: KeyCreated } },
  }, async (request, reply) => {
    const b = request.body;
    request.auditTenant = b.department_id;
    if (!inScope(request.scope!, b.department_id)) throw yumenError('forbidden', 'That department is outside your reach. / 无权为该部门创建密钥。', { param: 'department_id' });
    if (!(await ctx.departments.findById(b.department_id))) throw yumenError('invalid_request', 'department_id: no such department.', { param: 'department_id' });
    for (const [i, entry] of (b.allowed_ips ?? []).entries()) {
      const problem = ipEntryProblem(entry);
      if (problem) throw yumenError('invalid_request', `allowed_ips[${i}]: ${problem}.`, { param: `allowed_ips[${i}]` });
    }
    if (b.expires_at != null && b.expires_at <= Date.now()) throw yumenError('invalid_request', 'expires_at: must be in the future.', { param: 'expires_at' });
    const { secret, row } = await ctx.keys.create({ tenantId: b.department_id, name: b.name ?? null, expiresAt: b.expires_at ?? null, allowedModels: b.allowed_models ?? null, allowedIps: b.allowed_ips ?? null });
    await ctx.keyAdmin.setCreatedBy(row.id, request.actor!.userId);
    reply.header('cache-control', 'no-store');
    return reply.code(201).send({ key: keyView({ ...row, created_by: request.actor!.userId }), secret });
  });

  app.get<{ Params: Static<typeof IdParams> }>('/keys/:id', {
    preHandler: allow(ctx, 'key.read'),
    schema: { tags, summary: 'One API key (never its secret)', params: IdParams, response: { 200: Key } },
  }, async (request) => keyView(await target(request)));

  app.post<{ Params: Static<typeof IdParams> }>('/keys/:id/revoke', {
    preHandler: allow(ctx, 'key.write'),
    config: { action: 'admin.key.revoke' },
    schema: { tags, summary: 'Revoke an API key at once', params: IdParams, response: { 200: Key } },
  }, async (request) => {
    const key = await target(request);
    await ctx.keys.revoke(key.id);
    ctx.onChange?.('keys');
    return keyView((await ctx.keys.findById(key.id))!);
  });
}
