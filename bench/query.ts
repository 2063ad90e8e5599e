/**
 * `npm run bench:query`: data-source queries at scale over HTTP. For each engine and size, the
 * real server (CLI, loopback, fresh data, rate limit off) gets a data source of ten typed
 * properties, seeded through the bulk path (`importRows`, in this process); then the official SDK
 * times, one request at a time, the first page of a filtered+sorted query, title `contains`, a
 * deep page through a cursor and GET /v1/pages/{id}; autocannon times row creation through
 * POST /v1/pages, and `octavo rows import` times the bulk path as a command. Beside each, the same
 * work as plain SQL on the `ds_` table (better-sqlite3 / pg, no Octavo code), and the ratio.
 *
 *   BENCH_ROWS=100000,1000000  BENCH_ENGINES=sqlite,postgres  BENCH_RUNS=200 (per query, capped at
 *   BENCH_QUERY_SECONDS=10)  BENCH_SECONDS=10 and BENCH_CONNECTIONS=4 (creates)
 *   BENCH_BULK_ROWS=20000 (the command's file)  OCTAVO_BENCH_DATABASE_URL=postgres://…
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@notionhq/client';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { importRows } from '../src/ops/bulk-rows.ts';
import { columnStem } from '../src/query/columns.ts';
import { rowTableName } from '../src/store/kysely-store.ts';
import { PG_URL, postgresReachable, VERSION } from './common.ts';
import { createBenchDataSource, rowBody, rowLines } from './query-data.ts';
import type { RawDb } from './raw-sql.ts';
import { rssMiB, runImport, startServer } from './server.ts';
import { storageFor } from './storage.ts';

const env = process.env;
const SIZES = (env.BENCH_ROWS ?? '100000,1000000').split(',').map(Number);
const ENGINES = (env.BENCH_ENGINES ?? 'sqlite,postgres').split(',');
const RUNS = Number(env.BENCH_RUNS ?? 200);
const QUERY_MS = Number(env.BENCH_QUERY_SECONDS ?? 10) * 1000;
const MIN_RUNS = 10;
const CREATE_SECONDS = Number(env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 4);
const BULK_ROWS = Number(env.BENCH_BULK_ROWS ?? 20_000);
const BATCH = 5000;

interface Latency {
  p50: number;
  p99: number;
  n: number;
}

/** One line of the report: Octavo's figure, the raw SQL's, and what the raw SQL was. */
interface Line {
  what: string;
  octavo: Latency | { rate: number; p50?: number; p99?: number };
  raw?: Latency | { rate: number };
  note?: string;
}

const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** Times `fn` one call at a time: 3 warm-ups, then up to RUNS calls within QUERY_MS. */
async function sample(fn: () => Promise<unknown>): Promise<Latency> {
  for (let i = 0; i < 3; i++) await fn();
  const ms: number[] = [];
  const start = performance.now();
  while (ms.length < RUNS && (performance.now() - start < QUERY_MS || ms.length < MIN_RUNS)) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99), n: ms.length };
}

async function benchOne(engine: string, size: number): Promise<Line[]> {
  const storage = storageFor(engine, size);
  const server = await startServer(storage.args, storage.env);
  const lines: Line[] = [];
  let raw: RawDb | undefined;
  try {
    const { client, people, dsId } = await createBenchDataSource(server, 'Bench');
    const ds = (await client.dataSources.retrieve({ data_source_id: dsId })) as unknown as {
      properties: Record<string, { id: string }>;
    };
    const col = (name: string) => columnStem(ds.properties[name]!.id);
    const table = rowTableName(dsId);

    // Seeding: the bulk operation in this process (no NDJSON, no child process).
    const store = await storage.openStore();
    // SQLite: a 1 GiB page cache on the seeding connection only (the server keeps SQLite's 2 MB);
    // with the default, inserts into a dozen indexes keyed by random ids slow to ~1,000 rows/s.
    if (engine === 'sqlite') await sql`pragma cache_size = -1048576`.execute(store.db);
    const seeded = await importRows(store, rowLines(0, size, people), {
      dataSourceId: dsId,
      batchSize: BATCH,
      onBatch: (n) => {
        if (n % 250_000 === 0) console.log(`  ${engine} ${size}: ${n} rows seeded`);
      },
    });
    await store.close();
    console.log(
      `  ${engine} ${size}: seeded in ${(seeded.ms / 1000).toFixed(1)} s (${Math.round(seeded.rowsPerSecond)} rows/s)`,
    );
    lines.push({ what: 'bulk path in process (seeding), rows/s', octavo: { rate: seeded.rowsPerSecond } });
    raw = storage.openRaw();
    // Postgres: the statistics autovacuum would gather shortly after a bulk load, taken now.
    if (engine === 'postgres') {
      await raw.all(`vacuum analyze ${table}`);
      await raw.all('vacuum analyze blocks');
    }

    lines.push(...(await benchReads(client, raw, dsId, table, col, size)));
    lines.push(...(await benchWrites(server.url, server.token!, raw, dsId, table, people, size, storage)));
    lines.push({ what: 'server RSS at the end (MiB)', octavo: { rate: rssMiB(server.child.pid!) } });
  } finally {
    await raw?.close();
    await server.stop();
    await storage.cleanup();
  }
  return lines;
}

