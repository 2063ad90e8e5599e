/**
 * `npm run bench`: the real server (the CLI, loopback, fresh data, rate limit off) on SQLite and,
 * when reachable, Postgres. Measures start-up (spawn to listening), idle memory, and throughput and
 * latency of GET /v1/pages/{id} and of appending 100 paragraphs with autocannon. Prints a table.
 *
 *   npm run bench                    BENCH_SECONDS=10 (per load test), BENCH_CONNECTIONS=10
 *   OCTAVO_BENCH_DATABASE_URL=postgres://…   (default postgres://postgres@127.0.0.1:5432/test)
 *
 * The load generator runs in this process, on the same machine: the figures are for client and
 * server sharing its cores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { PG_URL, postgresReachable, VERSION } from './common.ts';
import { type BenchServer, rssMiB, startServer } from './server.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const RESTARTS = 3;

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

interface EngineResult {
  engine: string;
  firstStartMs: number;
  restartMs: number;
  idleRssMiB: number;
  loadedRssMiB: number;
  get: Load;
  append: Load;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function api(server: BenchServer, token: string, method: string, path: string, body?: object) {
  const res = await fetch(`${server.url}/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      'Notion-Version': VERSION,
      'content-type': 'application/json',
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
}

const newPage = (server: BenchServer, token: string, title: string) =>
  api(server, token, 'POST', '/pages', {
    parent: { page_id: server.pageId },
    properties: { title: { title: [{ text: { content: title } }] } },
  });

const HUNDRED_PARAGRAPHS = JSON.stringify({
  children: Array.from({ length: 100 }, (_, i) => ({
    object: 'block',
    type: 'paragraph',
    paragraph: { rich_text: [{ type: 'text', text: { content: `Benchmark paragraph ${i + 1}.` } }] },
  })),
});

/** One autocannon run; each connection may get its own path (so appends do not share a page). */
async function load(url: string, token: string, opts: { method: 'GET' | 'PATCH'; paths: string[] }) {
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: {
      Authorization: `Bearer ${token}`,
      'Notion-Version': VERSION,
      'content-type': 'application/json',
    },
    requests: [
      {
        method: opts.method,
        ...(opts.method === 'PATCH' ? { body: HUNDRED_PARAGRAPHS } : {}),
        setupRequest: (req) => ({ ...req, path: opts.paths[next++ % opts.paths.length]! }),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

async function benchEngine(engine: string, env: NodeJS.ProcessEnv): Promise<EngineResult> {
  const dir = mkdtempSync(join(tmpdir(), 'octavo-bench-'));
  const args = ['--data', dir];
  try {
    const first = await startServer(args, env);
    const token = first.token!;
    await first.stop();
    const restarts: number[] = [];
    let server = first;
    for (let i = 0; i < RESTARTS; i++) {
      if (i > 0) await server.stop();
      server = await startServer(args, env);
      restarts.push(server.startMs);
    }
    await sleep(2000);
    const idleRssMiB = rssMiB(server.child.pid!);
    const target = await newPage(server, token, 'Read me');
    const appendPages = await Promise.all(
      Array.from({ length: CONNECTIONS }, (_, i) => newPage(server, token, `Append ${i}`)),
    );
    const get = await load(server.url, token, { method: 'GET', paths: [`/v1/pages/${target.id}`] });
    const append = await load(server.url, token, {
      method: 'PATCH',
      paths: appendPages.map((p) => `/v1/blocks/${p.id}/children`),
    });
    const loadedRssMiB = rssMiB(server.child.pid!);
    await server.stop();
    return {
      engine,
      firstStartMs: first.startMs,
      restartMs: median(restarts),
      idleRssMiB,
      loadedRssMiB,
      get,
      append,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
}

function machine(): string[] {
  return [
    `machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `node ${process.version}, ${process.platform}/${process.arch}; load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    `load: autocannon, ${CONNECTIONS} connections, ${SECONDS} s per test, in the same process as the runner`,
  ];
}

function table(results: EngineResult[]): string {
  const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
  const rows = [
    ['', ...results.map((r) => r.engine)],
    ['first start, spawn to listening (ms)', ...results.map((r) => fmt(r.firstStartMs))],
    [`restart, median of ${RESTARTS} (ms)`, ...results.map((r) => fmt(r.restartMs))],
    ['RSS idle after start (MiB)', ...results.map((r) => fmt(r.idleRssMiB, 1))],
    ['RSS after the load tests (MiB)', ...results.map((r) => fmt(r.loadedRssMiB, 1))],
    ['GET /v1/pages/{id}: requests/s', ...results.map((r) => fmt(r.get.rps))],
    ['GET /v1/pages/{id}: p50 / p99 (ms)', ...results.map((r) => `${r.get.p50} / ${r.get.p99}`)],
    ['append 100 paragraphs: requests/s', ...results.map((r) => fmt(r.append.rps, 1))],
    ['append 100 paragraphs: p50 / p99 (ms)', ...results.map((r) => `${r.append.p50} / ${r.append.p99}`)],
    ['errors and non-2xx', ...results.map((r) => String(r.get.errors + r.append.errors))],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  console.log(machine().join('\n'));
  const baseEnv = { ...process.env };
  for (const key of ['DATABASE_URL', 'OCTAVO_PG_SCHEMA', 'PORT', 'OCTAVO_RATE_LIMIT']) delete baseEnv[key];
  const results = [await benchEngine('SQLite', baseEnv)];
  if (await postgresReachable()) {
    const schema = `octavo_bench_${process.pid}`;
    try {
      results.push(
        await benchEngine('Postgres', { ...baseEnv, DATABASE_URL: PG_URL, OCTAVO_PG_SCHEMA: schema }),
      );
    } finally {
      await dropSchema(schema);
    }
  } else {
    console.log(`Postgres not reachable at ${PG_URL}: Postgres column skipped.`);
  }
  console.log(`\n${table(results)}`);
}

await main();
