import { type Kysely, SqliteAdapter, sql } from 'kysely';

/**
 * The writing transaction's id on every event (docs/ARCHITECTURE.md, "Change events"), so that
 * Postgres readers need no lock among writers: they read in (xid, seq) order and only events of
 * transactions older than the oldest one still running.
 *
 * Postgres: `xid8` (64-bit, epoch included: it does not wrap), filled by the column default
 * `pg_current_xact_id()`, the top-level transaction's id. Rows recorded before this migration
 * were numbered in commit order (the advisory lock of 007) and get 0, which sorts them before
 * every later event in their old order. SQLite has one writer at a time: its events all keep 0
 * and `seq` alone orders them. The same index serves both.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await db.schema
      .alterTable('events')
      .addColumn('xid', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  } else {
    // A constant default first (no table rewrite), then the one new rows take.
    await db.schema
      .alterTable('events')
      .addColumn('xid', sql`xid8`, (c) => c.notNull().defaultTo(sql`'0'::xid8`))
      .execute();
    await db.schema
      .alterTable('events')
      .alterColumn('xid', (c) => c.setDefault(sql`pg_current_xact_id()`))
      .execute();
  }
  await db.schema.createIndex('events_order').on('events').columns(['xid', 'seq']).execute();
}
