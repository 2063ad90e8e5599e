/**
 * The one error class of the API. Every failure that reaches a client is an ApiError carrying one
 * of Notion's codes; the HTTP status comes from a single table so the two never disagree.
 */
export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_request_url: 400,
  invalid_request: 400,
  validation_error: 400,
  /** OAuth: a code or refresh token that is unknown, expired, used, revoked or another client's. */
  invalid_grant: 400,
  missing_version: 400,
  unauthorized: 401,
  restricted_resource: 403,
  object_not_found: 404,
  conflict_error: 409,
  rate_limited: 429,
  internal_server_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly additionalData: Record<string, string | string[]> | undefined;
  readonly headers: Record<string, string>;
  /** A 404 that should tell the integration to check sharing (completed where it is known). */
  readonly sharingHint: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      additionalData?: Record<string, string | string[]>;
      headers?: Record<string, string>;
      sharingHint?: boolean;
    } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.additionalData = options.additionalData;
    this.headers = options.headers ?? {};
    this.sharingHint = options.sharingHint ?? false;
  }
}

/**
 * The message a client sees. A sharing hint names the integration as Notion does:
 * `… shared with your integration "Name".`
 */
export function clientMessage(err: ApiError, integrationName?: string): string {
  if (!err.sharingHint) return err.message;
  const who = integrationName ? ` "${integrationName}"` : '';
  return `${err.message} Make sure the relevant pages and databases are shared with your integration${who}.`;
}

/** The kinds of object a 404 can name. */
export type ObjectKind =
  | 'page'
  | 'block'
  | 'database'
  | 'data_source'
  | 'user'
  | 'comment'
  | 'discussion'
  | 'file_upload'
  | 'view'
  | 'view_query'
  | 'template'
  | 'custom_emoji'
  | 'async_task';

export const errors = {
  validation: (message: string) => new ApiError('validation_error', message),
  invalidJson: () => new ApiError('invalid_json', 'Error parsing JSON body.'),
  /** Notion's unknown-URL error; `instead` says what to call, where Octavo can tell. */
  invalidRequestUrl: (instead?: string) =>
    new ApiError('invalid_request_url', instead ? `Invalid request URL. ${instead}` : 'Invalid request URL.'),
  invalidRequest: (message: string) => new ApiError('invalid_request', message),
  unsupported: (what: string) => new ApiError('invalid_request', `Unsupported request: ${what}.`),
  unauthorized: () => new ApiError('unauthorized', 'API token is invalid.'),
  restricted: (message = 'Insufficient permissions for this endpoint.') =>
    new ApiError('restricted_resource', message),
  notFound: (kind: ObjectKind, id: string) =>
    new ApiError('object_not_found', `Could not find ${kind.replace('_', ' ')} with ID: ${id}.`, {
      sharingHint: !['user', 'file_upload', 'custom_emoji', 'async_task'].includes(kind),
    }),
  /**
   * A 404 for an id the caller can see but that names another kind of object than the endpoint
   * takes (a database id where a data source id is expected): Notion's status and code, and a
   * message that says what to call instead. Never used for an id the caller cannot see.
   */
  wrongKind: (kind: ObjectKind, id: string, actual: string, instead: string) =>
    new ApiError(
      'object_not_found',
      `Could not find ${kind.replace('_', ' ')} with ID: ${id}. It is a ${actual}: ${instead}.`,
    ),
  missingVersion: () =>
    new ApiError(
      'missing_version',
      'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
    ),
  rateLimited: (retryAfterSeconds: number) =>
    new ApiError('rate_limited', 'You have been rate limited. Please try again in a few minutes.', {
      headers: { 'Retry-After': String(retryAfterSeconds) },
      additionalData: { rate_limit_reason: 'connection_rate_limit' },
    }),
  conflict: () => new ApiError('conflict_error', 'Conflict occurred while saving. Please try again.'),
  internal: () => new ApiError('internal_server_error', 'Unexpected error occurred.'),
};
