/**
 * `node bench/automation-run-path.ts`: the cost of an automation run alone, without the queue and
 * with no other run at the same time: R rows written through the SDK (in process), then one
 * dispatcher look that starts their runs and performs each at once, one after the other (no job
 * queue: `AutomationRuntime.queue` absent). Reported per run: this process's CPU, the CPU of the
 * Postgres backends serving it (/proc, bench/common.ts), statements, and wall time. The run's
 * action is the `update_page` of bench/automations.ts (bench/automation-setup.ts); N automations on
 * the data source.
 *
 *   BENCH_RUNS (R, default 200, at most 240), BENCH_AUTOMATIONS (N, default 20), BENCH_ENGINES (default
 *   postgres,sqlite), OCTAVO_BENCH_DATABASE_URL.
 */
import { loadavg } from 'node:os';
import { Client } from '@notionhq/client';
import { type AutomationRuntime, dispatchOnce } from '../src/automations/runtime.ts';
import { countStatements, storeConnection } from '../test/helpers/statements.ts';
import { createBucketAutomations, createTasks, openBenchWorkspace } from './automation-setup.ts';
import { backendsCpuBetween, ownBackendsCpu, postgresReachable } from './common.ts';

// A look reads up to 500 events (two a row created): the R runs are started by one look.
const R = Number(process.env.BENCH_RUNS ?? 200);
const N = Number(process.env.BENCH_AUTOMATIONS ?? 20);
const ENGINES = (process.env.BENCH_ENGINES ?? 'postgres,sqlite').split(',');

async function measure(engine: 'sqlite' | 'postgres') {
  const { store, schema, boot, app, close } = await openBenchWorkspace(
    engine,
    'runpath',
    'http://octavo.local',
  );
  try {
    const sdk = new Client({
      auth: boot.created!.token,
      baseUrl: 'http://octavo.local',
      fetch: ((url: string | URL | Request, init?: RequestInit) =>
        Promise.resolve(app.request(url instanceof Request ? url : String(url), init))) as typeof fetch,
      logLevel: 'error' as never,
    });
    const rt: AutomationRuntime = {
      store,
      settings: {
        allowPrivate: true,
        timeoutMs: 2000,
        pollMs: 25,
        aggregationMs: 0,
        publicUrl: 'http://octavo.local',
      },
    };
    const pageId = boot.created!.pageId;
    const ds = await createTasks(sdk, pageId);
    await createBucketAutomations(store, ds, pageId, N);
    await dispatchOnce(rt);
    const rows = async (n: number, label: string) => {
      for (let i = 0; i < n; i += 10)
        await Promise.all(
          Array.from({ length: Math.min(10, n - i) }, (_, k) =>
            sdk.pages.create({
              parent: { data_source_id: ds },
              properties: {
                Name: { title: [{ text: { content: `${label} ${i + k}` } }] },
                Bucket: { number: (i + k) % N },
              },
            }),
          ),
        );
      // On Postgres the outbox is read below the oldest open transaction: wait until readable.
      for (let t = 0; t < 600; t++) {
        if (
          await store.read(
            async (tx) => (await tx.events.endCursor()) === (await tx.events.endCursor({ committed: true })),
          )
        )
          break;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    // A warm-up look (statements compiled and prepared, caches filled), then the measured one.
    await rows(20, 'warm');
    await dispatchOnce(rt);
    await rows(R, 'row');
    const counter = countStatements(engine === 'postgres' ? { which: storeConnection(schema) } : {});
    const backends0 = engine === 'postgres' ? await ownBackendsCpu() : new Map<number, number>();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await dispatchOnce(rt);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    counter.stop();
    const backends = engine === 'postgres' ? backendsCpuBetween(backends0, await ownBackendsCpu()) : null;
    const runs = await store.transaction((tx) => tx.automations.listRuns(null, 1_000_000));
    const done = runs.filter((r) => r.status === 'succeeded').length;
    if (done !== R + 20) throw new Error(`${done} runs succeeded of ${R + 20}`);
    return {
      engine,
      cpu: (cpu.user + cpu.system) / 1000 / R,
      backends: backends === null ? null : backends / R,
      statements: counter.count / R,
      wall: wall / R,
    };
  } finally {
    await close();
  }
}

console.log(
  `automation run path: ${R} runs, ${N} automations; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  '| engine | CPU per run, this process | CPU per run, Postgres backends | statements per run | wall per run |',
);
console.log('|---|---|---|---|---|');
for (const engine of ENGINES) {
  if (engine === 'postgres' && !(await postgresReachable())) continue;
  const r = await measure(engine as 'sqlite' | 'postgres');
  console.log(
    `| ${r.engine} | ${r.cpu.toFixed(2)} ms | ${r.backends === null ? '—' : `${r.backends.toFixed(2)} ms`} | ${r.statements.toFixed(1)} | ${r.wall.toFixed(2)} ms |`,
  );
}
console.log(
  `load at end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
