/**
 * `npm run bench:automations`: issue 13's targets for automations, on SQLite and (when reachable)
 * Postgres, with the real runtime in this process (one job process: the store, the queue, the
 * dispatcher and the run consumer) and the official SDK writing over loopback HTTP.
 *
 *   1. Write cost: W sequential `pages.create` with no automation defined, then with N automations
 *      defined on the same data source (each with a condition on `Bucket`, so one write fires
 *      exactly one of them while the dispatcher weighs all N against it). Target: ≤ 2×.
 *   2. Latency: for those writes, from the SDK call returning (committed) to the run's
 *      `started_time` (its first action begins right after). Target: p50 ≤ 100 ms.
 *   3. Throughput: the runtime stopped, R rows are created (each firing one automation), the
 *      runtime started again; runs per second from the start until every run has succeeded.
 *      Target: ≥ 200 runs/s on Postgres. Meanwhile the statements are counted at the drivers
 *      (test/helpers/statements.ts): all of this process's per run, and the store's alone (on
 *      Postgres, pg-boss's connections left out; on SQLite the embedded queue's are the store's).
 *
 *   BENCH_AUTOMATIONS (N, default 1000), BENCH_WRITES (W, default 60), BENCH_RUNS (R, default 1000),
 *   BENCH_ENGINES (default sqlite,postgres), OCTAVO_BENCH_DATABASE_URL.
 */
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { serve } from '@hono/node-server';
import { Client } from '@notionhq/client';
import {
  type AutomationRuntime,
  type RunningAutomations,
  startAutomations,
  startDispatcher,
} from '../src/automations/runtime.ts';
import { openJobQueue } from '../src/jobs/index.ts';
import { countStatements, storeConnection } from '../test/helpers/statements.ts';
import { createBucketAutomations, createTasks, openBenchWorkspace } from './automation-setup.ts';
import { backendsCpuBetween, ownBackendsCpu, PG_URL, postgresReachable } from './common.ts';

const N = Number(process.env.BENCH_AUTOMATIONS ?? 1000);
const W = Number(process.env.BENCH_WRITES ?? 60);
const R = Number(process.env.BENCH_RUNS ?? 1000);
const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

interface Result {
  engine: string;
  writeNone: number;
  writeMany: number;
  latencyP50: number;
  latencyP95: number;
  runsPerSecond: number;
  /** CPU time of this process (dispatcher, queue, runs; not Postgres's) per run, in ms. */
  cpuPerRun: number;
  /** Postgres: CPU time of the backends serving this process's connections per run, in ms. */
  backendCpuPerRun: number | null;
  /** Statements per run while the burst drained: all (the queue's polls included), the store's. */
  statementsPerRun: number;
  storeStatementsPerRun: number;
  runs: number;
}

