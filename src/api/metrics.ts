/**
 * Prometheus metrics (prom-client), served at `GET /metrics` when OCTAVO_METRICS is on: requests
 * by route pattern, method and status, their latency, rate-limit refusals, the database pool's
 * connections (Postgres; SQLite has one connection and no pool) and Node's process metrics.
 * Each server has its own registry, so two apps in one process (tests) do not share counters.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Connections of a database pool at one moment (node-pg's `totalCount`, `idleCount`, `waitingCount`). */
export interface PoolUse {
  total: number;
  idle: number;
  waiting: number;
}

export interface Metrics {
  readonly registry: Registry;
  /** One finished request: its route pattern (`/v1/pages/:page_id`), method, status, seconds. */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  /** One request refused by the rate limiter (429 rate_limited). */
  rateLimited(): void;
}

/**
 * Latency buckets in seconds: a millisecond to ten seconds. Most API requests land in the
 * 1–50 ms buckets on a local database; the upper ones catch uploads and slow queries.
 */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Builds a registry; `pool` is read at each scrape (absent on SQLite: no pool gauges). */
export function createMetrics(options: { pool?: (() => PoolUse) | undefined } = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'octavo_' });
  const requests = new Counter({
    name: 'octavo_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'octavo_http_request_duration_seconds',
    help: 'Time from the request reaching the app to its response being ready, by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'octavo_rate_limit_refusals_total',
    help: 'Requests refused with 429 rate_limited.',
    registers: [registry],
  });
  const { pool } = options;
  if (pool) {
    const gauge = (name: string, help: string, read: (u: PoolUse) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read(pool()));
        },
      });
    gauge('octavo_db_pool_connections', 'Open connections of the Postgres pool.', (u) => u.total);
    gauge('octavo_db_pool_idle_connections', 'Open connections of the pool not in use.', (u) => u.idle);
    gauge(
      'octavo_db_pool_waiting_clients',
      'Queries waiting for a connection of the pool (all busy).',
      (u) => u.waiting,
    );
  }
  // The labelled series of each (route, method, status), kept: prom-client hashes the label set
  // on every `inc(labels)`, which was most of what metrics added to a request (benchmarks.md).
  // Routes are patterns, so there are few of them.
  const series = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>();
  return {
    registry,
    observeRequest(route, method, status, seconds) {
      const key = `${method} ${status} ${route}`;
      let s = series.get(key);
      if (!s) {
        const labels = { route, method, status: String(status) };
        s = { count: requests.labels(labels), time: latency.labels(labels) };
        series.set(key, s);
      }
      s.count.inc();
      s.time.observe(seconds);
    },
    rateLimited() {
      refusals.inc();
    },
  };
}
