/**
 * `npm run bench:search`: POST /v1/search at scale over HTTP. For each engine and size, the real
 * server (CLI, loopback, fresh data, rate limit off) gets a data source of BENCH_ROWS rows (the
 * query benchmark's rows: titles of two words out of eight and the row number), seeded through
 * the bulk path in this process. Then the official SDK times, one request at a time, the first
 * page (100 results) of: a frequent word, a rare one, one that matches nothing, no query, and a
 * relevance sort; for the quickstart integration (which sees everything) and for one that sees a
 * single small page among the million (every other match must be refused).
 *
 *   BENCH_ROWS=100000,1000000  BENCH_ENGINES=sqlite,postgres  BENCH_RUNS=200 (per search, capped at
 *   BENCH_QUERY_SECONDS=10)  OCTAVO_BENCH_DATABASE_URL=postgres://…
 *
 * With BENCH_BASE=<another checkout> (say the commit before a change, extracted with `git archive`,
 * sharing this checkout's node_modules and migrations), that checkout's server is started on the
 * same data beside this one's, and each search alternates between the two, request by request
 * (the order swapped every run), so both see the same load from the rest of the machine; each
 * side's server CPU time per request is reported too (the Node process only, from /proc).
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { Client } from '@notionhq/client';
import { sql } from 'kysely';
import { importRows } from '../src/ops/bulk-rows.ts';
import { createIntegration, sharePage } from '../src/ops/integrations.ts';
import { createAdminPage } from '../src/ops/workspace.ts';
import { postgresReachable, retryingFetch, VERSION } from './common.ts';
import { createBenchDataSource, rowLines } from './query-data.ts';
import { cpuMs, startServer } from './server.ts';
import { storageFor } from './storage.ts';

const env = process.env;
const SIZES = (env.BENCH_ROWS ?? '100000,1000000').split(',').map(Number);
const ENGINES = (env.BENCH_ENGINES ?? 'sqlite,postgres').split(',');
const RUNS = Number(env.BENCH_RUNS ?? 200);
const QUERY_MS = Number(env.BENCH_QUERY_SECONDS ?? 10) * 1000;
const BASE = env.BENCH_BASE;

interface Line {
  what: string;
  p50: number;
  p99: number;
  n: number;
  results: number;
  /** Server CPU ms per request, and the same figures for the BENCH_BASE checkout. */
  cpu: number;
  base?: { p50: number; p99: number; cpu: number };
}

type Search = () => Promise<{ results: unknown[] }>;

const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** Times `here` (and `base`, alternating with it) on servers `pids` (here, base). */
async function sample(here: Search, pids: number[], base?: Search): Promise<Omit<Line, 'what'>> {
  let results = 0;
  for (let i = 0; i < 3; i++) {
    results = (await here()).results.length;
    await base?.();
  }
  const ms: number[] = [];
  const baseMs: number[] = [];
  const cpu = pids.map(cpuMs);
  const start = performance.now();
  while (ms.length < RUNS && (performance.now() - start < QUERY_MS || ms.length < 10)) {
    const sides: Array<[Search, number[]]> = [[here, ms]];
    if (base) sides[ms.length % 2 === 0 ? 'push' : 'unshift']([base, baseMs]);
    for (const [fn, into] of sides) {
      const t = performance.now();
      await fn();
      into.push(performance.now() - t);
    }
  }
  const used = pids.map((pid, i) => (cpuMs(pid) - cpu[i]!) / ms.length);
  const stats = (list: number[]) => {
    list.sort((a, b) => a - b);
    return { p50: percentile(list, 0.5), p99: percentile(list, 0.99) };
  };
  return {
    ...stats(ms),
    n: ms.length,
    results,
    cpu: used[0]!,
    ...(base ? { base: { ...stats(baseMs), cpu: used[1]! } } : {}),
  };
}

const SEARCHES: Array<[string, Record<string, unknown>]> = [
  ['"hotel" (in 1 title of 4)', { query: 'hotel' }],
  ['"77777" (a few titles)', { query: '77777' }],
  ['"zulu" (no title)', { query: 'zulu' }],
  ['no query (everything, newest first)', {}],
  ['"hotel golf", sort by relevance', { query: 'hotel golf', sort: { property: 'relevance' } }],
  [
    '"hotel", oldest first',
    { query: 'hotel', sort: { timestamp: 'last_edited_time', direction: 'ascending' } },
  ],
];

