/**
 * The job port on both engines, against real databases and real processes: delivery, retries
 * with back-off, the failed state, de-duplication, schedules, a consumer killed mid-job, and
 * (Postgres) two consumer processes sharing one queue.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dropPostgresSchema } from '../../src/store/connect.ts';
import { describeEngines, type EngineName } from '../helpers/engines.ts';
import { newLocation, openAt, PG_URL, waitFor } from './support.ts';

const CHILD = join(import.meta.dirname, 'consumer-child.ts');

/** A consumer process; `lines` collects what it printed. */
function child(engine: EngineName, where: string, name: string, mode: 'hang' | 'quick', concurrency = 1) {
  const proc = spawn(process.execPath, [CHILD, engine, where, name, mode, String(concurrency)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let rest = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((done) => proc.once('exit', (code) => done(code)));
  return { proc, lines, exited };
}

function kill(proc: ChildProcess, signal: NodeJS.Signals) {
  if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
}

describeEngines('job queue', (engine) => {
  const where = newLocation(engine);
  let q: Awaited<ReturnType<typeof openAt>>;
  beforeAll(async () => {
    q = await openAt(engine, where);
  });
  afterAll(async () => {
    await q?.close();
    if (engine === 'sqlite') rmSync(where, { recursive: true, force: true });
    else await dropPostgresSchema(PG_URL, where);
  });

  it('runs an enqueued job once, with its payload', async () => {
    const runs: unknown[] = [];
    await q.queue.consume('once', async (payload) => {
      runs.push(payload);
    });
    const id = (await q.queue.enqueue('once', { n: 1 }))!;
    await waitFor(async () => (await q.queue.job('once', id))?.state === 'completed', 10_000, 'completion');
    await new Promise((r) => setTimeout(r, 300));
    expect(runs).toEqual([{ n: 1 }]);
    expect(await q.queue.job('once', id)).toMatchObject({ state: 'completed', attempts: 1 });
  });

  it('enqueueMany adds a job per payload, each run once and retried on its own', async () => {
    const runs: number[] = [];
    const tries = new Map<number, number>();
    await q.queue.consume<{ n: number }>(
      'many',
      async ({ n }, job) => {
        tries.set(n, job.attempt);
        // The third job fails its first attempt: only it runs again.
        if (n === 3 && job.attempt === 1) throw new Error('first attempt fails');
        runs.push(n);
      },
      { concurrency: 4 },
    );
    await q.queue.enqueueMany('many', []);
    await q.queue.enqueueMany(
      'many',
      [1, 2, 3, 4, 5].map((n) => ({ n })),
      { retryLimit: 2, backoffMs: 200 },
    );
    await waitFor(() => runs.length === 5, 15_000, 'five jobs');
    await new Promise((r) => setTimeout(r, 300));
    expect([...runs].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(tries.get(3)).toBe(2);
    expect(tries.get(1)).toBe(1);
    await expect(q.queue.enqueueMany('many', [{ n: 6 }], { singletonKey: 'k' })).rejects.toThrow(
      /singletonKey/,
    );
  });

  it('retries a failing job with growing delays until it succeeds', async () => {
    const times: number[] = [];
    await q.queue.consume('flaky', async (_p, job) => {
      times.push(Date.now());
      if (job.attempt < 3) throw new Error(`attempt ${job.attempt} fails`);
    });
    const backoffMs = 200;
    const id = (await q.queue.enqueue('flaky', null, { retryLimit: 3, backoffMs }))!;
    await waitFor(async () => (await q.queue.job('flaky', id))?.state === 'completed', 15_000, 'completion');
    expect(times).toHaveLength(3);
    const first = times[1]! - times[0]!;
    const second = times[2]! - times[1]!;
    // pg-boss counts in whole seconds (200 ms becomes 1 s) and adds jitter up to the delay.
    const unit = engine === 'sqlite' ? backoffMs : 1000;
    expect(first).toBeGreaterThanOrEqual(unit - 50);
    expect(second).toBeGreaterThanOrEqual(2 * unit - 50);
    expect(await q.queue.job('flaky', id)).toMatchObject({ state: 'completed', attempts: 3 });
  });

  it('fails a job for good once its retries are spent', async () => {
    let runs = 0;
    await q.queue.consume('doomed', async () => {
      runs++;
      throw new Error('always');
    });
    const id = (await q.queue.enqueue('doomed', null, { retryLimit: 1, backoffMs: 100 }))!;
    await waitFor(async () => (await q.queue.job('doomed', id))?.state === 'failed', 10_000, 'failure');
    await new Promise((r) => setTimeout(r, 300));
    expect(runs).toBe(2);
    expect(await q.queue.job('doomed', id)).toMatchObject({ state: 'failed', attempts: 2 });
  });

  it('keeps one waiting job per singleton key and honours runAt', async () => {
    const later = new Date(Date.now() + 60_000);
    const first = await q.queue.enqueue('dedupe', 1, { singletonKey: 'k', runAt: later });
    const second = await q.queue.enqueue('dedupe', 2, { singletonKey: 'k', runAt: later });
    const other = await q.queue.enqueue('dedupe', 3, { singletonKey: 'other', runAt: later });
    expect(first).toBeTruthy();
    expect(second).toBeNull();
    expect(other).toBeTruthy();
    let runs = 0;
    await q.queue.consume('dedupe', async () => {
      runs++;
    });
    await new Promise((r) => setTimeout(r, 700));
    expect(runs).toBe(0);
    expect(await q.queue.job('dedupe', first!)).toMatchObject({ state: 'queued', attempts: 0 });
  });

  it('runs a scheduled job', async () => {
    const seen: unknown[] = [];
    await q.queue.consume('tick', async (payload) => {
      seen.push(payload);
    });
    await q.queue.schedule('tick', '* * * * * *', { every: 'second' });
    await waitFor(() => seen.length > 0, 8000, 'a scheduled run');
    await q.queue.unschedule('tick');
    expect(seen[0]).toEqual({ every: 'second' });
  });

  it('runs a job again when the process running it is killed (SIGKILL)', async () => {
    const crashing = child(engine, where, 'crash', 'hang');
    try {
      await waitFor(() => crashing.lines.includes('ready'), 45_000, 'the child to start');
      const id = (await q.queue.enqueue('crash', { important: true }))!;
      await waitFor(
        () => crashing.lines.some((l) => l.startsWith(`ran ${id}`)),
        10_000,
        'the child to start the job',
      );
      kill(crashing.proc, 'SIGKILL');
      await crashing.exited;
      const rerun: number[] = [];
      await q.queue.consume('crash', async (_p, job) => {
        if (job.id === id) rerun.push(job.attempt);
      });
      await waitFor(
        async () => (await q.queue.job('crash', id))?.state === 'completed',
        15_000,
        'the re-run',
      );
      expect(rerun).toEqual([2]);
    } finally {
      kill(crashing.proc, 'SIGKILL');
    }
  }, 90_000);

  it.runIf(engine === 'postgres')(
    'never runs one attempt twice across two consumer processes',
    async () => {
      const a = child(engine, where, 'load', 'quick', 4);
      const b = child(engine, where, 'load', 'quick', 4);
      try {
        // Children start slowly while the rest of the suite shares the two cores.
        await waitFor(() => a.lines.includes('ready') && b.lines.includes('ready'), 45_000, 'the children');
        const ids = await Promise.all(Array.from({ length: 500 }, (_, i) => q.queue.enqueue('load', i)));
        const ran = () => [...a.lines, ...b.lines].filter((l) => l.startsWith('ran '));
        await waitFor(() => ran().length >= 500, 40_000, '500 runs');
        await new Promise((r) => setTimeout(r, 500));
        const perJob = new Map<string, number>();
        for (const line of ran()) {
          const jobId = line.split(' ')[1]!;
          perJob.set(jobId, (perJob.get(jobId) ?? 0) + 1);
        }
        expect(perJob.size).toBe(500);
        expect([...perJob.values()].every((n) => n === 1)).toBe(true);
        expect(new Set(ids).size).toBe(500);
        // Both processes took part.
        expect(a.lines.filter((l) => l.startsWith('ran ')).length).toBeGreaterThan(0);
        expect(b.lines.filter((l) => l.startsWith('ran ')).length).toBeGreaterThan(0);
      } finally {
        kill(a.proc, 'SIGTERM');
        kill(b.proc, 'SIGTERM');
        await Promise.all([a.exited, b.exited]);
      }
    },
    120_000,
  );
});
