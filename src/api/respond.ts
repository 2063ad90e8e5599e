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

/**
 * A success response from pieces of JSON text that, joined, are `body`'s JSON without its closing
 * brace (`body` not empty): the bytes `ok(c, body)` would send, written piece by piece into one
 * buffer. No string of the whole body is made: a string of 200 KB is a large object for V8 (its
 * own memory mapping, faulted in page by page and unmapped at the next collection), which cost
 * more than building it (docs/benchmarks.md, session 7). `object` makes the body as objects when
 * the mentions middleware needs them. `mentioned` says whether the pieces hold a mention
 * (`holdsMention`), when the caller knows it without scanning them all; left out, every piece
 * is scanned.
 */
export function okParts(c: Context<AppEnv>, parts: string[], object: () => object, mentioned?: boolean) {
  if (mentioned ?? parts.some(holdsMention)) return ok(c, object());
  const id = c.get('requestId');
  parts.push(id === undefined ? '}' : `,"request_id":${JSON.stringify(id)}}`);
  const res = c.body(utf8Parts(parts) as Uint8Array<ArrayBuffer>, 200, {
    'Content-Type': 'application/json',
  });
  c.set('sentJson', { res, json: parts });
  return res;
}

/** The UTF-8 bytes of `parts` joined. */
function utf8Parts(parts: readonly string[]): Uint8Array {
  let chars = 0;
  for (const part of parts) chars += part.length;
  let buf = Buffer.allocUnsafeSlow(chars + (chars >> 3) + 64);
  let at = 0;
  for (const part of parts) {
    // A UTF-16 unit takes at most 3 bytes; count exactly only when that bound does not fit.
    if (buf.length - at < part.length * 3) {
      const need = Buffer.byteLength(part);
      if (buf.length - at < need) {
        const bigger = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, at + need));
        buf.copy(bigger, 0, 0, at);
        buf = bigger;
      }
    }
    at += buf.write(part, at);
  }
  return buf.subarray(0, at);
}

/** Present in the JSON of every body that holds a rich-text mention (stored key order). */
const MENTION_MARK = '"type":"mention"';

/**
 * Whether a piece of JSON holds a rich-text mention: `json.includes(MENTION_MARK)`. (Never in a
 * JSON string's text: its quotes are escaped there.) The search is for `mention"` and what comes
 * before it is then compared: V8 finds a pattern by its first character, and JSON is full of
 * quotes, the mark's first character (5 times slower, measured on a row's stored text).
 */
export function holdsMention(json: string): boolean {
  const tail = 'mention"';
  const head = MENTION_MARK.length - tail.length;
  for (let at = json.indexOf(tail, head); at !== -1; at = json.indexOf(tail, at + 1)) {
    if (json.startsWith('"type":"', at - head)) return true;
  }
  return false;
}

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
