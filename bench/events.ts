/**
 * `node bench/events.ts`: the write throughput that recording change events costs. The real
 * server (loopback, fresh data, rate limit off) on SQLite and, when reachable, Postgres; autocannon
 * POSTs pages under one parent with BENCH_CONNECTIONS (10) connections for BENCH_SECONDS (10).
 * Reported: requests per second, latency, and CPU time per request (user + system, from /proc) of
 * the server process and, on Postgres, of its database backends: less disturbed by a busy machine
 * than wall time, and what bounds throughput on a machine where they share the cores.
 *
 * A/B: BENCH_BASELINE=/path/to/checkout also serves that checkout's `bin/octavo.js` (with its own
 * node_modules), and both servers, up side by side, take the load in turns: windows of
 * BENCH_WINDOW_MS (1000), this side and the baseline alternating (ABBA…), BENCH_SECONDS per side
 * per pair, BENCH_PAIRS (3) pairs per engine, after BENCH_WARMUP_MS (2000) of load on each side
 * that is not counted. Interleaving this finely lets both see the same
 * load from whatever else runs on the machine. To measure what recording costs, the baseline is
 * a throwaway clone of this commit whose `recordEvents` returns at once.
 * BENCH_ENGINES=postgres (or sqlite) runs one engine only.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { PG_URL, postgresReachable, VERSION } from './common.ts';
import { type BenchServer, startServer } from './server.ts';

const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const BASELINE = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : null;
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 1000);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 2000);
const BODY = (parent: string) =>
  JSON.stringify({
    parent: { page_id: parent },
    properties: { title: { title: [{ text: { content: 'Bench' } }] } },
  });

/** User + system CPU time of a process in milliseconds (Linux /proc; 0 once it is gone). */
function cpuTimeMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** One server under load: its process and, on Postgres, its backends (by application_name). */
interface Side {
  name: string;
  server: BenchServer;
  app: string | null;
  requests: number;
  errors: number;
  elapsedMs: number;
  serverCpuMs: number;
  dbCpuMs: number;
  p50: number[];
  cleanup: () => Promise<void>;
}

async function backendsCpu(app: string | null): Promise<Map<number, number>> {
  if (!app) return new Map();
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query('select pid from pg_stat_activity where application_name = $1', [
      app,
    ]);
    return new Map(rows.map((r: { pid: number }) => [r.pid, cpuTimeMs(r.pid)]));
  } finally {
    await client.end();
  }
}

async function up(name: string, env: NodeJS.ProcessEnv, root?: string): Promise<Side> {
  const dir = mkdtempSync(join(tmpdir(), 'octavo-bench-events-'));
  const tag = `${process.pid}_${Date.now().toString(36)}_${name}`;
  const schema = `octavo_bench_events_${tag}`;
  const app = env.DATABASE_URL ? `octavo_bench_${tag}` : null;
  const sideEnv = app
    ? { ...env, DATABASE_URL: `${env.DATABASE_URL}?application_name=${app}`, OCTAVO_PG_SCHEMA: schema }
    : env;
  const server = await startServer(['--data', dir], sideEnv, root);
  return {
    name,
    server,
    app,
    requests: 0,
    errors: 0,
    elapsedMs: 0,
    serverCpuMs: 0,
    dbCpuMs: 0,
    p50: [],
    cleanup: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
      if (app) {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`drop schema if exists ${schema} cascade`);
        await client.end();
      }
    },
  };
}

/** Loads one side for `ms` and adds what it served and spent to its totals. */
async function load(side: Side, ms: number): Promise<void> {
  const serverBefore = cpuTimeMs(side.server.child.pid);
  const dbBefore = await backendsCpu(side.app);
  const started = performance.now();
  const result = await autocannon({
    url: `${side.server.url}/v1/pages`,
    connections: CONNECTIONS,
    duration: ms / 1000,
    method: 'POST',
    headers: {
      Authorization: `Bearer ${side.server.token}`,
      'Notion-Version': VERSION,
      'content-type': 'application/json',
    },
    body: BODY(side.server.pageId),
  });
  side.elapsedMs += performance.now() - started;
  side.serverCpuMs += cpuTimeMs(side.server.child.pid) - serverBefore;
  for (const [pid, after] of await backendsCpu(side.app)) side.dbCpuMs += after - (dbBefore.get(pid) ?? 0);
  side.requests += result.requests.total;
  side.errors += result.errors + result.non2xx;
  side.p50.push(result.latency.p50);
}

