/**
 * The OpenAPI 3.1 document of what this server serves under /v1, made from two things the server
 * already runs on: the route table (Hono's list of registered routes: paths and methods) and the
 * Zod request schemas the handlers validate with (`z.toJSONSchema`, the input side). Nothing here
 * is written by hand but the one-line summaries; a route without an entry in ENDPOINTS fails the
 * generation, so a new route cannot be served undocumented (test/integration/openapi.test.ts).
 */
import { z } from 'zod';
import { openApiPath, type RouteEntry, servedUnder, toJsonSchema } from '../lib/openapi.ts';
import { AUTHORIZE_PARAMS } from '../oauth/authorize.ts';
import { TokenBody, TokenOnly } from '../oauth/oauth.routes.ts';
import { UPDATE_PAYLOADS } from '../wire/block-payloads.ts';
import { appendChildrenBody, updateBlockBody } from '../wire/blocks.schema.ts';
import { CreateCommentBody, ListCommentsQuery, UpdateCommentBody } from '../wire/comments.schema.ts';
import {
  CreateDataSourceBody,
  createDatabaseBody,
  queryBody,
  updateDatabaseBody,
  updateDataSourceBody,
} from '../wire/databases.schema.ts';
import {
  CreateFileUploadBody,
  ListFileUploadsQuery,
  SendFileUploadForm,
} from '../wire/file-uploads.schema.ts';
import { GetPageMarkdownQuery, UpdatePageMarkdownBody } from '../wire/markdown.schema.ts';
import { CreatePageBody, MovePageBody, updatePageBody } from '../wire/pages.schema.ts';
import { searchBody } from '../wire/search.schema.ts';
import { API_VERSIONS, type ApiVersion, hasDataSources } from '../wire/versions.ts';
import { CreateViewBody, CreateViewQueryBody, ListViewsQuery, UpdateViewBody } from '../wire/views.schema.ts';

/** The query of the consent page (read by oauth/authorize.ts, all optional strings there). */
const AuthorizeQuery = z.object(
  Object.fromEntries(AUTHORIZE_PARAMS.map((name) => [name, z.string().optional()])) as Record<
    (typeof AUTHORIZE_PARAMS)[number],
    z.ZodOptional<z.ZodString>
  >,
);

/** `start_cursor` and `page_size` of a listing (checked by api/kit.ts `readPagination`). */
const PaginationQuery = z.object({
  start_cursor: z.string().optional(),
  page_size: z.int().min(1).max(100).optional(),
});

type Schema = z.ZodType;

interface Endpoint {
  summary: string;
  /** The JSON body schema for a Notion-Version (bodies differ between versions). */
  body?: (v: ApiVersion) => Schema;
  /** A multipart/form-data body instead of JSON. */
  form?: Schema;
  query?: Schema;
  /**
   * How a caller authenticates (default `bearer` plus Notion-Version): `none` (this document),
   * `basic` (an OAuth client's id and secret), `session` (a signed-in person's browser).
   */
  auth?: 'bearer' | 'none' | 'basic' | 'session';
  /** What the endpoint answers when it is not JSON. */
  produces?: string;
  /** The Notion-Versions that have this endpoint (default: all). */
  only?: (v: ApiVersion) => boolean;
}

const DATA_SOURCES = { only: hasDataSources };

