import { createHash, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Kysely } from 'kysely';
import { createSessionRepository, createUserRepository, type Database, type UserRow } from '../store/index.ts';
import { yumenError } from '../util/errors.ts';
import type { Actor } from './access.ts';
import { GOVERNANCE_DEFAULTS, type GovernanceSettings } from './config.ts';
import { normalizeIp } from './ip-allow-list.ts';
import { checkPasswordStrength, dummyHash, hashPassword, verifyPassword } from './passwords.ts';

export interface AccountsOptions {
  settings?: GovernanceSettings;
  now?: () => number;
}

/** How often a session's last-seen time is written back (idle expiry is measured against it). */
const TOUCH_EVERY_MS = 60_000;

/**
 * The throttle key of a client address: IPv4 as is, IPv6 by its /64 (one host usually holds a whole /64).
 * "|" never occurs in a user name, so address and name counters cannot collide.
 */
export function ipThrottleKey(ip: string): string {
  const a = normalizeIp(ip);
  if (isIP(a) !== 6) return `ip|${a}`;
  const [head, tail = ''] = a.toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const tl = tail ? tail.split(':') : [];
  const full = a.includes('::') ? [...h, ...Array(8 - h.length - tl.length).fill('0'), ...tl] : h;
  return `ip|${full.slice(0, 4).map((x) => x.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

function digest(sessionId: string): string {
  return createHash('sm3').update(sessionId).digest('hex');
}

/**
 * Local accounts and console sessions. A session id is 256 random bits, given to the browser once in a
 * cookie and stored only as its SM3 digest; it ends after `idleTimeoutMs` without use or `absoluteTimeoutMs`
 * after login, whichever comes first. Failed logins are counted per user name (existing or not); after
 * `maxFailures` within `windowMs` the name is refused for `lockoutMs`. Every attempt runs scrypt once,
 * whether or not the account exists or is locked, so timing reveals neither. Failures are also counted per
 * client address (`maxFailuresPerIp`), which stops one address from guessing many names.
 */
export function createAccounts(db: Kysely<Database>, opts: AccountsOptions = {}) {
  const users = createUserRepository(db);
  const sessions = createSessionRepository(db);
  const settings = opts.settings ?? GOVERNANCE_DEFAULTS;
  const now = opts.now ?? Date.now;
  let dummy: Promise<string> | undefined;

  async function actorOf(user: UserRow): Promise<Actor> {
    return { userId: user.id, username: user.username, roles: await users.roles(user.id) };
  }

  return {
    settings,
    users,
    async hashPassword(password: string, field = 'password'): Promise<string> {
      checkPasswordStrength(password, field);
      return hashPassword(password, settings.password.scryptN);
    },

    /**
     * Checks the password and opens a session; the returned id goes into the cookie and nowhere else.
     * `ip` (the client address) is throttled too: after `maxFailuresPerIp` failures within `windowMs`
     * it is refused for `lockoutMs` without checking any password (429 `rate_limited`).
     */
    async login(username: string, password: string, ip?: string): Promise<{ sessionId: string; actor: Actor; expiresAt: number }> {
      const t = now();
      const ipKey = ip ? ipThrottleKey(ip) : null;
      if (ipKey) {
        const ipLocked = await users.lockedUntil(ipKey, t);
        if (ipLocked !== null) {
          const retry = Math.max(1, Math.ceil((ipLocked - t) / 1000));
          throw yumenError('rate_limited', `Too many failed logins from your address; try again in ${retry} s. / 您所在地址登录失败次数过多，请 ${retry} 秒后重试。`, { headers: { 'retry-after': String(retry) } });
        }
      }
      // A name with "|" cannot exist (user names are [A-Za-z0-9_.@-]) and must not touch an address's counter.
      const nameKey = username.includes('|') ? null : username;
      const lockedUntil = nameKey ? await users.lockedUntil(nameKey, t) : null;
      const user = await users.findByUsername(username);
      dummy ??= dummyHash(settings.password.scryptN);
      const ok = await verifyPassword(password, user?.password_hash ?? (await dummy));
      if (lockedUntil !== null) {
        const retry = Math.max(1, Math.ceil((lockedUntil - t) / 1000));
        throw yumenError('account_locked', `Too many failed logins; try again in ${retry} s. / 登录失败次数过多，请 ${retry} 秒后重试。`, { headers: { 'retry-after': String(retry) } });
      }
      if (!user || !ok || user.disabled) {
        if (nameKey) await users.recordFailure(nameKey, settings.login, t);
        if (ipKey) await users.recordFailure(ipKey, { ...settings.login, maxFailures: settings.login.maxFailuresPerIp }, t);
        throw yumenError('invalid_credentials', 'Wrong user name or password. / 用户名或密码错误。');
      }
      // The address's count is not reset: one valid account must not let an address guess others' passwords forever.
      await users.clearFailures(username);
      return this.openSession(user, t);
    },

    /** Opens a session for an account already authenticated (password or identity provider). */
    async openSession(user: UserRow, t = now()): Promise<{ sessionId: string; actor: Actor; expiresAt: number }> {
      await users.touchLogin(user.id, t);
      const sessionId = randomBytes(32).toString('base64url');
      const expiresAt = t + settings.session.absoluteTimeoutMs;
      await sessions.create({ id_hash: digest(sessionId), user_id: user.id, created_at: t, last_seen_at: t, expires_at: expiresAt });
      return { sessionId, actor: await actorOf(user), expiresAt };
    },

    /** The actor behind a session cookie, or null when the session is unknown, expired or the account disabled. */
    async resolveSession(sessionId: string): Promise<Actor | null> {
      if (!sessionId || sessionId.length > 128) return null;
      const idHash = digest(sessionId);
      const row = await sessions.find(idHash);
      if (!row) return null;
      const t = now();
      if (row.expires_at <= t || t - row.last_seen_at > settings.session.idleTimeoutMs) {
        await sessions.delete(idHash);
        return null;
      }
      const user = await users.findById(row.user_id);
      if (!user || user.disabled) return null;
      if (t - row.last_seen_at > TOUCH_EVERY_MS) await sessions.touch(idHash, t);
      return actorOf(user);
    },

    async logout(sessionId: string): Promise<void> {
      await sessions.delete(digest(sessionId));
    },

    /** Changes a password after checking the current one; every other session of the account ends. */
    async changePassword(userId: string, current: string, next: string): Promise<void> {
      const user = await users.findById(userId);
      if (!user?.password_hash || !(await verifyPassword(current, user.password_hash))) {
        throw yumenError('invalid_request', 'current_password: wrong password. / 当前密码错误。', { param: 'current_password' });
      }
      await users.update(userId, { passwordHash: await this.hashPassword(next, 'new_password') });
      await sessions.deleteForUser(userId);
    },

    /** Ends every session of an account (after disabling it, resetting its password or changing its roles). */
    async endSessions(userId: string): Promise<void> {
      await sessions.deleteForUser(userId);
    },

    async purgeExpiredSessions(): Promise<number> {
      return sessions.purgeExpired(now(), settings.session.idleTimeoutMs);
    },
  };
}
export type Accounts = ReturnType<typeof createAccounts>;
