/*
 * Views through the official SDK on both engines: tabs and dashboard widgets, saved filters,
 * sorts, quick filters and configuration checked against the data source's schema, kept view
 * queries, sharing and capabilities, and the `view.*` events each write records.
 */
import type { Client } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { START_CURSOR } from '../../src/events/cursor.ts';
import type { RecordedEvent } from '../../src/events/types.ts';
import { importRows } from '../../src/ops/bulk-rows.ts';
import { VIEW_QUERY_MAX_RESULTS } from '../../src/ops/view-queries.ts';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { failure, MISSING, rt, shape, VERSIONS } from './comments-support.ts';

type View = Extract<Awaited<ReturnType<Client['views']['retrieve']>>, { name: string }>;
const full = (v: unknown) => v as View;

describeEngines('views', (engine) => {
  let h: Harness;
  let client: Client;
  let databaseId: string;
  let dataSourceId: string;

  beforeAll(async () => {
    h = await startHarness(engine);
    client = h.client();
    const db = await client.databases.create({
      parent: { type: 'page_id', page_id: h.rootPageId },
      title: rt('Tasks'),
      initial_data_source: {
        properties: {
          Name: { title: {} },
          Points: { number: {} },
          Status: { select: { options: [{ name: 'Open' }, { name: 'Done' }] } },
          Due: { date: {} },
        },
      },
    });
    databaseId = db.id;
    dataSourceId = (db as { data_sources: { id: string }[] }).data_sources[0]!.id;
    for (const [name, points, status] of [
      ['a', 1, 'Open'],
      ['b', 5, 'Done'],
      ['c', 3, 'Open'],
      ['d', 8, 'Open'],
    ] as const) {
      await client.pages.create({
        parent: { data_source_id: dataSourceId },
        properties: {
          Name: { title: rt(name) },
          Points: { number: points },
          Status: { select: { name: status } },
        },
      });
    }
  });
  afterAll(() => h.close());

  const newView = (extra: Record<string, unknown> = {}) =>
    client.views.create({
      data_source_id: dataSourceId,
      database_id: databaseId,
      name: 'Open work',
      type: 'table',
      ...extra,
    } as Parameters<Client['views']['create']>[0]);

  describe('POST /v1/views and GET /v1/views', () => {
    it('starts every new database with one table view, listed first', async () => {
      const list = await client.views.list({ database_id: databaseId });
      const first = full(await client.views.retrieve({ view_id: list.results[0]!.id }));
      expect([first.type, first.name, first.data_source_id]).toEqual(['table', 'Default view', dataSourceId]);
      expect(first.configuration).toEqual({ type: 'table' });
    });

    it('adds tabs at the end, at the start or after a view, and lists them in that order', async () => {
      const end = await newView({ name: 'End' });
      const start = await newView({ name: 'Start', position: { type: 'start' } });
      const after = await newView({
        name: 'After start',
        position: { type: 'after_view', view_id: start.id },
      });
      const ids = (await client.views.list({ database_id: databaseId })).results.map((v) => v.id);
      expect(ids.indexOf(start.id)).toBe(0);
      expect(ids.indexOf(after.id)).toBe(1);
      expect(ids.at(-1)).toBe(end.id);
      const byDs = (await client.views.list({ data_source_id: dataSourceId, page_size: 2 })).results;
      expect(byDs).toHaveLength(2);
    });

    it('pages through a listing with cursors', async () => {
      const all = (await client.views.list({ database_id: databaseId })).results.map((v) => v.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.views.list({ database_id: databaseId, page_size: 2, start_cursor: cursor });
        seen.push(...page.results.map((v) => v.id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(all);
    });

    it('keeps filter, sorts and quick filters with properties named by id, and names them in configuration', async () => {
      const v = full(
        await newView({
          filter: { property: 'Status', select: { equals: 'Open' } },
          sorts: [{ property: 'Points', direction: 'descending' }],
          quick_filters: { Points: { number: { greater_than: 0 } } },
          configuration: {
            type: 'table',
            properties: [{ property_id: 'Points', visible: false, width: 120 }],
          },
        }),
      );
      const ds = await client.dataSources.retrieve({ data_source_id: dataSourceId });
      const pointsId = (ds as { properties: Record<string, { id: string }> }).properties.Points!.id;
      expect(v.filter).toEqual({
        property: (ds as { properties: Record<string, { id: string }> }).properties.Status!.id,
        select: { equals: 'Open' },
      });
      expect(v.sorts).toEqual([{ property: pointsId, direction: 'descending' }]);
      expect(Object.keys(v.quick_filters ?? {})).toEqual([pointsId]);
      expect(v.configuration).toEqual({
        type: 'table',
        properties: [{ property_id: pointsId, property_name: 'Points', visible: false, width: 120 }],
      });
      expect(v.url).toContain(`?v=${v.id.replaceAll('-', '')}`);
    });

    it('answers a view the same under every version', async () => {
      const v = await newView({ name: 'Versioned' });
      for (const version of VERSIONS) {
        const got = full(await h.client({ version }).views.retrieve({ view_id: v.id }));
        expect(got.name).toBe('Versioned');
      }
    });

    it('refuses what the query grammar and the view type refuse, changing nothing', async () => {
      const before = (await client.views.list({ database_id: databaseId })).results.length;
      const cases: Array<[Record<string, unknown>, string]> = [
        [
          { filter: { property: 'Nope', select: { equals: 'x' } } },
          'Could not find property with name or id: Nope',
        ],
        [{ filter: { property: 'Points', select: { equals: 'x' } } }, 'does not match filter select'],
        [{ filter: { and: [{ or: [{ and: [] }] }] } }, 'body.filter.and[0].or[0].and should be not present'],
        [{ sorts: [{ property: 'Points', direction: 'up' }] }, 'body.sorts[0].direction should be'],
        [{ configuration: { type: 'board' } }, 'body.configuration.type should be `"table"`'],
        [
          { type: 'board', configuration: { type: 'board' } },
          'body.configuration.group_by should be defined',
        ],
        [
          { configuration: { type: 'table', properties: [{ property_id: 'Points', width: 10 }] } },
          'body.configuration.properties[0].width should be ≥ `32`',
        ],
        [{ configuration: { type: 'table', properties: [{ property_id: 'Gone' }] } }, 'Gone'],
        [{ quick_filters: { Points: { select: { equals: 'x' } } } }, 'does not match filter select'],
        [
          {
            type: 'board',
            configuration: {
              type: 'board',
              group_by: { type: 'select', property_id: 'Points', sort: { type: 'manual' } },
            },
          },
          'body failed validation: body.configuration.group_by.type should be `"number"`, instead was `"select"`.',
        ],
        [
          { type: 'calendar', configuration: { type: 'calendar', date_property_id: 'Points' } },
          'configuration.date_property_id should name a date property; Points is a number property.',
        ],
        [{ view_id: MISSING }, 'body.view_id should be not present'],
        [{ database_id: undefined }, 'body.database_id should be defined'],
      ];
      for (const [extra, message] of cases) {
        const err = await failure(newView(extra));
        expect([err.status, err.code, extra]).toEqual([400, 'validation_error', extra]);
        expect(err.message).toContain(message);
      }
      expect((await client.views.list({ database_id: databaseId })).results).toHaveLength(before);
    });

    it('takes group-by and date settings that fit the schema', async () => {
      const board = full(
        await newView({
          type: 'board',
          configuration: {
            type: 'board',
            group_by: {
              type: 'select',
              property_id: 'Status',
              sort: { type: 'manual' },
              hide_empty_groups: true,
            },
          },
        }),
      );
      expect(board.configuration).toMatchObject({ group_by: { type: 'select', property_name: 'Status' } });
      const calendar = full(
        await newView({
          type: 'calendar',
          configuration: { type: 'calendar', date_property_id: 'Due', view_range: 'week' },
        }),
      );
      expect(calendar.configuration).toMatchObject({ date_property_name: 'Due', view_range: 'week' });
    });

    it('creates a linked database in a page that shows the data source through its view', async () => {
      const host = await client.pages.create({
        parent: { page_id: h.rootPageId },
        properties: { title: { title: rt('Dashboard page') } },
        children: [{ paragraph: { rich_text: rt('first') } }, { paragraph: { rich_text: rt('last') } }],
      });
      const [first] = (await client.blocks.children.list({ block_id: host.id })).results;
      const v = full(
        await client.views.create({
          data_source_id: dataSourceId,
          name: 'Linked open work',
          type: 'table',
          filter: { property: 'Status', select: { equals: 'Open' } } as never,
          create_database: {
            parent: { type: 'page_id', page_id: host.id },
            position: { type: 'after_block', block_id: first!.id },
          },
        }),
      );
      const linkedId = v.parent.database_id;
      expect(linkedId).not.toBe(databaseId);
      const blocks = (await client.blocks.children.list({ block_id: host.id })).results as {
        id: string;
        type: string;
      }[];
      expect(blocks.map((b) => b.type)).toEqual(['paragraph', 'child_database', 'paragraph']);
      expect(blocks[1]!.id).toBe(linkedId);
      const linked = (await client.databases.retrieve({ database_id: linkedId })) as {
        data_sources: { id: string }[];
        is_inline: boolean;
      };
      expect([linked.data_sources.map((d) => d.id), linked.is_inline]).toEqual([[dataSourceId], true]);
      expect((linked as unknown as { title: unknown[] }).title).toEqual([]);
      expect((await client.views.list({ database_id: linkedId })).results.map((r) => r.id)).toEqual([v.id]);
      expect((await client.views.queries.create({ view_id: v.id })).total_count).toBe(3);
      // Renaming the linked database leaves the data source's own title alone.
      await client.databases.update({ database_id: linkedId, title: rt('My linked copy') });
      const ds = (await client.dataSources.retrieve({ data_source_id: dataSourceId })) as {
        title: { plain_text: string }[];
      };
      expect(ds.title[0]!.plain_text).toBe('Tasks');
    });

    it("hides a linked database's source from a reader who cannot see it", async () => {
      const name = 'Linked reader';
      const reader = h.client({ token: await h.newIntegration(name) });
      const shared = await h.newRootPage('Shared with the linked reader', [name, 'Octavo Quickstart']);
      const v = full(
        await client.views.create({
          data_source_id: dataSourceId,
          name: 'Linked elsewhere',
          type: 'table',
          create_database: { parent: { type: 'page_id', page_id: shared } },
        }),
      );
      const seen = (await reader.databases.retrieve({ database_id: v.parent.database_id })) as {
        data_sources: unknown[];
      };
      expect(seen.data_sources).toEqual([]);
      const err = await failure(reader.views.queries.create({ view_id: v.id }));
      expect([err.status, err.code]).toEqual([404, 'object_not_found']);
    });
  });

  describe('PATCH and DELETE /v1/views/{id}', () => {
    it('updates name, filter, sorts, quick filters per key and configuration sub-fields', async () => {
      const v = await newView({
        quick_filters: { Points: { number: { greater_than: 0 } }, Status: { select: { equals: 'Open' } } },
        configuration: { type: 'table', wrap_cells: true, show_vertical_lines: true },
      });
      const u = full(
        await client.views.update({
          view_id: v.id,
          name: 'Renamed',
          filter: { property: 'Points', number: { less_than: 6 } } as never,
          sorts: [{ property: 'Name', direction: 'ascending' }],
          quick_filters: { Status: null },
          configuration: { type: 'table', wrap_cells: false, show_vertical_lines: null } as never,
        }),
      );
      expect(u.name).toBe('Renamed');
      expect(u.filter).toMatchObject({ number: { less_than: 6 } });
      expect(Object.keys(u.quick_filters ?? {})).toHaveLength(1);
      expect(u.configuration).toEqual({ type: 'table', wrap_cells: false });
      const cleared = full(
        await client.views.update({ view_id: v.id, filter: null, sorts: null, quick_filters: null }),
      );
      expect([cleared.filter, cleared.sorts, cleared.quick_filters]).toEqual([null, null, null]);
      const err = await failure(
        client.views.update({
          view_id: v.id,
          sorts: [{ timestamp: 'created_time', direction: 'ascending' }] as never,
        }),
      );
      expect(err.message).toContain('body.sorts[0].timestamp should be not present');
    });

    it('deletes a view, answering the partial view, after which it is gone', async () => {
      const v = await newView({ name: 'Doomed' });
      const gone = await client.views.delete({ view_id: v.id });
      expect(gone).toMatchObject({ object: 'view', id: v.id, type: 'table' });
      expect(Object.keys(gone)).not.toContain('name');
      const err = await failure(client.views.retrieve({ view_id: v.id }));
      expect([err.status, err.code]).toEqual([404, 'object_not_found']);
    });

    it('places widgets on a dashboard and takes them off when they are deleted', async () => {
      const dash = full(await newView({ name: 'Board room', type: 'dashboard' }));
      expect(dash.data_source_id).toBeNull();
      const w1 = await client.views.create({
        data_source_id: dataSourceId,
        view_id: dash.id,
        name: 'W1',
        type: 'list',
      });
      const w2 = await client.views.create({
        data_source_id: dataSourceId,
        view_id: dash.id,
        name: 'W2',
        type: 'table',
        placement: { type: 'existing_row', row_index: 0 },
      });
      expect(full(await client.views.retrieve({ view_id: w1.id })).dashboard_view_id).toBe(dash.id);
      const rows = () =>
        client.views
          .retrieve({ view_id: dash.id })
          .then((d) => (full(d).configuration as { rows: { widgets: { view_id: string }[] }[] }).rows);
      expect((await rows()).map((r) => r.widgets.map((w) => w.view_id))).toEqual([[w1.id, w2.id]]);
      await client.views.delete({ view_id: w1.id });
      expect((await rows()).map((r) => r.widgets.map((w) => w.view_id))).toEqual([[w2.id]]);
      const tabs = (await client.views.list({ database_id: databaseId })).results.map((v) => v.id);
      expect(tabs).toContain(dash.id);
      expect(tabs).not.toContain(w2.id);
    });
  });

  describe('view queries', () => {
    it("runs the view's filter, quick filters and sorts, keeps the results and pages through them", async () => {
      const v = await newView({
        filter: { property: 'Status', select: { equals: 'Open' } },
        sorts: [{ property: 'Points', direction: 'descending' }],
        quick_filters: { Points: { number: { greater_than: 1 } } },
      });
      const q = await client.views.queries.create({ view_id: v.id, page_size: 1 });
      expect(q.total_count).toBe(2);
      expect(q.has_more).toBe(true);
      const names = async (ids: string[]) =>
        Promise.all(
          ids.map(async (id) => {
            const p = (await client.pages.retrieve({ page_id: id })) as unknown as {
              properties: { Name: { title: { plain_text: string }[] } };
            };
            return p.properties.Name.title[0]!.plain_text;
          }),
        );
      expect(await names(q.results.map((r) => r.id))).toEqual(['d']);
      const rest = await client.views.queries.results({
        view_id: v.id,
        query_id: q.id,
        start_cursor: q.next_cursor!,
      });
      expect(await names(rest.results.map((r) => r.id))).toEqual(['c']);
      expect(rest.has_more).toBe(false);
      // A renamed property keeps the view working: it names properties by id.
      await client.dataSources.update({
        data_source_id: dataSourceId,
        properties: { Points: { name: 'Score' } },
      });
      expect((await client.views.queries.create({ view_id: v.id })).total_count).toBe(2);
      await client.dataSources.update({
        data_source_id: dataSourceId,
        properties: { Score: { name: 'Points' } },
      });
      const deleted = await client.views.queries.delete({ view_id: v.id, query_id: q.id });
      expect(deleted).toMatchObject({ object: 'view_query', id: q.id, deleted: true });
      const err = await failure(client.views.queries.results({ view_id: v.id, query_id: q.id }));
      expect([err.status, err.code]).toEqual([404, 'object_not_found']);
    });

    it('stops filtering and sorting on a property deleted since', async () => {
      const c = h.client();
      const db = await c.databases.create({
        parent: { type: 'page_id', page_id: h.rootPageId },
        title: rt('Shrinking'),
        initial_data_source: { properties: { Name: { title: {} }, Size: { number: {} } } },
      });
      const ds = (db as { data_sources: { id: string }[] }).data_sources[0]!.id;
      for (const size of [1, 2]) {
        await c.pages.create({ parent: { data_source_id: ds }, properties: { Size: { number: size } } });
      }
      const v = await c.views.create({
        data_source_id: ds,
        database_id: db.id,
        name: 'Big',
        type: 'table',
        filter: { and: [{ property: 'Size', number: { greater_than: 1 } }] } as never,
        sorts: [{ property: 'Size', direction: 'ascending' }] as never,
        quick_filters: { Size: { number: { less_than: 9 } } } as never,
      });
      expect((await c.views.queries.create({ view_id: v.id })).total_count).toBe(1);
      await c.dataSources.update({ data_source_id: ds, properties: { Size: null } });
      expect((await c.views.queries.create({ view_id: v.id })).total_count).toBe(2);
      await c.dataSources.update({ data_source_id: ds, in_trash: true });
      const err = await failure(
        c.views.create({ data_source_id: ds, database_id: db.id, name: 'x', type: 'table' }),
      );
      expect(err.message).toContain("Can't edit block that is archived");
    });

    it('keeps at most 10,000 results and says the result set is incomplete', async () => {
      const c = h.client();
      const db = await c.databases.create({
        parent: { type: 'page_id', page_id: h.rootPageId },
        title: rt('Big'),
      });
      const ds = (db as { data_sources: { id: string }[] }).data_sources[0]!.id;
      const lines = Array.from({ length: VIEW_QUERY_MAX_RESULTS + 5 }, (_, i) => ({
        line: i + 1,
        body: { properties: { Name: { title: rt(`r${i}`) } } },
      }));
      await importRows(h.store, lines, { dataSourceId: ds, batchSize: 5000 });
      const view = (await c.views.list({ database_id: db.id })).results[0]!;
      const q = await c.views.queries.create({ view_id: view.id, page_size: 100 });
      expect([q.total_count, q.request_status]).toEqual([
        VIEW_QUERY_MAX_RESULTS,
        { type: 'incomplete', incomplete_reason: 'query_result_limit_reached' },
      ]);
      const last = await c.views.queries.results({
        view_id: view.id,
        query_id: q.id,
        start_cursor: q.next_cursor!,
        page_size: 100,
      });
      expect(last.request_status).toEqual({
        type: 'incomplete',
        incomplete_reason: 'query_result_limit_reached',
      });
    }, 60_000);

    it('forgets results after 15 minutes', async () => {
      let now = new Date('2026-01-01T00:00:00Z');
      const timed = await startHarness(engine, { clock: () => now });
      try {
        const c = timed.client();
        const db = await c.databases.create({
          parent: { type: 'page_id', page_id: timed.rootPageId },
          title: rt('T'),
        });
        const view = (await c.views.list({ database_id: db.id })).results[0]!;
        const q = await c.views.queries.create({ view_id: view.id });
        expect(q.expires_at).toBe('2026-01-01T00:15:00.000+00:00');
        now = new Date('2026-01-01T00:14:59Z');
        await c.views.queries.results({ view_id: view.id, query_id: q.id });
        now = new Date('2026-01-01T00:15:01Z');
        const err = await failure(c.views.queries.results({ view_id: view.id, query_id: q.id }));
        expect(err.status).toBe(404);
      } finally {
        await timed.close();
      }
    });
  });

  describe('sharing and capabilities', () => {
    it('answers for views of an unshared database exactly as for a missing id', async () => {
      const outsider = h.client({ token: await h.newIntegration('View outsider') });
      await h.newRootPage('Elsewhere', ['View outsider']);
      const v = await newView({ name: 'Secret' });
      const q = await client.views.queries.create({ view_id: v.id });
      const pairs: Array<[(id: string) => Promise<unknown>, string]> = [
        [(id) => outsider.views.retrieve({ view_id: id }), v.id],
        [(id) => outsider.views.update({ view_id: id, name: 'x' }), v.id],
        [(id) => outsider.views.delete({ view_id: id }), v.id],
        [(id) => outsider.views.queries.create({ view_id: id }), v.id],
        [(id) => outsider.views.queries.results({ view_id: v.id, query_id: id }), q.id],
        [(id) => outsider.views.list({ database_id: id }), databaseId],
        [(id) => outsider.views.list({ data_source_id: id }), dataSourceId],
        [
          (id) =>
            outsider.views.create({ data_source_id: id, database_id: databaseId, name: 'x', type: 'table' }),
          dataSourceId,
        ],
      ];
      for (const [call, hidden] of pairs) {
        const unshared = await failure(call(hidden));
        const missing = await failure(call(MISSING));
        expect(unshared.status).toBe(404);
        expect(shape(unshared, hidden).code).toEqual(shape(missing, MISSING).code);
      }
      expect(full(await client.views.retrieve({ view_id: v.id })).name).toBe('Secret');
    });

    it('needs read_content to read views and update_content to change them', async () => {
      const name = 'Insert only views';
      const writer = h.client({ token: await h.newIntegration(name, ['insert_content']) });
      const reader = h.client({ token: await h.newIntegration('Read only views', ['read_content']) });
      for (const c of [writer]) {
        for (const call of [
          () => c.views.list({ database_id: databaseId }),
          () => c.views.retrieve({ view_id: MISSING }),
          () => c.views.queries.create({ view_id: MISSING }),
        ]) {
          expect((await failure(call())).status).toBe(403);
        }
      }
      for (const call of [
        () => reader.views.update({ view_id: MISSING, name: 'x' }),
        () => reader.views.delete({ view_id: MISSING }),
        () =>
          reader.views.create({
            data_source_id: dataSourceId,
            database_id: databaseId,
            name: 'x',
            type: 'table',
          }),
      ]) {
        expect((await failure(call())).code).toBe('restricted_resource');
      }
    });
  });

  describe('events', () => {
    it('records view.created, view.updated with the fields changed, and view.deleted', async () => {
      const start = (await h.store.transaction((tx) => tx.events.readAfter(START_CURSOR, 1_000_000))).next;
      const v = await newView({ name: 'Watched' });
      await client.views.update({
        view_id: v.id,
        name: 'Watched 2',
        filter: { property: 'Points', number: { equals: 1 } } as never,
      });
      await client.views.update({ view_id: v.id, name: 'Watched 2' });
      await client.views.delete({ view_id: v.id });
      // On Postgres an event is readable once every older transaction has ended: poll briefly.
      let mine: RecordedEvent[] = [];
      for (let i = 0; i < 50 && mine.length < 3; i++) {
        const { events } = await h.store.transaction((tx) => tx.events.readAfter(start, 100));
        mine = events.filter((e) => e.entity.id === v.id);
        if (mine.length < 3) await new Promise((r) => setTimeout(r, 100));
      }
      expect(mine.map((e) => e.type)).toEqual(['view.created', 'view.updated', 'view.deleted']);
      expect(mine[0]!.data).toEqual({ parent: { id: databaseId, type: 'database' }, view_type: 'table' });
      expect(mine[1]!.data.updated_fields).toEqual(['name', 'filter']);
      expect(mine.every((e) => e.entity.type === 'view' && e.integrationId !== null)).toBe(true);
    });
  });
});
