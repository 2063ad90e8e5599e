/**
 * The comments repository: discussions and their comments, written once for both engines.
 * Listings walk the `(parent_id, discussion_id, id)` index; ids are time-ordered, so that order
 * is discussions as they were started and each discussion's comments oldest first.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ChangeLog } from './events-repo.ts';
import type { Database } from './schema.ts';
import type { CommentRepo } from './store.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The comments repository bound to a connection or transaction; its writes are noted in `log`
 * (the transaction's change events: comment.created, .updated, .deleted).
 */
export function comments(db: Db, log?: ChangeLog): CommentRepo {
  return {
    get: (id) => db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst(),
    discussion: (id) =>
      db.selectFrom('comment_discussions').selectAll().where('id', '=', id).executeTakeFirst(),
    insertDiscussion: async (row) => {
      await db.insertInto('comment_discussions').values(row).execute();
    },
    insert: async (row) => {
      log?.insertedComment(row);
      await db.insertInto('comments').values(row).execute();
    },
    update: async (id, patch) => {
      await log?.changingComment(db, id, patch);
      await db.updateTable('comments').set(patch).where('id', '=', id).execute();
    },
    delete: async (id) => {
      await log?.changingComment(db, id, null);
      const row = await db
        .deleteFrom('comments')
        .where('id', '=', id)
        .returning('discussion_id')
        .executeTakeFirst();
      if (!row) return;
      const left = await db
        .selectFrom('comments')
        .select('id')
        .where('discussion_id', '=', row.discussion_id)
        .limit(1)
        .executeTakeFirst();
      if (!left) await db.deleteFrom('comment_discussions').where('id', '=', row.discussion_id).execute();
    },
    setResolved: async (discussionId, at) => {
      await db
        .updateTable('comment_discussions')
        .set({ resolved_time: at })
        .where('id', '=', discussionId)
        .execute();
    },
    listOpen: async (parentId, from, limit) => {
      let q = db
        .selectFrom('comments as c')
        .innerJoin('comment_discussions as d', 'd.id', 'c.discussion_id')
        .selectAll('c')
        .where('c.parent_id', '=', parentId)
        .where('d.resolved_time', 'is', null)
        .orderBy('c.discussion_id')
        .orderBy('c.id')
        .limit(limit + 1);
      if (from) {
        q = q.where((eb) =>
          eb.or([
            eb('c.discussion_id', '>', from.discussion_id),
            eb.and([eb('c.discussion_id', '=', from.discussion_id), eb('c.id', '>=', from.id)]),
          ]),
        );
      }
      const rows = await q.execute();
      return { items: rows.slice(0, limit), next: rows.length > limit ? rows[limit]!.id : null };
    },
  };
}
