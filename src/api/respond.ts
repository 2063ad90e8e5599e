/** Writing responses: success bodies carry `request_id` last, errors use Notion's envelope. */
import type { Context } from 'hono';
import { ApiError } from '../wire/errors.ts';
import type { AppEnv } from './types.ts';

export function ok(c: Context<AppEnv>, body: object, status: 200 = 200) {
  return c.json({ ...body, request_id: c.get('requestId') }, status);
}

export function errorBody(err: ApiError, requestId: string) {
  return {
    object: 'error',
    status: err.status,
    code: err.code,
    message: err.message,
    request_id: requestId,
    ...(err.additionalData ? { additional_data: err.additionalData } : {}),
  };
}

/** Renders any thrown value; anything that is not an ApiError becomes internal_server_error. */
export function renderError(c: Context<AppEnv>, thrown: unknown): Response {
  const requestId = c.get('requestId') ?? crypto.randomUUID();
  let err: ApiError;
  if (thrown instanceof ApiError) {
    err = thrown;
  } else {
    console.error(`[octavo] request ${requestId} failed:`, thrown);
    err = new ApiError('internal_server_error', 'Unexpected error occurred.');
  }
  return new Response(JSON.stringify(errorBody(err, requestId)), {
    status: err.status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-notion-request-id': requestId,
      ...err.headers,
    },
  });
}
