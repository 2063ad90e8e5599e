/**
 * Views, their kept query results, data-source templates and custom emojis (migration 012),
 * written once for both engines. View writes note their changes in the transaction's ChangeLog,
 * so `view.*` events are recorded at commit like every other change (store/events-repo.ts).
 */
import type { Kysely, Transaction } from 'kysely';
import type { ChangeLog } from './events-repo.ts';
import type { Database } from './schema.ts';
import type { AsyncTaskRepo, CustomEmojiRepo, Page, TemplateRepo, ViewQueryRepo, ViewRepo } from './store.ts';

type Db = Kysely<Database> | Transaction<Database>;

function page<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  return { items: rows.slice(0, limit), next: rows.length > limit ? rows[limit]!.id : null };
}

export function views(db: Db, log: ChangeLog): ViewRepo {
  return {
    get: (id) => db.selectFrom('views').selectAll().where('id', '=', id).executeTakeFirst(),
    insert: async (row) => {
      await db.insertInto('views').values(row).execute();
      log.insertedView(row);
    },
    update: async (id, patch) => {
      await log.changingView(db, id, patch);
      await db.updateTable('views').set(patch).where('id', '=', id).execute();
    },
    delete: async (id) => {
      await log.changingView(db, id, null);
      await db.deleteFrom('view_queries').where('view_id', '=', id).execute();
      await db.deleteFrom('view_card_orders').where('view_id', '=', id).execute();
      await db.deleteFrom('views').where('id', '=', id).execute();
    },
    list: async (where, from, limit) => {
      let q = db
        .selectFrom('views')
        .selectAll()
        .limit(limit + 1);
      if (where.databaseId) {
        // A database's list holds its tabs, in tab order; widgets live inside their dashboards.
        q = q.where('database_id', '=', where.databaseId).where('dashboard_view_id', 'is', null);
        if (where.dataSourceId) q = q.where('data_source_id', '=', where.dataSourceId);
        q = q.orderBy('sort_key').orderBy('id');
        if (from) {
          q = q.where('sort_key', '>=', (eb) =>
            eb.selectFrom('views').select('sort_key').where('id', '=', from),
          );
        }
      } else {
        q = q.where('data_source_id', '=', where.dataSourceId ?? '').orderBy('id');
        if (from) q = q.where('id', '>=', from);
      }
      return page(await q.execute(), limit);
    },
    tabKeys: (databaseId) =>
      db
        .selectFrom('views')
        .select(['id', 'sort_key'])
        .where('database_id', '=', databaseId)
        .where('dashboard_view_id', 'is', null)
        .orderBy('sort_key')
        .execute(),
    widgets: (dashboardViewId) =>
      db
        .selectFrom('views')
        .selectAll()
        .where('dashboard_view_id', '=', dashboardViewId)
        .orderBy('id')
        .execute(),
    cardOrder: async (viewId) => {
      const row = await db
        .selectFrom('view_card_orders')
        .select('page_ids')
        .where('view_id', '=', viewId)
        .executeTakeFirst();
      return row ? (JSON.parse(row.page_ids) as string[]) : null;
    },
    setCardOrder: async (viewId, pageIds, at) => {
      const values = { page_ids: JSON.stringify(pageIds), updated_time: at.now, updated_by: at.by };
      await db
        .insertInto('view_card_orders')
        .values({ view_id: viewId, ...values })
        .onConflict((oc) => oc.column('view_id').doUpdateSet(values))
        .execute();
    },
  };
}

/** Postgres answers integer columns of aggregate-free selects as numbers, but be explicit. */
export function viewQueries(db: Db): ViewQueryRepo {
  return {
    get: async (id) => {
      const row = await db.selectFrom('view_queries').selectAll().where('id', '=', id).executeTakeFirst();
      return row
        ? { ...row, total_count: Number(row.total_count), incomplete: Number(row.incomplete) }
        : undefined;
    },
    insert: async (row) => {
      await db.insertInto('view_queries').values(row).execute();
    },
    delete: async (id) => {
      await db.deleteFrom('view_queries').where('id', '=', id).execute();
    },
    deleteExpired: async (now) => {
      const r = await db.deleteFrom('view_queries').where('expires_at', '<=', now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

export function templates(db: Db): TemplateRepo {
  return {
    get: (id) => db.selectFrom('page_templates').selectAll().where('id', '=', id).executeTakeFirst(),
    insert: async (row) => {
      await db.insertInto('page_templates').values(row).execute();
    },
    delete: async (id) => {
      await db.deleteFrom('page_templates').where('id', '=', id).execute();
    },
    clearDefault: async (dataSourceId) => {
      await db
        .updateTable('page_templates')
        .set({ is_default: 0 })
        .where('data_source_id', '=', dataSourceId)
        .execute();
    },
    defaultOf: (dataSourceId) =>
      db
        .selectFrom('page_templates')
        .selectAll()
        .where('data_source_id', '=', dataSourceId)
        .where('is_default', '=', 1)
        .executeTakeFirst(),
    list: async (dataSourceId, name, from, limit) => {
      let q = db
        .selectFrom('page_templates')
        .selectAll()
        .where('data_source_id', '=', dataSourceId)
        .orderBy('id');
      if (from) q = q.where('id', '>=', from);
      if (name === null) return page(await q.limit(limit + 1).execute(), limit);
      // A data source has a handful of templates: the name is matched here, the same on both
      // engines (case-insensitive substring, Unicode lowercase).
      const needle = name.toLowerCase();
      const rows = (await q.execute()).filter((t) => t.name.toLowerCase().includes(needle));
      return page(rows, limit);
    },
  };
}

export function customEmojis(db: Db): CustomEmojiRepo {
  return {
    get: (id) => db.selectFrom('custom_emojis').selectAll().where('id', '=', id).executeTakeFirst(),
    insert: async (row) => {
      await db.insertInto('custom_emojis').values(row).execute();
    },
    list: async (name, from, limit) => {
      let q = db
        .selectFrom('custom_emojis')
        .selectAll()
        .orderBy('id')
        .limit(limit + 1);
      if (name !== null) q = q.where('name', '=', name);
      if (from) q = q.where('id', '>=', from);
      return page(await q.execute(), limit);
    },
  };
}

export function asyncTasks(db: Db): AsyncTaskRepo {
  return {
    get: (id) => db.selectFrom('async_tasks').selectAll().where('id', '=', id).executeTakeFirst(),
    insert: async (row) => {
      await db.insertInto('async_tasks').values(row).execute();
    },
    update: async (id, patch) => {
      await db.updateTable('async_tasks').set(patch).where('id', '=', id).execute();
    },
  };
}
