/**
 * Automations end to end on both engines: definitions saved through the admin API, triggered by
 * writes made with the official SDK, their actions performed through ops by the job queue, their
 * effects read back with the SDK. HTTP actions reach a real receiver on loopback; schedules run
 * on an injected clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CHAIN_DEPTH, tickSchedules } from '../../src/automations/runtime.ts';
import { revokeIntegration, sharePage } from '../../src/ops/integrations.ts';
import { createAdminPage } from '../../src/ops/workspace.ts';
import { describeEngines } from '../helpers/engines.ts';
import { type Receiver, startReceiver, waitFor } from '../webhooks/support.ts';
import { type AutoBench, startAutoBench } from './support.ts';

const title = (text: string) => ({ title: [{ text: { content: text } }] });
// biome-ignore lint/suspicious/noExplicitAny: reading the SDK's objects loosely
type Loose = any;
const plain = (p: Loose, name: string): string =>
  (p.properties[name].title ?? p.properties[name].rich_text)
    .map((r: { plain_text: string }) => r.plain_text)
    .join('');

describeEngines('automations', (engine) => {
  let b: AutoBench;
  let rx: Receiver;
  beforeAll(async () => {
    b = await startAutoBench(engine);
    rx = await startReceiver();
  });
  afterAll(async () => {
    await b?.close();
    await rx?.close();
  });

  /** A database under the quickstart page with Name, Priority, Note; answers its data source id. */
  async function dataSource(name: string, parent = b.boot.created!.pageId): Promise<string> {
    const db = (await b.client().databases.create({
      parent: { type: 'page_id', page_id: parent },
      title: [{ text: { content: name } }],
      initial_data_source: {
        properties: {
          Name: { title: {} },
          Priority: { select: { options: [{ name: 'High' }, { name: 'Low' }] } },
          Note: { rich_text: {} },
        },
      },
    })) as Loose;
    return db.data_sources[0].id as string;
  }

  async function define(def: Record<string, unknown>, share = b.boot.created!.pageId) {
    const made = await b.admin('POST', '/automations', def);
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    if (share)
      await b.store.transaction((tx) =>
        sharePage(tx, {
          pageId: share,
          integrationName: `automation: ${def.name}`,
          now: new Date().toISOString(),
        }),
      );
    return made.body as Loose;
  }

  const runsOf = async (name: string) =>
    (await b.admin('GET', `/automations/${encodeURIComponent(name)}/runs`)).body.results as Loose[];
  const settled = async (name: string, n: number) =>
    waitFor(
      async () => {
        const runs = await runsOf(name);
        return runs.length >= n && runs.every((r) => r.status === 'succeeded' || r.status === 'failed')
          ? runs
          : null;
      },
      15_000,
      `${n} finished runs of ${name}`,
    );

  describe('definitions', () => {
    it('refuses a wrong definition with an error naming the field', async () => {
      const ds = await dataSource('Defs');
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ name: 'x', trigger: { type: 'nope' }, actions: [] }, /trigger/],
        [
          { name: 'x', trigger: { type: 'schedule', cron: 'every day' }, actions: [{ type: 'trash_page' }] },
          /trigger\.cron/,
        ],
        [
          {
            name: 'x',
            trigger: { type: 'schedule', cron: '0 8 * * *', timezone: 'Mars/Olympus' },
            actions: [{ type: 'trash_page', page_id: 'p' }],
          },
          /trigger\.timezone/,
        ],
        [
          {
            name: 'x',
            trigger: { type: 'manual' },
            actions: [{ type: 'http_request', url: '{{trigger.page.id}}' }],
          },
          /actions\[0\]\.url.*manual trigger has no page/,
        ],
        [
          {
            name: 'x',
            trigger: { type: 'page_created', data_source_id: ds },
            actions: [{ type: 'add_comment', text: '{{trigger.nope}}' }],
          },
          /actions\[0\]\.text/,
        ],
        [
          {
            name: 'x',
            trigger: { type: 'page_created', data_source_id: ds },
            condition: { property: 'Missing', checkbox: { equals: true } },
            actions: [{ type: 'trash_page' }],
          },
          /Could not find property with name or id: Missing/,
        ],
        [
          {
            name: 'x',
            trigger: { type: 'page_updated', data_source_id: ds, properties: ['Nope'] },
            actions: [{ type: 'trash_page' }],
          },
          /trigger\.properties\[0\]/,
        ],
        [
          {
            name: 'x',
            trigger: { type: 'manual' },
            actions: [{ type: 'trash_page', page_id: 'p' }],
            extra: 1,
          },
          /unknown field\(s\): extra/,
        ],
        [
          {
            name: 'x',
            trigger: { type: 'page_created', data_source_id: ds },
            actions: [{ type: 'add_comment', text: 'hi {{trigger.page.properties.Nmae}}' }],
          },
          /actions\[0\]\.text: the data source has no property named Nmae/,
        ],
      ];
      for (const [def, message] of cases) {
        const r = await b.admin('POST', '/automations', def);
        expect(r.status, JSON.stringify(def)).toBe(400);
        expect(r.body.code).toBe('validation_error');
        expect(r.body.message).toMatch(message);
      }
      expect((await b.admin('GET', '/automations')).body.results).toHaveLength(0);
    });
  });

  describe('page triggers', () => {
    it('a row created through the API creates a page through ops, with mapped values', async () => {
      const tasks = await dataSource('Tasks');
      const log = await dataSource('Log');
      await define({
        name: 'log new tasks',
        trigger: { type: 'page_created', data_source_id: tasks },
        actions: [
          {
            type: 'create_page',
            parent: { data_source_id: log },
            properties: {
              Name: title('New task: {{trigger.page.properties.Name}}'),
              Note: {
                rich_text: [
                  { text: { content: '{{trigger.page.properties.Priority}} / {{trigger.event.type}}' } },
                ],
              },
            },
          },
          { type: 'add_comment', text: 'Logged by {{automation.name}}' },
        ],
      });
      const started = Date.now();
      const row = await b.client().pages.create({
        parent: { data_source_id: tasks },
        properties: { Name: title('Write docs'), Priority: { select: { name: 'High' } } },
      });
      const [run] = await settled('log new tasks', 1);
      expect(run.status, JSON.stringify(run)).toBe('succeeded');
      expect(run.trigger).toMatchObject({
        kind: 'page_created',
        page_id: row.id,
        event: { type: 'page.created' },
      });
      expect(run.steps.map((s: Loose) => s.action)).toEqual(['create_page', 'add_comment']);
      const made = (await b.client().dataSources.query({ data_source_id: log })).results as Loose[];
      expect(made).toHaveLength(1);
      expect(plain(made[0], 'Name')).toBe('New task: Write docs');
      expect(plain(made[0], 'Note')).toBe('High / page.created');
      const quick = await b.store.transaction((tx) => tx.integrations.getByName('Octavo Quickstart'));
      expect(made[0].created_by.id).not.toBe(quick!.bot_user_id);
      const comments = (await b.client().comments.list({ block_id: row.id })).results;
      expect(comments.map((c) => c.rich_text[0]?.plain_text)).toEqual(['Logged by log new tasks']);
      console.log(`[${engine}] write → automation run finished in ${Date.now() - started} ms`);
    });

    it('comment_created fires for a comment on a row (not on other pages) and reads the comment', async () => {
      const tickets = await dataSource('Tickets');
      const log = await dataSource('Comment log');
      await define({
        name: 'log comments',
        trigger: { type: 'comment_created', data_source_id: tickets },
        actions: [
          {
            type: 'create_page',
            parent: { data_source_id: log },
            properties: {
              Name: title('{{trigger.page.properties.Name}}: {{trigger.comment.text}}'),
            },
          },
        ],
      });
      const row = await b.client().pages.create({
        parent: { data_source_id: tickets },
        properties: { Name: title('Printer') },
      });
      const block = (
        await b.client().blocks.children.append({
          block_id: row.id,
          children: [{ paragraph: { rich_text: [{ text: { content: 'details' } }] } }],
        })
      ).results[0]!.id;
      // Not on a row of Tickets: no run.
      await b.client().comments.create({
        parent: { page_id: b.boot.created!.pageId },
        rich_text: [{ text: { content: 'elsewhere' } }],
      });
      await b.client().comments.create({
        parent: { page_id: row.id },
        rich_text: [{ text: { content: 'out of toner' } }],
      });
      await b.client().comments.create({
        parent: { block_id: block },
        rich_text: [{ text: { content: 'on a block' } }],
      } as never);
      const runs = await settled('log comments', 2);
      expect(runs.every((r: Loose) => r.status === 'succeeded' && r.trigger.page_id === row.id)).toBe(true);
      const made = (await b.client().dataSources.query({ data_source_id: log })).results as Loose[];
      expect(made.map((p) => plain(p, 'Name')).sort()).toEqual([
        'Printer: on a block',
        'Printer: out of toner',
      ]);
      await new Promise((r) => setTimeout(r, 300));
      expect(await runsOf('log comments')).toHaveLength(2);
    });

    it('a condition in Notion filter language decides which rows fire it', async () => {
      const ds = await dataSource('Filtered');
      await define({
        name: 'only high',
        trigger: { type: 'page_created', data_source_id: ds },
        condition: { property: 'Priority', select: { equals: 'High' } },
        actions: [
          { type: 'update_page', properties: { Note: { rich_text: [{ text: { content: 'urgent' } }] } } },
        ],
      });
      const low = await b.client().pages.create({
        parent: { data_source_id: ds },
        properties: { Name: title('low'), Priority: { select: { name: 'Low' } } },
      });
      const high = await b.client().pages.create({
        parent: { data_source_id: ds },
        properties: { Name: title('high'), Priority: { select: { name: 'High' } } },
      });
      const [run] = await settled('only high', 1);
      expect(run.trigger.page_id).toBe(high.id);
      expect(plain(await b.client().pages.retrieve({ page_id: high.id }), 'Note')).toBe('urgent');
      expect(plain(await b.client().pages.retrieve({ page_id: low.id }), 'Note')).toBe('');
      await new Promise((r) => setTimeout(r, 300));
      expect(await runsOf('only high')).toHaveLength(1);
    });

    it('its own writes never trigger it again (page_updated writing the page it watches)', async () => {
      const ds = await dataSource('Loop');
      await define({
        name: 'stamp',
        trigger: { type: 'page_updated', data_source_id: ds },
        actions: [
          {
            type: 'update_page',
            properties: {
              Note: { rich_text: [{ text: { content: 'stamped {{trigger.page.properties.Name}}' } }] },
            },
          },
        ],
      });
      const row = await b
        .client()
        .pages.create({ parent: { data_source_id: ds }, properties: { Name: title('a') } });
      await b.client().pages.update({ page_id: row.id, properties: { Name: title('b') } });
      await settled('stamp', 1);
      await new Promise((r) => setTimeout(r, 400));
      const runs = await runsOf('stamp');
      expect(runs).toHaveLength(1);
      expect(plain(await b.client().pages.retrieve({ page_id: row.id }), 'Note')).toBe('stamped b');
    });

    it('page_updated with properties fires only when one of them changed', async () => {
      const ds = await dataSource('Watched');
      await define({
        name: 'priority watch',
        trigger: { type: 'page_updated', data_source_id: ds, properties: ['Priority'] },
        actions: [{ type: 'add_comment', text: 'priority is now {{trigger.page.properties.Priority}}' }],
      });
      const row = await b
        .client()
        .pages.create({ parent: { data_source_id: ds }, properties: { Name: title('a') } });
      await b.client().pages.update({ page_id: row.id, properties: { Name: title('renamed') } });
      await b
        .client()
        .pages.update({ page_id: row.id, properties: { Priority: { select: { name: 'Low' } } } });
      await settled('priority watch', 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(await runsOf('priority watch')).toHaveLength(1);
      const comments = (await b.client().comments.list({ block_id: row.id })).results;
      expect(comments.map((c) => c.rich_text[0]?.plain_text)).toEqual(['priority is now Low']);
    });

    it('page_matches fires when a page starts and stops matching a filter', async () => {
      const ds = await dataSource('Matching');
      await define({
        name: 'hot',
        trigger: {
          type: 'page_matches',
          data_source_id: ds,
          filter: { property: 'Priority', select: { equals: 'High' } },
          on: 'both',
        },
        actions: [{ type: 'add_comment', text: 'now {{trigger.page.properties.Priority}}' }],
      });
      const row = await b.client().pages.create({
        parent: { data_source_id: ds },
        properties: { Name: title('a'), Priority: { select: { name: 'Low' } } },
      });
      await b
        .client()
        .pages.update({ page_id: row.id, properties: { Priority: { select: { name: 'High' } } } });
      await settled('hot', 1);
      await b.client().pages.update({
        page_id: row.id,
        properties: { Note: { rich_text: [{ text: { content: 'still high' } }] } },
      });
      await b
        .client()
        .pages.update({ page_id: row.id, properties: { Priority: { select: { name: 'Low' } } } });
      await settled('hot', 2);
      await new Promise((r) => setTimeout(r, 300));
      expect(await runsOf('hot')).toHaveLength(2);
      const comments = (await b.client().comments.list({ block_id: row.id })).results;
      expect(comments.map((c) => c.rich_text[0]?.plain_text)).toEqual(['now High', 'now Low']);
    });

    it('page_updated with change fires only from one value to another', async () => {
      const ds = await dataSource('Changes');
      await define({
        name: 'promoted',
        trigger: {
          type: 'page_updated',
          data_source_id: ds,
          change: { property: 'Priority', from: 'Low', to: 'High' },
        },
        actions: [{ type: 'add_comment', text: 'promoted' }],
      });
      const row = await b.client().pages.create({
        parent: { data_source_id: ds },
        properties: { Name: title('a'), Priority: { select: { name: 'Low' } } },
      });
      // Before and after are what the dispatcher saw at its looks (events are signals, not
      // values): let it see the created value before changing it.
      const seen = () =>
        b.store.db
          .selectFrom('automation_page_state')
          .select('state')
          .where('page_id', '=', row.id)
          .executeTakeFirst();
      expect((await waitFor(seen, 5000, 'the created value seen')).state).toBe('"Low"');
      await b.client().pages.update({ page_id: row.id, properties: { Name: title('renamed') } });
      await b
        .client()
        .pages.update({ page_id: row.id, properties: { Priority: { select: { name: 'High' } } } });
      await settled('promoted', 1);
      await b
        .client()
        .pages.update({ page_id: row.id, properties: { Priority: { select: { name: 'Low' } } } });
      await new Promise((r) => setTimeout(r, 400));
      const runs = await runsOf('promoted');
      expect(runs).toHaveLength(1);
      const bad = await b.admin('POST', '/automations', {
        name: 'bad change',
        trigger: { type: 'page_updated', data_source_id: ds, change: { property: 'Nope' } },
        actions: [{ type: 'trash_page' }],
      });
      expect(bad.body.message).toMatch(/trigger\.change\.property/);
    });

    it('cannot see or touch a page that was not shared with it', async () => {
      const secret = await b.store.transaction((tx) =>
        createAdminPage(tx, { title: 'Secret', now: new Date().toISOString() }),
      );
      await b.store.transaction((tx) =>
        sharePage(tx, {
          pageId: secret.id,
          integrationName: 'Octavo Quickstart',
          now: new Date().toISOString(),
        }),
      );
      const hidden = await dataSource('Hidden', secret.id);
      await define({
        name: 'blind',
        trigger: { type: 'page_created', data_source_id: hidden },
        actions: [{ type: 'trash_page' }],
      });
      const row = await b
        .client()
        .pages.create({ parent: { data_source_id: hidden }, properties: { Name: title('x') } });
      await new Promise((r) => setTimeout(r, 400));
      expect(await runsOf('blind')).toHaveLength(0);
      // Run by hand on that page: a clear error in its run, nothing written.
      const run = await b.admin('POST', '/automations/blind/run', { input: { page_id: row.id } });
      expect(run.body).toMatchObject({ status: 'failed', steps: [] });
      expect(run.body.error).toMatch(/not shared/);
      expect(((await b.client().pages.retrieve({ page_id: row.id })) as Loose).in_trash).toBe(false);
    });

    it('an automation whose integration was revoked records a clear error and writes nothing', async () => {
      const ds = await dataSource('Revoked');
      await define({
        name: 'revoked',
        enabled: false,
        trigger: { type: 'page_created', data_source_id: ds },
        actions: [{ type: 'trash_page' }],
      });
      const row = await b
        .client()
        .pages.create({ parent: { data_source_id: ds }, properties: { Name: title('keep me') } });
      await b.store.transaction((tx) =>
        revokeIntegration(tx, { name: 'automation: revoked', now: new Date().toISOString() }),
      );
      const run = await b.admin('POST', '/automations/revoked/run', { input: { page_id: row.id } });
      expect(run.body.status).toBe('failed');
      expect(run.body.error).toMatch(/integration "automation: revoked" was revoked/);
      expect(((await b.client().pages.retrieve({ page_id: row.id })) as Loose).in_trash).toBe(false);
    });

    it('chains between automations stop at the depth limit', async () => {
      const one = await dataSource('Ping');
      const two = await dataSource('Pong');
      await define({
        name: 'ping',
        trigger: { type: 'page_created', data_source_id: one },
        actions: [
          { type: 'create_page', parent: { data_source_id: two }, properties: { Name: title('pong') } },
        ],
      });
      await define({
        name: 'pong',
        trigger: { type: 'page_created', data_source_id: two },
        actions: [
          { type: 'create_page', parent: { data_source_id: one }, properties: { Name: title('ping') } },
        ],
      });
      await b
        .client()
        .pages.create({ parent: { data_source_id: one }, properties: { Name: title('start') } });
      const failed = await waitFor(
        async () => {
          const all = [...(await runsOf('ping')), ...(await runsOf('pong'))];
          return all.find((r) => r.status === 'failed');
        },
        20_000,
        'the run stopped by the depth limit',
      );
      expect(failed.error).toMatch(/chain depth limit/);
      expect(failed.depth).toBe(MAX_CHAIN_DEPTH + 1);
      await new Promise((r) => setTimeout(r, 400));
      const total = (await runsOf('ping')).length + (await runsOf('pong')).length;
      expect(total).toBe(MAX_CHAIN_DEPTH + 2);
      await b.admin('POST', '/automations/ping/disable');
      await b.admin('POST', '/automations/pong/disable');
    });
  });

  describe('many automations on one data source', () => {
    it('one look weighs them all: each fires for its own rows only, and a broken one holds up none', async () => {
      const ds = await dataSource('Buckets');
      await b.client().dataSources.update({
        data_source_id: ds,
        properties: { Bucket: { number: {} }, Spare: { number: {} } },
      });
      // Defined first (the look weighs it first). Its condition names a property about to be deleted: it cannot be weighed any more.
      await define({
        name: 'spare watcher',
        trigger: { type: 'page_created', data_source_id: ds },
        condition: { property: 'Spare', number: { equals: 1 } },
        actions: [
          { type: 'update_page', properties: { Note: { rich_text: [{ text: { content: 'spare' } }] } } },
        ],
      });
      const n = 12;
      for (let i = 0; i < n; i++)
        await define({
          name: `bucket ${i}`,
          trigger: { type: 'page_created', data_source_id: ds },
          condition: { property: 'Bucket', number: { equals: i } },
          actions: [
            { type: 'update_page', properties: { Note: { rich_text: [{ text: { content: `b${i}` } }] } } },
          ],
        });
      await b.client().dataSources.update({ data_source_id: ds, properties: { Spare: null } });
      const rows = [];
      // Two rows per bucket, created at once (several events in one look).
      for (let i = 0; i < 2 * n; i++)
        rows.push(
          b.client().pages.create({
            parent: { data_source_id: ds },
            properties: { Name: title(`row ${i}`), Bucket: { number: i % n } },
          }),
        );
      const made = await Promise.all(rows);
      for (let i = 0; i < n; i++) {
        const runs = await settled(`bucket ${i}`, 2);
        expect(runs).toHaveLength(2);
        expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
        expect(new Set(runs.map((r) => r.trigger.page_id))).toEqual(new Set([made[i]!.id, made[i + n]!.id]));
      }
      for (let i = 0; i < 2 * n; i++) {
        const page = (await b.client().pages.retrieve({ page_id: made[i]!.id })) as Loose;
        expect(plain(page, 'Note')).toBe(`b${i % n}`);
      }
      expect(await runsOf('spare watcher')).toHaveLength(0);
    });
  });

  describe('conditions on computed values', () => {
    it('a filter on a formula property, a condition formula over a relation, and page_matches on a rollup', async () => {
      const ds = await dataSource('Computed');
      const orders = await dataSource('Orders');
      await b.client().dataSources.update({
        data_source_id: orders,
        properties: { Amount: { number: {} } },
      });
      await b.client().dataSources.update({
        data_source_id: ds,
        properties: {
          Price: { number: {} },
          Qty: { number: {} },
          Total: { formula: { expression: 'prop("Price") * prop("Qty")' } },
          Orders: { relation: { data_source_id: orders, single_property: {} } },
          Spent: {
            rollup: { relation_property_name: 'Orders', rollup_property_name: 'Amount', function: 'sum' },
          },
        },
      });
      await define({
        name: 'big total',
        trigger: { type: 'page_created', data_source_id: ds },
        condition: { property: 'Total', formula: { number: { greater_than: 100 } } },
        actions: [
          { type: 'update_page', properties: { Note: { rich_text: [{ text: { content: 'big' } }] } } },
        ],
      });
      await define({
        name: 'ordered a lot',
        trigger: { type: 'page_created', data_source_id: ds },
        condition: { formula: 'prop("Orders").map(current.prop("Amount")).sum() >= 50 and prop("Qty") > 0' },
        actions: [{ type: 'add_comment', text: 'ordered a lot' }],
      });
      await define({
        name: 'spender',
        trigger: {
          type: 'page_matches',
          data_source_id: ds,
          filter: { property: 'Spent', rollup: { number: { greater_than_or_equal_to: 50 } } },
        },
        actions: [{ type: 'add_comment', text: 'now a spender' }],
      });
      const order = (amount: number) =>
        b.client().pages.create({
          parent: { data_source_id: orders },
          properties: { Name: title(`o${amount}`), Amount: { number: amount } },
        });
      const o30 = await order(30);
      const o40 = await order(40);
      const small = await b.client().pages.create({
        parent: { data_source_id: ds },
        properties: {
          Name: title('small'),
          Price: { number: 5 },
          Qty: { number: 2 },
          Orders: { relation: [{ id: o30.id }] },
        },
      });
      const big = await b.client().pages.create({
        parent: { data_source_id: ds },
        properties: {
          Name: title('big'),
          Price: { number: 50 },
          Qty: { number: 3 },
          Orders: { relation: [{ id: o30.id }, { id: o40.id }] },
        },
      });
      const [bigRun] = await settled('big total', 1);
      expect(bigRun.trigger.page_id).toBe(big.id);
      const [lotRun] = await settled('ordered a lot', 1);
      expect(lotRun.trigger.page_id).toBe(big.id);
      // The small page starts matching when its orders reach 50: page_matches sees the rollup.
      await settled('spender', 1);
      await b.client().pages.update({
        page_id: small.id,
        properties: { Orders: { relation: [{ id: o30.id }, { id: o40.id }] } },
      });
      const spent = await waitFor(
        async () => {
          const runs = await runsOf('spender');
          return runs.some((r) => r.trigger.page_id === small.id) ? runs : null;
        },
        15_000,
        'the spender run of the small page',
      );
      expect(spent.map((r) => r.trigger.page_id).sort()).toEqual([big.id, small.id].sort());
      expect((await runsOf('big total')).map((r) => r.trigger.page_id)).toEqual([big.id]);
    });

    it('refuses a condition formula that does not parse, names an unknown property, or is not a checkbox', async () => {
      const ds = await dataSource('Formula checks');
      const base = {
        trigger: { type: 'page_created', data_source_id: ds },
        actions: [{ type: 'trash_page' }],
      };
      const cases: [string, RegExp][] = [
        ['prop("Name") ==', /condition\.formula.*Parse error with formula/],
        ['prop("Nope") == "x"', /condition\.formula.*formula/],
        ['prop("Name") + "!"', /condition\.formula should be a formula that yields a checkbox.*string/],
      ];
      for (const [i, [expression, message]] of cases.entries()) {
        const r = await b.admin('POST', '/automations', {
          ...base,
          name: `bad formula ${i}`,
          condition: { formula: expression },
        });
        expect(r.status, expression).toBe(400);
        expect(r.body.code).toBe('validation_error');
        expect(r.body.message).toMatch(message);
      }
      expect((await b.admin('GET', '/automations')).body.results.map((a: Loose) => a.name)).not.toContain(
        'bad formula 0',
      );
    });
  });

  describe('latency', () => {
    it('from the committed write to the first action starting (30 writes, sequential)', async () => {
      const ds = await dataSource('Latency');
      await define({
        name: 'latency',
        trigger: { type: 'page_created', data_source_id: ds },
        actions: [
          { type: 'update_page', properties: { Note: { rich_text: [{ text: { content: 'seen' } }] } } },
        ],
      });
      const gaps: number[] = [];
      for (let i = 0; i < 30; i++) {
        const row = await b
          .client()
          .pages.create({ parent: { data_source_id: ds }, properties: { Name: title(`r${i}`) } });
        const committed = Date.now();
        const run = await waitFor(
          async () => {
            const runs = await runsOf('latency');
            return runs.find((r) => r.trigger.page_id === row.id && r.steps.length > 0);
          },
          10_000,
          'the run',
        );
        // The first step's start: the run's start (its first action begins right after loading the page).
        gaps.push(Date.parse(run.started_time) - committed);
      }
      gaps.sort((x, y) => x - y);
      const p50 = gaps[Math.floor(gaps.length / 2)]!;
      const p95 = gaps[Math.floor(gaps.length * 0.95)]!;
      console.log(`[${engine}] write → first action starting: p50 ${p50} ms, p95 ${p95} ms (poll 20 ms)`);
      // The target is p50 ≤ 100 ms (docs/benchmarks.md has the figures); on a loaded shared CI
      // machine only a gross regression fails the test.
      expect(p50).toBeLessThan(1500);
    });
  });

  describe('schedule, manual runs, HTTP', () => {
    it('a schedule in a time zone runs when the injected clock reaches it', async () => {
      const made = await define({
        name: 'morning',
        trigger: { type: 'schedule', cron: '0 8 * * *', timezone: 'Europe/Paris' },
        actions: [
          {
            type: 'append_blocks',
            block_id: b.boot.created!.pageId,
            children: [{ paragraph: { rich_text: [{ text: { content: 'standup at {{trigger.time}}' } }] } }],
          },
        ],
      });
      const due = new Date(made.next_run_time);
      // 08:00 in Paris is 07:00 or 06:00 UTC.
      expect([6, 7]).toContain(due.getUTCHours());
      expect(await tickSchedules(b.rt, new Date(due.getTime() - 1000))).toHaveLength(0);
      const started = await tickSchedules(b.rt, new Date(due.getTime() + 1000));
      expect(started).toHaveLength(1);
      expect(await tickSchedules(b.rt, new Date(due.getTime() + 2000))).toHaveLength(0);
      const [run] = await settled('morning', 1);
      expect(run.status, JSON.stringify(run)).toBe('succeeded');
      const after = (await b.admin('GET', '/automations/morning')).body;
      expect(new Date(after.next_run_time).getTime() - due.getTime()).toBeGreaterThanOrEqual(23 * 3600_000);
      const blocks = (await b.client().blocks.children.list({ block_id: b.boot.created!.pageId }))
        .results as Loose[];
      expect(
        blocks.some((x) => x.paragraph?.rich_text[0]?.plain_text === `standup at ${due.toISOString()}`),
      ).toBe(true);
    });

    it('an HTTP action reaches a loopback receiver with headers, JSON body and a secret by reference', async () => {
      process.env.OCTAVO_SECRET_HOOK_KEY = 'k-123';
      await define({
        name: 'notify',
        trigger: { type: 'manual' },
        actions: [
          {
            type: 'http_request',
            url: rx.url,
            headers: { authorization: 'Bearer {{secrets.HOOK_KEY}}' },
            body: { who: '{{trigger.input.who}}', n: '{{trigger.input.n}}' },
          },
        ],
      });
      const dry = await b.admin('POST', '/automations/notify/run', {
        input: { who: 'x', n: 1 },
        dry_run: true,
      });
      expect(dry.body).toMatchObject({ status: 'succeeded', dry_run: true });
      expect(dry.body.steps[0].output).toEqual({ would_send: { method: 'POST', url: rx.url } });
      expect(rx.received).toHaveLength(0);
      const run = await b.admin('POST', '/automations/notify/run', { input: { who: 'Ada', n: 3 } });
      expect(run.body.status, JSON.stringify(run.body)).toBe('succeeded');
      expect(rx.received).toHaveLength(1);
      expect(rx.received[0]!.json).toEqual({ who: 'Ada', n: 3 });
      expect(rx.received[0]!.headers.authorization).toBe('Bearer k-123');
      // The history keeps the reference, never the secret.
      expect(JSON.stringify(run.body.steps)).not.toContain('k-123');
      expect(run.body.steps[0].input.headers.authorization).toBe('Bearer {{secrets.HOOK_KEY}}');
      rx.answer = () => 500;
      const failing = await b.admin('POST', '/automations/notify/run', { input: {} });
      expect(failing.body).toMatchObject({ status: 'failed' });
      expect(failing.body.steps[0].error.message).toMatch(/HTTP 500/);
      rx.answer = () => 200;
      // A failed run can be retried: a new run with the same trigger, the failed one kept.
      const retried = await b.admin('POST', `/automation_runs/${failing.body.id}/retry`);
      expect(retried.body).toMatchObject({ status: 'succeeded', trigger: { retry_of: failing.body.id } });
      const again = await b.admin('POST', `/automation_runs/${retried.body.id}/retry`);
      expect(again.body.message).toMatch(/only a failed run can be retried/);
      expect((await b.admin('GET', `/automation_runs/${failing.body.id}`)).body.status).toBe('failed');
    });

    it('a failing HTTP step is retried by the queue with back-off; steps done before are not redone', async () => {
      const ds = await dataSource('Retried');
      await define({
        name: 'retried',
        trigger: { type: 'page_created', data_source_id: ds },
        actions: [
          { type: 'add_comment', text: 'once' },
          { type: 'http_request', url: `${rx.url}?retried`, body: { page: '{{trigger.page.id}}' } },
        ],
      });
      const before = rx.received.length;
      let calls = 0;
      rx.answer = (r) => (r.path.endsWith('?retried') && ++calls === 1 ? 503 : 200);
      const row = await b
        .client()
        .pages.create({ parent: { data_source_id: ds }, properties: { Name: title('r') } });
      const [run] = await settled('retried', 1);
      rx.answer = () => 200;
      expect(run.status, JSON.stringify(run)).toBe('succeeded');
      expect(run.steps.map((x: Loose) => x.action)).toEqual(['add_comment', 'http_request']);
      expect(rx.received.length - before).toBe(2);
      const comments = (await b.client().comments.list({ block_id: row.id })).results;
      expect(comments).toHaveLength(1);
    });

    it('a dry run shows what would be written and writes nothing', async () => {
      const ds = await dataSource('Dry');
      await define({
        name: 'dry',
        trigger: { type: 'manual' },
        actions: [
          {
            type: 'create_page',
            parent: { data_source_id: ds },
            properties: { Name: title('{{trigger.input.name}}') },
          },
        ],
      });
      const r = await b.admin('POST', '/automations/dry/run', { input: { name: 'ghost' }, dry_run: true });
      expect(r.body.status, JSON.stringify(r.body)).toBe('succeeded');
      expect(r.body.steps[0].output.would_do.page_id).toEqual(expect.any(String));
      expect((await b.client().dataSources.query({ data_source_id: ds })).results).toHaveLength(0);
      const bad = await b.admin('POST', '/automations/dry/run', {
        input: { name: { not: 'text' } },
        dry_run: true,
      });
      expect(bad.body.status).toBe('failed');
      expect(bad.body.steps[0].error.code).toBe('validation_error');
    });

    it('disable stops it firing; delete removes it with its integration', async () => {
      const ds = await dataSource('Toggle');
      await define({
        name: 'toggle',
        trigger: { type: 'page_created', data_source_id: ds },
        actions: [{ type: 'trash_page' }],
      });
      expect((await b.admin('POST', '/automations/toggle/disable')).body.enabled).toBe(false);
      const row = await b
        .client()
        .pages.create({ parent: { data_source_id: ds }, properties: { Name: title('kept') } });
      await new Promise((r) => setTimeout(r, 300));
      expect(await runsOf('toggle')).toHaveLength(0);
      expect(((await b.client().pages.retrieve({ page_id: row.id })) as Loose).in_trash).toBe(false);
      await b.admin('POST', '/automations/toggle/enable');
      const second = await b
        .client()
        .pages.create({ parent: { data_source_id: ds }, properties: { Name: title('gone') } });
      await settled('toggle', 1);
      expect(((await b.client().pages.retrieve({ page_id: second.id })) as Loose).in_trash).toBe(true);
      expect((await b.admin('DELETE', '/automations/toggle')).status).toBe(200);
      expect((await b.admin('GET', '/automations/toggle')).status).toBe(400);
      expect(
        await b.store.transaction((tx) => tx.integrations.getByName('automation: toggle')),
      ).toBeUndefined();
    });
  });
});
