/**
 * How a comment's change becomes an event (`comment.created`, `comment.updated`,
 * `comment.deleted`; entity `comment`, data the comment's parent and the page it is on). Pure, like
 * derive.ts: the store notes each comment's state before and after the transaction's writes
 * (store/events-repo.ts) and calls this at commit.
 */
import type { EventAuthor, NewEvent } from './types.ts';

/** The columns of a comment that events are derived from. */
export interface CommentState {
  id: string;
  parent_type: string;
  parent_id: string;
  rich_text: string;
  attachments: string;
  created_by: string;
  created_time: string;
  last_edited_time: string;
}

/** A comment's net change in a transaction: null before for an insert, null after for a delete. */
export interface CommentChange {
  before: CommentState | null;
  after: CommentState | null;
}

export const COMMENT_STATE = [
  'id',
  'parent_type',
  'parent_id',
  'rich_text',
  'attachments',
  'created_by',
  'created_time',
  'last_edited_time',
] as const;

export function commentEvents(
  changes: readonly CommentChange[],
  ctx: {
    author(userId: string): EventAuthor;
    integrationOf(userId: string): string | null;
    /** The page a comment's parent (a page, or a block on one) belongs to. */
    pageOf(state: CommentState): string | null;
  },
  actor: string | null,
  time: string,
): NewEvent[] {
  const out: NewEvent[] = [];
  for (const { before, after } of changes) {
    const state = after ?? before;
    // Written and deleted in one transaction: nothing anyone could have seen.
    if (!state || (!before && !after)) continue;
    const type =
      !before && after
        ? 'comment.created'
        : before && !after
          ? 'comment.deleted'
          : before!.rich_text !== after!.rich_text || before!.attachments !== after!.attachments
            ? 'comment.updated'
            : null;
    if (type === null) continue;
    const author = type === 'comment.created' ? state.created_by : (actor ?? state.created_by);
    const page = ctx.pageOf(state);
    out.push({
      type,
      entity: { id: state.id, type: 'comment' },
      data: {
        parent: { id: state.parent_id, type: state.parent_type === 'page_id' ? 'page' : 'block' },
        ...(page ? { page_id: page } : {}),
      },
      authors: [ctx.author(author)],
      integrationId: ctx.integrationOf(author),
      timestamp:
        type === 'comment.created'
          ? state.created_time
          : type === 'comment.updated'
            ? after!.last_edited_time
            : time,
    });
  }
  return out;
}
