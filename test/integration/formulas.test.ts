/**
 * Formula properties through the official SDK on both engines and every version: schemas that
 * take, check and store expressions (names in, property tokens out), values on page objects and
 * property items, renames and deletions of referenced properties, relation traversal.
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

const TOKEN = /^\{\{notion:block_property:[^:]+:0{8}-0{4}-0{4}-0{4}-0{12}:(?!0{8})[0-9a-f-]{36}\}\}/;

describeEngines('formula properties', (engine) => {
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
      const schemaOf = async (db: Db) => {
        const res = hasDataSources(version)
          ? await client().dataSources.retrieve({ data_source_id: db.dataSourceId })
          : await client().request({ path: `databases/${db.databaseId}`, method: 'get' });
        return (
          res as {
            properties: Record<string, { id: string; type: string; formula?: { expression: string } }>;
          }
        ).properties;
      };
      const updateSchema = async (db: Db, properties: Record<string, unknown>) =>
        hasDataSources(version)
          ? client().dataSources.update({ data_source_id: db.dataSourceId, properties } as never)
          : client().request({ path: `databases/${db.databaseId}`, method: 'patch', body: { properties } });
      const refusal = async (p: Promise<unknown>) => {
        try {
          await p;
        } catch (e) {
          if (e instanceof APIResponseError) return { status: e.status, code: e.code, message: e.message };
          throw e;
        }
        throw new Error('expected a refusal');
      };
      const formula = (page: RowPage, name: string) => page.properties[name]?.formula;

      let db: Db;
      beforeAll(async () => {
        db = await createDb(h, version, 'Orders', {
          Name: { title: {} },
          Price: { number: {} },
          Qty: { number: {} },
          Due: { date: {} },
          Tags: { multi_select: { options: [{ name: 'a' }, { name: 'b' }] } },
          Total: { formula: { expression: 'prop("Price") * prop("Qty")' } },
          Label: { formula: { expression: 'prop("Name") + ": " + format(prop("Total"))' } },
          Late: { formula: { expression: 'prop("Due") < now()' } },
          Week: { formula: { expression: 'dateAdd(prop("Due"), 7, "days")' } },
          TagList: { formula: { expression: 'prop("Tags").sort()' } },
        });
      });

      it('stores expressions with property tokens and presents them in the schema', async () => {
        const props = await schemaOf(db);
        expect(props.Total!.type).toBe('formula');
        const expr = props.Total!.formula!.expression;
        expect(expr).toMatch(TOKEN);
        expect(expr).toContain(`:${encodeURIComponent(props.Price!.id)}:`);
        expect(expr).toContain(' * ');
        expect(expr).not.toContain('prop(');
        // Label reads another formula.
        expect(props.Label!.formula!.expression).toContain(`:${encodeURIComponent(props.Total!.id)}:`);
      });

      it('computes values on page objects as Notion renders them', async () => {
        const p = await create(db, {
          Name: { title: text('Tea') },
          Price: { number: 2.5 },
          Qty: { number: 4 },
          Due: { date: { start: '2020-01-31' } },
          Tags: { multi_select: [{ name: 'b' }, { name: 'a' }] },
        });
        expect(formula(p, 'Total')).toEqual({ type: 'number', number: 10 });
        expect(formula(p, 'Label')).toEqual({ type: 'string', string: 'Tea: 10' });
        expect(formula(p, 'Late')).toEqual({ type: 'boolean', boolean: true });
        expect(formula(p, 'Week')).toEqual({
          type: 'date',
          date: { start: '2020-02-07', end: null, time_zone: null },
        });
        expect(formula(p, 'TagList')).toEqual({ type: 'string', string: 'a,b' });
        expect(p.properties.Total!.id).toBeTypeOf('string');

        const blank = await create(db, { Name: { title: text('Blank') } });
        expect(formula(blank, 'Total')).toEqual({ type: 'number', number: 0 });
        expect(formula(blank, 'Late')).toEqual({ type: 'boolean', boolean: false });
        expect(formula(blank, 'Week')).toEqual({ type: 'date', date: null });
        expect(formula(blank, 'TagList')).toEqual({ type: 'string', string: null });
      });

      it('follows changes of the inputs at the next read', async () => {
        const p = await create(db, { Name: { title: text('X') }, Price: { number: 1 }, Qty: { number: 1 } });
        const changed = await update(p.id, { Qty: { number: 7 } });
        expect(formula(changed, 'Total')).toEqual({ type: 'number', number: 7 });
        expect(formula(await get(p.id), 'Label')).toEqual({ type: 'string', string: 'X: 7' });
      });

      it('answers the property item endpoint', async () => {
        const p = await create(db, { Name: { title: text('Y') }, Price: { number: 3 }, Qty: { number: 3 } });
        const props = await schemaOf(db);
        const item = await client().pages.properties.retrieve({
          page_id: p.id,
          property_id: props.Total!.id,
        });
        expect(item).toMatchObject({
          object: 'property_item',
          type: 'formula',
          formula: { type: 'number', number: 9 },
        });
      });

      it('refuses expressions that do not parse or check, changing nothing', async () => {
        const before = await schemaOf(db);
        const bad = [
          ['ifs(true,)', 'Parse error with formula'],
          ['prop("Price") +', 'Parse error with formula'],
          ['prop("Nope") * 2', 'Type error with formula'],
          ['1 + true', 'Type error with formula'],
          ['larger(1, 2)', 'Type error with formula'],
          ['sum([])', 'Type error with formula'],
        ] as const;
        for (const [expression, message] of bad) {
          const err = await refusal(updateSchema(db, { Bad: { formula: { expression } } }));
          expect(err.status).toBe(400);
          expect(err.code).toBe('validation_error');
          expect(err.message.startsWith(message)).toBe(true);
          expect(err.message).toMatch(/at position \d+/);
        }
        const missing = await refusal(updateSchema(db, { Bad: { formula: {} } }));
        expect(missing.status).toBe(400);
        expect(Object.keys(await schemaOf(db))).toEqual(Object.keys(before));
      });

      it('refuses circular references', async () => {
        const cyc = await createDb(h, version, 'Cycle', {
          Name: { title: {} },
          A: { formula: { expression: '1' } },
        });
        const self = await refusal(updateSchema(cyc, { A: { formula: { expression: 'prop("A") + 1' } } }));
        expect(self.message.startsWith('Type error with formula')).toBe(true);
        await updateSchema(cyc, { B: { formula: { expression: 'prop("A") + 1' } } });
        const loop = await refusal(updateSchema(cyc, { A: { formula: { expression: 'prop("B") * 2' } } }));
        expect(loop.message.startsWith('Type error with formula')).toBe(true);
      });

      it('keeps working after a referenced property is renamed; goes empty when it is deleted', async () => {
        const d = await createDb(h, version, 'Renames', {
          Name: { title: {} },
          N: { number: {} },
          Double: { formula: { expression: 'prop("N") * 2' } },
          Text: { formula: { expression: 'format(prop("N"))' } },
        });
        const p = await create(d, { Name: { title: text('r') }, N: { number: 21 } });
        await updateSchema(d, { N: { name: 'Amount' } });
        expect(formula(await get(p.id), 'Double')).toEqual({ type: 'number', number: 42 });
        // A new formula can use the new name; the stored form of both is the same token.
        await updateSchema(d, { Triple: { formula: { expression: 'prop("Amount") * 3' } } });
        expect(formula(await get(p.id), 'Triple')).toEqual({ type: 'number', number: 63 });
        await updateSchema(d, { Amount: null });
        const after = await get(p.id);
        expect(formula(after, 'Double')).toEqual({ type: 'number', number: 0 });
        expect(formula(after, 'Text')).toEqual({ type: 'string', string: '' });
      });

      it('retypes a property to a formula and back', async () => {
        const d = await createDb(h, version, 'Retype', {
          Name: { title: {} },
          N: { number: {} },
          M: { number: {} },
        });
        const p = await create(d, { Name: { title: text('r') }, N: { number: 4 }, M: { number: 1 } });
        await updateSchema(d, { M: { formula: { expression: 'prop("N") * 10' } } });
        expect(formula(await get(p.id), 'M')).toEqual({ type: 'number', number: 40 });
        const rows = await client().request({
          path: hasDataSources(version)
            ? `data_sources/${d.dataSourceId}/query`
            : `databases/${d.databaseId}/query`,
          method: 'post',
          body: { filter: { property: 'M', formula: { number: { equals: 40 } } } },
        });
        expect((rows as { results: unknown[] }).results).toHaveLength(1);
        await updateSchema(d, { M: { number: {} } });
        const back = await get(p.id);
        expect(back.properties.M).toMatchObject({ type: 'number', number: null });
        await update(p.id, { M: { number: 2 } });
        expect((await get(p.id)).properties.M).toMatchObject({ type: 'number', number: 2 });
      });

      it('accepts the stored token form on input', async () => {
        const props = await schemaOf(db);
        await updateSchema(db, { Copy: { formula: { expression: props.Total!.formula!.expression } } });
        const p = await create(db, { Name: { title: text('c') }, Price: { number: 5 }, Qty: { number: 2 } });
        expect(formula(p, 'Copy')).toEqual({ type: 'number', number: 10 });
        await updateSchema(db, { Copy: null });
      });

      it('traverses relations, several levels deep', async () => {
        const people = await createDb(h, version, 'People', { Name: { title: {} }, Age: { number: {} } });
        const target = hasDataSources(version)
          ? { data_source_id: people.dataSourceId }
          : { database_id: people.databaseId };
        const tasks = await createDb(h, version, 'Tasks', {
          Name: { title: {} },
          Estimate: { number: {} },
          Owner: { relation: { ...target, single_property: {} } },
          OwnerAge: { formula: { expression: 'prop("Owner").first().prop("Age")' } },
        });
        const tTarget = hasDataSources(version)
          ? { data_source_id: tasks.dataSourceId }
          : { database_id: tasks.databaseId };
        const projects = await createDb(h, version, 'Projects', {
          Name: { title: {} },
          Tasks: { relation: { ...tTarget, single_property: {} } },
          Hours: { formula: { expression: 'sum(prop("Tasks").map(current.prop("Estimate")))' } },
          Names: { formula: { expression: 'prop("Tasks").map(current.prop("Name")).join(", ")' } },
          Ages: { formula: { expression: 'prop("Tasks").map(current.prop("OwnerAge"))' } },
          Owners: {
            formula: { expression: 'prop("Tasks").map(current.prop("Owner").first().prop("Name")).unique()' },
          },
        });
        const ada = await create(people, { Name: { title: text('Ada') }, Age: { number: 36 } });
        const t1 = await create(tasks, {
          Name: { title: text('A') },
          Estimate: { number: 3 },
          Owner: { relation: [{ id: ada.id }] },
        });
        const t2 = await create(tasks, {
          Name: { title: text('B') },
          Estimate: { number: 5 },
          Owner: { relation: [{ id: ada.id }] },
        });
        expect(formula(t1, 'OwnerAge')).toEqual({ type: 'number', number: 36 });
        const p = await create(projects, {
          Name: { title: text('P') },
          Tasks: { relation: [{ id: t1.id }, { id: t2.id }] },
        });
        expect(formula(p, 'Hours')).toEqual({ type: 'number', number: 8 });
        expect(formula(p, 'Names')).toEqual({ type: 'string', string: 'A, B' });
        expect(formula(p, 'Ages')).toEqual({ type: 'string', string: '36,36' });
        expect(formula(p, 'Owners')).toEqual({ type: 'string', string: 'Ada' });
        // A change two relations away shows at the next read.
        await update(ada.id, { Age: { number: 37 } });
        await update(t2.id, { Estimate: { number: 6 } });
        const again = await get(p.id);
        expect(formula(again, 'Hours')).toEqual({ type: 'number', number: 9 });
        expect(formula(again, 'Ages')).toEqual({ type: 'string', string: '37,37' });
        const props = await schemaOf(projects);
        expect(props.Hours!.formula!.expression).toMatch(
          /current\.\{\{notion:block_property:[^:]+:[0-9a-f-]{36}:/,
        );
        expect(props.Hours!.formula!.expression).not.toContain(
          ':00000000-0000-0000-0000-000000000000:00000000',
        );
      });

      it('reads people and page metadata', async () => {
        const d = await createDb(h, version, 'Meta', {
          Name: { title: {} },
          Who: { formula: { expression: 'prop("Created by").name()' } },
          Made: { formula: { expression: 'prop("Created").year() > 2000' } },
          Id: { formula: { expression: 'id()' } },
          'Created by': { created_by: {} },
          Created: { created_time: {} },
        });
        const p = await create(d, { Name: { title: text('m') } });
        expect(formula(p, 'Who')).toMatchObject({ type: 'string' });
        expect((formula(p, 'Who') as { string: string }).string.length).toBeGreaterThan(0);
        expect(formula(p, 'Made')).toEqual({ type: 'boolean', boolean: true });
        expect(formula(p, 'Id')).toEqual({ type: 'string', string: p.id.replaceAll('-', '') });
      });
    });
  }
});

describeEngines('formulas and rollups respect what an integration can see', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  it('reads related pages the integration cannot see as absent', async () => {
    const writerToken = await h.newIntegration('Writer');
    const readerToken = await h.newIntegration('Reader');
    const open = await h.newRootPage('Open', ['Writer', 'Reader']);
    const hidden = await h.newRootPage('Hidden', ['Writer']);
    const writer = h.client({ token: writerToken, version: '2025-09-03' });
    const reader = h.client({ token: readerToken, version: '2025-09-03' });
    const db = async (parent: string, title: string, properties: Record<string, unknown>) =>
      (
        (await writer.databases.create({
          parent: { type: 'page_id', page_id: parent },
          title: text(title) as never,
          initial_data_source: { properties: properties as never },
        })) as unknown as { data_sources: { id: string }[] }
      ).data_sources[0]!.id;
    const secret = await db(hidden, 'Secret', { Name: { title: {} }, Code: { number: {} } });
    const visible = await db(open, 'Visible', {
      Name: { title: {} },
      Rel: { relation: { data_source_id: secret, single_property: {} } },
      Codes: { formula: { expression: 'prop("Rel").map(current.prop("Code"))' } },
      Sum: { rollup: { function: 'sum', relation_property_name: 'Rel', rollup_property_name: 'Code' } },
    });
    const s = await writer.pages.create({
      parent: { data_source_id: secret },
      properties: { Name: { title: text('s') }, Code: { number: 42 } },
    } as never);
    const row = await writer.pages.create({
      parent: { data_source_id: visible },
      properties: { Name: { title: text('v') }, Rel: { relation: [{ id: s.id }] } },
    } as never);
    const asWriter = (await writer.pages.retrieve({ page_id: row.id })) as unknown as RowPage;
    expect(asWriter.properties.Codes!.formula).toEqual({ type: 'string', string: '42' });
    expect(asWriter.properties.Sum!.rollup).toMatchObject({ type: 'number', number: 42 });
    const asReader = (await reader.pages.retrieve({ page_id: row.id })) as unknown as RowPage;
    expect(asReader.properties.Codes!.formula).toEqual({ type: 'string', string: null });
    expect(asReader.properties.Sum!.rollup).toMatchObject({ type: 'number', number: 0 });
  });
});
