/**
 * Queries on formulas and rollups through the official SDK on both engines: filters and sorts
 * that run in SQL (text, checkbox, number and date formulas, `now()`, `round`, `%`, `min`,
 * `length`, months and years, rollups and rollup any / every / none) give the same pages, in the same order and across cursors, as the same server answering
 * by the evaluator over every row; a time-dependent formula follows the clock; a change to a
 * related page shows in the next query.
 */
import type { Client } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { createDb, type Db, evaluatorClient, rowClient, rowParent, text } from './rows-support.ts';

const DAY = 86_400_000;
let clock = new Date('2026-05-13T10:00:00.000Z');

describeEngines('queries on formulas and rollups in SQL', (engine) => {
  let h: Harness;
  let sqlClient: Client;
  let evalClient: Client;
  let tasks: Db;
  let orders: Db;
  const orderIds: string[] = [];

  beforeAll(async () => {
    h = await startHarness(engine, { clock: () => clock });
    sqlClient = rowClient(h, '2025-09-03');
    evalClient = evaluatorClient(h, () => clock);
    orders = await createDb(h, '2025-09-03', 'Orders', {
      Name: { title: {} },
      Amount: { number: {} },
      Paid: { checkbox: {} },
      When: { date: {} },
    });
    tasks = await createDb(h, '2025-09-03', 'Tasks', {
      Name: { title: {} },
      Price: { number: {} },
      Due: { date: {} },
      Done: { checkbox: {} },
      Orders: { relation: { data_source_id: orders.dataSourceId, single_property: {} } },
    });
    await sqlClient.dataSources.update({
      data_source_id: tasks.dataSourceId,
      properties: {
        Spent: {
          rollup: { relation_property_name: 'Orders', rollup_property_name: 'Amount', function: 'sum' },
        },
        PaidCount: {
          rollup: { relation_property_name: 'Orders', rollup_property_name: 'Paid', function: 'checked' },
        },
        Last: {
          rollup: { relation_property_name: 'Orders', rollup_property_name: 'When', function: 'latest_date' },
        },
        Share: {
          rollup: {
            relation_property_name: 'Orders',
            rollup_property_name: 'Name',
            function: 'percent_not_empty',
          },
        },
        Label: { formula: { expression: 'upper(prop("Name")) + " #" + format(prop("Price"))' } },
        Late: { formula: { expression: 'prop("Due") < now()' } },
        Soon: { formula: { expression: 'dateAdd(prop("Due"), 1, "days")' } },
        Big: { formula: { expression: 'prop("Spent") * 2 > 100 and not prop("Done")' } },
        Age: { formula: { expression: 'dateBetween(now(), prop("Due"), "days")' } },
        Tier: {
          formula: { expression: 'round(prop("Price") / 7, 1) % 3 + min(prop("Spent"), prop("Price"))' },
        },
        Span: {
          formula: {
            expression:
              'dateBetween(now(), dateSubtract(prop("Due"), 1, "months"), "days") + length(prop("Name"))',
          },
        },
        Renewal: { formula: { expression: 'dateAdd(prop("Due"), -1, "years")' } },
      } as never,
    });
    for (let i = 0; i < 8; i++) {
      const page = await sqlClient.pages.create({
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
      await sqlClient.pages.create({
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

  /** All pages of a query, five at a time, as ids. */
  async function ids(client: Client, body: Record<string, unknown>): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.dataSources.query({
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

  const BODIES: Record<string, unknown>[] = [
    {
      filter: { property: 'Label', formula: { string: { contains: '#1' } } },
      sorts: [{ property: 'Label', direction: 'ascending' }],
    },
    { filter: { property: 'Label', formula: { string: { starts_with: 'strasse' } } } },
    {
      filter: { property: 'Late', formula: { checkbox: { equals: true } } },
      sorts: [{ property: 'Soon', direction: 'descending' }],
    },
    { filter: { property: 'Soon', formula: { date: { on_or_after: '2026-05-14' } } } },
    {
      filter: { property: 'Age', formula: { number: { greater_than: 0 } } },
      sorts: [{ property: 'Age', direction: 'ascending' }],
    },
    { filter: { property: 'Big', formula: { checkbox: { equals: true } } } },
    {
      filter: { property: 'Tier', formula: { number: { greater_than: 20 } } },
      sorts: [{ property: 'Tier', direction: 'ascending' }],
    },
    {
      filter: { property: 'Span', formula: { number: { less_than: 40 } } },
      sorts: [{ property: 'Span', direction: 'descending' }],
    },
    {
      filter: { property: 'Renewal', formula: { date: { on_or_after: '2025-05-12' } } },
      sorts: [{ property: 'Renewal', direction: 'ascending' }],
    },
    {
      filter: { property: 'Spent', rollup: { number: { greater_than: 40 } } },
      sorts: [{ property: 'Spent', direction: 'descending' }],
    },
    { filter: { property: 'PaidCount', rollup: { number: { equals: 0 } } } },
    {
      filter: { property: 'Share', rollup: { number: { less_than: 1 } } },
      sorts: [{ property: 'Share', direction: 'ascending' }],
    },
    {
      filter: { property: 'Last', rollup: { date: { on_or_after: '2026-05-10' } } },
      sorts: [{ property: 'Last', direction: 'ascending' }],
    },
    { filter: { property: 'Spent', rollup: { any: { number: { greater_than: 60 } } } } },
    { filter: { property: 'PaidCount', rollup: { every: { checkbox: { equals: true } } } } },
    { filter: { property: 'Last', rollup: { none: { date: { past_week: {} } } } } },
    {
      filter: {
        or: [
          { property: 'Label', formula: { string: { ends_with: '#0' } } },
          { property: 'Spent', rollup: { number: { is_empty: true } } },
          { property: 'Done', checkbox: { equals: true } },
        ],
      },
      sorts: [
        { property: 'Last', direction: 'descending' },
        { property: 'Label', direction: 'ascending' },
      ],
    },
  ];

  it('filters and sorts like the evaluator, across cursors', async () => {
    let discriminating = 0;
    for (const body of BODIES) {
      const got = await ids(sqlClient, body);
      expect(got, JSON.stringify(body)).toEqual(await ids(evalClient, body));
      if (got.length > 0 && got.length < 14) discriminating++;
    }
    expect(discriminating).toBeGreaterThan(BODIES.length / 2);
  });

  it('answers time-dependent formulas at the moment of the query', async () => {
    const late = { filter: { property: 'Late', formula: { checkbox: { equals: true } } } };
    const before = await ids(sqlClient, late);
    expect(before).toEqual(await ids(evalClient, late));
    clock = new Date(clock.getTime() + 4 * DAY);
    const after = await ids(sqlClient, late);
    expect(after).toEqual(await ids(evalClient, late));
    expect(after.length).toBeGreaterThan(before.length);
  });

  it('shows a change to a related page in the next query', async () => {
    const rich = { filter: { property: 'Spent', rollup: { number: { greater_than: 1000 } } } };
    expect(await ids(sqlClient, rich)).toEqual([]);
    await sqlClient.pages.update({
      page_id: orderIds[0]!,
      properties: { Amount: { number: 5000 } } as never,
    });
    const got = await ids(sqlClient, rich);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(await ids(evalClient, rich));
  });
});
