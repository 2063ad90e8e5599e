import type { Kysely } from 'kysely';

/**
 * Comments (notion-api.md §4.8): discussions, each on one page or block, and their comments.
 * A comment repeats its discussion's parent, which never changes, so a listing reads one table
 * for its rows and the discussions only for the resolved flag. Ids are time-ordered
 * (`lib/ids.ts`), so `(parent_id, discussion_id, id)` is discussions in the order they were
 * started and each discussion's comments oldest first: the listing's order and its cursor.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('comment_discussions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('parent_type', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    // Set when someone resolves the thread; resolved threads are left out of listings.
    .addColumn('resolved_time', 'text')
    .execute();
  await db.schema
    .createTable('comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('discussion_id', 'text', (c) =>
      c.notNull().references('comment_discussions.id').onDelete('cascade'),
    )
    .addColumn('parent_type', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'text', (c) => c.notNull())
    .addColumn('rich_text', 'text', (c) => c.notNull())
    .addColumn('attachments', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('last_edited_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('comments_by_parent')
    .on('comments')
    .columns(['parent_id', 'discussion_id', 'id'])
    .execute();
  await db.schema
    .createIndex('comments_by_discussion')
    .on('comments')
    .columns(['discussion_id', 'id'])
    .execute();
}
