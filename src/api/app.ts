/**
 * The HTTP application: Notion's /v1 surface on Hono. `app.fetch` is a web-standard handler, so
 * tests hand it to the official SDK as its `fetch` and no socket is needed.
 */
import { Hono } from 'hono';
import { adminRoutes } from '../admin/admin.routes.ts';
import { automationHookRoutes } from '../admin/automations.routes.ts';
import { workerHookRoutes } from '../admin/workers.routes.ts';
import { FILES_PATH } from '../domain/file-uploads.ts';
import { createLogger } from '../lib/log.ts';
import { octavoVersion } from '../lib/version.ts';
import { oauthRoutes } from '../oauth/oauth.routes.ts';
import { webRoutes } from '../web/web.routes.ts';
import { errors } from '../wire/errors.ts';
import { API_VERSIONS, type ApiVersion, isApiVersion } from '../wire/versions.ts';
import { bearerAuth, jsonBody, notionVersion, rateLimit, requestId } from './middleware/core.ts';
import { faults, journal } from './middleware/emulator.ts';
import { readerMentions } from './middleware/mentions.ts';
import { requestLog } from './middleware/request-log.ts';
import { openApiDocument } from './openapi.ts';
import { renderError } from './respond.ts';
import { blocksRoutes } from './routes/blocks.routes.ts';
import { commentsRoutes } from './routes/comments.routes.ts';
import { databasesRoutes } from './routes/databases.routes.ts';
import { fileUploadsRoutes } from './routes/file-uploads.routes.ts';
import { filesRoutes } from './routes/files.routes.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { metricsRoutes } from './routes/metrics.routes.ts';
import { pagesRoutes } from './routes/pages.routes.ts';
import { searchRoutes } from './routes/search.routes.ts';
import { usersRoutes } from './routes/users.routes.ts';
import { viewsRoutes } from './routes/views.routes.ts';
import { workspaceExtrasRoutes } from './routes/workspace-extras.routes.ts';
import type { AppDeps, AppEnv } from './types.ts';

/** The app for `deps`; without a logger, server errors still go to standard error. */
export function createApp(appDeps: AppDeps) {
  // The emulator's clock, when there is one, is the app's clock.
  const em = appDeps.emulator;
  const deps: AppDeps = em && !appDeps.clock ? { ...appDeps, clock: em.clock.now } : appDeps;
  const logger =
    deps.logger ?? createLogger({ format: 'pretty', level: 'error', destination: process.stderr });
  const app = new Hono<AppEnv>();
  app.use('*', requestLog(logger, deps.metrics), requestId);
  app.onError((err, c) => renderError(c, err));

  const v1 = new Hono<AppEnv>();
  if (em) v1.use('*', journal(em));
  v1.use('*', notionVersion, bearerAuth(deps));
  if (em) v1.use('*', faults(em));
  v1.use('*', rateLimit(deps), jsonBody, readerMentions(deps));
  v1.route('/', usersRoutes(deps));
  v1.route('/', pagesRoutes(deps));
  v1.route('/', blocksRoutes(deps));
  v1.route('/', databasesRoutes(deps));
  v1.route('/', fileUploadsRoutes(deps));
  v1.route('/', searchRoutes(deps));
  v1.route('/', commentsRoutes(deps));
  v1.route('/', viewsRoutes(deps));
  v1.route('/', workspaceExtrasRoutes(deps));
  v1.all('*', () => {
    throw errors.invalidRequestUrl();
  });

  const openApiDocs = new Map<ApiVersion, object>();
  app.route('/', healthRoutes(deps));
  // Before /v1's middleware: the document needs no token or Notion-Version.
  app.get('/v1/openapi.json', (c) => {
    const asked = c.req.query('notion_version');
    if (asked !== undefined && !isApiVersion(asked)) {
      throw errors.validation(
        `notion_version should be one of ${API_VERSIONS.join(', ')}, instead was \`${JSON.stringify(asked)}\`.`,
      );
    }
    const version = asked ?? API_VERSIONS.at(-1)!;
    let doc = openApiDocs.get(version);
    if (!doc) {
      doc = openApiDocument(app.routes, { version: octavoVersion(), serverUrl: deps.publicUrl }, version);
      openApiDocs.set(version, doc);
    }
    return c.json(doc, 200, { 'cache-control': 'no-store' });
  });
  if (deps.metrics) app.route('/', metricsRoutes(deps.metrics));
  // Scripts run by automations reach /v1 through the app itself.
  const api = async (req: Request) => app.fetch(req);
  // Browser pages (sign-in, OAuth consent) and the OAuth token endpoints, before /v1's bearer auth.
  app.route('/', webRoutes({ ...deps, api }));
  app.route('/v1/oauth', oauthRoutes({ ...deps, readJson: jsonBody }));
  app.route('/v1', v1);
  app.route(FILES_PATH, filesRoutes(deps));
  // Inbound URLs of automations' webhook triggers (their token is the credential).
  app.route('/', automationHookRoutes({ store: deps.store, api }));
  // Inbound URLs of workers' webhook capabilities (the worker's hook token is the credential).
  app.route('/', workerHookRoutes({ store: deps.store, api, publicUrl: deps.publicUrl }));
  // The admin API reads bodies through the same reader as /v1 (size, depth, string cleaning).
  app.route(
    '/_octavo',
    adminRoutes({
      store: deps.store,
      readBody: jsonBody,
      publicUrl: deps.publicUrl,
      api,
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(em ? { emulator: { store: deps.store, publicUrl: deps.publicUrl, emulator: em } } : {}),
    }),
  );
  app.notFound((c) => renderError(c, errors.invalidRequestUrl()));
  return app;
}

export type App = ReturnType<typeof createApp>;
