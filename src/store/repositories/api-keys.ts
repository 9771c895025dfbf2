import { hash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { ApiKeysTable } from '../tables/core.ts';

export type ApiKeyRow = ApiKeysTable;

const KEY_PREFIX = 'ym-';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A new secret: `ym-` and 40 base62 characters (~238 bits). */
export function generateApiKey(): string {
  const bytes = randomBytes(40);
  let out = KEY_PREFIX;
  // 256 % 62 leaves a small bias; reject bytes ≥ 248 to keep every character uniform.
  for (let i = 0; out.length < KEY_PREFIX.length + 40; i++) {
    const b = i < bytes.length ? bytes[i] : randomBytes(1)[0];
    if (b < 248) out += ALPHABET[b % 62];
  }
  return out;
}

/** Keys are stored only as their SM3 digest; the secret is shown once at creation. */
export function hashApiKey(secret: string): string {
  return hash('sm3', secret, 'hex');
}

export interface NewApiKey {
  tenantId: string;
  name?: string | null;
  expiresAt?: number | null;
  allowedModels?: string[] | null;
  allowedIps?: string[] | null;
}

export function createApiKeyRepository(db: Kysely<Database>) {
  return {
    async create(input: NewApiKey): Promise<{ secret: string; row: ApiKeyRow }> {
      const secret = generateApiKey();
      const row: ApiKeyRow = {
        id: randomUUID(),
        tenant_id: input.tenantId,
        name: input.name ?? null,
        prefix: secret.slice(0, 7),
        key_hash: hashApiKey(secret),
        created_at: Date.now(),
        expires_at: input.expiresAt ?? null,
        revoked_at: null,
        allowed_models: input.allowedModels ? JSON.stringify(input.allowedModels) : null,
        allowed_ips: input.allowedIps ? JSON.stringify(input.allowedIps) : null,
        last_used_at: null,
      };
      await db.insertInto('api_keys').values(row).execute();
      return { secret, row };
    },
    async findByHash(keyHash: string): Promise<ApiKeyRow | undefined> {
      return db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
    },
    async findById(id: string): Promise<ApiKeyRow | undefined> {
      return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async listByTenant(tenantId: string): Promise<ApiKeyRow[]> {
      return db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute();
    },
    async revoke(id: string, at = Date.now()): Promise<boolean> {
      const r = await db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}
export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>;
