/*
 * What an integration cannot see, it cannot learn by any path. For every place where one object
 * names another (mentions in rich text and titles, relations, authors, parents), an integration
 * without access to the named object is told exactly what it would be told of an id that does not
 * exist: no title, no name, nothing that tells the two apart.
 */
import type { Client } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPerson } from '../../src/ops/users.ts';
import { describeEngines } from '../helpers/engines.ts';
import { BASE_URL, type Harness, startHarness } from '../helpers/harness.ts';

const MISSING = '0f0e0d0c-0b0a-4909-8807-060504030201';
const compact = (id: string) => id.replaceAll('-', '');
const text = (content: string) => [{ type: 'text' as const, text: { content } }];

interface Item {
  type: string;
  plain_text: string;
  href: string | null;
  mention?: Record<string, unknown>;
}

describeEngines('visibility of named objects', (engine) => {
  let h: Harness;
  /** The quickstart integration: sees the root page and everything under it. */
  let owner: Client;
  /** Another integration with every capability, shown only its own page. */
  let outsider: Client;
  let outsiderToken: string;
  /** Sees a page that both integrations share, and nothing else. */
  let outsiderHome: string;
  let secret: string;
  let secretDb: string;
  let shared: string;
  let personId: string;

  beforeAll(async () => {
    h = await startHarness(engine);
    owner = h.client();
    outsiderToken = await h.newIntegration('Outsider');
    outsider = h.client({ token: outsiderToken });
    outsiderHome = await h.newRootPage('Outsider home', ['Outsider']);
    shared = await h.newRootPage('Shared by both', ['Octavo Quickstart', 'Outsider']);
    secret = (
      await owner.pages.create({
        parent: { page_id: h.rootPageId },
        properties: { title: { title: text('Quarterly layoffs plan') } },
      })
    ).id;
    secretDb = (
      (await owner.databases.create({
        parent: { type: 'page_id', page_id: h.rootPageId },
        title: text('Salaries'),
        initial_data_source: { properties: { Name: { title: {} } } },
      })) as { id: string }
    ).id;
    personId = (
      await h.store.transaction((tx) =>
        createPerson(tx, { name: 'Ada Secret', email: 'ada@example.com', now: new Date().toISOString() }),
      )
    ).id;
  });
  afterAll(() => h.close());

  const mention = (kind: 'page' | 'database' | 'user', id: string) => ({
    type: 'mention' as const,
    mention: { type: kind, [kind]: { id } } as never,
  });

  async function paragraphOf(client: Client, page: string, items: unknown[]): Promise<Item[]> {
    const res = await client.blocks.children.append({
      block_id: page,
      children: [{ paragraph: { rich_text: items as never } }],
    });
    const block = res.results[0] as { id: string; paragraph: { rich_text: Item[] } };
    const again = (await client.blocks.retrieve({ block_id: block.id })) as unknown as {
      paragraph: { rich_text: Item[] };
    };
    expect(again.paragraph.rich_text).toEqual(block.paragraph.rich_text);
    return block.paragraph.rich_text;
  }

  /** What a mention of an object nobody can see reads as: only the id survives. */
  const unseen = (id: string) => ({ plain_text: 'Untitled', href: `${BASE_URL}/p/${compact(id)}` });

  describe('page and database mentions in rich text', () => {
    it('shows a page the writer cannot see exactly like an id that does not exist', async () => {
      const [hidden, missing] = await paragraphOf(outsider, outsiderHome, [
        mention('page', secret),
        mention('page', MISSING),
      ]);
      expect(hidden).toMatchObject(unseen(secret));
      expect(missing).toMatchObject(unseen(MISSING));
    });

    it('does the same for databases', async () => {
      const [hidden, missing] = await paragraphOf(outsider, outsiderHome, [
        mention('database', secretDb),
        mention('database', MISSING),
      ]);
      expect(hidden).toMatchObject(unseen(secretDb));
      expect(missing).toMatchObject(unseen(MISSING));
    });

    it('shows each reader its own view of a mention another integration wrote, with current titles', async () => {
      const [written] = await paragraphOf(owner, shared, [mention('page', secret)]);
      expect(written!.plain_text).toBe('Quarterly layoffs plan');
      const page = await owner.blocks.children.list({ block_id: shared });
      const blockId = page.results.at(-1)!.id;
      const read = async (client: Client) =>
        (
          (await client.blocks.retrieve({ block_id: blockId })) as unknown as {
            paragraph: { rich_text: Item[] };
          }
        ).paragraph.rich_text[0]!;
      expect(await read(outsider)).toMatchObject(unseen(secret));
      await owner.pages.update({ page_id: secret, properties: { title: { title: text('Renamed plan') } } });
      expect(await read(owner)).toMatchObject({
        plain_text: 'Renamed plan',
        href: `${BASE_URL}/p/Renamed-plan-${compact(secret)}`,
      });
      expect(await read(outsider)).toMatchObject(unseen(secret));
      const listed = await outsider.blocks.children.list({ block_id: shared });
      const item = (listed.results.at(-1) as unknown as { paragraph: { rich_text: Item[] } }).paragraph
        .rich_text[0];
      expect(item).toMatchObject(unseen(secret));
    });
  });

  describe('mentions in titles and property values', () => {
    it('shows a hidden page mentioned in a row title as Untitled, and no filter finds its title', async () => {
      const db = (await outsider.databases.create({
        parent: { type: 'page_id', page_id: outsiderHome },
        title: text('Outsider rows'),
        initial_data_source: { properties: { Name: { title: {} }, Notes: { rich_text: {} } } },
      })) as { id: string; data_sources: { id: string }[] };
      const ds = db.data_sources[0]!.id;
      const row = (await outsider.pages.create({
        parent: { type: 'data_source_id', data_source_id: ds },
        properties: {
          Name: { title: [mention('page', secret)] as never },
          Notes: { rich_text: [mention('page', MISSING)] as never },
        },
      })) as unknown as { id: string; properties: Record<string, { title?: Item[]; rich_text?: Item[] }> };
      expect(row.properties.Name!.title![0]).toMatchObject(unseen(secret));
      expect(row.properties.Notes!.rich_text![0]).toMatchObject(unseen(MISSING));
      const item = (await outsider.pages.properties.retrieve({ page_id: row.id, property_id: 'title' })) as {
        results: { title: Item }[];
      };
      expect(item.results[0]!.title).toMatchObject(unseen(secret));
      for (const needle of ['Quarterly', 'layoffs', 'Renamed']) {
        const found = await outsider.dataSources.query({
          data_source_id: ds,
          filter: { property: 'Name', title: { contains: needle } },
        });
        expect(found.results).toEqual([]);
      }
    });

    it("answers a query with each row's mentions as the reader sees them, stored or rolled up", async () => {
      // The query's answer is written from pieces, and only rows that may hold a mention are
      // looked at for one (api/routes/databases.routes.ts): the mention among rows without any,
      // and the one a rollup shows, must still be decided again for the reader.
      const notes = await outsider.databases.create({
        parent: { type: 'page_id', page_id: outsiderHome },
        title: text('Outsider notes'),
        initial_data_source: { properties: { Name: { title: {} }, Notes: { rich_text: {} } } },
      });
      const notesDs = (notes as unknown as { data_sources: { id: string }[] }).data_sources[0]!.id;
      const named = async (name: string, notesText: unknown[]) =>
        (
          await outsider.pages.create({
            parent: { type: 'data_source_id', data_source_id: notesDs },
            properties: { Name: { title: text(name) }, Notes: { rich_text: notesText as never } },
          })
        ).id;
      await named('Plain one', text('nothing here'));
      const mentioning = await named('Mentioning', [mention('page', shared)]);
      await named('Plain two', text('nothing here either'));
      const lists = await outsider.databases.create({
        parent: { type: 'page_id', page_id: outsiderHome },
        title: text('Outsider lists'),
        initial_data_source: {
          properties: {
            Name: { title: {} },
            Items: { relation: { data_source_id: notesDs, single_property: {} } } as never,
            Rolled: {
              rollup: {
                function: 'show_original',
                relation_property_name: 'Items',
                rollup_property_name: 'Notes',
              },
            } as never,
          },
        },
      });
      const listsDs = (lists as unknown as { data_sources: { id: string }[] }).data_sources[0]!.id;
      await outsider.pages.create({
        parent: { type: 'data_source_id', data_source_id: listsDs },
        properties: { Name: { title: text('List') }, Items: { relation: [{ id: mentioning }] } },
      });
      // Renamed after the mentions were written: the title read is the current one.
      await owner.pages.update({
        page_id: shared,
        properties: { title: { title: text('Shared, renamed') } },
      });
      const current = {
        plain_text: 'Shared, renamed',
        href: `${BASE_URL}/p/Shared-renamed-${compact(shared)}`,
      };
      const rows = (await outsider.dataSources.query({ data_source_id: notesDs })).results as unknown as {
        id: string;
        properties: { Notes: { rich_text: Item[] } };
      }[];
      expect(rows).toHaveLength(3);
      expect(rows.find((r) => r.id === mentioning)!.properties.Notes.rich_text[0]).toMatchObject(current);
      const [list] = (await outsider.dataSources.query({ data_source_id: listsDs })).results as unknown as {
        properties: { Rolled: { rollup: { array: { rich_text: Item[] }[] } } };
      }[];
      expect(list!.properties.Rolled.rollup.array[0]!.rich_text[0]).toMatchObject(current);
      // Stored text not written by JSON.stringify: the mention's letters escaped (`\u006d` is "m").
      const stored = await h.store.db
        .selectFrom('blocks')
        .select('properties')
        .where('id', '=', mentioning)
        .executeTakeFirstOrThrow();
      const escaped = stored.properties!.replaceAll('"mention"', '"\\u006dention"');
      expect(escaped).not.toContain('mention');
      await h.store.db
        .updateTable('blocks')
        .set({ properties: escaped })
        .where('id', '=', mentioning)
        .execute();
      const again = (await outsider.dataSources.query({ data_source_id: notesDs }))
        .results as unknown as typeof rows;
      expect(again.find((r) => r.id === mentioning)!.properties.Notes.rich_text[0]).toMatchObject(current);
      await owner.pages.update({ page_id: shared, properties: { title: { title: text('Shared by both') } } });
    });

    it('shows a hidden page in a page title written by its owner as Untitled to the outsider', async () => {
      const page = await owner.pages.create({
        parent: { page_id: shared },
        properties: { title: [text('See '), [mention('page', secret)]].flat() as never },
      });
      const seen = (await outsider.pages.retrieve({ page_id: page.id })) as unknown as {
        properties: { title: { title: Item[] } };
      };
      expect(seen.properties.title.title[1]).toMatchObject(unseen(secret));
    });
  });

  describe('search', () => {
    it('never lists a page the integration cannot see, nor matches the title a mention shows', async () => {
      const hits = async (client: Client, query: string) =>
        ((await client.search({ query } as never)) as unknown as { results: { id: string }[] }).results.map(
          (r) => r.id,
        );
      expect(await hits(outsider, 'Quarterly layoffs')).toEqual([]);
      expect(await hits(outsider, 'Salaries')).toEqual([]);
      const titled = await owner.pages.create({
        parent: { page_id: shared },
        properties: { title: { title: [...text('Memo about '), mention('page', secret)] as never } },
      });
      // The owner sees the page; its match is on the words it wrote, not on the mentioned title.
      expect(await hits(owner, 'Memo about')).toContain(titled.id);
      expect(await hits(owner, 'Renamed plan')).not.toContain(titled.id);
      expect(await hits(outsider, 'Memo about')).toEqual([titled.id]);
      expect(await hits(outsider, 'plan')).toEqual([]);
    });
  });

  describe('user mentions', () => {
    it('names a user only to integrations that may read users, and a missing user reads the same', async () => {
      const token = await h.newIntegration('No user info', [
        'read_content',
        'insert_content',
        'update_content',
      ]);
      const blind = h.client({ token });
      const page = await h.newRootPage('Blind home', ['No user info', 'Octavo Quickstart']);
      const [known, missing] = await paragraphOf(blind, page, [
        mention('user', personId),
        mention('user', MISSING),
      ]);
      expect(known!.plain_text).toBe('@Anonymous');
      expect(missing!.plain_text).toBe('@Anonymous');
      const list = await owner.blocks.children.list({ block_id: page });
      const items = (list.results.at(-1) as unknown as { paragraph: { rich_text: Item[] } }).paragraph
        .rich_text;
      expect(items.map((i) => i.plain_text)).toEqual(['@Ada Secret', '@Anonymous']);
    });
  });

  describe('relations', () => {
    it('refuses a relation to a data source the writer cannot see like one that does not exist', async () => {
      const hiddenDs = (
        (await owner.databases.retrieve({ database_id: secretDb })) as unknown as {
          data_sources: { id: string }[];
        }
      ).data_sources[0]!.id;
      const attempt = (id: string) =>
        outsider.databases
          .create({
            parent: { type: 'page_id', page_id: outsiderHome },
            title: text('Relating'),
            initial_data_source: {
              properties: {
                Name: { title: {} },
                Link: { relation: { data_source_id: id, single_property: {} } },
              },
            },
          } as never)
          .then(
            () => ({ status: 200, code: 'none' }),
            (e: { status: number; code: string }) => ({ status: e.status, code: e.code }),
          );
      const [hidden, missing] = [await attempt(hiddenDs), await attempt(MISSING)];
      expect(hidden.status).toBeGreaterThanOrEqual(400);
      expect(hidden).toEqual(missing);
    });

    it('refuses a relation value naming a row the writer cannot see like a missing row', async () => {
      const people = (await owner.databases.create({
        parent: { type: 'page_id', page_id: shared },
        title: text('People'),
        initial_data_source: { properties: { Name: { title: {} } } },
      })) as { data_sources: { id: string }[] };
      const peopleDs = people.data_sources[0]!.id;
      const tasks = (await owner.databases.create({
        parent: { type: 'page_id', page_id: shared },
        title: text('Tasks'),
        initial_data_source: {
          properties: {
            Name: { title: {} },
            Who: { relation: { data_source_id: peopleDs, single_property: {} } },
          },
        },
      } as never)) as { data_sources: { id: string }[] };
      const visibleRow = await owner.pages.create({
        parent: { type: 'data_source_id', data_source_id: peopleDs },
        properties: { Name: { title: text('Visible person') } },
      });
      // The owner moves the people database out of the outsider's sight; the relation stays.
      await owner.databases.update({
        database_id: (people as unknown as { id: string }).id,
        parent: { type: 'page_id', page_id: h.rootPageId },
      } as never);
      const write = (id: string) =>
        outsider.pages
          .create({
            parent: { type: 'data_source_id', data_source_id: tasks.data_sources[0]!.id },
            properties: { Who: { relation: [{ id }] } },
          } as never)
          .then(
            () => ({ status: 200, message: '' }),
            (e: { status: number; message: string }) => ({
              status: e.status,
              message: e.message.replace(/[0-9a-f-]{36}/g, 'ID'),
            }),
          );
      const [hidden, missing] = [await write(visibleRow.id), await write(MISSING)];
      expect(hidden.status).toBe(404);
      expect(hidden).toEqual(missing);
    });
  });

  describe('synced blocks', () => {
    it('shows a reference to an original the reader cannot see without its content', async () => {
      const original = (
        await owner.blocks.children.append({
          block_id: secret,
          children: [
            {
              synced_block: {
                synced_from: null,
                children: [{ paragraph: { rich_text: text('salary table') } }],
              },
            },
          ],
        } as never)
      ).results[0]!.id;
      const reference = (
        await owner.blocks.children.append({
          block_id: shared,
          children: [{ synced_block: { synced_from: { block_id: original } } }],
        } as never)
      ).results[0]!.id;
      const ownView = await owner.blocks.children.list({ block_id: reference });
      expect(ownView.results).toHaveLength(1);
      const seen = (await outsider.blocks.retrieve({ block_id: reference })) as { has_children: boolean };
      expect(seen.has_children).toBe(false);
      const listed = await outsider.blocks.children.list({ block_id: reference });
      expect(listed.results).toEqual([]);
    });
  });

  describe('authors and parents', () => {
    it('names authors by id only, without user information', async () => {
      const page = await owner.pages.create({
        parent: { page_id: shared },
        properties: { title: { title: text('Authored') } },
      });
      const seen = (await outsider.pages.retrieve({ page_id: page.id })) as unknown as {
        created_by: Record<string, unknown>;
        last_edited_by: Record<string, unknown>;
      };
      expect(Object.keys(seen.created_by).sort()).toEqual(['id', 'object']);
      expect(Object.keys(seen.last_edited_by).sort()).toEqual(['id', 'object']);
    });

    it('refuses to append under, move to or link to a hidden page exactly as to a missing one', async () => {
      const tries = async (id: string) => {
        const calls: [string, string, unknown][] = [
          ['PATCH', `/v1/blocks/${id}/children`, { children: [{ paragraph: { rich_text: text('x') } }] }],
          ['POST', `/v1/pages/${outsiderHome}/move`, { parent: { type: 'page_id', page_id: id } }],
          ['PATCH', `/v1/blocks/${outsiderHome}/children`, { children: [{ link_to_page: { page_id: id } }] }],
          ['POST', '/v1/pages', { parent: { page_id: id }, properties: {} }],
        ];
        return Promise.all(
          calls.map(async ([method, path, body]) => {
            const res = await h.request(path, { method, token: outsiderToken, body: JSON.stringify(body) });
            const json = (await res.json()) as { code: string; message: string };
            return { status: res.status, code: json.code, message: json.message.replaceAll(id, 'ID') };
          }),
        );
      };
      const hidden = await tries(secret);
      expect(hidden.every((t) => t.status === 404)).toBe(true);
      expect(hidden).toEqual(await tries(MISSING));
    });
  });
});
