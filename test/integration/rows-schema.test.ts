import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUICKSTART_INTEGRATION } from '../../src/ops/workspace.ts';
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

type Option = { id: string; name: string; color: string };

describeEngines('schema changes and existing rows', (engine) => {
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
      const get = async (id: string) => (await client().pages.retrieve({ page_id: id })) as RowPage;
      /** Changes the schema through the endpoint this version uses; answers the new schema. */
      const patchSchema = async (db: Db, properties: Record<string, unknown>) => {
        const res = hasDataSources(version)
          ? await client().dataSources.update({ data_source_id: db.dataSourceId, properties } as never)
          : await client().request({
              path: `databases/${db.databaseId}`,
              method: 'patch',
              body: { properties },
            });
        return (res as { properties: Record<string, Record<string, unknown>> }).properties;
      };
      const names = async (db: Db, body: Record<string, unknown>) =>
        (await queryRows(client(), version, db, body)).results.map((r) => plain(r.properties.Name!.title));

      it('converts text to number, keeping what parses', async () => {
        const db = await createDb(h, version, 'Convert', { Name: { title: {} }, Value: { rich_text: {} } });
        const rows = await Promise.all(
          ['12', '3.5', '1,000', 'abc', ''].map(async (v, i) =>
            create(db, { Name: { title: text(`r${i}`) }, Value: { rich_text: v ? text(v) : [] } }),
          ),
        );
        await client().pages.update({ page_id: rows[1]!.id, in_trash: true });
        const schema = await patchSchema(db, { Value: { number: {} } });
        expect(schema.Value).toMatchObject({ type: 'number', id: rows[0]!.properties.Value!.id });
        const values = await Promise.all(rows.map(async (r) => (await get(r.id)).properties.Value!.number));
        expect(values).toEqual([12, 3.5, 1000, null, null]);
        expect(await names(db, { filter: { property: 'Value', number: { greater_than: 100 } } })).toEqual([
          'r2',
        ]);
        const back = await patchSchema(db, { Value: { rich_text: {} } });
        expect(back.Value!.type).toBe('rich_text');
        expect(plain((await get(rows[0]!.id)).properties.Value!.rich_text)).toBe('12');
        expect(plain((await get(rows[1]!.id)).properties.Value!.rich_text)).toBe('3.5');
      });

      it('converts people, relations and unique ids to text as the names they show', async () => {
        const target = await createDb(h, version, 'Targets', { Name: { title: {} } });
        const [a, b] = [
          await create(target, { Name: { title: text('Alpha') } }),
          await create(target, { Name: { title: text('Beta') } }),
        ];
        const to = hasDataSources(version)
          ? { data_source_id: target.dataSourceId }
          : { database_id: target.databaseId };
        const db = await createDb(h, version, 'To text', {
          Name: { title: {} },
          Who: { people: {} },
          Links: { relation: { ...to, single_property: {} } },
          Ref: { unique_id: { prefix: 'T' } },
        });
        const me = await client().users.me({});
        const row = await create(db, {
          Who: { people: [{ id: me.id }] },
          Links: { relation: [{ id: a.id }, { id: b.id }] },
        });
        await patchSchema(db, { Who: { rich_text: {} }, Links: { rich_text: {} }, Ref: { rich_text: {} } });
        const props = (await get(row.id)).properties;
        expect(plain(props.Who!.rich_text)).toBe(me.name);
        expect(plain(props.Links!.rich_text)).toBe('Alpha, Beta');
        expect(plain(props.Ref!.rich_text)).toBe('T-1');
      });

      it('converts relations to text without revealing titles of pages the integration cannot see', async () => {
        const hidden = await createDb(h, version, 'Hidden targets', { Name: { title: {} } });
        const secret = await create(hidden, { Name: { title: text('Secret') } });
        const name = `Converter ${version} ${engine}`;
        const token = await h.newIntegration(name);
        const shared = await h.newRootPage(`Shared with ${name}`, [QUICKSTART_INTEGRATION, name]);
        const to = hasDataSources(version)
          ? { data_source_id: hidden.dataSourceId }
          : { database_id: hidden.databaseId };
        const schema = { Name: { title: {} }, Links: { relation: { ...to, single_property: {} } } };
        const db = (await client().request({
          path: 'databases',
          method: 'post',
          body: {
            parent: { type: 'page_id', page_id: shared },
            title: text('Visible'),
            ...(hasDataSources(version)
              ? { initial_data_source: { properties: schema } }
              : { properties: schema }),
          },
        })) as { id: string; data_sources?: { id: string }[] };
        const visible = { databaseId: db.id, dataSourceId: db.data_sources?.[0]?.id ?? '' };
        if (!hasDataSources(version)) {
          const latest = (await rowClient(h, '2025-09-03').databases.retrieve({ database_id: db.id })) as {
            data_sources: { id: string }[];
          };
          visible.dataSourceId = latest.data_sources[0]!.id;
        }
        const row = await create(visible, { Links: { relation: [{ id: secret.id }] } });
        const other = rowClient(h, version, token);
        if (hasDataSources(version))
          await other.dataSources.update({
            data_source_id: visible.dataSourceId,
            properties: { Links: { rich_text: {} } },
          } as never);
        else
          await other.request({
            path: `databases/${visible.databaseId}`,
            method: 'patch',
            body: { properties: { Links: { rich_text: {} } } },
          });
        const after = (await other.pages.retrieve({ page_id: row.id })) as RowPage;
        expect(plain(after.properties.Links!.rich_text)).toBe('');
      });

      it('keeps substring search right through renames, additions, retypes and removals', async () => {
        const db = await createDb(h, version, 'Search', {
          Name: { title: {} },
          Notes: { rich_text: {} },
          Code: { rich_text: {} },
        });
        const rows = [
          { Name: 'Crème Brûlée', Notes: 'Straße 50%_off', Code: '123456' },
          { Name: 'Plain cake', Notes: 'STRASSE 50% off', Code: '654321' },
          { Name: 'Éclair', Notes: '', Code: '' },
        ];
        for (const r of rows)
          await create(db, {
            Name: { title: text(r.Name) },
            Notes: { rich_text: r.Notes ? text(r.Notes) : [] },
            Code: { rich_text: r.Code ? text(r.Code) : [] },
          });
        const find = (property: string, type: string, condition: Record<string, string>) =>
          names(db, {
            filter: { property, [type]: condition },
            sorts: [{ property: 'Name', direction: 'ascending' }],
          });
        expect(await find('Name', 'title', { contains: 'BRÛL' })).toEqual(['Crème Brûlée']);
        expect(await find('Name', 'title', { contains: 'écl' })).toEqual(['Éclair']);
        expect(await find('Name', 'title', { does_not_contain: 'cake' })).toEqual(['Crème Brûlée', 'Éclair']);
        await patchSchema(db, { Notes: { name: 'Remarks' } });
        expect(await find('Remarks', 'rich_text', { contains: 'straße' })).toEqual(['Crème Brûlée']);
        expect(await find('Remarks', 'rich_text', { contains: '50%_' })).toEqual(['Crème Brûlée']);
        expect(await find('Remarks', 'rich_text', { contains: '50% ' })).toEqual(['Plain cake']);
        expect(await find('Remarks', 'rich_text', { starts_with: 'stra' })).toEqual([
          'Crème Brûlée',
          'Plain cake',
        ]);
        await patchSchema(db, { Extra: { rich_text: {} } });
        const [eclair] = (
          await queryRows(client(), version, db, {
            filter: { property: 'Name', title: { equals: 'éclair' } },
          })
        ).results;
        await client().pages.update({
          page_id: eclair!.id,
          properties: { Extra: { rich_text: text('Choux pastry') } },
        } as never);
        expect(await find('Extra', 'rich_text', { contains: 'pastry' })).toEqual(['Éclair']);
        await patchSchema(db, { Code: { number: {} } });
        await patchSchema(db, { Code: { rich_text: {} } });
        expect(await find('Code', 'rich_text', { contains: '345' })).toEqual(['Crème Brûlée']);
        expect(await find('Code', 'rich_text', { ends_with: '321' })).toEqual(['Plain cake']);
        await patchSchema(db, { Remarks: null });
        expect(await find('Name', 'title', { contains: 'cake' })).toEqual(['Plain cake']);
        expect(await find('Extra', 'rich_text', { contains: 'choux' })).toEqual(['Éclair']);
      });

      it('converts text to select, creating an option per distinct value', async () => {
        const db = await createDb(h, version, 'To select', { Name: { title: {} }, Kind: { rich_text: {} } });
        for (const [i, v] of ['bug', 'feature', 'bug'].entries())
          await create(db, { Name: { title: text(`k${i}`) }, Kind: { rich_text: text(v) } });
        const schema = await patchSchema(db, { Kind: { select: {} } });
        const options = (schema.Kind!.select as { options: Option[] }).options;
        expect(options.map((o) => o.name).sort()).toEqual(['bug', 'feature']);
        expect((await names(db, { filter: { property: 'Kind', select: { equals: 'bug' } } })).sort()).toEqual(
          ['k0', 'k2'],
        );
      });

      it('converts select to multi_select keeping options and their colors', async () => {
        const db = await createDb(h, version, 'To multi', {
          Name: { title: {} },
          Tag: {
            select: {
              options: [
                { name: 'red one', color: 'red' },
                { name: 'unused', color: 'blue' },
              ],
            },
          },
        });
        const row = await create(db, { Name: { title: text('m') }, Tag: { select: { name: 'red one' } } });
        const schema = await patchSchema(db, { Tag: { multi_select: {} } });
        const options = (schema.Tag!.multi_select as { options: Option[] }).options;
        expect(options.map((o) => [o.name, o.color])).toEqual([
          ['red one', 'red'],
          ['unused', 'blue'],
        ]);
        expect((await get(row.id)).properties.Tag!.multi_select).toEqual([
          expect.objectContaining({ name: 'red one', color: 'red' }),
        ]);
        expect(
          await names(db, { filter: { property: 'Tag', multi_select: { contains: 'red one' } } }),
        ).toEqual(['m']);
      });

      it('reflects option renames and recolors in rows, queries and sorts', async () => {
        const db = await createDb(h, version, 'Options', {
          Name: { title: {} },
          Tag: { select: { options: [{ name: 'Old', color: 'gray' }, { name: 'Other' }] } },
        });
        await create(db, { Name: { title: text('o1') }, Tag: { select: { name: 'Old' } } });
        await create(db, { Name: { title: text('o2') }, Tag: { select: { name: 'Other' } } });
        const before = await patchSchema(db, {});
        const old = (before.Tag!.select as { options: Option[] }).options[0]!;
        await patchSchema(db, {
          Tag: { select: { options: [{ id: old.id, name: 'New', color: 'green' }] } },
        });
        const rows = (await queryRows(client(), version, db, {})).results;
        const o1 = rows.find((r) => plain(r.properties.Name!.title) === 'o1')!;
        expect(o1.properties.Tag!.select).toEqual({ id: old.id, name: 'New', color: 'green' });
        expect(await names(db, { filter: { property: 'Tag', select: { equals: 'New' } } })).toEqual(['o1']);
        expect(await names(db, { filter: { property: 'Tag', select: { equals: 'Old' } } })).toEqual([]);
        expect(await names(db, { sorts: [{ property: 'Tag', direction: 'ascending' }] })).toEqual([
          'o1',
          'o2',
        ]);
      });

      it('shows renamed properties under their new name and finds them by it', async () => {
        const db = await createDb(h, version, 'Rename', { Name: { title: {} }, Size: { number: {} } });
        const row = await create(db, { Name: { title: text('s') }, Size: { number: 5 } });
        await patchSchema(db, { Size: { name: 'Weight' } });
        const again = await get(row.id);
        expect(again.properties.Weight!.number).toBe(5);
        expect(again.properties).not.toHaveProperty('Size');
        expect(await names(db, { filter: { property: 'Weight', number: { equals: 5 } } })).toEqual(['s']);
      });

      it('numbers existing rows when a unique_id property is added, then continues', async () => {
        const db = await createDb(h, version, 'Late ids', { Name: { title: {} } });
        const a = await create(db, { Name: { title: text('a') } });
        const b = await create(db, { Name: { title: text('b') } });
        await patchSchema(db, { ID: { unique_id: { prefix: 'X' } } });
        const n = async (id: string) =>
          ((await get(id)).properties.ID!.unique_id as { number: number; prefix: string }).number;
        expect([await n(a.id), await n(b.id)]).toEqual([1, 2]);
        const c = await create(db, { Name: { title: text('c') } });
        expect(c.properties.ID!.unique_id).toEqual({ prefix: 'X', number: 3 });
      });
    });
  }
});
