import type { ConfigValidator, YumenConfig } from '../config/index.ts';
import { DEFAULT_SCRYPT_N } from './passwords.ts';
import { isMapping } from '../util/mapping.ts';

/** `governance.oidc:` — sign-in through the organisation's identity provider (authorization code + PKCE). */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** Absent for a public client (PKCE only). */
  clientSecret: string | null;
  /** Where the identity provider sends the browser back; derived from the request's host when absent. */
  redirectUri: string | null;
  scopes: string[];
  /** The ID-token claim that names the local account (default `preferred_username`). */
  usernameClaim: string;
  /** Create an account on first sign-in of an unknown person (default false: an administrator creates it). */
  autoCreate: boolean;
  /** Link an unknown identity to an existing, not yet linked account of the same user name (default false). */
  linkExisting: boolean;
  /** Department (name or id) and role given to auto-created accounts; never a top role. */
  defaultDepartment: string | null;
  defaultRole: 'member' | 'dept_admin' | null;
  /** Where the browser goes after a successful sign-in. */
  postLoginRedirect: string;
  /** Allow an http:// issuer that is not on the loopback interface (default false). */
  allowHttp: boolean;
}

/** The `governance:` section of yumen.yaml, with defaults filled in. */
export interface GovernanceSettings {
  session: { idleTimeoutMs: number; absoluteTimeoutMs: number; secureCookie: 'auto' | boolean };
  login: { maxFailures: number; windowMs: number; lockoutMs: number; maxFailuresPerIp: number };
  password: { scryptN: number };
  /** null when no identity provider is configured. */
  oidc?: OidcSettings | null;
  /** `governance.models.allow_local_addresses`: let the admin API add models on loopback/link-local addresses (SSRF; default false). */
  models?: { allowLocalAddresses: boolean };
}

