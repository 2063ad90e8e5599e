import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRowBatch } from '../../src/ops/bulk-rows.ts';
import type { OpEnv } from '../../src/ops/env.ts';
import { actorOf } from '../../src/ops/integrations.ts';
import { createPage, updatePage } from '../../src/ops/pages.ts';
import { QUICKSTART_INTEGRATION } from '../../src/ops/workspace.ts';
import type { CreatePageBody, UpdatePageBody } from '../../src/wire/pages.schema.ts';
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
  describe("a data source's row writers: shared unless the write changes the schema", () => {
    /** The quickstart integration acting in a transaction of the test's own. */
    const env = async (): Promise<OpEnv> => {
      const all = await h.store.transaction((tx) => tx.integrations.list());
      const row = all.find((i) => i.name === QUICKSTART_INTEGRATION)!;
      return { actor: actorOf(row), now: new Date().toISOString(), publicUrl: 'http://octavo.test' };
    };
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    it.skipIf(engine !== 'postgres')(
      'lets a row write commit beside an open one, keeps an option-adding write and a write of the same row waiting for it',
      async () => {
        const db = await createDb(h, VERSION, 'Side by side', {
          Name: { title: {} },
          Note: { rich_text: {} },
          Tag: { select: {} },
        });
        const [a, b, c] = await Promise.all(
          ['a', 'b', 'c'].map((n) =>
            client().pages.create({
              parent: rowParent(VERSION, db),
              properties: { Name: { title: text(n) } },
            } as never),
          ),
        );
        const e = await env();
        let release!: () => void;
        const released = new Promise<void>((r) => {
          release = r;
        });
        let holding!: () => void;
        const held = new Promise<void>((r) => {
          holding = r;
        });
        // A write of row a, left open (its locks held) until released.
        const open = h.store.transaction(async (tx) => {
          await updatePage(tx, e, a!.id, {
            properties: { Note: { rich_text: text('held') } },
          } as unknown as UpdatePageBody);
          holding();
          await released;
        });
        await held;
        // Another row of the data source is written and committed meanwhile.
        await client().pages.update({
          page_id: b!.id,
          properties: { Note: { rich_text: text('beside') } },
        } as never);
        // A new select option changes the schema: that write waits for the open one; so does a
        // write of row a itself.
        const done: string[] = [];
        const option = client()
          .pages.update({ page_id: c!.id, properties: { Tag: { select: { name: 'fresh' } } } } as never)
          .then(() => done.push('option'));
        const same = client()
          .pages.update({ page_id: a!.id, properties: { Name: { title: text('a2') } } } as never)
          .then(() => done.push('same row'));
        await sleep(400);
        expect(done).toEqual([]);
        release();
        await open;
        await Promise.all([option, same]);
        const read = async (id: string) => (await client().pages.retrieve({ page_id: id })) as RowPage;
        const [ra, rb, rc] = [await read(a!.id), await read(b!.id), await read(c!.id)];
        // Nothing was overwritten: row a keeps the open write's value and the later one's.
        expect(plain(ra.properties.Note!.rich_text)).toBe('held');
        expect(plain(ra.properties.Name!.title)).toBe('a2');
        expect(plain(rb.properties.Note!.rich_text)).toBe('beside');
        expect(rc.properties.Tag!.select).toMatchObject({ name: 'fresh' });
      },
    );

    it('keeps every option and value when parallel writers add options while others write plain values', async () => {
      const db = await createDb(h, VERSION, 'Mixed writers', {
        Name: { title: {} },
        Note: { rich_text: {} },
        Tags: { multi_select: {} },
      });
      const rows = (await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          client().pages.create({
            parent: rowParent(VERSION, db),
            properties: { Name: { title: text(`m${i}`) } },
          } as never),
        ),
      )) as RowPage[];
      await Promise.all(
        rows.flatMap((r, i) => [
          client().pages.update({
            page_id: r.id,
            properties: { Note: { rich_text: text(`n${i}`) } },
          } as never),
          client().pages.update({
            page_id: r.id,
            properties: { Tags: { multi_select: [{ name: `t${i}` }, { name: 'shared' }] } },
          } as never),
        ]),
      );
      for (const [i, r] of rows.entries()) {
        const now = (await client().pages.retrieve({ page_id: r.id })) as RowPage;
        expect(plain(now.properties.Note!.rich_text)).toBe(`n${i}`);
        expect((now.properties.Tags!.multi_select as { name: string }[]).map((t) => t.name).sort()).toEqual(
          ['shared', `t${i}`].sort(),
        );
      }
      const ds = (await client().dataSources.retrieve({ data_source_id: db.dataSourceId })) as unknown as {
        properties: Record<string, { multi_select?: { options: { name: string }[] } }>;
      };
      expect(ds.properties.Tags!.multi_select!.options.map((o) => o.name).sort()).toEqual(
        ['shared', 't0', 't1', 't2', 't3', 't4', 't5'].sort(),
      );
    });

    it('runs a transaction again when its shared lock turns out too weak, and it commits once', async () => {
      const db = await createDb(h, VERSION, 'Upgrade', {
        Name: { title: {} },
        Note: { rich_text: {} },
        ID: { unique_id: {} },
      });
      const first = (await client().pages.create({
        parent: rowParent(VERSION, db),
        properties: { Name: { title: text('first') } },
      } as never)) as RowPage;
      const e = await env();
      let attempts = 0;
      // A plain write (shared lock), then a new row, which assigns a unique id (exclusive): on
      // Postgres the first attempt gives up instead of upgrading, the second locks exclusively.
      const created = await h.store.transaction(async (tx) => {
        attempts++;
        await updatePage(tx, e, first.id, {
          properties: { Note: { rich_text: text('touched') } },
        } as unknown as UpdatePageBody);
        return createPage(tx, e, {
          parent: { data_source_id: db.dataSourceId },
          properties: { Name: { title: text('second') } },
        } as unknown as CreatePageBody);
      });
      expect(attempts).toBe(engine === 'postgres' ? 2 : 1);
      const second = (await client().pages.retrieve({ page_id: created.row.id })) as RowPage;
      expect(second.properties.ID!.unique_id).toMatchObject({ number: 2 });
      const again = (await client().pages.retrieve({ page_id: first.id })) as RowPage;
      expect(plain(again.properties.Note!.rich_text)).toBe('touched');
      const rowsNow = (await queryRows(client(), VERSION, db)).results;
      expect(rowsNow).toHaveLength(2);
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
