/**
 * A corpus of bad requests, sent as raw HTTP and (where the SDK can express them) through the
 * official client. Each row states Notion's status, code and the gist of its message, and checks
 * that nothing changed: the fixture pages and blocks read back identical afterwards.
 */
import { APIResponseError, type Client } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkResponse } from '../helpers/conformance.ts';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { COMMENT_BAD_REQUESTS } from './bad-requests-comments.ts';
import { COMPUTED_BAD_REQUESTS, FORMULA_BAD_REQUESTS } from './bad-requests-formulas.ts';
import { LOCATION_BAD_REQUESTS, LOCATION_VALUE_BAD_REQUESTS } from './bad-requests-location.ts';
import { MARKDOWN_BAD_REQUESTS } from './bad-requests-markdown.ts';
import { VIEW_BAD_REQUESTS } from './bad-requests-views.ts';

/** Objects every row may aim at, created once per engine. */
export interface Fixture {
  h: Harness;
  /** A page under the root page, holding one paragraph. */
  page: string;
  paragraph: string;
  /** A paragraph of `page` that is in the trash. */
  trashed: string;
  /** A root page shared only with the "Owner" integration, not with the quickstart one. */
  unshared: string;
  ownerToken: string;
  readOnlyToken: string;
  insertOnlyToken: string;
  /**
   * A data source ("Lists") with formulas, rollups, location and last_visited_time properties,
   * relating to "Items"; one row (`listRow`) and one view (`listView`) of it.
   */
  lists: { databaseId: string; dataSourceId: string; listRow: string; listView: string; items: string };
}

type Value<T> = T | ((f: Fixture) => T);
const at = <T>(v: Value<T>, f: Fixture): T => (typeof v === 'function' ? (v as (f: Fixture) => T)(f) : v);

export interface BadRequest {
  title: string;
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: Value<string>;
  /** A JSON value to send, or the raw text of the body when `raw` is set. */
  body?: unknown;
  /** The body, when it names fixture objects. */
  bodyFor?: (f: Fixture) => unknown;
  raw?: boolean;
  version?: string | null;
  token?: Value<string | null>;
  /** The same mistake made through the official SDK, when it can express it. */
  sdk?: (c: Client, f: Fixture) => Promise<unknown>;
  sdkToken?: Value<string>;
  status: number;
  code: string;
  /** Exact text, or the gist as a pattern. */
  message: Value<string | RegExp>;
}

const rt = (content: string) => [{ type: 'text' as const, text: { content } }];
const para = (content: string) => ({ paragraph: { rich_text: rt(content) } });
const nested = (depth: number): Record<string, unknown> =>
  depth === 0
    ? para('leaf')
    : { bulleted_list_item: { rich_text: rt(`level ${depth}`), children: [nested(depth - 1)] } };
const titleOf = (content: string) => ({ title: { title: [{ type: 'text' as const, text: { content } }] } });
const NOT_SHARED = 'Make sure the relevant pages and databases are shared with your integration';
/** Notion (2026) names the integration after the hint: `…your integration "notion-sdk-py".` */
const notFound = (kind: string, id: string) =>
  new RegExp(`^Could not find ${kind} with ID: ${id}\\. ${NOT_SHARED}( "[^"]+")?\\.$`);
const uuidMessage = (param: string, v: string) =>
  `path failed validation: path.${param} should be a valid uuid, instead was \`"${v}"\`.`;
const MISSING_ID = '5f1c0b4e-7d1a-4c57-9a53-1f6a7e2b9c01';

