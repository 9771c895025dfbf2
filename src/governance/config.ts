import type { ConfigValidator, YumenConfig } from '../config/index.ts';
import { DEFAULT_SCRYPT_N } from './passwords.ts';

/** The `governance:` section of yumen.yaml, with defaults filled in. */
export interface GovernanceSettings {
  session: { idleTimeoutMs: number; absoluteTimeoutMs: number; secureCookie: 'auto' | boolean };
  login: { maxFailures: number; windowMs: number; lockoutMs: number };
  password: { scryptN: number };
}

export const GOVERNANCE_DEFAULTS: GovernanceSettings = {
  session: { idleTimeoutMs: 30 * 60_000, absoluteTimeoutMs: 12 * 3_600_000, secureCookie: 'auto' },
  login: { maxFailures: 5, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000 },
  password: { scryptN: DEFAULT_SCRYPT_N },
};

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

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
    },
    password: { scryptN: (p.scrypt_n as number) ?? d.password.scryptN },
  };
}

/** Checks `governance:` and names each bad key. */
export const validateGovernanceConfig: ConfigValidator = (config) => {
  const problems: string[] = [];
  const g = config.governance;
  if (g === undefined) return problems;
  const known: Record<string, string[]> = {
    session: ['idle_timeout_ms', 'absolute_timeout_ms', 'secure_cookie'],
    login: ['max_failures', 'window_ms', 'lockout_ms'],
    password: ['scrypt_n'],
  };
  for (const [section, value] of Object.entries(g)) {
    if (!known[section]) { problems.push(`governance.${section}: unknown key (known: ${Object.keys(known).join(', ')})`); continue; }
    if (!value || typeof value !== 'object' || Array.isArray(value)) { problems.push(`governance.${section}: expected a mapping`); continue; }
    for (const [k, v] of Object.entries(value as Obj)) {
      const path = `governance.${section}.${k}`;
      if (!known[section].includes(k)) problems.push(`${path}: unknown key (known: ${known[section].join(', ')})`);
      else if (k === 'secure_cookie') { if (v !== 'auto' && typeof v !== 'boolean') problems.push(`${path}: expected auto, true or false`); }
      else if (k === 'scrypt_n') { if (!Number.isInteger(v) || (v as number) < 1024 || ((v as number) & ((v as number) - 1)) !== 0) problems.push(`${path}: expected a power of two ≥ 1024`); }
      else if (!Number.isInteger(v) || (v as number) < 1) problems.push(`${path}: expected a positive integer`);
    }
  }
  return problems;
};
