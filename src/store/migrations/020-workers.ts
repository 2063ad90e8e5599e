import type { Kysely } from 'kysely';

/**
 * Notion Workers deployed on Octavo (`workers/`, docs/ARCHITECTURE.md "Workers").
 *
 * `workers`: one per deployed worker: its integration (`worker: NAME`, deleted with it) and that
 * integration's token (handed to every execution as NOTION_API_TOKEN, so kept as text like a
 * script's), the folder it was deployed from, the built bundle, the manifest the package
 * reports (capabilities, databases, pacers), the data sources its databases are bound to, its
 * environment, the token of its inbound webhook URLs and its pacers' state.
 *
 * `worker_syncs`: per sync capability, the state carried between executions (`nextState`), the
 * cycle in progress (replace mode deletes what a finished cycle did not see), the next
 * scheduled time, and the lease of the cycle running now (one at a time per sync).
 *
 * `worker_records`: which page holds each record key a sync wrote, and the cycle that last saw it.
 *
 * `worker_runs`: one per execution: capability, input, the output envelope's value, logs, error.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('workers')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('integration_id', 'text', (c) => c.notNull().references('integrations.id').onDelete('cascade'))
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('source_dir', 'text', (c) => c.notNull())
    .addColumn('bundle', 'text', (c) => c.notNull())
    .addColumn('read_paths', 'text', (c) => c.notNull())
    .addColumn('manifest', 'text', (c) => c.notNull())
    .addColumn('databases', 'text', (c) => c.notNull())
    .addColumn('env', 'text', (c) => c.notNull())
    .addColumn('hook_token', 'text', (c) => c.notNull())
    .addColumn('pacers', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('updated_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('worker_syncs')
    .addColumn('worker_name', 'text', (c) => c.notNull().references('workers.name').onDelete('cascade'))
    .addColumn('capability', 'text', (c) => c.notNull())
    .addColumn('state', 'text')
    .addColumn('cycle', 'integer', (c) => c.notNull())
    .addColumn('next_run_time', 'text')
    .addColumn('last_run_id', 'text')
    .addColumn('running_until', 'text')
    .addPrimaryKeyConstraint('worker_syncs_pk', ['worker_name', 'capability'])
    .execute();
  await db.schema
    .createTable('worker_records')
    .addColumn('worker_name', 'text', (c) => c.notNull().references('workers.name').onDelete('cascade'))
    .addColumn('capability', 'text', (c) => c.notNull())
    .addColumn('database_key', 'text', (c) => c.notNull())
    .addColumn('record_key', 'text', (c) => c.notNull())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('cycle', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('worker_records_pk', ['worker_name', 'capability', 'database_key', 'record_key'])
    .execute();
  await db.schema
    .createTable('worker_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('worker_name', 'text', (c) => c.notNull())
    .addColumn('capability', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('started_by', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('output', 'text')
    .addColumn('logs', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('started_time', 'text', (c) => c.notNull())
    .addColumn('finished_time', 'text')
    .addColumn('duration_ms', 'integer')
    .execute();
  await db.schema
    .createIndex('worker_runs_by_worker')
    .on('worker_runs')
    .columns(['worker_name', 'started_time'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('worker_runs').execute();
  await db.schema.dropTable('worker_records').execute();
  await db.schema.dropTable('worker_syncs').execute();
  await db.schema.dropTable('workers').execute();
}