export const BAD_REQUESTS: Record<string, BadRequest[]> = {
  'headers and authentication': [
    {
      title: 'missing Notion-Version',
      path: '/v1/users/me',
      version: null,
      status: 400,
      code: 'missing_version',
      message:
        'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
    },
    {
      title: 'unknown Notion-Version',
      path: '/v1/users/me',
      version: '2021-01-01',
      sdk: (c) => c.users.me({}),
      status: 400,
      code: 'validation_error',
      message: /^Notion-Version header failed validation: .*`"2021-01-01"`\.$/,
    },
    {
      title: 'malformed Notion-Version',
      path: (f) => `/v1/pages/${f.page}`,
      version: 'latest',
      status: 400,
      code: 'validation_error',
      message: /^Notion-Version header failed validation/,
    },
    {
      title: 'no Authorization header',
      path: '/v1/users/me',
      token: null,
      status: 401,
      code: 'unauthorized',
      message: 'API token is invalid.',
    },
    {
      title: 'a token Octavo never issued',
      path: (f) => `/v1/pages/${f.page}`,
      token: 'ntn_000000000000000000000000000000000000000000000',
      sdk: (c, f) => c.pages.retrieve({ page_id: f.page }),
      sdkToken: 'ntn_000000000000000000000000000000000000000000000',
      status: 401,
      code: 'unauthorized',
      message: 'API token is invalid.',
    },
    {
      title: 'a bad token on a write',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.page}/children`,
      body: { children: [para('never written')] },
      token: 'secret_nope',
      status: 401,
      code: 'unauthorized',
      message: 'API token is invalid.',
    },
  ],
  'routes and bodies': [
    {
      title: 'unknown route',
      path: '/v1/nope',
      status: 400,
      code: 'invalid_request_url',
      message: 'Invalid request URL.',
    },
    {
      title: 'garbage after an id',
      path: (f) => `/v1/pages/${f.page}/garbage`,
      status: 400,
      code: 'invalid_request_url',
      message: 'Invalid request URL.',
    },
    {
      title: 'a method the route does not have (DELETE /v1/pages/{id})',
      method: 'DELETE',
      path: (f) => `/v1/pages/${f.page}`,
      status: 400,
      code: 'invalid_request_url',
      message: 'Invalid request URL.',
    },
    {
      title: 'malformed JSON on create',
      method: 'POST',
      path: '/v1/pages',
      body: '{"parent": {"page_id": ',
      raw: true,
      status: 400,
      code: 'invalid_json',
      message: 'Error parsing JSON body.',
    },
    {
      title: 'malformed JSON on append',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.page}/children`,
      body: "{children: ['x']}",
      raw: true,
      status: 400,
      code: 'invalid_json',
      message: 'Error parsing JSON body.',
    },
    {
      title: 'empty body on POST /v1/pages is {}: parent is missing',
      method: 'POST',
      path: '/v1/pages',
      sdk: (c) => c.pages.create({} as never),
      status: 400,
      code: 'validation_error',
      message: 'body failed validation: body.parent should be defined, instead was `undefined`.',
    },
    {
      title: 'empty body on append is {}: children are missing',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.page}/children`,
      sdk: (c, f) => c.blocks.children.append({ block_id: f.page } as never),
      status: 400,
      code: 'validation_error',
      message: 'body failed validation: body.children should be defined, instead was `undefined`.',
    },
    {
      title: 'empty body on move is {}: parent is missing',
      method: 'POST',
      path: (f) => `/v1/pages/${f.page}/move`,
      sdk: (c, f) => c.pages.move({ page_id: f.page } as never),
      status: 400,
      code: 'validation_error',
      message: 'body failed validation: body.parent should be defined, instead was `undefined`.',
    },
    {
      title: 'a JSON array as the body',
      method: 'PATCH',
      path: (f) => `/v1/pages/${f.page}`,
      body: [],
      status: 400,
      code: 'validation_error',
      message: /^body failed validation/,
    },
  ],
  'wrong types': [
    {
      title: 'parent is a string',
      method: 'POST',
      path: '/v1/pages',
      body: { parent: 'abc', properties: titleOf('x') },
      status: 400,
      code: 'validation_error',
      message: 'body failed validation: body.parent should be an object, instead was `"abc"`.',
    },
    {
      title: 'in_trash is a string',
      method: 'PATCH',
      path: (f) => `/v1/pages/${f.page}`,
      body: { in_trash: 'yes' },
      sdk: (c, f) => c.pages.update({ page_id: f.page, in_trash: 'yes' as never }),
      status: 400,
      code: 'validation_error',
      message: 'body failed validation: body.in_trash should be a boolean, instead was `"yes"`.',
    },
    {
      title: 'children is an object',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.page}/children`,
      body: { children: {} },
      status: 400,
      code: 'validation_error',
      message: 'body failed validation: body.children should be an array, instead was `{}`.',
    },
    {
      title: 'rich_text is a string',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.paragraph}`,
      body: { paragraph: { rich_text: 'hi' } },
      sdk: (c, f) => c.blocks.update({ block_id: f.paragraph, paragraph: { rich_text: 'hi' as never } }),
      status: 400,
      code: 'validation_error',
      message: 'body failed validation: body.paragraph.rich_text should be an array, instead was `"hi"`.',
    },
    {
      title: 'text.content is a number',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.page}/children`,
      body: { children: [{ paragraph: { rich_text: [{ text: { content: 42 } }] } }] },
      status: 400,
      code: 'validation_error',
      message:
        /^body failed validation.*body\.children\[0\]\.paragraph\.rich_text\[0\]\.text\.content should be a string, instead was `42`\./s,
    },
    {
      title: 'a parent page id that is not a uuid',
      method: 'POST',
      path: '/v1/pages',
      body: { parent: { page_id: 'abc' }, properties: titleOf('x') },
      sdk: (c) => c.pages.create({ parent: { page_id: 'abc' }, properties: titleOf('x') }),
      status: 400,
      code: 'validation_error',
      message: 'body failed validation: body.parent.page_id should be a valid uuid, instead was `"abc"`.',
    },
    {
      title: 'an unknown block type',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.page}/children`,
      body: { children: [{ sparkle: { rich_text: [] } }] },
      status: 400,
      code: 'validation_error',
      message: /^body failed validation.*body\.children\[0\]/s,
    },
    {
      title: 'a property that does not exist on a page',
      method: 'PATCH',
      path: (f) => `/v1/pages/${f.page}`,
      body: { properties: { Nope: { rich_text: rt('x') } } },
      status: 400,
      code: 'validation_error',
      message: /Nope is not a property that exists\./,
    },
  ],
  'unknown body keys': [
    {
      title: 'an unknown key on page update',
      method: 'PATCH',
      path: (f) => `/v1/pages/${f.page}`,
      body: { foo: 1 },
      status: 400,
      code: 'validation_error',
      message: 'body failed validation: body.foo should be not present, instead was `1`.',
    },
    {
      title: 'a header sent as a body key on create',
      method: 'POST',
      path: '/v1/pages',
      bodyFor: (f) => ({
        parent: { page_id: f.h.rootPageId },
        properties: titleOf('x'),
        'Notion-Version': '2025-09-03',
      }),
      status: 400,
      code: 'validation_error',
      message:
        'body failed validation: body.Notion-Version should be not present, instead was `"2025-09-03"`.',
    },
    {
      title: 'an unknown key beside children',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.page}/children`,
      body: { children: [para('x')], bogus: true },
      status: 400,
      code: 'validation_error',
      message: 'body failed validation: body.bogus should be not present, instead was `true`.',
    },
    {
      title: 'an unknown key inside a block',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.page}/children`,
      body: { children: [{ paragraph: { rich_text: rt('x'), sparkle: 1 } }] },
      status: 400,
      code: 'validation_error',
      message:
        'body failed validation: body.children[0].paragraph.sparkle should be not present, instead was `1`.',
    },
    {
      title: 'archived under 2026-03-11',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.paragraph}`,
      body: { archived: true },
      version: '2026-03-11',
      status: 400,
      code: 'validation_error',
      message: 'body failed validation: body.archived should be not present, instead was `true`.',
    },
  ],
  'size limits': [
    {
      title: '2001 characters of text content',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.page}/children`,
      body: { children: [para('x'.repeat(2001))] },
      sdk: (c, f) => c.blocks.children.append({ block_id: f.page, children: [para('x'.repeat(2001))] }),
      status: 400,
      code: 'validation_error',
      message:
        'body failed validation: body.children[0].paragraph.rich_text[0].text.content.length should be ≤ `2000`, instead was `2001`.',
    },
    {
      title: '2001 characters in a page title',
      method: 'POST',
      path: '/v1/pages',
      bodyFor: (f) => ({ parent: { page_id: f.h.rootPageId }, properties: titleOf('t'.repeat(2001)) }),
      status: 400,
      code: 'validation_error',
      message:
        /^body failed validation: body\.properties\.title.*\.text\.content\.length should be ≤ `2000`, instead was `2001`\.$/,
    },
    {
      title: 'a link url of 2001 characters',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.paragraph}`,
      body: {
        paragraph: {
          rich_text: [{ text: { content: 'x', link: { url: `https://e.com/${'a'.repeat(1987)}` } } }],
        },
      },
      status: 400,
      code: 'validation_error',
      message:
        'body failed validation: body.paragraph.rich_text[0].text.link.url.length should be ≤ `2000`, instead was `2001`.',
    },
    {
      title: '101 rich text items',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.page}/children`,
      body: { children: [{ paragraph: { rich_text: Array.from({ length: 101 }, () => rt('x')[0]) } }] },
      status: 400,
      code: 'validation_error',
      message:
        'body failed validation: body.children[0].paragraph.rich_text.length should be ≤ `100`, instead was `101`.',
    },
    {
      title: '101 children on append',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.page}/children`,
      body: { children: Array.from({ length: 101 }, (_, i) => para(`p${i}`)) },
      status: 400,
      code: 'validation_error',
      message: 'body failed validation: body.children.length should be ≤ `100`, instead was `101`.',
    },
    {
      title: '101 children on page create',
      method: 'POST',
      path: '/v1/pages',
      bodyFor: (f) => ({
        parent: { page_id: f.h.rootPageId },
        properties: titleOf('x'),
        children: Array.from({ length: 101 }, (_, i) => para(`p${i}`)),
      }),
      status: 400,
      code: 'validation_error',
      message: 'body failed validation: body.children.length should be ≤ `100`, instead was `101`.',
    },
    {
      title: 'three levels of nested children',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.page}/children`,
      body: { children: [nested(3)] },
      status: 400,
      code: 'validation_error',
      message:
        /^body failed validation: body\.children\[0\]\.bulleted_list_item\.children\[0\]\.bulleted_list_item\.children\[0\]\.bulleted_list_item\.children should be not present, instead was `/,
    },
    {
      title: 'page_size 0',
      path: (f) => `/v1/blocks/${f.page}/children?page_size=0`,
      sdk: (c, f) => c.blocks.children.list({ block_id: f.page, page_size: 0 }),
      status: 400,
      code: 'validation_error',
      message: 'query failed validation: query.page_size should be ≥ `1`, instead was `0`.',
    },
    {
      title: 'page_size 101',
      path: '/v1/users?page_size=101',
      sdk: (c) => c.users.list({ page_size: 101 }),
      status: 400,
      code: 'validation_error',
      message: 'query failed validation: query.page_size should be ≤ `100`, instead was `101`.',
    },
  ],
  'ids in the path': [
    {
      title: 'GET /v1/pages/abc',
      path: '/v1/pages/abc',
      sdk: (c) => c.pages.retrieve({ page_id: 'abc' }),
      status: 400,
      code: 'validation_error',
      message: uuidMessage('page_id', 'abc'),
    },
    {
      title: 'PATCH /v1/pages/abc',
      method: 'PATCH',
      path: '/v1/pages/abc',
      body: { in_trash: true },
      status: 400,
      code: 'validation_error',
      message: uuidMessage('page_id', 'abc'),
    },
    {
      title: 'POST /v1/pages/abc/move',
      method: 'POST',
      path: '/v1/pages/abc/move',
      bodyFor: (f) => ({ parent: { page_id: f.page } }),
      status: 400,
      code: 'validation_error',
      message: uuidMessage('page_id', 'abc'),
    },
    {
      title: 'GET /v1/blocks/{31 hex digits}',
      path: '/v1/blocks/5f1c0b4e7d1a4c579a531f6a7e2b9c0',
      sdk: (c) => c.blocks.retrieve({ block_id: '5f1c0b4e7d1a4c579a531f6a7e2b9c0' }),
      status: 400,
      code: 'validation_error',
      message: uuidMessage('block_id', '5f1c0b4e7d1a4c579a531f6a7e2b9c0'),
    },
    {
      title: 'DELETE /v1/blocks/not-a-uuid',
      method: 'DELETE',
      path: '/v1/blocks/not-a-uuid',
      status: 400,
      code: 'validation_error',
      message: uuidMessage('block_id', 'not-a-uuid'),
    },
    {
      title: 'PATCH /v1/blocks/{id with a non-hex digit}/children',
      method: 'PATCH',
      path: '/v1/blocks/5f1c0b4e7d1a4c579a531f6a7e2b9c0g/children',
      body: { children: [para('x')] },
      status: 400,
      code: 'validation_error',
      message: uuidMessage('block_id', '5f1c0b4e7d1a4c579a531f6a7e2b9c0g'),
    },
    {
      title: 'GET /v1/users/abc',
      path: '/v1/users/abc',
      sdk: (c) => c.users.retrieve({ user_id: 'abc' }),
      status: 400,
      code: 'validation_error',
      message: uuidMessage('user_id', 'abc'),
    },
  ],
  'missing capabilities': [
    {
      title: 'update a page without update_content',
      method: 'PATCH',
      path: (f) => `/v1/pages/${f.page}`,
      body: { properties: titleOf('renamed') },
      token: (f) => f.readOnlyToken,
      sdk: (c, f) => c.pages.update({ page_id: f.page, properties: titleOf('renamed') }),
      sdkToken: (f) => f.readOnlyToken,
      status: 403,
      code: 'restricted_resource',
      message: 'Insufficient permissions for this endpoint.',
    },
    {
      title: 'append without insert_content',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.page}/children`,
      body: { children: [para('x')] },
      token: (f) => f.readOnlyToken,
      status: 403,
      code: 'restricted_resource',
      message: 'Insufficient permissions for this endpoint.',
    },
    {
      title: 'create a page without insert_content',
      method: 'POST',
      path: '/v1/pages',
      bodyFor: (f) => ({ parent: { page_id: f.h.rootPageId }, properties: titleOf('x') }),
      token: (f) => f.readOnlyToken,
      status: 403,
      code: 'restricted_resource',
      message: 'Insufficient permissions for this endpoint.',
    },
    {
      title: 'delete a block without update_content',
      method: 'DELETE',
      path: (f) => `/v1/blocks/${f.paragraph}`,
      token: (f) => f.readOnlyToken,
      status: 403,
      code: 'restricted_resource',
      message: 'Insufficient permissions for this endpoint.',
    },
    {
      title: 'read a page without read_content',
      path: (f) => `/v1/pages/${f.page}`,
      token: (f) => f.insertOnlyToken,
      sdk: (c, f) => c.pages.retrieve({ page_id: f.page }),
      sdkToken: (f) => f.insertOnlyToken,
      status: 403,
      code: 'restricted_resource',
      message: 'Insufficient permissions for this endpoint.',
    },
    {
      title: 'list children without read_content',
      path: (f) => `/v1/blocks/${f.page}/children`,
      token: (f) => f.insertOnlyToken,
      status: 403,
      code: 'restricted_resource',
      message: 'Insufficient permissions for this endpoint.',
    },
    {
      title: 'list users without user information',
      path: '/v1/users',
      token: (f) => f.readOnlyToken,
      status: 403,
      code: 'restricted_resource',
      message: 'Insufficient permissions for this endpoint.',
    },
  ],
  'objects not shared or missing': [
    {
      title: 'retrieve an unshared page',
      path: (f) => `/v1/pages/${f.unshared}`,
      sdk: (c, f) => c.pages.retrieve({ page_id: f.unshared }),
      status: 404,
      code: 'object_not_found',
      message: (f) => notFound('page', f.unshared),
    },
    {
      title: 'update an unshared page',
      method: 'PATCH',
      path: (f) => `/v1/pages/${f.unshared}`,
      body: { in_trash: true },
      status: 404,
      code: 'object_not_found',
      message: (f) => notFound('page', f.unshared),
    },
    {
      title: 'list the children of an unshared page',
      path: (f) => `/v1/blocks/${f.unshared}/children`,
      status: 404,
      code: 'object_not_found',
      message: (f) => notFound('block', f.unshared),
    },
    {
      title: 'append to an unshared page',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.unshared}/children`,
      body: { children: [para('x')] },
      sdk: (c, f) => c.blocks.children.append({ block_id: f.unshared, children: [para('x')] }),
      status: 404,
      code: 'object_not_found',
      message: (f) => notFound('block', f.unshared),
    },
    {
      title: 'delete an unshared page',
      method: 'DELETE',
      path: (f) => `/v1/blocks/${f.unshared}`,
      status: 404,
      code: 'object_not_found',
      message: (f) => notFound('block', f.unshared),
    },
    {
      title: 'create a page under an unshared page',
      method: 'POST',
      path: '/v1/pages',
      bodyFor: (f) => ({ parent: { page_id: f.unshared }, properties: titleOf('x') }),
      status: 404,
      code: 'object_not_found',
      message: (f) => notFound('page', f.unshared),
    },
    {
      title: 'move a page under an unshared page',
      method: 'POST',
      path: (f) => `/v1/pages/${f.page}/move`,
      bodyFor: (f) => ({ parent: { page_id: f.unshared } }),
      status: 404,
      code: 'object_not_found',
      message: (f) => notFound('page', f.unshared),
    },
    {
      title: 'retrieve a page that does not exist',
      path: `/v1/pages/${MISSING_ID}`,
      status: 404,
      code: 'object_not_found',
      message: notFound('page', MISSING_ID),
    },
    {
      title: 'retrieve a block that does not exist (id without dashes)',
      path: `/v1/blocks/${MISSING_ID.replace(/-/g, '')}`,
      status: 404,
      code: 'object_not_found',
      message: notFound('block', MISSING_ID),
    },
  ],
  'trashed content': [
    {
      title: 'edit a block in the trash',
      method: 'PATCH',
      path: (f) => `/v1/blocks/${f.trashed}`,
      body: { paragraph: { rich_text: rt('edited') } },
      status: 400,
      code: 'validation_error',
      message: /^Can't edit block that is archived\. You must unarchive the block before editing\.$/,
    },
  ],
  'file uploads': [
    {
      title: 'multi_part without number_of_parts',
      method: 'POST',
      path: '/v1/file_uploads',
      body: { mode: 'multi_part', filename: 'big.mp4' },
      sdk: (c) => c.fileUploads.create({ mode: 'multi_part', filename: 'big.mp4' }),
      status: 400,
      code: 'validation_error',
      message: 'body failed validation: body.number_of_parts should be defined, instead was `undefined`.',
    },
    {
      title: "a file type outside Notion's list",
      method: 'POST',
      path: '/v1/file_uploads',
      body: { filename: 'tool.exe' },
      sdk: (c) => c.fileUploads.create({ filename: 'tool.exe' }),
      status: 400,
      code: 'validation_error',
      message: 'The file extension .exe is not supported for the File Upload API.',
    },
    {
      title: 'retrieve an upload that does not exist',
      path: `/v1/file_uploads/${MISSING_ID}`,
      sdk: (c) => c.fileUploads.retrieve({ file_upload_id: MISSING_ID }),
      status: 404,
      code: 'object_not_found',
      message: `Could not find file upload with ID: ${MISSING_ID}.`,
    },
    {
      title: 'send JSON instead of multipart/form-data',
      method: 'POST',
      path: `/v1/file_uploads/${MISSING_ID}/send`,
      body: { file: 'hello' },
      status: 400,
      code: 'validation_error',
      message: 'Content-Type header should be `multipart/form-data`, instead was `"application/json"`.',
    },
    {
      title: 'create an upload without the insert capability',
      method: 'POST',
      path: '/v1/file_uploads',
      body: { filename: 'a.txt' },
      token: (f) => f.readOnlyToken,
      sdk: (c) => c.fileUploads.create({ filename: 'a.txt' }),
      sdkToken: (f) => f.readOnlyToken,
      status: 403,
      code: 'restricted_resource',
      message: 'Insufficient permissions for this endpoint.',
    },
    {
      title: 'a page cover naming an upload that does not exist',
      method: 'PATCH',
      path: (f) => `/v1/pages/${f.page}`,
      body: { cover: { type: 'file_upload', file_upload: { id: MISSING_ID } } },
      sdk: (c, f) =>
        c.pages.update({ page_id: f.page, cover: { type: 'file_upload', file_upload: { id: MISSING_ID } } }),
      status: 400,
      code: 'validation_error',
      message: `body failed validation: body.cover.file_upload.id should be the id of a file upload created by this integration, instead was \`"${MISSING_ID}"\`.`,
    },
  ],
  comments: COMMENT_BAD_REQUESTS,
  'page markdown': MARKDOWN_BAD_REQUESTS,
  'formulas and rollups': [...FORMULA_BAD_REQUESTS, ...COMPUTED_BAD_REQUESTS],
  'location and last_visited_time': [...LOCATION_BAD_REQUESTS, ...LOCATION_VALUE_BAD_REQUESTS],
  'views, templates, emojis, tasks, not served': VIEW_BAD_REQUESTS,
};

