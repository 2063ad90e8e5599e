/** The scripts repository: each script's integration and token, and its runs (migration 021). */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { ScriptRepo } from './store.ts';

type Db = Kysely<Database> | Transaction<Database>;

export function scriptRepo(db: Db): ScriptRepo {
  return {
    get: (name) => db.selectFrom('scripts').selectAll().where('name', '=', name).executeTakeFirst(),
    insert: async (row) => {
      await db.insertInto('scripts').values(row).execute();
    },
    setToken: async (name, token) => {
      await db.updateTable('scripts').set({ token }).where('name', '=', name).execute();
    },
    insertRun: async (row) => {
      await db.insertInto('script_runs').values(row).execute();
    },
    updateRun: async (id, patch) => {
      await db.updateTable('script_runs').set(patch).where('id', '=', id).execute();
    },
    getRun: (id) => db.selectFrom('script_runs').selectAll().where('id', '=', id).executeTakeFirst(),
    listRuns: (name, limit) => {
      let q = db.selectFrom('script_runs').selectAll();
      if (name !== null) q = q.where('script_name', '=', name);
      return q.orderBy('started_time', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },
  };
}
