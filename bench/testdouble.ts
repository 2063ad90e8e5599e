/**
 * `npm run bench:testdouble`: Octavo as a test double, the three figures of docs/benchmarks.md.
 *
 * 1. In-memory start to first answer: `startServer` with `:memory:` storage in this process (a
 *    socket, migrations, bootstrap) until GET /v1/users/me has answered over HTTP; and the same
 *    for `octavo serve --memory` as a child process (Node's own start-up included).
 * 2. Snapshot restore of a workspace of 1,000 pages (each with two paragraphs) on SQLite in
 *    memory and on a file, and on Postgres when reachable.
 * 3. A suite of 100 "tests", each restoring a snapshot and making 10 calls with the official
 *    client, through the test helper (in process, SQLite in memory).
 *
 *   TD_BENCH_RESTORES=30  TD_BENCH_STARTS=7  TD_BENCH_ONLY=start (the start figures only)
 *   TD_BENCH_BASELINE=../other-checkout/bin/octavo.js (its `serve --memory` start, alternately)
 *
 * Process starts are measured alternately with two references, so that a machine shared with
 * other work loads all three alike: `node -e 0` (Node's own start) and `octavo --version` (the
 * launcher and the command line, no server).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/main.ts';
import type { Fixture } from '../src/ops/fixture.ts';
import { openStore } from '../src/store/connect.ts';
import { type OctavoTest, startOctavo } from '../src/testing/index.ts';
import { PG_URL, postgresReachable, VERSION } from './common.ts';

const RESTORES = Number(process.env.TD_BENCH_RESTORES ?? 30);
const STARTS = Number(process.env.TD_BENCH_STARTS ?? 7);
/** This checkout's launcher; TD_BENCH_BASELINE names another's, measured alternately (A/B). */
const BIN = resolve(import.meta.dirname, '..', 'bin', 'octavo.js');
const BASELINE = process.env.TD_BENCH_BASELINE;
const TOKEN = 'ntn_benchTestDoubleAAAAAAAAAAAAAAAAAA';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const max = (xs: number[]) => Math.max(...xs);
const ms = (x: number) => `${x.toFixed(1)} ms`;

function pagesFixture(n: number): Fixture {
  return {
    integrations: [{ name: 'Bench', token: TOKEN }],
    pages: [
      {
        title: 'Root',
        shared_with: ['Bench'],
        pages: Array.from({ length: n - 1 }, (_, i) => ({
          title: `Page ${i}`,
          children: [
            { paragraph: { rich_text: [{ text: { content: `First paragraph of page ${i}` } }] } },
            { paragraph: { rich_text: [{ text: { content: `Second paragraph of page ${i}` } }] } },
          ],
        })),
      },
    ],
  } as Fixture;
}

async function inProcessStart(): Promise<number> {
  const config = loadConfig({ memory: true, port: '0', 'rate-limit': 'off' }, {});
  const t0 = performance.now();
  const server = await startServer(config);
  const res = await fetch(`${server.url}/v1/users/me`, {
    headers: { authorization: `Bearer ${server.boot.created!.token}`, 'notion-version': VERSION },
  });
  if (res.status !== 200) throw new Error(`first answer ${res.status}`);
  const took = performance.now() - t0;
  await server.close();
  return took;
}

function childStart(bin = BIN): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, 'serve', '--memory', '--port', '0', '--rate-limit', 'off'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, OCTAVO_LOG_LEVEL: 'error', DATABASE_URL: '' },
  });
  return new Promise((done, fail) => {
    let out = '';
    child.stdout!.on('data', async (d) => {
      out += d;
      if (!out.includes('Try it:')) return;
      child.stdout!.removeAllListeners('data');
      const url = /listening on (\S+)/.exec(out)![1];
      const token = /token:\s+(ntn_\w+)/.exec(out)![1];
      const res = await fetch(`${url}/v1/users/me`, {
        headers: { authorization: `Bearer ${token}`, 'notion-version': VERSION },
      });
      const took = performance.now() - t0;
      child.kill('SIGTERM');
      if (res.status !== 200) fail(new Error(`first answer ${res.status}`));
      else done(took);
    });
    child.once('exit', (code) => fail(new Error(`serve exited ${code}`)));
  });
}

/** Wall time of a process run to its exit. */
function runTime(args: string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((done, fail) =>
    execFile(process.execPath, args, (err) => (err ? fail(err) : done(performance.now() - t0))),
  );
}

async function restoreTimes(octavo: OctavoTest): Promise<number[]> {
  await octavo.seed(pagesFixture(1000));
  await octavo.snapshot('bench');
  const notion = octavo.client({ token: TOKEN });
  const rootId = (await notion.search({ query: 'Root' })).results[0]!.id;
  const times: number[] = [];
  for (let i = 0; i < RESTORES; i++) {
    // Something to undo each time, as a test would leave.
    await notion.pages.create({
      parent: { page_id: rootId },
      properties: { title: { title: [{ text: { content: `scratch ${i}` } }] } },
    });
    const t0 = performance.now();
    await octavo.restore('bench');
    times.push(performance.now() - t0);
  }
  return times;
}

