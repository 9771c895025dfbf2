import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { yumenError } from '../../../util/errors.ts';
import type { AdminContext } from './context.ts';
import { Login, Me, Ok, PasswordChange } from './schemas.ts';
import { userView } from './user-routes.ts';

const tags = ['auth'];

export async function authRoutes(app: FastifyInstance, { ctx }: { ctx: AdminContext }): Promise<void> {
  app.post<{ Body: Static<typeof Login> }>('/auth/login', {
    config: { action: 'admin.auth.login' },
    schema: { tags, security: [], summary: 'Sign in with a local account; sets the session cookie', body: Login, response: { 200: Me } },
  }, async (request, reply) => {
    const { sessionId, actor, expiresAt } = await ctx.accounts.login(request.body.username, request.body.password, request.ip);
    request.auditActor = actor.userId;
    ctx.sessions.setSession(request, reply, sessionId, expiresAt - Date.now());
    const user = (await ctx.users.findById(actor.userId))!;
    return { user: userView(user, actor.roles) };
  });

  app.post('/auth/logout', {
    config: { action: 'admin.auth.logout' },
    schema: { tags, summary: 'End the current session', response: { 200: Ok } },
  }, async (request, reply) => {
    const id = ctx.sessions.sessionId(request);
    if (id) await ctx.accounts.logout(id);
    ctx.sessions.clearSession(request, reply);
    return { ok: true };
  });

  app.get('/auth/me', {
    schema: { tags, summary: 'The signed-in user and their roles', response: { 200: Me } },
  }, async (request) => {
    if (!request.actor) throw yumenError('unauthenticated', 'Sign in first (POST /api/auth/login). / 请先登录。');
    const user = await ctx.users.findById(request.actor.userId);
    if (!user) throw yumenError('unauthenticated', 'The account no longer exists. / 账号已不存在。');
    return { user: userView(user, request.actor.roles) };
  });

  app.post<{ Body: Static<typeof PasswordChange> }>('/auth/password', {
    config: { action: 'admin.auth.password' },
    schema: { tags, summary: 'Change your own password; ends every session of the account', body: PasswordChange, response: { 200: Ok } },
  }, async (request, reply) => {
    if (!request.actor) throw yumenError('unauthenticated', 'Sign in first (POST /api/auth/login). / 请先登录。');
    await ctx.accounts.changePassword(request.actor.userId, request.body.current_password, request.body.new_password);
    ctx.sessions.clearSession(request, reply);
    return { ok: true };
  });
}
