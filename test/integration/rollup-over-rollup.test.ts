/**
 * Rollup `any` / `every` / `none` over a rolled-up rollup, through the official SDK on both
 * engines and every version: Orders roll up the Kits' rollups of their Parts (a sum, an earliest
 * date, a list), and the condition, of the key of what the Kits' rollup yields (`number`,
 * `date`), is tested on each related Kit's rollup value, computed over all of its Parts. A
 * change to a Part shows in the next query; a condition of another key, or over a rollup that
 * yields a list, is a `validation_error`.
 */
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

describeEngines('rollup any / every / none over a rolled-up rollup', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  for (const version of VERSIONS) {
    describe(`Notion-Version ${version}`, () => {
      const client = () => rowClient(h, version);
      const target = (db: Db) =>
        hasDataSources(version) ? { data_source_id: db.dataSourceId } : { database_id: db.databaseId };
      const create = async (db: Db, props: Record<string, unknown>) =>
        (await client().pages.create({
          parent: rowParent(version, db),
          properties: props,
        } as never)) as RowPage;
      let orders: Db;
      const parts: string[] = [];

      beforeAll(async () => {
        const partsDb = await createDb(h, version, 'Parts', {
          Name: { title: {} },
          Cost: { number: {} },
          Made: { date: {} },
        });
        const roll = (fn: string, of: string) => ({
          rollup: { function: fn, relation_property_name: 'Parts', rollup_property_name: of },
        });
        const kits = await createDb(h, version, 'Kits', {
          Name: { title: {} },
          Parts: { relation: { ...target(partsDb), single_property: {} } },
          Cost: roll('sum', 'Cost'),
          Average: roll('average', 'Cost'),
          First: roll('earliest_date', 'Made'),
          Costs: roll('show_original', 'Cost'),
        });
        const over = (fn: string, of: string) => ({
          rollup: { function: fn, relation_property_name: 'Kits', rollup_property_name: of },
        });
        orders = await createDb(h, version, 'Orders', {
          Name: { title: {} },
          Kits: { relation: { ...target(kits), single_property: {} } },
          KitCost: over('sum', 'Cost'),
          KitAverage: over('count', 'Average'),
          KitFirst: over('earliest_date', 'First'),
          KitCosts: over('count', 'Costs'),
        });
        // Parts: p0 (1, 2026-01-05), p1 (4, 2026-03-01), p2 (10, no date), p3 (2, 2025-12-24).
        const made = ['2026-01-05', '2026-03-01', null, '2025-12-24'];
        for (const [i, cost] of [1, 4, 10, 2].entries())
          parts.push(
            (
              await create(partsDb, {
                Name: { title: text(`p${i}`) },
                Cost: { number: cost },
                Made: { date: made[i] ? { start: made[i] } : null },
              })
            ).id,
          );
        // Kits: small (p0, p1: cost 5, first 2026-01-05), big (p2: 10, no date),
        // old (p3: 2, 2025-12-24), empty (no parts: cost 0, average and first empty).
        const kit = async (name: string, ids: string[]) =>
          (
            await create(kits, {
              Name: { title: text(name) },
              Parts: { relation: ids.map((id) => ({ id })) },
            })
          ).id;
        const small = await kit('small', [parts[0]!, parts[1]!]);
        const big = await kit('big', [parts[2]!]);
        const old = await kit('old', [parts[3]!]);
        const empty = await kit('empty', []);
        for (const [name, ids] of [
          ['small+big', [small, big]],
          ['small+old', [small, old]],
          ['big', [big]],
          ['old+empty', [old, empty]],
          ['none', []],
        ] as const)
          await create(orders, {
            Name: { title: text(name) },
            Kits: { relation: ids.map((id) => ({ id })) },
          });
      });

      const names = async (filter: unknown, sorts?: unknown) =>
        (await queryRows(client(), version, orders, { filter, ...(sorts ? { sorts } : {}) })).results.map(
          (r) => plain(r.properties.Name!.title),
        );
      const sorted = async (filter: unknown) => (await names(filter)).sort();

      it('tests a number condition on each related page’s rollup value', async () => {
        const cost = (mode: string, cond: unknown) =>
          sorted({ property: 'KitCost', rollup: { [mode]: { number: cond } } });
        expect(await cost('any', { greater_than: 6 })).toEqual(['big', 'small+big']);
        // `every` holds for no related pages.
        expect(await cost('every', { greater_than_or_equal_to: 5 })).toEqual(['big', 'none', 'small+big']);
        expect(await cost('none', { greater_than: 6 })).toEqual(['none', 'old+empty', 'small+old']);
        // The empty kit's average is empty; its sum is 0 (not empty).
        expect(
          await sorted({ property: 'KitAverage', rollup: { any: { number: { is_empty: true } } } }),
        ).toEqual(['old+empty']);
        expect(await cost('any', { equals: 0 })).toEqual(['old+empty']);
        // With a sort and a plain condition beside.
        expect(
          await names(
            {
              and: [
                { property: 'KitCost', rollup: { any: { number: { less_than: 6 } } } },
                { property: 'Name', title: { contains: '+' } },
              ],
            },
            [{ property: 'KitCost', direction: 'descending' }],
          ),
        ).toEqual(['small+big', 'small+old', 'old+empty']);
      });

      it('tests a date condition on each related page’s date rollup', async () => {
        const first = (mode: string, cond: unknown) =>
          sorted({ property: 'KitFirst', rollup: { [mode]: { date: cond } } });
        expect(await first('any', { before: '2026-01-01' })).toEqual(['old+empty', 'small+old']);
        expect(await first('every', { is_not_empty: true })).toEqual(['none', 'small+old']);
        expect(await first('none', { on_or_after: '2026-01-05' })).toEqual(['big', 'none', 'old+empty']);
      });

      it('follows a change to a page two relations away', async () => {
        const big = { property: 'KitCost', rollup: { any: { number: { greater_than: 6 } } } };
        expect(await sorted(big)).toEqual(['big', 'small+big']);
        await client().pages.update({ page_id: parts[2]!, properties: { Cost: { number: 3 } } } as never);
        expect(await sorted(big)).toEqual([]);
        await client().pages.update({ page_id: parts[1]!, properties: { Cost: { number: 9 } } } as never);
        expect(await sorted(big)).toEqual(['small+big', 'small+old']);
        await client().pages.update({ page_id: parts[1]!, properties: { Cost: { number: 4 } } } as never);
        await client().pages.update({ page_id: parts[2]!, properties: { Cost: { number: 10 } } } as never);
        expect(await sorted(big)).toEqual(['big', 'small+big']);
      });

      it('refuses a condition of another key, or over a rollup that yields a list', async () => {
        const refused = async (filter: unknown) => {
          const err = await queryRows(client(), version, orders, { filter }).catch((e) => e);
          return [err.status, err.code, err.message];
        };
        expect(await refused({ property: 'KitCost', rollup: { any: { date: { is_empty: true } } } })).toEqual(
          [
            400,
            'validation_error',
            'The rollup result type does not match the filter: rollup KitCost rolls up rollup Cost, which yields number; filter is date.',
          ],
        );
        expect(await refused({ property: 'KitFirst', rollup: { every: { number: { equals: 1 } } } })).toEqual(
          [
            400,
            'validation_error',
            'The rollup result type does not match the filter: rollup KitFirst rolls up rollup First, which yields date; filter is number.',
          ],
        );
        expect(await refused({ property: 'KitCosts', rollup: { none: { number: { equals: 1 } } } })).toEqual([
          400,
          'validation_error',
          'Rollup filters over rollups that yield array are not supported.',
        ]);
      });
    });
  }
});