async function benchOne(engine: string, size: number): Promise<Line[]> {
  const storage = storageFor(engine, size);
  let server = await startServer(storage.args, storage.env);
  let baseServer: Awaited<ReturnType<typeof startServer>> | undefined;
  const lines: Line[] = [];
  try {
    const { client, people, dsId } = await createBenchDataSource(server, 'Search bench');
    const store = await storage.openStore();
    if (engine === 'sqlite') await sql`pragma cache_size = -1048576`.execute(store.db);
    const seeded = await importRows(store, rowLines(0, size, people), {
      dataSourceId: dsId,
      batchSize: 5000,
      onBatch: (n) => {
        if (n % 250_000 === 0) console.log(`  ${engine} ${size}: ${n} rows seeded`);
      },
    });
    console.log(`  ${engine} ${size}: seeded in ${(seeded.ms / 1000).toFixed(1)} s`);
    // A second integration that sees one page of ten children, among the million rows.
    const now = new Date().toISOString();
    const narrowToken = await store.transaction(async (tx) => {
      const { token } = await createIntegration(tx, { name: 'Narrow', capabilities: ['read_content'], now });
      const page = await createAdminPage(tx, { title: 'Narrow hotel home', now });
      for (let i = 0; i < 10; i++)
        await createAdminPage(tx, { title: `hotel child ${i}`, parentId: page.id, now });
      await sharePage(tx, { pageId: page.id, integrationName: 'Narrow', now });
      return token;
    });
    // Postgres: the statistics autovacuum would gather shortly after a bulk load, taken now.
    if (engine === 'postgres') {
      await sql`vacuum analyze search_index`.execute(store.db);
      await sql`vacuum analyze blocks`.execute(store.db);
    }
    await store.close();
    const clientOf = (url: string, auth: string) =>
      new Client({ auth, baseUrl: url, notionVersion: VERSION, fetch: retryingFetch });
    const token = server.token!;
    let here = { all: client, narrow: clientOf(server.url, narrowToken) };
    if (BASE) {
      // Both sides start afresh on the seeded data: the server that was open during the bulk load
      // used 6-29 % more CPU per search than the other in two runs with the versions swapped.
      await server.stop();
      server = await startServer(storage.args, storage.env);
      baseServer = await startServer(storage.args, storage.env, BASE);
      here = { all: clientOf(server.url, token), narrow: clientOf(server.url, narrowToken) };
    }
    const base = baseServer && {
      all: clientOf(baseServer.url, token),
      narrow: clientOf(baseServer.url, narrowToken),
    };
    const pids = [server.child.pid!, ...(baseServer ? [baseServer.child.pid!] : [])];
    const search = (c: Client, body: Record<string, unknown>) => () =>
      c.search({ ...body, page_size: 100 } as never) as unknown as Promise<{ results: unknown[] }>;
    const run = (who: 'all' | 'narrow', body: Record<string, unknown>) =>
      sample(search(here[who], body), pids, base && search(base[who], body));
    for (const [label, body] of SEARCHES) {
      lines.push({ what: `sees all: ${label}`, ...(await run('all', body)) });
    }
    lines.push({ what: 'sees 11 pages: "hotel"', ...(await run('narrow', { query: 'hotel' })) });
    lines.push({ what: 'sees 11 pages: no query', ...(await run('narrow', {})) });
  } finally {
    await baseServer?.stop();
    await server.stop();
    await storage.cleanup();
  }
  return lines;
}

const loadText = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main() {
  const cpu = cpus()[0]?.model ?? 'unknown';
  console.log(
    `# search benchmark — ${new Date().toISOString()}\n` +
      `node ${process.version}, ${availableParallelism()} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
      `load ${loadText()}${BASE ? `; A/B against ${BASE}` : ''}`,
  );
  const pgUp = await postgresReachable();
  for (const size of SIZES) {
    for (const engine of ENGINES) {
      if (engine === 'postgres' && !pgUp) {
        console.log('Postgres not reachable: skipped');
        continue;
      }
      const lines = await benchOne(engine, size);
      console.log(`\n## ${engine}, ${size.toLocaleString('en')} rows (load ${loadText()} after)\n`);
      if (BASE) {
        console.log(
          '| search (first page of 100) | base p50 ms | p50 ms | p50 ratio | base p99 | p99 | base CPU ms/req | CPU ms/req | runs | results |\n' +
            '|---|---|---|---|---|---|---|---|---|---|',
        );
      } else {
        console.log(
          '| search (first page of 100) | p50 ms | p99 ms | CPU ms/req | runs | results |\n|---|---|---|---|---|---|',
        );
      }
      for (const l of lines) {
        const f = (n: number) => n.toFixed(1);
        console.log(
          l.base
            ? `| ${l.what} | ${f(l.base.p50)} | ${f(l.p50)} | ${(l.p50 / l.base.p50).toFixed(2)} | ${f(l.base.p99)} | ${f(l.p99)} | ${f(l.base.cpu)} | ${f(l.cpu)} | ${l.n} | ${l.results} |`
            : `| ${l.what} | ${f(l.p50)} | ${f(l.p99)} | ${f(l.cpu)} | ${l.n} | ${l.results} |`,
        );
      }
    }
  }
}

await main();