async function fileRestoreTimes(): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'octavo-td-bench-'));
  try {
    const store = await openStore({ dataDir: dir });
    const { bootstrap } = await import('../src/ops/workspace.ts');
    const { seedFixture } = await import('../src/ops/seed.ts');
    const { saveSnapshot, restoreSnapshot } = await import('../src/ops/snapshots.ts');
    const now = new Date().toISOString();
    await store.transaction((tx) => bootstrap(tx, now));
    await store.transaction((tx) => seedFixture(tx, pagesFixture(1000), { now, publicUrl: 'http://x' }));
    await saveSnapshot(store, 'bench', now);
    const times: number[] = [];
    for (let i = 0; i < RESTORES; i++) {
      const t0 = performance.now();
      await restoreSnapshot(store, 'bench');
      times.push(performance.now() - t0);
    }
    await store.close();
    return times;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function suite(): Promise<{ totalMs: number; perTestMs: number }> {
  const octavo = await startOctavo({ fixture: pagesFixture(1000) });
  await octavo.snapshot('base');
  const notion = octavo.client({ token: TOKEN });
  const search = await notion.search({ query: 'Root' });
  const rootId = search.results[0]!.id;
  const t0 = performance.now();
  for (let t = 0; t < 100; t++) {
    await octavo.restore('base');
    const page = await notion.pages.create({
      parent: { page_id: rootId },
      properties: { title: { title: [{ text: { content: `Test ${t}` } }] } },
    });
    await notion.blocks.children.append({
      block_id: page.id,
      children: [{ paragraph: { rich_text: [{ text: { content: 'hello' } }] } }],
    });
    await notion.pages.retrieve({ page_id: page.id });
    await notion.blocks.children.list({ block_id: page.id });
    await notion.pages.update({ page_id: page.id, icon: { type: 'emoji', emoji: '🧪' } });
    await notion.blocks.children.list({ block_id: rootId, page_size: 10 });
    await notion.users.me({});
    await notion.search({ query: `Page ${t}`, page_size: 5 });
    await notion.pages.retrieve({ page_id: rootId });
    await notion.pages.update({ page_id: page.id, in_trash: true });
  }
  const totalMs = performance.now() - t0;
  await octavo.close();
  return { totalMs, perTestMs: totalMs / 100 };
}

console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
await inProcessStart(); // warm the module cache, as a test runner's second file would find it
const inProc: number[] = [];
for (let i = 0; i < STARTS; i++) inProc.push(await inProcessStart());
console.log(
  `in-memory start to first answer, in process: median ${ms(median(inProc))}, max ${ms(max(inProc))}`,
);
if (BASELINE) await childStart(BASELINE);
await childStart(); // a first start fills Node's compile cache, as any later start finds it
const child: number[] = [];
const base: number[] = [];
const bare: number[] = [];
const version: number[] = [];
for (let i = 0; i < Math.max(STARTS, 5); i++) {
  bare.push(await runTime(['-e', '0']));
  version.push(await runTime([BIN, '--version']));
  child.push(await childStart());
  if (BASELINE) base.push(await childStart(BASELINE));
}
console.log(`process start, node -e 0: median ${ms(median(bare))}, max ${ms(max(bare))}`);
console.log(`process start, octavo --version: median ${ms(median(version))}, max ${ms(max(version))}`);
console.log(
  `in-memory start to first answer, octavo serve --memory process: median ${ms(median(child))}, max ${ms(max(child))}`,
);
if (BASELINE) console.log(`the same, baseline ${BASELINE}: median ${ms(median(base))}, max ${ms(max(base))}`);
if (process.env.TD_BENCH_ONLY === 'start') process.exit(0);

const mem = await startOctavo();
const memTimes = await restoreTimes(mem);
await mem.close();
console.log(
  `restore 1,000 pages, SQLite in memory: median ${ms(median(memTimes))}, max ${ms(max(memTimes))}`,
);
const fileTimes = await fileRestoreTimes();
console.log(`restore 1,000 pages, SQLite file: median ${ms(median(fileTimes))}, max ${ms(max(fileTimes))}`);
if (await postgresReachable()) {
  const pgOctavo = await startOctavo({ databaseUrl: PG_URL });
  const pgTimes = await restoreTimes(pgOctavo);
  await pgOctavo.close();
  console.log(`restore 1,000 pages, Postgres: median ${ms(median(pgTimes))}, max ${ms(max(pgTimes))}`);
}
const s = await suite();
console.log(
  `100 tests x (restore + 10 SDK calls), in process: ${ms(s.totalMs)} (${ms(s.perTestMs)} per test)`,
);
