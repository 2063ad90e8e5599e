import type { Kysely } from 'kysely';

/**
 * Notion Workers: pacers shared between executions, and webhook deliveries kept until executed
 * (workers/, docs/ARCHITECTURE.md "Workers").
 *
 * `worker_pacers`: per worker and pacer name, the time (ms since the epoch) of the last request
 * slot handed out. Every execution of the worker, in any process, takes its next slot from this
 * row with one UPDATE (later of that time plus the pacer's pace, and now), so all of them together
 * keep the declared rate. It replaces `workers.pacers`, which only carried one execution's state
 * to the next.
 *
 * `worker_runs_queued`: webhook deliveries are recorded as `queued` runs before the HTTP answer
 * and picked up by the job process from this index.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('worker_pacers')
    .addColumn('worker_name', 'text', (c) => c.notNull().references('workers.name').onDelete('cascade'))
    .addColumn('pacer', 'text', (c) => c.notNull())
    .addColumn('last_scheduled_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('worker_pacers_pk', ['worker_name', 'pacer'])
    .execute();
  await db.schema.createIndex('worker_runs_queued').on('worker_runs').columns(['status', 'kind']).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('worker_runs_queued').execute();
  await db.schema.dropTable('worker_pacers').execute();
}
