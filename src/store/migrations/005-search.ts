import type { Kysely } from 'kysely';
import { searchEntryOf } from '../../domain/search.ts';

/**
 * The search index (POST /v1/search): one row per page, database and data source with its
 * lowercased title, last edit and trash flag, written by the blocks repository in the same
 * statement sequence as the block itself. The trigram index over `title` is engine-specific and
 * built at start-up (`KyselyStore.ensureTextIndexes`), like the data-source tables'. Existing
 * workspaces are indexed here, in batches.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('search_index')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('object', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('last_edited_time', 'text', (c) => c.notNull())
    .addColumn('in_trash', 'integer', (c) => c.notNull())
    // SQLite's FTS5 table keys its rows by this (query/text-index.ts); unused on Postgres.
    .addColumn('fts_rowid', 'integer')
    .execute();
  await db.schema
    .createIndex('search_index_recent')
    .on('search_index')
    .columns(['in_trash', 'last_edited_time', 'id'])
    .execute();
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('blocks')
      .select(['id', 'type', 'properties', 'data', 'last_edited_time', 'in_trash'])
      .where('type', 'in', ['page', 'database', 'data_source'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(1000)
      .execute();
    if (rows.length === 0) break;
    const entries = rows.map((r) => ({
      id: r.id,
      ...searchEntryOf(r)!,
      last_edited_time: r.last_edited_time,
      in_trash: r.in_trash,
    }));
    await db.insertInto('search_index').values(entries).execute();
    after = rows.at(-1)!.id;
  }
}
