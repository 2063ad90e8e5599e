/**
 * `npm run bench:jobs`: the queue engines compared on this machine (docs/benchmarks.md, "Job
 * queues"). Per engine, on a fresh schema (or SQLite folder):
 * - throughput: BENCH_JOBS no-op jobs enqueued (50 at a time) and completed by one consumer of
 *   concurrency 10 in this process; jobs/s from the first enqueue to the last handler;
 * - latency: BENCH_SAMPLES jobs enqueued one at a time into an idle consumer; enqueue → handler
 *   start, median and p95;
 * - crash: a child process takes a job and is killed with SIGKILL mid-job; this process then
 *   consumes and reports how long until the job ran again (or that it did not within
 *   BENCH_CRASH_WAIT_MS).
 *
 *   BENCH_ENGINES=pg-boss,graphile-worker,embedded  BENCH_JOBS=2000  BENCH_SAMPLES=50
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropPostgresSchema } from '../src/store/connect.ts';
import { PG_URL } from './common.ts';
import { BENCH_LEASE_MS, openBenchQueue } from './jobs-engines.ts';

const env = process.env;
const ENGINES = (env.BENCH_ENGINES ?? 'pg-boss,graphile-worker,embedded').split(',');
const JOBS = Number(env.BENCH_JOBS ?? 2000);
const SAMPLES = Number(env.BENCH_SAMPLES ?? 50);
const CRASH_WAIT_MS = Number(env.BENCH_CRASH_WAIT_MS ?? 20_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(engine: string) {
  const where =
    engine === 'embedded'
      ? mkdtempSync(join(tmpdir(), 'octavo-bench-jobs-'))
      : `bench_jobs_${engine.replace('-', '_')}_${process.pid}`;
  const q = await openBenchQueue(engine, where);
  try {
    // Throughput.
    let done = 0;
    let allDone: () => void = () => {};
    const finished = new Promise<void>((r) => (allDone = r));
    await q.consume('noop', async () => {
      if (++done === JOBS) allDone();
    });
    const t0 = performance.now();
    for (let i = 0; i < JOBS; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, JOBS - i) }, (_, k) => q.enqueue('noop', String(i + k))),
      );
    }
    const enqueued = performance.now();
    await finished;
    const total = performance.now() - t0;
    // Latency.
    const started = new Map<string, number>();
    await q.consume('ping', async (key) => {
      started.set(key, performance.now());
    });
    await sleep(1000);
    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const key = `p${i}`;
      const at = performance.now();
      await q.enqueue('ping', key);
      while (!started.has(key)) await sleep(1);
      latencies.push(started.get(key)! - at);
      await sleep(20 + Math.random() * 30);
    }
    latencies.sort((a, b) => a - b);
    const crash = await crashRecovery(engine, where, q);
    return {
      engine,
      jobsPerSecond: Math.round(JOBS / (total / 1000)),
      enqueuePerSecond: Math.round(JOBS / ((enqueued - t0) / 1000)),
      latencyMedianMs: round(latencies[Math.floor(latencies.length / 2)]!),
      latencyP95Ms: round(latencies[Math.floor(latencies.length * 0.95)]!),
      crash,
    };
  } finally {
    await q.close();
    if (engine === 'embedded') rmSync(where, { recursive: true, force: true });
    else if (engine === 'graphile-worker') await dropPostgresSchema(PG_URL, where);
    else await dropPostgresSchema(PG_URL, where);
  }
}

async function crashRecovery(engine: string, where: string, q: Awaited<ReturnType<typeof openBenchQueue>>) {
  const proc = spawn(process.execPath, [join(import.meta.dirname, 'jobs-child.ts'), engine, where], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  while (!out.includes('ready')) await sleep(20);
  await q.enqueue('crash', 'c1');
  while (!out.includes('ran c1')) await sleep(5);
  proc.kill('SIGKILL');
  const killedAt = performance.now();
  let rerunAt = 0;
  await q.consume('crash', async () => {
    rerunAt ||= performance.now();
  });
  while (!rerunAt && performance.now() - killedAt < CRASH_WAIT_MS) await sleep(20);
  return rerunAt
    ? `re-run ${round((rerunAt - killedAt) / 1000)} s after SIGKILL`
    : `not re-run within ${CRASH_WAIT_MS / 1000} s`;
}

const round = (n: number) => Math.round(n * 10) / 10;

console.log(
  `# ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, ${JOBS} jobs, lease ${BENCH_LEASE_MS} ms`,
);
for (const engine of ENGINES) console.log(JSON.stringify(await measure(engine)));
process.exit(0);
