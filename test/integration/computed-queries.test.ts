/**
 * Filters and sorts on formula and rollup properties through the official SDK, on both engines
 * and every version: the sub-filter must fit the result kind; results follow changes of the
 * inputs, of related pages, and of the time of the query; pagination with cursors.
 */
import { APIResponseError } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import {
  createDb,
  type Db,
  hasDataSources,
  plain,
  queryRows,
  type RowPage,
  rowClient,
  rowParent,
  text,
  VERSIONS,
} from './rows-support.ts';

describeEngines('queries on formulas and rollups', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  for (const version of VERSIONS) {
    describe(`Notion-Version ${version}`, () => {
      const client = () => rowClient(h, version);
      const create = async (db: Db, properties: Record<string, unknown>) =>
        (await client().pages.create({ parent: rowParent(version, db), properties } as never)) as RowPage;
      const update = async (id: string, properties: Record<string, unknown>) =>
        client().pages.update({ page_id: id, properties } as never);
      const names = async (db: Db, body: Record<string, unknown>) =>
        (await queryRows(client(), version, db, body)).results.map((r) => plain(r.properties.Name!.title));
      const target = (db: Db) =>
        hasDataSources(version) ? { data_source_id: db.dataSourceId } : { database_id: db.databaseId };

      let parts: Db;
      let kits: Db;
      beforeAll(async () => {
        parts = await createDb(h, version, 'Parts', { Name: { title: {} }, Weight: { number: {} } });
        kits = await createDb(h, version, 'Kits', {
          Name: { title: {} },
          Price: { number: {} },
          Qty: { number: {} },
          Due: { date: {} },
          Parts: { relation: { ...target(parts), single_property: {} } },
          Total: { formula: { expression: 'prop("Price") * prop("Qty")' } },
          Label: { formula: { expression: 'upper(prop("Name"))' } },
          Big: { formula: { expression: 'prop("Price") * prop("Qty") > 10' } },
          Next: { formula: { expression: 'dateAdd(prop("Due"), 1, "days")' } },
          Overdue: { formula: { expression: 'prop("Due") < now()' } },
          Mass: {
            rollup: { function: 'sum', relation_property_name: 'Parts', rollup_property_name: 'Weight' },
          },
          Weights: {
            rollup: {
              function: 'show_original',
              relation_property_name: 'Parts',
              rollup_property_name: 'Weight',
            },
          },
        });
        const w = async (n: number) =>
          (await create(parts, { Name: { title: text(`w${n}`) }, Weight: { number: n } })).id;
        const [w1, w5, w9] = [await w(1), await w(5), await w(9)];
        const rows: [string, number | null, number | null, string | null, string[]][] = [
          ['a', 2, 3, '2020-01-01', [w1]],
          ['b', 5, 5, '2999-01-01', [w5, w9]],
          ['c', 1, 1, null, []],
          ['d', null, 4, '2021-06-15', [w9]],
        ];
        for (const [name, price, qty, due, rel] of rows) {
          await create(kits, {
            Name: { title: text(name) },
            Price: { number: price },
            Qty: { number: qty },
            Due: { date: due ? { start: due } : null },
            Parts: { relation: rel.map((id) => ({ id })) },
          });
        }
      });

      it('filters on number, string, checkbox and date formulas', async () => {
        const num = { property: 'Total', formula: { number: { greater_than: 4 } } };
        expect((await names(kits, { filter: num })).sort()).toEqual(['a', 'b']);
        expect(
          await names(kits, { filter: { property: 'Label', formula: { string: { equals: 'B' } } } }),
        ).toEqual(['b']);
        expect(
          (
            await names(kits, { filter: { property: 'Label', formula: { string: { contains: 'c' } } } })
          ).sort(),
        ).toEqual(['c']);
        expect(
          await names(kits, { filter: { property: 'Big', formula: { checkbox: { equals: true } } } }),
        ).toEqual(['b']);
        expect(
          (
            await names(kits, {
              filter: { property: 'Next', formula: { date: { on_or_before: '2021-06-16' } } },
            })
          ).sort(),
        ).toEqual(['a', 'd']);
        expect(
          await names(kits, { filter: { property: 'Next', formula: { date: { is_empty: true } } } }),
        ).toEqual(['c']);
        // Combined with a plain property condition.
        expect(
          await names(kits, {
            filter: { and: [num, { property: 'Qty', number: { less_than: 5 } }] },
          }),
        ).toEqual(['a']);
      });

      it('answers time-dependent formulas at the time of the query', async () => {
        const overdue = await names(kits, {
          filter: { property: 'Overdue', formula: { checkbox: { equals: true } } },
        });
        expect(overdue.sort()).toEqual(['a', 'd']);
      });

      it('sorts by formulas and rollups, empties last, and pages with cursors', async () => {
        expect(await names(kits, { sorts: [{ property: 'Total', direction: 'descending' }] })).toEqual([
          'b',
          'a',
          'c',
          'd',
        ]);
        expect(await names(kits, { sorts: [{ property: 'Mass', direction: 'ascending' }] })).toEqual([
          'c',
          'a',
          'd',
          'b',
        ]);
        const first = await queryRows(client(), version, kits, {
          sorts: [{ property: 'Label', direction: 'ascending' }],
          page_size: 3,
        });
        expect(first.results.map((r) => plain(r.properties.Name!.title))).toEqual(['a', 'b', 'c']);
        expect(first.has_more).toBe(true);
        const second = await queryRows(client(), version, kits, {
          sorts: [{ property: 'Label', direction: 'ascending' }],
          page_size: 3,
          start_cursor: first.next_cursor,
        });
        expect(second.results.map((r) => plain(r.properties.Name!.title))).toEqual(['d']);
        expect(second.has_more).toBe(false);
      });

      it('filters rollups with any, every and none over the related pages', async () => {
        const q = async (mode: string, cond: object) =>
          (
            await names(kits, { filter: { property: 'Weights', rollup: { [mode]: { number: cond } } } })
          ).sort();
        expect(await q('any', { greater_than: 8 })).toEqual(['b', 'd']);
        expect(await q('every', { greater_than: 4 })).toEqual(['b', 'c', 'd']);
        expect(await q('none', { greater_than: 8 })).toEqual(['a', 'c']);
        const err = await queryRows(client(), version, kits, {
          filter: { property: 'Weights', rollup: { any: { rich_text: { contains: 'x' } } } },
        }).catch((e) => e);
        expect((err as APIResponseError).code).toBe('validation_error');
      });

      it('filters on rollups, following changes of related pages', async () => {
        const heavy = { filter: { property: 'Mass', rollup: { number: { greater_than_or_equal_to: 9 } } } };
        expect((await names(kits, heavy)).sort()).toEqual(['b', 'd']);
        const w1 = (
          await queryRows(client(), version, parts, { filter: { property: 'Weight', number: { equals: 1 } } })
        ).results[0]!;
        await update(w1.id, { Weight: { number: 100 } });
        expect((await names(kits, heavy)).sort()).toEqual(['a', 'b', 'd']);
      });

      it('refuses sub-filters that do not fit the result', async () => {
        for (const filter of [
          { property: 'Total', formula: { string: { equals: 'x' } } },
          { property: 'Label', formula: { number: { equals: 1 } } },
          { property: 'Mass', rollup: { date: { after: '2020-01-01' } } },
          { property: 'Total', formula: { number: { equals: 1 }, string: { equals: 'x' } } },
        ]) {
          const err = await queryRows(client(), version, kits, { filter }).catch((e) => e);
          expect(err).toBeInstanceOf(APIResponseError);
          expect((err as APIResponseError).status).toBe(400);
          expect((err as APIResponseError).code).toBe('validation_error');
        }
      });
    });
  }
});
