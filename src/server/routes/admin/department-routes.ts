import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { inScope } from '../../../governance/index.ts';
import type { Department as DepartmentRecord } from '../../../store/index.ts';
import { buildPolicySet, effectivePolicy, policyToConfig } from '../../../policy/index.ts';
import { yumenError } from '../../../util/errors.ts';
import { allow, notFound, type AdminContext } from './context.ts';
import { Department, DepartmentCreate, DepartmentPatch, IdParams, ListOf, Ok, Policy, PolicyPut } from './schemas.ts';

const tags = ['departments'];

export function departmentView(d: DepartmentRecord) {
  return { id: d.id, name: d.name, display_name: d.displayName, parent_id: d.parentId, created_at: d.createdAt };
}

/**
 * A department's policy as the admin API shows it: its own layer, every layer it inherits, and the effective
 * result — computed by the same function the gateway enforces with (policy/effective.ts).
 */
async function policyView(ctx: AdminContext, d: DepartmentRecord) {
  const nearest = await ctx.departments.getTenantPolicy(d.id);
  const chain = await ctx.departments.getTenantPolicyChain(d.id);
  const { policy, layers } = effectivePolicy(ctx.policies ?? buildPolicySet({}, []).set, d.name, chain);
  return {
    department_id: d.id, policy: d.policy, updated_at: d.policyUpdatedAt, own: d.policy,
    layers: layers.map((l) => ({ source: l.source, policy: l.policy, ...(l.skipped ? { skipped: l.skipped } : {}) })),
    effective: { policy: policyToConfig(policy), source_department_id: nearest?.sourceTenantId ?? null },
  };
}

export async function departmentRoutes(app: FastifyInstance, { ctx }: { ctx: AdminContext }): Promise<void> {
  const { departments } = ctx;

  app.get('/departments', {
    preHandler: allow(ctx, 'department.read'),
    schema: { tags, summary: 'Departments the caller may see', response: { 200: ListOf(Department) } },
  }, async (request) => {
    const all = await departments.list();
    return { data: all.filter((d) => inScope(request.scope!, d.id)).map(departmentView) };
  });

  app.post<{ Body: Static<typeof DepartmentCreate> }>('/departments', {
    preHandler: allow(ctx, 'department.write'),
    config: { action: 'admin.department.create' },
    schema: { tags, summary: 'Create a department (sysadmin)', body: DepartmentCreate, response: { 201: Department } },
  }, async (request, reply) => {
    const d = await departments.create({ name: request.body.name, displayName: request.body.display_name, parentId: request.body.parent_id });
    request.auditTenant = d.id;
    return reply.code(201).send(departmentView(d));
  });

  app.get<{ Params: Static<typeof IdParams> }>('/departments/:id', {
    preHandler: allow(ctx, 'department.read'),
    schema: { tags, summary: 'One department', params: IdParams, response: { 200: Department } },
  }, async (request) => {
    const d = await departments.findById(request.params.id);
    if (!d || !inScope(request.scope!, d.id)) notFound('department');
    return departmentView(d);
  });

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof DepartmentPatch> }>('/departments/:id', {
    preHandler: allow(ctx, 'department.write'),
    config: { action: 'admin.department.update' },
    schema: { tags, summary: 'Rename or move a department (sysadmin)', params: IdParams, body: DepartmentPatch, response: { 200: Department } },
  }, async (request) => {
    request.auditTenant = request.params.id;
    if (!(await departments.findById(request.params.id))) notFound('department');
    const d = await departments.update(request.params.id, { displayName: request.body.display_name, parentId: request.body.parent_id });
    ctx.onChange?.('policies'); // a move changes what the department inherits
    return departmentView(d!);
  });

  app.delete<{ Params: Static<typeof IdParams> }>('/departments/:id', {
    preHandler: allow(ctx, 'department.write'),
    config: { action: 'admin.department.delete' },
    schema: { tags, summary: 'Delete an empty department (sysadmin)', params: IdParams, response: { 200: Ok } },
  }, async (request) => {
    request.auditTenant = request.params.id;
    if (!(await departments.findById(request.params.id))) notFound('department');
    await departments.delete(request.params.id);
    return { ok: true };
  });

  app.get<{ Params: Static<typeof IdParams> }>('/departments/:id/policy', {
    preHandler: allow(ctx, 'policy.read'),
    schema: { tags: ['policies'], summary: 'A department\'s own policy, every layer it inherits (config, policy.tenants, departments root→leaf) and the effective policy the gateway enforces', params: IdParams, response: { 200: Policy } },
  }, async (request) => {
    const d = await departments.findById(request.params.id);
    if (!d || !inScope(request.scope!, d.id)) notFound('department');
    return policyView(ctx, d);
  });

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof PolicyPut> }>('/departments/:id/policy', {
    preHandler: allow(ctx, 'policy.write'),
    config: { action: 'admin.policy.update' },
    schema: { tags: ['policies'], summary: 'Set (or with null, clear) a department\'s policy (secadmin)', params: IdParams, body: PolicyPut, response: { 200: Policy } },
  }, async (request) => {
    request.auditTenant = request.params.id;
    const d = await departments.findById(request.params.id);
    if (!d) notFound('department');
    const policy = request.body.policy;
    if (policy !== null && ctx.validatePolicy) {
      const problems = ctx.validatePolicy(policy);
      if (problems.length) {
        const param = /^([\w.[\]]+):/.exec(problems[0])?.[1];
        throw yumenError('invalid_request', `Invalid policy: ${problems[0]}`, { param: !param ? 'policy' : param.startsWith('policy') ? param : `policy.${param}`, detail: { problems } });
      }
    }
    await departments.setPolicy(d.id, policy);
    ctx.onChange?.('policies');
    return policyView(ctx, (await departments.findById(d.id))!);
  });
}