async function benchReads(
  client: Client,
  raw: RawDb,
  dsId: string,
  table: string,
  col: (name: string) => string,
  size: number,
): Promise<Line[]> {
  const [name, amount, stage, due] = [col('Name'), col('Amount'), col('Stage'), `${col('Due')}_lo`];
  const lines: Line[] = [];
  const ids = (r: { results: { id: string }[] }) => r.results.map((p) => p.id);
  const rawIds = (rows: Record<string, unknown>[]) => rows.slice(0, 100).map((r) => r.page_id);
  const same = (what: string, a: unknown[], b: unknown[]) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) console.warn(`  ! ${what}: Octavo and raw SQL disagree`);
  };

  const filterBody = {
    data_source_id: dsId,
    filter: {
      and: [
        { property: 'Amount', number: { greater_than: 500 } },
        { property: 'Stage', select: { equals: 'Doing' } },
      ],
    },
    sorts: [{ property: 'Due', direction: 'ascending' as const }],
    page_size: 100,
  };
  const filterSql = `select page_id from ${table} where in_trash = 0 and ${amount} > $1 and ${stage} = $2 order by ${due}, page_id limit 101`;
  same(
    'filter',
    ids(await client.dataSources.query(filterBody)),
    rawIds(await raw.all(filterSql, [500, 'Doing'])),
  );
  lines.push({
    what: 'first page: Amount > 500 AND Stage = Doing, sorted by Due',
    octavo: await sample(() => client.dataSources.query(filterBody)),
    raw: await sample(() => raw.all(filterSql, [500, 'Doing'])),
  });

  const contains = raw.engine === 'sqlite' ? `instr(${name}, $1) > 0` : `strpos(${name}, $1) > 0`;
  const containsSql = `select page_id from ${table} where in_trash = 0 and ${contains} order by created_time desc, page_id limit 101`;
  for (const [label, needle] of [
    ['title contains "hotel golf" (1 row in 64)', 'hotel golf'],
    ['title contains "77777" (a few rows: whole table)', '77777'],
  ] as const) {
    const body = {
      data_source_id: dsId,
      filter: { property: 'Name', title: { contains: needle } },
      page_size: 100,
    };
    same(label, ids(await client.dataSources.query(body)), rawIds(await raw.all(containsSql, [needle])));
    lines.push({
      what: label,
      octavo: await sample(() => client.dataSources.query(body)),
      raw: await sample(() => raw.all(containsSql, [needle])),
    });
  }

  // The cursor of the page at row size/2 in Due order is the id of its first row.
  const middle = Math.floor(size / 2);
  const [anchor] = await raw.all(
    `select page_id, ${due} as due from ${table} where in_trash = 0 order by ${due}, page_id limit 1 offset ${middle}`,
  );
  const deepBody = {
    data_source_id: dsId,
    sorts: [{ property: 'Due', direction: 'ascending' as const }],
    start_cursor: String(anchor!.page_id),
    page_size: 100,
  };
  const deepSql = `select page_id from ${table} where in_trash = 0 and (${due}, page_id) >= ($1, $2) order by ${due}, page_id limit 101`;
  const deepParams = [anchor!.due, anchor!.page_id];
  same(
    'deep page',
    ids(await client.dataSources.query(deepBody)),
    rawIds(await raw.all(deepSql, deepParams)),
  );
  lines.push({
    what: `page ${middle / 100 + 1} (row ${middle}) by cursor, sorted by Due`,
    octavo: await sample(() => client.dataSources.query(deepBody)),
    raw: await sample(() => raw.all(deepSql, deepParams)),
  });

  // Descending on a nullable property column: Notion puts empty values last in both directions.
  const descBody = {
    data_source_id: dsId,
    sorts: [{ property: 'Due', direction: 'descending' as const }],
    page_size: 100,
  };
  const descSql = `select page_id, ${due} as due from ${table} where in_trash = 0 order by ${due} desc, page_id limit 101`;
  same('descending', ids(await client.dataSources.query(descBody)), rawIds(await raw.all(descSql)));
  lines.push({
    what: 'first page sorted by Due descending (no filter)',
    octavo: await sample(() => client.dataSources.query(descBody)),
    raw: await sample(() => raw.all(descSql)),
  });
  const [descAnchor] = await raw.all(`${descSql.replace(' limit 101', '')} limit 1 offset ${middle}`);
  const deepDescBody = { ...descBody, start_cursor: String(descAnchor!.page_id) };
  const deepDescSql = `select page_id from ${table} where in_trash = 0 and ${due} <= $1 and (${due} < $2 or page_id >= $3) order by ${due} desc, page_id limit 101`;
  const deepDescParams = [descAnchor!.due, descAnchor!.due, descAnchor!.page_id];
  same(
    'deep page descending',
    ids(await client.dataSources.query(deepDescBody)),
    rawIds(await raw.all(deepDescSql, deepDescParams)),
  );
  lines.push({
    what: `page ${middle / 100 + 1} (row ${middle}) by cursor, sorted by Due descending`,
    octavo: await sample(() => client.dataSources.query(deepDescBody)),
    raw: await sample(() => raw.all(deepDescSql, deepDescParams)),
  });

  const sampleIds =
    // Rows from the middle of the id order (ids are time-ordered, so that is mid-seeding).
    (await raw.all(`select page_id from ${table} order by page_id limit 50 offset ${middle}`, [])).map((r) =>
      String(r.page_id),
    );
  let i = 0;
  let j = 0;
  lines.push({
    what: 'one row by id: GET /v1/pages/{id}',
    octavo: await sample(() => client.pages.retrieve({ page_id: sampleIds[i++ % sampleIds.length]! })),
    raw: await sample(() =>
      raw.all('select * from blocks where id = $1', [sampleIds[j++ % sampleIds.length]]),
    ),
  });
  return lines;
}

