/*
 * Every block type the API writes, through the browser editor and back, in Chromium on both
 * engines. A page holding nested blocks of each type (headings 1–3 and a toggleable one,
 * paragraph, bulleted/numbered/to-do lists nested three deep, toggle, quote, callout, code with a
 * language, divider, table, image, video, file, bookmark, embed, equation, table of contents,
 * breadcrumb) and of types the editor shows read-only (column list, synced block, link to page,
 * child page) is made with the official SDK and opened in the editor; text is edited in several
 * blocks and new nested blocks are typed with markdown shortcuts. Read back through the SDK, every
 * block keeps its type, nesting, fields and id except the edits; and blocks the SDK appends to the
 * open page (nested) appear without a reload.
 *
 * Skipped with a notice when /usr/bin/chromium is absent; under CI=true it must run.
 */
import type { Client } from '@notionhq/client';
import type { Locator } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { sharePage } from '../../src/ops/integrations.ts';
import { newPerson } from '../helpers/oauth.ts';
import { describeBrowser, eventually, useBrowser } from '../helpers/web-suite.ts';

interface Node {
  id: string;
  type: string;
  /** Text, and the fields of the type that the editor must keep (language, URL, checked, …). */
  fields: Record<string, unknown>;
  children?: Node[];
}

type Raw = Record<string, unknown> & { id: string; type: string; has_children: boolean };
const plain = (rt: unknown) =>
  Array.isArray(rt) ? rt.map((t: { plain_text: string }) => t.plain_text).join('') : undefined;

