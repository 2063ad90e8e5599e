/**
 * `node bench/cpu.ts [OTHER_CHECKOUT]` (`npm run bench:cpu`): the server's own CPU time per
 * request — issue 12's measure, steadier on a shared machine than requests per second or latency.
 *
 * Seeds one data source of the `bench:query` shape (CPU_ROWS rows, bulk path) per engine, then
 * serves it from one `octavo serve` process per variant and sends each variant the same fixed
 * load: CPU_GETS × `GET /v1/pages/{id}` (over 50 rows) and CPU_QUERIES × a data-source query
 * answering 100 rows (sorted by Due, from a cursor), CPU_CONCURRENCY requests in flight at a
 * time. The figure is the server process's user + system time (`/proc/PID/stat`, every thread)
 * over the batch divided by its requests; rounds rotate the order of the variants, so drift from
 * other work on the machine hits all of them alike. Reported: the median over rounds, and the
 * median of the per-round ratios to the first variant (and to the same checkout's `bare`).
 *
 * The servers run with OCTAVO_JOBS=off (job consumers in their own process, as a deployment may
 * run them), so the figure is the requests' cost and not the queue's polling; the idle CPU of
 * each server over CPU_IDLE_SECONDS is printed beside it.
 *
 * Variants: each checkout (this one; with OTHER_CHECKOUT, that one first — e.g. a clone of main,
 * `git worktree add /tmp/main main && ln -s "$PWD/node_modules" /tmp/main/`) × each observation
 * setting in CPU_OBSERVE: `bare` (log silent, metrics off), `log` (the default: request log at
 * info, JSON lines to a pipe), `metrics` (Prometheus metrics, log silent), `full` (log and
 * Prometheus metrics).
 *
 *   CPU_ENGINES=sqlite,postgres  CPU_KINDS=get,query  CPU_ROWS=5000  CPU_ROUNDS=5
 *   CPU_GETS=2000  CPU_QUERIES=200  CPU_CONCURRENCY=4  CPU_OBSERVE=bare,full  CPU_IDLE_SECONDS=3
 *   OCTAVO_BENCH_DATABASE_URL=postgres://…   (default postgres://postgres@127.0.0.1:5432/test)
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { importRows } from '../src/ops/bulk-rows.ts';
import { openStore } from '../src/store/connect.ts';
import { rowTableName } from '../src/store/kysely-store.ts';
import { PG_URL, postgresReachable, VERSION } from './common.ts';
import { createBenchDataSource, rowLines } from './query-data.ts';
import { type BenchServer, startServer } from './server.ts';

const env = process.env;
const HERE = resolve(import.meta.dirname, '..');
const OTHER = process.argv[2] ? resolve(process.argv[2]) : undefined;
const ENGINES = (env.CPU_ENGINES ?? 'sqlite,postgres').split(',');
const KINDS = (env.CPU_KINDS ?? 'get,query').split(',') as Kind[];
const ROWS = Number(env.CPU_ROWS ?? 5000);
const ROUNDS = Number(env.CPU_ROUNDS ?? 5);
const COUNT: Record<Kind, number> = {
  get: Number(env.CPU_GETS ?? 2000),
  query: Number(env.CPU_QUERIES ?? 200),
};
const CONCURRENCY = Number(env.CPU_CONCURRENCY ?? 4);
const OBSERVE = (env.CPU_OBSERVE ?? 'bare,full').split(',') as Observe[];
const IDLE_SECONDS = Number(env.CPU_IDLE_SECONDS ?? 3);
/** Linux's clock tick (USER_HZ), the unit of /proc/PID/stat's times. */
const TICK_MS = 10;

type Kind = 'get' | 'query';
type Observe = 'bare' | 'log' | 'metrics' | 'full';
const OBSERVE_ENV: Record<Observe, NodeJS.ProcessEnv> = {
  bare: { OCTAVO_LOG_LEVEL: 'silent', OCTAVO_METRICS: '0' },
  log: { OCTAVO_LOG_LEVEL: 'info', OCTAVO_LOG_FORMAT: 'json', OCTAVO_METRICS: '0' },
  metrics: { OCTAVO_LOG_LEVEL: 'silent', OCTAVO_METRICS: '1' },
  full: { OCTAVO_LOG_LEVEL: 'info', OCTAVO_LOG_FORMAT: 'json', OCTAVO_METRICS: '1' },
};

