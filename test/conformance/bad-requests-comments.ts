/**
 * The comments rows of the bad-request corpus (bad-requests.test.ts): Notion's grammar for the
 * body rules of POST/PATCH /v1/comments and the list query, capabilities and sharing. The
 * corpus's snapshot includes the fixture page's comments, so each row also proves nothing was
 * written.
 */
import type { BadRequest } from './bad-requests.test.ts';

const rt = (content: string) => [{ type: 'text' as const, text: { content } }];
const MISSING_ID = '5f1c0b4e-7d1a-4c57-9a53-1f6a7e2b9c01';
const SHARING = 'Make sure the relevant pages and databases are shared with your integration';

export const COMMENT_BAD_REQUESTS: BadRequest[] = [
  {
    title: 'a comment with both rich_text and markdown',
    method: 'POST',
    path: '/v1/comments',
    bodyFor: (f) => ({ parent: { page_id: f.page }, rich_text: rt('a'), markdown: 'b' }),
    sdk: (c, f) =>
      c.comments.create({ parent: { page_id: f.page }, rich_text: rt('a'), markdown: 'b' } as never),
    status: 400,
    code: 'validation_error',
    message: 'body failed validation: body.markdown should be not present, instead was `"b"`.',
  },
  {
    title: 'a comment with neither parent nor discussion_id',
    method: 'POST',
    path: '/v1/comments',
    body: { rich_text: rt('a') },
    status: 400,
    code: 'validation_error',
    message:
      'body failed validation. Fix one:\nbody.parent should be defined, instead was `undefined`.\nbody.discussion_id should be defined, instead was `undefined`.',
  },
  {
    title: 'a comment with four attachments',
    method: 'POST',
    path: '/v1/comments',
    bodyFor: (f) => ({
      parent: { page_id: f.page },
      rich_text: rt('a'),
      attachments: Array.from({ length: 4 }, () => ({ file_upload_id: MISSING_ID })),
    }),
    status: 400,
    code: 'validation_error',
    message: 'body failed validation: body.attachments.length should be ≤ `3`, instead was `4`.',
  },
  {
    title: 'an attachment that is no upload of this integration',
    method: 'POST',
    path: '/v1/comments',
    bodyFor: (f) => ({
      parent: { page_id: f.page },
      rich_text: rt('a'),
      attachments: [{ file_upload_id: MISSING_ID }],
    }),
    status: 400,
    code: 'validation_error',
    message: `body failed validation: body.attachments[0].file_upload_id should be the id of a file upload created by this integration, instead was \`"${MISSING_ID}"\`.`,
  },
  {
    title: 'a custom display name without its name',
    method: 'POST',
    path: '/v1/comments',
    bodyFor: (f) => ({ parent: { page_id: f.page }, rich_text: rt('a'), display_name: { type: 'custom' } }),
    status: 400,
    code: 'validation_error',
    message: 'body failed validation: body.display_name.custom should be defined, instead was `undefined`.',
  },
  {
    title: 'an unknown display name type',
    method: 'POST',
    path: '/v1/comments',
    bodyFor: (f) => ({ parent: { page_id: f.page }, rich_text: rt('a'), display_name: { type: 'bot' } }),
    status: 400,
    code: 'validation_error',
    message:
      'body failed validation: body.display_name.type should be `"integration"`, `"user"`, `"custom"`, instead was `"bot"`.',
  },
  {
    title: 'a markdown mention of something that is no id',
    method: 'POST',
    path: '/v1/comments',
    bodyFor: (f) => ({
      parent: { page_id: f.page },
      markdown: 'see <mention-page url="https://x.test/p/nope"/>',
    }),
    status: 400,
    code: 'validation_error',
    message:
      'body failed validation: body.markdown should have an id in the url of every `<mention-page>` tag, instead was `"https://x.test/p/nope"`.',
  },
  {
    title: 'a comment on a trashed block',
    method: 'POST',
    path: '/v1/comments',
    bodyFor: (f) => ({ parent: { block_id: f.trashed }, rich_text: rt('a') }),
    status: 400,
    code: 'validation_error',
    message: "Can't edit block that is archived. You must unarchive the block before editing.",
  },
  {
    title: 'a comment on a page not shared with the integration',
    method: 'POST',
    path: '/v1/comments',
    bodyFor: (f) => ({ parent: { page_id: f.unshared }, rich_text: rt('a') }),
    status: 404,
    code: 'object_not_found',
    message: (f) => new RegExp(`^Could not find page with ID: ${f.unshared}\\. ${SHARING}( "[^"]+")?\\.$`),
  },
  {
    title: 'a reply to a discussion that does not exist',
    method: 'POST',
    path: '/v1/comments',
    body: { discussion_id: MISSING_ID, rich_text: rt('a') },
    sdk: (c) => c.comments.create({ discussion_id: MISSING_ID, rich_text: rt('a') }),
    status: 404,
    code: 'object_not_found',
    message: new RegExp(`^Could not find discussion with ID: ${MISSING_ID}\\. ${SHARING}( "[^"]+")?\\.$`),
  },
  {
    title: 'a comment without insert_comments',
    method: 'POST',
    path: '/v1/comments',
    bodyFor: (f) => ({ parent: { page_id: f.page }, rich_text: rt('a') }),
    token: (f) => f.readOnlyToken,
    sdk: (c, f) => c.comments.create({ parent: { page_id: f.page }, rich_text: rt('a') }),
    sdkToken: (f) => f.readOnlyToken,
    status: 403,
    code: 'restricted_resource',
    message: 'Insufficient permissions for this endpoint.',
  },
  {
    title: 'listing comments without block_id',
    path: '/v1/comments',
    status: 400,
    code: 'validation_error',
    message: 'query failed validation: query.block_id should be defined, instead was `undefined`.',
  },
  {
    title: 'listing comments 101 at a time',
    path: (f) => `/v1/comments?block_id=${f.page}&page_size=101`,
    sdk: (c, f) => c.comments.list({ block_id: f.page, page_size: 101 }),
    status: 400,
    code: 'validation_error',
    message: 'query failed validation: query.page_size should be ≤ `100`, instead was `101`.',
  },
  {
    title: 'listing comments without read_comments',
    path: (f) => `/v1/comments?block_id=${f.page}`,
    token: (f) => f.readOnlyToken,
    status: 403,
    code: 'restricted_resource',
    message: 'Insufficient permissions for this endpoint.',
  },
  {
    title: 'a comment id that is no uuid',
    path: '/v1/comments/not-an-id',
    status: 400,
    code: 'validation_error',
    message: 'path failed validation: path.comment_id should be a valid uuid, instead was `"not-an-id"`.',
  },
  {
    title: 'an edit with neither rich_text nor markdown',
    method: 'PATCH',
    path: `/v1/comments/${MISSING_ID}`,
    body: {},
    status: 400,
    code: 'validation_error',
    message:
      'body failed validation. Fix one:\nbody.rich_text should be defined, instead was `undefined`.\nbody.markdown should be defined, instead was `undefined`.',
  },
  {
    title: 'deleting a comment that does not exist',
    method: 'DELETE',
    path: `/v1/comments/${MISSING_ID}`,
    sdk: (c) => c.comments.delete({ comment_id: MISSING_ID }),
    status: 404,
    code: 'object_not_found',
    message: new RegExp(`^Could not find comment with ID: ${MISSING_ID}\\. ${SHARING}( "[^"]+")?\\.$`),
  },
];
