/**
 * The automations repository: definitions (with the dispatcher's lease and the schedule's next
 * due time) and the run history, written once for both engines. Run ids are time-ordered.
 */
import type { Kysely, Transaction } from 'kysely';
import { dispatchLease } from './dispatch-lease.ts';
import type { Database } from './schema.ts';
import type { AutomationRepo } from './store.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The automations repository bound to a connection or transaction. */
export function automationRepo(db: Db): AutomationRepo {
  const lease = dispatchLease(db, { table: 'automations', live: { column: 'enabled', value: 1 } });
  return {
    insert: async (row) => {
      await db.insertInto('automations').values(row).execute();
    },
    get: (id) => db.selectFrom('automations').selectAll().where('id', '=', id).executeTakeFirst(),
    getByName: (name) => db.selectFrom('automations').selectAll().where('name', '=', name).executeTakeFirst(),
    list: () => db.selectFrom('automations').selectAll().orderBy('created_time').orderBy('id').execute(),
    update: async (id, patch) => {
      await db.updateTable('automations').set(patch).where('id', '=', id).execute();
    },
    delete: async (id) => {
      await db.deleteFrom('automation_page_state').where('automation_id', '=', id).execute();
      await db.deleteFrom('automation_runs').where('automation_id', '=', id).execute();
      await db.deleteFrom('automations').where('id', '=', id).execute();
    },
    claimDispatchMany: lease.claimMany,
    finishDispatchMany: lease.finishMany,
    advanceSchedule: async (id, from, to) => {
      const r = await db
        .updateTable('automations')
        .set({ next_run_time: to })
        .where('id', '=', id)
        .where('next_run_time', '=', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    insertRun: async (row) => {
      await db.insertInto('automation_runs').values(row).execute();
    },
    updateRun: async (id, patch) => {
      await db.updateTable('automation_runs').set(patch).where('id', '=', id).execute();
    },
    getRun: (id) => db.selectFrom('automation_runs').selectAll().where('id', '=', id).executeTakeFirst(),
    listRuns: (automationId, limit) => {
      let q = db.selectFrom('automation_runs').selectAll();
      if (automationId) q = q.where('automation_id', '=', automationId);
      return q.orderBy('id', 'desc').limit(limit).execute();
    },
    pageState: async (automationId, pageId) =>
      (
        await db
          .selectFrom('automation_page_state')
          .select('state')
          .where('automation_id', '=', automationId)
          .where('page_id', '=', pageId)
          .executeTakeFirst()
      )?.state,
    setPageState: async (automationId, pageId, state) => {
      await db
        .insertInto('automation_page_state')
        .values({ automation_id: automationId, page_id: pageId, state })
        .onConflict((oc) => oc.columns(['automation_id', 'page_id']).doUpdateSet({ state }))
        .execute();
    },
    lastRunBefore: (automationId, time) =>
      db
        .selectFrom('automation_runs')
        .selectAll()
        .where('automation_id', '=', automationId)
        .where('created_time', '<=', time)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst(),
  };
}
