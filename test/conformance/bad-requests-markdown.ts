/**
 * The page-markdown rows of the bad-request corpus (bad-requests.test.ts): the body rules of
 * PATCH /v1/pages/{id}/markdown and `markdown` on page create, capabilities and sharing. The
 * corpus's snapshot reads the fixture page's blocks, so each row also proves nothing was written.
 */
import type { BadRequest } from './bad-requests.test.ts';

const NOT_SHARED = 'Make sure the relevant pages and databases are shared with your integration';

export const MARKDOWN_BAD_REQUESTS: BadRequest[] = [
  {
    title: 'a markdown edit without its payload',
    method: 'PATCH',
    path: (f) => `/v1/pages/${f.page}/markdown`,
    body: { type: 'insert_content' },
    sdk: (c, f) => c.pages.updateMarkdown({ page_id: f.page, type: 'insert_content' } as never),
    status: 400,
    code: 'validation_error',
    message: 'body failed validation: body.insert_content should be defined, instead was `undefined`.',
  },
  {
    title: 'a markdown search and replace that matches nothing',
    method: 'PATCH',
    path: (f) => `/v1/pages/${f.page}/markdown`,
    body: {
      type: 'update_content',
      update_content: { content_updates: [{ old_str: 'absent', new_str: 'x' }] },
    },
    status: 400,
    code: 'validation_error',
    message:
      'body failed validation: body.update_content.content_updates[0].old_str should match the page content exactly, instead was `"absent"`.',
  },
  {
    title: 'markdown with a tag that is never closed',
    method: 'PATCH',
    path: (f) => `/v1/pages/${f.page}/markdown`,
    body: { type: 'insert_content', insert_content: { content: '<details>\n\t<summary>x</summary>' } },
    status: 400,
    code: 'validation_error',
    message: /^body failed validation: body\.markdown should close `<details>` \(line 1\), instead was/,
  },
  {
    title: 'a page created with both markdown and children',
    method: 'POST',
    path: '/v1/pages',
    bodyFor: (f) => ({ parent: { page_id: f.page }, markdown: 'x', children: [] }),
    status: 400,
    code: 'validation_error',
    message: /^body failed validation: body\.children should be not present with `markdown`/,
  },
  {
    title: 'a markdown edit without update_content',
    method: 'PATCH',
    path: (f) => `/v1/pages/${f.page}/markdown`,
    token: (f) => f.readOnlyToken,
    body: { type: 'replace_content', replace_content: { new_str: 'gone' } },
    status: 403,
    code: 'restricted_resource',
    message: 'Insufficient permissions for this endpoint.',
  },
  {
    title: 'the markdown of a page not shared with the integration',
    path: (f) => `/v1/pages/${f.unshared}/markdown`,
    status: 404,
    code: 'object_not_found',
    message: (f) => new RegExp(`^Could not find page with ID: ${f.unshared}\\. ${NOT_SHARED}( "[^"]+")?\\.$`),
  },
];
