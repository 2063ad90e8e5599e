/**
 * Prometheus metrics (prom-client), served at `GET /metrics` when OCTAVO_METRICS is on: requests
 * by route pattern, method and status, their latency, rate-limit refusals, the database pool's
 * connections (Postgres; SQLite has one connection and no pool) and Node's process metrics.
 * Each server has its own registry, so two apps in one process (tests) do not share counters.
 */
import { Counter, collectDefaultMetrics, Gauge, type Metric, Registry } from 'prom-client';

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
  // Node's process metrics. The event loop's delay is sampled every 100 ms rather than
  // prom-client's default 10 ms: that timer woke an idle server 100 times a second, about 5 ms
  // of CPU a second here, a few per cent of a busy server's requests (docs/benchmarks.md).
  collectDefaultMetrics({ register: registry, prefix: 'octavo_', eventLoopMonitoringPrecision: 100 });
  // The request counts and latencies are kept here, one entry per (route, method, status), and
  // handed to the registry when it is scraped: prom-client's own `inc` and `observe` hash their
  // label set on every call, which was most of what metrics added to a request
  // (docs/benchmarks.md). Routes are patterns, so there are few entries.
  const series = new Map<string, RequestSeries>();
  registry.registerMetric(
    scraped(
      'octavo_http_requests_total',
      'HTTP requests answered, by route pattern, method and status.',
      'counter',
      () => [...series.values()].map((s) => ({ labels: { ...s.labels }, value: s.count })),
      () => series.clear(),
    ),
  );
  registry.registerMetric(
    scraped(
      'octavo_http_request_duration_seconds',
      'Time from the request reaching the app to its response being ready, by route pattern, method and status.',
      'histogram',
      () => [...series.values()].flatMap(histogramSamples),
      () => series.clear(),
    ),
  );
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
  return {
    registry,
    observeRequest(route, method, status, seconds) {
      const key = `${method} ${status} ${route}`;
      let s = series.get(key);
      if (!s) {
        s = {
          labels: { route, method, status: String(status) },
          buckets: new Float64Array(BUCKETS.length),
          sum: 0,
          count: 0,
        };
        series.set(key, s);
      }
      let b = 0;
      while (b < BUCKETS.length && seconds > BUCKETS[b]!) b++;
      if (b < BUCKETS.length) s.buckets[b]!++;
      s.sum += seconds;
      s.count++;
    },
    rateLimited() {
      refusals.inc();
    },
  };
}

/** One (route, method, status): its labels, requests per latency bucket (not cumulative), sum and count. */
interface RequestSeries {
  labels: { route: string; method: string; status: string };
  buckets: Float64Array;
  sum: number;
  count: number;
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** A series' histogram samples as Prometheus shows them: cumulative buckets, `+Inf`, sum, count. */
function histogramSamples(s: RequestSeries): Sample[] {
  const name = 'octavo_http_request_duration_seconds';
  const out: Sample[] = [];
  let acc = 0;
  for (let b = 0; b < BUCKETS.length; b++) {
    acc += s.buckets[b]!;
    out.push({ labels: { le: BUCKETS[b]!, ...s.labels }, value: acc, metricName: `${name}_bucket` });
  }
  out.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${name}_bucket` });
  out.push({ labels: { ...s.labels }, value: s.sum, metricName: `${name}_sum` });
  out.push({ labels: { ...s.labels }, value: s.count, metricName: `${name}_count` });
  return out;
}

/**
 * A metric whose samples are read from `values` when the registry is scraped, in the form the
 * registry writes out (what prom-client's own metrics answer from `get`).
 */
function scraped(
  name: string,
  help: string,
  type: 'counter' | 'histogram',
  values: () => Sample[],
  reset: () => void,
): Metric {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    // The registry may rename a metric (OpenMetrics): the name is read when it is written out.
    get: async () => ({ name: metric.name, help, type, values: values(), aggregator: 'sum' }),
    reset,
  };
  return metric as unknown as Metric;
}
