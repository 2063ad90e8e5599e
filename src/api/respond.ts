/** Writing responses: success bodies carry `request_id` last, errors use Notion's envelope. */
import type { Context } from 'hono';
import type { Actor } from '../domain/capabilities.ts';
import { ApiError, clientMessage } from '../wire/errors.ts';
import type { AppEnv } from './types.ts';

const utf8 = new TextEncoder();

/**
 * A success response. The JSON goes out as UTF-8 bytes: the HTTP server writes a string body by
 * encoding it on a slower path, a millisecond for a page of 100 rows (measured, docs/benchmarks.md).
 */
export function ok(c: Context<AppEnv>, body: object, status: 200 | 202 = 200) {
  const payload = { ...body, request_id: c.get('requestId') };
  const json = JSON.stringify(payload);
  // Mentions are shown as the reader sees them: api/middleware/mentions.ts rewrites this body.
  if (json.includes(MENTION_MARK)) c.set('mentioned', payload);
  return jsonBytes(c, json, status);
}

/** Present in the JSON of every body that holds a rich-text mention (stored key order). */
const MENTION_MARK = '"type":"mention"';

/**
 * A JSON success response from its text. The text is kept on the context beside the response
 * (`sentJson`), so the request journal need not copy and decode the body back out of it.
 */
export function jsonBytes(c: Context<AppEnv>, json: string, status: 200 | 202 = 200) {
  const res = c.body(utf8.encode(json), status, { 'Content-Type': 'application/json' });
  c.set('sentJson', { res, json });
  return res;
}

/**
 * A success body exactly as given, without `request_id`: Notion's templates listing is the one
 * success body recorded without it (the `x-notion-request-id` header still names the request).
 */
export function okWithoutRequestId(c: Context<AppEnv>, body: object) {
  return c.json(body, 200);
}

export function errorBody(err: ApiError, requestId: string, actor?: Actor) {
  const additional = {
    ...(err.sharingHint && actor ? { integration_id: actor.botUserId } : {}),
    ...(err.additionalData ?? {}),
  };
  return {
    object: 'error',
    status: err.status,
    code: err.code,
    message: clientMessage(err, actor?.integrationName),
    ...(Object.keys(additional).length > 0 ? { additional_data: additional } : {}),
    request_id: requestId,
  };
}

/** Renders any thrown value; anything that is not an ApiError becomes internal_server_error. */
export function renderError(c: Context<AppEnv>, thrown: unknown): Response {
  const requestId = c.get('requestId') ?? crypto.randomUUID();
  let err: ApiError;
  if (thrown instanceof ApiError) {
    err = thrown;
  } else {
    // The stack goes to the log under the request's id; the client sees only that id.
    c.get('log')?.error({ err: thrown, request_id: requestId }, 'request failed');
    err = new ApiError('internal_server_error', 'Unexpected error occurred.');
  }
  return new Response(JSON.stringify(errorBody(err, requestId, c.get('actor'))), {
    status: err.status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-notion-request-id': requestId,
      ...err.headers,
    },
  });
}
