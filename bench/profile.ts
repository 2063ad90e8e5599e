/**
 * `node bench/profile.ts`: Octavo's fixed per-request cost under a steady load, with CPU profiles.
 * Starts `octavo serve` (fresh data, rate limit off) with `--cpu-prof`, seeds a data source of the
 * `bench:query` shape through the bulk path, then runs one phase:
 *
 *   get     GET /v1/pages/{id} over 50 row pages, one client, back to back
 *   query   POST /v1/data_sources/{id}/query: 100 rows from a cursor, sorted by Due (about 0.1 ms
 *           of SQL, so nearly all of the time is Octavo's own)
 *   import  `octavo rows import` of PROFILE_IMPORT_ROWS NDJSON lines while the server runs; the
 *           profile is the command's
 *
 * and reports p50 / p99 and requests/s (rows/s for import). Each phase has its own server, so a
 * profile covers one request shape; `bench/cpuprofile.ts` summarises it (self time per function
 * and per package, inclusive time of Octavo's functions). CPU profiles count the process's own
 * work, so they are steadier than wall times when other work shares the cores.
 *
 *   PROFILE_ROWS=20000  PROFILE_SECONDS=8  PROFILE_ENGINE=sqlite|postgres
 *   PROFILE_PHASES=get,query,import  PROFILE_IMPORT_ROWS=20000
 *   PROFILE_DIR=/tmp/octavo-prof (profiles written below it; '' for none)  PROFILE_TOP=25
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { importRows } from '../src/ops/bulk-rows.ts';
import { openStore } from '../src/store/connect.ts';
import { rowTableName } from '../src/store/kysely-store.ts';
import { PG_URL } from './common.ts';
import { summarise } from './cpuprofile.ts';
import { createBenchDataSource, rowLines } from './query-data.ts';
import { runImport, startServer } from './server.ts';

const env = process.env;
const ROWS = Number(env.PROFILE_ROWS ?? 20_000);
const SECONDS = Number(env.PROFILE_SECONDS ?? 8);
const ENGINE = env.PROFILE_ENGINE ?? 'sqlite';
const PHASES = (env.PROFILE_PHASES ?? 'get,query,import').split(',');
const IMPORT_ROWS = Number(env.PROFILE_IMPORT_ROWS ?? 20_000);
const PROFILE_DIR = env.PROFILE_DIR ?? join(tmpdir(), 'octavo-prof');
const TOP = Number(env.PROFILE_TOP ?? 25);

const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

const load = () => loadavg()[0]!.toFixed(2);

/** When the timed requests ran (µs, monotonic clock): the profile's summary covers only that. */
const window = { from: 0, to: Number.POSITIVE_INFINITY };

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Times `request` back to back for SECONDS after 20 warm-ups; also the server's CPU time per
 * request, which other work on the machine disturbs far less than the wall time.
 */
async function drive(label: string, pid: number, request: () => Promise<unknown>): Promise<void> {
  for (let k = 0; k < 20; k++) await request();
  window.from = Number(process.hrtime.bigint() / 1000n);
  const ms: number[] = [];
  const cpuBefore = cpuMs(pid);
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    const t = performance.now();
    await request();
    ms.push(performance.now() - t);
  }
  const cpu = (cpuMs(pid) - cpuBefore) / ms.length;
  window.to = Number(process.hrtime.bigint() / 1000n);
  ms.sort((a, b) => a - b);
  const secs = (performance.now() - start) / 1000;
  console.log(
    `${label}: ${ms.length} requests, ${(ms.length / secs).toFixed(0)}/s, p50 ${percentile(ms, 0.5).toFixed(2)} ms, p99 ${percentile(ms, 0.99).toFixed(2)} ms, server CPU ${cpu.toFixed(2)} ms per request (load ${load()})`,
  );
}

async function phase(name: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'octavo-prof-data-'));
  const schema = `octavo_prof_${process.pid}`;
  const pgMode = ENGINE === 'postgres';
  const profDir = PROFILE_DIR ? join(PROFILE_DIR, `${ENGINE}-${name}`) : '';
  if (profDir) {
    rmSync(profDir, { recursive: true, force: true });
    mkdirSync(profDir, { recursive: true });
  }
  const base = { ...env };
  for (const key of ['DATABASE_URL', 'OCTAVO_PG_SCHEMA', 'PORT', 'OCTAVO_RATE_LIMIT', 'NODE_OPTIONS'])
    delete base[key];
  // Job consumers off (as bench/cpu.ts runs them): their polling is not a request's cost, and on
  // SQLite it waits on the seeding's write lock, which the profile would count as Kysely's time.
  if (name !== 'import') base.OCTAVO_JOBS = 'off';
  const storeEnv = { ...base, ...(pgMode ? { DATABASE_URL: PG_URL, OCTAVO_PG_SCHEMA: schema } : {}) };
  const profiled = { ...storeEnv, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profDir}` };
  const server = await startServer(['--data', dir], profDir && name !== 'import' ? profiled : storeEnv);
  try {
    const { client, people, dsId } = await createBenchDataSource(server, 'Profile');
    const store = await openStore(pgMode ? { databaseUrl: PG_URL, pgSchema: schema } : { dataDir: dir });
    if (!pgMode) await sql`pragma cache_size = -1048576`.execute(store.db);
    const seeded = await importRows(store, rowLines(0, ROWS, people), { dataSourceId: dsId });
    const ids = (
      await sql<{ page_id: string }>`select page_id from ${sql.table(rowTableName(dsId))}
        order by page_id limit 50`.execute(store.db)
    ).rows.map((r) => r.page_id);
    await store.close();
    console.log(`${ENGINE} ${name}: ${ROWS} rows seeded at ${Math.round(seeded.rowsPerSecond)} rows/s`);

    if (name === 'get') {
      let i = 0;
      await drive(`${ENGINE} GET /v1/pages/{id}`, server.child.pid!, () =>
        client.pages.retrieve({ page_id: ids[i++ % ids.length]! }),
      );
    } else if (name === 'query') {
      await drive(`${ENGINE} query, 100 rows from a cursor`, server.child.pid!, () =>
        client.dataSources.query({
          data_source_id: dsId,
          sorts: [{ property: 'Due', direction: 'ascending' }],
          start_cursor: ids[25]!,
          page_size: 100,
        }),
      );
    } else {
      const file = join(dir, 'rows.ndjson');
      const lines = [...rowLines(ROWS, IMPORT_ROWS, people, 7)].map((l) => JSON.stringify(l.body));
      writeFileSync(file, `${lines.join('\n')}\n`);
      const started = performance.now();
      const report = await runImport(
        ['--data-source', dsId, '--file', file, '--data', dir],
        profDir ? profiled : storeEnv,
      );
      const wall = (IMPORT_ROWS * 1000) / (performance.now() - started);
      console.log(
        `${ENGINE} octavo rows import, ${IMPORT_ROWS} rows: ${report.rows_per_second} rows/s (${Math.round(wall)} counting process start; load ${load()})`,
      );
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    if (pgMode) {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    }
  }
  if (!profDir) return;
  for (const f of readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')))
    console.log(summarise(join(profDir, f), TOP, name === 'import' ? undefined : window));
}

for (const name of PHASES) await phase(name);
