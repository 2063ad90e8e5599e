/**
 * `node bench/events.ts`: the write throughput that recording change events costs. The real
 * server (loopback, fresh data, rate limit off) on SQLite and, when reachable, Postgres; autocannon
 * POSTs pages under one parent for BENCH_SECONDS (10) with BENCH_CONNECTIONS (10). Each run prints
 * requests per second, latency, the server process's CPU time per request (user + system, from
 * /proc: less disturbed by a busy machine than wall time) and the load average when it began.
 *
 * A/B: BENCH_BASELINE=/path/to/checkout runs that checkout's `bin/octavo.js` (with its own
 * node_modules) against this one, BENCH_PAIRS (3) pairs per engine, interleaved and the order
 * swapped every pair, so both see the same load from whatever else runs; then the mean of each
 * side and this side's cost against the baseline. To measure what recording costs, the baseline
 * is a throwaway clone of this commit whose `recordEvents` returns at once.
 * BENCH_ENGINES=postgres (or sqlite) runs one engine only.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { PG_URL, postgresReachable, VERSION } from './common.ts';
import { startServer } from './server.ts';

const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const BASELINE = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : null;
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const BODY = (parent: string) =>
  JSON.stringify({
    parent: { page_id: parent },
    properties: { title: { title: [{ text: { content: 'Bench' } }] } },
  });

interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Server CPU milliseconds (user + system) per request served. */
  cpuMs: number;
  load: number;
}

/** User + system CPU time of a process in milliseconds (Linux /proc; NaN elsewhere). */
function cpuTimeMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

async function run(env: NodeJS.ProcessEnv, bin?: string): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'octavo-bench-events-'));
  const schema = `octavo_bench_events_${process.pid}_${Date.now().toString(36)}`;
  const pgEnv = env.DATABASE_URL ? { OCTAVO_PG_SCHEMA: schema } : {};
  try {
    const load = loadavg()[0]!;
    const server = await startServer(['--data', dir], { ...env, ...pgEnv }, bin);
    try {
      const cpuBefore = cpuTimeMs(server.child.pid);
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
      const cpu = cpuTimeMs(server.child.pid) - cpuBefore;
      return {
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.non2xx,
        cpuMs: cpu / Math.max(1, result.requests.total),
        load,
      };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (env.DATABASE_URL) {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
  }
}

const show = (r: Run) =>
  `${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, server CPU ${r.cpuMs.toFixed(2)} ms/req, errors ${r.errors}, load ${r.load.toFixed(2)}`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function engine(name: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (!BASELINE) {
    console.log(`${name}: POST /v1/pages ${show(await run(env))}`);
    return;
  }
  const baselineBin = join(BASELINE, 'bin', 'octavo.js');
  const here: Run[] = [];
  const base: Run[] = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    const order = pair % 2 === 0 ? (['here', 'baseline'] as const) : (['baseline', 'here'] as const);
    for (const side of order) {
      const r = side === 'here' ? await run(env) : await run(env, baselineBin);
      (side === 'here' ? here : base).push(r);
      console.log(`${name} pair ${pair + 1} ${side.padEnd(8)}: ${show(r)}`);
    }
  }
  const cost = 1 - mean(here.map((r) => r.rps)) / mean(base.map((r) => r.rps));
  const pairCosts = here.map((r, i) => `${((1 - r.rps / base[i]!.rps) * 100).toFixed(1)} %`);
  console.log(
    `${name}: this ${mean(here.map((r) => r.rps)).toFixed(0)} req/s (CPU ${mean(here.map((r) => r.cpuMs)).toFixed(2)} ms/req), baseline ${mean(base.map((r) => r.rps)).toFixed(0)} req/s (CPU ${mean(base.map((r) => r.cpuMs)).toFixed(2)} ms/req): throughput cost ${(cost * 100).toFixed(1)} % (pairs: ${pairCosts.join(', ')})`,
  );
}

const baseEnv: NodeJS.ProcessEnv = { ...process.env, OCTAVO_RATE_LIMIT: 'off' };
for (const key of ['DATABASE_URL', 'OCTAVO_PG_SCHEMA', 'PORT']) delete baseEnv[key];
console.log(
  `machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim()}), node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}${BASELINE ? `; baseline ${BASELINE}, ${PAIRS} pairs` : ''}`,
);
if (ENGINES.includes('sqlite')) await engine('SQLite', baseEnv);
if (ENGINES.includes('postgres') && (await postgresReachable()))
  await engine('Postgres', { ...baseEnv, DATABASE_URL: PG_URL });