/** Every /v1 route, keyed `METHOD /v1/path` with Hono's `:param` path syntax. */
export const ENDPOINTS: Record<string, Endpoint> = {
  'GET /v1/openapi.json': { summary: 'This document', auth: 'none' },
  'GET /v1/oauth/authorize': {
    summary: 'Install a public integration: the consent page (sign-in first)',
    query: AuthorizeQuery,
    auth: 'session',
    produces: 'text/html',
  },
  'POST /v1/oauth/authorize': {
    summary: "The consent page's form: allow or deny, then the redirect to the integration",
    auth: 'session',
    produces: 'text/html',
  },
  'POST /v1/oauth/token': {
    summary: 'Exchange an authorization code, or a refresh token, for an access token',
    body: () => TokenBody,
    auth: 'basic',
  },
  'POST /v1/oauth/introspect': { summary: 'Introspect a token', body: () => TokenOnly, auth: 'basic' },
  'POST /v1/oauth/revoke': { summary: 'Revoke a token', body: () => TokenOnly, auth: 'basic' },
  'GET /v1/users/me': { summary: "Retrieve the token's bot user" },
  'GET /v1/users': { summary: 'List users', query: PaginationQuery },
  'GET /v1/users/:user_id': { summary: 'Retrieve a user' },
  'POST /v1/pages': { summary: 'Create a page', body: () => CreatePageBody },
  'GET /v1/pages/:page_id': { summary: 'Retrieve a page' },
  'GET /v1/pages/:page_id/properties/:property_id': {
    summary: 'Retrieve a page property item',
    query: PaginationQuery,
  },
  'PATCH /v1/pages/:page_id': { summary: 'Update page properties', body: updatePageBody },
  'POST /v1/pages/:page_id/move': { summary: 'Move a page', body: () => MovePageBody },
  'GET /v1/pages/:page_id/markdown': { summary: 'Retrieve a page as markdown', query: GetPageMarkdownQuery },
  'PATCH /v1/pages/:page_id/markdown': {
    summary: 'Update a page with markdown',
    body: () => UpdatePageMarkdownBody,
  },
  'GET /v1/blocks/:block_id': { summary: 'Retrieve a block' },
  'PATCH /v1/blocks/:block_id': {
    summary: 'Update a block (the body names the block type; in_trash moves it to or from the trash)',
    body: (v) => blockUpdateBody(v),
  },
  'DELETE /v1/blocks/:block_id': { summary: 'Move a block to the trash' },
  'GET /v1/blocks/:block_id/children': { summary: 'Retrieve block children', query: PaginationQuery },
  'PATCH /v1/blocks/:block_id/children': { summary: 'Append block children', body: appendChildrenBody },
  'POST /v1/databases': { summary: 'Create a database', body: createDatabaseBody },
  'GET /v1/databases/:database_id': { summary: 'Retrieve a database' },
  'PATCH /v1/databases/:database_id': { summary: 'Update a database', body: updateDatabaseBody },
  'POST /v1/databases/:database_id/query': {
    summary: 'Query a database (Notion-Version 2022-06-28)',
    body: queryBody,
    only: (v) => !hasDataSources(v),
  },
  'POST /v1/data_sources': {
    summary: 'Create a data source',
    body: () => CreateDataSourceBody,
    ...DATA_SOURCES,
  },
  'GET /v1/data_sources/:data_source_id': { summary: 'Retrieve a data source', ...DATA_SOURCES },
  'PATCH /v1/data_sources/:data_source_id': {
    summary: 'Update a data source',
    body: updateDataSourceBody,
    ...DATA_SOURCES,
  },
  'POST /v1/data_sources/:data_source_id/query': {
    summary: 'Query a data source',
    body: queryBody,
    ...DATA_SOURCES,
  },
  'POST /v1/file_uploads': { summary: 'Create a file upload', body: () => CreateFileUploadBody },
  'GET /v1/file_uploads': {
    summary: 'List file uploads',
    query: ListFileUploadsQuery.extend(PaginationQuery.shape),
  },
  'GET /v1/file_uploads/:file_upload_id': { summary: 'Retrieve a file upload' },
  'POST /v1/file_uploads/:file_upload_id/send': {
    summary: 'Send a file upload (or one part of it)',
    form: SendFileUploadForm,
  },
  'POST /v1/file_uploads/:file_upload_id/complete': { summary: 'Complete a multi-part file upload' },
  'POST /v1/search': { summary: 'Search by title', body: searchBody },
  'POST /v1/comments': { summary: 'Create a comment', body: () => CreateCommentBody },
  'GET /v1/comments': { summary: 'List comments', query: ListCommentsQuery.extend(PaginationQuery.shape) },
  'GET /v1/comments/:comment_id': { summary: 'Retrieve a comment' },
  'PATCH /v1/comments/:comment_id': { summary: 'Update a comment', body: () => UpdateCommentBody },
  'DELETE /v1/comments/:comment_id': { summary: 'Delete a comment' },
  'GET /v1/views': { summary: 'List the views of a database or data source', query: ListViewsQuery },
  'POST /v1/views': { summary: 'Create a view', body: () => CreateViewBody },
  'GET /v1/views/:view_id': { summary: 'Retrieve a view' },
  'PATCH /v1/views/:view_id': { summary: 'Update a view', body: () => UpdateViewBody },
  'DELETE /v1/views/:view_id': { summary: 'Delete a view' },
  'POST /v1/views/:view_id/queries': {
    summary: "Run a view's query (results kept for paging)",
    body: () => CreateViewQueryBody,
  },
  'GET /v1/views/:view_id/queries/:query_id': {
    summary: "Page through a view query's results",
    query: PaginationQuery,
  },
  'DELETE /v1/views/:view_id/queries/:query_id': { summary: 'Delete a view query' },
  'GET /v1/data_sources/:data_source_id/templates': {
    summary: "List a data source's templates",
    query: PaginationQuery.extend({ name: z.string().optional() }),
    ...DATA_SOURCES,
  },
  'GET /v1/custom_emojis': {
    summary: "List the workspace's custom emojis",
    query: PaginationQuery.extend({ name: z.string().optional() }),
  },
  'GET /v1/async_tasks/:task_id': { summary: 'Retrieve an async task (allow_async writes)' },
};

