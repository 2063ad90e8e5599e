/**
 * `GET /metrics`: the Prometheus text exposition, mounted only when OCTAVO_METRICS is on. Like
 * the health probes it needs no token; expose it to the scraper's network only (README).
 */
import { Hono } from 'hono';
import type { Metrics } from '../metrics.ts';
import type { AppEnv } from '../types.ts';

export function metricsRoutes(metrics: Metrics) {
  const routes = new Hono<AppEnv>();
  routes.get('/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, {
      'content-type': metrics.registry.contentType,
      'cache-control': 'no-store',
    }),
  );
  return routes;
}
