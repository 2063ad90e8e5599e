import { type Kysely, SqliteAdapter } from 'kysely';

/**
 * The change-event outbox (`events/`, docs/ARCHITECTURE.md "Change events"): one row per event,
 * written by the store in the transaction of the change it describes.
 *
 * `seq` numbers events: SQLite's AUTOINCREMENT never hands out a number twice, even after
 * rows are deleted; Postgres uses an identity column. (Until 008 the store took an advisory lock so
 * that Postgres numbers followed commit order; 008 orders reads by transaction id instead.)
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable('events')
    .addColumn('seq', sqlite ? 'integer' : 'bigint', (c) =>
      sqlite ? c.primaryKey().autoIncrement() : c.primaryKey().generatedAlwaysAsIdentity(),
    )
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    // JSON: the version-neutral data (events/types.ts), rendered per api_version when read.
    .addColumn('data', 'text', (c) => c.notNull())
    // JSON: [{id, type: person | bot}].
    .addColumn('authors', 'text', (c) => c.notNull())
    // The integration whose request made the change; null for the workspace's own administration.
    .addColumn('integration_id', 'text')
    .addColumn('timestamp', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_entity').on('events').columns(['entity_id', 'seq']).execute();
}