async function measure(engine: 'sqlite' | 'postgres'): Promise<Result> {
  const { store, schema, boot, app, close } = await openBenchWorkspace(engine, 'auto', 'http://127.0.0.1');
  const queue = await openJobQueue(store, { databaseUrl: PG_URL, pgSchema: schema });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const rt: AutomationRuntime = {
    store,
    queue,
    api: async (req: Request) => app.request(req),
    // The production defaults (config.ts): dispatcher poll 25 ms, no aggregation window.
    settings: {
      allowPrivate: true,
      timeoutMs: 5000,
      pollMs: 25,
      aggregationMs: 0,
      publicUrl: baseUrl,
      scripts: { timeoutMs: 10_000, memoryMb: 64 },
    },
  };
  let running: RunningAutomations | null = await startAutomations({ ...rt, queue });
  const sdk = new Client({ auth: boot.created!.token, baseUrl, logLevel: 'error' as never });
  const pageId = boot.created!.pageId;
  try {
    const ds = await createTasks(sdk, pageId);
    const create = (bucket: number, name: string) =>
      sdk.pages.create({
        parent: { data_source_id: ds },
        properties: {
          Name: { title: [{ text: { content: name } }] },
          Bucket: { number: bucket },
        },
      });

    // 1. Writes with no automation.
    const none: number[] = [];
    for (let i = 0; i < W; i++) {
      const t = performance.now();
      await create(-1, `plain ${i}`);
      none.push(performance.now() - t);
    }

    // N automations on the data source, one per bucket, each shared the workspace page.
    await createBucketAutomations(store, ds, pageId, N);
    await sleep(500);

    // 2. The same writes with N automations: commit time, and write → run started.
    const many: number[] = [];
    const created: { id: string; at: number }[] = [];
    for (let i = 0; i < W; i++) {
      const t = performance.now();
      const page = await create(i % N, `fires ${i}`);
      many.push(performance.now() - t);
      created.push({ id: page.id, at: Date.now() });
      // Sequential writes a little apart, as people and integrations make them.
      await sleep(20);
    }
    const startedOf = async (ids: string[]) => {
      const runs = await store.transaction((tx) => tx.automations.listRuns(null, 1_000_000));
      const byPage = new Map<string, { started: string | null; status: string }>();
      for (const r of runs) {
        const trigger = JSON.parse(r.trigger) as { page_id?: string };
        if (trigger.page_id) byPage.set(trigger.page_id, { started: r.started_time, status: r.status });
      }
      return ids.map((id) => byPage.get(id));
    };
    let latency: number[] = [];
    for (let tries = 0; tries < 600; tries++) {
      const seen = await startedOf(created.map((c) => c.id));
      if (seen.every((s) => s?.started)) {
        latency = seen.map((s, i) => Date.parse(s!.started!) - created[i]!.at);
        break;
      }
      await sleep(100);
    }
    if (latency.length === 0) throw new Error('runs of the sequential writes did not all start');

    // 3. Throughput: R rows written with the runtime stopped, then drained.
    await running.stop();
    running = null;
    const burst: string[] = [];
    for (let i = 0; i < R; i += 10) {
      const pages = await Promise.all(
        Array.from({ length: Math.min(10, R - i) }, (_, k) => create((i + k) % N, `burst ${i + k}`)),
      );
      burst.push(...pages.map((p) => p.id));
    }
    // Every round trip while the burst drains, and those of the store's connections alone (on
    // SQLite the embedded queue's are the store's too); the progress polls below are not counted.
    const all = countStatements();
    const mine = countStatements({ which: storeConnection(schema) });
    let polls = 0;
    // Postgres shares the machine: its backends' CPU for this process's connections, read at the
    // start, about every second (a backend that closes keeps its last reading) and at the end.
    const backends0 = engine === 'postgres' ? await ownBackendsCpu() : new Map<number, number>();
    const backends = new Map(backends0);
    let samples = 0;
    const sampleBackends = async () => {
      samples++;
      for (const [pid, ms] of await ownBackendsCpu()) backends.set(pid, ms);
    };
    // The burst's runs are those recorded from here on (the sequential writes' all were before).
    const since = new Date().toISOString();
    // The drain's progress poll counts them by status: a statement of its own that reads no run's
    // text (listing every run every 50 ms cost this process ~0.9 ms and Postgres ~0.35 ms a run).
    const burstStatus = async () => {
      const byStatus = new Map<string, number>();
      for (const r of await store.db
        .selectFrom('automation_runs')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('created_time', '>=', since)
        .groupBy('status')
        .execute())
        byStatus.set(r.status, Number(r.n));
      return byStatus;
    };
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    running = startDispatcher(rt);
    let elapsed = 0;
    let cpuPerRun = 0;
    let backendCpuPerRun: number | null = null;
    let statementsPerRun = 0;
    let storeStatementsPerRun = 0;
    for (;;) {
      polls++;
      const seen = await burstStatus();
      const failed = seen.get('failed') ?? 0;
      if (failed) throw new Error(`${failed} runs failed`);
      if ((seen.get('succeeded') ?? 0) >= R) {
        elapsed = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        cpuPerRun = (cpu.user + cpu.system) / 1000 / R;
        if (engine === 'postgres') {
          await sampleBackends();
          backendCpuPerRun = backendsCpuBetween(backends0, backends) / R;
        }
        // Each progress poll is one statement, on either engine; each reading of the backends'
        // CPU one (on a connection of its own, not the store's).
        const pollCost = polls;
        statementsPerRun = (all.count - pollCost - samples) / R;
        storeStatementsPerRun = (engine === 'sqlite' ? all.count - pollCost : mine.count - pollCost) / R;
        all.stop();
        mine.stop();
        break;
      }
      if (performance.now() - t0 > 600_000) throw new Error('the burst did not drain in 10 minutes');
      if (engine === 'postgres' && polls % 20 === 0) await sampleBackends();
      await sleep(50);
    }
    return {
      engine,
      writeNone: pct(none, 0.5),
      writeMany: pct(many, 0.5),
      latencyP50: pct(latency, 0.5),
      latencyP95: pct(latency, 0.95),
      runsPerSecond: (R / elapsed) * 1000,
      cpuPerRun,
      backendCpuPerRun,
      statementsPerRun,
      storeStatementsPerRun,
      runs: R,
    };
  } finally {
    await running?.stop();
    server.close();
    await queue.stop(2000);
    await close();
  }
}

const results: Result[] = [];
console.log(
  `automations benchmark: ${N} automations, ${W} writes, ${R} runs; ${availableParallelism()} × ${cpus()[0]?.model}; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
for (const engine of ENGINES) {
  if (engine === 'postgres' && !(await postgresReachable())) {
    console.log('postgres: not reachable, skipped');
    continue;
  }
  results.push(await measure(engine as 'sqlite' | 'postgres'));
}
console.log('');
console.log(
  '| engine | write p50, no automation | write p50, N automations | ratio (≤ 2×) | write → run started p50 / p95 (≤ 100 ms) | runs/s (≥ 200 on Postgres) | CPU per run (this process) | CPU per run (Postgres backends) | statements per run: all / store |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results)
  console.log(
    `| ${r.engine} | ${fmt(r.writeNone)} | ${fmt(r.writeMany)} | ${(r.writeMany / r.writeNone).toFixed(2)}× | ${r.latencyP50} / ${r.latencyP95} ms | ${r.runsPerSecond.toFixed(0)} (${r.runs} runs) | ${r.cpuPerRun.toFixed(2)} ms | ${r.backendCpuPerRun === null ? '—' : `${r.backendCpuPerRun.toFixed(2)} ms`} | ${r.statementsPerRun.toFixed(1)} / ${r.storeStatementsPerRun.toFixed(1)} |`,
  );
console.log(
  `load at end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