export const GOVERNANCE_DEFAULTS: GovernanceSettings = {
  session: { idleTimeoutMs: 30 * 60_000, absoluteTimeoutMs: 12 * 3_600_000, secureCookie: 'auto' },
  login: { maxFailures: 5, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000, maxFailuresPerIp: 20 },
  password: { scryptN: DEFAULT_SCRYPT_N },
  oidc: null,
  models: { allowLocalAddresses: false },
};

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (isMapping(v) ? v : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function oidcSettings(o: Obj): OidcSettings {
  const scopes = Array.isArray(o.scopes) ? (o.scopes as string[]) : typeof o.scopes === 'string' ? o.scopes.split(/\s+/).filter(Boolean) : ['openid', 'profile'];
  return {
    issuer: o.issuer as string,
    clientId: o.client_id as string,
    clientSecret: str(o.client_secret),
    redirectUri: str(o.redirect_uri),
    scopes: scopes.includes('openid') ? scopes : ['openid', ...scopes],
    usernameClaim: str(o.username_claim) ?? 'preferred_username',
    autoCreate: o.auto_create === true,
    linkExisting: o.link_existing === true,
    defaultDepartment: str(o.default_department),
    defaultRole: (str(o.default_role) as OidcSettings['defaultRole']) ?? null,
    postLoginRedirect: str(o.post_login_redirect) ?? '/',
    allowHttp: o.allow_http === true,
  };
}

/** Reads `governance:`; call validateGovernanceConfig first (loadConfig does when given it). */
export function governanceSettings(config: Pick<YumenConfig, 'governance'>): GovernanceSettings {
  const g = obj(config.governance);
  const s = obj(g.session);
  const l = obj(g.login);
  const p = obj(g.password);
  const d = GOVERNANCE_DEFAULTS;
  return {
    session: {
      idleTimeoutMs: (s.idle_timeout_ms as number) ?? d.session.idleTimeoutMs,
      absoluteTimeoutMs: (s.absolute_timeout_ms as number) ?? d.session.absoluteTimeoutMs,
      secureCookie: (s.secure_cookie as 'auto' | boolean) ?? d.session.secureCookie,
    },
    login: {
      maxFailures: (l.max_failures as number) ?? d.login.maxFailures,
      windowMs: (l.window_ms as number) ?? d.login.windowMs,
      lockoutMs: (l.lockout_ms as number) ?? d.login.lockoutMs,
      maxFailuresPerIp: (l.max_failures_per_ip as number) ?? d.login.maxFailuresPerIp,
    },
    password: { scryptN: (p.scrypt_n as number) ?? d.password.scryptN },
    oidc: g.oidc ? oidcSettings(obj(g.oidc)) : null,
    models: { allowLocalAddresses: obj(g.models).allow_local_addresses === true },
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function oidcProblems(o: Obj): string[] {
  const problems: string[] = [];
  const known = ['issuer', 'client_id', 'client_secret', 'redirect_uri', 'scopes', 'username_claim', 'auto_create', 'link_existing', 'default_department', 'default_role', 'post_login_redirect', 'allow_http'];
  for (const k of Object.keys(o)) if (!known.includes(k)) problems.push(`governance.oidc.${k}: unknown key (known: ${known.join(', ')})`);
  const url = (k: string, required: boolean): URL | null => {
    const v = o[k];
    if (v === undefined && !required) return null;
    try {
      const u = new URL(String(v));
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error();
      return u;
    } catch {
      problems.push(`governance.oidc.${k}: expected an http(s) URL`);
      return null;
    }
  };
  const issuer = url('issuer', true);
  if (issuer?.protocol === 'http:' && !LOOPBACK.has(issuer.hostname) && o.allow_http !== true) {
    problems.push('governance.oidc.issuer: must be https (set allow_http: true only for a provider on a trusted network)');
  }
  url('redirect_uri', false);
  if (typeof o.client_id !== 'string' || !o.client_id) problems.push('governance.oidc.client_id: expected a non-empty string');
  if (o.client_secret !== undefined && typeof o.client_secret !== 'string') problems.push('governance.oidc.client_secret: expected a string (e.g. "${OIDC_SECRET}")');
  if (o.scopes !== undefined && typeof o.scopes !== 'string' && !(Array.isArray(o.scopes) && o.scopes.every((s) => typeof s === 'string'))) problems.push('governance.oidc.scopes: expected a list of strings');
  for (const k of ['username_claim', 'default_department', 'post_login_redirect']) {
    if (o[k] !== undefined && (typeof o[k] !== 'string' || !o[k])) problems.push(`governance.oidc.${k}: expected a non-empty string`);
  }
  if (typeof o.post_login_redirect === 'string' && !/^\/(?![/\\])/.test(o.post_login_redirect)) problems.push('governance.oidc.post_login_redirect: expected a path on this server, e.g. /console');
  for (const k of ['auto_create', 'link_existing', 'allow_http']) if (o[k] !== undefined && typeof o[k] !== 'boolean') problems.push(`governance.oidc.${k}: expected true or false`);
  if (o.default_role !== undefined) {
    if (o.default_role !== 'member' && o.default_role !== 'dept_admin') problems.push('governance.oidc.default_role: expected member or dept_admin (the three top roles are never granted automatically)');
    else if (o.default_department === undefined) problems.push('governance.oidc.default_department: required with default_role');
  }
  return problems;
}

/** Checks `governance:` and names each bad key. */
export const validateGovernanceConfig: ConfigValidator = (config) => {
  const problems: string[] = [];
  const g = config.governance;
  if (g === undefined) return problems;
  const known: Record<string, string[]> = {
    session: ['idle_timeout_ms', 'absolute_timeout_ms', 'secure_cookie'],
    login: ['max_failures', 'window_ms', 'lockout_ms', 'max_failures_per_ip'],
    password: ['scrypt_n'],
    oidc: [],
    models: ['allow_local_addresses'],
  };
  for (const [section, value] of Object.entries(g)) {
    if (!known[section]) { problems.push(`governance.${section}: unknown key (known: ${Object.keys(known).join(', ')})`); continue; }
    if (!isMapping(value)) { problems.push(`governance.${section}: expected a mapping`); continue; }
    if (section === 'oidc') { problems.push(...oidcProblems(value as Obj)); continue; }
    for (const [k, v] of Object.entries(value as Obj)) {
      const path = `governance.${section}.${k}`;
      if (!known[section].includes(k)) problems.push(`${path}: unknown key (known: ${known[section].join(', ')})`);
      else if (k === 'allow_local_addresses') { if (typeof v !== 'boolean') problems.push(`${path}: expected true or false`); }
      else if (k === 'secure_cookie') { if (v !== 'auto' && typeof v !== 'boolean') problems.push(`${path}: expected auto, true or false`); }
      else if (k === 'scrypt_n') { if (!Number.isInteger(v) || (v as number) < 1024 || ((v as number) & ((v as number) - 1)) !== 0) problems.push(`${path}: expected a power of two ≥ 1024`); }
      else if (!Number.isInteger(v) || (v as number) < 1) problems.push(`${path}: expected a positive integer`);
    }
  }
  return problems;
};
