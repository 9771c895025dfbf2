import { timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createApiKeyRepository, createKeyAdminRepository, createTenantRepository, hashApiKey, type Database } from '../store/index.ts';
import type { Principal } from './principal.ts';
import { yumenError } from '../util/errors.ts';
import { compileIpAllowList } from './ip-allow-list.ts';

interface CachedKey {
  principal: Principal;
  expiresAt: number | null;
  revoked: boolean;
  hash: Buffer;
  cachedAt: number;
  /** null = any address. */
  ipAllowed: ((ip: string) => boolean) | null;
}

export interface KeyAuthenticatorOptions {
  /** How long a looked-up key is trusted before it is read again (revocation takes at most this long). */
  cacheTtlMs?: number;
  now?: () => number;
  /** A key's `last_used_at` is written at most this often (default 60 s). */
  lastUsedEveryMs?: number;
  /** Marks gathered within this delay go to the database in one statement (default 1 s). */
  lastUsedFlushMs?: number;
  /** Told when a `last_used_at` write fails (it never fails a request). */
  onError?: (err: unknown) => void;
}

/** What the caller's connection tells us beside the secret. */
export interface AuthContext {
  /** The client address (after trust_proxy), checked against the key's IP allow-list. */
  ip?: string;
}

/**
 * Turns a bearer secret into a Principal. Keys are looked up by their SM3 digest; the digest found is
 * compared again in constant time, and lookups are cached briefly so the hot path rarely touches the database.
 */
export function createKeyAuthenticator(db: Kysely<Database>, opts: KeyAuthenticatorOptions = {}) {
  const keys = createApiKeyRepository(db);
  const tenants = createTenantRepository(db);
  const ttl = opts.cacheTtlMs ?? 5_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, CachedKey>();

  // last_used_at: the hot path only notes the key in memory (at most once a minute per key); a timer
  // writes the noted keys in one UPDATE, outside any request.
  const keyAdmin = createKeyAdminRepository(db);
  const markEvery = opts.lastUsedEveryMs ?? 60_000;
  const flushDelay = opts.lastUsedFlushMs ?? 1_000;
  const markedAt = new Map<string, number>();
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.size === 0) return writing;
    const ids = [...pending];
    pending = new Set();
    const at = now();
    writing = writing.then(() => keyAdmin.touchLastUsed(ids, at)).catch((err) => opts.onError?.(err));
    return writing;
  }

  function markUsed(keyId: string): void {
    const t = now();
    const last = markedAt.get(keyId);
    if (last !== undefined && t - last < markEvery) return;
    if (markedAt.size > 100_000) markedAt.clear();
    markedAt.set(keyId, t);
    pending.add(keyId);
    if (!timer) {
      timer = setTimeout(() => void flush(), flushDelay);
      timer.unref();
    }
  }

  async function load(digest: string): Promise<CachedKey | null> {
    const row = await keys.findByHash(digest);
    if (!row) return null;
    const tenant = await tenants.findById(row.tenant_id);
    if (!tenant) return null;
    const allowed = row.allowed_models ? (JSON.parse(row.allowed_models) as string[]) : null;
    const ips = row.allowed_ips ? (JSON.parse(row.allowed_ips) as string[]) : null;
    let ipAllowed: CachedKey['ipAllowed'] = null;
    if (ips) {
      try {
        ipAllowed = compileIpAllowList(ips);
      } catch {
        ipAllowed = () => false; // a corrupt list fails closed
      }
    }
    return {
      principal: { tenantId: tenant.id, tenantName: tenant.name, keyId: row.id, allowedModels: allowed ? new Set(allowed) : null },
      expiresAt: row.expires_at,
      revoked: row.revoked_at !== null,
      hash: Buffer.from(row.key_hash, 'hex'),
      cachedAt: now(),
      ipAllowed,
    };
  }

  return {
    async authenticate(secret: string, ctx: AuthContext = {}): Promise<Principal> {
      const digest = hashApiKey(secret);
      let entry = cache.get(digest);
      if (!entry || now() - entry.cachedAt > ttl) {
        const loaded = await load(digest);
        if (!loaded) {
          cache.delete(digest);
          throw yumenError('invalid_api_key', 'Incorrect API key provided. / API 密钥无效。');
        }
        entry = loaded;
        if (cache.size > 10_000) cache.clear();
        cache.set(digest, entry);
      }
      if (!timingSafeEqual(entry.hash, Buffer.from(digest, 'hex'))) throw yumenError('invalid_api_key', 'Incorrect API key provided. / API 密钥无效。');
      if (entry.revoked) throw yumenError('invalid_api_key', 'This API key has been revoked. / 该 API 密钥已被吊销。');
      if (entry.expiresAt !== null && entry.expiresAt <= now()) throw yumenError('invalid_api_key', 'This API key has expired. / 该 API 密钥已过期。');
      if (entry.ipAllowed && !(ctx.ip && entry.ipAllowed(ctx.ip))) {
        throw yumenError('ip_not_allowed', 'This API key may not be used from your address. / 该 API 密钥不允许从当前地址使用。');
      }
      if (entry.principal.keyId) markUsed(entry.principal.keyId);
      return entry.principal;
    },
    /** Writes pending `last_used_at` marks now (tests; shutdown). */
    flush,
    /** Flushes pending marks and stops the timer; call before closing the database. */
    async close(): Promise<void> {
      await flush();
    },
    /** Forget cached keys, e.g. right after a revocation through the admin API. */
    invalidate(): void {
      cache.clear();
    },
  };
}
export type KeyAuthenticator = ReturnType<typeof createKeyAuthenticator>;
