/**
 * The admin HTTP API under `/_octavo`: managing the server rather than speaking Notion's API.
 * Authenticated with the admin token (`Authorization: Bearer oat_…`); errors use the same
 * envelope as `/v1`. Today: integrations (list, create, update, revoke, rotate, delete), the
 * operations `octavo integration …` runs, and the routes mounted below; every route is
 * described in `GET /_octavo/openapi.json` (admin/openapi.ts). Handlers are as thin as api/'s:
 * parse, one transaction of an operation, answer.
 */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { CAPABILITIES } from '../domain/capabilities.ts';
import { octavoVersion } from '../lib/version.ts';
import { isAdminToken } from '../ops/admin-token.ts';
import {
  createIntegration,
  deleteIntegration,
  listIntegrations,
  revokeIntegration,
  rotateIntegrationToken,
  updateIntegration,
} from '../ops/integrations.ts';
import type { IntegrationRow, Store } from '../store/store.ts';
import { ApiError, errors } from '../wire/errors.ts';
import { parseWith } from '../wire/validation.ts';
import { automationRoutes } from './automations.routes.ts';
import { type EmulatorDeps, emulatorRoutes, jsonOrYamlBody } from './emulator.routes.ts';
import { CreateIntegrationBody, UpdateIntegrationBody } from './integrations.schema.ts';
import { publicIntegrationRoutes } from './oauth.routes.ts';
import { ADMIN_BASE, adminOpenApiDocument } from './openapi.ts';
import { scriptRoutes } from './scripts.routes.ts';
import { webhookRoutes } from './webhooks.routes.ts';
import { workerRoutes } from './workers.routes.ts';

export interface AdminDeps {
  store: Store;
  /** The API's JSON body reader, run after authentication; it sets the `body` variable. */
  readBody: MiddlewareHandler;
  clock?: () => Date;
  /** The server's public URL, for the OpenAPI document's `servers` (default: the request's origin). */
  publicUrl?: string;
  /** The emulator controls (seed, reset, snapshots, clock, faults, requests), when the server has them. */
  emulator?: EmulatorDeps;
  /** The app's own `fetch`: scripts run by automations reach /v1 through it. */
  api?: (req: Request) => Promise<Response>;
}

/** An integration as the admin API shows it (never its token or token hash). */
function presentIntegration(row: IntegrationRow) {
  return {
    object: 'integration',
    id: row.id,
    name: row.name,
    bot_user_id: row.bot_user_id,
    capabilities: JSON.parse(row.capabilities) as string[],
    created_time: row.created_time,
    revoked_time: row.revoked_time,
  };
}

function adminAuth(store: Store): MiddlewareHandler {
  return async (c, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    if (!match || !(await isAdminToken(store, match[1]!))) {
      throw new ApiError('unauthorized', 'Admin token is invalid.');
    }
    await next();
  };
}

/** The parsed JSON body of POST and PATCH, read by the API's one body reader (api/body.ts). */
type AdminEnv = { Variables: { body: unknown } };

export function adminRoutes(deps: AdminDeps) {
  const r = new Hono<AdminEnv>();
  const now = () => (deps.clock?.() ?? new Date()).toISOString();
  /** The integration a path names, by id or by name. */
  const nameIn = async (c: Context<AdminEnv>) => {
    const key = decodeURIComponent(c.req.param('integration') ?? '');
    const row = await deps.store.transaction(
      async (tx) => (await tx.integrations.get(key)) ?? (await tx.integrations.getByName(key)),
    );
    if (!row) throw new ApiError('object_not_found', `Could not find integration: ${key}.`);
    return row.name;
  };
  // The document is served without the admin token, as /v1/openapi.json is without one: it holds
  // no data, only the request shapes that are in the source of every Octavo of this version, and
  // API tools (viewers, client generators) fetch a document before they hold credentials.
  let doc: object | undefined;
  r.get('/openapi.json', (c) => {
    doc ??= adminOpenApiDocument(
      r.routes.map((route) => ({ method: route.method, path: ADMIN_BASE + route.path })),
      { version: octavoVersion(), serverUrl: deps.publicUrl ?? new URL(c.req.url).origin },
    );
    return c.json(doc, 200, { 'cache-control': 'no-store' });
  });
  r.use('*', adminAuth(deps.store), jsonOrYamlBody(deps.readBody));

  r.get('/integrations', async (c) => {
    const rows = await deps.store.transaction((tx) => listIntegrations(tx));
    return c.json({ object: 'list', results: rows.map(presentIntegration) });
  });

  r.post('/integrations', async (c) => {
    const body = parseWith(CreateIntegrationBody, c.get('body'));
    const made = await deps.store.transaction((tx) =>
      createIntegration(tx, {
        name: body.name,
        capabilities: body.capabilities ?? [...CAPABILITIES],
        now: now(),
      }),
    );
    return c.json({ ...presentIntegration(made.integration), token: made.token });
  });

  r.patch('/integrations/:integration', async (c) => {
    const name = await nameIn(c);
    const body = parseWith(UpdateIntegrationBody, c.get('body'));
    const row = await deps.store.transaction((tx) =>
      updateIntegration(tx, { name, newName: body.name, capabilities: body.capabilities }),
    );
    return c.json(presentIntegration(row));
  });

  r.post('/integrations/:integration/revoke', async (c) => {
    const name = await nameIn(c);
    const row = await deps.store.transaction((tx) => revokeIntegration(tx, { name, now: now() }));
    return c.json(presentIntegration(row));
  });

  r.post('/integrations/:integration/rotate', async (c) => {
    const name = await nameIn(c);
    const made = await deps.store.transaction((tx) => rotateIntegrationToken(tx, { name }));
    return c.json({ ...presentIntegration(made.integration), token: made.token });
  });

  r.delete('/integrations/:integration', async (c) => {
    const name = await nameIn(c);
    const row = await deps.store.transaction((tx) => deleteIntegration(tx, { name }));
    return c.json(presentIntegration(row));
  });

  r.route('/', webhookRoutes(deps));
  r.route('/', automationRoutes(deps));
  r.route('/', scriptRoutes(deps));
  r.route('/', workerRoutes(deps));
  if (deps.emulator) r.route('/', emulatorRoutes(deps.emulator));
  r.route('/', publicIntegrationRoutes({ store: deps.store, now }));

  r.all('*', () => {
    throw errors.invalidRequestUrl();
  });
  return r;
}
