import { type Kysely, SqliteAdapter, sql } from 'kysely';

/**
 * The embedded job queue's tables (`jobs/embedded.ts`, docs/ARCHITECTURE.md "Background jobs"),
 * on SQLite only: on Postgres the jobs live in pg-boss's own tables, which pg-boss creates and
 * migrates itself in the same schema. Times are epoch milliseconds, so claims compare integers.
 *
 * `jobs.state`: queued → active (claimed, `locked_until` is the lease) → completed | failed, or
 * back to queued with a later `run_at` for a retry. At most one queued or active job per
 * (name, singleton_key): the partial unique index makes a duplicate insert a no-op.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
  await sql`create table jobs (
    id text primary key,
    name text not null,
    payload text not null,
    state text not null,
    run_at integer not null,
    attempts integer not null default 0,
    retry_limit integer not null,
    backoff_ms integer not null,
    singleton_key text,
    locked_until integer,
    lock_token text,
    last_error text,
    created_at integer not null,
    finished_at integer
  )`.execute(db);
  await sql`create index jobs_ready on jobs (name, state, run_at)`.execute(db);
  await sql`create index jobs_leased on jobs (state, locked_until)`.execute(db);
  await sql`create unique index jobs_singleton on jobs (name, singleton_key)
    where singleton_key is not null and state in ('queued', 'active')`.execute(db);
  await sql`create table job_schedules (
    name text primary key,
    cron text not null,
    payload text not null,
    next_run_at integer not null
  )`.execute(db);
}