async function benchWrites(
  url: string,
  token: string,
  raw: RawDb,
  dsId: string,
  table: string,
  people: string[],
  size: number,
  storage: ReturnType<typeof storageFor>,
): Promise<Line[]> {
  const lines: Line[] = [];
  let n = size;
  const rand = () => Math.random();
  const created = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: CREATE_SECONDS,
    headers: {
      Authorization: `Bearer ${token}`,
      'Notion-Version': VERSION,
      'content-type': 'application/json',
    },
    requests: [
      {
        method: 'POST',
        path: '/v1/pages',
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ parent: { data_source_id: dsId }, ...rowBody(n++, rand, people) }),
        }),
      },
    ],
  });
  const ok = created.requests.total - created.non2xx - created.errors;

  // Raw writes copy existing rows (page row + derived row) under new ids.
  const pages = await raw.all(`select * from blocks where parent_id = $1 limit ${BATCH}`, [dsId]);
  const derived = new Map(
    (
      await raw.all(
        `select * from ${table} where page_id in (select id from blocks where parent_id = $1 limit ${BATCH})`,
        [dsId],
      )
    ).map((r) => [r.page_id, r]),
  );
  let copies = 0;
  const copy = (count: number) => {
    const blocks = [];
    const rows = [];
    for (let k = 0; k < count; k++) {
      const page = pages[copies++ % pages.length]!;
      const id = crypto.randomUUID();
      blocks.push({ ...page, id });
      rows.push({ ...derived.get(page.id)!, page_id: id });
    }
    return [
      { table: 'blocks', rows: blocks },
      { table, rows },
    ];
  };
  const oneByOne = await timeRate(CREATE_SECONDS * 500, () => raw.insert(copy(1)), 1);
  lines.push({
    what: `rows created/s: POST /v1/pages, ${CONNECTIONS} clients (raw: 1 row per transaction)`,
    octavo: { rate: ok / CREATE_SECONDS, p50: created.latency.p50, p99: created.latency.p99 },
    raw: { rate: oneByOne },
    ...(created.non2xx + created.errors > 0 ? { note: `${created.non2xx + created.errors} failed` } : {}),
  });

  const file = join(storage.dir, 'bulk.ndjson');
  const body = [...rowLines(n, BULK_ROWS, people, 7)].map((l) => JSON.stringify(l.body)).join('\n');
  writeFileSync(file, `${body}\n`);
  const cli = await runImport(
    ['--data-source', dsId, '--file', file, '--batch', String(BATCH), ...storage.args],
    storage.env,
  );
  const batched = await timeRate(BULK_ROWS / BATCH, () => raw.insert(copy(BATCH)), BATCH);
  lines.push({
    what: `bulk path: octavo rows import, ${BULK_ROWS} rows (raw: ${BATCH} rows per transaction)`,
    octavo: { rate: cli.rows_per_second },
    raw: { rate: batched },
    note: `${Math.round((BULK_ROWS * 1000) / cli.wallMs)} rows/s counting process start`,
  });
  return lines;
}

