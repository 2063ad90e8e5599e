/**
 * An incremental Notion Worker sync (test/fixtures/workers/incremental) on both engines: changes
 * after a cursor carried as state across executions and runs, delete markers moving pages to the
 * trash, records not mentioned left alone, page content from `pageContentMarkdown`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deployWorker, presentWorker } from '../../src/workers/deploy.ts';
import { presentWorkerRun, runCapability, type WorkerRuntime } from '../../src/workers/runtime.ts';
import { type AutoBench, startAutoBench } from '../automations/support.ts';
import { describeEngines } from '../helpers/engines.ts';
import { BASE_URL } from '../helpers/harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: reading the SDK's objects loosely
type Loose = any;
const text = (p: Loose) => (p?.title ?? p?.rich_text ?? []).map((t: Loose) => t.plain_text).join('');

describeEngines('workers: an incremental sync', (engine) => {
  let b: AutoBench;
  let rt: WorkerRuntime;
  let source: Server;
  const log: { op: 'upsert' | 'delete'; id: string; body?: string; markdown?: string }[] = [];
  beforeAll(async () => {
    b = await startAutoBench(engine);
    rt = { store: b.store, api: b.rt.api, baseUrl: BASE_URL, limits: { timeoutMs: 20_000, memoryMb: 128 } };
    source = createServer((req, res) => {
      const since = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('since') ?? '0');
      const changes = log.slice(since, since + 2);
      const cursor = since + changes.length;
      res
        .setHeader('content-type', 'application/json')
        .end(JSON.stringify({ changes, cursor, more: cursor < log.length }));
    });
    await new Promise<void>((r) => source.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await b?.close();
    await new Promise((r) => source?.close(r));
  });

  it('follows the cursor across runs, applies delete markers, keeps what was not mentioned', async () => {
    const url = `http://127.0.0.1:${(source.address() as AddressInfo).port}/changes`;
    const w = await deployWorker(rt, {
      dir: resolve(import.meta.dirname, '..', 'fixtures', 'workers', 'incremental'),
      parent: b.boot.created!.pageId,
      env: { SOURCE_URL: url },
      now: new Date(),
    });
    const shown = presentWorker(w);
    expect(shown.capabilities[0]).toMatchObject({ mode: 'incremental', every_ms: null, next_run_time: null });
    const ds = shown.databases.notes!.data_source_id;
    const rows = async () =>
      ((await b.client().dataSources.query({ data_source_id: ds })).results as Loose[])
        .map((p) => [text(p.properties.Id), text(p.properties.Body)])
        .sort((x, y) => x[0].localeCompare(y[0]));
    log.push(
      { op: 'upsert', id: 'a', body: 'first', markdown: '# Heading\n\nSome *text*.' },
      { op: 'upsert', id: 'b', body: 'second' },
      { op: 'upsert', id: 'c', body: 'third' },
    );
    const first = await runCapability(rt, 'incremental', 'feed', undefined, 'test');
    expect(first.sync).toMatchObject({ status: 'succeeded', executions: 2, upserted: 3, deleted: 0 });
    expect(await rows()).toEqual([
      ['a', 'first'],
      ['b', 'second'],
      ['c', 'third'],
    ]);
    const a = ((await b.client().dataSources.query({ data_source_id: ds })).results as Loose[]).find(
      (p) => text(p.properties.Id) === 'a',
    );
    const blocks = (await b.client().blocks.children.list({ block_id: a.id })).results as Loose[];
    expect(blocks.map((x) => x.type)).toEqual(['heading_1', 'paragraph']);

    log.push({ op: 'delete', id: 'b' }, { op: 'upsert', id: 'a', body: 'first, edited' });
    const second = await runCapability(rt, 'incremental', 'feed', undefined, 'test');
    expect(second.sync).toMatchObject({ status: 'succeeded', executions: 1, upserted: 1, deleted: 1 });
    // The run started from the cursor the previous run ended with.
    expect((presentWorkerRun(second.runs[0]!).input as Loose).state).toEqual({ cursor: 3 });
    expect(await rows()).toEqual([
      ['a', 'first, edited'],
      ['c', 'third'],
    ]);
    // Nothing new: nothing changes, and the cursor stays.
    const third = await runCapability(rt, 'incremental', 'feed', undefined, 'test');
    expect(third.sync).toMatchObject({ status: 'succeeded', upserted: 0, deleted: 0 });
    expect((presentWorkerRun(third.runs[0]!).input as Loose).state).toEqual({ cursor: 5 });
    expect((await rows()).length).toBe(2);
  });
});