async function setUp(h: Harness): Promise<Fixture> {
  const c = h.client();
  const created = await c.pages.create({
    parent: { page_id: h.rootPageId },
    properties: titleOf('Bad requests fixture'),
    children: [para('keep me'), para('trash me')],
  });
  const kids = await c.blocks.children.list({ block_id: created.id });
  const [paragraph, trashed] = kids.results.map((b) => b.id);
  await c.blocks.delete({ block_id: trashed! });
  await h.newIntegration('Owner');
  const ownerToken = await h.newIntegration('Owner of the private page');
  const unshared = await h.newRootPage('Private', ['Owner of the private page']);
  return {
    h,
    lists: await setUpLists(h),
    page: created.id,
    paragraph: paragraph!,
    trashed: trashed!,
    unshared,
    ownerToken,
    readOnlyToken: await h.newIntegration('Read only', ['read_content']),
    insertOnlyToken: await h.newIntegration('Insert only', ['insert_content']),
  };
}

/** The computed-property fixture (Fixture.lists). */
async function setUpLists(h: Harness): Promise<Fixture['lists']> {
  const c = h.client({ version: '2026-03-11' });
  const parent = { type: 'page_id' as const, page_id: h.rootPageId };
  const itemsDb = await c.databases.create({
    parent,
    title: rt('Items'),
    initial_data_source: {
      properties: { Name: { title: {} }, Cost: { number: {} }, Note: { rich_text: {} } },
    },
  });
  const items = (itemsDb as { data_sources: { id: string }[] }).data_sources[0]!.id;
  const listsDb = await c.databases.create({
    parent,
    title: rt('Lists'),
    initial_data_source: {
      properties: {
        Name: { title: {} },
        N: { number: {} },
        Items: { relation: { data_source_id: items, single_property: {} } },
        Where: { location: {} },
        Visited: { last_visited_time: {} },
      } as never,
    },
  });
  const dataSourceId = (listsDb as { data_sources: { id: string }[] }).data_sources[0]!.id;
  const roll = (fn: string, prop: string) => ({
    rollup: { function: fn, relation_property_name: 'Items', rollup_property_name: prop },
  });
  await c.dataSources.update({
    data_source_id: dataSourceId,
    properties: {
      Label: { formula: { expression: 'prop("Name") + "!"' } },
      Double: { formula: { expression: 'prop("N") * 2' } },
      Flag: { formula: { expression: 'prop("N") > 1' } },
      Total: roll('sum', 'Cost'),
      Titles: roll('show_original', 'Name'),
    } as never,
  });
  const item = await c.pages.create({
    parent: { data_source_id: items },
    properties: { Name: { title: rt('one') }, Cost: { number: 3 } },
  });
  const listRow = await c.pages.create({
    parent: { data_source_id: dataSourceId },
    properties: {
      Name: { title: rt('list') },
      N: { number: 2 },
      Items: { relation: [{ id: item.id }] },
    } as never,
  });
  const view = await c.views.create({
    data_source_id: dataSourceId,
    database_id: listsDb.id,
    name: 'Totals',
    type: 'table',
    filter: { property: 'Total', rollup: { number: { greater_than: 1 } } },
  } as never);
  return { databaseId: listsDb.id, dataSourceId, listRow: listRow.id, listView: view.id, items };
}

