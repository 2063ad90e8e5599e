import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRowBatch } from '../../src/ops/bulk-rows.ts';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { createDb, plain, queryRows, type RowPage, rowClient, rowParent, text } from './rows-support.ts';

const VERSION = '2025-09-03';

describeEngines('concurrent row writers', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());
  const client = () => rowClient(h, VERSION);

  describe('POST /v1/pages in parallel', () => {
    it('keeps every select option created by parallel rows', async () => {
      const db = await createDb(h, VERSION, 'Parallel options', { Name: { title: {} }, Tag: { select: {} } });
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          client().pages.create({
            parent: rowParent(VERSION, db),
            properties: { Name: { title: text(`r${i}`) }, Tag: { select: { name: `opt${i}` } } },
          } as never),
        ),
      );
      const rows = (await queryRows(client(), VERSION, db)).results;
      for (const row of rows) {
        const n = plain(row.properties.Name!.title).slice(1);
        expect(row.properties.Tag!.select).toMatchObject({ name: `opt${n}` });
      }
    });

    it('gives parallel rows distinct unique ids', async () => {
      const db = await createDb(h, VERSION, 'Parallel ids', { Name: { title: {} }, ID: { unique_id: {} } });
      const pages = (await Promise.all(
        Array.from({ length: 8 }, () =>
          client().pages.create({ parent: rowParent(VERSION, db), properties: {} } as never),
        ),
      )) as RowPage[];
      const numbers = pages.map((p) => (p.properties.ID!.unique_id as { number: number }).number);
      expect(numbers.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });
  });

  describe('PATCH /v1/pages/{id} in parallel', () => {
    it('keeps every one of parallel edits of different properties', async () => {
      const names = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];
      const db = await createDb(h, VERSION, 'Parallel edits', {
        Name: { title: {} },
        ...Object.fromEntries(names.map((n) => [n, { number: {} }])),
      });
      const page = await client().pages.create({ parent: rowParent(VERSION, db), properties: {} } as never);
      await Promise.all(
        names.map((n, i) =>
          client().pages.update({ page_id: page.id, properties: { [n]: { number: i } } } as never),
        ),
      );
      const again = (await client().pages.retrieve({ page_id: page.id })) as RowPage;
      expect(names.map((n) => again.properties[n]!.number)).toEqual(names.map((_, i) => i));
    });

    it('keeps both sides of a two-way relation consistent under writers on either side', async () => {
      const people = await createDb(h, VERSION, 'Dual people', { Name: { title: {} } });
      const projects = await createDb(h, VERSION, 'Dual projects', {
        Name: { title: {} },
        Team: { relation: { data_source_id: people.dataSourceId, dual_property: {} } },
      });
      const make = (db: typeof people) =>
        Promise.all(
          Array.from(
            { length: 6 },
            async () =>
              (await client().pages.create({
                parent: rowParent(VERSION, db),
                properties: {},
              } as never)) as RowPage,
          ),
        );
      const [ps, ms] = [await make(projects), await make(people)];
      const reverse = Object.entries(ms[0]!.properties).find(([, v]) => v.type === 'relation')![0];
      const rel = (list: RowPage[]) => ({ relation: list.map((p) => ({ id: p.id })) });
      await Promise.all(
        ps.flatMap((p, i) => [
          client().pages.update({
            page_id: p.id,
            properties: { Team: rel([ms[i]!, ms[(i + 1) % 6]!]) },
          } as never),
          client().pages.update({
            page_id: ms[i]!.id,
            properties: { [reverse]: rel([ps[(i + 2) % 6]!]) },
          } as never),
        ]),
      );
      const ids = (page: RowPage, name: string) =>
        ((page.properties[name]!.relation as { id: string }[]) ?? []).map((r) => r.id);
      const projectsNow = await Promise.all(
        ps.map(async (p) => (await client().pages.retrieve({ page_id: p.id })) as RowPage),
      );
      const peopleNow = await Promise.all(
        ms.map(async (m) => (await client().pages.retrieve({ page_id: m.id })) as RowPage),
      );
      const fromProjects = projectsNow.flatMap((p) => ids(p, 'Team').map((m) => `${p.id}>${m}`)).sort();
      const fromPeople = peopleNow.flatMap((m) => ids(m, reverse).map((p) => `${p}>${m.id}`)).sort();
      expect(fromProjects.length).toBeGreaterThan(0);
      expect(fromPeople).toEqual(fromProjects);
    });

    it('keeps a two-way relation consistent when a bulk import and page updates race', async () => {
      const people = await createDb(h, VERSION, 'Import people', { Name: { title: {} } });
      const projects = await createDb(h, VERSION, 'Import projects', {
        Name: { title: {} },
        Team: { relation: { data_source_id: people.dataSourceId, dual_property: {} } },
      });
      const ms = await Promise.all(
        Array.from(
          { length: 6 },
          async () =>
            (await client().pages.create({
              parent: rowParent(VERSION, people),
              properties: {},
            } as never)) as RowPage,
        ),
      );
      const reverse = Object.entries(ms[0]!.properties).find(([, v]) => v.type === 'relation')![0];
      const existing = (await client().pages.create({
        parent: rowParent(VERSION, projects),
        properties: {},
      } as never)) as RowPage;
      const now = new Date().toISOString();
      const imported = await Promise.all([
        ...ms.map((m, i) =>
          h.store.transaction((tx) =>
            importRowBatch(tx, {
              dataSourceId: projects.dataSourceId,
              lines: [
                {
                  line: 1,
                  body: { properties: { Team: { relation: [{ id: m.id }, { id: ms[(i + 1) % 6]!.id }] } } },
                },
              ],
              now,
            }),
          ),
        ),
        ...ms.map((m) =>
          client()
            .pages.update({
              page_id: m.id,
              properties: { [reverse]: { relation: [{ id: existing.id }] } },
            } as never)
            .then(() => []),
        ),
      ]);
      const projectIds = [existing.id, ...imported.flat()];
      const ids = (page: RowPage, name: string) =>
        ((page.properties[name]!.relation as { id: string }[]) ?? []).map((r) => r.id);
      const read = (id: string) => client().pages.retrieve({ page_id: id }) as Promise<RowPage>;
      const fromProjects = (await Promise.all(projectIds.map(read)))
        .flatMap((p) => ids(p, 'Team').map((m) => `${p.id}>${m}`))
        .sort();
      const fromPeople = (await Promise.all(ms.map((m) => read(m.id))))
        .flatMap((m) => ids(m, reverse).map((p) => `${p}>${m.id}`))
        .sort();
      expect(fromProjects.length).toBeGreaterThan(0);
      expect(fromPeople).toEqual(fromProjects);
    });
  });
  describe('PATCH /v1/data_sources/{id} racing row writers', () => {
    it('keeps every row and a value per row when the schema changes under parallel writers', async () => {
      const db = await createDb(h, VERSION, 'Schema race', {
        Name: { title: {} },
        Score: { number: {} },
        Note: { rich_text: {} },
      });
      const ds = db.dataSourceId;
      const writers = Array.from({ length: 12 }, (_, i) =>
        client()
          .pages.create({
            parent: rowParent(VERSION, db),
            properties: {
              Name: { title: text(`w${i}`) },
              Score: { number: i },
              Note: { rich_text: text(`n${i}`) },
            },
          } as never)
          .then(
            () => 200,
            (e: { status?: number }) => e.status ?? 0,
          ),
      );
      const changes = [
        client().dataSources.update({ data_source_id: ds, properties: { Added: { checkbox: {} } } } as never),
        client().dataSources.update({
          data_source_id: ds,
          properties: { Note: { name: 'Remark' } },
        } as never),
        client().dataSources.update({
          data_source_id: ds,
          properties: { Score: { rich_text: {} } },
        } as never),
      ].map((p) =>
        p.then(
          () => 200,
          (e: { status?: number }) => e.status ?? 0,
        ),
      );
      const statuses = await Promise.all([...writers, ...changes]);
      for (const s of statuses) expect(s).toBeGreaterThanOrEqual(200);
      for (const s of statuses) expect(s).toBeLessThan(500);
      const created = statuses.slice(0, 12).filter((s) => s === 200).length;
      const rows = (await queryRows(client(), VERSION, db)).results;
      expect(rows).toHaveLength(created);
      for (const row of rows) {
        const n = plain(row.properties.Name!.title).slice(1);
        // Whatever order the writes took, each row keeps its own values under the final schema.
        expect(plain(row.properties.Remark!.rich_text)).toBe(`n${n}`);
        expect(plain(row.properties.Score!.rich_text)).toBe(n);
        expect(row.properties.Added!.checkbox).toBe(false);
      }
      // The derived table agrees with the pages: a filter on the converted column finds each row.
      for (const row of rows.slice(0, 3)) {
        const n = plain(row.properties.Name!.title).slice(1);
        const found = await queryRows(client(), VERSION, db, {
          filter: { property: 'Score', rich_text: { equals: n } },
        });
        expect(found.results.map((r) => r.id)).toEqual([row.id]);
      }
    });
  });
});

