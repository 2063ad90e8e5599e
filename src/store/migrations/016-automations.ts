import type { Kysely } from 'kysely';

/**
 * Automations and their run history (`automations/`, docs/ARCHITECTURE.md "Automations").
 *
 * `automations.definition` is the validated definition as JSON (trigger, conditions, actions).
 * Each automation acts as its own integration (`integration_id`, made with it and deleted with
 * it). `cursor` is its own place in the event outbox, moved by the dispatcher under the lease
 * `dispatch_until`/`dispatch_token` (epoch ms), as webhook subscriptions do. `next_run_time` is
 * the next due instant of a schedule trigger (ISO), advanced by the minute tick.
 *
 * `automation_page_state` is what an automation last saw of a page, for triggers that compare
 * before and after (`page_matches`: whether it matched; `page_updated` with `change`: the value).
 *
 * `automation_runs` holds one row per firing: what triggered it, each step's input, output or
 * error, and its timing; `depth` is its place in a chain of automations triggering each other.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('automations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('integration_id', 'text', (c) => c.notNull().references('integrations.id').onDelete('cascade'))
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('next_run_time', 'text')
    // A webhook trigger's secret: the last segment of its inbound URL.
    .addColumn('hook_token', 'text')
    .addColumn('dispatch_until', 'bigint')
    .addColumn('dispatch_token', 'text')
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('updated_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('automation_page_state')
    .addColumn('automation_id', 'text', (c) => c.notNull().references('automations.id').onDelete('cascade'))
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('automation_page_state_pk', ['automation_id', 'page_id'])
    .execute();
  await db.schema
    .createTable('automation_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('automation_id', 'text', (c) => c.notNull().references('automations.id').onDelete('cascade'))
    // queued | running | succeeded | failed
    .addColumn('status', 'text', (c) => c.notNull())
    // JSON: { kind, event?, page_id?, input? }
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('depth', 'integer', (c) => c.notNull())
    .addColumn('dry_run', 'integer', (c) => c.notNull())
    // JSON array of { action, input, output?, error?, ms }
    .addColumn('steps', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('started_time', 'text')
    .addColumn('finished_time', 'text')
    .addColumn('duration_ms', 'integer')
    .execute();
  await db.schema
    .createIndex('automation_runs_automation')
    .on('automation_runs')
    .columns(['automation_id', 'id'])
    .execute();
}
