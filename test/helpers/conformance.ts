/**
 * Checks applied to every response that passes through the test harness, so that each test also
 * measures wire compatibility: JSON bodies, request ids, and Notion's error envelope.
 */
const SDK_ERROR_CODES = new Set([
  'unauthorized',
  'restricted_resource',
  'object_not_found',
  'rate_limited',
  'invalid_json',
  'invalid_request_url',
  'invalid_request',
  'invalid_beta',
  'validation_error',
  'conflict_error',
  'internal_server_error',
  'service_overload',
  'service_unavailable',
  'gateway_timeout',
  'missing_version',
]);

export class ConformanceError extends Error {}

function fail(url: string, why: string, body: unknown): never {
  throw new ConformanceError(`${url}: ${why}\n${JSON.stringify(body, null, 2).slice(0, 2000)}`);
}

/** Validates one response; returns an equivalent Response for the SDK to consume. */
export async function checkResponse(
  url: string,
  _init: RequestInit | undefined,
  res: Response,
): Promise<Response> {
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch {
    fail(url, `response is not JSON (status ${res.status})`, text);
  }
  const requestId = res.headers.get('x-notion-request-id');
  if (!requestId) fail(url, 'missing x-notion-request-id header', body);
  if (body.request_id !== requestId) fail(url, 'request_id in body differs from the header', body);
  if (res.status >= 400) {
    if (body.object !== 'error') fail(url, 'error body without object: "error"', body);
    if (body.status !== res.status) fail(url, 'error status differs from HTTP status', body);
    if (typeof body.code !== 'string' || !SDK_ERROR_CODES.has(body.code))
      fail(url, 'unknown error code', body);
    if (typeof body.message !== 'string' || body.message === '') fail(url, 'error without message', body);
    if (res.status === 500) fail(url, 'internal_server_error reached the client', body);
  }
  return new Response(text, { status: res.status, headers: res.headers });
}
