import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { Database, RoleName } from '../../../store/index.ts';
import { yumenError } from '../../../util/errors.ts';
import type { AdminContext } from '../admin/context.ts';
import { Me, Password, Username } from '../admin/schemas.ts';
import { userView } from '../admin/user-routes.ts';

/**
 * First run, as Gitea or Jenkins do it: while no account exists, the server holds a one-time token and
 * prints a setup link with it on the host's console. Whoever has the link creates the three
 * administrator accounts (三员) in the browser; the token is then spent. A restart before that prints a
 * new token (the old one was only ever in memory).
 */
export interface FirstRunSetup {
  /** The token while setup is pending, else null. */
  readonly token: string | null;
  /** True while no account exists and the token is unspent. */
  pending(): Promise<boolean>;
  /** Checks a token in constant time; false once it was used. */
  check(token: string): boolean;
  /** Spends the token (after the accounts were made). */
  spend(): void;
}

export async function createFirstRunSetup(db: Kysely<Database>): Promise<FirstRunSetup> {
  const anyUser = async () => !!(await db.selectFrom('users').select('id').limit(1).executeTakeFirst());
  let token: string | null = (await anyUser()) ? null : randomBytes(24).toString('base64url');
  return {
    get token() { return token; },
    async pending() {
      if (token && (await anyUser())) token = null; // accounts made another way (yumen user create)
      return token !== null;
    },
    check(candidate: string) {
      if (!token) return false;
      const a = Buffer.from(candidate);
      const b = Buffer.from(token);
      return a.length === b.length && timingSafeEqual(a, b);
    },
    spend() { token = null; },
  };
}

/** The link printed on the host's console: `${base}/setup?token=…`. */
export function setupLink(baseUrl: string, setup: FirstRunSetup): string | null {
  return setup.token ? `${baseUrl}/setup?token=${setup.token}` : null;
}

const Account = Type.Object({ username: Username, password: Password, display_name: Type.Optional(Type.String({ maxLength: 128 })) }, { additionalProperties: false });
const SetupBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 128 }), sysadmin: Account, secadmin: Account, auditor: Account }, { additionalProperties: false });
const ROLES = ['sysadmin', 'secadmin', 'auditor'] as const;

export async function setupRoutes(app: FastifyInstance, { ctx, setup }: { ctx: AdminContext; setup: FirstRunSetup }): Promise<void> {
  app.get('/setup', {
    schema: { tags: ['setup'], security: [], summary: 'Whether first-run setup is pending (no account exists yet) and whether single sign-on is configured', response: { 200: Type.Object({ pending: Type.Boolean(), oidc: Type.Boolean() }) } },
  }, async () => ({ pending: await setup.pending(), oidc: !!ctx.accounts.settings.oidc }));

  app.post<{ Body: Static<typeof SetupBody> }>('/setup', {
    config: { action: 'admin.setup' },
    schema: { tags: ['setup'], security: [], summary: 'First run: create the system, security and audit administrators with the one-time token; signs in as the sysadmin', body: SetupBody, response: { 201: Me } },
  }, async (request, reply) => {
    if (!(await setup.pending())) throw yumenError('forbidden', 'Setup is already done; sign in instead. / 初始化已完成，请直接登录。');
    if (!setup.check(request.body.token)) throw yumenError('forbidden', 'The setup token is wrong or was used; use the link printed on the server\'s console. / 初始化令牌无效或已使用，请使用服务器控制台打印的链接。', { param: 'token' });
    const names = ROLES.map((r) => request.body[r].username);
    if (new Set(names).size !== names.length) throw yumenError('invalid_request', 'The three administrators need three different user names (三员分立). / 三个管理员账号须使用不同的用户名。', { param: 'auditor.username' });
    // Every password is checked before any account exists, so a weak third password leaves nothing half made.
    const hashes = await Promise.all(ROLES.map((r) => ctx.accounts.hashPassword(request.body[r].password, `${r}.password`)));
    if (!(await setup.pending())) throw yumenError('forbidden', 'Setup is already done; sign in instead. / 初始化已完成，请直接登录。');
    setup.spend();
    const made = [];
    for (const [i, role] of ROLES.entries()) {
      const a = request.body[role];
      made.push(await ctx.users.create({ username: a.username, displayName: a.display_name ?? null, passwordHash: hashes[i], roles: [{ role: role as RoleName, tenantId: null }] }));
    }
    const sysadmin = made[0];
    request.auditActor = sysadmin.id;
    const { sessionId, expiresAt, actor } = await ctx.accounts.openSession(sysadmin);
    ctx.sessions.setSession(request, reply, sessionId, expiresAt - Date.now());
    return reply.code(201).send({ user: userView(sysadmin, actor.roles) });
  });
}
