import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import * as client from 'openid-client';
import { createDepartmentRepository, type Database, type RoleAssignment, type UserRow } from '../store/index.ts';
import { YumenError, yumenError } from '../util/errors.ts';
import type { Accounts } from './accounts.ts';
import type { OidcSettings } from './config.ts';
import { isPrivileged } from './duties.ts';

/** How long a browser has to come back from the identity provider. */
export const OIDC_FLOW_TTL_MS = 10 * 60_000;
const USERNAME = /^[A-Za-z0-9_.@-]{2,64}$/;

/** What the login step hands to the browser: where to go, and the signed flow cookie to keep meanwhile. */
export interface OidcStart {
  url: string;
  /** Opaque, signed; goes into a short-lived HttpOnly cookie and comes back with the callback. */
  flow: string;
}

export interface OidcResult {
  sessionId: string;
  expiresAt: number;
  user: UserRow;
  /** Whether the account was created (auto_create) or linked (link_existing) by this sign-in. */
  provisioned: 'created' | 'linked' | null;
}

interface Flow { s: string; n: string; v: string; r: string; e: number }

export interface OidcLoginOptions {
  now?: () => number;
}

/**
 * Sign-in through the organisation's identity provider: OpenID Connect authorization code flow with
 * PKCE (S256), state and nonce, via `openid-client` (which verifies the ID token's signature against the
 * provider's JWKS, its issuer, audience, expiry and nonce). The state, nonce and PKCE verifier travel in
 * a cookie signed with HMAC-SM3 (key derived from the client secret, or random per process for a public
 * client), so any instance can finish a flow another began. The person is mapped to a local account by
 * `users.oidc_subject` (`iss|sub`), optionally linked by user name or created; roles always come from
 * Yumen, never from the provider.
 */
