/**
 * The views, templates, custom emojis, async tasks and not-served rows of the bad-request corpus
 * (bad-requests.test.ts): Notion's grammar for the view bodies and queries, 404s for what does not
 * exist, and the clear error of the AI-product endpoints Octavo does not serve.
 */
import type { BadRequest } from './bad-requests.test.ts';

const MISSING_ID = '5f1c0b4e-7d1a-4c57-9a53-1f6a7e2b9c01';
const SHARING = 'Make sure the relevant pages and databases are shared with your integration';
const rt = (content: string) => [{ type: 'text' as const, text: { content } }];

export const VIEW_BAD_REQUESTS: BadRequest[] = [
  {
    title: 'a views listing naming neither a database nor a data source',
    path: '/v1/views',
    sdk: (c) => c.views.list({}),
    status: 400,
    code: 'validation_error',
    message: 'One of database_id or data_source_id must be provided.',
  },
  {
    title: 'a views listing with a database_id that is no uuid',
    path: '/v1/views?database_id=nope',
    status: 400,
    code: 'validation_error',
    message: 'query failed validation: query.database_id should be a valid uuid, instead was `"nope"`.',
  },
  {
    title: 'a views listing by a page id',
    path: (f) => `/v1/views?database_id=${f.page}`,
    status: 404,
    code: 'object_not_found',
    message: /^Could not find database with ID: .*\. It is a page: use GET \/v1\/pages\//,
  },
  {
    title: 'a view without a data source',
    method: 'POST',
    path: '/v1/views',
    body: { name: 'x', type: 'table', database_id: MISSING_ID },
    status: 400,
    code: 'validation_error',
    message: 'body failed validation: body.data_source_id should be defined, instead was `undefined`.',
  },
  {
    title: 'a view of an unknown type',
    method: 'POST',
    path: '/v1/views',
    body: { data_source_id: MISSING_ID, database_id: MISSING_ID, name: 'x', type: 'spreadsheet' },
    status: 400,
    code: 'validation_error',
    message:
      /^body failed validation: body\.type should be `"table"`, `"board"`, .*instead was `"spreadsheet"`\.$/,
  },
  {
    title: 'a view placed both as a tab and as a widget',
    method: 'POST',
    path: '/v1/views',
    body: {
      data_source_id: MISSING_ID,
      database_id: MISSING_ID,
      view_id: MISSING_ID,
      name: 'x',
      type: 'table',
    },
    sdk: (c) =>
      c.views.create({
        data_source_id: MISSING_ID,
        database_id: MISSING_ID,
        view_id: MISSING_ID,
        name: 'x',
        type: 'table',
      }),
    status: 400,
    code: 'validation_error',
    message: `body failed validation: body.view_id should be not present, instead was \`"${MISSING_ID}"\`.`,
  },
  {
    title: 'a widget placement on a tab',
    method: 'POST',
    path: '/v1/views',
    body: {
      data_source_id: MISSING_ID,
      database_id: MISSING_ID,
      name: 'x',
      type: 'table',
      placement: { type: 'new_row' },
    },
    status: 400,
    code: 'validation_error',
    message:
      'body failed validation: body.placement should be not present, instead was `{"type":"new_row"}`.',
  },
  {
    title: 'a view of a data source that does not exist',
    method: 'POST',
    path: '/v1/views',
    body: { data_source_id: MISSING_ID, database_id: MISSING_ID, name: 'x', type: 'table' },
    status: 404,
    code: 'object_not_found',
    message: `Could not find data source with ID: ${MISSING_ID}. ${SHARING} "Octavo Quickstart".`,
  },
  {
    title: 'a view that does not exist',
    path: `/v1/views/${MISSING_ID}`,
    sdk: (c) => c.views.retrieve({ view_id: MISSING_ID }),
    status: 404,
    code: 'object_not_found',
    message: `Could not find view with ID: ${MISSING_ID}. ${SHARING} "Octavo Quickstart".`,
  },
  {
    title: 'a view id that is no uuid',
    method: 'PATCH',
    path: '/v1/views/nope',
    body: { name: 'x' },
    status: 400,
    code: 'validation_error',
    message: 'path failed validation: path.view_id should be a valid uuid, instead was `"nope"`.',
  },
  {
    title: 'a view renamed to nothing',
    method: 'PATCH',
    path: `/v1/views/${MISSING_ID}`,
    body: { name: '' },
    status: 400,
    code: 'validation_error',
    message: 'body failed validation: body.name.length should be ≥ `1`, instead was `0`.',
  },
  {
    title: 'a view query of page_size 0',
    method: 'POST',
    path: `/v1/views/${MISSING_ID}/queries`,
    body: { page_size: 0 },
    status: 400,
    code: 'validation_error',
    message: 'body failed validation: body.page_size should be ≥ `1`, instead was `0`.',
  },
  {
    title: 'view queries without read_content',
    method: 'POST',
    path: `/v1/views/${MISSING_ID}/queries`,
    body: {},
    token: (f) => f.insertOnlyToken,
    status: 403,
    code: 'restricted_resource',
    message: 'Insufficient permissions for this endpoint.',
  },
  {
    title: 'a page from a template under a page parent',
    method: 'POST',
    path: '/v1/pages',
    bodyFor: (f) => ({ parent: { page_id: f.page }, template: { type: 'default' } }),
    sdk: (c, f) => c.pages.create({ parent: { page_id: f.page }, template: { type: 'default' } }),
    status: 400,
    code: 'validation_error',
    message:
      'body failed validation: body.template should be `{"type":"none"}` or absent: templates belong to data sources (parent data_source_id or database_id), instead was `{"type":"default"}`.',
  },
  {
    title: 'a page from a template with children of its own',
    method: 'POST',
    path: '/v1/pages',
    bodyFor: (f) => ({
      parent: { page_id: f.page },
      template: { type: 'template_id', template_id: MISSING_ID },
      children: [{ paragraph: { rich_text: rt('x') } }],
    }),
    status: 400,
    code: 'validation_error',
    message:
      'body failed validation: body.children should be not present with `template`, instead was `undefined`.',
  },
  {
    title: 'custom emojis with page_size 101',
    path: '/v1/custom_emojis?page_size=101',
    status: 400,
    code: 'validation_error',
    message: 'query failed validation: query.page_size should be ≤ `100`, instead was `101`.',
  },
  {
    title: 'an async task that does not exist',
    path: '/v1/async_tasks/task_0123456789abcdef0123456789abcdef',
    sdk: (c) => c.asyncTasks.retrieve({ task_id: 'task_0123456789abcdef0123456789abcdef' }),
    status: 404,
    code: 'object_not_found',
    message: 'Could not find async task with ID: task_0123456789abcdef0123456789abcdef.',
  },
  {
    title: 'a meeting note (Octavo records no meetings)',
    method: 'POST',
    path: '/v1/blocks/meeting_notes/query',
    body: {},
    sdk: (c) => c.blocks.meetingNotes.query({}),
    status: 400,
    code: 'invalid_request',
    message:
      'Unsupported request: meeting notes (Octavo records and transcribes no meetings); see docs/compatibility.md.',
  },
  {
    title: 'an agents query (Octavo runs no agents)',
    method: 'POST',
    path: '/v1/agents/query',
    body: {},
    sdk: (c) => c.agents.query({}),
    status: 400,
    code: 'invalid_request',
    message:
      'Unsupported request: custom agents (Octavo runs no Notion AI agents); see docs/compatibility.md.',
  },
  {
    title: 'an agent session (Octavo runs no agents)',
    path: `/v1/sessions/${MISSING_ID}`,
    status: 400,
    code: 'invalid_request',
    message:
      'Unsupported request: agent sessions (Octavo runs no Notion AI agents); see docs/compatibility.md.',
  },
];
