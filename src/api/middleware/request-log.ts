/**
 * One log entry per request, written when its response is ready: method, route pattern (ids
 * left out, so entries group by endpoint), status, latency, integration and request id.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Logger } from '../../lib/log.ts';
import type { Metrics } from '../metrics.ts';
import type { AppEnv } from '../types.ts';

/**
 * The outermost middleware: hands the logger to the request, logs its outcome and, when metrics
 * are on, counts it under the same route pattern.
 */
export function requestLog(logger: Logger, metrics?: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    c.set('log', logger);
    await next();
    const logging = logger.isLevelEnabled('info');
    if (!logging && !metrics) return;
    const status = c.res.status;
    const ms = performance.now() - started;
    const route = endpointOf(c);
    metrics?.observeRequest(route, c.req.method, status, ms / 1000);
    if (!logging) return;
    logger.info(
      {
        method: c.req.method,
        route,
        status,
        ms: Math.round(ms * 100) / 100,
        integration: c.get('actor')?.integrationId,
        request_id: c.get('requestId'),
        failure: c.get('failure'),
      },
      'request',
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
