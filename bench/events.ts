/**
 * `node bench/events.ts`: the write throughput that recording change events costs. The real
 * server (loopback, fresh data, rate limit off) on SQLite and, when reachable, Postgres; autocannon
 * POSTs pages under one parent for BENCH_SECONDS (10) with BENCH_CONNECTIONS (10), then counts the
 * events recorded. Run it once as is and once with recording switched off to compare (the
 * comparison in docs/benchmarks.md made `recordEvents` return at once for the second run).
 * BENCH_ENGINES=postgres (or sqlite) runs one engine only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { PG_URL, postgresReachable, VERSION } from './common.ts';
import { startServer } from './server.ts';

const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const BODY = (parent: string) =>
  JSON.stringify({
    parent: { page_id: parent },
    properties: { title: { title: [{ text: { content: 'Bench' } }] } },
  });

async function run(engine: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'octavo-bench-events-'));
  try {
    const server = await startServer(['--data', dir], env);
    try {
      const result = await autocannon({
        url: `${server.url}/v1/pages`,
        connections: CONNECTIONS,
        duration: SECONDS,
        method: 'POST',
        headers: {
          Authorization: `Bearer ${server.token}`,
          'Notion-Version': VERSION,
          'content-type': 'application/json',
        },
        body: BODY(server.pageId),
      });
      const errors = result.errors + result.non2xx;
      return `${engine}: POST /v1/pages ${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${errors}`;
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const baseEnv: NodeJS.ProcessEnv = { ...process.env, OCTAVO_RATE_LIMIT: 'off' };
for (const key of ['DATABASE_URL', 'OCTAVO_PG_SCHEMA', 'PORT']) delete baseEnv[key];
console.log(
  `machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim()}), node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
if (ENGINES.includes('sqlite')) console.log(await run('SQLite', baseEnv));
if (ENGINES.includes('postgres') && (await postgresReachable())) {
  const schema = `octavo_bench_events_${process.pid}`;
  try {
    console.log(await run('Postgres', { ...baseEnv, DATABASE_URL: PG_URL, OCTAVO_PG_SCHEMA: schema }));
  } finally {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  }
}
