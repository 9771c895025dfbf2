import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { SessionsTable } from '../tables/governance.ts';

export type SessionRow = SessionsTable;

/** Console sessions, stored by the digest of their id so a database dump cannot be replayed as cookies. */
export function createSessionRepository(db: Kysely<Database>) {
  return {
    async create(row: SessionRow): Promise<void> {
      await db.insertInto('sessions').values(row).execute();
    },
    async find(idHash: string): Promise<SessionRow | undefined> {
      return db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    },
    async touch(idHash: string, at: number): Promise<void> {
      await db.updateTable('sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
    },
    async delete(idHash: string): Promise<void> {
      await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },
    async deleteForUser(userId: string): Promise<void> {
      await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
    },
    /** Drops sessions past their absolute expiry or idle longer than `idleMs`. */
    async purgeExpired(now: number, idleMs: number): Promise<number> {
      const r = await db.deleteFrom('sessions').where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - idleMs)])).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
export type SessionRepository = ReturnType<typeof createSessionRepository>;
