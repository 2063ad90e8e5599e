import { type Kysely, sql } from 'kysely';

/**
 * File uploads (POST /v1/file_uploads) and their bytes, one row per part, so every node of a
 * Postgres deployment serves the same files. A single-part upload has one part, numbered 1.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  // Postgres's byte type by name, written as raw SQL so one statement serves both engines: SQLite
  // accepts any declared type and stores a blob as a blob whatever the column's affinity (`bytea`
  // gives NUMERIC, which converts only text values, and only bytes are written here). No engine
  // sniffing, which would depend on the adapter's class name.
  const bytes = sql`bytea`;

  await db.schema
    .createTable('file_uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('integration_id', 'text', (c) => c.notNull().references('integrations.id'))
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
  await db.schema
    .createIndex('file_uploads_by_integration')
    .on('file_uploads')
    .columns(['integration_id', 'created_time', 'id'])
    .execute();

  await db.schema
    .createTable('file_upload_parts')
    .addColumn('upload_id', 'text', (c) => c.notNull().references('file_uploads.id').onDelete('cascade'))
    .addColumn('part_number', 'integer', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('bytes', bytes, (c) => c.notNull())
    .addPrimaryKeyConstraint('file_upload_parts_pk', ['upload_id', 'part_number'])
    .execute();
}
