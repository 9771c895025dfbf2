import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** The per-topic change counters every node of a cluster compares (migration 0009). */
export function createChangeVersionRepository(db: Kysely<Database>) {
  return {
    /** Adds one to the topic's version (creating it at 1) and returns the new version. */
    async bump(topic: string, now = Date.now()): Promise<number> {
      const row = await db.insertInto('change_versions').values({ topic, version: 1, updated_at: now })
        .onConflict((oc) => oc.column('topic').doUpdateSet((eb) => ({ version: eb(eb.ref('change_versions.version'), '+', 1), updated_at: now })))
        .returning('version').executeTakeFirstOrThrow();
      return Number(row.version);
    },
    /** Every topic's current version. */
    async all(): Promise<Map<string, number>> {
      const rows = await db.selectFrom('change_versions').select(['topic', 'version']).execute();
      return new Map(rows.map((r) => [r.topic, Number(r.version)]));
    },
  };
}
export type ChangeVersionRepository = ReturnType<typeof createChangeVersionRepository>;
