import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { checkApiAccountChange, checkApiGrant, checkDepartments, createAccount, inScope, ORGANISATION_ROLES, type Scope } from '../../../governance/index.ts';
import type { RoleAssignment, RoleName, UserRow } from '../../../store/index.ts';
import { yumenError } from '../../../util/errors.ts';
import { allow, notFound, type AdminContext } from './context.ts';
import { IdParams, ListOf, Ok, RolesPut, User, UserCreate, UserPatch } from './schemas.ts';

const tags = ['users'];

export function userView(u: UserRow, roles: readonly RoleAssignment[]) {
  return {
    id: u.id, username: u.username, display_name: u.display_name, disabled: u.disabled === 1, created_at: u.created_at,
    last_login_at: u.last_login_at, roles: roles.map((r) => ({ role: r.role, department_id: r.tenantId })),
  };
}

function toAssignments(roles: Static<typeof RolesPut>['roles']): RoleAssignment[] {
  return roles.map((r) => ({ role: r.role as RoleName, tenantId: r.department_id ?? null }));
}

/** A department-scoped admin sees accounts with a role in their departments… */
function visible(scope: Scope, roles: readonly RoleAssignment[]): boolean {
  return scope.kind === 'all' || roles.some((r) => inScope(scope, r.tenantId));
}
/** …and changes only accounts (and grants only roles) wholly inside them, never an organisation-wide role. */
function manageable(scope: Scope, roles: readonly RoleAssignment[]): boolean {
  return scope.kind === 'all' || (roles.length > 0 && roles.every((r) => !ORGANISATION_ROLES.includes(r.role) && inScope(scope, r.tenantId)));
}

function checkGrant(scope: Scope, roles: readonly RoleAssignment[]): void {
  if (scope.kind === 'all') return;
  if (!manageable(scope, roles)) {
    throw yumenError('forbidden', 'A department administrator may grant only department roles within their own departments. / 部门管理员只能在本部门内授予部门角色。', { param: 'roles' });
  }
}

export async function userRoutes(app: FastifyInstance, { ctx }: { ctx: AdminContext }): Promise<void> {
  const { users } = ctx;

  /** The target account when the actor may see it (404 otherwise); `manage` also requires the right to change it. */
  async function target(request: FastifyRequest<{ Params: Static<typeof IdParams> }>, manage: boolean) {
    const user = await users.findById(request.params.id);
    if (!user) notFound('user');
    const roles = await users.roles(user.id);
    if (!visible(request.scope!, roles)) notFound('user');
    // 三员分立: no one changes a sysadmin, secadmin or auditor account through the API (docs/governance.md).
    if (manage) checkApiAccountChange(roles);
    if (manage && !manageable(request.scope!, roles)) throw yumenError('forbidden', 'This account is outside your departments. / 该账号不在您的管理范围内。');
    if (manage && user.id === request.actor!.userId) throw yumenError('forbidden', 'Ask another administrator to change your own account\'s status or roles. / 不能修改本人账号的状态或角色。');
    request.auditTenant = roles.find((r) => r.tenantId)?.tenantId ?? null;
    return { user, roles };
  }

  app.get('/users', {
    preHandler: allow(ctx, 'user.read'),
    schema: { tags, summary: 'Accounts the caller may see, with their roles', response: { 200: ListOf(User) } },
  }, async (request) => {
    const byUser = new Map<string, RoleAssignment[]>();
    for (const r of await users.allRoles()) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), { role: r.role, tenantId: r.tenantId }]);
    return { data: (await users.list()).filter((u) => visible(request.scope!, byUser.get(u.id) ?? [])).map((u) => userView(u, byUser.get(u.id) ?? [])) };
  });

  app.post<{ Body: Static<typeof UserCreate> }>('/users', {
    preHandler: allow(ctx, 'user.write'),
    config: { action: 'admin.user.create' },
    schema: { tags, summary: 'Create a local account with department roles (the sysadmin, secadmin and auditor roles are granted only on the host: 403 separation_of_duties)', body: UserCreate, response: { 201: User } },
  }, async (request, reply) => {
    const roles = toAssignments(request.body.roles);
    request.auditTenant = roles.find((r) => r.tenantId)?.tenantId ?? null;
    checkApiGrant(roles);
    checkGrant(request.scope!, roles);
    const user = await createAccount(ctx.db, ctx.accounts, { username: request.body.username, password: request.body.password ?? '', displayName: request.body.display_name, roles }, 'api');
    return reply.code(201).send(userView(user, roles));
  });

  app.get<{ Params: Static<typeof IdParams> }>('/users/:id', {
    preHandler: allow(ctx, 'user.read'),
    schema: { tags, summary: 'One account', params: IdParams, response: { 200: User } },
  }, async (request) => {
    const { user, roles } = await target(request, false);
    return userView(user, roles);
  });

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UserPatch> }>('/users/:id', {
    preHandler: allow(ctx, 'user.write'),
    config: { action: 'admin.user.update' },
    schema: { tags, summary: 'Rename, disable/enable or reset the password of an ordinary account (never of a sysadmin, secadmin or auditor); ends its sessions when disabled or reset', params: IdParams, body: UserPatch, response: { 200: User } },
  }, async (request) => {
    const { user, roles } = await target(request, true);
    const passwordHash = request.body.password ? await ctx.accounts.hashPassword(request.body.password) : undefined;
    await users.update(user.id, { displayName: request.body.display_name, disabled: request.body.disabled, passwordHash });
    if (request.body.disabled || passwordHash) await ctx.accounts.endSessions(user.id);
    if (passwordHash) await users.clearFailures(user.username);
    return userView((await users.findById(user.id))!, roles);
  });

  app.delete<{ Params: Static<typeof IdParams> }>('/users/:id', {
    preHandler: allow(ctx, 'user.write'),
    config: { action: 'admin.user.delete' },
    schema: { tags, summary: 'Delete an account and its sessions', params: IdParams, response: { 200: Ok } },
  }, async (request) => {
    const { user } = await target(request, true);
    await users.delete(user.id);
    return { ok: true };
  });

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof RolesPut> }>('/users/:id/roles', {
    preHandler: allow(ctx, 'user.write'),
    config: { action: 'admin.user.roles' },
    schema: { tags, summary: 'Replace an account\'s roles (三员分立 enforced); ends its sessions', params: IdParams, body: RolesPut, response: { 200: User } },
  }, async (request) => {
    const { user } = await target(request, true);
    const roles = toAssignments(request.body.roles);
    checkApiGrant(roles);
    checkGrant(request.scope!, roles);
    await checkDepartments(ctx.db, roles);
    await users.setRoles(user.id, roles);
    await ctx.accounts.endSessions(user.id);
    return userView(user, roles);
  });
}
