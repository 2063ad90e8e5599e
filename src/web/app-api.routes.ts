/**
 * `/app/api/…`: the browser app's workspace administration, the part of the app that is not
 * Notion's API (which the app reaches through /v1). One authentication for all of it: the session
 * cookie and, in `X-Octavo-CSRF`, the session's CSRF token (a cookie alone is 401), as for the
 * app's /v1 requests; JSON bodies capped at 64 KB; Notion's error shape; any other path is
 * `invalid_request_url`. The rooms: integrations and connections (integrations.routes.ts),
 * webhook subscriptions (webhooks.routes.ts), automations (automations.routes.ts), the request
 * journal and the emulator controls (emulator.routes.ts). Handlers call the same operations as
 * the CLI and the admin API.
 *
 * Who may: any signed-in person (`requirePerson`). Octavo's people have no roles yet: a person
 * is a member of the one workspace and already edits every page; when roles come, the check
 * goes in `sessionAuth`, the one door of these routes.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { actorForSession } from '../ops/accounts.ts';
import { errors } from '../wire/errors.ts';
import type { AppApiEnv } from './app-api.ts';
import { automationAppRoutes } from './automations.routes.ts';
import { emulatorAppRoutes } from './emulator.routes.ts';
import { integrationAdminRoutes } from './integrations.routes.ts';
import { nowOf, SESSION_COOKIE, type WebDeps } from './session.ts';
import { webhookAppRoutes } from './webhooks.routes.ts';

/** The header in which the app repeats its session's CSRF token (as for /v1). */
const CSRF_HEADER = 'x-octavo-csrf';

function sessionAuth(deps: WebDeps): MiddlewareHandler<AppApiEnv> {
  return async (c, next) => {
    const session = getCookie(c, SESSION_COOKIE);
    const csrf = c.req.header(CSRF_HEADER);
    if (!session || !csrf) throw errors.unauthorized();
    const person = await actorForSession(deps.store, session, csrf, nowOf(deps));
    if (!person) throw errors.unauthorized();
    c.set('person', person);
    await next();
  };
}

export function appApiRoutes(deps: WebDeps) {
  const r = new Hono<AppApiEnv>();
  r.use(
    '*',
    sessionAuth(deps),
    bodyLimit({
      maxSize: 64 * 1024,
      onError: () => {
        throw errors.validation('The request body is too large.');
      },
    }),
  );
  r.route('/', integrationAdminRoutes(deps));
  r.route('/', webhookAppRoutes(deps));
  r.route('/', automationAppRoutes(deps));
  if (deps.emulator) r.route('/', emulatorAppRoutes(deps, deps.emulator));
  r.all('*', () => {
    throw errors.invalidRequestUrl();
  });
  return r;
}
