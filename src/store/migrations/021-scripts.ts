import type { Kysely } from 'kysely';

/**
 * Scripts (`automations/scripts.ts`, docs/ARCHITECTURE.md "Scripts").
 *
 * `scripts`: one per script name, each acting as an integration of its own (`script: NAME`,
 * deleted with it). `token` is that integration's bearer token, kept because the server hands it
 * to every run of the script (its SDK client talks to Octavo with it); like a webhook's signing
 * secret it is a secret the server must use, not only check, so it cannot be a hash.
 *
 * `script_runs`: one per run, by hand (`octavo script run`) or by an automation's `run_script`
 * step: the file, input, output (JSON), what it logged, the error and why it stopped
 * (`reason`: error, timeout, memory, exit), and timing.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scripts')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('integration_id', 'text', (c) => c.notNull().references('integrations.id').onDelete('cascade'))
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('script_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('script_name', 'text', (c) => c.notNull())
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('started_by', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('output', 'text')
    .addColumn('logs', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('reason', 'text')
    .addColumn('started_time', 'text', (c) => c.notNull())
    .addColumn('finished_time', 'text')
    .addColumn('duration_ms', 'integer')
    .execute();
  await db.schema
    .createIndex('script_runs_by_script')
    .on('script_runs')
    .columns(['script_name', 'started_time'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('script_runs').execute();
  await db.schema.dropTable('scripts').execute();
}
