/**
 * Pacers of Notion Workers shared by every execution of a worker, on both engines: the slots
 * handed out by the database are spaced by the pacer's pace even when taken concurrently, and two
 * syncs of one worker running at once (test/fixtures/workers/paced: 2 requests per 1.6 s) make
 * their requests to a local HTTP server together within the declared rate (the times the
 * pacer let each one go, as the worker reports them).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deployWorker } from '../../src/workers/deploy.ts';
import {
  nextPacerSlot,
  presentWorkerRun,
  runCapability,
  type WorkerRuntime,
} from '../../src/workers/runtime.ts';
import { type AutoBench, startAutoBench } from '../automations/support.ts';
import { describeEngines } from '../helpers/engines.ts';
import { BASE_URL } from '../helpers/harness.ts';

const FIXTURE = resolve(import.meta.dirname, '..', 'fixtures', 'workers', 'paced');
const INTERVAL_MS = 1600;
const ALLOWED = 2;
const REQUESTS = 4;

describeEngines('workers: pacers shared between executions', (engine) => {
  let b: AutoBench;
  let rt: WorkerRuntime;
  let source: Server;
  const arrivals: { at: number; sync: string }[] = [];
  // The first request of each sync is held until both have arrived: the executions overlap.
  let held: (() => void)[] = [];
  beforeAll(async () => {
    b = await startAutoBench(engine);
    rt = { store: b.store, api: b.rt.api, baseUrl: BASE_URL, limits: { timeoutMs: 60_000, memoryMb: 128 } };
    source = createServer((req, res) => {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      arrivals.push({ at: Number(q.get('t')), sync: q.get('sync') ?? '' });
      const answer = () => res.setHeader('content-type', 'application/json').end('{}');
      if (q.get('i') !== '0') return answer();
      held.push(answer);
      if (held.length === 2) {
        for (const h of held) h();
        held = [];
      }
    });
    await new Promise<void>((r) => source.listen(0, '127.0.0.1', r));
    await deployWorker(rt, {
      dir: FIXTURE,
      parent: b.boot.created!.pageId,
      env: {
        SOURCE_URL: `http://127.0.0.1:${(source.address() as AddressInfo).port}/items`,
        REQUESTS: String(REQUESTS),
      },
      now: new Date(),
    });
  });
  afterAll(async () => {
    await b?.close();
    await new Promise((r) => source?.close(r));
  });

  it('hands out slots a pace apart to concurrent callers, from an injected clock', async () => {
    const row = (await b.store.transaction((tx) => tx.workers.get('paced')))!;
    const pace = Math.ceil(INTERVAL_MS / ALLOWED);
    const at = 5_000_000;
    const clocked = { ...rt, now: () => at };
    const delays = await Promise.all(Array.from({ length: 20 }, () => nextPacerSlot(clocked, row, 'api')));
    expect([...delays].sort((x, y) => x! - y!)).toEqual(Array.from({ length: 20 }, (_, i) => i * pace));
    // Later than the last slot plus a pace: no wait, and the schedule starts from then.
    const later = { ...rt, now: () => at + 100 * pace };
    expect(await nextPacerSlot(later, row, 'api')).toBe(0);
    expect(await nextPacerSlot(later, row, 'api')).toBe(pace);
    expect(await nextPacerSlot(later, row, 'nope')).toBeNull();
    expect(await b.store.transaction((tx) => tx.workers.pacerSlots('paced'))).toEqual({
      api: at + 101 * pace,
    });
  }, 120_000);

  it('keeps two syncs running at once within the declared rate together', async () => {
    arrivals.length = 0;
    const [first, second] = await Promise.all([
      runCapability(rt, 'paced', 'first', undefined, 'test'),
      runCapability(rt, 'paced', 'second', undefined, 'test'),
    ]);
    for (const done of [first, second])
      expect(done.sync?.status, JSON.stringify(done.runs.map(presentWorkerRun))).toBe('succeeded');
    expect(arrivals).toHaveLength(2 * REQUESTS);
    expect(new Set(arrivals.map((a) => a.sync))).toEqual(new Set(['first', 'second']));
    // At most ALLOWED requests in any INTERVAL_MS: request i+ALLOWED is let go at least an
    // interval after request i (less a quarter for timers firing late on a loaded machine). Each
    // sync pacing alone would let them go half an interval apart.
    const times = arrivals.map((a) => a.at).sort((x, y) => x - y);
    const gaps = times.slice(ALLOWED).map((t, i) => t - times[i]!);
    const logs = [first, second].flatMap((d) => d.runs.flatMap((r) => JSON.parse(r.logs) as unknown[]));
    expect(Math.min(...gaps), JSON.stringify({ gaps, arrivals, logs })).toBeGreaterThan(INTERVAL_MS - 400);
  }, 120_000);
});
