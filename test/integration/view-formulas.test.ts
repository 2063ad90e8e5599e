/**
 * View queries over formulas and rollups, through the official SDK on both engines: a view's
 * saved filter, quick filters and sorts on formula and rollup properties answer exactly the
 * pages, in the order, of the same filter and sorts in a data-source query — both where they run
 * in SQL (list functions over a relation's pages and the median included) and where the
 * evaluator answers (a rollup over a formula, `show_original`) —
 * and the same again on a server that answers every computed property by the evaluator. Filters
 * that do not fit what a formula yields are refused as data-source queries refuse them, and the
 * view is left unchanged.
 */
import type { Client } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { DEFAULT_MAX_FILE_UPLOAD_BYTES } from '../../src/config.ts';
import { schemaOf } from '../../src/ops/databases.ts';
import { planQuery } from '../../src/ops/query.ts';
import { administrationEnv } from '../../src/ops/templates.ts';
import { planViewQuery } from '../../src/ops/view-queries.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { describeEngines } from '../helpers/engines.ts';
import { BASE_URL, type Harness, startHarness } from '../helpers/harness.ts';
import { createDb, type Db, rowParent, text, VERSIONS, type Version } from './rows-support.ts';

const DAY = 86_400_000;
let clock = new Date('2026-05-13T10:00:00.000Z');
type Body = { filter?: Record<string, unknown>; sorts?: Record<string, unknown>[] };

/** Filters and sorts over every kind of computed property, SQL and evaluator paths alike. */
const BODIES: Body[] = [
  {
    filter: { property: 'Label', formula: { string: { contains: '#1' } } },
    sorts: [{ property: 'Label', direction: 'ascending' }],
  },
  {
    filter: { property: 'Late', formula: { checkbox: { equals: true } } },
    sorts: [{ property: 'Soon', direction: 'descending' }],
  },
  { filter: { property: 'Soon', formula: { date: { on_or_after: '2026-05-14' } } } },
  {
    filter: { property: 'Age', formula: { number: { greater_than: 0 } } },
    sorts: [{ property: 'Age', direction: 'ascending' }],
  },
  {
    filter: { property: 'Spent', rollup: { number: { greater_than: 40 } } },
    sorts: [{ property: 'Spent', direction: 'descending' }],
  },
  {
    filter: { property: 'Last', rollup: { date: { on_or_after: '2026-05-05' } } },
    sorts: [{ property: 'Last', direction: 'ascending' }],
  },
  { filter: { property: 'Spent', rollup: { any: { number: { greater_than: 60 } } } } },
  { filter: { property: 'PaidCount', rollup: { every: { checkbox: { equals: true } } } } },
  { filter: { property: 'Last', rollup: { none: { date: { past_week: {} } } } } },
  // In SQL since list functions over related pages compile (max of a mapped number, length),
  // and the median; evaluator-only: a rollup over a formula.
  {
    filter: { property: 'Biggest', formula: { number: { greater_than: 50 } } },
    sorts: [{ property: 'Biggest', direction: 'descending' }],
  },
  { filter: { property: 'Orders count', formula: { number: { greater_than_or_equal_to: 3 } } } },
  {
    filter: { property: 'Middle', rollup: { number: { is_not_empty: true } } },
    sorts: [{ property: 'Middle', direction: 'ascending' }],
  },
  {
    filter: { property: 'Doubled', rollup: { number: { less_than: 200 } } },
    sorts: [{ property: 'Doubled', direction: 'descending' }],
  },
  {
    filter: {
      or: [
        { property: 'Label', formula: { string: { ends_with: '#0' } } },
        { property: 'Biggest', formula: { number: { is_empty: true } } },
        { property: 'Done', checkbox: { equals: true } },
      ],
    },
    sorts: [
      { property: 'Last', direction: 'descending' },
      { property: 'Label', direction: 'ascending' },
    ],
  },
];