export function createOidcLogin(db: Kysely<Database>, accounts: Accounts, settings: OidcSettings, opts: OidcLoginOptions = {}) {
  const now = opts.now ?? Date.now;
  const users = accounts.users;
  const departments = createDepartmentRepository(db);
  const signingKey = settings.clientSecret
    ? createHash('sm3').update('yumen-oidc-flow\0').update(settings.clientSecret).digest()
    : randomBytes(32);
  let discovered: Promise<client.Configuration> | undefined;

  function configuration(): Promise<client.Configuration> {
    discovered ??= client.discovery(
      new URL(settings.issuer), settings.clientId, settings.clientSecret ?? undefined,
      settings.clientSecret ? client.ClientSecretPost(settings.clientSecret) : client.None(),
      { execute: new URL(settings.issuer).protocol === 'http:' ? [client.allowInsecureRequests] : [], timeout: 10 },
    ).catch((err: unknown) => {
      discovered = undefined; // try again on the next sign-in
      throw yumenError('upstream_unavailable', 'The identity provider could not be reached. / 无法连接统一身份认证服务。', { cause: err });
    });
    return discovered;
  }

  function sign(flow: Flow): string {
    const body = Buffer.from(JSON.stringify(flow)).toString('base64url');
    return `${body}.${createHmac('sm3', signingKey).update(body).digest('base64url')}`;
  }

  function unsign(value: string | undefined): Flow | null {
    if (!value || value.length > 2048) return null;
    const [body, mac] = value.split('.');
    if (!body || !mac) return null;
    const want = createHmac('sm3', signingKey).update(body).digest();
    const got = Buffer.from(mac, 'base64url');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
    try {
      const flow = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Flow;
      return flow.e > now() ? flow : null;
    } catch {
      return null;
    }
  }

  async function defaultRoles(): Promise<RoleAssignment[]> {
    if (!settings.defaultRole || !settings.defaultDepartment) return [];
    const d = (await departments.findByName(settings.defaultDepartment)) ?? (await departments.findById(settings.defaultDepartment));
    if (!d) throw yumenError('internal_error', `governance.oidc.default_department: no department "${settings.defaultDepartment}". / 默认部门不存在。`);
    return [{ role: settings.defaultRole, tenantId: d.id }];
  }

  /** The local account for a verified identity, linking or creating it when the configuration allows. */
  async function accountFor(subject: string, username: unknown): Promise<{ user: UserRow | undefined; provisioned: OidcResult['provisioned'] }> {
    const linked = await users.findByOidcSubject(subject);
    if (linked) return { user: linked, provisioned: null };
    const name = typeof username === 'string' ? username : '';
    if (settings.linkExisting && name) {
      const existing = await users.findByUsername(name);
      // Never a sysadmin, secadmin or auditor: whoever controls a name at the identity provider would own it.
      if (existing && existing.oidc_subject === null && !isPrivileged(await users.roles(existing.id))) {
        await users.update(existing.id, { oidcSubject: subject });
        return { user: { ...existing, oidc_subject: subject }, provisioned: 'linked' };
      }
    }
    if (!settings.autoCreate) return { user: undefined, provisioned: null };
    if (!USERNAME.test(name)) {
      throw yumenError('forbidden', `The identity provider's "${settings.usernameClaim}" claim is not a usable user name; ask an administrator to create your account. / 身份提供方返回的用户名不可用，请联系管理员创建账号。`);
    }
    const user = await users.create({ username: name, oidcSubject: subject, roles: await defaultRoles() });
    return { user, provisioned: 'created' };
  }

  return {
    settings,

    /** Step 1: the URL of the provider's authorization endpoint, and the flow cookie value. */
    async start(redirectUri: string): Promise<OidcStart> {
      const config = await configuration();
      const verifier = client.randomPKCECodeVerifier();
      const flow: Flow = { s: client.randomState(), n: client.randomNonce(), v: verifier, r: redirectUri, e: now() + OIDC_FLOW_TTL_MS };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri, scope: settings.scopes.join(' '), response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
        state: flow.s, nonce: flow.n,
      });
      return { url: url.href, flow: sign(flow) };
    },

    /**
     * Step 2: checks the returned state against the flow cookie, exchanges the code (with the PKCE
     * verifier), verifies the ID token and opens a session. `onUser` learns the account as soon as it is
     * known, for the audit record, even when the sign-in is then refused.
     */
    async finish(query: Record<string, string>, flowCookie: string | undefined, onUser?: (user: UserRow) => void): Promise<OidcResult> {
      const flow = unsign(flowCookie);
      if (!flow) throw yumenError('invalid_request', 'The sign-in took too long or did not start here; start again. / 登录流程已过期或无效，请重新登录。', { param: 'state' });
      if (typeof query.state !== 'string' || query.state.length !== flow.s.length || !timingSafeEqual(Buffer.from(query.state), Buffer.from(flow.s))) {
        throw yumenError('invalid_request', 'state: does not match this browser\'s sign-in. / 登录状态校验失败，请重新登录。', { param: 'state' });
      }
      if (query.error) {
        throw yumenError('forbidden', `The identity provider refused the sign-in (${String(query.error).replace(/[^\w.-]/g, '').slice(0, 64)}). / 统一身份认证服务拒绝了登录。`);
      }
      if (!query.code) throw yumenError('invalid_request', 'code: missing from the identity provider\'s answer.', { param: 'code' });
      const config = await configuration();
      const current = new URL(flow.r);
      for (const [k, v] of Object.entries(query)) current.searchParams.set(k, v);
      let claims: client.IDToken | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: flow.v, expectedState: flow.s, expectedNonce: flow.n, idTokenExpected: true,
        });
        claims = tokens.claims();
      } catch (err) {
        if (err instanceof YumenError) throw err;
        throw yumenError('invalid_credentials', 'The identity provider\'s answer could not be verified. / 统一身份认证结果校验失败。', { cause: err });
      }
      if (!claims?.sub) throw yumenError('invalid_credentials', 'The ID token names no subject. / 身份令牌缺少主体标识。');
      const subject = `${claims.iss}|${claims.sub}`;
      const { user, provisioned } = await accountFor(subject, claims[settings.usernameClaim]);
      if (!user) {
        throw yumenError('forbidden', 'No Yumen account is linked to this identity; ask an administrator to create one. / 该身份未关联玉门账号，请联系管理员开通。');
      }
      onUser?.(user);
      if (user.disabled) throw yumenError('forbidden', 'This account is disabled. / 该账号已停用。');
      const { sessionId, expiresAt } = await accounts.openSession(user);
      return { sessionId, expiresAt, user, provisioned };
    },
  };
}
export type OidcLogin = ReturnType<typeof createOidcLogin>;
