/** The workers repository: deployed Notion Workers, their syncs, records and runs (migration 020), shared pacers (023). */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { WorkerRepo } from './store.ts';

type Db = Kysely<Database> | Transaction<Database>;

export function workerRepo(db: Db): WorkerRepo {
  const sync = (name: string, capability: string) =>
    db.selectFrom('worker_syncs').where('worker_name', '=', name).where('capability', '=', capability);
  const rec = (name: string, capability: string, databaseKey: string, key: string) =>
    db
      .selectFrom('worker_records')
      .where('worker_name', '=', name)
      .where('capability', '=', capability)
      .where('database_key', '=', databaseKey)
      .where('record_key', '=', key);
  return {
    get: (name) => db.selectFrom('workers').selectAll().where('name', '=', name).executeTakeFirst(),
    list: () => db.selectFrom('workers').selectAll().orderBy('name').execute(),
    insert: async (row) => {
      await db.insertInto('workers').values(row).execute();
    },
    update: async (name, patch) => {
      await db.updateTable('workers').set(patch).where('name', '=', name).execute();
    },
    delete: async (name) => {
      await db.deleteFrom('worker_pacers').where('worker_name', '=', name).execute();
      await db.deleteFrom('worker_runs').where('worker_name', '=', name).execute();
      await db.deleteFrom('worker_records').where('worker_name', '=', name).execute();
      await db.deleteFrom('worker_syncs').where('worker_name', '=', name).execute();
      await db.deleteFrom('workers').where('name', '=', name).execute();
    },
    syncs: (name) => {
      let q = db.selectFrom('worker_syncs').selectAll();
      if (name !== null) q = q.where('worker_name', '=', name);
      return q.orderBy('worker_name').orderBy('capability').execute();
    },
    sync: (name, capability) => sync(name, capability).selectAll().executeTakeFirst(),
    putSync: async (row) => {
      await db
        .insertInto('worker_syncs')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['worker_name', 'capability']).doUpdateSet({ next_run_time: row.next_run_time }),
        )
        .execute();
    },
    updateSync: async (name, capability, patch) => {
      await db
        .updateTable('worker_syncs')
        .set(patch)
        .where('worker_name', '=', name)
        .where('capability', '=', capability)
        .execute();
    },
    advanceSync: async (name, capability, from, to) => {
      const r = await db
        .updateTable('worker_syncs')
        .set({ next_run_time: to })
        .where('worker_name', '=', name)
        .where('capability', '=', capability)
        .where('next_run_time', '=', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    leaseSync: async (name, capability, now, until) => {
      const r = await db
        .updateTable('worker_syncs')
        .set({ running_until: until })
        .where('worker_name', '=', name)
        .where('capability', '=', capability)
        .where((eb) => eb.or([eb('running_until', 'is', null), eb('running_until', '<', now)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    deleteSync: async (name, capability) => {
      await db
        .deleteFrom('worker_syncs')
        .where('worker_name', '=', name)
        .where('capability', '=', capability)
        .execute();
    },
    record: (name, capability, databaseKey, key) =>
      rec(name, capability, databaseKey, key).selectAll().executeTakeFirst(),
    putRecord: async (row) => {
      await db
        .insertInto('worker_records')
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(['worker_name', 'capability', 'database_key', 'record_key'])
            .doUpdateSet({ page_id: row.page_id, cycle: row.cycle }),
        )
        .execute();
    },
    deleteRecord: async (name, capability, databaseKey, key) => {
      await db
        .deleteFrom('worker_records')
        .where('worker_name', '=', name)
        .where('capability', '=', capability)
        .where('database_key', '=', databaseKey)
        .where('record_key', '=', key)
        .execute();
    },
    staleRecords: (name, capability, cycle) =>
      db
        .selectFrom('worker_records')
        .selectAll()
        .where('worker_name', '=', name)
        .where('capability', '=', capability)
        .where('cycle', '<', cycle)
        .orderBy('record_key')
        .execute(),
    insertRun: async (row) => {
      await db.insertInto('worker_runs').values(row).execute();
    },
    updateRun: async (id, patch) => {
      await db.updateTable('worker_runs').set(patch).where('id', '=', id).execute();
    },
    getRun: (id) => db.selectFrom('worker_runs').selectAll().where('id', '=', id).executeTakeFirst(),
    listRuns: (name, limit) => {
      let q = db.selectFrom('worker_runs').selectAll();
      if (name !== null) q = q.where('worker_name', '=', name);
      return q.orderBy('started_time', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },
    finishedHookRuns: (name, capability, since, limit) =>
      db
        .selectFrom('worker_runs')
        .selectAll()
        .where('worker_name', '=', name)
        .where('started_time', '>=', since)
        .where('capability', '=', capability)
        .where('kind', '=', 'webhook')
        .where('status', 'in', ['succeeded', 'failed'])
        .orderBy('started_time', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
    moveRun: async (id, from, patch) => {
      const r = await db
        .updateTable('worker_runs')
        .set(patch)
        .where('id', '=', id)
        .where('status', 'in', [...from])
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    queuedHooks: (limit) =>
      db
        .selectFrom('worker_runs')
        .selectAll()
        .where('status', '=', 'queued')
        .where('kind', '=', 'webhook')
        .orderBy('started_time')
        .orderBy('id')
        .limit(limit)
        .execute(),
    reservePacer: async (name, pacer, paceMs, nowMs) => {
      await db
        .insertInto('worker_pacers')
        .values({ worker_name: name, pacer, last_scheduled_ms: 0 })
        .onConflict((oc) => oc.columns(['worker_name', 'pacer']).doNothing())
        .execute();
      // One UPDATE reads and writes the row: Postgres locks it and re-reads the newest version
      // for a concurrent caller; SQLite runs one writer at a time. Either way no slot is shared.
      const next = sql<number | string>`case when last_scheduled_ms + ${paceMs} > ${nowMs}
        then last_scheduled_ms + ${paceMs} else ${nowMs} end`;
      const row = await db
        .updateTable('worker_pacers')
        .set({ last_scheduled_ms: next })
        .where('worker_name', '=', name)
        .where('pacer', '=', pacer)
        .returning('last_scheduled_ms')
        .executeTakeFirstOrThrow();
      return Number(row.last_scheduled_ms);
    },
    pacerSlots: async (name) => {
      const rows = await db
        .selectFrom('worker_pacers')
        .select(['pacer', 'last_scheduled_ms'])
        .where('worker_name', '=', name)
        .execute();
      return Object.fromEntries(rows.map((r) => [r.pacer, Number(r.last_scheduled_ms)]));
    },
  };
}
