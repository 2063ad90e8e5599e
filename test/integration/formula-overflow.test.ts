/**
 * Formulas and rollups whose arithmetic leaves the range of doubles, queried through the official
 * SDK on both engines: JavaScript's answer is ±Infinity, NaN or 0 (an empty number, or 0, for a
 * formula), Postgres raises "value out of range" for the same double arithmetic, and SQLite
 * yields ±Inf. Filters and sorts on them answer 200 with the pages the evaluator selects, in its
 * order, across cursors.
 */
import type { Client } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { createDb, type Db, evaluatorClient, rowClient, rowParent, text } from './rows-support.ts';

const clock = new Date('2026-05-13T10:00:00.000Z');
const BIG = 1e300;
const TINY = 1e-300;
/** Each row's A and B: products, sums and quotients that overflow, underflow, or are ordinary. */
const PAIRS: [number | null, number | null][] = [
  [BIG, BIG],
  [BIG, -BIG],
  [-BIG, BIG],
  [1.7e308, 1.7e308],
  [-1.7e308, 1.7e308],
  [TINY, TINY],
  [-TINY, TINY],
  [BIG, TINY],
  [TINY, BIG],
  [BIG, 0],
  [0, 0],
  [3, 2],
  [null, BIG],
  [-7, 0.5],
];

describeEngines('formulas and rollups beyond the range of doubles', (engine) => {
  let h: Harness;
  let sqlClient: Client;
  let evalClient: Client;
  let rows: Db;
  let items: Db;

  beforeAll(async () => {
    h = await startHarness(engine, { clock: () => clock });
    sqlClient = rowClient(h, '2025-09-03');
    evalClient = evaluatorClient(h, () => clock);
    items = await createDb(h, '2025-09-03', 'Items', { Name: { title: {} }, V: { number: {} } });
    rows = await createDb(h, '2025-09-03', 'Rows', {
      Name: { title: {} },
      A: { number: {} },
      B: { number: {} },
      Items: { relation: { data_source_id: items.dataSourceId, single_property: {} } },
    });
    const rollup = (fn: string) => ({
      rollup: { relation_property_name: 'Items', rollup_property_name: 'V', function: fn },
    });
    await sqlClient.dataSources.update({
      data_source_id: rows.dataSourceId,
      properties: {
        Product: { formula: { expression: 'prop("A") * prop("B")' } },
        Total: { formula: { expression: 'prop("A") + prop("B")' } },
        Gap: { formula: { expression: 'prop("A") - prop("B")' } },
        Ratio: { formula: { expression: 'prop("A") / prop("B")' } },
        Nested: { formula: { expression: '(prop("A") * prop("B")) / (prop("A") * 10) + 1' } },
        Rest: { formula: { expression: '(prop("A") * prop("B")) % 7' } },
        Neg: { formula: { expression: '-(prop("A") * prop("B") * 10)' } },
        // The sum and mean rollups written as list functions over the related pages.
        ListSum: { formula: { expression: 'prop("Items").map(current.prop("V")).sum()' } },
        ListMean: { formula: { expression: 'prop("Items").map(current.prop("V")).mean()' } },
        Sum: rollup('sum'),
        Avg: rollup('average'),
        Range: rollup('range'),
      } as never,
    });
    const itemIds: string[] = [];
    for (const v of [BIG, 1.7e308, -1.7e308, TINY, 5, null, -BIG, 1.7e308]) {
      const page = await sqlClient.pages.create({
        parent: rowParent('2025-09-03', items),
        properties: { Name: { title: text(`item ${v}`) }, V: { number: v } } as never,
      });
      itemIds.push(page.id);
    }
    for (const [i, [a, b]] of PAIRS.entries()) {
      await sqlClient.pages.create({
        parent: rowParent('2025-09-03', rows),
        properties: {
          Name: { title: text(`row ${i}`) },
          A: { number: a },
          B: { number: b },
          // Overflowing sums (1.7e308 twice), sums that come back (1e300, -1e300), ordinary ones.
          Items: {
            relation: [[0], [1, 7], [1, 4], [0, 6], [3, 4, 5], [1, 2], [0, 1, 3], []][i % 8]!.map((k) => ({
              id: itemIds[k]!,
            })),
          },
        } as never,
      });
    }
  });
  afterAll(() => h.close());

  /** All pages of a query, four at a time, as ids (each request must answer 200). */
  async function ids(client: Client, body: Record<string, unknown>): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.dataSources.query({
        data_source_id: rows.dataSourceId,
        page_size: 4,
        ...body,
        ...(cursor ? { start_cursor: cursor } : {}),
      } as never);
      out.push(...page.results.map((r) => r.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return out;
  }

  const names = async (got: string[]) =>
    Promise.all(
      got.map(async (id) => {
        const p = (await sqlClient.pages.retrieve({ page_id: id })) as unknown as {
          properties: { Name: { title: { plain_text: string }[] } };
        };
        return p.properties.Name.title[0]!.plain_text;
      }),
    );

  it.each(['Product', 'Total', 'Gap', 'Ratio', 'Nested', 'Rest', 'Neg', 'ListSum', 'ListMean'])(
    'filters and sorts %s as the evaluator, where doubles overflow',
    async (name) => {
      for (const body of [
        { filter: { property: name, formula: { number: { is_empty: true } } } },
        { filter: { property: name, formula: { number: { greater_than: 0 } } } },
        { filter: { property: name, formula: { number: { less_than: 1 } } } },
        {
          filter: { property: name, formula: { number: { is_not_empty: true } } },
          sorts: [{ property: name, direction: 'descending' }],
        },
        { sorts: [{ property: name, direction: 'ascending' }] },
      ]) {
        const got = await ids(sqlClient, body);
        expect(got, JSON.stringify(body)).toEqual(await ids(evalClient, body));
      }
    },
  );

  it('gives JavaScript’s answers: an overflow is empty, an underflow 0', async () => {
    const empty = await names(
      await ids(sqlClient, { filter: { property: 'Product', formula: { number: { is_empty: true } } } }),
    );
    expect(empty.sort()).toEqual(['row 0', 'row 1', 'row 2', 'row 3', 'row 4']);
    const zero = await names(
      await ids(sqlClient, { filter: { property: 'Product', formula: { number: { equals: 0 } } } }),
    );
    // 1e-300 squared underflows to 0 (Postgres would raise "value out of range: underflow").
    expect(zero.sort()).toEqual(['row 10', 'row 12', 'row 5', 'row 6', 'row 9']);
    const big = await names(
      await ids(sqlClient, { filter: { property: 'Ratio', formula: { number: { is_empty: true } } } }),
    );
    // 1e300 / 1e-300 overflows; x / 0 is empty (JavaScript's ±Infinity and NaN).
    expect(big.sort()).toEqual(['row 10', 'row 7', 'row 9']);
  });

  it.each(['Sum', 'Avg', 'Range'])('filters and sorts the rollup %s as the evaluator', async (name) => {
    for (const body of [
      { filter: { property: name, rollup: { number: { is_empty: true } } } },
      { filter: { property: name, rollup: { number: { greater_than: 1 } } } },
      {
        filter: { property: name, rollup: { number: { is_not_empty: true } } },
        sorts: [{ property: name, direction: 'descending' }],
      },
    ]) {
      const got = await ids(sqlClient, body);
      expect(got, JSON.stringify(body)).toEqual(await ids(evalClient, body));
    }
  });
});
