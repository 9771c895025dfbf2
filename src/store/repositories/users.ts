import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { yumenError } from '../../util/errors.ts';
import type { Database } from '../schema.ts';
import type { UsersTable } from '../tables/governance.ts';

export type UserRow = UsersTable;
export type RoleName = 'sysadmin' | 'secadmin' | 'auditor' | 'dept_admin' | 'member';
export const ROLE_NAMES: readonly RoleName[] = ['sysadmin', 'secadmin', 'auditor', 'dept_admin', 'member'];
/** The three organisation-wide roles of 三员分立: no account may hold two of them. */
export const TOP_ROLES: readonly RoleName[] = ['sysadmin', 'secadmin', 'auditor'];

export interface RoleAssignment {
  role: RoleName;
  /** The department for dept_admin and member; null for the organisation-wide roles. */
  tenantId: string | null;
}

/**
 * Checks a complete set of role assignments for one account: known roles, a department exactly where
 * one is needed, no duplicates, and at most one of sysadmin / secadmin / auditor (三员分立), which also
 * may not be combined with department roles. Throws YumenError naming the field.
 */
export function checkRoleSet(roles: readonly RoleAssignment[]): void {
  const seen = new Set<string>();
  roles.forEach((r, i) => {
    if (!ROLE_NAMES.includes(r.role)) throw yumenError('invalid_request', `roles[${i}].role: unknown role "${r.role}" (expected ${ROLE_NAMES.join(', ')}).`, { param: `roles[${i}].role` });
    const top = TOP_ROLES.includes(r.role);
    if (top && r.tenantId) throw yumenError('invalid_request', `roles[${i}].department_id: ${r.role} is organisation-wide and takes no department.`, { param: `roles[${i}].department_id` });
    if (!top && !r.tenantId) throw yumenError('invalid_request', `roles[${i}].department_id: ${r.role} needs a department.`, { param: `roles[${i}].department_id` });
    const key = `${r.role}|${r.tenantId ?? ''}`;
    if (seen.has(key)) throw yumenError('invalid_request', `roles[${i}]: duplicate role assignment.`, { param: `roles[${i}]` });
    seen.add(key);
  });
  const tops = roles.filter((r) => TOP_ROLES.includes(r.role));
  if (tops.length > 1 || (tops.length === 1 && roles.length > 1)) {
    throw yumenError('role_conflict', `An account may hold only one of sysadmin, secadmin and auditor, and not with department roles (三员分立); got ${roles.map((r) => r.role).join(', ')}. / 系统管理员、安全管理员、安全审计员三员分立，不得由同一账号兼任。`, { param: 'roles' });
  }
}

export interface NewUser {
  username: string;
  displayName?: string | null;
  passwordHash?: string | null;
  oidcSubject?: string | null;
  roles?: RoleAssignment[];
}

export interface LoginThrottleOptions {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
}

const LAST_SYSADMIN = 'This is the last active system administrator (sysadmin): create or enable another sysadmin first. / 这是最后一个有效的系统管理员，请先创建或启用另一个系统管理员。';

/**
 * Refuses (409 `conflict`) a change that would leave no enabled sysadmin: nobody could then manage
 * accounts, departments or keys through the API. Runs inside the changing transaction.
 */
async function keepOneSysadmin(trx: Transaction<Database>, userId: string): Promise<void> {
  // A no-op write locks every sysadmin row first (PostgreSQL row locks; SQLite serialises writers anyway),
  // so two administrators disabling each other at once cannot both pass; the count below then reads fresh.
  await trx.updateTable('users').set((eb) => ({ disabled: eb.ref('disabled') }))
    .where('id', 'in', (eb) => eb.selectFrom('user_roles').select('user_id').where('role', '=', 'sysadmin')).execute();
  const holders = await trx.selectFrom('user_roles').innerJoin('users', 'users.id', 'user_roles.user_id')
    .select('users.id').where('user_roles.role', '=', 'sysadmin').where('users.disabled', '=', 0).execute();
  if (holders.some((h) => h.id === userId) && holders.length <= 1) throw yumenError('conflict', LAST_SYSADMIN, { param: 'sysadmin' });
}

async function writeRoles(trx: Transaction<Database>, userId: string, roles: readonly RoleAssignment[]): Promise<void> {
  await trx.deleteFrom('user_roles').where('user_id', '=', userId).execute();
  if (roles.length === 0) return;
  const now = Date.now();
  await trx.insertInto('user_roles').values(roles.map((r) => ({ id: randomUUID(), user_id: userId, role: r.role, tenant_id: r.tenantId, created_at: now }))).execute();
}

