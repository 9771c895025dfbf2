import type { DepartmentRepository, RoleAssignment, RoleName } from '../store/index.ts';
import { yumenError } from '../util/errors.ts';

/** A signed-in person acting through the admin API or console. */
export interface Actor {
  userId: string;
  username: string;
  roles: readonly RoleAssignment[];
}

export type Permission =
  | 'department.read' | 'department.write'
  | 'user.read' | 'user.write'
  | 'key.read' | 'key.write'
  | 'model.read' | 'model.write'
  | 'policy.read' | 'policy.write'
  | 'dictionary.read' | 'dictionary.write'
  | 'app.read' | 'app.write' | 'dataset.export' | 'eval.run'
  | 'audit.read';

/**
 * Who may do what (三员分立). The organisation-wide roles act on every department; department roles act
 * on their department and the departments below it. The system administrator runs people, departments,
 * models and keys but sets no policy; the security administrator sets policy and dictionaries but manages
 * no accounts; the auditor reads everything and changes nothing, and alone reads the audit trail
 * (`audit.read`: /api/audit/records, /verify, /export). A member manages only the keys they created.
 * Apps, dataset exports and evaluation runs (`eval.run`) belong to the department administrator (and the system administrator);
 * everyone may read the app catalogue.
 */
export const ROLE_PERMISSIONS: Readonly<Record<RoleName, readonly Permission[]>> = {
  sysadmin: ['department.read', 'department.write', 'user.read', 'user.write', 'key.read', 'key.write', 'model.read', 'model.write', 'app.read', 'app.write', 'dataset.export', 'eval.run'],
  secadmin: ['department.read', 'model.read', 'policy.read', 'policy.write', 'dictionary.read', 'dictionary.write', 'app.read'],
  auditor: ['department.read', 'user.read', 'key.read', 'model.read', 'policy.read', 'dictionary.read', 'app.read', 'audit.read'],
  dept_admin: ['department.read', 'user.read', 'user.write', 'key.read', 'key.write', 'model.read', 'policy.read', 'dictionary.read', 'app.read', 'app.write', 'dataset.export', 'eval.run'],
  member: ['department.read', 'key.read', 'key.write', 'model.read', 'app.read'],
};

/** Where a permission reaches: every department, some departments (maybe only the actor's own keys), or nowhere. */
export type Scope =
  | { kind: 'all' }
  | { kind: 'departments'; ids: ReadonlySet<string>; ownKeysOnly: boolean };

export const ORGANISATION_ROLES: readonly RoleName[] = ['sysadmin', 'secadmin', 'auditor'];

/** Resolves an actor's reach for a permission; throws 403 `forbidden` when the actor has none. */
export async function scopeFor(actor: Actor, permission: Permission, departments: DepartmentRepository): Promise<Scope> {
  const granting = actor.roles.filter((r) => ROLE_PERMISSIONS[r.role]?.includes(permission));
  if (granting.length === 0) throw yumenError('forbidden', `Your role may not do this (${permission}). / 您的角色无权执行此操作。`);
  if (granting.some((r) => ORGANISATION_ROLES.includes(r.role))) return { kind: 'all' };
  const ids = new Set<string>();
  // A member's reach over keys is their own keys; a dept_admin's covers everyone's in the subtree.
  let ownKeysOnly = true;
  for (const r of granting) {
    if (!r.tenantId) continue;
    for (const id of await departments.subtreeIds(r.tenantId)) ids.add(id);
    if (r.role === 'dept_admin') ownKeysOnly = false;
  }
  return { kind: 'departments', ids, ownKeysOnly: ownKeysOnly && permission.startsWith('key.') };
}

export function inScope(scope: Scope, departmentId: string | null | undefined): boolean {
  return scope.kind === 'all' || (!!departmentId && scope.ids.has(departmentId));
}

/** True when the actor holds one of the organisation-wide roles. */
export function isOrganisationWide(actor: Actor): boolean {
  return actor.roles.some((r) => ORGANISATION_ROLES.includes(r.role));
}
