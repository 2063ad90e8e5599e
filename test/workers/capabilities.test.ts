/**
 * Notion Workers written with @notionhq/workers (examples/workers/) on Octavo, on both engines:
 * a two-way sync between two Octavo data sources (attached databases, matched by key, trash
 * carried across), an automation capability called by an automation's `run_worker` action when
 * a page is created, a webhook capability called over HTTP (its verify step answering a
 * challenge and refusing a bad signature, its execute step filing the delivery), and a tool.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutomation } from '../../src/automations/runtime.ts';
import { sharePage } from '../../src/ops/integrations.ts';
import { deployWorker, presentWorker } from '../../src/workers/deploy.ts';
import {
  presentWorkerRun,
  type RunningWorkers,
  runCapability,
  startWorkers,
  type WorkerRuntime,
} from '../../src/workers/runtime.ts';
import { type AutoBench, startAutoBench } from '../automations/support.ts';
import { describeEngines } from '../helpers/engines.ts';
import { BASE_URL } from '../helpers/harness.ts';
import { waitFor } from '../webhooks/support.ts';

// biome-ignore lint/suspicious/noExplicitAny: reading the SDK's objects loosely
type Loose = any;
const EXAMPLES = resolve(import.meta.dirname, '..', '..', 'examples', 'workers');
const text = (p: Loose) => (p?.title ?? p?.rich_text ?? []).map((t: Loose) => t.plain_text).join('');

describeEngines('workers: capabilities', (engine) => {
  let b: AutoBench;
  let rt: WorkerRuntime;
  beforeAll(async () => {
    // A verify step's child may take longer than its 10 s to start on a loaded test machine.
    process.env.OCTAVO_WORKER_VERIFY_TIMEOUT_MS = '60000';
    b = await startAutoBench(engine);
    rt = { store: b.store, api: b.rt.api, baseUrl: BASE_URL, limits: { timeoutMs: 20_000, memoryMb: 128 } };
  });
  afterAll(async () => {
    await b?.close();
  });

  async function dataSource(name: string, properties: Record<string, unknown>): Promise<string> {
    const db = (await b.client().databases.create({
      parent: { type: 'page_id', page_id: b.boot.created!.pageId },
      title: [{ text: { content: name } }],
      initial_data_source: { properties: properties as never },
    })) as Loose;
    return db.data_sources[0].id;
  }
  const row = (name: string, extra: Record<string, unknown> = {}) => ({
    Name: { title: [{ text: { content: name } }] },
    ...extra,
  });
  const live = async (ds: string) =>
    ((await b.client().dataSources.query({ data_source_id: ds })).results as Loose[])
      .map((p) => [text(p.properties.Name), text(p.properties.Key)] as [string, string])
      .sort((x, y) => x[0].localeCompare(y[0]));

  describe('two-way sync between two data sources', () => {
    it('copies both ways by key, never duplicates, carries edits and the trash across', async () => {
      const schema = { Name: { title: {} }, Key: { rich_text: {} } };
      const left = await dataSource('Left', schema);
      const right = await dataSource('Right', schema);
      const apple = await b
        .client()
        .pages.create({ parent: { data_source_id: left }, properties: row('Apple') as never });
      await b.client().pages.create({
        parent: { data_source_id: right },
        properties: row('Banana', { Key: { rich_text: [{ text: { content: 'R-1' } }] } }) as never,
      });
      const w = await deployWorker(rt, {
        dir: resolve(EXAMPLES, 'two-way-sync'),
        attach: { left, right },
        env: { LEFT: left, RIGHT: right },
        now: new Date(),
      });
      expect(presentWorker(w).databases).toEqual({
        left: { database_id: expect.any(String), data_source_id: left },
        right: { database_id: expect.any(String), data_source_id: right },
      });
      const both = async () => {
        for (const key of ['leftToRight', 'rightToLeft']) {
          const done = await runCapability(rt, 'two-way-sync', key, undefined, 'test');
          expect(done.sync?.status, JSON.stringify(done.runs.map(presentWorkerRun))).toBe('succeeded');
        }
      };
      await both();
      const appleKey = `L-${apple.id.slice(0, 8)}`;
      const expected = [
        ['Apple', appleKey],
        ['Banana', 'R-1'],
      ];
      expect(await live(left)).toEqual(expected);
      expect(await live(right)).toEqual(expected);
      // Again: nothing new, nothing duplicated.
      await both();
      expect(await live(left)).toEqual(expected);
      expect(await live(right)).toEqual(expected);

      // An edit on the right reaches the left.
      const banana = (
        (await b.client().dataSources.query({ data_source_id: right })).results as Loose[]
      ).find((p) => text(p.properties.Key) === 'R-1');
      await b.client().pages.update({ page_id: banana.id, properties: row('Blueberry') as never });
      await runCapability(rt, 'two-way-sync', 'rightToLeft', undefined, 'test');
      expect((await live(left)).map(([n]) => n)).toEqual(['Apple', 'Blueberry']);

      // Apple to the trash on the left: gone from the right after its cycle, and stays gone.
      await b.client().pages.update({ page_id: apple.id, in_trash: true });
      await both();
      expect(await live(left)).toEqual([['Blueberry', 'R-1']]);
      expect(await live(right)).toEqual([['Blueberry', 'R-1']]);
    }, 180_000);
  });

  describe('automation, webhook and tool capabilities', () => {
    let tasks = '';
    let inbox = '';
    let server: Server;
    let origin = '';
    let hookPath = '';
    let jobs: RunningWorkers;
    const SECRET = 'shh-its-a-secret';
    beforeAll(async () => {
      // The job process's side: accepted webhook deliveries are executed from the queue.
      jobs = await startWorkers({ ...rt, queue: b.queue, hookPollMs: 50 });
      tasks = await dataSource('Tasks', { Name: { title: {} }, Note: { rich_text: {} } });
      inbox = await dataSource('Inbox', { Name: { title: {} } });
      const w = await deployWorker(rt, {
        dir: resolve(EXAMPLES, 'helpers'),
        parent: b.boot.created!.pageId,
        env: { INBOX: inbox, SIGNING_SECRET: SECRET },
        now: new Date(),
      });
      hookPath = presentWorker(w).capabilities.find((c) => c.key === 'inbound')!.hook_path as string;
      server = createServer(getRequestListener((req) => b.rt.api!(req)));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await jobs?.stop();
      await new Promise((r) => server?.close(r));
    });

    it('an automation calls the automation capability with the page that triggered it', async () => {
      await expect(
        b.store.transaction((tx) =>
          createAutomation(
            tx,
            {
              name: 'wrong kind',
              trigger: { type: 'page_created', data_source_id: tasks },
              actions: [{ type: 'run_worker', worker: 'helpers', capability: 'add' }],
            },
            new Date(),
          ),
        ),
      ).rejects.toThrow(/actions\[0\]\.capability: add is a tool capability, not an automation/);
      await b.store.transaction(async (tx) => {
        await createAutomation(
          tx,
          {
            name: 'see new tasks',
            trigger: { type: 'page_created', data_source_id: tasks },
            actions: [
              {
                type: 'run_worker',
                worker: 'helpers',
                capability: 'markSeen',
                page_id: '{{trigger.page.id}}',
              },
            ],
          },
          new Date(),
        );
        await sharePage(tx, {
          pageId: b.boot.created!.pageId,
          integrationName: 'automation: see new tasks',
          now: new Date().toISOString(),
        });
      });
      const page = await b
        .client()
        .pages.create({ parent: { data_source_id: tasks }, properties: row('Buy milk') as never });
      const note = await waitFor(async () => {
        const p = (await b.client().pages.retrieve({ page_id: page.id })) as Loose;
        return text(p.properties.Note) || null;
      }, 90_000);
      expect(note).toBe('seen Buy milk (run_worker)');
      // The page is written during the execution; the run is recorded when the child has exited.
      const done = await waitFor(async () => {
        const runs = await b.store.transaction((tx) => tx.workers.listRuns('helpers', 10));
        const r = runs.find((x) => x.capability === 'markSeen');
        return r && r.status !== 'running' ? r : null;
      }, 90_000);
      const run = presentWorkerRun(done);
      expect(run).toMatchObject({ kind: 'automation', status: 'succeeded', output: { status: 'success' } });
      expect(run.started_by).toMatch(/^automation:/);
      expect((run.input as Loose).pageData.id).toBe(page.id);
    }, 120_000);

    it('serves the webhook at its inbound URL: verify answers, refuses a bad signature, execute files it', async () => {
      const challenge = await fetch(`${origin}${hookPath}?challenge=abc123`);
      expect(challenge.status).toBe(200);
      expect(await challenge.text()).toBe('abc123');
      const body = JSON.stringify({ title: 'From outside' });
      const bad = await fetch(`${origin}${hookPath}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': 'f'.repeat(64) },
        body,
      });
      expect(bad.status).toBe(401);
      expect(await bad.text()).toBe('bad signature');
      const sig = createHmac('sha256', SECRET).update(body).digest('hex');
      const good = await fetch(`${origin}${hookPath}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': sig },
        body,
      });
      expect(good.status).toBe(200);
      expect(await good.json()).toEqual({ ok: true });
      const titles = await waitFor(async () => {
        const rows = (await b.client().dataSources.query({ data_source_id: inbox })).results as Loose[];
        return rows.length ? rows.map((p) => text(p.properties.Name)) : null;
      }, 30_000);
      expect(titles).toEqual(['From outside']);
      await waitFor(async () => {
        const r = (await b.store.transaction((tx) => tx.workers.listRuns('helpers', 20))).find(
          (x) => x.kind === 'webhook',
        );
        return r?.status === 'succeeded' ? r : null;
      }, 30_000);
      const runs = (await b.store.transaction((tx) => tx.workers.listRuns('helpers', 20))).map(
        presentWorkerRun,
      );
      const executed = runs.filter((r) => r.kind === 'webhook');
      expect(executed).toHaveLength(1);
      expect((executed[0]!.input as Loose)[0]).toMatchObject({
        body: { title: 'From outside' },
        rawBody: body,
        method: 'POST',
      });
      // A wrong token or capability is a 404 that says nothing more.
      expect((await fetch(`${origin}${hookPath.replace(/\/[^/]+\/inbound$/, '/nope/inbound')}`)).status).toBe(
        404,
      );
      expect(
        (await fetch(`${origin}${hookPath.replace(/inbound$/, 'add')}`, { method: 'POST' })).status,
      ).toBe(404);
    }, 120_000);

    it('runs a tool with its input checked against its schema', async () => {
      const ok = presentWorkerRun(
        (await runCapability(rt, 'helpers', 'add', { a: 2, b: 3 }, 'test')).runs[0]!,
      );
      expect(ok).toMatchObject({ kind: 'tool', status: 'succeeded', output: 5 });
      const bad = presentWorkerRun(
        (await runCapability(rt, 'helpers', 'add', { a: 'two' }, 'test')).runs[0]!,
      );
      expect(bad.status).toBe('failed');
      expect(bad.error).toMatch(/InvalidToolInputError/);
    }, 120_000);
  });
});
