/**
 * The browser app's table view on a data source of 100,000 rows, in Debian's Chromium
 * (playwright-core):
 * - first rows: from navigation to /app/p/<database id> until the table shows its first row
 *   (median of BENCH_RUNS, default 3);
 * - scrolling: the table's scroll box moved down by BENCH_STEP pixels (default 170, five rows)
 *   per animation frame until 10,000 rows have passed (pages of 100 fetched by cursor on the
 *   way); the longest frame is the largest requestAnimationFrame delta, and the longest
 *   long-animation-frame entry (PerformanceObserver) where Chromium reports them.
 *
 *   node bench/web-table.ts        (SQLite in memory; BENCH_ENGINE=postgres for Postgres,
 *                                   BENCH_ROWS to change the 100,000, BENCH_SCROLL the 10,000)
 *
 * The rows are seeded directly through the store (`importRows`, the bulk path), not over HTTP.
 * Server and browser share this machine's cores.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Client } from '@notionhq/client';
import { loadConfig } from '../src/config.ts';
import { hashPassword } from '../src/lib/password.ts';
import { startServer } from '../src/main.ts';
import { createPersonWithPassword } from '../src/ops/accounts.ts';
import { importRows } from '../src/ops/bulk-rows.ts';
import { dropPostgresSchema } from '../src/store/connect.ts';
import { ensureWebBundle } from '../src/web/bundle.ts';
import { launchChromium } from '../test/helpers/chromium.ts';
import { PG_URL } from './common.ts';
import { PROPERTIES, rowLines } from './query-data.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const SCROLL_ROWS = Math.min(ROWS, Number(process.env.BENCH_SCROLL ?? 10_000));
const STEP = Number(process.env.BENCH_STEP ?? 170);
const ROW_HEIGHT = 34; // table.tsx ROW_HEIGHT
const engine = process.env.BENCH_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
const schema = `octavo_bench_table_${process.pid}`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const loadBefore = load();
const t0 = Date.now();
/** Where the run is (stderr, with seconds since the start and the load): a stall shows where it is. */
const stage = (what: string) =>
  process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(1)} s, load ${load()}] ${what}\n`);
await ensureWebBundle();
const env: Record<string, string> = { OCTAVO_JOBS: 'off' };
if (engine === 'postgres') Object.assign(env, { DATABASE_URL: PG_URL, OCTAVO_PG_SCHEMA: schema });
const server = await startServer(loadConfig({ port: '0', data: ':memory:', 'rate-limit': 'off' }, env));
const sdk = new Client({ baseUrl: server.url, auth: server.boot.created!.token });
const people = (await sdk.users.list({})).results.map((u) => u.id);
const db = (await sdk.databases.create({
  parent: { type: 'page_id', page_id: server.boot.created!.pageId },
  title: [{ type: 'text', text: { content: 'A hundred thousand rows' } }],
  initial_data_source: { properties: PROPERTIES as never },
})) as unknown as { id: string; data_sources: { id: string }[] };
const seeded = await importRows(server.store, rowLines(0, ROWS, people), {
  dataSourceId: db.data_sources[0]!.id,
});
console.log(`seeded ${seeded.rows} rows in ${(seeded.ms / 1000).toFixed(1)} s`);
stage('seeded');

const passwordHash = await hashPassword('bench password 1', { logN: 10, r: 8, p: 1 });
await server.store.transaction((tx) =>
  createPersonWithPassword(tx, {
    name: 'Bench',
    email: 'bench@example.com',
    passwordHash,
    now: new Date().toISOString(),
  }),
);

const browser = await launchChromium();
const tab = await browser.context.newPage();
await tab.goto(`${server.url}/sign-in?next=/app`);
await tab.getByLabel('Email').fill('bench@example.com');
await tab.getByLabel('Password').fill('bench password 1');
await tab.getByRole('button', { name: 'Sign in' }).click();
await tab.waitForURL('**/app');
stage('signed in');
// Every row query the page makes is counted, and a page asked for twice (the same cursor);
// BENCH_TRACE=1 also prints each one with the time it took.
const trace = process.env.BENCH_TRACE === '1';
const queried = { pages: 0, again: 0, cursors: new Set<string>() };
tab.on('requestfinished', (req) => {
  if (!req.url().endsWith('/query')) return;
  const cursor = (JSON.parse(req.postData() ?? '{}') as { start_cursor?: string }).start_cursor;
  queried.pages++;
  const again = cursor !== undefined && queried.cursors.has(cursor);
  if (cursor) queried.cursors.add(cursor);
  if (again) queried.again++;
  const t = req.timing();
  if (trace)
    stage(
      `query ${queried.pages} ${cursor ? `from …${cursor.slice(-8)}` : 'first page'}${again ? ' (again)' : ''}: ` +
        `${(t.responseEnd - t.requestStart).toFixed(0)} ms`,
    );
});
if (trace) {
  tab.on('requestfailed', (req) => stage(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  tab.on('console', (m) => stage(`console ${m.type()}: ${m.text()}`));
}

const firstRows: number[] = [];
for (let run = 0; run < RUNS; run++) {
  await tab.goto(`${server.url}/app`);
  await tab.getByRole('navigation', { name: 'Workspace' }).waitFor();
  const started = Date.now();
  await tab.goto(`${server.url}/app/p/${db.id}`);
  await tab.locator('.db-table tbody th[scope="row"] a').first().waitFor();
  firstRows.push(Date.now() - started);
  stage(`first rows, run ${run + 1}: ${firstRows.at(-1)} ms`);
}

// The renderer's main-thread time (CDP Performance metrics), read around the scroll: CPU-time
// figures that a loaded machine inflates far less than frame wall times.
const cdp = await browser.context.newCDPSession(tab);
await cdp.send('Performance.enable');
const metrics = async () =>
  Object.fromEntries(
    (
      (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }
    ).metrics.map((m) => [m.name, m.value]),
  ) as Record<string, number>;
const TICK_MS = 10; // USER_HZ = 100 on Linux
/** CPU time (user + system) of this process's descendants (Chromium's processes), in ms. */
function chromiumCpuMs(): number {
  const stats = new Map<number, { ppid: number; ms: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ');
      stats.set(Number(d), { ppid: Number(f[1]), ms: (Number(f[11]) + Number(f[12])) * TICK_MS });
    } catch {
      // gone meanwhile
    }
  }
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, s] of stats)
      if (!mine.has(pid) && mine.has(s.ppid)) {
        mine.add(pid);
        grew = true;
      }
  }
  mine.delete(process.pid);
  return [...mine].reduce((n, pid) => n + stats.get(pid)!.ms, 0);
}
// BENCH_PROFILE=1: the renderer's JavaScript profile while scrolling, top functions by self time.
const profile = process.env.BENCH_PROFILE === '1';
if (profile) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
}
const before = await metrics();
const cpuBefore = chromiumCpuMs();
const serverBefore = process.cpuUsage();

/** Scrolls the table box STEP px per frame to `rows` rows; answers frame and long-frame figures. */
const scrolled = await tab.evaluate(
  async ({ rows, step, rowHeight }) => {
    const box = document.querySelector<HTMLElement>('.table-scroll')!;
    const loaf: number[] = [];
    const loafAt: [number, number][] = [];
    let observer: PerformanceObserver | null = null;
    try {
      observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          loaf.push(e.duration);
          loafAt.push([e.startTime, e.startTime + e.duration]);
        }
      });
      observer.observe({ type: 'long-animation-frame', buffered: false });
    } catch {
      observer = null;
    }
    const deltas: number[] = [];
    const ends: number[] = [];
    const started = performance.now();
    // Stalled: the box has not moved for 30 s (no page of rows came to scroll into).
    let stalledAt: number | null = null;
    await new Promise<void>((done) => {
      let last = performance.now();
      let top = -1;
      let movedAt = last;
      const frame = (now: number) => {
        deltas.push(now - last);
        ends.push(now);
        last = now;
        if (box.scrollTop / rowHeight >= rows) return done();
        if (box.scrollTop !== top) {
          top = box.scrollTop;
          movedAt = now;
        } else if (now - movedAt > 30_000) {
          stalledAt = Math.floor(top / rowHeight);
          return done();
        }
        box.scrollTop += step;
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    const ms = performance.now() - started;
    await new Promise((r) => setTimeout(r, 100));
    observer?.disconnect();
    const sorted = [...deltas].sort((a, b) => a - b);
    // Page arrivals: the frames in which a query's response ended and the one after (JSON parse,
    // rows appended), against all other frames; and the long animation frames around them.
    const arrivals = performance
      .getEntriesByType('resource')
      .filter((e) => e.name.endsWith('/query') && e.startTime >= started)
      .map((e) => (e as PerformanceResourceTiming).responseEnd);
    const atFetch = new Set<number>();
    for (const t of arrivals) {
      const i = ends.findIndex((end) => end >= t);
      if (i >= 0) atFetch.add(i);
      if (i >= 0 && i + 1 < ends.length) atFetch.add(i + 1);
    }
    const fetchFrames = deltas.filter((_, i) => atFetch.has(i)).sort((a, b) => a - b);
    const otherFrames = deltas.filter((_, i) => !atFetch.has(i)).sort((a, b) => a - b);
    const mid = (xs: number[]) => xs[Math.floor(xs.length / 2)] ?? 0;
    const near = (a: number, b: number) => arrivals.some((t) => t >= a - 20 && t <= b + 20);
    const loafFetch = loafAt.filter(([a, b]) => near(a, b)).map(([a, b]) => b - a);
    const loafOther = loafAt.filter(([a, b]) => !near(a, b)).map(([a, b]) => b - a);
    return {
      fetches: arrivals.length,
      fetchFrameMax: fetchFrames.at(-1) ?? 0,
      fetchFrameMedian: mid(fetchFrames),
      otherFrameMax: otherFrames.at(-1) ?? 0,
      otherFrameMedian: mid(otherFrames),
      loafFetchMax: loafFetch.length ? Math.max(...loafFetch) : 0,
      loafOtherMax: loafOther.length ? Math.max(...loafOther) : 0,
      ms,
      frames: deltas.length,
      maxFrame: sorted.at(-1)!,
      p99Frame: sorted[Math.floor(sorted.length * 0.99)]!,
      over50: deltas.filter((d) => d > 50).length,
      over100: deltas.filter((d) => d > 100).length,
      loafSupported: observer !== null,
      maxLoaf: loaf.length ? Math.max(...loaf) : 0,
      loafCount: loaf.length,
      rendered: document.querySelectorAll('.db-table tbody th[scope="row"]').length,
      status: document.querySelector('[role="status"]')?.textContent ?? '',
      stalledAt,
    };
  },
  { rows: SCROLL_ROWS, step: STEP, rowHeight: ROW_HEIGHT },
);

stage('scrolled');
const after = await metrics();
if (profile) {
  type Node = {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
  };
  const { profile: p } = (await cdp.send('Profiler.stop')) as {
    profile: { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  };
  const self = new Map<string, number>();
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  p.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.log(`${ms.toFixed(0)} ms  ${k}`);
}
const chromiumCpu = chromiumCpuMs() - cpuBefore;
const usage = process.cpuUsage(serverBefore);
const serverCpu = (usage.user + usage.system) / 1000;
const perFrame = (name: string) => (((after[name] ?? 0) - (before[name] ?? 0)) * 1000) / scrolled.frames;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`engine: ${engine}; rows: ${ROWS}; load average before: ${loadBefore}`);
if (scrolled.stalledAt !== null)
  console.log(
    `STALLED: the scroll box stopped at row ${scrolled.stalledAt} for 30 s (figures below include the wait)`,
  );
console.log(
  `first rows after navigation (ms, ${RUNS} runs): ${firstRows.join(', ')}; median ${median(firstRows)}`,
);
console.log(
  `scrolled ${SCROLL_ROWS} rows in ${(scrolled.ms / 1000).toFixed(1)} s, ${scrolled.frames} frames: ` +
    `longest frame ${scrolled.maxFrame.toFixed(1)} ms, p99 ${scrolled.p99Frame.toFixed(1)} ms, ` +
    `${scrolled.over50} over 50 ms, ${scrolled.over100} over 100 ms; ` +
    (scrolled.loafSupported
      ? `long animation frames: ${scrolled.loafCount}, longest ${scrolled.maxLoaf.toFixed(1)} ms`
      : 'long-animation-frame entries not supported'),
);
console.log(
  `page arrivals: ${scrolled.fetches}; frames at an arrival (and the next): longest ${scrolled.fetchFrameMax.toFixed(1)} ms, ` +
    `median ${scrolled.fetchFrameMedian.toFixed(1)} ms; other frames: longest ${scrolled.otherFrameMax.toFixed(1)} ms, ` +
    `median ${scrolled.otherFrameMedian.toFixed(1)} ms; long animation frames at an arrival: longest ${scrolled.loafFetchMax.toFixed(1)} ms, ` +
    `elsewhere ${scrolled.loafOtherMax.toFixed(1)} ms`,
);
console.log(
  `main thread per frame while scrolling (CDP, ms): tasks ${perFrame('TaskDuration').toFixed(2)}, ` +
    `script ${perFrame('ScriptDuration').toFixed(2)}, layout ${perFrame('LayoutDuration').toFixed(2)}, ` +
    `style ${perFrame('RecalcStyleDuration').toFixed(2)}`,
);
console.log(
  `CPU while scrolling: Chromium (all its processes) ${chromiumCpu} ms, ${(chromiumCpu / scrolled.frames).toFixed(2)} ms per frame; ` +
    `server and driver (this process) ${serverCpu.toFixed(0)} ms, ${(serverCpu / (SCROLL_ROWS / 100)).toFixed(1)} ms per 100 rows`,
);
console.log(`rows rendered at the end: ${scrolled.rendered}; status: ${scrolled.status}`);
console.log(
  `row queries: ${queried.pages}, of which asked again for a page already asked for: ${queried.again}`,
);
console.log(`load average after: ${load()}`);
await browser.close();
await server.close();
if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema);
