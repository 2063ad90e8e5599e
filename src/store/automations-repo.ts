/**
 * The automations repository: definitions (with the dispatcher's lease and the schedule's next
 * due time) and the run history, written once for both engines. Run ids are time-ordered.
 */
import type { Kysely, Transaction } from 'kysely';
import { definedEntries, executeCompiled } from './compiled.ts';
import { dispatchLease } from './dispatch-lease.ts';
import type { AutomationTable, Database, IntegrationTable } from './schema.ts';
import type { AutomationRepo, AutomationRow, Engine, IntegrationRow } from './store.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The columns of the rows `loadRun` reads beside the run, each under a prefixed alias. */
const AUTOMATION_COLUMNS = [
  'id',
  'name',
  'integration_id',
  'definition',
  'enabled',
  'cursor',
  'next_run_time',
  'hook_token',
  'dispatch_until',
  'dispatch_token',
  'created_time',
  'updated_time',
] as const satisfies readonly (keyof AutomationTable)[];
const INTEGRATION_COLUMNS = [
  'id',
  'name',
  'bot_user_id',
  'token_hash',
  'capabilities',
  'created_time',
  'revoked_time',
] as const satisfies readonly (keyof IntegrationTable)[];

/** Runs inserted per statement (12 bind parameters each; Postgres allows 65,535). */
const RUNS_PER_INSERT = 500;

/** The automations repository bound to a connection or transaction. */
export function automationRepo(db: Db, engine: Engine): AutomationRepo {
  const lease = dispatchLease(db, { table: 'automations', live: { column: 'enabled', value: 1 } });
  return {
    insert: async (row) => {
      await db.insertInto('automations').values(row).execute();
    },
    get: (id) => db.selectFrom('automations').selectAll().where('id', '=', id).executeTakeFirst(),
    getByName: (name) => db.selectFrom('automations').selectAll().where('name', '=', name).executeTakeFirst(),
    list: () => db.selectFrom('automations').selectAll().orderBy('created_time').orderBy('id').execute(),
    listHeads: () =>
      db
        .selectFrom('automations')
        .select(AUTOMATION_COLUMNS.filter((c) => c !== 'definition'))
        .orderBy('created_time')
        .orderBy('id')
        .execute(),
    definitions: async (ids) => {
      const found: Pick<AutomationRow, 'id' | 'definition' | 'updated_time'>[] = [];
      for (let i = 0; i < ids.length; i += 500)
        found.push(
          ...(await db
            .selectFrom('automations')
            .select(['id', 'definition', 'updated_time'])
            .where('id', 'in', ids.slice(i, i + 500))
            .execute()),
        );
      return found;
    },
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
    moveDispatchMany: lease.moveMany,
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
    insertRuns: async (rows) => {
      for (let i = 0; i < rows.length; i += RUNS_PER_INSERT)
        await db
          .insertInto('automation_runs')
          .values(rows.slice(i, i + RUNS_PER_INSERT))
          .execute();
    },
    loadRun: async (id) => {
      // Every run asks it: compiled once.
      const [found] = await executeCompiled<Record<string, unknown>>(
        db,
        engine,
        'automation run with its automation and integration',
        () =>
          db
            .selectFrom('automation_runs as r')
            .leftJoin('automations as a', 'a.id', 'r.automation_id')
            .leftJoin('integrations as i', 'i.id', 'a.integration_id')
            .selectAll('r')
            .select(AUTOMATION_COLUMNS.map((c) => `a.${c} as a_${c}` as const))
            .select(INTEGRATION_COLUMNS.map((c) => `i.${c} as i_${c}` as const))
            .where('r.id', '=', id),
        [id],
      );
      if (!found) return undefined;
      const wide = found as unknown as Record<string, unknown>;
      const pick = <T>(prefix: string, columns: readonly string[]): T | undefined =>
        wide[`${prefix}id`] == null
          ? undefined
          : (Object.fromEntries(columns.map((c) => [c, wide[`${prefix}${c}`]])) as T);
      const run = Object.fromEntries(
        Object.entries(wide).filter(([k]) => !k.startsWith('a_') && !k.startsWith('i_')),
      ) as unknown as Awaited<ReturnType<AutomationRepo['getRun']>> & object;
      return {
        run,
        automation: pick<AutomationRow>('a_', AUTOMATION_COLUMNS),
        integration: pick<IntegrationRow>('i_', INTEGRATION_COLUMNS),
      };
    },
    updateRun: async (id, patch) => {
      // Compiled once per set of columns written (a run writes the same ones each time).
      const entries = definedEntries(patch);
      await executeCompiled(
        db,
        engine,
        `automation run update (${entries.map(([k]) => k).join(',')})`,
        () => db.updateTable('automation_runs').set(patch).where('id', '=', id),
        [...entries.map(([, v]) => v), id],
      );
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
