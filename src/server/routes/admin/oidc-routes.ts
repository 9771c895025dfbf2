import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { OIDC_FLOW_TTL_MS, type OidcLogin } from '../../../governance/index.ts';
import type { AdminContext } from './context.ts';

const tags = ['auth'];
const CALLBACK = '/api/auth/oidc/callback';

/** The callback URL: configured, or this server's own (only right when the Host header is the public name). */
function redirectUri(oidc: OidcLogin, request: FastifyRequest): string {
  return oidc.settings.redirectUri ?? `${request.protocol}://${request.host}${CALLBACK}`;
}

/**
 * Sign-in through the organisation's identity provider (OpenID Connect, authorization code + PKCE).
 * GET /api/auth/oidc/login sends the browser to the provider; the provider sends it back to
 * GET /api/auth/oidc/callback, which opens the same session cookie as a password login and redirects on.
 */
export async function oidcRoutes(app: FastifyInstance, { ctx, oidc }: { ctx: AdminContext; oidc: OidcLogin }): Promise<void> {
  app.get('/auth/oidc/login', {
    schema: { tags, security: [], summary: 'Start signing in through the identity provider (302 to its authorization endpoint)' },
  }, async (request, reply) => {
    const { url, flow } = await oidc.start(redirectUri(oidc, request));
    ctx.sessions.setOidcFlow(request, reply, flow, OIDC_FLOW_TTL_MS);
    reply.header('cache-control', 'no-store');
    return reply.redirect(url, 302);
  });

  app.get<{ Querystring: Record<string, string> }>('/auth/oidc/callback', {
    config: { action: 'admin.auth.oidc_login' },
    schema: {
      tags, security: [], summary: 'Where the identity provider returns; sets the session cookie and redirects (303)',
      querystring: Type.Object({
        code: Type.Optional(Type.String({ maxLength: 4096 })), state: Type.Optional(Type.String({ maxLength: 512 })),
        error: Type.Optional(Type.String({ maxLength: 256 })), error_description: Type.Optional(Type.String({ maxLength: 2048 })),
        iss: Type.Optional(Type.String({ maxLength: 2048 })), session_state: Type.Optional(Type.String({ maxLength: 512 })),
      }),
    },
  }, async (request, reply) => {
    const flow = ctx.sessions.oidcFlow(request);
    // The flow cookie is single-use whatever happens next.
    ctx.sessions.setOidcFlow(request, reply, null);
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.query)) if (typeof v === 'string') query[k] = v;
    const result = await oidc.finish(query, flow, (user) => { request.auditActor = user.id; });
    ctx.sessions.setSession(request, reply, result.sessionId, result.expiresAt - Date.now());
    reply.header('cache-control', 'no-store');
    return reply.redirect(oidc.settings.postLoginRedirect, 303);
  });
}
