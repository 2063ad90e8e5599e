/**
 * The dispatch lease of an outbox consumer's row (a webhook subscription, an automation): its
 * cursor, and which process is reading after it until when. Taking the lease and giving it back
 * are single conditional updates, so two processes never read after one cursor at once.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A table of outbox consumers, and the condition that says a row is live (active, enabled). */
export interface LeaseTable {
  table: 'webhook_subscriptions' | 'automations';
  live: { column: 'status' | 'enabled'; value: string | number };
}

export function dispatchLease(db: Db, { table, live }: LeaseTable) {
  return {
    /** Takes the lease of a live row still at `cursor`; true when taken. */
    claim: async (id: string, cursor: string, token: string, nowMs: number, untilMs: number) => {
      const r = await db
        .updateTable(table)
        .set({ dispatch_until: untilMs, dispatch_token: token })
        .where('id', '=', id)
        .where(sql.ref(live.column), '=', live.value)
        .where('cursor', '=', cursor)
        .where((eb) => eb.or([eb('dispatch_until', 'is', null), eb('dispatch_until', '<', nowMs)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Takes the leases of those of `ids` that are live, at `cursor` and free; answers their ids. */
    claimMany: async (
      ids: readonly string[],
      cursor: string,
      token: string,
      nowMs: number,
      untilMs: number,
    ) => {
      const taken: string[] = [];
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db
          .updateTable(table)
          .set({ dispatch_until: untilMs, dispatch_token: token })
          .where('id', 'in', ids.slice(i, i + 500))
          .where(sql.ref(live.column), '=', live.value)
          .where('cursor', '=', cursor)
          .where((eb) => eb.or([eb('dispatch_until', 'is', null), eb('dispatch_until', '<', nowMs)]))
          .returning('id')
          .execute();
        for (const r of rows) taken.push(r.id);
      }
      return taken;
    },
    /** Moves the cursor of those of `ids` that `token` still holds, and gives their leases back. */
    finishMany: async (ids: readonly string[], token: string, cursor: string) => {
      for (let i = 0; i < ids.length; i += 500) {
        await db
          .updateTable(table)
          .set({ cursor, dispatch_until: null, dispatch_token: null })
          .where('id', 'in', ids.slice(i, i + 500))
          .where('dispatch_token', '=', token)
          .execute();
      }
    },
    /**
     * Moves those of `ids` that are live and still at `from` to `to`, when `token` holds their
     * lease or none is held (free or run out), and gives `token`'s leases back: one statement per
     * 500 rows. For a look's rows that start nothing, no lease is needed to move them (what they
     * were weighed against starts no run), so a look takes leases only on the rows that act.
     */
    moveMany: async (ids: readonly string[], from: string, to: string, token: string, nowMs: number) => {
      for (let i = 0; i < ids.length; i += 500) {
        await db
          .updateTable(table)
          .set({ cursor: to, dispatch_until: null, dispatch_token: null })
          .where('id', 'in', ids.slice(i, i + 500))
          .where(sql.ref(live.column), '=', live.value)
          .where('cursor', '=', from)
          .where((eb) =>
            eb.or([
              eb('dispatch_token', '=', token),
              eb('dispatch_until', 'is', null),
              eb('dispatch_until', '<', nowMs),
            ]),
          )
          .execute();
      }
    },
    /** Moves the cursor and gives the lease back, if `token` still holds it. */
    finish: async (id: string, token: string, cursor: string) => {
      const r = await db
        .updateTable(table)
        .set({ cursor, dispatch_until: null, dispatch_token: null })
        .where('id', '=', id)
        .where('dispatch_token', '=', token)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}