/** The fields of a block worth comparing (text, and what each type carries). */
function fieldsOf(b: Raw): Record<string, unknown> {
  const p = (b[b.type] ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if ('rich_text' in p) out.text = plain(p.rich_text);
  if ('caption' in p && plain(p.caption)) out.caption = plain(p.caption);
  for (const k of [
    'language',
    'expression',
    'url',
    'checked',
    'is_toggleable',
    'color',
    'table_width',
    'has_column_header',
    'has_row_header',
    'title',
  ])
    if (k in p) out[k] = p[k];
  if (p.type === 'external') out.url = (p.external as { url: string }).url;
  if (p.icon) out.icon = p.icon;
  if (b.type === 'table_row') out.cells = (p.cells as unknown[]).map(plain);
  if (b.type === 'link_to_page') out.target = p.page_id ?? p.database_id;
  return out;
}

/** The page's blocks as the SDK reads them, nested (child pages not descended). */
async function readTree(sdk: Client, id: string): Promise<Node[]> {
  const results: Raw[] = [];
  let cursor: string | undefined;
  do {
    const page = await sdk.blocks.children.list({
      block_id: id,
      ...(cursor ? { start_cursor: cursor } : {}),
    });
    results.push(...(page.results as unknown as Raw[]));
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return Promise.all(
    results.map(async (b) => {
      const node: Node = { id: b.id, type: b.type, fields: fieldsOf(b) };
      if (b.has_children && b.type !== 'child_page') node.children = await readTree(sdk, b.id);
      return node;
    }),
  );
}

/**
 * Puts the caret at the end of a block's text: a click at the right edge of its (full-width)
 * line, then End, until the page's selection is at the end of that text. Under load a click can
 * land while the editor is still settling; it is tried again rather than typed after.
 */
async function clickEnd(text: Locator) {
  for (let attempt = 1; ; attempt++) {
    const box = await text.boundingBox();
    if (!box) throw new Error('the block is not visible');
    await text.click({ position: { x: box.width - 2, y: box.height / 2 } });
    await text.page().keyboard.press('End');
    const atEnd = await text.evaluate((el) => {
      const sel = getSelection();
      const node = sel?.focusNode;
      if (!sel?.isCollapsed || !node || !el.contains(node)) return false;
      const range = document.createRange();
      range.selectNodeContents(el);
      range.setStart(node, sel.focusOffset);
      return range.toString() === '';
    });
    if (atEnd) return;
    if (attempt === 5) throw new Error('the caret did not reach the end of the block');
    await text.page().waitForTimeout(200 * attempt);
  }
}

const rt = (content: string) => [{ type: 'text' as const, text: { content } }];
const ext = (url: string) => ({ type: 'external' as const, external: { url } });

describeBrowser('browser every-block-type test', 'Every block type in the browser editor', (engine) => {
  const suite = useBrowser(engine);
  // One sign-in for the file, so that each test also runs alone (-t).
  beforeAll(async () => {
    const { server, page } = suite;
    await page.goto(`${server.url}/app`);
    await suite.signIn(await newPerson({ store: server.store }));
    await page.getByRole('navigation', { name: 'Workspace' }).waitFor();
  }, 60_000);

  it('keeps every type through edits, and typed nested blocks read back through the SDK', async () => {
    const { server, page, sdk, errors } = suite;
    const target = await sdk.pages.create({
      parent: { page_id: suite.rootPageId },
      properties: { title: { title: rt('Link target') } },
    });
    const made = await sdk.pages.create({
      parent: { page_id: suite.rootPageId },
      properties: { title: { title: rt('Every block') } },
      children: [
        { heading_1: { rich_text: rt('Heading one') } },
        { heading_2: { rich_text: rt('Heading two') } },
        { heading_3: { rich_text: rt('Heading three') } },
        {
          heading_2: {
            rich_text: rt('Toggle heading'),
            is_toggleable: true,
            children: [{ paragraph: { rich_text: rt('Under the heading') } }],
          },
        },
        { paragraph: { rich_text: rt('A paragraph'), color: 'blue' } },
        {
          bulleted_list_item: {
            rich_text: rt('Bullet'),
            children: [
              {
                bulleted_list_item: {
                  rich_text: rt('Inner bullet'),
                  children: [{ numbered_list_item: { rich_text: rt('Deep number') } }],
                },
              },
            ],
          },
        },
        {
          numbered_list_item: {
            rich_text: rt('First'),
            children: [{ numbered_list_item: { rich_text: rt('First inner') } }],
          },
        },
        { numbered_list_item: { rich_text: rt('Second') } },
        {
          to_do: {
            rich_text: rt('Done task'),
            checked: true,
            children: [{ to_do: { rich_text: rt('Open subtask'), checked: false } }],
          },
        },
        {
          toggle: {
            rich_text: rt('A toggle'),
            children: [
              { paragraph: { rich_text: rt('Hidden text') } },
              { quote: { rich_text: rt('Quoted inside') } },
            ],
          },
        },
        { quote: { rich_text: rt('A quote') } },
        { callout: { rich_text: rt('A callout'), icon: { type: 'emoji', emoji: '💡' } } },
        { code: { rich_text: rt('const answer = 42;'), language: 'typescript' } },
        { divider: {} },
        {
          table: {
            table_width: 2,
            has_column_header: true,
            has_row_header: false,
            children: [
              { table_row: { cells: [rt('Name'), rt('Count')] } },
              { table_row: { cells: [rt('Apples'), rt('3')] } },
            ],
          },
        },
        { image: { ...ext('https://example.invalid/picture.png'), caption: rt('A picture') } },
        { video: ext('https://example.invalid/clip.mp4') },
        { file: { ...ext('https://example.invalid/notes.pdf'), name: 'notes.pdf' } },
        { bookmark: { url: 'https://example.invalid/article', caption: rt('Worth reading') } },
        { embed: { url: 'https://example.invalid/embed' } },
        { equation: { expression: 'e = mc^2' } },
        { table_of_contents: {} },
        { breadcrumb: {} },
        {
          column_list: {
            children: [
              { column: { children: [{ paragraph: { rich_text: rt('Left column') } }] } },
              { column: { children: [{ paragraph: { rich_text: rt('Right column') } }] } },
            ],
          },
        },
        { synced_block: { synced_from: null, children: [{ paragraph: { rich_text: rt('Synced text') } }] } },
        { link_to_page: { type: 'page_id', page_id: target.id } },
        { paragraph: { rich_text: rt('The end') } },
      ] as never,
    });
    await sdk.pages.create({
      parent: { page_id: made.id },
      properties: { title: { title: rt('A child page') } },
    });
    const before = await readTree(sdk, made.id);
    expect(before.map((b) => b.type)).toContain('child_page');

    await page.goto(`${server.url}/app/p/${made.id}`);
    const editor = page.locator('.bn-editor');
    await editor.getByText('The end', { exact: true }).waitFor();
    // Read-only types are shown, never dropped.
    for (const type of ['column_list', 'synced_block'])
      await editor.getByRole('note', { name: `${type} block (read-only)` }).waitFor();
    await editor.getByText('Left column').waitFor();

    const appendTo = async (text: string, typed: string) => {
      await clickEnd(editor.getByText(text, { exact: true }));
      await page.keyboard.type(typed);
    };
    await appendTo('A paragraph', ' edited');
    await appendTo('Inner bullet', ' edited');
    await appendTo('Done task', ' edited');
    await appendTo('A callout', ' edited');
    await appendTo('Heading two', ' edited');
    // New nested blocks at the end, typed with markdown shortcuts.
    await appendTo('The end', '');
    await page.keyboard.press('Enter');
    await page.keyboard.type('## Typed heading');
    await page.keyboard.press('Enter');
    await page.keyboard.type('- Typed bullet');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Typed child');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.type('1. Typed grandchild');
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor({ timeout: 30_000 });

    await server.store.transaction((tx) =>
      sharePage(tx, { pageId: made.id, integrationName: 'Octavo Quickstart', now: new Date().toISOString() }),
    );
    // What the SDK must read: the same blocks (ids, types, nesting, fields) with the edits, and
    // the typed blocks at the end.
    const expected = structuredClone(before);
    const edit = (nodes: Node[], text: string) => {
      for (const n of nodes) {
        if (n.fields.text === text) n.fields.text = `${text} edited`;
        if (n.children) edit(n.children, text);
      }
    };
    for (const t of ['A paragraph', 'Inner bullet', 'Done task', 'A callout', 'Heading two'])
      edit(expected, t);
    const shape = (nodes: Node[]): unknown[] =>
      nodes.map((n) => ({
        type: n.type,
        ...n.fields,
        ...(n.children ? { children: shape(n.children) } : {}),
      }));
    const typed = [
      { type: 'heading_2', text: 'Typed heading', is_toggleable: false, color: 'default' },
      {
        type: 'bulleted_list_item',
        text: 'Typed bullet',
        color: 'default',
        children: [
          {
            type: 'bulleted_list_item',
            text: 'Typed child',
            color: 'default',
            children: [{ type: 'numbered_list_item', text: 'Typed grandchild', color: 'default' }],
          },
        ],
      },
    ];
    // Typed after "The end", so before the child page, the page's last block.
    const shaped = shape(expected);
    const want = [...shaped.slice(0, -1), ...typed, shaped.at(-1)];
    const after = await eventually(
      () => readTree(sdk, made.id),
      (t) => JSON.stringify(shape(t)) === JSON.stringify(want),
    );
    expect(shape(after)).toEqual(want);
    // Nothing was recreated: every block the page had keeps its id.
    const ids = (nodes: Node[]): string[] => nodes.flatMap((n) => [n.id, ...ids(n.children ?? [])]);
    const kept = new Set(ids(expected));
    expect(ids(after).filter((id) => kept.has(id))).toEqual(ids(expected));

    // Blocks appended through the SDK, nested, appear in the open page without a reload.
    await sdk.blocks.children.append({
      block_id: made.id,
      children: [
        {
          bulleted_list_item: {
            rich_text: rt('Appended bullet'),
            children: [{ to_do: { rich_text: rt('Appended nested task'), checked: true } }],
          },
        },
        { code: { rich_text: rt('print("appended")'), language: 'python' } },
        { callout: { rich_text: rt('Appended callout'), icon: { type: 'emoji', emoji: '📌' } } },
      ] as never,
    });
    await editor.getByText('Appended nested task').waitFor({ timeout: 15_000 });
    await editor.getByText('print("appended")').waitFor();
    await editor.getByText('Appended callout').waitFor();
    expect(errors).toEqual([]);
  }, 180_000);

  it('refreshes the sidebar when pages are created or renamed through the SDK, without a reload', async () => {
    const { server, page, sdk, errors } = suite;
    await page.goto(`${server.url}/app`);
    const sidebar = page.getByRole('navigation', { name: 'Workspace' });
    await sidebar.getByRole('link', { name: 'Getting started' }).waitFor();
    await sidebar.getByRole('button', { name: 'Expand Getting started' }).click();
    await sidebar.getByRole('link', { name: 'Link target' }).waitFor();
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });

    const made = await sdk.pages.create({
      parent: { page_id: suite.rootPageId },
      properties: { title: { title: rt('Made elsewhere') } },
    });
    await sidebar.getByRole('link', { name: 'Made elsewhere' }).waitFor({ timeout: 20_000 });
    await sdk.pages.update({
      page_id: made.id,
      properties: { title: { title: rt('Renamed elsewhere') } },
    });
    await sidebar.getByRole('link', { name: 'Renamed elsewhere' }).waitFor({ timeout: 20_000 });
    expect(await sidebar.getByRole('link', { name: 'Made elsewhere' }).count()).toBe(0);
    // A workspace-level page (a root of the tree) renamed elsewhere.
    await sdk.pages.update({
      page_id: suite.rootPageId,
      properties: { title: { title: rt('Started here') } },
    });
    await sidebar.getByRole('link', { name: 'Started here' }).waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    expect(errors).toEqual([]);
  }, 90_000);

  it('inserts Notion block types from the slash menu, read back through the SDK', async () => {
    const { server, page, sdk, errors } = suite;
    const made = await sdk.pages.create({
      parent: { page_id: suite.rootPageId },
      properties: { title: { title: rt('Slash menu') } },
      children: [{ paragraph: { rich_text: rt('Start') } }],
    });
    await page.goto(`${server.url}/app/p/${made.id}`);
    const editor = page.locator('.bn-editor');
    await clickEnd(editor.getByText('Start', { exact: true }));
    const slash = async (item: string) => {
      await page.keyboard.press('Enter');
      await page.keyboard.type(`/${item}`);
      await page
        .getByRole('option', { name: new RegExp(`^${item}`) })
        .first()
        .waitFor();
      await page.keyboard.press('Enter');
    };
    await slash('Callout');
    await page.keyboard.type('Typed callout');
    await slash('Quote');
    await page.keyboard.type('Typed quote');
    await slash('Toggle List');
    await page.keyboard.type('Typed toggle');
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor({ timeout: 30_000 });
    const types = await eventually(
      async () => (await readTree(sdk, made.id)).map((b) => [b.type, b.fields.text]),
      (t) => t.length === 4,
    );
    expect(types).toEqual([
      ['paragraph', 'Start'],
      ['callout', 'Typed callout'],
      ['quote', 'Typed quote'],
      ['toggle', 'Typed toggle'],
    ]);
    expect(errors).toEqual([]);
  }, 90_000);
  it("keeps the person's caret when others' edits arrive, so typing goes on where it was", async () => {
    const { server, page, sdk, errors } = suite;
    const made = await sdk.pages.create({
      parent: { page_id: suite.rootPageId },
      properties: { title: { title: rt('Caret stays') } },
      children: [{ paragraph: { rich_text: rt('Alpha') } }, { paragraph: { rich_text: rt('Beta block') } }],
    });
    const [alpha] = (await sdk.blocks.children.list({ block_id: made.id })).results;
    await page.goto(`${server.url}/app/p/${made.id}`);
    const editor = page.locator('.bn-editor');
    const beta = editor.getByText('Beta block', { exact: true });
    await clickEnd(beta);
    // Six characters in: the caret sits between "Beta" and " block" after the refresh.
    for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowLeft');
    await sdk.blocks.update({
      block_id: alpha!.id,
      paragraph: { rich_text: rt('Alpha changed elsewhere') },
    } as never);
    await editor.getByText('Alpha changed elsewhere', { exact: true }).waitFor({ timeout: 15_000 });
    await page.keyboard.type(' typed');
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor({ timeout: 30_000 });
    const texts = await eventually(
      async () => (await readTree(sdk, made.id)).map((b) => b.fields.text),
      (t) => t[1] === 'Beta typed block',
    );
    expect(texts).toEqual(['Alpha changed elsewhere', 'Beta typed block']);
    expect(errors).toEqual([]);
  }, 90_000);
});
