/**
 * Webhook capabilities of Notion Workers executed through the job queue, on both engines: a
 * delivery accepted by the HTTP routes while no job process runs is kept as a queued run and
 * executed once one starts (its run id as the delivery id); an `execute` that throws or never
 * ends runs in the worker child, is stopped at its limits, and is recorded as failed, while the
 * server keeps answering; a webhook whose `execute` threw WebhookVerificationError 5 times in a
 * row is cut off (403, nothing run) until the worker is deployed again.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deployWorker, presentWorker } from '../../src/workers/deploy.ts';
import {
  presentWorkerRun,
  type RunningWorkers,
  startWorkers,
  VERIFY_FAILURE_LIMIT,
  type WorkerRuntime,
} from '../../src/workers/runtime.ts';
import { type AutoBench, startAutoBench } from '../automations/support.ts';
import { describeEngines } from '../helpers/engines.ts';
import { BASE_URL } from '../helpers/harness.ts';
import { waitFor } from '../webhooks/support.ts';

// biome-ignore lint/suspicious/noExplicitAny: reading the SDK's objects loosely
type Loose = any;
const FIXTURE = resolve(import.meta.dirname, '..', 'fixtures', 'workers', 'unruly-hooks');
const text = (p: Loose) => (p?.title ?? []).map((t: Loose) => t.plain_text).join('');

describeEngines('workers: webhook deliveries on the job queue', (engine) => {
  let b: AutoBench;
  let rt: WorkerRuntime;
  let inbox = '';
  let paths: Record<string, string> = {};
  let jobs: RunningWorkers | undefined;
  beforeAll(async () => {
    b = await startAutoBench(engine);
    rt = {
      store: b.store,
      api: b.rt.api,
      baseUrl: BASE_URL,
      // Long enough for a child to start on a loaded machine, short enough to wait for the loop.
      limits: { timeoutMs: 25_000, memoryMb: 64 },
      hookPollMs: 50,
    };
    const db = (await b.client().databases.create({
      parent: { type: 'page_id', page_id: b.boot.created!.pageId },
      title: [{ text: { content: 'Inbox' } }],
      initial_data_source: { properties: { Name: { title: {} } } },
    })) as Loose;
    inbox = db.data_sources[0].id;
    const w = await deployWorker(
      { ...rt, limits: { timeoutMs: 60_000, memoryMb: 128 } },
      {
        dir: FIXTURE,
        parent: b.boot.created!.pageId,
        env: { INBOX: inbox },
        now: new Date(),
      },
    );
    paths = Object.fromEntries(presentWorker(w).capabilities.map((c) => [c.key, c.hook_path as string]));
  });
  afterAll(async () => {
    await jobs?.stop();
    await b?.close();
  });

  // The app's routes, as `octavo serve` answers them: no job queue in that process.
  const post = (key: string, body: unknown, headers: Record<string, string> = {}) =>
    b.rt.api!(
      new Request(`${BASE_URL}${paths[key]}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    );
  const runsOf = async (capability: string) =>
    (await b.store.transaction((tx) => tx.workers.listRuns('unruly-hooks', 100)))
      .filter((r) => r.capability === capability)
      .map(presentWorkerRun);

  it('keeps a delivery accepted while no job process runs, and executes it once one starts', async () => {
    const res = await post('files', { hello: 'world' });
    expect(res.status).toBe(202);
    const [queued] = await runsOf('files');
    expect(queued).toMatchObject({ kind: 'webhook', status: 'queued', started_by: 'webhook' });
    expect((queued!.input as Loose)[0]).toMatchObject({
      deliveryId: queued!.id,
      body: { hello: 'world' },
      method: 'POST',
    });
    // Nothing runs it yet.
    await new Promise((r) => setTimeout(r, 300));
    expect((await runsOf('files'))[0]!.status).toBe('queued');

    jobs = await startWorkers({ ...rt, queue: b.queue });
    const done = await waitFor(
      async () => {
        const r = (await runsOf('files'))[0];
        return r && (r.status === 'succeeded' || r.status === 'failed') ? r : null;
      },
      60_000,
      'the queued delivery to be executed',
    );
    expect(done.status, JSON.stringify(done)).toBe('succeeded');
    expect(done.id).toBe(queued!.id);
    expect(done.logs).toEqual([expect.objectContaining({ level: 'stdout', text: `filing ${queued!.id}` })]);
    const titles = ((await b.client().dataSources.query({ data_source_id: inbox })).results as Loose[]).map(
      (p) => text(p.properties.Name),
    );
    expect(titles).toEqual([queued!.id]);
  }, 120_000);

  it('stops an execute that throws or never ends at its limits and records it, the server unharmed', async () => {
    expect((await post('throws', {})).status).toBe(202);
    expect((await post('loops', {})).status).toBe(202);
    // While the loop spins in its child, the server answers (and the loop is still running).
    await waitFor(
      async () => ((await runsOf('loops'))[0]?.status === 'running' ? true : null),
      60_000,
      'the loop to start',
    );
    expect((await b.client().users.me({})).object).toBe('user');
    expect((await runsOf('loops'))[0]!.status).toBe('running');

    const finished = async (key: string) =>
      waitFor(
        async () => {
          const r = (await runsOf(key))[0];
          return r && r.status !== 'running' && r.status !== 'queued' ? r : null;
        },
        60_000,
        `the ${key} delivery to end`,
      );
    const threw = await finished('throws');
    expect(threw.status).toBe('failed');
    expect(threw.error, JSON.stringify(threw)).toMatch(/boom from the webhook/);
    const looped = await finished('loops');
    expect(looped.status).toBe('failed');
    expect(looped.error).toMatch(/stopped at its time limit \(25000 ms\)/);
    expect(looped.duration_ms).toBeGreaterThanOrEqual(25_000);

    // Failures are recorded once, not retried; the next delivery is executed as usual.
    expect((await post('files', { again: true })).status).toBe(202);
    await waitFor(
      async () =>
        (await runsOf('files')).filter((r) => r.status === 'succeeded').length === 2 ? true : null,
      60_000,
      'the next delivery',
    );
    expect(await runsOf('throws')).toHaveLength(1);
    expect(await runsOf('loops')).toHaveLength(1);
  }, 120_000);

  it('cuts a webhook off after 5 consecutive verification failures until the worker is deployed again', async () => {
    jobs ??= await startWorkers({ ...rt, queue: b.queue });
    /** Posts to `signed` and waits for the delivery's execution to end. */
    const deliver = async (signature: string) => {
      const before = (await runsOf('signed')).length;
      const res = await post('signed', { n: before }, { 'x-signature': signature });
      expect(res.status).toBe(202);
      return waitFor(
        async () => {
          const runs = await runsOf('signed');
          const r = runs.length > before ? runs[0] : undefined;
          return r && r.status !== 'running' && r.status !== 'queued' ? r : null;
        },
        60_000,
        'the signed delivery to end',
      );
    };
    // Four failures, a success, four failures: never five in a row, so still served.
    for (const signature of ['bad', 'bad', 'bad', 'bad', 'good', 'bad', 'bad', 'bad', 'bad']) {
      const run = await deliver(signature);
      if (signature === 'good') expect(run.status, JSON.stringify(run)).toBe('succeeded');
      else {
        expect(run.status).toBe('failed');
        expect(run.error).toMatch(/^WebhookVerificationError/);
      }
    }
    // The fifth in a row cuts it off: the URL refuses every request and runs nothing.
    await deliver('bad');
    const refused = await post('signed', {}, { 'x-signature': 'good' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/cut off after 5 consecutive verification failures/);
    expect(VERIFY_FAILURE_LIMIT).toBe(5);
    expect(await runsOf('signed')).toHaveLength(10);
    // Only that webhook: the worker's others still accept deliveries.
    expect((await post('files', { still: 'open' })).status).toBe(202);
    // Deploying the worker again lifts the cut-off.
    await deployWorker(
      { ...rt, limits: { timeoutMs: 60_000, memoryMb: 128 } },
      { dir: FIXTURE, parent: b.boot.created!.pageId, env: { INBOX: inbox }, now: new Date() },
    );
    const run = await deliver('good');
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
  }, 300_000);
});