/** Rows per second of `times` calls of `fn`, each writing `rows` rows (stops after 10 s). */
async function timeRate(times: number, fn: () => Promise<void>, rows: number): Promise<number> {
  const start = performance.now();
  let done = 0;
  while (done < times && performance.now() - start < 10_000) {
    await fn();
    done++;
  }
  return (done * rows * 1000) / (performance.now() - start);
}

function fmt(m: Line['octavo'] | undefined): string {
  if (!m) return '—';
  if ('rate' in m) {
    const lat = m.p50 !== undefined ? ` (p50 ${m.p50} / p99 ${m.p99} ms)` : '';
    return `${Math.round(m.rate)}${lat}`;
  }
  return `${m.p50.toFixed(1)} / ${m.p99.toFixed(1)}`;
}

function ratio(line: Line): string {
  const { octavo, raw } = line;
  if (!raw) return '';
  if ('rate' in octavo && 'rate' in raw) return `${(raw.rate / octavo.rate).toFixed(1)}x`;
  if ('p50' in raw && !('rate' in octavo) && !('rate' in raw)) return `${(octavo.p50 / raw.p50).toFixed(1)}x`;
  return '';
}

function report(title: string, lines: Line[]): string {
  const rows = [
    ['', 'Octavo p50 / p99 ms (or rows/s)', 'raw SQL p50 / p99 ms (or rows/s)', 'ratio', 'runs'],
    ...lines.map((l) => [
      l.what + (l.note ? ` — ${l.note}` : ''),
      fmt(l.octavo),
      fmt(l.raw),
      ratio(l),
      'n' in l.octavo ? String(l.octavo.n) : '',
    ]),
  ];
  const out = rows.map((r) => `| ${r.join(' | ')} |`);
  out.splice(1, 0, `|${rows[0]!.map((_, c) => (c === 0 ? '---' : '---:')).join('|')}|`);
  return `\n### ${title}\n\n${out.join('\n')}`;
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(
    `machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; node ${process.version}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`sizes ${SIZES.join(', ')}; engines ${ENGINES.join(', ')}; up to ${RUNS} runs per query`);
  const reports: string[] = [];
  for (const engine of ENGINES) {
    if (engine === 'postgres' && !(await postgresReachable())) {
      console.log(`Postgres not reachable at ${PG_URL}: the Postgres runs are skipped.`);
      continue;
    }
    for (const size of SIZES) {
      const t = performance.now();
      const lines = await benchOne(engine, size);
      const title = `${engine === 'sqlite' ? 'SQLite' : 'Postgres'}, ${size.toLocaleString('en')} rows (${((performance.now() - t) / 1000).toFixed(0)} s)`;
      reports.push(report(title, lines));
      console.log(reports.at(-1));
    }
  }
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

await main();
