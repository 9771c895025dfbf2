import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Accounts, Actor } from '../../governance/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person behind the session cookie, on /api routes; null when anonymous. */
    actor: Actor | null;
  }
}

export const SESSION_COOKIE = 'yumen_session';
/** Behind TLS the cookie takes the __Host- prefix: Secure, Path=/, no Domain — the browser enforces all three. */
export const SECURE_SESSION_COOKIE = '__Host-yumen_session';
/**
 * The OIDC sign-in in progress (signed state, nonce, PKCE verifier). SameSite=Lax, not Strict: it must
 * come back on the identity provider's top-level redirect to the callback, which is a cross-site navigation.
 */
export const OIDC_FLOW_COOKIE = 'yumen_oidc';
const OIDC_FLOW_PATH = '/api/auth/oidc';

/** Reads one cookie from the Cookie header (RFC 6265 syntax; no decoding needed for base64url values). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

export interface SessionOptions {
  accounts: Accounts;
  /** `auto` marks the cookie Secure when the request came over TLS (directly or, with trust_proxy, per X-Forwarded-Proto). */
  secureCookie: 'auto' | boolean;
}

function isSecure(request: FastifyRequest, mode: 'auto' | boolean): boolean {
  return mode === 'auto' ? request.protocol === 'https' : mode;
}

/**
 * Console sessions: resolves `request.actor` from the session cookie on every request of the scope,
 * and offers `setSession` / `clearSession` to the login and logout routes. Cookies are HttpOnly and
 * SameSite=Strict, so another site can neither read them nor make the browser send them.
 */
export function registerSessions(app: FastifyInstance, opts: SessionOptions) {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    const id = readCookie(request.headers.cookie, SECURE_SESSION_COOKIE) ?? readCookie(request.headers.cookie, SESSION_COOKIE);
    if (id) request.actor = await opts.accounts.resolveSession(id);
  });
  return {
    sessionId(request: FastifyRequest): string | undefined {
      return readCookie(request.headers.cookie, SECURE_SESSION_COOKIE) ?? readCookie(request.headers.cookie, SESSION_COOKIE);
    },
    setSession(request: FastifyRequest, reply: FastifyReply, sessionId: string, maxAgeMs: number): void {
      const secure = isSecure(request, opts.secureCookie);
      const name = secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
      reply.header('set-cookie', `${name}=${sessionId}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeMs / 1000)}${secure ? '; Secure' : ''}`);
    },
    /** Keeps an OIDC flow for `maxAgeMs`, or with null forgets it. Only sent to /api/auth/oidc/*. */
    setOidcFlow(request: FastifyRequest, reply: FastifyReply, value: string | null, maxAgeMs = 0): void {
      const secure = isSecure(request, opts.secureCookie);
      const maxAge = value === null ? 0 : Math.floor(maxAgeMs / 1000);
      reply.header('set-cookie', `${OIDC_FLOW_COOKIE}=${value ?? ''}; Path=${OIDC_FLOW_PATH}; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`);
    },
    oidcFlow(request: FastifyRequest): string | undefined {
      return readCookie(request.headers.cookie, OIDC_FLOW_COOKIE);
    },
    clearSession(request: FastifyRequest, reply: FastifyReply): void {
      const secure = isSecure(request, opts.secureCookie);
      const name = secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
      reply.header('set-cookie', `${name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`);
    },
  };
}
export type Sessions = ReturnType<typeof registerSessions>;
