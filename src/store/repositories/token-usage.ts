import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface TokenTotal { tenantId: string; keyId: string | null; tokens: number }

/**
 * Token sums from usage_records since a time, per tenant and key: lets in-process limits pick up
 * the day's and month's consumption again after a restart.
 */
export function createTokenUsageRepository(db: Kysely<Database>) {
  return {
    async totalsSince(since: number): Promise<TokenTotal[]> {
      const rows = await db.selectFrom('usage_records')
        .select(['tenant_id', 'key_id'])
        .select((eb) => [eb.fn.sum<number>('prompt_tokens').as('p'), eb.fn.sum<number>('completion_tokens').as('c')])
        .where('created_at', '>=', since)
        .groupBy(['tenant_id', 'key_id'])
        .execute();
      return rows.map((r) => ({ tenantId: r.tenant_id, keyId: r.key_id, tokens: Number(r.p ?? 0) + Number(r.c ?? 0) }));
    },
  };
}
export type TokenUsageRepository = ReturnType<typeof createTokenUsageRepository>;
