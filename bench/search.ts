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
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { Client } from '@notionhq/client';
import { sql } from 'kysely';
import { importRows } from '../src/ops/bulk-rows.ts';
import { createIntegration, sharePage } from '../src/ops/integrations.ts';
import { createAdminPage } from '../src/ops/workspace.ts';
import { postgresReachable, retryingFetch, VERSION } from './common.ts';
import { createBenchDataSource, rowLines } from './query-data.ts';
import { startServer } from './server.ts';
import { storageFor } from './storage.ts';

const env = process.env;
const SIZES = (env.BENCH_ROWS ?? '100000,1000000').split(',').map(Number);
const ENGINES = (env.BENCH_ENGINES ?? 'sqlite,postgres').split(',');
const RUNS = Number(env.BENCH_RUNS ?? 200);
const QUERY_MS = Number(env.BENCH_QUERY_SECONDS ?? 10) * 1000;

interface Line {
  what: string;
  p50: number;
  p99: number;
  n: number;
  results: number;
}

const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function sample(fn: () => Promise<{ results: unknown[] }>): Promise<Omit<Line, 'what'>> {
  let results = 0;
  for (let i = 0; i < 3; i++) results = (await fn()).results.length;
  const ms: number[] = [];
  const start = performance.now();
  while (ms.length < RUNS && (performance.now() - start < QUERY_MS || ms.length < 10)) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99), n: ms.length, results };
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
  const server = await startServer(storage.args, storage.env);
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
    const narrow = new Client({
      auth: narrowToken,
      baseUrl: server.url,
      notionVersion: VERSION,
      fetch: retryingFetch,
    });
    const search = (c: Client, body: Record<string, unknown>) => () =>
      c.search({ ...body, page_size: 100 } as never) as unknown as Promise<{ results: unknown[] }>;
    for (const [label, body] of SEARCHES) {
      lines.push({ what: `sees all: ${label}`, ...(await sample(search(client, body))) });
    }
    lines.push({ what: 'sees 11 pages: "hotel"', ...(await sample(search(narrow, { query: 'hotel' }))) });
    lines.push({ what: 'sees 11 pages: no query', ...(await sample(search(narrow, {}))) });
  } finally {
    await server.stop();
    await storage.cleanup();
  }
  return lines;
}

async function main() {
  const cpu = cpus()[0]?.model ?? 'unknown';
  console.log(
    `# search benchmark — ${new Date().toISOString()}\n` +
      `node ${process.version}, ${availableParallelism()} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
      `load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const pgUp = await postgresReachable();
  for (const size of SIZES) {
    for (const engine of ENGINES) {
      if (engine === 'postgres' && !pgUp) {
        console.log('Postgres not reachable: skipped');
        continue;
      }
      const lines = await benchOne(engine, size);
      console.log(`\n## ${engine}, ${size.toLocaleString('en')} rows\n`);
      console.log('| search (first page of 100) | p50 ms | p99 ms | runs | results |\n|---|---|---|---|---|');
      for (const l of lines) {
        console.log(`| ${l.what} | ${l.p50.toFixed(1)} | ${l.p99.toFixed(1)} | ${l.n} | ${l.results} |`);
      }
    }
  }
}

await main();