for (const o of OBSERVE)
  if (!Object.hasOwn(OBSERVE_ENV, o))
    throw new Error(`CPU_OBSERVE: unknown setting ${o} (${Object.keys(OBSERVE_ENV).join(', ')})`);

interface Variant {
  name: string;
  root: string;
  observe: Observe;
  server?: BenchServer;
  /** ms of server CPU per request, one entry per round, by kind. */
  cpu: Record<Kind, number[]>;
  /** Of that, the system (kernel) part, per round, by kind. */
  system: Record<Kind, number[]>;
}

const load = () => loadavg()[0]!.toFixed(2);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** CPU time (user + system, all threads) a process has used so far, in ms. */
function cpuMs(pid: number): number {
  const [user, system] = cpuSplitMs(pid);
  return user + system;
}

/** The user and the system (kernel) CPU time of a process so far, in ms (utime, stime). */
function cpuSplitMs(pid: number): [number, number] {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return [Number(fields[11]) * TICK_MS, Number(fields[12]) * TICK_MS];
}

/** The seeded fixture of one engine: its data folder (SQLite) or schema (Postgres). */
async function seed(engine: string, dir: string, schema: string) {
  const pgMode = engine === 'postgres';
  const server = await startServer(['--data', dir], storeEnv(engine, schema));
  try {
    const { people, dsId } = await createBenchDataSource(server, 'CPU');
    const store = await openStore(pgMode ? { databaseUrl: PG_URL, pgSchema: schema } : { dataDir: dir });
    if (!pgMode) await sql`pragma cache_size = -1048576`.execute(store.db);
    await importRows(store, rowLines(0, ROWS, people), { dataSourceId: dsId });
    const ids = (
      await sql<{ page_id: string }>`select page_id from ${sql.table(rowTableName(dsId))}
        order by page_id limit 50`.execute(store.db)
    ).rows.map((r) => r.page_id);
    await store.close();
    return { token: server.token!, dsId, ids };
  } finally {
    await server.stop();
  }
}

function storeEnv(engine: string, schema: string): NodeJS.ProcessEnv {
  const base = { ...env };
  for (const key of ['DATABASE_URL', 'OCTAVO_PG_SCHEMA', 'PORT', 'OCTAVO_RATE_LIMIT', 'NODE_OPTIONS'])
    delete base[key];
  base.OCTAVO_JOBS = 'off';
  return engine === 'postgres' ? { ...base, DATABASE_URL: PG_URL, OCTAVO_PG_SCHEMA: schema } : base;
}