describeEngines('view queries on formulas and rollups', (engine) => {
  let h: Harness;
  let evalApp: ReturnType<typeof createApp>;
  let tasks: Db;
  let orders: Db;
  const orderIds: string[] = [];
  const client = (version: Version = '2026-03-11') => h.client({ version });

  /** An SDK client of a server answering every formula and rollup by the evaluator. */
  async function evaluatorClient(version: Version = '2026-03-11'): Promise<Client> {
    const { Client: SdkClient } = await import('@notionhq/client');
    return new SdkClient({
      auth: h.token,
      baseUrl: BASE_URL,
      notionVersion: version,
      fetch: ((url: string, init?: RequestInit) =>
        Promise.resolve(evalApp.request(String(url), init))) as typeof fetch,
      logLevel: 'error' as never,
    });
  }

  beforeAll(async () => {
    h = await startHarness(engine, { clock: () => clock });
    evalApp = createApp({
      store: h.store,
      publicUrl: BASE_URL,
      workspace: h.boot.workspace,
      rateLimiter: null,
      files: {
        maxBytes: DEFAULT_MAX_FILE_UPLOAD_BYTES,
        allowPrivateImports: false,
        urlSecret: h.boot.fileUrlSecret,
      },
      clock: () => clock,
      computedInSql: false,
    });
    const c = client('2025-09-03');
    orders = await createDb(h, '2025-09-03', 'Orders', {
      Name: { title: {} },
      Amount: { number: {} },
      Paid: { checkbox: {} },
      When: { date: {} },
      Twice: { formula: { expression: 'prop("Amount") * 2' } },
    });
    tasks = await createDb(h, '2025-09-03', 'Tasks', {
      Name: { title: {} },
      Price: { number: {} },
      Due: { date: {} },
      Done: { checkbox: {} },
      Orders: { relation: { data_source_id: orders.dataSourceId, single_property: {} } },
    });
    const rollup = (rollup_property_name: string, fn: string) => ({
      rollup: { relation_property_name: 'Orders', rollup_property_name, function: fn },
    });
    await c.dataSources.update({
      data_source_id: tasks.dataSourceId,
      properties: {
        Spent: rollup('Amount', 'sum'),
        PaidCount: rollup('Paid', 'checked'),
        Last: rollup('When', 'latest_date'),
        Middle: rollup('Amount', 'median'),
        Doubled: rollup('Twice', 'sum'),
        Titles: rollup('Name', 'show_original'),
        Label: { formula: { expression: 'upper(prop("Name")) + " #" + format(prop("Price"))' } },
        Late: { formula: { expression: 'prop("Due") < now()' } },
        Soon: { formula: { expression: 'dateAdd(prop("Due"), 1, "days")' } },
        Age: { formula: { expression: 'dateBetween(now(), prop("Due"), "days")' } },
        Biggest: { formula: { expression: 'prop("Orders").map(current.prop("Amount")).max()' } },
        'Orders count': { formula: { expression: 'prop("Orders").length()' } },
      } as never,
    });
    for (let i = 0; i < 8; i++) {
      const page = await c.pages.create({
        parent: rowParent('2025-09-03', orders),
        properties: {
          Name: { title: i % 4 === 3 ? [] : text(`Order ${i}`) },
          Amount: { number: i % 5 === 4 ? null : i * 15 },
          Paid: { checkbox: i % 2 === 0 },
          When: {
            date:
              i % 3 === 2
                ? null
                : { start: new Date(clock.getTime() - i * 3 * DAY).toISOString().slice(0, 10) },
          },
        } as never,
      });
      orderIds.push(page.id);
    }
    const names = ['alpha', 'Beta', 'GAMMA', 'delta', 'Straße', 'zeta'];
    for (let i = 0; i < 14; i++) {
      await c.pages.create({
        parent: rowParent('2025-09-03', tasks),
        properties: {
          Name: { title: text(`${names[i % names.length]} ${i}`) },
          Price: { number: i % 6 === 5 ? null : (i * 37) % 50 },
          Due: {
            date:
              i % 5 === 4
                ? null
                : { start: new Date(clock.getTime() + (i - 6) * DAY + (i % 2) * 3_600_000).toISOString() },
          },
          Done: { checkbox: i % 3 === 0 },
          Orders: {
            relation: orderIds.filter((_, j) => (i + j) % 4 === 0 || j === i % 8).map((id) => ({ id })),
          },
        } as never,
      });
    }
  });
  afterAll(() => h.close());

  /** Every page of a data-source query, five at a time. */
  async function queried(c: Client, body: Body): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await c.dataSources.query({
        data_source_id: tasks.dataSourceId,
        page_size: 5,
        ...body,
        ...(cursor ? { start_cursor: cursor } : {}),
      } as never);
      out.push(...page.results.map((r) => r.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return out;
  }

  /** Every page of a new query of a view, five at a time. */
  async function viewed(c: Client, viewId: string): Promise<string[]> {
    const q = await c.views.queries.create({ view_id: viewId, page_size: 5 });
    const out = q.results.map((r) => r.id);
    let cursor = q.next_cursor;
    while (cursor) {
      const page = await c.views.queries.results({ view_id: viewId, query_id: q.id, start_cursor: cursor });
      out.push(...page.results.map((r) => r.id));
      cursor = page.next_cursor;
    }
    expect(q.total_count).toBe(out.length);
    return out;
  }

  const newView = (c: Client, extra: Record<string, unknown>) =>
    c.views.create({
      data_source_id: tasks.dataSourceId,
      database_id: tasks.databaseId,
      name: 'Computed',
      type: 'table',
      ...extra,
    } as Parameters<Client['views']['create']>[0]);

  for (const version of VERSIONS) {
    it(`answers saved filters and sorts as a data-source query does (${version}, SQL and evaluator)`, async () => {
      const c = client(version);
      const e = await evaluatorClient(version);
      const dsClient = client('2025-09-03');
      let discriminating = 0;
      // Every body on the latest version; the others (same engine, other shapes) a few.
      const bodies = version === '2026-03-11' ? BODIES : [BODIES[0]!, BODIES[6]!, BODIES[9]!, BODIES.at(-1)!];
      for (const body of bodies) {
        const expected = await queried(dsClient, body);
        expect(await queried(await evaluatorClient('2025-09-03'), body), JSON.stringify(body)).toEqual(
          expected,
        );
        const view = await newView(c, body);
        expect(await viewed(c, view.id), JSON.stringify(body)).toEqual(expected);
        expect(await viewed(e, view.id), JSON.stringify(body)).toEqual(expected);
        if (expected.length > 0 && expected.length < 14) discriminating++;
      }
      expect(discriminating).toBeGreaterThan(bodies.length / 2);
    });
  }

  it('runs in SQL exactly when the data-source query with the same filter and sorts does', async () => {
    const c = client();
    const inSql: boolean[] = [];
    for (const body of BODIES) {
      const view = await newView(c, body);
      const [viewPlan, dsPlan] = await h.store.transaction(async (tx) => {
        const env = await administrationEnv(tx, clock.toISOString(), BASE_URL);
        const schema = schemaOf((await tx.blocks.get(tasks.dataSourceId))!);
        const source = { schema, dataSourceId: tasks.dataSourceId, databaseId: tasks.databaseId };
        const keyedSchema = Object.fromEntries(schema.map((p) => [p.name, p]));
        return [
          await planViewQuery(tx, env, view.id, '2026-03-11'),
          await planQuery(tx, env, source, (context) =>
            parseQuery(body, keyedSchema, { version: '2026-03-11', meUserId: null, ...context }),
          ),
        ];
      });
      expect(viewPlan.computed === null, JSON.stringify(body)).toBe(dsPlan.computed === null);
      expect(viewPlan.query).toEqual(dsPlan.query);
      inSql.push(viewPlan.computed === null);
    }
    // All compile to SQL (the median, the 12th, too) but the rollup over a formula.
    const median = BODIES.findIndex((b) => JSON.stringify(b).includes('"Middle"'));
    expect(median).toBe(11);
    expect(inSql).toEqual(BODIES.map((_, i) => i !== 12));
  });

  it('answers quick filters on formulas and rollups, ANDed with the saved filter', async () => {
    const c = client();
    const quick = {
      Spent: { rollup: { number: { greater_than: 10 } } },
      Biggest: { formula: { number: { is_not_empty: true } } },
      Late: { formula: { checkbox: { equals: false } } },
      PaidCount: { rollup: { any: { checkbox: { equals: true } } } },
    };
    const saved = { property: 'Label', formula: { string: { does_not_contain: 'zeta' } } };
    const sorts = [{ property: 'Orders count', direction: 'descending' }];
    const view = await newView(c, { filter: saved, quick_filters: quick, sorts });
    const and = [
      saved,
      ...Object.entries(quick).map(([property, condition]) => ({ property, ...condition })),
    ];
    const expected = await queried(client('2025-09-03'), { filter: { and }, sorts });
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(14);
    expect(await viewed(c, view.id)).toEqual(expected);
    expect(await viewed(await evaluatorClient(), view.id)).toEqual(expected);
  });

  it('takes formula filters, sorts and quick filters on update; renames keep the view working', async () => {
    const c = client();
    const view = await newView(c, {});
    const filter = { property: 'Age', formula: { number: { less_than_or_equal_to: 2 } } };
    const sorts = [{ property: 'Spent', direction: 'ascending' }];
    const quick = { Middle: { rollup: { number: { greater_than: 0 } } } };
    const updated = await c.views.update({ view_id: view.id, filter, sorts, quick_filters: quick } as never);
    const schema = (await c.dataSources.retrieve({ data_source_id: tasks.dataSourceId })).properties;
    expect((updated as { filter: unknown }).filter).toEqual({ ...filter, property: schema.Age!.id });
    const expected = await queried(client('2025-09-03'), {
      filter: { and: [filter, { property: 'Middle', rollup: { number: { greater_than: 0 } } }] },
      sorts,
    });
    expect(expected.length).toBeGreaterThan(0);
    expect(await viewed(c, view.id)).toEqual(expected);
    await c.dataSources.update({
      data_source_id: tasks.dataSourceId,
      properties: { Age: { name: 'Days' }, Middle: { name: 'Median' } } as never,
    });
    try {
      expect(await viewed(c, view.id)).toEqual(expected);
    } finally {
      await c.dataSources.update({
        data_source_id: tasks.dataSourceId,
        properties: { Days: { name: 'Age' }, Median: { name: 'Middle' } } as never,
      });
    }
  });

  it('shows a change to a related page, and the clock, in the next view query', async () => {
    const c = client();
    const rich = await newView(c, {
      filter: { property: 'Doubled', rollup: { number: { greater_than: 9000 } } },
    });
    const late = await newView(c, { filter: { property: 'Late', formula: { checkbox: { equals: true } } } });
    expect(await viewed(c, rich.id)).toEqual([]);
    const lateBefore = await viewed(c, late.id);
    await client('2025-09-03').pages.update({
      page_id: orderIds[1]!,
      properties: { Amount: { number: 5000 } } as never,
    });
    clock = new Date(clock.getTime() + 4 * DAY);
    const richAfter = await viewed(c, rich.id);
    expect(richAfter.length).toBeGreaterThan(0);
    expect(richAfter).toEqual(
      await queried(client('2025-09-03'), {
        filter: { property: 'Doubled', rollup: { number: { greater_than: 9000 } } },
      }),
    );
    const lateAfter = await viewed(c, late.id);
    expect(lateAfter.length).toBeGreaterThan(lateBefore.length);
    expect(lateAfter).toEqual(await viewed(await evaluatorClient(), late.id));
  });

  it('answers validation_error for a saved condition that no longer fits, until the filter is updated', async () => {
    const c = client();
    const ds = client('2025-09-03');
    await ds.dataSources.update({
      data_source_id: tasks.dataSourceId,
      properties: { Shifting: { formula: { expression: 'prop("Price") + 1' } } } as never,
    });
    const view = await newView(c, {
      filter: { property: 'Shifting', formula: { number: { greater_than: 10 } } },
    });
    const fits = await viewed(c, view.id);
    expect(fits).toEqual(
      await queried(ds, { filter: { property: 'Shifting', formula: { number: { greater_than: 10 } } } }),
    );
    await ds.dataSources.update({
      data_source_id: tasks.dataSourceId,
      properties: { Shifting: { formula: { expression: 'format(prop("Price"))' } } } as never,
    });
    const err = await c.views.queries.create({ view_id: view.id }).catch((e) => e);
    expect([err.status, err.code, err.message]).toEqual([
      400,
      'validation_error',
      'The formula result type does not match the filter: formula Shifting yields string, filter is number.',
    ]);
    await c.views.update({
      view_id: view.id,
      filter: { property: 'Shifting', formula: { string: { is_not_empty: true } } },
    } as never);
    expect((await viewed(c, view.id)).length).toBeGreaterThan(0);
    await ds.dataSources.update({
      data_source_id: tasks.dataSourceId,
      properties: { Shifting: null } as never,
    });
  });

  describe('refusals (Notion errors; the view is left unchanged)', () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        'a number condition on a text formula',
        { filter: { property: 'Label', formula: { number: { equals: 1 } } } },
        /^The formula result type does not match the filter: formula Label yields string, filter is number\.$/,
      ],
      [
        'a date condition on a number rollup',
        { filter: { property: 'Spent', rollup: { date: { past_week: {} } } } },
        /^The rollup result type does not match the filter: rollup Spent yields number, filter is date\.$/,
      ],
      [
        'a quick filter with a string condition on a checkbox formula',
        { quick_filters: { Late: { formula: { string: { equals: 'x' } } } } },
        /^The formula result type does not match the filter: formula Late yields boolean, filter is string\.$/,
      ],
      [
        'a sort by a rollup that shows its values',
        { sorts: [{ property: 'Titles', direction: 'ascending' }] },
        /^Sorting by this rollup property is not supported: it yields array\.$/,
      ],
      [
        'a rollup condition of the wrong type for the rolled-up property',
        { filter: { property: 'Spent', rollup: { any: { checkbox: { equals: true } } } } },
        /^The property type in the database does not match the property type of the filter provided: database property number does not match filter checkbox$/,
      ],
      [
        'a formula filter with two result types',
        { filter: { property: 'Age', formula: { number: { equals: 1 }, date: { is_empty: true } } } },
        /^body failed validation: body\.filter\.formula should have exactly one of `string`, `number`, `checkbox`, `date`/,
      ],
    ];
    for (const [what, body, message] of cases) {
      it(`refuses ${what}, on create and on update`, async () => {
        const c = client();
        const view = await newView(c, { name: 'Kept' });
        const retrieve = async () => {
          const { request_id: _r, ...v } = (await c.views.retrieve({ view_id: view.id })) as Record<
            string,
            unknown
          >;
          return v;
        };
        const before = await retrieve();
        const created = await newView(c, body).catch((err) => err);
        expect([created.status, created.code]).toEqual([400, 'validation_error']);
        expect(created.message).toMatch(message);
        const updated = await c.views.update({ view_id: view.id, ...body } as never).catch((err) => err);
        expect([updated.status, updated.code]).toEqual([400, 'validation_error']);
        expect(updated.message).toMatch(message);
        expect(await retrieve()).toEqual(before);
        const list = await c.views.list({ data_source_id: tasks.dataSourceId, page_size: 100 });
        expect(list.results.filter((v) => v.id === view.id)).toHaveLength(1);
      });
    }
  });
});