export function createUserRepository(db: Kysely<Database>) {
  return {
    /** Creates an account with its roles in one transaction; the role set is checked first (三员分立). */
    async create(input: NewUser): Promise<UserRow> {
      const roles = input.roles ?? [];
      checkRoleSet(roles);
      const now = Date.now();
      const row: UserRow = {
        id: randomUUID(), username: input.username, display_name: input.displayName ?? null, password_hash: input.passwordHash ?? null,
        oidc_subject: input.oidcSubject ?? null, disabled: 0, created_at: now, updated_at: now, last_login_at: null,
      };
      await db.transaction().execute(async (trx) => {
        const clash = await trx.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
        if (clash) throw yumenError('conflict', `username: a user named "${input.username}" already exists.`, { param: 'username' });
        await trx.insertInto('users').values(row).execute();
        await writeRoles(trx, row.id, roles);
      });
      return row;
    },
    async findById(id: string): Promise<UserRow | undefined> {
      return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async findByUsername(username: string): Promise<UserRow | undefined> {
      return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    },
    async findByOidcSubject(subject: string): Promise<UserRow | undefined> {
      return db.selectFrom('users').selectAll().where('oidc_subject', '=', subject).executeTakeFirst();
    },
    async list(): Promise<UserRow[]> {
      return db.selectFrom('users').selectAll().orderBy('username').execute();
    },
    /** Changes an account; disabling the last enabled sysadmin is refused (409). */
    async update(id: string, patch: { displayName?: string | null; passwordHash?: string | null; disabled?: boolean; oidcSubject?: string | null }): Promise<boolean> {
      const set: Partial<UserRow> = { updated_at: Date.now() };
      if (patch.displayName !== undefined) set.display_name = patch.displayName;
      if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
      if (patch.disabled !== undefined) set.disabled = patch.disabled ? 1 : 0;
      if (patch.oidcSubject !== undefined) set.oidc_subject = patch.oidcSubject;
      return db.transaction().execute(async (trx) => {
        if (patch.disabled) await keepOneSysadmin(trx, id);
        const r = await trx.updateTable('users').set(set).where('id', '=', id).executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      });
    },
    async touchLogin(id: string, at = Date.now()): Promise<void> {
      await db.updateTable('users').set({ last_login_at: at }).where('id', '=', id).execute();
    },
    /** Deletes an account with its sessions and roles; the last enabled sysadmin is refused (409). */
    async delete(id: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        await keepOneSysadmin(trx, id);
        await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
        await trx.deleteFrom('user_roles').where('user_id', '=', id).execute();
        const r = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      });
    },
    async roles(userId: string): Promise<RoleAssignment[]> {
      const rows = await db.selectFrom('user_roles').select(['role', 'tenant_id']).where('user_id', '=', userId).orderBy('created_at').orderBy('role').execute();
      return rows.map((r) => ({ role: r.role as RoleName, tenantId: r.tenant_id }));
    },
    /** Every role assignment, for listing users with their roles in one query. */
    async allRoles(): Promise<Array<RoleAssignment & { userId: string }>> {
      const rows = await db.selectFrom('user_roles').select(['user_id', 'role', 'tenant_id']).orderBy('created_at').execute();
      return rows.map((r) => ({ userId: r.user_id, role: r.role as RoleName, tenantId: r.tenant_id }));
    },
    /** Replaces an account's roles; the new set is checked first (三员分立), and the last enabled sysadmin keeps the role (409). */
    async setRoles(userId: string, roles: readonly RoleAssignment[]): Promise<void> {
      checkRoleSet(roles);
      await db.transaction().execute(async (trx) => {
        if (!roles.some((r) => r.role === 'sysadmin')) await keepOneSysadmin(trx, userId);
        await writeRoles(trx, userId, roles);
      });
    },
    /** How many enabled accounts hold a role: used to refuse removing the last sysadmin. */
    async countWithRole(role: RoleName): Promise<number> {
      const r = await db.selectFrom('user_roles').innerJoin('users', 'users.id', 'user_roles.user_id')
        .select((eb) => eb.fn.countAll<number>().as('n')).where('user_roles.role', '=', role).where('users.disabled', '=', 0).executeTakeFirst();
      return Number(r?.n ?? 0);
    },

    /** The lock-out state of a user name (or of an `ip|…` address key): when it is locked, until when (epoch ms). */
    async lockedUntil(username: string, now = Date.now()): Promise<number | null> {
      const row = await db.selectFrom('login_throttle').selectAll().where('username', '=', username.toLowerCase()).executeTakeFirst();
      return row?.locked_until && row.locked_until > now ? row.locked_until : null;
    },
    /** Counts a failed login against a name or an `ip|…` address key; locks it after `maxFailures` within `windowMs`. Returns the lock end, if locked now. */
    async recordFailure(username: string, opts: LoginThrottleOptions, now = Date.now()): Promise<number | null> {
      const key = username.toLowerCase();
      return db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('login_throttle').selectAll().where('username', '=', key).executeTakeFirst();
        const fresh = !row || now - row.window_start > opts.windowMs || (row.locked_until !== null && row.locked_until <= now);
        const failures = fresh ? 1 : row.failures + 1;
        const windowStart = fresh ? now : row.window_start;
        const lockedUntil = failures >= opts.maxFailures ? now + opts.lockoutMs : null;
        if (row) await trx.updateTable('login_throttle').set({ failures, window_start: windowStart, locked_until: lockedUntil }).where('username', '=', key).execute();
        else await trx.insertInto('login_throttle').values({ username: key, failures, window_start: windowStart, locked_until: lockedUntil }).onConflict((oc) => oc.column('username').doUpdateSet({ failures, window_start: windowStart, locked_until: lockedUntil })).execute();
        return lockedUntil;
      });
    },
    async clearFailures(username: string): Promise<void> {
      await db.deleteFrom('login_throttle').where('username', '=', username.toLowerCase()).execute();
    },
  };
}
export type UserRepository = ReturnType<typeof createUserRepository>;