/** `count` requests, `CONCURRENCY` in flight; each body is read whole and its status checked. */
async function fire(count: number, request: (i: number) => Promise<Response>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const res = await request(next++);
      if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function runEngine(engine: string): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'octavo-cpu-'));
  const schema = `octavo_cpu_${process.pid}`;
  const fixture = join(work, 'fixture');
  const variants: Variant[] = [];
  try {
    const { token, dsId, ids } = await seed(engine, fixture, schema);
    const sides: [string, string][] = OTHER
      ? [
          ['other', OTHER],
          ['this', HERE],
        ]
      : [['this', HERE]];
    for (const [name, root] of sides)
      for (const observe of OBSERVE)
        variants.push({
          name: `${name} ${observe}`,
          root,
          observe,
          cpu: { get: [], query: [] },
          system: { get: [], query: [] },
        });
    for (const [n, v] of variants.entries()) {
      // SQLite: a copy of the folder each; Postgres: one schema, read by all (nothing writes).
      const dir = join(work, `v${n}`);
      if (engine === 'postgres') mkdirSync(dir, { recursive: true });
      else cpSync(fixture, dir, { recursive: true });
      v.server = await startServer(
        ['--data', dir],
        { ...storeEnv(engine, schema), ...OBSERVE_ENV[v.observe] },
        v.root,
      );
    }
    const headers = {
      authorization: `Bearer ${token}`,
      'notion-version': VERSION,
      'content-type': 'application/json',
    };
    const queryBody = JSON.stringify({
      sorts: [{ property: 'Due', direction: 'ascending' }],
      start_cursor: ids[25],
      page_size: 100,
    });
    const requests: Record<Kind, (url: string, i: number) => Promise<Response>> = {
      get: (url, i) => fetch(`${url}/v1/pages/${ids[i % ids.length]}`, { headers }),
      query: (url) =>
        fetch(`${url}/v1/data_sources/${dsId}/query`, { method: 'POST', headers, body: queryBody }),
    };
    // The query must answer 100 rows (a cursor near the end of the order would answer fewer).
    const probed = await requests.query(variants[0]!.server!.url, 0);
    const framing = probed.headers.get('content-length')
      ? `content-length ${probed.headers.get('content-length')}`
      : `transfer-encoding ${probed.headers.get('transfer-encoding')}`;
    const probe = (await probed.json()) as { results: unknown[] };
    if (probe.results.length !== 100)
      throw new Error(`the query answered ${probe.results.length} rows, not 100`);
    console.log(`the query's answer: ${framing}`);
    console.log(
      `\n${engine}: ${ROWS} rows; ${variants.length} servers; ${CONCURRENCY} in flight; load ${load()}`,
    );
    const idleBefore = variants.map((v) => cpuMs(v.server!.child.pid!));
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    console.log(
      `idle CPU: ${variants.map((v, k) => `${v.name} ${((cpuMs(v.server!.child.pid!) - idleBefore[k]!) / IDLE_SECONDS).toFixed(0)} ms/s`).join(', ')}`,
    );
    for (const kind of KINDS) {
      for (const v of variants)
        await fire(Math.ceil(COUNT[kind] / 2), (i) => requests[kind](v.server!.url, i));
      for (let round = 0; round < ROUNDS; round++) {
        const order = variants.map((_, k) => variants[(k + round) % variants.length]!);
        for (const v of order) {
          const pid = v.server!.child.pid!;
          const [user, system] = cpuSplitMs(pid);
          await fire(COUNT[kind], (i) => requests[kind](v.server!.url, i));
          const [userAfter, systemAfter] = cpuSplitMs(pid);
          v.cpu[kind].push((userAfter - user + systemAfter - system) / COUNT[kind]);
          v.system[kind].push((systemAfter - system) / COUNT[kind]);
        }
      }
      console.log(
        `${kind === 'get' ? 'GET /v1/pages/{id}' : 'query, 100 rows'} (${COUNT[kind]} per round, load ${load()}):`,
      );
      // Against the first variant, and each checkout's log settings against its `bare`: the median
      // of the per-round ratios (a round's batches ran close together, so drift cancels).
      const ratio = (v: Variant, to: Variant) => {
        const r = median(v.cpu[kind].map((x, k) => x / to.cpu[kind][k]!));
        return `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)} % vs ${to.name}`;
      };
      for (const v of variants) {
        const m = median(v.cpu[kind]);
        const bare = variants.find((w) => w.root === v.root && w.observe === 'bare');
        const notes = [
          v === variants[0] ? '' : ratio(v, variants[0]!),
          bare && bare !== v && bare !== variants[0] ? ratio(v, bare) : '',
        ].filter(Boolean);
        const vs = notes.length ? `  ${notes.join('; ')}` : '';
        console.log(
          `  ${v.name.padEnd(11)} ${m.toFixed(3)} ms CPU per request, ${median(v.system[kind]).toFixed(3)} of it system (rounds ${v.cpu[kind].map((x) => x.toFixed(3)).join(' ')})${vs}`,
        );
      }
    }
  } finally {
    for (const v of variants) await v.server?.stop();
    rmSync(work, { recursive: true, force: true });
    if (engine === 'postgres') {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    }
  }
}

console.log(
  `Server CPU per request. ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}; this = ${HERE}${OTHER ? `, other = ${OTHER}` : ''}`,
);
for (const engine of ENGINES) {
  if (engine === 'postgres' && !(await postgresReachable())) {
    console.log(`\npostgres: skipped (${PG_URL} not reachable)`);
    continue;
  }
  await runEngine(engine);
}
