/**
 * Probes for process supervisors and load balancers, outside /v1 and without a token:
 * `/healthz` says the process answers HTTP, `/readyz` that it can serve requests (storage
 * reachable and at the schema this code expects).
 */
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../types.ts';

/** Liveness and readiness routes; `readyz` asks the store each time (one cheap read). */
export function healthRoutes(deps: AppDeps) {
  const routes = new Hono<AppEnv>();
  routes.get('/healthz', (c) => c.json({ status: 'ok' }, 200, { 'cache-control': 'no-store' }));
  routes.get('/readyz', async (c) => {
    // A server draining for shutdown still answers requests but wants no new traffic.
    if (deps.accepting?.() === false) {
      return c.json({ status: 'unavailable', reason: 'shutting down' }, 503, { 'cache-control': 'no-store' });
    }
    const reason = await deps.store.notReadyReason();
    if (reason === null) return c.json({ status: 'ok' }, 200, { 'cache-control': 'no-store' });
    // Only the kind of problem goes out; the detail (addresses, driver messages) is for the log.
    c.set('failure', reason);
    const status = reason.startsWith('migrations') ? 'migrations pending' : 'storage unreachable';
    return c.json({ status: 'unavailable', reason: status }, 503, { 'cache-control': 'no-store' });
  });
  return routes;
}
