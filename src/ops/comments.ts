/**
 * Comments (notion-api.md §4.8): discussions on pages and blocks, replies, edits and deletions.
 * A comment is visible exactly when its page or block is (`canSee`): a comment, discussion,
 * page or block the integration cannot see is the same 404 as one that does not exist. Each
 * operation runs in the caller's one transaction; a refused request changes nothing.
 */
import { attachmentCategory, type DisplayName, type StoredAttachment } from '../domain/comments.ts';
import { normalizeRichText, type RichText } from '../domain/rich-text.ts';
import { newId } from '../lib/ids.ts';
import type { BlockView, CommentRow, Page, StoreTx } from '../store/store.ts';
import {
  type CreateCommentBody,
  checkCommentBody,
  checkCreateComment,
  type UpdateCommentBody,
} from '../wire/comments.schema.ts';
import { RichTextRequest } from '../wire/common.schema.ts';
import { errors } from '../wire/errors.ts';
import { parseAt } from '../wire/validation.ts';
import { canSee, loadVisible, mentionResolver, type OpEnv } from './env.ts';
import { attachUpload } from './file-uploads.ts';
import { ARCHIVED_PARENT } from './pages.ts';
import { ADMIN_EMAIL } from './workspace.ts';

/** Containers hold no comments: a database or data source is no comment parent. */
const commentable = (row: BlockView) => row.type !== 'database';

/** Starts a discussion on a page or block, or replies in one; answers the new comment. */
export async function createComment(tx: StoreTx, env: OpEnv, body: CreateCommentBody): Promise<CommentRow> {
  checkCreateComment(body);
  const where = body.parent
    ? await newDiscussion(tx, env, body.parent)
    : await openDiscussion(tx, env, body.discussion_id!);
  const row: CommentRow = {
    id: newId(),
    discussion_id: where.discussionId,
    parent_type: where.parentType,
    parent_id: where.parentId,
    rich_text: JSON.stringify(await commentText(tx, env, body)),
    attachments: JSON.stringify(await attachments(tx, env, body.attachments ?? [])),
    display_name: JSON.stringify(await displayName(tx, env, body.display_name)),
    created_by: env.actor.botUserId,
    created_time: env.now,
    last_edited_time: env.now,
  };
  if (where.isNew) {
    await tx.comments.insertDiscussion({
      id: where.discussionId,
      parent_type: where.parentType,
      parent_id: where.parentId,
      created_time: env.now,
      resolved_time: null,
    });
  }
  await tx.comments.insert(row);
  return row;
}

interface Placement {
  discussionId: string;
  parentType: CommentRow['parent_type'];
  parentId: string;
  isNew: boolean;
}

async function newDiscussion(
  tx: StoreTx,
  env: OpEnv,
  parent: NonNullable<CreateCommentBody['parent']>,
): Promise<Placement> {
  const onPage = 'page_id' in parent;
  const row = onPage
    ? await loadVisible(tx, env, parent.page_id, 'page', (r) => r.type === 'page')
    : await loadCommentBlock(tx, env, parent.block_id, commentable);
  if (row.in_trash) throw errors.validation(ARCHIVED_PARENT);
  // A page named as a block is still the page: its discussions are page discussions.
  const parentType = row.type === 'page' ? 'page_id' : 'block_id';
  return { discussionId: newId(), parentType, parentId: row.id, isNew: true };
}

async function openDiscussion(tx: StoreTx, env: OpEnv, id: string): Promise<Placement> {
  const d = await tx.comments.discussion(id);
  if (!d || !(await canSee(tx, env, d.parent_id))) throw errors.notFound('discussion', id);
  return { discussionId: d.id, parentType: d.parent_type, parentId: d.parent_id, isNew: false };
}

/** The stored rich text of a body given as rich text or as markdown. */
async function commentText(tx: StoreTx, env: OpEnv, body: UpdateCommentBody): Promise<RichText> {
  const items =
    body.markdown !== undefined
      ? parseAt(
          RichTextRequest,
          // The markdown parser is loaded by the first comment written in markdown.
          (await import('../domain/markdown-rich-text.ts')).markdownToRichText(body.markdown),
          ['markdown'],
        )
      : body.rich_text!;
  return normalizeRichText(items, mentionResolver(tx, env));
}

