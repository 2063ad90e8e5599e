/*
 * The browser app in a real browser (Debian's Chromium via playwright-core) against a running
 * `octavo serve`, on both engines: sign in, create a page from the sidebar, name it, type a
 * heading and nested bullet items in the editor; then read the page back with the official SDK.
 * And the other way round: blocks appended through the SDK appear in the open page without a
 * reload.
 *
 * Skipped with a notice when /usr/bin/chromium is absent; under CI=true it must run.
 */
import type { Client } from '@notionhq/client';
import type { Request } from 'playwright-core';
import { expect, it } from 'vitest';
import { sharePage } from '../../src/ops/integrations.ts';
import { newPerson } from '../helpers/oauth.ts';
import { describeBrowser, eventually, useBrowser } from '../helpers/web-suite.ts';

type Tree = { type: string; text: string; children?: Tree }[];

/** The page's blocks as type + plain text, nested, read through the SDK. */
async function readTree(sdk: Client, id: string): Promise<Tree> {
  const { results } = await sdk.blocks.children.list({ block_id: id });
  return Promise.all(
    results.map(async (b) => {
      const block = b as unknown as Record<string, { rich_text?: { plain_text: string }[] }> & {
        id: string;
        type: string;
        has_children: boolean;
      };
      const text = (block[block.type]?.rich_text ?? []).map((t) => t.plain_text).join('');
      return block.has_children
        ? { type: block.type, text, children: await readTree(sdk, block.id) }
        : { type: block.type, text };
    }),
  );
}