/** PATCH /v1/blocks/{id}: one body per updatable block type, plus the trash flags. */
function blockUpdateBody(version: ApiVersion): Schema {
  const flags = {
    in_trash: z.boolean().optional(),
    ...(version === '2026-03-11' ? {} : { archived: z.boolean().optional() }),
  };
  return z.union([
    ...Object.keys(UPDATE_PAYLOADS).map((type) => updateBlockBody(type).extend(flags)),
    z.strictObject(flags),
  ]);
}

/** The /v1 routes served, from the route table: middleware and the catch-all left out. */
export const servedRoutes = (routes: readonly RouteEntry[]) => servedUnder('/v1/', routes);

const toSchema = toJsonSchema;

/**
 * The document for `version`'s request bodies (the latest version unless asked). Throws when a
 * served route has no entry in ENDPOINTS: adding a route means describing it.
 */
export function openApiDocument(
  routes: readonly RouteEntry[],
  info: { version: string; serverUrl: string },
  apiVersion: ApiVersion = API_VERSIONS.at(-1)!,
): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const key of servedRoutes(routes)) {
    const endpoint = ENDPOINTS[key];
    if (!endpoint) throw new Error(`route ${key} has no entry in api/openapi.ts ENDPOINTS`);
    if (endpoint.only && !endpoint.only(apiVersion)) continue;
    const [method, path] = key.split(' ') as [string, string];
    const operation: Record<string, unknown> = { summary: endpoint.summary, responses: RESPONSES };
    const parameters: object[] = [...path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string', description: 'An id, with or without dashes' },
    }));
    if (endpoint.query) {
      const schema = toSchema(endpoint.query) as {
        properties?: Record<string, object>;
        required?: string[];
      };
      for (const [name, s] of Object.entries(schema.properties ?? {})) {
        parameters.push({ name, in: 'query', required: schema.required?.includes(name) ?? false, schema: s });
      }
    }
    const auth = endpoint.auth ?? 'bearer';
    if (auth === 'bearer') parameters.push({ $ref: '#/components/parameters/NotionVersion' });
    if (parameters.length > 0) operation.parameters = parameters;
    if (auth === 'none' || auth === 'session') operation.security = [];
    if (auth === 'basic') operation.security = [{ basic: [] }];
    if (auth === 'session') {
      operation.description = 'A page for browsers: it asks the person to sign in first (a session cookie).';
    }
    if (endpoint.produces) {
      operation.responses = { '200': { description: 'A page', content: { [endpoint.produces]: {} } } };
    }
    if (endpoint.body) {
      const schema = toSchema(endpoint.body(apiVersion));
      operation.requestBody = {
        required: false,
        content: {
          'application/json': { schema },
          // The OAuth endpoints also read forms, as generic OAuth libraries send them.
          ...(auth === 'basic' ? { 'application/x-www-form-urlencoded': { schema } } : {}),
        },
      };
    } else if (endpoint.form) {
      operation.requestBody = {
        required: true,
        content: { 'multipart/form-data': { schema: toSchema(endpoint.form) } },
      };
    }
    paths[openApiPath(path)] ??= {};
    paths[openApiPath(path)]![method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Octavo',
      version: info.version,
      description: `Notion's public REST API as served by this Octavo. Request bodies as of Notion-Version ${apiVersion} (ask another with ?notion_version=). Generated from the route table and the request schemas the server validates with.`,
    },
    servers: [{ url: info.serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        basic: { type: 'http', scheme: 'basic', description: "A public integration's client id and secret" },
      },
      parameters: {
        NotionVersion: {
          name: 'Notion-Version',
          in: 'header',
          required: true,
          schema: { type: 'string', enum: [...API_VERSIONS] },
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['object', 'status', 'code', 'message'],
          properties: {
            object: { const: 'error' },
            status: { type: 'integer' },
            code: { type: 'string' },
            message: { type: 'string' },
            request_id: { type: 'string' },
          },
        },
      },
    },
    paths,
  };
}

const ERROR = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const RESPONSES = {
  '200': { description: "The object, in Notion's shape for the Notion-Version asked" },
  '400': { description: 'validation_error, invalid_json, invalid_request_url, …', ...ERROR },
  '401': { description: 'unauthorized', ...ERROR },
  '403': { description: 'restricted_resource', ...ERROR },
  '404': { description: 'object_not_found', ...ERROR },
  '409': { description: 'conflict_error', ...ERROR },
  '429': { description: 'rate_limited (see Retry-After)', ...ERROR },
};
