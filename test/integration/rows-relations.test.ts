import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import {
  createDb,
  type Db,
  hasDataSources,
  queryRows,
  type RowPage,
  rowClient,
  rowParent,
  text,
  VERSIONS,
} from './rows-support.ts';

const ids = (page: RowPage, name: string) =>
  ((page.properties[name]?.relation as { id: string }[]) ?? []).map((r) => r.id);

describeEngines('relations between rows', (engine) => {
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
      const target = (db: Db) =>
        hasDataSources(version) ? { data_source_id: db.dataSourceId } : { database_id: db.databaseId };

      let people: Db;
      let projects: Db;
      let reverseName: string;
      beforeAll(async () => {
        people = await createDb(h, version, 'People', { Name: { title: {} } });
        projects = await createDb(h, version, 'Projects', {
          Name: { title: {} },
          Team: { relation: { ...target(people), dual_property: {} } },
          Lead: { relation: { ...target(people), single_property: {} } },
        });
        const person = await create(people, { Name: { title: text('probe') } });
        reverseName = Object.entries(person.properties).find(([, v]) => v.type === 'relation')![0];
      });

      it('writes a single-property relation across data sources', async () => {
        const ada = await create(people, { Name: { title: text('Ada') } });
        const p = await create(projects, { Lead: { relation: [{ id: ada.id }] } });
        expect(ids(p, 'Lead')).toEqual([ada.id]);
        expect(p.properties.Lead!.has_more).toBe(false);
        expect(ids(await get(ada.id), reverseName)).toEqual([]);
      });

      it('mirrors a two-way relation on the other side, for additions and removals', async () => {
        const ada = await create(people, { Name: { title: text('Ada') } });
        const bob = await create(people, { Name: { title: text('Bob') } });
        const p = await create(projects, {
          Name: { title: text('Engine') },
          Team: { relation: [{ id: ada.id }, { id: bob.id }] },
        });
        expect(ids(await get(ada.id), reverseName)).toEqual([p.id]);
        expect(ids(await get(bob.id), reverseName)).toEqual([p.id]);
        await update(p.id, { Team: { relation: [{ id: bob.id }] } });
        expect(ids(await get(ada.id), reverseName)).toEqual([]);
        expect(ids(await get(bob.id), reverseName)).toEqual([p.id]);
        const q = await create(projects, { Name: { title: text('Loom') } });
        await update(ada.id, { [reverseName]: { relation: [{ id: p.id }, { id: q.id }] } });
        expect(ids(await get(p.id), 'Team').sort()).toEqual([ada.id, bob.id].sort());
        expect(ids(await get(q.id), 'Team')).toEqual([ada.id]);
        await update(p.id, { Team: { relation: [] } });
        expect(ids(await get(ada.id), reverseName)).toEqual([q.id]);
        expect(ids(await get(bob.id), reverseName)).toEqual([]);
      });

      it('finds rows by the mirrored side in queries', async () => {
        const cy = await create(people, { Name: { title: text('Cy') } });
        const p = await create(projects, { Team: { relation: [{ id: cy.id }] } });
        const found = await queryRows(client(), version, people, {
          filter: { property: reverseName, relation: { contains: p.id } },
        });
        expect(found.results.map((r) => r.id)).toEqual([cy.id]);
      });

      it('refuses pages that are not rows of the related data source, changing nothing', async () => {
        const stranger = await create(projects, { Name: { title: text('Not a person') } });
        const dee = await create(people, { Name: { title: text('Dee') } });
        const p = await create(projects, { Team: { relation: [{ id: dee.id }] } });
        const err = await update(p.id, { Team: { relation: [{ id: stranger.id }] } }).catch((e) => e);
        expect(err.code).toBe('object_not_found');
        expect(ids(await get(p.id), 'Team')).toEqual([dee.id]);
        expect(ids(await get(dee.id), reverseName)).toEqual([p.id]);
      });

      it('relates rows of one data source to each other', async () => {
        const tree = await createDb(h, version, 'Tree', { Name: { title: {} } });
        await rowClient(h, '2025-09-03').dataSources.update({
          data_source_id: tree.dataSourceId,
          properties: { Parent: { relation: { data_source_id: tree.dataSourceId, single_property: {} } } },
        });
        const root = await create(tree, { Name: { title: text('root') } });
        const leaf = await create(tree, {
          Name: { title: text('leaf') },
          Parent: { relation: [{ id: root.id }] },
        });
        expect(ids(leaf, 'Parent')).toEqual([root.id]);
      });
    });
  }
});
