import type { Kysely } from 'kysely';

/**
 * Views, view queries, data-source templates and custom emojis (notion-api.md §4.6, §4.5, §4.10).
 *
 * - `views`: one row per view of a database (a tab, ordered by `sort_key` among the database's
 *   tabs) or per widget of a dashboard view (`dashboard_view_id` set). Filter, sorts, quick
 *   filters and configuration are JSON text in their stored form (properties named by id).
 * - `view_queries`: the result of running a view once, kept until `expires_at`: the page ids in
 *   order (JSON) and their count, for one integration.
 * - `page_templates`: templates of a data source: the properties a page made from it gets (stored
 *   form, keyed by property id), its icon, and its content as Notion-flavoured markdown.
 * - `custom_emojis`: a name (unique) and the file upload holding the image.
 * - `async_tasks`: what an `allow_async` write answered (its status and result or error), for
 *   `GET /v1/async_tasks/{id}` by the integration that started it.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('views')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('database_id', 'text', (c) => c.notNull())
    .addColumn('data_source_id', 'text')
    .addColumn('dashboard_view_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('filter', 'text')
    .addColumn('sorts', 'text')
    .addColumn('quick_filters', 'text')
    .addColumn('configuration', 'text')
    .addColumn('sort_key', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('last_edited_time', 'text', (c) => c.notNull())
    .addColumn('last_edited_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('views_by_database').on('views').columns(['database_id', 'sort_key']).execute();
  await db.schema.createIndex('views_by_data_source').on('views').columns(['data_source_id', 'id']).execute();

  await db.schema
    .createTable('view_queries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('view_id', 'text', (c) => c.notNull())
    .addColumn('integration_id', 'text')
    .addColumn('page_ids', 'text', (c) => c.notNull())
    .addColumn('total_count', 'integer', (c) => c.notNull())
    .addColumn('incomplete', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('view_queries_expiry').on('view_queries').column('expires_at').execute();

  await db.schema
    .createTable('page_templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('data_source_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('properties', 'text', (c) => c.notNull())
    .addColumn('icon', 'text')
    .addColumn('markdown', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('page_templates_by_source')
    .on('page_templates')
    .columns(['data_source_id', 'id'])
    .execute();

  await db.schema
    .createTable('custom_emojis')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('file_upload_id', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('async_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('integration_id', 'text')
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('created_time', 'text', (c) => c.notNull())
    .execute();
}
