/**
 * A Notion Worker written with @notionhq/workers (examples/workers/http-sync) deployed on Octavo
 * and run as the package expects, on both engines: its sync pages through a catalogue served by
 * a local HTTP server (hasMore/nextState), its records land in the managed database created from
 * its schema, a second cycle updates in place and (replace mode) trashes what the source dropped,
 * and the schedule is kept (an injected clock). A worker declaring what Octavo does not run is
 * refused with the capability named.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deployWorker, presentWorker } from '../../src/workers/deploy.ts';
import {
  presentWorkerRun,
  runCapability,
  tickWorkers,
  type WorkerRuntime,
} from '../../src/workers/runtime.ts';
import { type AutoBench, startAutoBench } from '../automations/support.ts';
import { describeEngines } from '../helpers/engines.ts';
import { BASE_URL } from '../helpers/harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: reading the SDK's objects loosely
type Loose = any;
const EXAMPLES = resolve(import.meta.dirname, '..', '..', 'examples', 'workers');
const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'workers');

interface Item {
  sku: string;
  name: string;
  price: number;
  stock: number;
  category: string;
  tags: string[];
  added: string;
}

describeEngines('workers: a sync from a local HTTP source', (engine) => {
  let b: AutoBench;
  let rt: WorkerRuntime;
  let source: Server;
  let url = '';
  let items: Item[] = [];
  const requests: string[] = [];
  beforeAll(async () => {
    b = await startAutoBench(engine);
    rt = { store: b.store, api: b.rt.api, baseUrl: BASE_URL, limits: { timeoutMs: 20_000, memoryMb: 128 } };
    source = createServer((req, res) => {
      requests.push(req.url ?? '');
      const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? '1');
      const slice = items.slice((page - 1) * 2, page * 2);
      const next = page * 2 < items.length ? page + 1 : null;
      res.setHeader('content-type', 'application/json').end(JSON.stringify({ items: slice, next }));
    });
    await new Promise<void>((r) => source.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(source.address() as AddressInfo).port}/products`;
  });
  afterAll(async () => {
    await b?.close();
    await new Promise((r) => source?.close(r));
  });

  const rows = async (ds: string) =>
    ((await b.client().dataSources.query({ data_source_id: ds })).results as Loose[]).map((p) => ({
      name: p.properties.Name.title.map((t: Loose) => t.plain_text).join(''),
      sku: p.properties.SKU.rich_text.map((t: Loose) => t.plain_text).join(''),
      price: p.properties.Price.number,
      stock: p.properties['In stock'].checkbox,
      category: p.properties.Category.select?.name ?? null,
      tags: p.properties.Tags.multi_select.map((o: Loose) => o.name),
      added: p.properties.Added.date?.start ?? null,
    }));

  it('deploys, creates the managed database from the schema, and syncs page by page', async () => {
    items = [
      {
        sku: 'A1',
        name: 'Hammer',
        price: 12.5,
        stock: 3,
        category: 'tools',
        tags: ['steel', 'heavy'],
        added: '2026-01-02',
      },
      { sku: 'B2', name: 'Kite', price: 20, stock: 0, category: 'toys', tags: [], added: '2026-02-03' },
      {
        sku: 'C3',
        name: 'Saw',
        price: 31,
        stock: 1,
        category: 'tools',
        tags: ['steel'],
        added: '2026-03-04',
      },
    ];
    const row = await deployWorker(rt, {
      dir: resolve(EXAMPLES, 'http-sync'),
      parent: b.boot.created!.pageId,
      env: { SOURCE_URL: url },
      now: new Date('2026-05-01T10:00:00Z'),
    });
    const shown = presentWorker(row);
    expect(shown.name).toBe('http-sync');
    expect(shown.sdk_version).toBe('0.9.2');
    expect(shown.capabilities).toEqual([
      expect.objectContaining({
        key: 'catalogue',
        type: 'sync',
        mode: 'replace',
        database: 'products',
        every_ms: 3_600_000,
      }),
    ]);
    const ds = shown.databases.products!.data_source_id;
    const schema = (await b.client().dataSources.retrieve({ data_source_id: ds })) as Loose;
    expect(
      Object.fromEntries(Object.entries(schema.properties).map(([n, p]: [string, Loose]) => [n, p.type])),
    ).toEqual({
      Name: 'title',
      SKU: 'rich_text',
      Price: 'number',
      'In stock': 'checkbox',
      Category: 'select',
      Tags: 'multi_select',
      Added: 'date',
    });
    expect(schema.properties.Price.number.format).toBe('dollar');

    const first = await runCapability(rt, 'http-sync', 'catalogue', undefined, 'test');
    expect(first.sync).toMatchObject({ status: 'succeeded', executions: 2, upserted: 3, deleted: 0 });
    expect(requests.slice(-2)).toEqual(['/products?page=1', '/products?page=2']);
    const runs = first.runs.map(presentWorkerRun);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    // The state carried from the first execution to the second, the pacer's state back with it.
    expect((runs[1]!.input as Loose).state).toEqual({ page: 2 });
    expect((runs[1]!.input as Loose).pacers.catalogueApi).toMatchObject({
      allowedRequests: 20,
      intervalMs: 1000,
    });
    expect((runs[1]!.input as Loose).pacers.catalogueApi.lastScheduledAtMs).toBeGreaterThan(0);
    expect(runs[0]!.logs).toEqual([expect.objectContaining({ level: 'stdout', text: 'page 1: 2 items' })]);
    const got = (await rows(ds)).sort((x, y) => x.sku.localeCompare(y.sku));
    expect(got).toEqual([
      {
        name: 'Hammer',
        sku: 'A1',
        price: 12.5,
        stock: true,
        category: 'tools',
        tags: ['steel', 'heavy'],
        added: '2026-01-02',
      },
      { name: 'Kite', sku: 'B2', price: 20, stock: false, category: 'toys', tags: [], added: '2026-02-03' },
      {
        name: 'Saw',
        sku: 'C3',
        price: 31,
        stock: true,
        category: 'tools',
        tags: ['steel'],
        added: '2026-03-04',
      },
    ]);
    // Written by the worker's own integration.
    const page = ((await b.client().dataSources.query({ data_source_id: ds })).results as Loose[])[0];
    const bot = await b.store.transaction((tx) => tx.integrations.getByName('worker: http-sync'));
    expect(page.created_by.id).toBe(bot!.bot_user_id);
  });

  it('a second cycle updates in place and, in replace mode, trashes what the source dropped', async () => {
    items = [
      {
        sku: 'A1',
        name: 'Hammer XL',
        price: 14,
        stock: 0,
        category: 'tools',
        tags: ['steel'],
        added: '2026-01-02',
      },
      {
        sku: 'C3',
        name: 'Saw',
        price: 31,
        stock: 1,
        category: 'tools',
        tags: ['steel'],
        added: '2026-03-04',
      },
    ];
    const again = await runCapability(rt, 'http-sync', 'catalogue', undefined, 'test');
    expect(again.sync).toMatchObject({ status: 'succeeded', executions: 1, upserted: 2, deleted: 1 });
    const row = await b.store.transaction((tx) => tx.workers.get('http-sync'));
    const ds = presentWorker(row!).databases.products!.data_source_id;
    const got = (await rows(ds)).sort((x, y) => x.sku.localeCompare(y.sku));
    expect(got.map((r) => [r.sku, r.name, r.price, r.stock])).toEqual([
      ['A1', 'Hammer XL', 14, false],
      ['C3', 'Saw', 31, true],
    ]);
  });

  it('a failing source fails the run with the error, and the next cycle starts over', async () => {
    const saved = url;
    await b.store.transaction((tx) =>
      tx.workers.update('http-sync', { env: JSON.stringify({ SOURCE_URL: 'http://127.0.0.1:1/products' }) }),
    );
    const failed = await runCapability(rt, 'http-sync', 'catalogue', undefined, 'test');
    expect(failed.sync?.status).toBe('failed');
    expect(failed.runs[0]!.error).toMatch(/ExecutionError|fetch failed|answered/);
    await b.store.transaction((tx) =>
      tx.workers.update('http-sync', { env: JSON.stringify({ SOURCE_URL: saved }) }),
    );
    const ok = await runCapability(rt, 'http-sync', 'catalogue', undefined, 'test');
    expect(ok.sync).toMatchObject({ status: 'succeeded', upserted: 2, deleted: 0 });
  });

  it('keeps the schedule: due at deploy, then once an interval later', async () => {
    const bench: WorkerRuntime = { ...rt, queue: undefined };
    const sync = await b.store.transaction((tx) => tx.workers.sync('http-sync', 'catalogue'));
    expect(sync!.next_run_time).toBe('2026-05-01T10:00:00.000Z');
    const at = new Date('2026-05-01T10:00:30Z');
    expect(await tickWorkers(bench, at)).toEqual([{ worker: 'http-sync', capability: 'catalogue' }]);
    const next = await b.store.transaction((tx) => tx.workers.sync('http-sync', 'catalogue'));
    expect(next!.next_run_time).toBe('2026-05-01T11:00:30.000Z');
    expect(await tickWorkers(bench, new Date('2026-05-01T10:59:00Z'))).toEqual([]);
    expect(await tickWorkers(bench, new Date('2026-05-01T11:01:00Z'))).toHaveLength(1);
    const runs = await b.store.transaction((tx) => tx.workers.listRuns('http-sync', 50));
    expect(runs.filter((r) => r.started_by === 'schedule').map((r) => r.status)).toEqual([
      'succeeded',
      'succeeded',
    ]);
  });

  it('runs one cycle of a sync at a time', async () => {
    const later = new Date(Date.now() + 60_000).toISOString();
    await b.store.transaction((tx) =>
      tx.workers.updateSync('http-sync', 'catalogue', { running_until: later }),
    );
    await expect(runCapability(rt, 'http-sync', 'catalogue', undefined, 'test')).rejects.toThrow(
      /Sync catalogue of worker http-sync is running now/,
    );
    // A scheduled start finding it running does nothing (its lease is left to its holder).
    const bench: WorkerRuntime = { ...rt, queue: undefined };
    const sync = await b.store.transaction((tx) => tx.workers.sync('http-sync', 'catalogue'));
    expect(await tickWorkers(bench, new Date(Date.parse(sync!.next_run_time!) + 1000))).toHaveLength(1);
    expect(
      (await b.store.transaction((tx) => tx.workers.sync('http-sync', 'catalogue')))!.running_until,
    ).toBe(later);
    // A lease that ran out is taken over; a finished cycle frees it.
    await b.store.transaction((tx) =>
      tx.workers.updateSync('http-sync', 'catalogue', { running_until: '2000-01-01T00:00:00.000Z' }),
    );
    const done = await runCapability(rt, 'http-sync', 'catalogue', undefined, 'test');
    expect(done.sync?.status).toBe('succeeded');
    expect(
      (await b.store.transaction((tx) => tx.workers.sync('http-sync', 'catalogue')))!.running_until,
    ).toBeNull();
  });

  it('refuses a worker declaring what Octavo does not run, naming it, and keeps nothing', async () => {
    await expect(
      deployWorker(rt, { dir: resolve(FIXTURES, 'unsupported'), now: new Date() }),
    ).rejects.toThrow(/capability login is of type oauth, which Octavo does not run/);
    expect(await b.store.transaction((tx) => tx.workers.get('unsupported'))).toBeUndefined();
    expect(
      await b.store.transaction((tx) => tx.integrations.getByName('worker: unsupported')),
    ).toBeUndefined();
    await expect(deployWorker(rt, { dir: resolve(FIXTURES, 'nowhere'), now: new Date() })).rejects.toThrow(
      /No worker folder/,
    );
  });
});
