import type { Kysely } from 'kysely';
import { createDepartmentRepository, createUserRepository, type Database, type RoleAssignment, type UserRow } from '../store/index.ts';
import { yumenError } from '../util/errors.ts';
import type { Accounts } from './accounts.ts';
import { checkApiGrant } from './duties.ts';

export interface NewAccount {
  username: string;
  password: string;
  displayName?: string | null;
  roles: RoleAssignment[];
}

/**
 * Creates a local account with its roles: the departments must exist, the password must be strong, and
 * the role set obeys 三员分立. `via: 'api'` (the admin API) refuses the three organisation roles;
 * `via: 'host'` (the CLI on the host, or the console's first-run set-up with its one-time token) may grant them.
 */
export async function createAccount(db: Kysely<Database>, accounts: Pick<Accounts, 'hashPassword'>, input: NewAccount, via: 'api' | 'host'): Promise<UserRow> {
  if (via === 'api') checkApiGrant(input.roles);
  await checkDepartments(db, input.roles);
  if (!input.password) throw yumenError('invalid_request', 'password: required for a local account. / 请设置密码。', { param: 'password' });
  const passwordHash = await accounts.hashPassword(input.password);
  return createUserRepository(db).create({ username: input.username, displayName: input.displayName ?? null, passwordHash, roles: input.roles });
}

/** 400 naming `roles[i].department_id` when a role names a department that does not exist. */
export async function checkDepartments(db: Kysely<Database>, roles: readonly RoleAssignment[]): Promise<void> {
  const departments = createDepartmentRepository(db);
  for (const [i, r] of roles.entries()) {
    if (r.tenantId && !(await departments.findById(r.tenantId))) throw yumenError('invalid_request', `roles[${i}].department_id: no such department.`, { param: `roles[${i}].department_id` });
  }
}