async function attachments(
  tx: StoreTx,
  env: OpEnv,
  requested: NonNullable<CreateCommentBody['attachments']>,
): Promise<StoredAttachment[]> {
  const out: StoredAttachment[] = [];
  for (const [i, a] of requested.entries()) {
    const ref = await attachUpload(tx, env, a.file_upload_id, ['attachments', i], 'file_upload_id');
    const upload = await tx.fileUploads.get(ref.file_upload_id);
    out.push({ category: attachmentCategory(upload?.content_type ?? null), ...ref });
  }
  return out;
}

/**
 * The name a comment shows: the integration's (the default), the workspace person's for `user`
 * (Octavo's integrations are all made by the workspace's admin), or the custom one given. A
 * person writing in the browser app is a `user` by default, shown under their own name.
 */
async function displayName(
  tx: StoreTx,
  env: OpEnv,
  requested: CreateCommentBody['display_name'],
): Promise<DisplayName> {
  const type = requested?.type ?? (env.actor.person ? 'user' : 'integration');
  if (type === 'custom') return { type, resolved_name: requested?.custom?.name ?? null };
  if (type === 'user' && env.actor.person) return { type, resolved_name: env.actor.integrationName };
  if (type === 'user') {
    const person = await tx.users.getByEmail(ADMIN_EMAIL);
    return { type, resolved_name: person?.name ?? env.actor.integrationName };
  }
  return { type, resolved_name: env.actor.integrationName };
}

/**
 * The block `id` names for comments: a data source is stored as a row of `blocks` but is no
 * block in Notion, so its id answers as an id that does not exist (as the /v1/blocks endpoints).
 */
async function loadCommentBlock(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  accept?: (row: BlockView) => boolean,
): Promise<BlockView> {
  const row = await loadVisible(
    tx,
    env,
    id,
    'block',
    (r) => r.type === 'data_source' || !accept || accept(r),
  );
  if (row.type === 'data_source') throw errors.notFound('block', id);
  return row;
}

/** The open discussions' comments on a page or block the integration can see. */
export async function listComments(
  tx: StoreTx,
  env: OpEnv,
  blockId: string,
  from: string | null,
  limit: number,
): Promise<Page<CommentRow>> {
  const target = await loadCommentBlock(tx, env, blockId);
  let anchor: CommentRow | null = null;
  if (from) {
    anchor = (await tx.comments.get(from)) ?? null;
    if (anchor?.parent_id !== target.id) {
      throw errors.validation(`The start_cursor provided is invalid: ${from}`);
    }
  }
  return tx.comments.listOpen(target.id, anchor, limit);
}

/** One comment the integration can see. */
export async function getComment(tx: StoreTx, env: OpEnv, id: string): Promise<CommentRow> {
  const row = await tx.comments.get(id);
  if (!row || !(await canSee(tx, env, row.parent_id))) throw errors.notFound('comment', id);
  return row;
}

/** A comment this integration wrote: only its author may change or delete it. */
async function ownComment(tx: StoreTx, env: OpEnv, id: string): Promise<CommentRow> {
  const row = await getComment(tx, env, id);
  if (row.created_by !== env.actor.botUserId) {
    throw errors.restricted('Only the integration that wrote a comment can change or delete it.');
  }
  return row;
}

/** Replaces a comment's text; answers the comment as it now is. */
export async function updateComment(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  body: UpdateCommentBody,
): Promise<CommentRow> {
  checkCommentBody(body);
  const row = await ownComment(tx, env, id);
  const patch = { rich_text: JSON.stringify(await commentText(tx, env, body)), last_edited_time: env.now };
  await tx.comments.update(id, patch);
  return { ...row, ...patch };
}

/** Deletes a comment (and its discussion with its last comment); answers what was deleted. */
export async function deleteComment(tx: StoreTx, env: OpEnv, id: string): Promise<CommentRow> {
  const row = await ownComment(tx, env, id);
  await tx.comments.delete(id);
  return row;
}
