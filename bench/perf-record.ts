/**
 * `node bench/perf-record.ts`: where a served request's CPU goes, from Linux `perf` (on-CPU
 * samples only). V8's `--cpu-prof` stamps samples with wall-clock intervals, so on a loaded
 * machine the time a thread waits for a core is charged to whatever it was doing (system calls
 * most of all); `perf record` with the `cpu-clock` event samples only while the server runs.
 *
 * Seeds one data source of the `bench:query` shape (PERF_ROWS rows, bulk path), serves it with
 * `octavo serve` (`--perf-basic-prof`, so JIT-compiled JavaScript has names; jobs off, log and
 * metrics as PERF_OBSERVE), sends PERF_COUNT requests of one kind (4 in flight) while
 * `perf record -g` follows the server, and prints `perf report`'s self and inclusive shares.
 *
 *   PERF_ENGINE=sqlite|postgres  PERF_KIND=get|query  PERF_ROWS=5000  PERF_COUNT=3000 (get) / 300 (query)
 *   PERF_OBSERVE=bare|log|full  PERF_TOP=60  PERF_OUT=/tmp/octavo-perf.data
 * Needs `perf` and permission to attach to the server (root, or perf_event_paranoid ≤ 1).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { importRows } from '../src/ops/bulk-rows.ts';
import { openStore } from '../src/store/connect.ts';
import { rowTableName } from '../src/store/kysely-store.ts';
import { PG_URL, VERSION } from './common.ts';
import { createBenchDataSource, rowLines } from './query-data.ts';
import { startServer } from './server.ts';

const env = process.env;
const ENGINE = env.PERF_ENGINE ?? 'sqlite';
const KIND = env.PERF_KIND ?? 'get';
const ROWS = Number(env.PERF_ROWS ?? 5000);
const COUNT = Number(env.PERF_COUNT ?? (KIND === 'get' ? 3000 : 300));
const TOP = Number(env.PERF_TOP ?? 60);
const OUT = env.PERF_OUT ?? join(tmpdir(), 'octavo-perf.data');
const OBSERVE = env.PERF_OBSERVE ?? 'bare';
const OBSERVE_ENV: Record<string, NodeJS.ProcessEnv> = {
  bare: { OCTAVO_LOG_LEVEL: 'silent', OCTAVO_METRICS: '0' },
  log: { OCTAVO_LOG_LEVEL: 'info', OCTAVO_LOG_FORMAT: 'json', OCTAVO_METRICS: '0' },
  full: { OCTAVO_LOG_LEVEL: 'info', OCTAVO_LOG_FORMAT: 'json', OCTAVO_METRICS: '1' },
};

const pgMode = ENGINE === 'postgres';
const dir = mkdtempSync(join(tmpdir(), 'octavo-perf-'));
const schema = `octavo_perf_${process.pid}`;
const base = { ...env };
for (const key of ['DATABASE_URL', 'OCTAVO_PG_SCHEMA', 'PORT', 'OCTAVO_RATE_LIMIT', 'NODE_OPTIONS'])
  delete base[key];
base.OCTAVO_JOBS = 'off';
const storeEnv = pgMode ? { ...base, DATABASE_URL: PG_URL, OCTAVO_PG_SCHEMA: schema } : base;

const seeding = await startServer(['--data', dir], storeEnv);
const { people, dsId } = await createBenchDataSource(seeding, 'Perf');
const token = seeding.token!;
const store = await openStore(pgMode ? { databaseUrl: PG_URL, pgSchema: schema } : { dataDir: dir });
await importRows(store, rowLines(0, ROWS, people), { dataSourceId: dsId });
const ids = (
  await sql<{ page_id: string }>`select page_id from ${sql.table(rowTableName(dsId))}
    order by page_id limit 50`.execute(store.db)
).rows.map((r) => r.page_id);
await store.close();
await seeding.stop();

const server = await startServer(['--data', dir], {
  ...storeEnv,
  ...OBSERVE_ENV[OBSERVE],
  // (`--logfile` is refused in NODE_OPTIONS by Node 24; perf maps go to /tmp/perf-PID.map.)
  NODE_OPTIONS: '--perf-basic-prof --interpreted-frames-native-stack',
});
const headers = {
  authorization: `Bearer ${token}`,
  'notion-version': VERSION,
  'content-type': 'application/json',
};
const body = JSON.stringify({
  sorts: [{ property: 'Due', direction: 'ascending' }],
  start_cursor: ids[25],
  page_size: 100,
});
const request = (i: number) =>
  KIND === 'get'
    ? fetch(`${server.url}/v1/pages/${ids[i % ids.length]}`, { headers })
    : fetch(`${server.url}/v1/data_sources/${dsId}/query`, { method: 'POST', headers, body });
async function fire(count: number) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const res = await request(next++);
      if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

try {
  await fire(Math.ceil(COUNT / 2));
  const pid = server.child.pid!;
  const perf = spawn(
    'perf',
    ['record', '-e', 'cpu-clock', '-F', '1999', '-g', '-p', String(pid), '-o', OUT],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  await new Promise((r) => setTimeout(r, 500));
  await fire(COUNT);
  const done = new Promise((r) => perf.once('exit', r));
  perf.kill('SIGINT');
  await done;
  const report = (children: boolean) =>
    spawnSync(
      'perf',
      [
        'report',
        '-i',
        OUT,
        '--stdio',
        children ? '--children' : '--no-children',
        '--sort',
        'symbol',
        '-g',
        'none',
        '--percent-limit',
        '0.3',
      ],
      { encoding: 'utf8', maxBuffer: 1 << 28 },
    )
      .stdout.split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.replace(/[\s-]+$/, ''))
      .slice(0, TOP)
      .join('\n');
  console.log(`${ENGINE} ${KIND} (${OBSERVE}), ${COUNT} requests, perf data ${OUT}`);
  console.log('self:');
  console.log(report(false));
  console.log('inclusive:');
  console.log(report(true));
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
