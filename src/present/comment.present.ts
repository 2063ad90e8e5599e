/**
 * Comments on the wire, in the key order of Notion's responses. Version-independent: the three
 * API versions show comments alike. Attachments are signed afresh on every read, and the key is
 * left out when a comment has none, as Notion does.
 */
import type { DisplayName, StoredAttachment } from '../domain/comments.ts';
import type { RichText } from '../domain/rich-text.ts';
import { toMinute } from '../lib/clock.ts';
import type { CommentRow } from '../store/store.ts';
import type { CommentObjectResponse } from '../wire/responses.ts';
import type { PresentContext } from './context.ts';
import { partialUser } from './user.present.ts';

/** A stored comment as Notion shows it. */
export function presentComment(row: CommentRow, ctx: PresentContext): CommentObjectResponse {
  const attachments = JSON.parse(row.attachments) as StoredAttachment[];
  const parent =
    row.parent_type === 'page_id'
      ? { type: 'page_id' as const, page_id: row.parent_id }
      : { type: 'block_id' as const, block_id: row.parent_id };
  return {
    object: 'comment',
    id: row.id,
    parent,
    discussion_id: row.discussion_id,
    created_time: toMinute(row.created_time),
    last_edited_time: toMinute(row.last_edited_time),
    created_by: partialUser(row.created_by),
    rich_text: JSON.parse(row.rich_text) as RichText,
    display_name: JSON.parse(row.display_name) as DisplayName,
    ...(attachments.length > 0
      ? {
          attachments: attachments.map((a) => ({
            category: a.category,
            file: ctx.hostedFile({ file_upload_id: a.file_upload_id, filename: a.filename }),
          })),
        }
      : {}),
  };
}