function report(side: Side): string {
  const cpu = side.serverCpuMs / Math.max(1, side.requests);
  const db = side.app
    ? `, database CPU ${(side.dbCpuMs / Math.max(1, side.requests)).toFixed(2)} ms/req`
    : '';
  const p50 = [...side.p50].sort((a, b) => a - b)[Math.floor(side.p50.length / 2)];
  return `${((side.requests / side.elapsedMs) * 1000).toFixed(0)} req/s, median window p50 ${p50} ms, server CPU ${cpu.toFixed(2)} ms/req${db}, errors ${side.errors}`;
}

const perRequest = (s: Side) => (s.serverCpuMs + s.dbCpuMs) / Math.max(1, s.requests);
const rate = (s: Side) => s.requests / s.elapsedMs;
const load1 = () => loadavg()[0]!.toFixed(2);

async function engine(name: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (!BASELINE) {
    const side = await up('here', env);
    try {
      await load(side, SECONDS * 1000);
      console.log(`${name}: POST /v1/pages ${report(side)}, load ${load1()}`);
    } finally {
      await side.cleanup();
    }
    return;
  }
  const here = await up('here', env);
  const base = await up('baseline', env, BASELINE);
  try {
    // Both warmed up first (compiled code, caches, the parent's first children), not counted.
    for (const side of [here, base]) await load({ ...side, p50: [] }, WARMUP_MS);
    const windows = Math.max(1, Math.round((SECONDS * 1000) / WINDOW_MS));
    const costs: string[] = [];
    for (let pair = 1; pair <= PAIRS; pair++) {
      const loadAtStart = load1();
      const h0 = { ...here };
      const b0 = { ...base };
      for (let w = 0; w < windows; w++) {
        const order = w % 2 === 0 ? [here, base] : [base, here];
        for (const side of order) await load(side, WINDOW_MS);
      }
      const hr = (here.requests - h0.requests) / (here.elapsedMs - h0.elapsedMs);
      const br = (base.requests - b0.requests) / (base.elapsedMs - b0.elapsedMs);
      costs.push(`${((1 - hr / br) * 100).toFixed(1)} %`);
      console.log(
        `${name} pair ${pair}: this ${(hr * 1000).toFixed(0)} req/s, baseline ${(br * 1000).toFixed(0)} req/s, cost ${((1 - hr / br) * 100).toFixed(1)} % (load ${loadAtStart} → ${load1()})`,
      );
    }
    console.log(`${name} this    : ${report(here)}`);
    console.log(`${name} baseline: ${report(base)}`);
    console.log(
      `${name}: throughput cost ${((1 - rate(here) / rate(base)) * 100).toFixed(1)} % (pairs: ${costs.join(', ')}); CPU per request (server${here.app ? ' + database' : ''}) ${perRequest(here).toFixed(2)} vs ${perRequest(base).toFixed(2)} ms: ${((perRequest(here) / perRequest(base) - 1) * 100).toFixed(1)} % more`,
    );
  } finally {
    await here.cleanup();
    await base.cleanup();
  }
}

const baseEnv: NodeJS.ProcessEnv = { ...process.env, OCTAVO_RATE_LIMIT: 'off' };
for (const key of ['DATABASE_URL', 'OCTAVO_PG_SCHEMA', 'PORT']) delete baseEnv[key];
console.log(
  `machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim()}), node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(
      ' ',
    )}${BASELINE ? `; baseline ${BASELINE}, ${PAIRS} pairs of ${SECONDS} s per side in ${WINDOW_MS} ms windows` : ''}`,
);
if (ENGINES.includes('sqlite')) await engine('SQLite', baseEnv);
if (ENGINES.includes('postgres') && (await postgresReachable()))
  await engine('Postgres', { ...baseEnv, DATABASE_URL: PG_URL });
