/**
 * The middleware every /v1 request passes: request id, Notion-Version, bearer auth, rate limit,
 * JSON body. Each step fails with Notion's error for it.
 */
import type { Context, MiddlewareHandler, Next } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Actor } from '../../domain/capabilities.ts';
import { actorForSession } from '../../ops/accounts.ts';
import { tokenActors } from '../../ops/integrations.ts';
import type { TokenCheck } from '../../store/store.ts';
import { SESSION_COOKIE } from '../../web/session.ts';
import { ApiError, errors } from '../../wire/errors.ts';
import { API_VERSIONS, isApiVersion } from '../../wire/versions.ts';
import { parseBody, readBodyText } from '../body.ts';
import { renderError } from '../respond.ts';
import type { AppDeps, AppEnv } from '../types.ts';

export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = crypto.randomUUID();
  c.set('requestId', id);
  await next();
  c.res.headers.set('x-notion-request-id', id);
};

// Middleware with nothing to do after the handlers return `next()` rather than awaiting it: one
// async frame less to resume per middleware and request.
export const notionVersion: MiddlewareHandler<AppEnv> = (c, next) => {
  const raw = c.req.header('notion-version');
  if (raw === undefined || raw === '') throw errors.missingVersion();
  if (!isApiVersion(raw)) {
    throw new ApiError(
      'validation_error',
      `Notion-Version header failed validation: Notion-Version header should be one of ${API_VERSIONS.map((v) => `"${v}"`).join(', ')}, instead was \`"${raw}"\`.`,
    );
  }
  c.set('version', raw);
  return next();
};

/** The header in which the browser app repeats its session's CSRF token. */
export const CSRF_HEADER = 'x-octavo-csrf';

/**
 * Finds the token's actor (ops/integrations.ts `tokenActors`: remembered per token, never past a
 * change of any integration, so a revoked token is refused from the next request on).
 * A request without an Authorization header may instead carry the browser app's session cookie
 * and, in `X-Octavo-CSRF`, that session's CSRF token: it then acts as the signed-in person
 * (ops/accounts.ts `actorForSession`). A cookie alone is refused like a missing token.
 */
export function bearerAuth(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const actorForToken = tokenActors(deps.store);
  // Postgres looks every token up again (another node may have revoked it). For a GET of a page
  // or a data source's query by a remembered token, the look-up rides in the route's first
  // statement instead (one round trip less; `confirmingToken`), when nothing between here and
  // the route acts on the actor.
  const deferrable = (c: Context<AppEnv>) =>
    deps.store.engine === 'postgres' &&
    !deps.rateLimiter &&
    !deps.emulator?.faults.rules.length &&
    ((c.req.method === 'GET' && PAGE_PATH.test(c.req.path)) ||
      (c.req.method === 'POST' && QUERY_PATH.test(c.req.path)));
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header === undefined) {
      const session = getCookie(c, SESSION_COOKIE);
      const csrf = c.req.header(CSRF_HEADER);
      if (!session || !csrf) throw errors.unauthorized();
      const actor = await actorForSession(deps.store, session, csrf, deps.clock?.() ?? new Date());
      if (!actor) throw errors.unauthorized();
      c.set('actor', actor);
      return next();
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw errors.unauthorized();
    const token = match[1]!;
    const known = deferrable(c) ? actorForToken.remembered(token) : null;
    if (known) {
      const pending: PendingToken = { ...known, lookup: () => actorForToken(token) };
      c.set('actor', known.actor);
      c.set('pendingToken', pending);
      await next();
      // Not confirmed by the route (it always does; this is the guarantee, not the path).
      if (c.get('pendingToken') === pending) {
        c.set('pendingToken', undefined);
        if (!(await pending.lookup())) {
          c.set('actor', undefined as never);
          c.res = renderError(c, errors.unauthorized());
        }
      }
      return;
    }
    const actor = await actorForToken(token);
    if (!actor) throw errors.unauthorized();
    c.set('actor', actor);
    return next();
  };
}

/**
 * The routes that confirm a deferred token: `GET /v1/pages/{id}` (pages.routes.ts) and
 * `POST /v1/data_sources/{id}/query` (databases.routes.ts).
 */
const PAGE_PATH = /^\/v1\/pages\/[^/]+$/;
const QUERY_PATH = /^\/v1\/data_sources\/[^/]+\/query$/;

/** A remembered token, taken on trust until the route's statement confirms it. */
export interface PendingToken {
  actor: Actor;
  check: TokenCheck;
  /** The token looked up as bearerAuth would have (null: unknown or revoked). */
  lookup: () => Promise<Actor | null>;
}

/**
 * Runs a route whose first statement can confirm the request's bearer token (`ReadOptions.token`)
 * when bearerAuth deferred its look-up. Unless that statement said the token's row is unchanged,
 * the token is looked up before anything is answered: revoked, the request is refused as
 * bearerAuth would have refused it; standing for another actor now, the route runs again as it.
 */
export async function confirmingToken(
  c: Context<AppEnv>,
  route: (token: TokenCheck | undefined) => Promise<Response>,
): Promise<Response> {
  const pending = c.get('pendingToken');
  if (!pending) return route(undefined);
  let outcome: { res: Response } | { err: unknown };
  try {
    outcome = { res: await route(pending.check) };
  } catch (err) {
    outcome = { err };
  }
  c.set('pendingToken', undefined);
  if (pending.check.ok !== true) {
    const actor = await pending.lookup();
    if (!actor) {
      c.set('actor', undefined as never);
      throw errors.unauthorized();
    }
    if (actor !== pending.actor) {
      c.set('actor', actor);
      c.set('mentioned', undefined);
      return route(undefined);
    }
  }
  if ('err' in outcome) throw outcome.err;
  return outcome.res;
}

export function rateLimit(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const limiter = deps.rateLimiter;
  if (!limiter) return (_c, next) => next();
  return async (c, next) => {
    const actor = c.get('actor');
    // A person's requests have their own bucket, as each integration's do.
    const wait = await limiter.take(actor.person ? `person:${actor.botUserId}` : actor.integrationId);
    if (wait > 0) {
      deps.metrics?.rateLimited();
      throw errors.rateLimited(wait);
    }
    return next();
  };
}

/**
 * Requests whose body is not JSON: file bytes (multipart/form-data). Their route reads the body
 * itself, with its own limits (api/multipart.ts), so the 500 KB JSON cap does not apply.
 */
const RAW_BODY = /^\/v1\/file_uploads\/[^/]+\/send\/?$/;

/**
 * Reads the JSON body of POST/PATCH (size, depth and string rules in api/body.ts); an absent body
 * is `{}` (the SDK omits empty bodies).
 */
export const jsonBody: MiddlewareHandler<AppEnv> = (c, next) => {
  if ((c.req.method === 'POST' || c.req.method === 'PATCH') && !RAW_BODY.test(c.req.path))
    return withBody(c, next);
  return next();
};

async function withBody(c: Context<AppEnv>, next: Next) {
  const text = await readBodyText(c.req.raw);
  const body = text.trim() === '' ? {} : parseBody(text);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError('validation_error', 'body failed validation: body should be an object.');
  }
  c.set('body', body);
  return next();
}
