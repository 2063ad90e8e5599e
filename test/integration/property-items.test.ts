import { collectPaginatedAPI, iteratePaginatedAPI } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { createDb, type Db, type RowPage, rowClient, rowParent, text, VERSIONS } from './rows-support.ts';

type Item = { object: string; id: string; type: string; [k: string]: unknown };
type ItemList = {
  object: 'list';
  results: Item[];
  next_cursor: string | null;
  has_more: boolean;
  type: 'property_item';
  property_item: { id: string; type: string; next_url: string | null };
};

describeEngines('GET /v1/pages/{id}/properties/{property_id}', (engine) => {
  let h: Harness;
  let adminId: string;
  let botId: string;
  beforeAll(async () => {
    h = await startHarness(engine);
    adminId = (await h.client().users.list({})).results.find((u) => u.type === 'person')!.id;
    botId = (await h.client().users.me({})).id;
  });
  afterAll(() => h.close());

  for (const version of VERSIONS) {
    describe(`Notion-Version ${version}`, () => {
      const client = () => rowClient(h, version);
      let targets: Db;
      let db: Db;
      let related: string[];
      let page: RowPage;
      const item = (property_id: string, extra: Record<string, unknown> = {}) =>
        client().pages.properties.retrieve({ page_id: page.id, property_id, ...extra }) as Promise<
          Item | ItemList
        >;
      const idOf = (name: string) => page.properties[name]!.id;

      beforeAll(async () => {
        targets = await createDb(h, version, 'Targets', { Name: { title: {} } });
        db = await createDb(h, version, 'Items', {
          Name: { title: {} },
          Notes: { rich_text: {} },
          Count: { number: {} },
          Tag: { select: {} },
          Tags: { multi_select: {} },
          Stage: { status: {} },
          When: { date: {} },
          Who: { people: {} },
          Docs: { files: {} },
          Done: { checkbox: {} },
          Link: { url: {} },
          Mail: { email: {} },
          Phone: { phone_number: {} },
          Created: { created_time: {} },
          Creator: { created_by: {} },
          Edited: { last_edited_time: {} },
          Editor: { last_edited_by: {} },
          Ticket: { unique_id: { prefix: 'IT' } },
          Links: {
            relation: {
              ...(version === '2022-06-28'
                ? { database_id: targets.databaseId }
                : { data_source_id: targets.dataSourceId }),
              single_property: {},
            },
          },
        });
        related = [];
        for (let i = 0; i < 30; i++) {
          const p = (await client().pages.create({
            parent: rowParent(version, targets),
            properties: { Name: { title: text(`T${i}`) } },
          } as never)) as RowPage;
          related.push(p.id);
        }
        page = (await client().pages.create({
          parent: rowParent(version, db),
          properties: {
            Name: { title: [...text('Hello '), ...text('world')] },
            Notes: { rich_text: text('one') },
            Count: { number: 7 },
            Tag: { select: { name: 'Red' } },
            Tags: { multi_select: [{ name: 'a' }, { name: 'b' }] },
            Stage: { status: { name: 'Done' } },
            When: { date: { start: '2024-02-02' } },
            Who: { people: [{ id: adminId }, { id: botId }] },
            Docs: { files: [{ name: 'f', external: { url: 'https://example.com/f' } }] },
            Done: { checkbox: true },
            Link: { url: 'https://x.example' },
            Mail: { email: 'm@x.example' },
            Phone: { phone_number: '123' },
            Links: { relation: related.map((id) => ({ id })) },
          },
        } as never)) as RowPage;
      });

      it('answers a property_item for each simple type', async () => {
        const expectations: Record<string, unknown> = {
          Count: 7,
          Tag: expect.objectContaining({ name: 'Red' }),
          Tags: [expect.objectContaining({ name: 'a' }), expect.objectContaining({ name: 'b' })],
          Stage: expect.objectContaining({ name: 'Done' }),
          When: { start: '2024-02-02', end: null, time_zone: null },
          Docs: [{ name: 'f', type: 'external', external: { url: 'https://example.com/f' } }],
          Done: true,
          Link: 'https://x.example',
          Mail: 'm@x.example',
          Phone: '123',
          Created: page.created_time,
          Edited: page.last_edited_time,
          Creator: expect.objectContaining({ object: 'user', id: botId, type: 'bot' }),
          Editor: expect.objectContaining({ object: 'user', id: botId }),
          Ticket: { prefix: 'IT', number: 1 },
        };
        for (const [name, value] of Object.entries(expectations)) {
          const { request_id: _r, ...got } = (await item(idOf(name))) as Item;
          const type = page.properties[name]!.type;
          expect(got, name).toEqual({ object: 'property_item', id: idOf(name), type, [type]: value });
        }
      });

      it('answers title and rich_text as lists of one rich-text item each', async () => {
        const title = (await item('title')) as ItemList;
        expect(title.object).toBe('list');
        expect(title.type).toBe('property_item');
        expect(title.property_item).toEqual({ id: 'title', next_url: null, type: 'title', title: {} });
        expect(title.results.map((r) => (r.title as { plain_text: string }).plain_text)).toEqual([
          'Hello ',
          'world',
        ]);
        expect(title.results[0]).toMatchObject({ object: 'property_item', type: 'title', id: 'title' });
        const notes = (await item(idOf('Notes'))) as ItemList;
        expect(notes.results).toHaveLength(1);
        expect(notes.has_more).toBe(false);
      });

      it('answers people as one user per item', async () => {
        const people = (await item(idOf('Who'))) as ItemList;
        expect(people.results.map((r) => (r.people as { id: string }).id)).toEqual([adminId, botId]);
        expect(people.results[0]!.people).toMatchObject({ object: 'user', type: 'person' });
      });

      it('truncates relations on the page at 25 and lists them all as items', async () => {
        const shown = page.properties.Links!;
        expect(shown.relation).toHaveLength(25);
        expect(shown.has_more).toBe(true);
        const first = (await item(idOf('Links'), { page_size: 10 })) as ItemList;
        expect(first.results).toHaveLength(10);
        expect(first.has_more).toBe(true);
        expect(first.property_item.next_url).toBe(
          `http://octavo.test/v1/pages/${page.id}/properties/${encodeURIComponent(idOf('Links'))}?start_cursor=${first.next_cursor}`,
        );
        const all = await collectPaginatedAPI(
          client().pages.properties.retrieve as never,
          {
            page_id: page.id,
            property_id: idOf('Links'),
            page_size: 7,
          } as never,
        );
        expect((all as Item[]).map((r) => (r.relation as { id: string }).id)).toEqual(related);
        let count = 0;
        for await (const _ of iteratePaginatedAPI(
          client().pages.properties.retrieve as never,
          {
            page_id: page.id,
            property_id: idOf('Links'),
          } as never,
        ))
          count++;
        expect(count).toBe(30);
      });

      it('works for the title of a page outside any database', async () => {
        const plainPage = await client().pages.create({
          parent: { page_id: h.rootPageId },
          properties: { title: { title: text('Loose') } },
        });
        const got = (await client().pages.properties.retrieve({
          page_id: plainPage.id,
          property_id: 'title',
        })) as ItemList;
        expect(got.results[0]!.title).toMatchObject({ plain_text: 'Loose' });
      });

      it('answers 404 for an unknown property and validation_error for a foreign cursor', async () => {
        const err = await item('nope').catch((e) => e);
        expect(err.code).toBe('object_not_found');
        expect(err.message).toContain('nope');
        const bad = await item(idOf('Links'), {
          start_cursor: '11111111-1111-1111-1111-111111111111',
        }).catch((e) => e);
        expect(bad.code).toBe('validation_error');
        expect(bad.message).toContain('start_cursor');
      });
    });
  }

  it('needs the read content capability', async () => {
    const token = await h.newIntegration('Writer only', ['insert_content', 'update_content']);
    const err = await rowClient(h, '2025-09-03', token)
      .pages.properties.retrieve({ page_id: h.rootPageId, property_id: 'title' })
      .catch((e) => e);
    expect(err.code).toBe('restricted_resource');
  });
});
