/**
 * `/app/api/…`: the part of the browser app's server that is not Notion's API (which the app
 * reaches through /v1). One authentication for all of it: the session cookie and, in
 * `X-Octavo-CSRF`, the session's CSRF token (a cookie alone is 401), as for the app's /v1
 * requests; JSON bodies capped at 64 KB; Notion's error shape; any other path is
 * `invalid_request_url`. The rooms: what an id names (kinds.routes.ts), integrations and
 * connections (integrations.routes.ts), webhook subscriptions (webhooks.routes.ts), automations
 * (automations.routes.ts), the request journal and the emulator controls (emulator.routes.ts).
 * Handlers call the same operations as the CLI and the admin API.
 *
 * Who may (`adminOnly`): the workspace's management is for admins (ops/invitations.ts roles):
 * creating, renaming, rotating, revoking and deleting integrations and changing their
 * capabilities, webhook subscriptions and their deliveries, automations and their runs, the
 * request log and the emulator controls (and, in invitations.routes.ts, members and
 * invitations). A member gets 403 `restricted_resource` naming what only an admin may do. What a
 * member may: what an id names (`GET /kinds/{id}`), a page's Connections
 * (`/pages/{id}/connections`: every person edits every page, sharing one with an integration
 * included, as in Notion), the list of integrations (`GET /integrations`) they choose from there,
 * and a board view's card order (`/views/{id}/card_order`, views.routes.ts).
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { actorForSession } from '../ops/accounts.ts';
import { requireAdmin } from '../ops/invitations.ts';
import { errors } from '../wire/errors.ts';
import type { AppApiEnv } from './app-api.ts';
import { automationAppRoutes } from './automations.routes.ts';
import { emulatorAppRoutes } from './emulator.routes.ts';
import { integrationAdminRoutes } from './integrations.routes.ts';
import { kindAppRoutes } from './kinds.routes.ts';
import { nowOf, SESSION_COOKIE, type WebDeps } from './session.ts';
import { viewAppRoutes } from './views.routes.ts';
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

/**
 * What a member may reach here: what an id names, a page's Connections, and the integrations to
 * pick from.
 */
function memberMay(method: string, path: string): boolean {
  if (method === 'GET' && /^\/kinds\/[^/]+\/?$/.test(path)) return true;
  if (/^\/pages\/[^/]+\/connections(\/[^/]+)?\/?$/.test(path)) return true;
  if (/^\/views\/[^/]+\/card_order\/?$/.test(path)) return true;
  return method === 'GET' && /^\/integrations\/?$/.test(path);
}

/** What a refused member is told they tried, by the path's first segment. */
const AREAS: Record<string, string> = {
  integrations: 'create, rename, rotate, revoke or delete integrations or change their capabilities',
  webhooks: 'manage webhook subscriptions',
  webhook_deliveries: 'manage webhook subscriptions',
  automations: 'manage automations',
  automation_runs: 'manage automations',
  requests: 'read the request log',
  emulator: 'use the emulator controls',
};

/** Everything but what a member may is for workspace admins (403 `restricted_resource`). */
function adminOnly(deps: WebDeps, mount: string): MiddlewareHandler<AppApiEnv> {
  return async (c, next) => {
    const path = c.req.path.slice(mount.length) || '/';
    if (!memberMay(c.req.method, path)) {
      const area = AREAS[path.split('/')[1] ?? ''] ?? 'manage the workspace';
      await deps.store.transaction((tx) => requireAdmin(tx, c.get('person').botUserId, area));
    }
    await next();
  };
}

export function appApiRoutes(deps: WebDeps, mount = '/app/api') {
  const r = new Hono<AppApiEnv>();
  r.use(
    '*',
    sessionAuth(deps),
    adminOnly(deps, mount),
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
  r.route('/', viewAppRoutes(deps));
  r.route('/', kindAppRoutes(deps));
  if (deps.emulator) r.route('/', emulatorAppRoutes(deps, deps.emulator));
  r.all('*', () => {
    throw errors.invalidRequestUrl();
  });
  return r;
}