/** Everything a bad request might have touched, read back as raw bodies without request ids. */
async function snapshot(f: Fixture): Promise<unknown[]> {
  const read = async (path: string, token = f.h.token) => {
    const res = await f.h.request(path, { token });
    const { request_id: _r, ...body } = (await res.json()) as Record<string, unknown>;
    return { path, status: res.status, body };
  };
  return Promise.all([
    read(`/v1/pages/${f.page}`),
    read(`/v1/blocks/${f.page}/children`),
    read(`/v1/blocks/${f.paragraph}`),
    read(`/v1/blocks/${f.trashed}`),
    read(`/v1/blocks/${f.h.rootPageId}/children`),
    read(`/v1/pages/${f.unshared}`, f.ownerToken),
    read(`/v1/blocks/${f.unshared}/children`, f.ownerToken),
    read(`/v1/comments?block_id=${f.page}`),
    read(`/v1/data_sources/${f.lists.dataSourceId}`),
    read(`/v1/data_sources/${f.lists.items}`),
    read(`/v1/pages/${f.lists.listRow}`),
    read(`/v1/views/${f.lists.listView}`),
    read(`/v1/views?data_source_id=${f.lists.dataSourceId}`),
  ]);
}

async function sendRaw(f: Fixture, row: BadRequest) {
  const body = row.bodyFor ? row.bodyFor(f) : row.body;
  const init = {
    method: row.method ?? 'GET',
    ...(body === undefined ? {} : { body: row.raw ? String(body) : JSON.stringify(body) }),
    ...(row.version !== undefined ? { version: row.version } : {}),
    ...(row.token !== undefined ? { token: at(row.token, f) } : {}),
  };
  const path = at(row.path, f);
  const res = await checkResponse(`http://octavo.test${path}`, undefined, await f.h.request(path, init));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function expectMessage(actual: unknown, expected: string | RegExp) {
  if (typeof expected === 'string') expect(actual).toBe(expected);
  else expect(actual).toMatch(expected);
}

describeEngines('bad requests', (engine) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await setUp(await startHarness(engine));
  });
  afterAll(() => f?.h.close());

  for (const [group, rows] of Object.entries(BAD_REQUESTS)) {
    describe(group, () => {
      for (const row of rows) {
        it(`${row.title}: ${row.status} ${row.code}`, async () => {
          const before = await snapshot(f);
          const message = at(row.message, f);
          const raw = await sendRaw(f, row);
          expect({ status: raw.status, code: raw.body.code }, String(raw.body.message)).toEqual({
            status: row.status,
            code: row.code,
          });
          expectMessage(raw.body.message, message);
          if (row.sdk) {
            const token = row.sdkToken === undefined ? undefined : at(row.sdkToken, f);
            const version = row.version ?? undefined;
            const client = f.h.client({
              ...(token ? { token } : {}),
              ...(version ? { version } : {}),
            } as never);
            const err = await row.sdk(client, f).then(
              () => new Error('the SDK call succeeded'),
              (e: unknown) => e,
            );
            expect(err, String(err)).toBeInstanceOf(APIResponseError);
            const apiErr = err as APIResponseError;
            expect({ status: apiErr.status, code: apiErr.code }).toEqual({
              status: row.status,
              code: row.code,
            });
            expectMessage(apiErr.message, message);
          }
          expect(await snapshot(f)).toEqual(before);
        });
      }
    });
  }
});
