import { type Kysely, SqliteAdapter, sql } from 'kysely';

/**
 * Integrations that can be revoked and deleted (ops/integrations.ts):
 * - `integrations.revoked_time`: set when the token was revoked (it no longer authenticates);
 *   cleared when a new token is issued.
 * - `file_uploads.integration_id` may be null, and becomes null when its integration is deleted
 *   (`on delete set null`): an upload attached to a page stays served after its integration goes,
 *   owned by nobody. Before, the column was NOT NULL with a plain foreign key, so an integration
 *   that had uploaded a file could not be deleted at all.
 *
 * SQLite cannot change a column's constraints in place: the table is rebuilt the way its manual
 * prescribes (foreign keys off, new table, copy, drop, rename, check), in a transaction of its own.
 * Kysely runs SQLite migrations outside a transaction, which is what lets `foreign_keys` be
 * switched off (SQLite ignores that pragma inside one). Postgres alters the column and constraint
 * inside the migrator's transaction.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) await rebuildSqliteUploads(db);
  else {
    await addRevokedTime(db);
    await sql`alter table file_uploads alter column integration_id drop not null`.execute(db);
    await sql`alter table file_uploads drop constraint file_uploads_integration_id_fkey`.execute(db);
    await sql`alter table file_uploads add constraint file_uploads_integration_id_fkey
      foreign key (integration_id) references integrations (id) on delete set null`.execute(db);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: as above
async function addRevokedTime(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('integrations').addColumn('revoked_time', 'text').execute();
}

/** The whole migration on SQLite, in one transaction: a failure leaves the database as it was. */
// biome-ignore lint/suspicious/noExplicitAny: as above
async function rebuildSqliteUploads(db: Kysely<any>): Promise<void> {
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await sql`begin immediate`.execute(db);
    try {
      await addRevokedTime(db);
      await db.schema
        .createTable('file_uploads_new')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('integration_id', 'text', (c) => c.references('integrations.id').onDelete('set null'))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('filename', 'text')
        .addColumn('content_type', 'text')
        .addColumn('content_length', 'bigint')
        .addColumn('number_of_parts', 'integer')
        .addColumn('external_url', 'text')
        .addColumn('import_result', 'text')
        .addColumn('created_time', 'text', (c) => c.notNull())
        .addColumn('last_edited_time', 'text', (c) => c.notNull())
        .addColumn('expiry_time', 'text')
        .execute();
      await sql`insert into file_uploads_new (id, integration_id, created_by, mode, status, filename,
        content_type, content_length, number_of_parts, external_url, import_result, created_time,
        last_edited_time, expiry_time)
        select id, integration_id, created_by, mode, status, filename, content_type, content_length,
        number_of_parts, external_url, import_result, created_time, last_edited_time, expiry_time
        from file_uploads`.execute(db);
      // file_upload_parts keeps naming `file_uploads`, which after the rename is the new table.
      await sql`drop table file_uploads`.execute(db);
      await sql`alter table file_uploads_new rename to file_uploads`.execute(db);
      await db.schema
        .createIndex('file_uploads_by_integration')
        .on('file_uploads')
        .columns(['integration_id', 'created_time', 'id'])
        .execute();
      const broken = await sql`pragma foreign_key_check`.execute(db);
      if (broken.rows.length > 0) throw new Error('004: the rebuilt file_uploads breaks a foreign key');
      await sql`commit`.execute(db);
    } catch (e) {
      await sql`rollback`.execute(db);
      throw e;
    }
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}
