/**
 * Changes that ripple through relations, through the official SDK on both engines and every
 * version: Orders roll up (sum, max) a formula of Kits that itself reads the Kits' related Parts
 * (a two-way relation), and an Orders formula reads that rollup — two relation levels. A change to
 * a Part (its value, a relation, trash and restore) shows at the next read on the Order's page
 * object, its property items (the rollup's paginated list), query filters and sorts and view
 * queries. Then concurrent writers (parts, kit relations) race readers, and afterwards every
 * value equals the one computed from the final state: no stale rollup.
 */
import type { Client } from '@notionhq/client';
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
  type Version,
} from './rows-support.ts';

type Props = Record<string, { id: string; type: string }>;

describeEngines('changes that ripple through relations', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  /** The three data sources and their helpers, for one version. */
  async function world(version: Version) {
    const client = () => rowClient(h, version);
    const target = (db: Db) =>
      hasDataSources(version) ? { data_source_id: db.dataSourceId } : { database_id: db.databaseId };
    const parts = await createDb(h, version, 'Parts', {
      Name: { title: {} },
      Cost: { number: {} },
      Qty: { number: {} },
    });
    const kits = await createDb(h, version, 'Kits', {
      Name: { title: {} },
      Parts: { relation: { ...target(parts), dual_property: {} } },
      Value: {
        formula: { expression: 'prop("Parts").map(current.prop("Cost") * current.prop("Qty")).sum()' },
      },
    });
    const orders = await createDb(h, version, 'Orders', {
      Name: { title: {} },
      Kits: { relation: { ...target(kits), single_property: {} } },
    });
    const roll = (fn: string) => ({
      rollup: { function: fn, relation_property_name: 'Kits', rollup_property_name: 'Value' },
    });
    const properties = {
      Total: roll('sum'),
      Top: roll('max'),
      Label: { formula: { expression: 'format(prop("Total")) + " units"' } },
    };
    if (hasDataSources(version)) {
      await client().dataSources.update({ data_source_id: orders.dataSourceId, properties } as never);
    } else {
      await client().request({
        path: `databases/${orders.databaseId}`,
        method: 'patch',
        body: { properties },
      });
    }
    const create = async (db: Db, props: Record<string, unknown>) =>
      (await client().pages.create({
        parent: rowParent(version, db),
        properties: props,
      } as never)) as RowPage;
    const update = (id: string, props: Record<string, unknown>) =>
      client().pages.update({ page_id: id, properties: props } as never);
    const get = async (id: string) => (await client().pages.retrieve({ page_id: id })) as RowPage;
    const schema = async (db: Db): Promise<Props> => {
      const res = hasDataSources(version)
        ? await client().dataSources.retrieve({ data_source_id: db.dataSourceId })
        : await client().request({ path: `databases/${db.databaseId}`, method: 'get' });
      return (res as { properties: Props }).properties;
    };
    return { client, parts, kits, orders, create, update, get, schema };
  }

  const number = (page: RowPage, name: string) =>
    (
      page.properties[name]![page.properties[name]!.type === 'rollup' ? 'rollup' : 'formula'] as {
        number: number;
      }
    ).number;

  for (const version of VERSIONS) {
    describe(`Notion-Version ${version}`, () => {
      let w: Awaited<ReturnType<typeof world>>;
      const partIds: string[] = [];
      const kitIds: string[] = [];
      let order: RowPage;
      let other: RowPage;

      beforeAll(async () => {
        w = await world(version);
        for (let i = 0; i < 4; i++) {
          partIds.push(
            (
              await w.create(w.parts, {
                Name: { title: text(`p${i}`) },
                Cost: { number: i + 1 },
                Qty: { number: 2 },
              })
            ).id,
          );
        }
        // Kit k0 holds p0, p1 (value 2 + 4 = 6); k1 holds p2, p3 (6 + 8 = 14).
        for (const [name, ids] of [
          ['k0', [partIds[0]!, partIds[1]!]],
          ['k1', [partIds[2]!, partIds[3]!]],
        ] as const) {
          kitIds.push(
            (
              await w.create(w.kits, {
                Name: { title: text(name) },
                Parts: { relation: ids.map((id) => ({ id })) },
              })
            ).id,
          );
        }
        order = await w.create(w.orders, {
          Name: { title: text('both') },
          Kits: { relation: kitIds.map((id) => ({ id })) },
        });
        other = await w.create(w.orders, {
          Name: { title: text('first') },
          Kits: { relation: [{ id: kitIds[0]! }] },
        });
      });

      /** Everything that shows the order's total, read now. */
      async function totals(id: string) {
        const page = await w.get(id);
        const props = await w.schema(w.orders);
        const item = (await w.client().pages.properties.retrieve({
          page_id: id,
          property_id: props.Total!.id,
        })) as unknown as {
          results: { type: string; formula: { number: number } }[];
          property_item: { rollup: { number: number } };
        };
        // The related values are the rolled-up property's items: formulas here.
        expect(new Set(item.results.map((r) => r.type))).toEqual(new Set(['formula']));
        return {
          page: number(page, 'Total'),
          top: number(page, 'Top'),
          label: (page.properties.Label!.formula as { string: string }).string,
          item: item.property_item.rollup.number,
          items: item.results.map((r) => r.formula.number).sort((a, b) => a - b),
        };
      }
      const ordered = async (body: Record<string, unknown>) =>
        (await queryRows(w.client(), version, w.orders, body)).results.map((r) =>
          plain(r.properties.Name!.title),
        );

      it('computes a rollup over a formula over a relation on pages and property items', async () => {
        expect(await totals(order.id)).toEqual({
          page: 20,
          top: 14,
          label: '20 units',
          item: 20,
          items: [6, 14],
        });
        expect(await totals(other.id)).toMatchObject({ page: 6, top: 6, item: 6 });
      });

      it('shows a change two relations away at the next read, query and view query', async () => {
        await w.update(partIds[0]!, { Cost: { number: 50 } }); // k0: 100 + 4 = 104
        expect(await totals(order.id)).toEqual({
          page: 118,
          top: 104,
          label: '118 units',
          item: 118,
          items: [14, 104],
        });
        expect(await totals(other.id)).toMatchObject({ page: 104, item: 104 });
        expect(
          await ordered({ filter: { property: 'Total', rollup: { number: { greater_than: 110 } } } }),
        ).toEqual(['both']);
        expect(
          await ordered({ filter: { property: 'Label', formula: { string: { starts_with: '104' } } } }),
        ).toEqual(['first']);
        expect(await ordered({ sorts: [{ property: 'Total', direction: 'ascending' }] })).toEqual([
          'first',
          'both',
        ]);
        // The same through a view of Orders, kept by the query when it runs.
        const views = rowClient(h, version);
        const view = await views.views.create({
          data_source_id: w.orders.dataSourceId,
          database_id: w.orders.databaseId,
          name: 'Big orders',
          type: 'table',
          filter: { property: 'Top', rollup: { number: { greater_than_or_equal_to: 100 } } },
          sorts: [{ property: 'Total', direction: 'descending' }],
        } as never);
        expect((await views.views.queries.create({ view_id: view.id })).results.map((r) => r.id)).toEqual([
          order.id,
          other.id,
        ]);
        await w.update(partIds[0]!, { Qty: { number: 0 } }); // k0: 0 + 4 = 4
        expect((await views.views.queries.create({ view_id: view.id })).results).toEqual([]);
        expect(await ordered({ sorts: [{ property: 'Top', direction: 'descending' }] })).toEqual([
          'both',
          'first',
        ]);
        expect(await totals(order.id)).toMatchObject({ page: 18, top: 14, item: 18 });
      });

      it('follows relation changes at either level, from either side of the two-way relation', async () => {
        // Level 1 from the Part's side (the two-way relation's synced property): p3 leaves k1.
        const kitsSchema = await w.schema(w.kits);
        const synced = Object.values(await w.schema(w.parts)).find((p) => p.type === 'relation')!;
        expect(kitsSchema.Parts).toBeDefined();
        await w.update(partIds[3]!, { [synced.id]: { relation: [] } }); // k1: 6
        expect(await totals(order.id)).toMatchObject({ page: 10, top: 6, items: [4, 6] });
        // Level 2: the order drops k0.
        await w.update(order.id, { Kits: { relation: [{ id: kitIds[1]! }] } });
        expect(await totals(order.id)).toMatchObject({ page: 6, top: 6, item: 6, items: [6] });
        await w.update(order.id, { Kits: { relation: kitIds.map((id) => ({ id })) } });
      });

      it('leaves a trashed page out and takes it back when restored', async () => {
        const before = await totals(order.id);
        // Here k0 holds p0 (Qty 0) and p1 (4); k1 holds p2 (6). p1 goes: k0 is 0.
        await w.client().pages.update({ page_id: partIds[1]!, in_trash: true } as never);
        const trashed = await totals(order.id);
        expect(trashed.page).toBe(before.page - 4);
        expect((await totals(other.id)).page).toBe(0);
        expect(trashed.item).toBe(trashed.page);
        expect(
          await ordered({ filter: { property: 'Total', rollup: { number: { equals: trashed.page } } } }),
        ).toEqual(['both']);
        await w.client().pages.update({ page_id: partIds[1]!, in_trash: false } as never);
        expect(await totals(order.id)).toEqual(before);
      });

      it('pages the rollup property item over more than 25 related pages, with the page object over 25', async () => {
        const many: string[] = [];
        for (let i = 0; i < 30; i++) {
          const part = await w.create(w.parts, {
            Name: { title: text(`m${i}`) },
            Cost: { number: 1 },
            Qty: { number: 1 },
          });
          many.push(
            (
              await w.create(w.kits, {
                Name: { title: text(`mk${i}`) },
                Parts: { relation: [{ id: part.id }] },
              })
            ).id,
          );
        }
        const big = await w.create(w.orders, {
          Name: { title: text('many') },
          Kits: { relation: many.map((id) => ({ id })) },
        });
        expect(number(big, 'Total')).toBe(25);
        const props = await w.schema(w.orders);
        const seen: number[] = [];
        let cursor: string | undefined;
        let pages = 0;
        let computed: number | undefined;
        do {
          const item = (await w.client().pages.properties.retrieve({
            page_id: big.id,
            property_id: props.Total!.id,
            page_size: 12,
            ...(cursor ? { start_cursor: cursor } : {}),
          })) as unknown as {
            results: { formula: { number: number } }[];
            next_cursor: string | null;
            property_item: { rollup: { number: number } };
          };
          seen.push(...item.results.map((r) => r.formula.number));
          computed = item.property_item.rollup.number;
          cursor = item.next_cursor ?? undefined;
          pages++;
        } while (cursor);
        expect([seen.length, pages, computed]).toEqual([30, 3, 30]);
        // A filter reads the rollup over every related page, not the first 25.
        expect(await ordered({ filter: { property: 'Total', rollup: { number: { equals: 30 } } } })).toEqual([
          'many',
        ]);
      });

      it('filters any / every / none over the rolled-up formula, in queries and views', async () => {
        const props = await w.schema(w.orders);
        const all = (await queryRows(w.client(), version, w.orders, {})).results;
        const values = new Map<string, number[]>();
        for (const o of all) {
          const seen: number[] = [];
          let cursor: string | undefined;
          do {
            const item = (await w.client().pages.properties.retrieve({
              page_id: o.id,
              property_id: props.Total!.id,
              ...(cursor ? { start_cursor: cursor } : {}),
            })) as unknown as { results: { formula: { number: number } }[]; next_cursor: string | null };
            seen.push(...item.results.map((r) => r.formula.number));
            cursor = item.next_cursor ?? undefined;
          } while (cursor);
          values.set(o.id, seen);
        }
        const names = (pred: (v: number[]) => boolean) =>
          all
            .filter((o) => pred(values.get(o.id)!))
            .map((o) => plain(o.properties.Name!.title))
            .sort();
        const got = async (mode: string) =>
          (
            await ordered({
              filter: { property: 'Total', rollup: { [mode]: { number: { greater_than: 5 } } } },
            })
          ).sort();
        const any = names((v) => v.some((x) => x > 5));
        expect(any.length).toBeGreaterThan(0);
        expect(any.length).toBeLessThan(all.length);
        expect(await got('any')).toEqual(any);
        expect(await got('every')).toEqual(names((v) => v.every((x) => x > 5)));
        expect(await got('none')).toEqual(names((v) => !v.some((x) => x > 5)));
        const views = rowClient(h, version);
        const view = await views.views.create({
          data_source_id: w.orders.dataSourceId,
          database_id: w.orders.databaseId,
          name: 'Any big kit',
          type: 'table',
          quick_filters: { Total: { rollup: { any: { number: { greater_than: 5 } } } } },
        } as never);
        const kept = await views.views.queries.create({ view_id: view.id });
        expect(kept.results.map((r) => r.id).sort()).toEqual(
          all
            .filter((o) => values.get(o.id)!.some((x) => x > 5))
            .map((o) => o.id)
            .sort(),
        );
        const err = await queryRows(w.client(), version, w.orders, {
          filter: { property: 'Total', rollup: { any: { checkbox: { equals: true } } } },
        }).catch((e) => e);
        expect([err.status, err.code, err.message]).toEqual([
          400,
          'validation_error',
          'The rollup result type does not match the filter: rollup Total rolls up formula Value, which yields number; filter is checkbox.',
        ]);
      });
    });
  }

  describe('concurrent writers', () => {
    it('leave no stale rollup: every value afterwards is the one the final state gives', async () => {
      const w = await world('2025-09-03');
      const parts: string[] = [];
      for (let i = 0; i < 12; i++) {
        parts.push(
          (
            await w.create(w.parts, {
              Name: { title: text(`c${i}`) },
              Cost: { number: i },
              Qty: { number: 1 },
            })
          ).id,
        );
      }
      const kits: string[] = [];
      for (let k = 0; k < 4; k++) {
        kits.push(
          (
            await w.create(w.kits, {
              Name: { title: text(`ck${k}`) },
              Parts: { relation: parts.slice(k * 3, k * 3 + 3).map((id) => ({ id })) },
            })
          ).id,
        );
      }
      const orders: string[] = [];
      for (let o = 0; o < 3; o++) {
        orders.push(
          (
            await w.create(w.orders, {
              Name: { title: text(`co${o}`) },
              Kits: { relation: kits.filter((_, k) => k !== o).map((id) => ({ id })) },
            })
          ).id,
        );
      }
      // Writers: part costs and kit memberships changed from several clients at once, while
      // readers query the orders; each client works in its own sequence.
      const clients: Client[] = Array.from({ length: 6 }, () => w.client());
      let seed = 7;
      const rnd = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const jobs = clients.map(async (c, j) => {
        for (let step = 0; step < 8; step++) {
          const r = rnd(3);
          if (r === 0) {
            await c.pages.update({
              page_id: parts[rnd(parts.length)]!,
              properties: { Cost: { number: rnd(100) } },
            } as never);
          } else if (r === 1) {
            const picked = parts.filter(() => rnd(3) === 0).slice(0, 5);
            await c.pages.update({
              page_id: kits[(j + step) % kits.length]!,
              properties: { Parts: { relation: picked.map((id) => ({ id })) } },
            } as never);
          } else {
            await c.dataSources.query({
              data_source_id: w.orders.dataSourceId,
              filter: { property: 'Total', rollup: { number: { greater_than: rnd(200) } } },
            });
          }
        }
      });
      await Promise.all(jobs);
      // The final state, read plainly, and what each order must show.
      const cost = new Map<string, number>();
      for (const id of parts) {
        const p = await w.get(id);
        cost.set(id, (p.properties.Cost!.number as number) * (p.properties.Qty!.number as number));
      }
      const kitValue = new Map<string, number>();
      for (const id of kits) {
        const k = await w.get(id);
        const rel = k.properties.Parts!.relation as { id: string }[];
        kitValue.set(
          id,
          rel.reduce((s, r) => s + cost.get(r.id)!, 0),
        );
        expect((k.properties.Value!.formula as { number: number }).number).toBe(kitValue.get(id));
      }
      const props = await w.schema(w.orders);
      const expected = new Map<string, number>();
      for (const id of orders) {
        const o = await w.get(id);
        const rel = o.properties.Kits!.relation as { id: string }[];
        const total = rel.reduce((s, r) => s + kitValue.get(r.id)!, 0);
        expected.set(id, total);
        expect(number(o, 'Total')).toBe(total);
        expect(number(o, 'Top')).toBe(Math.max(...rel.map((r) => kitValue.get(r.id)!)));
        const item = (await w
          .client()
          .pages.properties.retrieve({ page_id: id, property_id: props.Total!.id })) as unknown as {
          property_item: { rollup: { number: number } };
        };
        expect(item.property_item.rollup.number).toBe(total);
      }
      for (const id of orders) {
        const res = await w.client().dataSources.query({
          data_source_id: w.orders.dataSourceId,
          filter: { property: 'Total', rollup: { number: { equals: expected.get(id)! } } },
        });
        expect(res.results.map((r) => r.id)).toContain(id);
      }
      const sorted = await w.client().dataSources.query({
        data_source_id: w.orders.dataSourceId,
        sorts: [{ property: 'Total', direction: 'ascending' }],
      });
      const totalsInOrder = sorted.results.map((r) => expected.get(r.id)!);
      expect(totalsInOrder).toEqual([...totalsInOrder].sort((a, b) => a - b));
    });
  });
});
