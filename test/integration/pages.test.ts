import type { PageObjectResponse } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

/** A `properties` object that sets the title. */
const title = (text: string) => ({ title: { title: [{ text: { content: text } }] } });

describeEngines('pages', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  const create = (text: string, extra: Record<string, unknown> = {}, version?: '2022-06-28' | '2026-03-11') =>
    h.client(version ? { version } : {}).pages.create({
      parent: { page_id: h.rootPageId },
      properties: title(text),
      ...extra,
    }) as Promise<PageObjectResponse>;

  describe('POST /v1/pages', () => {
    it('creates a page under a shared page with title, icon, cover and children', async () => {
      const page = await create('Launch plan', {
        icon: { emoji: '🚀' },
        cover: { external: { url: 'https://example.com/cover.png' } },
        children: [{ paragraph: { rich_text: [{ text: { content: 'First line' } }] } }],
      });
      expect(page.object).toBe('page');
      expect(page.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(page.parent).toEqual({ type: 'page_id', page_id: h.rootPageId });
      expect(page.icon).toEqual({ type: 'emoji', emoji: '🚀' });
      expect(page.cover).toEqual({ type: 'external', external: { url: 'https://example.com/cover.png' } });
      expect(page.properties.title).toMatchObject({ id: 'title', type: 'title' });
      expect(page.url).toBe(`http://octavo.test/p/Launch-plan-${page.id.replaceAll('-', '')}`);
      expect(page.created_time).toMatch(/:00\.000Z$/);
      const me = await h.client().users.me({});
      expect(page.created_by).toEqual({ object: 'user', id: me.id });
      const children = await h.client().blocks.children.list({ block_id: page.id });
      expect(children.results).toHaveLength(1);
    });

    it('shows the new page as a child_page block in its parent', async () => {
      const page = await create('Visible child');
      const block = await h.client().blocks.retrieve({ block_id: page.id });
      expect(block).toMatchObject({ type: 'child_page', child_page: { title: 'Visible child' } });
    });

    it('accepts ids without dashes and in upper case', async () => {
      const page = await h.client().pages.create({
        parent: { page_id: h.rootPageId.replaceAll('-', '').toUpperCase() },
        properties: title('Dashless parent'),
      });
      expect((page as PageObjectResponse).parent).toEqual({ type: 'page_id', page_id: h.rootPageId });
      const again = await h.client().pages.retrieve({ page_id: page.id.replaceAll('-', '') });
      expect(again.id).toBe(page.id);
    });

    it('places a page at page_start when asked', async () => {
      const parent = await create('Ordered parent');
      const a = await h.client().pages.create({ parent: { page_id: parent.id }, properties: title('A') });
      const b = await h.client().pages.create({
        parent: { page_id: parent.id },
        properties: title('B'),
        position: { type: 'page_start' },
      });
      const list = await h.client().blocks.children.list({ block_id: parent.id });
      expect(list.results.map((r) => r.id)).toEqual([b.id, a.id]);
    });

    it('rejects a property other than the title under a page parent', async () => {
      const err = await h
        .client()
        .pages.create({
          parent: { page_id: h.rootPageId },
          properties: { Status: { select: { name: 'Done' } } } as never,
        })
        .catch((e) => e);
      expect(err.code).toBe('validation_error');
      expect(err.message).toBe('Status is not a property that exists.');
    });

    it('answers 404 for a database parent, since no database exists', async () => {
      const err = await h
        .client()
        .pages.create({ parent: { database_id: '11111111111111111111111111111111' }, properties: {} })
        .catch((e) => e);
      expect(err.code).toBe('object_not_found');
      expect(err.message).toContain('Could not find database with ID: 11111111-1111-1111-1111-111111111111.');
    });

    it('answers 404 when the parent is not shared with the integration', async () => {
      const hidden = await h.newRootPage('Private notes');
      const err = await h
        .client()
        .pages.create({ parent: { page_id: hidden }, properties: title('x') })
        .catch((e) => e);
      expect(err.code).toBe('object_not_found');
      expect(err.message).toBe(
        `Could not find page with ID: ${hidden}. Make sure the relevant pages and databases are shared with your integration "Octavo Quickstart".`,
      );
      // Notion names the integration's bot user in additional_data, as recorded.
      const me = await h.client().users.me({});
      expect(err.additional_data).toEqual({ integration_id: me.id });
    });

    it('gives an insert-only integration a partial page', async () => {
      const token = await h.newIntegration('Inserter', ['insert_content']);
      const root = await h.newRootPage('Inbox', ['Inserter']);
      const page = await h
        .client({ token })
        .pages.create({ parent: { page_id: root }, properties: title('Drop') });
      expect(page).toMatchObject({ object: 'page', id: expect.any(String) });
      expect(page).not.toHaveProperty('url');
      expect(page).not.toHaveProperty('properties');
      const err = await h
        .client({ token })
        .pages.retrieve({ page_id: page.id })
        .catch((e) => e);
      expect(err.code).toBe('restricted_resource');
    });
  });

  describe('GET /v1/pages/{id}', () => {
    it('returns pages below a shared page, and 404 for anything else', async () => {
      const page = await create('Inherited');
      expect((await h.client().pages.retrieve({ page_id: page.id })).id).toBe(page.id);
      const hidden = await h.newRootPage('Hidden');
      const err = await h
        .client()
        .pages.retrieve({ page_id: hidden })
        .catch((e) => e);
      expect(err.code).toBe('object_not_found');
    });

    it('answers 404 for a block id that is not a page', async () => {
      const page = await create('Has paragraph', {
        children: [{ paragraph: { rich_text: [{ text: { content: 'p' } }] } }],
      });
      const [para] = (await h.client().blocks.children.list({ block_id: page.id })).results;
      const err = await h
        .client()
        .pages.retrieve({ page_id: para!.id })
        .catch((e) => e);
      expect(err.code).toBe('object_not_found');
    });
  });

  describe('PATCH /v1/pages/{id}', () => {
    it('renames, changes icon, clears cover and locks', async () => {
      const page = await create('Old name', { cover: { external: { url: 'https://example.com/c.png' } } });
      const updated = (await h.client().pages.update({
        page_id: page.id,
        properties: title('New name'),
        icon: { external: { url: 'https://example.com/i.png' } },
        cover: null,
        is_locked: true,
      })) as PageObjectResponse;
      expect(updated.properties.title).toMatchObject({ title: [{ plain_text: 'New name' }] });
      expect(updated.icon).toEqual({ type: 'external', external: { url: 'https://example.com/i.png' } });
      expect(updated.cover).toBeNull();
      expect(updated.is_locked).toBe(true);
      expect(updated.url).toContain('/p/New-name-');
    });

    it('trashes and restores with in_trash; edits of a trashed page are refused', async () => {
      const page = await create('Trash me');
      const trashed = (await h
        .client()
        .pages.update({ page_id: page.id, in_trash: true })) as PageObjectResponse;
      expect(trashed.in_trash).toBe(true);
      expect(trashed.archived).toBe(true);
      const err = await h
        .client()
        .pages.update({ page_id: page.id, properties: title('nope') })
        .catch((e) => e);
      expect(err.code).toBe('validation_error');
      expect(err.message).toContain("Can't update a page that is archived.");
      const listed = await h.client().blocks.children.list({ block_id: h.rootPageId });
      expect(listed.results.map((b) => b.id)).not.toContain(page.id);
      const restored = (await h
        .client()
        .pages.update({ page_id: page.id, in_trash: false })) as PageObjectResponse;
      expect(restored.in_trash).toBe(false);
    });

    it('accepts archived before 2026-03-11 and refuses it from then on', async () => {
      const page = await create('Versioned');
      const old = (await h
        .client({ version: '2022-06-28' })
        .pages.update({ page_id: page.id, archived: true })) as PageObjectResponse;
      expect(old.archived).toBe(true);
      expect(old.in_trash).toBe(true);
      const res = await h.request(`/v1/pages/${page.id}`, {
        method: 'PATCH',
        version: '2026-03-11',
        body: JSON.stringify({ archived: false }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toBe(
        'body failed validation: body.archived should be not present, instead was `false`.',
      );
      const latest = await h
        .client({ version: '2026-03-11' })
        .pages.update({ page_id: page.id, in_trash: false });
      expect(latest).not.toHaveProperty('archived');
      expect((latest as PageObjectResponse).in_trash).toBe(false);
    });

    it('needs the update capability', async () => {
      const token = await h.newIntegration('Reader', ['read_content']);
      const page = await create('Read only');
      await h.store.transaction(async (tx) => {
        const integration = await tx.integrations.getByName('Reader');
        await tx.shares.add(integration!.id, page.id, new Date().toISOString());
      });
      const err = await h
        .client({ token })
        .pages.update({ page_id: page.id, is_locked: true })
        .catch((e) => e);
      expect(err.code).toBe('restricted_resource');
      expect(((await h.client().pages.retrieve({ page_id: page.id })) as PageObjectResponse).is_locked).toBe(
        false,
      );
    });
  });

  describe('POST /v1/pages/{id}/move', () => {
    it('moves a page under another page', async () => {
      const a = await create('Folder A');
      const b = await create('Folder B');
      const doc = await h.client().pages.create({ parent: { page_id: a.id }, properties: title('Doc') });
      const moved = (await h
        .client()
        .pages.move({ page_id: doc.id, parent: { page_id: b.id } })) as PageObjectResponse;
      expect(moved.parent).toEqual({ type: 'page_id', page_id: b.id });
      const inB = await h.client().blocks.children.list({ block_id: b.id });
      expect(inB.results.map((r) => r.id)).toEqual([doc.id]);
      const inA = await h.client().blocks.children.list({ block_id: a.id });
      expect(inA.results).toHaveLength(0);
    });

    it('refuses to move a page into its own descendant', async () => {
      const outer = await create('Outer');
      const inner = await h
        .client()
        .pages.create({ parent: { page_id: outer.id }, properties: title('Inner') });
      const err = await h
        .client()
        .pages.move({ page_id: outer.id, parent: { page_id: inner.id } })
        .catch((e) => e);
      expect(err.code).toBe('validation_error');
      const still = (await h.client().pages.retrieve({ page_id: outer.id })) as PageObjectResponse;
      expect(still.parent).toEqual({ type: 'page_id', page_id: h.rootPageId });
    });
  });
});