describeBrowser('browser app test', 'The browser app in Chromium', (engine) => {
  const suite = useBrowser(engine);

  it('signs in, creates a page from the sidebar and writes nested blocks read back by the SDK', async () => {
    const { server, page, sdk, errors } = suite;
    const person = await newPerson({ store: server.store });
    await page.goto(`${server.url}/app`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await suite.signIn(person);
    await page.getByRole('navigation', { name: 'Workspace' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/app');
    // The workspace's pages are there, whoever they are shared with.
    await page.getByRole('link', { name: 'Getting started' }).waitFor();

    await page.getByRole('button', { name: 'New page' }).click();
    await page.waitForURL(/\/app\/p\/[0-9a-f-]{36}$/);
    const id = new URL(page.url()).pathname.split('/').at(-1)!;
    const title = page.getByRole('textbox', { name: 'Page title' });
    await title.waitFor();
    await expect
      .poll(() => title.evaluate((el) => el === document.activeElement), { timeout: 15_000 })
      .toBe(true);
    await title.fill('Trip plan');
    await title.press('Enter');
    await page.getByRole('navigation').getByRole('link', { name: 'Trip plan' }).waitFor();

    const editor = page.locator('.bn-editor');
    await editor.click();
    await page.keyboard.type('# Packing');
    await page.keyboard.press('Enter');
    await page.keyboard.type('- Clothes');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Socks');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Shirts');
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();

    // The person's page is theirs; share it so the integration's SDK client can read it.
    await server.store.transaction((tx) =>
      sharePage(tx, { pageId: id, integrationName: 'Octavo Quickstart', now: new Date().toISOString() }),
    );
    const expected: Tree = [
      { type: 'heading_1', text: 'Packing' },
      {
        type: 'bulleted_list_item',
        text: 'Clothes',
        children: [
          { type: 'bulleted_list_item', text: 'Socks' },
          { type: 'bulleted_list_item', text: 'Shirts' },
        ],
      },
    ];
    const tree = await eventually(
      () => readTree(sdk, id),
      (t) => JSON.stringify(t) === JSON.stringify(expected),
    );
    expect(tree).toEqual(expected);
    const stored = (await sdk.pages.retrieve({ page_id: id })) as unknown as {
      created_by: { id: string };
      properties: { title: { title: { plain_text: string }[] } };
    };
    expect(stored.created_by.id).toBe(person.user.id);
    expect(stored.properties.title.title.map((t) => t.plain_text).join('')).toBe('Trip plan');

    // An SDK write to the open page shows up without a reload.
    await sdk.blocks.children.append({
      block_id: id,
      children: [
        { paragraph: { rich_text: [{ type: 'text', text: { content: 'Added through the API' } }] } },
      ],
    });
    await editor.getByText('Added through the API').waitFor({ timeout: 15_000 });
    await editor.getByText('Socks').waitFor();
    expect(errors).toEqual([]);
  }, 90_000);

  it('at phone width: breadcrumbs, icon and cover, search, sub-page, rename, trash, restore; then a drag-and-drop move', async () => {
    const { server, page, sdk, errors } = suite;
    // Signed in by the test above (same browser profile).
    const garden = await sdk.pages.create({
      parent: { page_id: server.boot.created!.pageId },
      icon: { type: 'emoji', emoji: '🌱' },
      cover: { type: 'external', external: { url: 'https://example.invalid/cover.png' } },
      properties: { title: { title: [{ type: 'text', text: { content: 'Garden' } }] } },
    });
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`${server.url}/app/p/${garden.id}`);
    const crumbs = page.getByRole('navigation', { name: 'Breadcrumbs' });
    await crumbs.getByRole('link', { name: 'Getting started' }).waitFor();
    expect(await page.locator('.page-head .page-icon').textContent()).toBe('🌱');
    expect(await page.locator('img.cover').getAttribute('src')).toBe('https://example.invalid/cover.png');
    // The sidebar is behind the Menu button at this width.
    const sidebar = page.getByRole('navigation', { name: 'Workspace' });
    expect(await sidebar.isVisible()).toBe(false);
    const openMenu = async () => {
      const menu = page.getByRole('button', { name: 'Menu' });
      if ((await menu.getAttribute('aria-expanded')) !== 'true') await menu.click();
      await sidebar.waitFor();
    };

    await openMenu();
    await sidebar.getByLabel('Search pages').fill('Gard');
    await sidebar.getByRole('list', { name: 'Search results' }).getByRole('link', { name: 'Garden' }).click();
    await page.waitForURL(`**/app/p/${garden.id}`);

    await openMenu();
    await sidebar.getByRole('button', { name: 'Expand Getting started' }).click();
    await sidebar.getByRole('button', { name: 'Add a page inside Garden' }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(garden.id));
    const seedsId = new URL(page.url()).pathname.split('/').at(-1)!;
    const title = page.getByRole('textbox', { name: 'Page title' });
    await title.fill('Seeds');
    await title.press('Enter');
    const titleOf = async (id: string) => {
      const p = (await sdk.pages.retrieve({ page_id: id })) as unknown as {
        in_trash: boolean;
        properties: { title: { title: { plain_text: string }[] } };
      };
      return { title: p.properties.title.title.map((t) => t.plain_text).join(''), inTrash: p.in_trash };
    };
    expect(
      await eventually(
        () => titleOf(seedsId),
        (t) => t.title === 'Seeds',
      ),
    ).toEqual({
      title: 'Seeds',
      inTrash: false,
    });
    const children = await sdk.blocks.children.list({ block_id: garden.id });
    expect(children.results.map((b) => (b as { type: string }).type)).toEqual(['child_page']);
    await crumbs.getByRole('link', { name: 'Garden' }).waitFor();

    await openMenu();
    await sidebar.getByRole('button', { name: 'Rename Seeds' }).click();
    const rename = sidebar.getByLabel('New title');
    await rename.fill('Seed list');
    await rename.press('Enter');
    expect(
      (
        await eventually(
          () => titleOf(seedsId),
          (t) => t.title === 'Seed list',
        )
      ).title,
    ).toBe('Seed list');

    await sidebar.getByRole('button', { name: 'Move Seed list to trash' }).click();
    // The open page was trashed: the app leaves it, keeping the menu open (its Trash list now
    // holds the page), so nothing closes the menu after this point.
    await page.waitForURL(`${server.url}/app`);
    expect(await page.getByRole('button', { name: 'Menu' }).getAttribute('aria-expanded')).toBe('true');
    expect(
      (
        await eventually(
          () => titleOf(seedsId),
          (t) => t.inTrash,
        )
      ).inTrash,
    ).toBe(true);
    await openMenu();
    await sidebar.getByText('Trash (1)').click();
    await sidebar.getByRole('button', { name: 'Restore Seed list' }).click();
    expect(
      (
        await eventually(
          () => titleOf(seedsId),
          (t) => !t.inTrash,
        )
      ).inTrash,
    ).toBe(false);
    await sidebar.getByRole('link', { name: 'Seed list' }).waitFor();

    // Drag and drop (laptop width): "Seed list" onto "Trip plan" moves it there.
    await page.setViewportSize({ width: 1280, height: 800 });
    await sidebar
      .getByRole('link', { name: 'Seed list' })
      .dragTo(sidebar.getByRole('link', { name: 'Trip plan' }));
    const moved = await eventually(
      async () =>
        ((await sdk.pages.retrieve({ page_id: seedsId })) as { parent: { page_id?: string } }).parent,
      (p) => p.page_id !== garden.id,
    );
    const tripPlan = (await sdk.search({ query: 'Trip plan' })).results[0]!.id;
    expect(moved.page_id).toBe(tripPlan);
    await sidebar.getByRole('button', { name: 'Collapse Trip plan' }).waitFor();
    expect(errors).toEqual([]);
  }, 90_000);

  it('shows blocks it cannot edit read-only and keeps them through an edit', async () => {
    const { server, page, sdk, errors } = suite;
    const text = (content: string) => ({ rich_text: [{ type: 'text', text: { content } }] });
    const mixed = await sdk.pages.create({
      parent: { page_id: server.boot.created!.pageId },
      properties: { title: { title: [{ type: 'text', text: { content: 'Mixed blocks' } }] } },
      children: [
        { paragraph: text('Intro') },
        {
          column_list: {
            children: [
              { column: { children: [{ paragraph: text('Left column') }] } },
              { column: { children: [{ paragraph: text('Right column') }] } },
            ],
          },
        },
        { synced_block: { synced_from: null, children: [{ paragraph: text('Synced text') }] } },
        { paragraph: text('Outro') },
      ] as never,
    });
    const before = await readTree(sdk, mixed.id);
    // Opened by its address: one request says what the id is and brings the page, then its
    // blocks; neither GET /v1/blocks/{id} nor GET /v1/pages/{id}.
    const asked: string[] = [];
    const onRequest = (r: Request) => {
      const url = new URL(r.url());
      if (url.pathname.includes(mixed.id)) asked.push(`${r.method()} ${url.pathname}`);
    };
    page.on('request', onRequest);
    await page.goto(`${server.url}/app/p/${mixed.id}`);
    const editor = page.locator('.bn-editor');
    await editor.getByRole('note', { name: 'column_list block (read-only)' }).waitFor();
    await editor.getByRole('note', { name: 'synced_block block (read-only)' }).waitFor();
    page.off('request', onRequest);
    expect(asked).toEqual([
      `GET /app/p/${mixed.id}`,
      `GET /app/api/kinds/${mixed.id}`,
      `GET /v1/blocks/${mixed.id}/children`,
    ]);
    await editor.getByText('Intro', { exact: true }).click();
    await page.keyboard.press('End');
    await page.keyboard.type(' edited');
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const expected = structuredClone(before);
    expected[0]!.text = 'Intro edited';
    const after = await eventually(
      () => readTree(sdk, mixed.id),
      (t) => JSON.stringify(t) === JSON.stringify(expected),
    );
    expect(after).toEqual(expected);
    expect(after.map((b) => b.type)).toEqual(['paragraph', 'column_list', 'synced_block', 'paragraph']);
    expect(errors).toEqual([]);
  }, 90_000);
});
