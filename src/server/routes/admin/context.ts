import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { AuditSink } from '../../../gateway/ports.ts';
import { inScope, scopeFor, type Accounts, type ModelStore, type Permission, type Scope } from '../../../governance/index.ts';
import {
  createApiKeyRepository, createDepartmentRepository, createDictionaryRepository, createKeyAdminRepository,
  type ApiKeyRepository, type Database, type DepartmentRepository, type DictionaryRepository, type KeyAdminRepository, type UserRepository,
} from '../../../store/index.ts';
import type { PolicySet } from '../../../policy/index.ts';
import { yumenError } from '../../../util/errors.ts';
import type { Sessions } from '../../plugins/session.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Where the actor's permission for this route reaches (set by `allow`). */
    scope: Scope | null;
    /** The department an audited admin action touched, when it touched one. */
    auditTenant: string | null;
    /** The account an action was done as, when there was no session yet (login). */
    auditActor: string | null;
  }
}

/** Everything the admin route plugins share. */
export interface AdminContext {
  db: Kysely<Database>;
  accounts: Accounts;
  users: UserRepository;
  departments: DepartmentRepository;
  keys: ApiKeyRepository;
  keyAdmin: KeyAdminRepository;
  dictionaries: DictionaryRepository;
  /** null when no master key is configured: the model routes then answer 503. */
  models: ModelStore | null;
  sessions: Sessions;
  audit?: AuditSink;
  validatePolicy?: (policy: unknown) => string[];
  /** The configuration's policies (defaults and policy.tenants), the bottom layers of every department's policy. */
  policies?: PolicySet;
  /**
   * Told after a change that caches on the request path must see at once: a revoked key (the key
   * authenticator's cache), a policy, dictionary or department tree change (the compiled guards), or a
   * model change (the model registry; awaited, so the model is served once the response is sent).
   */
  onChange?: (what: 'keys' | 'policies' | 'models' | 'apps') => void | Promise<void>;
}

export function repositories(db: Kysely<Database>) {
  return {
    departments: createDepartmentRepository(db),
    keys: createApiKeyRepository(db),
    keyAdmin: createKeyAdminRepository(db),
    dictionaries: createDictionaryRepository(db),
  };
}

/**
 * A preHandler: 401 without a session, 403 without the permission; otherwise records the actor's
 * reach in `request.scope` for the handler to filter by.
 */
export function allow(ctx: AdminContext, permission: Permission) {
  return async function checkPermission(request: FastifyRequest): Promise<void> {
    if (!request.actor) throw yumenError('unauthenticated', 'Sign in first (POST /api/auth/login). / 请先登录。');
    request.scope = await scopeFor(request.actor, permission, ctx.departments);
  };
}

/** 404 for things outside the actor's reach as for things that do not exist: no department learns of another's. */
export function notFound(what: string): never {
  throw yumenError('not_found', `No such ${what}. / 未找到该${what === 'department' ? '部门' : what === 'user' ? '用户' : what === 'key' ? '密钥' : what === 'dictionary' ? '词典' : '对象'}。`);
}

/**
 * The departments a list route reads: the one named by `?department_id=` (403 when it is outside the
 * caller's reach), else every department the caller reaches (undefined = all).
 */
export function listedDepartments(scope: Scope, department: string | undefined): Iterable<string> | undefined {
  if (department) {
    if (!inScope(scope, department)) throw yumenError('forbidden', 'That department is outside your reach. / 无权查看该部门。', { param: 'department_id' });
    return [department];
  }
  return scope.kind === 'all' ? undefined : scope.ids;
}
