/**
 * `node bench/ab.ts OTHER_CHECKOUT`: this checkout against another one (say, the commit before a
 * change, extracted with `git archive`), both serving copies of the same SQLite data, with
 * requests alternated between them in short windows so both see the same load from whatever else
 * runs on the machine. Seeds AB_ROWS rows of the `bench:query` shape once (this checkout's bulk
 * path), then for each request kind reports p50 / p99 on each side; then times `octavo rows
 * import` of AB_IMPORT_ROWS lines on each side, alternately, AB_IMPORTS times.
 *
 *   AB_ROWS=100000  AB_ROUNDS=10 (windows per side and kind)  AB_WINDOW_MS=1000
 *   AB_KINDS=get,deep,filter,contains  AB_IMPORT_ROWS=20000  AB_IMPORTS=3 (0: none)
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { importRows } from '../src/ops/bulk-rows.ts';
import { openStore } from '../src/store/connect.ts';
import { rowTableName } from '../src/store/kysely-store.ts';
import { VERSION } from './common.ts';
import { createBenchDataSource, rowLines } from './query-data.ts';
import { startServer } from './server.ts';

const env = process.env;
const OTHER = resolve(process.argv[2] ?? '');
const HERE = resolve(import.meta.dirname, '..');
const ROWS = Number(env.AB_ROWS ?? 100_000);
const ROUNDS = Number(env.AB_ROUNDS ?? 10);
const WINDOW_MS = Number(env.AB_WINDOW_MS ?? 1000);
const KINDS = (env.AB_KINDS ?? 'get,deep,filter,contains').split(',');
const IMPORT_ROWS = Number(env.AB_IMPORT_ROWS ?? 20_000);
const IMPORTS = Number(env.AB_IMPORTS ?? 3);
const SIDES = { A: OTHER, B: HERE };
type Side = keyof typeof SIDES;

const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** A fresh data folder with a seeded data source; the server that made it is stopped. */
async function makeFixture(dir: string) {
  const server = await startServer(['--data', dir], env);
  const { people, dsId } = await createBenchDataSource(server, 'A/B');
  const store = await openStore({ dataDir: dir });
  await sql`pragma cache_size = -1048576`.execute(store.db);
  await importRows(store, rowLines(0, ROWS, people), { dataSourceId: dsId });
  await store.close();
  await server.stop();
  return { dsId, people, token: server.token! };
}

/** `octavo serve` of one checkout on a copy of the fixture. */
function serve(root: string, dir: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [
      join(root, 'bin/octavo.js'),
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--rate-limit',
      'off',
      '--data',
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  return new Promise((done) =>
    child.stdout.on('data', (d) => {
      out += d;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url && out.includes('Try it:')) done({ url, stop: () => child.kill('SIGTERM') });
    }),
  );
}