/*
 * Changes to a row page made through the block endpoints (trash, appended content) must reach the
 * derived table the queries read: ops/blocks.ts re-derives the row with `resyncRow`.
 */
describeEngines('row pages changed through block endpoints', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  it('drops a row deleted as a block from query results', async () => {
    const c = rowClient(h, VERSION);
    const db = await createDb(h, VERSION, 'Deleted as block', { Name: { title: {} } });
    const page = await c.pages.create({ parent: rowParent(VERSION, db), properties: {} } as never);
    await c.blocks.delete({ block_id: page.id });
    expect((await queryRows(c, VERSION, db)).results).toEqual([]);
    expect((await queryRows(c, VERSION, db, { in_trash: true })).results.map((r) => r.id)).toEqual([page.id]);
  });

  it('moves a row whose content changed to the top of last_edited_time sorts', async () => {
    const c = rowClient(h, VERSION);
    const db = await createDb(h, VERSION, 'Edited content', { Name: { title: {} } });
    const first = await c.pages.create({ parent: rowParent(VERSION, db), properties: {} } as never);
    await c.pages.create({ parent: rowParent(VERSION, db), properties: {} } as never);
    await new Promise((r) => setTimeout(r, 5));
    await c.blocks.children.append({
      block_id: first.id,
      children: [{ paragraph: { rich_text: text('new content') } }],
    });
    const res = await queryRows(c, VERSION, db, {
      sorts: [{ timestamp: 'last_edited_time', direction: 'descending' }],
    });
    expect(res.results[0]!.id).toBe(first.id);
  });
});
