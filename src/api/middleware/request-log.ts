/**
 * One log entry per request, written when its response is ready: method, route pattern (ids
 * left out, so entries group by endpoint), status, latency, integration and request id.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { type Logger, rawWriter } from '../../lib/log.ts';
import type { Metrics } from '../metrics.ts';
import type { AppEnv } from '../types.ts';

/**
 * The outermost middleware: hands the logger to the request, logs its outcome and, when metrics
 * are on, counts it under the same route pattern.
 */
export function requestLog(logger: Logger, metrics?: Metrics): MiddlewareHandler<AppEnv> {
  const raw = rawWriter(logger);
  // The JSON of what repeats from line to line, made once: `"method":…,"route":…` by method and
  // route pattern, `,"integration":…` by integration id (bounded: ids come and go).
  const heads = new Map<string, string>();
  const integrations = new Map<string, string>();
  return async (c, next) => {
    const started = performance.now();
    c.set('log', logger);
    await next();
    const logging = logger.isLevelEnabled('info');
    if (!logging && !metrics) return;
    const status = c.res.status;
    const ms = performance.now() - started;
    const route = endpointOf(c);
    const method = c.req.method;
    metrics?.observeRequest(route, method, status, ms / 1000);
    if (!logging) return;
    const rounded = Math.round(ms * 100) / 100;
    const integration = c.get('actor')?.integrationId;
    const requestId = c.get('requestId');
    const failure = c.get('failure');
    if (!raw) {
      logger.info(
        { method, route, status, ms: rounded, integration, request_id: requestId, failure },
        'request',
      );
      return;
    }
    // The line pino would write for that call (same keys, order and JSON), built directly: the
    // generic serialiser was most of the log's own cost per request (docs/benchmarks.md).
    const headKey = `${method} ${route}`;
    let head = heads.get(headKey);
    if (head === undefined) {
      head = `"method":${JSON.stringify(method)},"route":${JSON.stringify(route)}`;
      heads.set(headKey, head);
    }
    let who = '';
    if (integration !== undefined) {
      who = integrations.get(integration) ?? '';
      if (who === '') {
        who = `,"integration":${JSON.stringify(integration)}`;
        if (integrations.size >= 1000) integrations.clear();
        integrations.set(integration, who);
      }
    }
    raw(
      `{"level":30,"time":${Date.now()},${head},"status":${status},"ms":${rounded}${who}${
        // The request id is a UUID made by `requestId`: nothing in it to escape.
        requestId === undefined ? '' : `,"request_id":"${requestId}"`
      }${failure === undefined ? '' : `,"failure":${JSON.stringify(failure)}`},"msg":"request"}\n`,
    );
  };
}

/**
 * The endpoint's pattern (`/v1/pages/:page_id`): the route whose handler answered, or, when a
 * middleware answered first (auth, rate limit), the first route of a method that matched, which
 * would have run next (middleware and the catch-all of unknown paths are registered for all
 * methods). An unknown path gives the catch-all's `/v1/*`.
 */
function endpointOf(c: Context<AppEnv>): string {
  const routes = matchedRoutes(c);
  const answered = routes[c.req.routeIndex];
  if (answered && answered.method !== 'ALL') return answered.path;
  return (routes.find((r) => r.method !== 'ALL') ?? routes.at(-1))?.path ?? c.req.path;
}
