/**
 * The three example scripts run as Octavo runs them (a child process under the permission model,
 * each as its own integration), on both engines: data entry from a JSON feed served on loopback
 * (run twice: the second run updates, never duplicates), a two-way sync between two data sources
 * (run twice: the second finds nothing to do), and a daily report page with computed figures.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { presentScriptRun, runScript, scriptIdentity } from '../../src/automations/scripts.ts';
import { sharePage } from '../../src/ops/integrations.ts';
import { type AutoBench, startAutoBench } from '../../test/automations/support.ts';
import { describeEngines } from '../../test/helpers/engines.ts';
import { BASE_URL } from '../../test/helpers/harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: reading the SDK's objects loosely
type Loose = any;
const file = (name: string) => new URL(name, import.meta.url).pathname;
const title = (s: string) => ({ title: [{ text: { content: s } }] });
const plainTitle = (row: Loose) =>
  (Object.values(row.properties) as Loose[])
    .find((p) => p.type === 'title')
    .title.map((t: Loose) => t.plain_text)
    .join('');

describeEngines('example scripts', (engine) => {
  let b: AutoBench;
  let feed: Server;
  let feedUrl = '';
  let items: unknown[] = [];
  beforeAll(async () => {
    b = await startAutoBench(engine);
    feed = createServer((_req, res) =>
      res.setHeader('content-type', 'application/json').end(JSON.stringify(items)),
    );
    await new Promise<void>((r) => feed.listen(0, '127.0.0.1', r));
    feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/orders.json`;
  });
  afterAll(async () => {
    await b?.close();
    await new Promise((r) => feed?.close(r));
  });

  /** Runs an example as `script: NAME`, shared with the quickstart page; answers the run. */
  async function run(name: string, input: unknown) {
    await b.store.transaction(async (tx) => {
      await scriptIdentity(tx, name, new Date().toISOString());
      await sharePage(tx, {
        pageId: b.boot.created!.pageId,
        integrationName: `script: ${name}`,
        now: new Date().toISOString(),
      });
    });
    const row = await runScript(
      { store: b.store, api: b.rt.api, baseUrl: BASE_URL, limits: { timeoutMs: 20_000, memoryMb: 128 } },
      { file: file(`${name}.ts`), input, startedBy: 'test' },
    );
    const r = presentScriptRun(row);
    expect(r.status, JSON.stringify(r)).toBe('succeeded');
    return r.output as Loose;
  }

  async function dataSource(name: string, properties: Record<string, unknown>): Promise<string> {
    const db = (await b.client().databases.create({
      parent: { type: 'page_id', page_id: b.boot.created!.pageId },
      title: [{ text: { content: name } }],
      initial_data_source: { properties: properties as never },
    })) as Loose;
    return db.data_sources[0].id;
  }

  const all = async (ds: string) =>
    (await b.client().dataSources.query({ data_source_id: ds })).results as Loose[];

  it('json-feed: one row per feed item, updated in place on the next run', async () => {
    const ds = await dataSource('Orders', {
      Name: { title: {} },
      Key: { rich_text: {} },
      amount: { number: {} },
      state: { select: { options: [{ name: 'new' }, { name: 'paid' }] } },
    });
    items = [
      { id: 1, Name: 'Ada', amount: 12.5, state: 'new', ignored: true },
      { id: 2, Name: 'Grace', amount: 30, state: 'paid' },
    ];
    expect(await run('json-feed', { feed: feedUrl, data_source: ds })).toEqual({
      items: 2,
      created: 2,
      updated: 0,
    });
    items = [
      { id: 1, Name: 'Ada', amount: 15, state: 'paid' },
      { id: 3, Name: 'Linus', amount: 1, state: 'new' },
    ];
    expect(await run('json-feed', { feed: feedUrl, data_source: ds })).toEqual({
      items: 2,
      created: 1,
      updated: 1,
    });
    const rows = (await all(ds)).map((r) => [
      plainTitle(r),
      r.properties.amount.number,
      r.properties.state.select.name,
    ]);
    expect(rows.sort()).toEqual([
      ['Ada', 15, 'paid'],
      ['Grace', 30, 'paid'],
      ['Linus', 1, 'new'],
    ]);
  });

  it('two-way-sync: each side gets the other one’s rows, the last edit wins, then nothing to do', async () => {
    const props = {
      Name: { title: {} },
      Status: { select: { options: [{ name: 'Todo' }, { name: 'Done' }] } },
      Estimate: { number: {} },
    };
    const [a, bb] = [await dataSource('Team', props), await dataSource('Partner', props)];
    const row = (ds: string, name: string, status: string, estimate: number) =>
      b.client().pages.create({
        parent: { data_source_id: ds },
        properties: {
          Name: title(name),
          Status: { select: { name: status } },
          Estimate: { number: estimate },
        } as never,
      });
    await row(a, 'Only in team', 'Todo', 1);
    const shared = await row(a, 'Shared', 'Todo', 2);
    await row(bb, 'Only in partner', 'Done', 3);
    await row(bb, 'Shared', 'Done', 5);
    // Both edited within the same minute (last_edited_time is rounded to it): `prefer` decides.
    const input = { a, b: bb, fields: ['Status', 'Estimate'], prefer: 'b' };
    expect(await run('two-way-sync', input)).toEqual({
      created_in_a: 1,
      created_in_b: 1,
      updated_a: 1,
      updated_b: 0,
    });
    const view = async (ds: string) =>
      (await all(ds))
        .map((r) => `${plainTitle(r)}:${r.properties.Status.select.name}:${r.properties.Estimate.number}`)
        .sort();
    const expected = ['Only in partner:Done:3', 'Only in team:Todo:1', 'Shared:Done:5'];
    expect(await view(a)).toEqual(expected);
    expect(await view(bb)).toEqual(expected);
    expect(
      ((await b.client().pages.retrieve({ page_id: shared.id })) as Loose).properties.Estimate.number,
    ).toBe(5);
    expect(await run('two-way-sync', input)).toEqual({
      created_in_a: 0,
      created_in_b: 0,
      updated_a: 0,
      updated_b: 0,
    });
  });

  it('daily-report: a page with the figures computed from the tasks', async () => {
    const ds = await dataSource('Tasks', {
      Name: { title: {} },
      Status: { select: { options: [{ name: 'Todo' }, { name: 'Doing' }, { name: 'Done' }] } },
      Estimate: { number: {} },
      Due: { date: {} },
    });
    const task = (name: string, status: string, estimate: number, due: string) =>
      b.client().pages.create({
        parent: { data_source_id: ds },
        properties: {
          Name: title(name),
          Status: { select: { name: status } },
          Estimate: { number: estimate },
          Due: { date: { start: due } },
        } as never,
      });
    await task('Write', 'Todo', 3, '2026-03-01');
    await task('Review', 'Doing', 2, '2026-03-09');
    await task('Ship', 'Done', 8, '2026-03-01');
    const out = await run('daily-report', {
      tasks: ds,
      parent: b.boot.created!.pageId,
      day: '2026-03-05T08:00:00Z',
    });
    expect(out).toMatchObject({
      total: 3,
      by_status: { Doing: 1, Done: 1, Todo: 1 },
      open_estimate: 5,
      overdue: ['Write'],
    });
    const page = (await b.client().pages.retrieve({ page_id: out.page_id })) as Loose;
    expect(plainTitle(page)).toBe('Report 2026-03-05');
    const blocks = (await b.client().blocks.children.list({ block_id: out.page_id })).results as Loose[];
    const lines = blocks.map((x) => x[x.type].rich_text.map((t: Loose) => t.plain_text).join(''));
    expect(lines).toEqual([
      'Tasks by status',
      'Doing: 1',
      'Done: 1',
      'Todo: 1',
      'Figures',
      'Tasks: 3',
      'Open estimate: 5 h',
      'Overdue: 1 (Write)',
    ]);
  });
});
