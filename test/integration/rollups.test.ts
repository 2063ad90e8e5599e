/**
 * Rollup properties through the official SDK on both engines and every version: schemas by name
 * or id, the functions of notion-formulas.md §8 with their empty-set rules and result shapes,
 * the 25-related-pages rule on page objects, the paginated property item, rollups over formulas
 * and formulas over rollups, and two-way relations.
 */
import { APIResponseError } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import {
  createDb,
  type Db,
  hasDataSources,
  type RowPage,
  rowClient,
  rowParent,
  text,
  VERSIONS,
} from './rows-support.ts';

type Props = Record<string, { id: string; type: string; rollup?: Record<string, unknown> }>;

describeEngines('rollup properties', (engine) => {
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
        (await client().pages.update({ page_id: id, properties } as never)) as RowPage;
      const get = async (id: string) => (await client().pages.retrieve({ page_id: id })) as RowPage;
      const schemaOf = async (db: Db): Promise<Props> => {
        const res = hasDataSources(version)
          ? await client().dataSources.retrieve({ data_source_id: db.dataSourceId })
          : await client().request({ path: `databases/${db.databaseId}`, method: 'get' });
        return (res as { properties: Props }).properties;
      };
      const updateSchema = async (db: Db, properties: Record<string, unknown>) =>
        hasDataSources(version)
          ? client().dataSources.update({ data_source_id: db.dataSourceId, properties } as never)
          : client().request({ path: `databases/${db.databaseId}`, method: 'patch', body: { properties } });
      const target = (db: Db) =>
        hasDataSources(version) ? { data_source_id: db.dataSourceId } : { database_id: db.databaseId };
      const rollup = (page: RowPage, name: string) => page.properties[name]?.rollup;
      const roll = (fn: string, rollup_property_name: string) => ({
        rollup: { function: fn, relation_property_name: 'Items', rollup_property_name },
      });

      let items: Db;
      let lists: Db;
      const fns = [
        'count',
        'count_values',
        'unique',
        'empty',
        'not_empty',
        'percent_empty',
        'percent_not_empty',
        'sum',
        'average',
        'median',
        'min',
        'max',
        'range',
      ];
      beforeAll(async () => {
        items = await createDb(h, version, 'Items', {
          Name: { title: {} },
          Cost: { number: {} },
          When: { date: {} },
          Done: { checkbox: {} },
          Kind: { select: { options: [{ name: 'x' }, { name: 'y' }] } },
          Double: { formula: { expression: 'prop("Cost") * 2' } },
        });
        const props: Record<string, unknown> = {
          Name: { title: {} },
          Items: { relation: { ...target(items), single_property: {} } },
          Earliest: roll('earliest_date', 'When'),
          Latest: roll('latest_date', 'When'),
          Span: roll('date_range', 'When'),
          Checked: roll('checked', 'Done'),
          Unchecked: roll('unchecked', 'Done'),
          PctChecked: roll('percent_checked', 'Done'),
          PctUnchecked: roll('percent_unchecked', 'Done'),
          Groups: roll('count_per_group', 'Kind'),
          Original: roll('show_original', 'Cost'),
          Uniq: roll('show_unique', 'Kind'),
          SumDouble: roll('sum', 'Double'),
          Twice: { formula: { expression: 'prop("sum") * 2' } },
          Refs: { formula: { expression: 'prop("Items")' } },
          RefCount: { formula: { expression: 'prop("Items").length()' } },
        };
        for (const fn of fns) props[fn] = roll(fn, 'Cost');
        lists = await createDb(h, version, 'Lists', props);
      });

      it('presents the schema with names and ids of both properties', async () => {
        const props = await schemaOf(lists);
        const itemProps = await schemaOf(items);
        expect(props.sum!.rollup).toEqual({
          function: 'sum',
          relation_property_id: props.Items!.id,
          relation_property_name: 'Items',
          rollup_property_id: itemProps.Cost!.id,
          rollup_property_name: 'Cost',
        });
      });

      it('computes every function over related pages, with Notion shapes', async () => {
        const rows = [
          { Cost: 3, When: '2024-01-05', Done: true, Kind: 'x' },
          { Cost: 5, When: '2024-03-01', Done: false, Kind: 'y' },
          { Cost: null, When: null, Done: true, Kind: 'x' },
          { Cost: 3, When: '2023-12-31', Done: false, Kind: null },
        ];
        const ids: string[] = [];
        for (const [i, r] of rows.entries()) {
          const p = await create(items, {
            Name: { title: text(`i${i}`) },
            Cost: { number: r.Cost },
            When: { date: r.When ? { start: r.When } : null },
            Done: { checkbox: r.Done },
            Kind: { select: r.Kind ? { name: r.Kind } : null },
          });
          ids.push(p.id);
        }
        const l = await create(lists, {
          Name: { title: text('L') },
          Items: { relation: ids.map((id) => ({ id })) },
        });
        const n = (name: string) => (rollup(l, name) as { number: number | null }).number;
        expect(rollup(l, 'count')).toEqual({ type: 'number', number: 4, function: 'count' });
        expect(n('count_values')).toBe(3);
        expect(n('unique')).toBe(2);
        expect(n('empty')).toBe(1);
        expect(n('not_empty')).toBe(3);
        expect(n('percent_empty')).toBe(0.25);
        expect(n('percent_not_empty')).toBe(0.75);
        expect(n('sum')).toBe(11);
        expect(n('average')).toBeCloseTo(11 / 3);
        expect(n('median')).toBe(3);
        expect(n('min')).toBe(3);
        expect(n('max')).toBe(5);
        expect(n('range')).toBe(2);
        expect(n('Checked')).toBe(2);
        expect(n('Unchecked')).toBe(2);
        expect(n('PctChecked')).toBe(0.5);
        expect(n('PctUnchecked')).toBe(0.5);
        expect(rollup(l, 'Earliest')).toEqual({
          type: 'date',
          date: { start: '2023-12-31', end: null, time_zone: null },
          function: 'earliest_date',
        });
        expect((rollup(l, 'Latest') as { date: { start: string } }).date.start).toBe('2024-03-01');
        expect((rollup(l, 'Span') as { date: unknown }).date).toEqual({
          start: '2023-12-31',
          end: '2024-03-01',
          time_zone: null,
        });
        expect(rollup(l, 'Groups')).toEqual({
          type: 'unsupported',
          unsupported: {},
          function: 'count_per_group',
        });
        expect(rollup(l, 'Original')).toEqual({
          type: 'array',
          array: [
            { type: 'number', number: 3 },
            { type: 'number', number: 5 },
            { type: 'number', number: null },
            { type: 'number', number: 3 },
          ],
          function: 'show_original',
        });
        expect((rollup(l, 'Uniq') as { array: unknown[] }).array).toHaveLength(3);
        // A rollup over a formula, and a formula over a rollup.
        expect(n('SumDouble')).toBe(22);
        expect(l.properties.Twice!.formula).toEqual({ type: 'number', number: 22 });
        // Changes of a related page show at the next read.
        await update(ids[1]!, { Cost: { number: 50 } });
        const again = await get(l.id);
        expect((rollup(again, 'sum') as { number: number }).number).toBe(56);
        expect(again.properties.Twice!.formula).toEqual({ type: 'number', number: 112 });
      });

      it('answers the empty-set rules', async () => {
        const l = await create(lists, { Name: { title: text('none') } });
        const n = (name: string) => (rollup(l, name) as { number: number | null }).number;
        expect(n('count')).toBe(0);
        expect(n('sum')).toBe(0);
        expect(n('average')).toBeNull();
        expect(n('min')).toBeNull();
        expect(n('percent_empty')).toBeNull();
        expect(n('PctChecked')).toBeNull();
        expect(n('Checked')).toBe(0);
        expect(rollup(l, 'Earliest')).toEqual({ type: 'date', date: null, function: 'earliest_date' });
        expect(rollup(l, 'Original')).toEqual({ type: 'array', array: [], function: 'show_original' });
      });

      it('computes page objects from the first 25 related pages; the property item pages through all', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 30; i++) {
          ids.push((await create(items, { Name: { title: text(`m${i}`) }, Cost: { number: 1 } })).id);
        }
        const l = await create(lists, {
          Name: { title: text('many') },
          Items: { relation: ids.map((id) => ({ id })) },
        });
        expect((rollup(l, 'sum') as { number: number }).number).toBe(25);
        // A formula's page references stop at 25 on the page object; its computation does not.
        const refs = (l.properties.Refs!.formula as { string: string }).string.split(',');
        expect(refs).toHaveLength(25);
        expect(refs[0]).toBe('m0');
        expect(l.properties.RefCount!.formula).toEqual({ type: 'number', number: 30 });
        const props = await schemaOf(lists);
        const full = (await client().pages.properties.retrieve({
          page_id: l.id,
          property_id: props.Refs!.id,
        })) as unknown as {
          formula: { string: string };
        };
        expect(full.formula.string.split(',')).toHaveLength(30);
        const first = (await client().pages.properties.retrieve({
          page_id: l.id,
          property_id: props.sum!.id,
          page_size: 20,
        })) as unknown as {
          object: string;
          results: { object: string; type: string; number: number }[];
          has_more: boolean;
          next_cursor: string | null;
          property_item: { type: string; rollup: unknown };
        };
        expect(first.object).toBe('list');
        expect(first.results).toHaveLength(20);
        expect(first.results[0]).toMatchObject({ object: 'property_item', type: 'number', number: 1 });
        expect(first.property_item).toMatchObject({ type: 'rollup', rollup: { type: 'number', number: 30 } });
        expect(first.has_more).toBe(true);
        const second = (await client().pages.properties.retrieve({
          page_id: l.id,
          property_id: props.sum!.id,
          start_cursor: first.next_cursor!,
        })) as unknown as { results: unknown[]; has_more: boolean };
        expect(second.results).toHaveLength(10);
        expect(second.has_more).toBe(false);
      });

      it('rolls up across a two-way relation, by ids', async () => {
        const tasks = await createDb(h, version, 'Tasks', { Name: { title: {} }, Hours: { number: {} } });
        const projects = await createDb(h, version, 'Projects', {
          Name: { title: {} },
          Tasks: { relation: { ...target(tasks), dual_property: {} } },
        });
        const pProps = await schemaOf(projects);
        const tProps = await schemaOf(tasks);
        await updateSchema(projects, {
          Total: {
            rollup: {
              function: 'sum',
              relation_property_id: pProps.Tasks!.id,
              rollup_property_id: tProps.Hours!.id,
            },
          },
        });
        const reverse = Object.entries(await schemaOf(tasks)).find(([, v]) => v.type === 'relation')![0];
        await updateSchema(tasks, {
          ProjectCount: {
            rollup: { function: 'count', relation_property_name: reverse, rollup_property_name: 'Name' },
          },
        });
        const t1 = await create(tasks, { Name: { title: text('a') }, Hours: { number: 2 } });
        const t2 = await create(tasks, { Name: { title: text('b') }, Hours: { number: 4 } });
        const p = await create(projects, {
          Name: { title: text('P') },
          Tasks: { relation: [{ id: t1.id }, { id: t2.id }] },
        });
        expect((rollup(p, 'Total') as { number: number }).number).toBe(6);
        expect((rollup(await get(t1.id), 'ProjectCount') as { number: number }).number).toBe(1);
        // Renaming the relation shows in the rollup's schema.
        await updateSchema(projects, { Tasks: { name: 'Work' } });
        expect((await schemaOf(projects)).Total!.rollup!.relation_property_name).toBe('Work');
      });

      it('refuses unknown functions, unknown properties and functions that do not fit', async () => {
        const refusal = async (properties: Record<string, unknown>) => {
          try {
            await updateSchema(lists, properties);
          } catch (e) {
            if (e instanceof APIResponseError) return e;
            throw e;
          }
          throw new Error('expected a refusal');
        };
        for (const bad of [
          roll('count_all', 'Cost'),
          roll('sum', 'Nope'),
          { rollup: { function: 'sum', relation_property_name: 'Nope', rollup_property_name: 'Cost' } },
          roll('sum', 'When'),
          roll('checked', 'Cost'),
          roll('earliest_date', 'Cost'),
        ]) {
          const err = await refusal({ Bad: bad });
          expect(err.status).toBe(400);
          expect(err.code).toBe('validation_error');
        }
        expect(Object.keys(await schemaOf(lists))).not.toContain('Bad');
      });
    });
  }
});
