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
    const method = c.req.method;
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
    raw(
      `{"level":30,"time":${Date.now()},"method":${JSON.stringify(method)},"route":${JSON.stringify(route)},"status":${status},"ms":${rounded}${
        integration === undefined ? '' : `,"integration":${JSON.stringify(integration)}`
      }${requestId === undefined ? '' : `,"request_id":${JSON.stringify(requestId)}`}${
        failure === undefined ? '' : `,"failure":${JSON.stringify(failure)}`
      },"msg":"request"}\n`,
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
