/** GET /metrics: Prometheus text, off unless configured; requests by route pattern and status. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/api/metrics.ts';
import { loadConfig } from '../../src/config.ts';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

/** The value of one sample line, `name{labels} value`, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!] as const),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describeEngines('GET /metrics', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine, {
      metrics: (store) => createMetrics({ pool: store.poolUse }),
      rateLimit: { ratePerSecond: 1, burst: 3 },
    });
  });
  afterAll(() => h.close());

  const scrape = async () => {
    const res = await h.request('/metrics', { version: null, token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it('counts requests by route pattern, method and status, with latency histograms', async () => {
    const before = await scrape();
    const page = (id: string) => h.request(`/v1/pages/${id}`);
    expect((await page(h.rootPageId)).status).toBe(200);
    expect((await page('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const text = await scrape();
    const route = '/v1/pages/:page_id';
    const ok = { route, method: 'GET', status: '200' };
    expect(sample(text, 'octavo_http_requests_total', ok)).toBe(
      (sample(before, 'octavo_http_requests_total', ok) ?? 0) + 1,
    );
    expect(
      sample(text, 'octavo_http_requests_total', { route, method: 'GET', status: '404' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'octavo_http_request_duration_seconds_count', ok)).toBe(
      sample(text, 'octavo_http_requests_total', ok),
    );
    expect(sample(text, 'octavo_http_request_duration_seconds_bucket', { ...ok, le: '+Inf' })).toBe(
      sample(text, 'octavo_http_requests_total', ok),
    );
    // Ids never become labels: one series per endpoint.
    expect(text).not.toContain(h.rootPageId);
    expect(sample(text, 'octavo_process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('counts rate-limit refusals', async () => {
    const before = sample(await scrape(), 'octavo_rate_limit_refusals_total') ?? 0;
    let refused = 0;
    for (let i = 0; i < 6; i++) if ((await h.request('/v1/users/me')).status === 429) refused++;
    expect(refused).toBeGreaterThan(0);
    const text = await scrape();
    expect(sample(text, 'octavo_rate_limit_refusals_total')).toBe(before + refused);
    expect(
      sample(text, 'octavo_http_requests_total', { route: '/v1/users/me', method: 'GET', status: '429' }),
    ).toBe(refused);
  });

  it(
    engine === 'postgres'
      ? 'shows the Postgres pool: open, idle and waiting connections'
      : 'has no pool gauges on SQLite (one connection, no pool)',
    async () => {
      const text = await scrape();
      if (engine === 'postgres') {
        expect(sample(text, 'octavo_db_pool_connections')).toBeGreaterThanOrEqual(1);
        expect(sample(text, 'octavo_db_pool_idle_connections')).toBeGreaterThanOrEqual(0);
        expect(sample(text, 'octavo_db_pool_waiting_clients')).toBe(0);
      } else {
        expect(text).not.toContain('octavo_db_pool');
      }
    },
  );
});

describe('metrics switched off', () => {
  it('is off by default: no /metrics route', async () => {
    expect(loadConfig({}, {}).metrics).toBe(false);
    expect(loadConfig({}, { OCTAVO_METRICS: '1' }).metrics).toBe(true);
    expect(() => loadConfig({}, { OCTAVO_METRICS: 'yes' })).toThrow(/OCTAVO_METRICS must be/);
    const h = await startHarness('sqlite');
    try {
      const res = await h.request('/metrics', { version: null, token: null });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('invalid_request_url');
    } finally {
      await h.close();
    }
  });
});

describe('request metrics as the registry writes them', () => {
  it('counts each latency in the first bucket it fits, cumulatively, with +Inf, sum, count and types', async () => {
    const metrics = createMetrics();
    const route = '/v1/pages/:page_id';
    for (const s of [0.0005, 0.001, 0.003, 20]) metrics.observeRequest(route, 'GET', 200, s);
    metrics.observeRequest(route, 'PATCH', 400, 0.2);
    const text = await metrics.registry.metrics();
    const ok = { route, method: 'GET', status: '200' };
    const bucket = (le: string) => sample(text, 'octavo_http_request_duration_seconds_bucket', { ...ok, le });
    expect([bucket('0.001'), bucket('0.0025'), bucket('0.005'), bucket('10'), bucket('+Inf')]).toEqual([
      2, 2, 3, 3, 4,
    ]);
    expect(sample(text, 'octavo_http_request_duration_seconds_sum', ok)).toBeCloseTo(20.0045, 10);
    expect(sample(text, 'octavo_http_request_duration_seconds_count', ok)).toBe(4);
    expect(sample(text, 'octavo_http_requests_total', ok)).toBe(4);
    expect(sample(text, 'octavo_http_requests_total', { route, method: 'PATCH', status: '400' })).toBe(1);
    expect(
      sample(text, 'octavo_http_request_duration_seconds_bucket', {
        route,
        method: 'PATCH',
        status: '400',
        le: '0.1',
      }),
    ).toBe(0);
    expect(text).toContain('# TYPE octavo_http_requests_total counter');
    expect(text).toContain('# TYPE octavo_http_request_duration_seconds histogram');
    expect(text).toContain('# HELP octavo_http_requests_total HTTP requests answered');
    // Reset as prom-client's own metrics are.
    metrics.registry.resetMetrics();
    expect(sample(await metrics.registry.metrics(), 'octavo_http_requests_total', ok)).toBeUndefined();
  });
});