/** `octavo rows import` of one checkout; its own rows/s and the wall rate from spawn. */
function runImport(root: string, args: string[]): Promise<{ own: number; wall: number }> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'bin/octavo.js'), 'rows', 'import', ...args, '--json']);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.once('exit', (code) => {
      if (code !== 0) return fail(new Error(`rows import exited ${code}`));
      const own = (JSON.parse(out) as { rows_per_second: number }).rows_per_second;
      done({ own, wall: (IMPORT_ROWS * 1000) / (performance.now() - started) });
    });
  });
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'octavo-ab-'));
  try {
    const fixture = join(work, 'fixture');
    const { dsId, people, token } = await makeFixture(fixture);
    const raw = new Database(join(fixture, 'octavo.db'), { readonly: true });
    const table = rowTableName(dsId);
    const ids = raw
      .prepare(`select page_id from ${table} order by page_id limit 50`)
      .pluck()
      .all() as string[];
    const due = (raw.prepare(`pragma table_info(${table})`).all() as { name: string }[])
      .map((c) => c.name)
      .find((c) => c.endsWith('_lo'))!;
    const anchor = raw
      .prepare(`select page_id from ${table} order by ${due}, page_id limit 1 offset ${Math.floor(ROWS / 2)}`)
      .pluck()
      .get() as string;
    raw.close();
    console.log(`A = ${SIDES.A}\nB = ${SIDES.B}\n${ROWS} rows; load average ${loadavg()[0]!.toFixed(2)}`);

    const headers = {
      authorization: `Bearer ${token}`,
      'notion-version': VERSION,
      'content-type': 'application/json',
    };
    const query = (url: string, body: object) =>
      fetch(`${url}/v1/data_sources/${dsId}/query`, { method: 'POST', headers, body: JSON.stringify(body) });
    const requests: Record<string, (url: string, i: number) => Promise<Response>> = {
      get: (url, i) => fetch(`${url}/v1/pages/${ids[i % ids.length]}`, { headers }),
      deep: (url) =>
        query(url, {
          sorts: [{ property: 'Due', direction: 'ascending' }],
          start_cursor: anchor,
          page_size: 100,
        }),
      filter: (url) =>
        query(url, {
          filter: {
            and: [
              { property: 'Amount', number: { greater_than: 500 } },
              { property: 'Stage', select: { equals: 'Doing' } },
            ],
          },
          sorts: [{ property: 'Due', direction: 'ascending' }],
          page_size: 100,
        }),
      contains: (url) =>
        query(url, { filter: { property: 'Name', title: { contains: 'hotel golf' } }, page_size: 100 }),
    };

    const servers = {} as Record<Side, { url: string; stop: () => void }>;
    for (const side of ['A', 'B'] as Side[]) {
      const dir = join(work, side);
      cpSync(fixture, dir, { recursive: true });
      servers[side] = await serve(SIDES[side], dir);
    }
    for (const kind of KINDS) {
      const ms: Record<Side, number[]> = { A: [], B: [] };
      for (const side of ['A', 'B'] as Side[]) {
        for (let i = 0; i < 10; i++) {
          const r = await requests[kind]!(servers[side].url, i);
          if (r.status !== 200) throw new Error(`${side} ${kind}: ${r.status} ${await r.text()}`);
          await r.arrayBuffer();
        }
      }
      for (let round = 0; round < ROUNDS; round++) {
        for (const side of (round % 2 ? ['B', 'A'] : ['A', 'B']) as Side[]) {
          const end = performance.now() + WINDOW_MS;
          for (let i = 0; performance.now() < end; i++) {
            const t = performance.now();
            await (await requests[kind]!(servers[side].url, i)).arrayBuffer();
            ms[side].push(performance.now() - t);
          }
        }
      }
      const show = (side: Side) => {
        const sorted = ms[side].sort((a, b) => a - b);
        return `${side} p50 ${percentile(sorted, 0.5).toFixed(2)} / p99 ${percentile(sorted, 0.99).toFixed(2)} ms (n ${sorted.length})`;
      };
      console.log(`${kind.padEnd(9)} ${show('A')} | ${show('B')}  load ${loadavg()[0]!.toFixed(2)}`);
    }
    for (const side of ['A', 'B'] as Side[]) servers[side].stop();

    if (IMPORTS > 0) {
      const file = join(work, 'rows.ndjson');
      const lines = [...rowLines(ROWS, IMPORT_ROWS, people, 7)].map((l) => JSON.stringify(l.body));
      writeFileSync(file, `${lines.join('\n')}\n`);
      for (let n = 0; n < IMPORTS; n++) {
        for (const side of (n % 2 ? ['B', 'A'] : ['A', 'B']) as Side[]) {
          const dir = join(work, `import-${side}`);
          rmSync(dir, { recursive: true, force: true });
          cpSync(fixture, dir, { recursive: true });
          const r = await runImport(SIDES[side], ['--data-source', dsId, '--file', file, '--data', dir]);
          console.log(
            `import ${side}: ${r.own} rows/s (${Math.round(r.wall)} counting process start)  load ${loadavg()[0]!.toFixed(2)}`,
          );
        }
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
