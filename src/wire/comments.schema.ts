/**
 * Comment requests (notion-api.md §4.8): the create and update bodies and the list query.
 * Zod checks each field; which fields go together (a parent or a discussion, rich text or
 * markdown, a custom name only for a custom display name) is checked by `checkCreateComment`
 * and `checkCommentBody`, in Notion's grammar.
 */
import { z } from 'zod';
import { IdRequest, RichTextRequest } from './common.schema.ts';
import { bodyError, type Issue, validationError } from './validation.ts';

/** Notion's cap on attachments per comment. */
export const MAX_COMMENT_ATTACHMENTS = 3;
/** The longest markdown body accepted (the rich text it makes is limited per item besides). */
export const MAX_COMMENT_MARKDOWN = 20_000;

const CommentParent = z.union([
  z.strictObject({ type: z.literal('page_id').optional(), page_id: IdRequest }),
  z.strictObject({ type: z.literal('block_id').optional(), block_id: IdRequest }),
]);

const Attachment = z.strictObject({
  type: z.literal('file_upload').optional(),
  file_upload_id: IdRequest,
});

const DisplayName = z.strictObject({
  type: z.enum(['integration', 'user', 'custom']),
  custom: z.strictObject({ name: z.string().min(1).max(200) }).optional(),
});

const bodyFields = {
  rich_text: RichTextRequest.optional(),
  markdown: z.string().max(MAX_COMMENT_MARKDOWN).optional(),
};

export const CreateCommentBody = z.strictObject({
  parent: CommentParent.optional(),
  discussion_id: IdRequest.optional(),
  ...bodyFields,
  attachments: z.array(Attachment).max(MAX_COMMENT_ATTACHMENTS).optional(),
  display_name: DisplayName.optional(),
});
export type CreateCommentBody = z.output<typeof CreateCommentBody>;

export const UpdateCommentBody = z.strictObject(bodyFields);
export type UpdateCommentBody = z.output<typeof UpdateCommentBody>;

export const ListCommentsQuery = z.object({ block_id: IdRequest });

/** Exactly one of `a` and `b`: neither is a "fix one" error naming both, both names the second. */
function exactlyOne(raw: Record<string, unknown>, a: string, b: string): void {
  const hasA = raw[a] !== undefined;
  const hasB = raw[b] !== undefined;
  if (hasA && hasB) throw bodyError([b], 'should be not present', raw[b]);
  if (!hasA && !hasB) {
    const alternatives: Issue[] = [a, b].map((k) => ({
      path: [k],
      expectation: 'should be defined',
      value: undefined,
    }));
    throw validationError('body', { ...alternatives[0]!, alternatives });
  }
}

/** The rich text or markdown of a create or update body: exactly one of the two. */
export function checkCommentBody(body: UpdateCommentBody): void {
  exactlyOne(body, 'rich_text', 'markdown');
}

/** What a create body needs besides its fields' own shapes. */
export function checkCreateComment(body: CreateCommentBody): void {
  exactlyOne(body, 'parent', 'discussion_id');
  checkCommentBody(body);
  const name = body.display_name;
  if (name?.type === 'custom' && !name.custom) {
    throw bodyError(['display_name', 'custom'], 'should be defined', undefined);
  }
  if (name && name.type !== 'custom' && name.custom) {
    throw bodyError(['display_name', 'custom'], 'should be not present', name.custom);
  }
}
