import type { BlockObjectRequest } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

/** A request rich text array with one plain item. */
const rt = (content: string) => [{ text: { content } }];
/** The response form of `rt(content)`. */
const RT = (content: string) => [
  {
    type: 'text',
    text: { content, link: null },
    annotations: {
      bold: false,
      italic: false,
      strikethrough: false,
      underline: false,
      code: false,
      color: 'default',
    },
    plain_text: content,
    href: null,
  },
];

type Block = Record<string, unknown> & { id: string; type: string; has_children: boolean };

describeEngines('block types', (engine) => {
  let h: Harness;
  let linked: string;
  beforeAll(async () => {
    h = await startHarness(engine);
    linked = (await newPage('Link target')).id;
  });
  afterAll(() => h.close());

  function newPage(title: string, children: BlockObjectRequest[] = []) {
    return h.client().pages.create({
      parent: { page_id: h.rootPageId },
      properties: { title: { title: [{ text: { content: title } }] } },
      children,
    });
  }

  async function list(id: string): Promise<Block[]> {
    return (await h.client().blocks.children.list({ block_id: id })).results as Block[];
  }

  /** Each case: what a client sends, and the payload every read must answer. */
  const cases = (): Array<[string, BlockObjectRequest, Record<string, unknown>]> => [
    [
      'paragraph',
      { paragraph: { rich_text: rt('p'), color: 'blue', icon: { emoji: '🎯' } } },
      { rich_text: RT('p'), icon: { type: 'emoji', emoji: '🎯' }, color: 'blue' },
    ],
    ['paragraph', { paragraph: { rich_text: [] } }, { rich_text: [], icon: null, color: 'default' }],
    ...(['heading_1', 'heading_2', 'heading_3', 'heading_4'] as const).map(
      (t): [string, BlockObjectRequest, Record<string, unknown>] => [
        t,
        { [t]: { rich_text: rt(t) } } as unknown as BlockObjectRequest,
        { rich_text: RT(t), is_toggleable: false, color: 'default' },
      ],
    ),
    ...(['bulleted_list_item', 'numbered_list_item', 'quote', 'toggle'] as const).map(
      (t): [string, BlockObjectRequest, Record<string, unknown>] => [
        t,
        { [t]: { rich_text: rt(t), color: 'red_background' } } as unknown as BlockObjectRequest,
        { rich_text: RT(t), color: 'red_background' },
      ],
    ),
    [
      'to_do',
      { to_do: { rich_text: rt('task'), checked: true } },
      { rich_text: RT('task'), checked: true, color: 'default' },
    ],
    [
      'to_do',
      { to_do: { rich_text: rt('open') } },
      { rich_text: RT('open'), checked: false, color: 'default' },
    ],
    ['template', { template: { rich_text: rt('tpl') } }, { rich_text: RT('tpl') }],
    [
      'callout',
      {
        callout: {
          rich_text: rt('c'),
          icon: { type: 'icon', icon: { name: 'pizza' } },
          color: 'gray_background',
        },
      },
      {
        rich_text: RT('c'),
        icon: { type: 'icon', icon: { name: 'pizza', color: 'gray' } },
        color: 'gray_background',
      },
    ],
    [
      'callout',
      { callout: { rich_text: rt('bare') } },
      { rich_text: RT('bare'), icon: null, color: 'default' },
    ],
    [
      'code',
      { code: { rich_text: rt('let x = 1'), language: 'typescript', caption: rt('cap') } },
      { caption: RT('cap'), rich_text: RT('let x = 1'), language: 'typescript' },
    ],
    [
      'code',
      { code: { rich_text: [], language: 'java/c/c++/c#' } },
      { caption: [], rich_text: [], language: 'java/c/c++/c#' },
    ],
    ['equation', { equation: { expression: 'e = mc^2' } }, { expression: 'e = mc^2' }],
    ['divider', { divider: {} }, {}],
    ['breadcrumb', { breadcrumb: {} }, {}],
    ['table_of_contents', { table_of_contents: {} }, { color: 'default' }],
    ['table_of_contents', { table_of_contents: { color: 'pink' } }, { color: 'pink' }],
    ['link_to_page', { link_to_page: { page_id: linked } }, { type: 'page_id', page_id: linked }],
    [
      'embed',
      { embed: { url: 'https://example.com/embed' } },
      { caption: [], url: 'https://example.com/embed' },
    ],
    [
      'bookmark',
      { bookmark: { url: 'https://example.com', caption: rt('site') } },
      { caption: RT('site'), url: 'https://example.com' },
    ],
    ...(['image', 'video', 'audio', 'pdf'] as const).map(
      (t): [string, BlockObjectRequest, Record<string, unknown>] => [
        t,
        {
          [t]: { type: 'external', external: { url: `https://example.com/a.${t}` } },
        } as unknown as BlockObjectRequest,
        { caption: [], type: 'external', external: { url: `https://example.com/a.${t}` } },
      ],
    ),
    [
      'file',
      { file: { external: { url: 'https://example.com/files/report%20v2.pdf' }, caption: rt('f') } },
      {
        caption: RT('f'),
        type: 'external',
        external: { url: 'https://example.com/files/report%20v2.pdf' },
        name: 'report v2.pdf',
      },
    ],
    [
      'file',
      { file: { external: { url: 'https://example.com/x' }, name: 'notes.txt' } },
      { caption: [], type: 'external', external: { url: 'https://example.com/x' }, name: 'notes.txt' },
    ],
  ];

  describe('PATCH /v1/blocks/{id}/children', () => {
    it('round-trips every leaf type: append, list and retrieve answer what was sent, normalized', async () => {
      const page = await newPage('All types');
      const all = cases();
      const appended = await h.client().blocks.children.append({
        block_id: page.id,
        children: all.map(([, request]) => request),
      });
      const listed = await list(page.id);
      expect(appended.results).toHaveLength(all.length);
      expect(listed.map((b) => b.id)).toEqual(appended.results.map((b) => b.id));
      for (const [i, [type, , payload]] of all.entries()) {
        const fromAppend = appended.results[i] as Block;
        const retrieved = (await h.client().blocks.retrieve({ block_id: fromAppend.id })) as Block;
        for (const block of [fromAppend, listed[i]!, retrieved]) {
          expect(block.type).toBe(type);
          expect(block[type]).toEqual(payload);
          expect(block.has_children).toBe(false);
          expect(block.parent).toEqual({ type: 'page_id', page_id: page.id });
        }
      }
    });

    it('keeps Notion key order in payloads (paragraph: rich_text, icon, color)', async () => {
      const page = await newPage('Order');
      const [p] = (
        await h
          .client()
          .blocks.children.append({ block_id: page.id, children: [{ paragraph: { rich_text: rt('x') } }] })
      ).results as Block[];
      expect(Object.keys(p!.paragraph as object)).toEqual(['rich_text', 'icon', 'color']);
      expect(Object.keys(p!)).toEqual([
        'object',
        'id',
        'parent',
        'created_time',
        'last_edited_time',
        'created_by',
        'last_edited_by',
        'has_children',
        'in_trash',
        'type',
        'paragraph',
        'archived',
      ]);
    });

    it('creates a table with its rows; rows have the table as parent', async () => {
      const page = await newPage('Table');
      const [table] = (
        await h.client().blocks.children.append({
          block_id: page.id,
          children: [
            {
              table: {
                table_width: 2,
                has_column_header: true,
                children: [
                  { table_row: { cells: [rt('A'), rt('B')] } },
                  { table_row: { cells: [rt('1'), []] } },
                ],
              },
            },
          ],
        })
      ).results as Block[];
      expect(table!.table).toEqual({ table_width: 2, has_column_header: true, has_row_header: false });
      expect(table!.has_children).toBe(true);
      const rows = await list(table!.id);
      expect(rows.map((r) => r.table_row)).toEqual([{ cells: [RT('A'), RT('B')] }, { cells: [RT('1'), []] }]);
      expect(rows[0]!.parent).toEqual({ type: 'block_id', block_id: table!.id });
      const more = await h.client().blocks.children.append({
        block_id: table!.id,
        children: [{ table_row: { cells: [rt('2'), rt('3')] } }],
      });
      expect((more.results[0] as Block).type).toBe('table_row');
      expect(await list(table!.id)).toHaveLength(3);
    });

    it('creates column lists with columns (width_ratio) holding content two levels deep', async () => {
      const page = await newPage('Columns');
      const [cl] = (
        await h.client().blocks.children.append({
          block_id: page.id,
          children: [
            {
              column_list: {
                children: [
                  {
                    column: {
                      width_ratio: 0.25,
                      children: [
                        {
                          toggle: {
                            rich_text: rt('t'),
                            children: [{ paragraph: { rich_text: rt('deep') } }],
                          },
                        },
                      ],
                    },
                  },
                  { column: { children: [{ to_do: { rich_text: rt('task') } }] } },
                ],
              },
            },
          ],
        })
      ).results as Block[];
      expect(cl!.type).toBe('column_list');
      expect(cl!.column_list).toEqual({});
      const columns = await list(cl!.id);
      expect(columns.map((c) => c.column)).toEqual([{ width_ratio: 0.25 }, {}]);
      const [toggle] = await list(columns[0]!.id);
      expect(toggle!.has_children).toBe(true);
      expect((await list(toggle!.id))[0]!.paragraph).toMatchObject({ rich_text: RT('deep') });
      const added = await h.client().blocks.children.append({
        block_id: cl!.id,
        children: [{ column: { children: [{ divider: {} }] } }],
      });
      expect((added.results[0] as Block).parent).toEqual({ type: 'block_id', block_id: cl!.id });
      expect(await list(cl!.id)).toHaveLength(3);
    });

    it('accepts a column_list one level down, its columns counting with it', async () => {
      const page = await newPage('Columns in toggle');
      const [toggle] = (
        await h.client().blocks.children.append({
          block_id: page.id,
          children: [
            {
              toggle: {
                rich_text: rt('T'),
                children: [
                  {
                    column_list: {
                      children: [
                        { column: { children: [{ divider: {} }] } },
                        { column: { children: [{ divider: {} }] } },
                      ],
                    },
                  },
                ],
              } as never,
            },
          ],
        })
      ).results as Block[];
      const [cl] = await list(toggle!.id);
      expect(cl!.type).toBe('column_list');
      expect((await list(cl!.id)).map((c) => c.has_children)).toEqual([true, true]);
    });

    it('nests children under toggleable headings, callouts, quotes and list items', async () => {
      const page = await newPage('Nesting');
      const res = await h.client().blocks.children.append({
        block_id: page.id,
        children: [
          {
            heading_2: {
              rich_text: rt('H'),
              is_toggleable: true,
              children: [{ paragraph: { rich_text: rt('in h') } }],
            },
          },
          { callout: { rich_text: rt('C'), children: [{ quote: { rich_text: rt('in c') } }] } },
          {
            bulleted_list_item: {
              rich_text: rt('L0'),
              children: [
                {
                  bulleted_list_item: {
                    rich_text: rt('L1'),
                    children: [{ paragraph: { rich_text: rt('L2') } }],
                  },
                },
              ],
            },
          },
        ],
      });
      const blocks = res.results as Block[];
      expect(blocks.map((b) => b.has_children)).toEqual([true, true, true]);
      expect(blocks[0]!.heading_2).toEqual({ rich_text: RT('H'), is_toggleable: true, color: 'default' });
      const [l1] = await list(blocks[2]!.id);
      const [l2] = await list(l1!.id);
      expect(l2!.paragraph).toMatchObject({ rich_text: RT('L2') });
      expect(l2!.parent).toEqual({ type: 'block_id', block_id: l1!.id });
    });

    it('creates tabs whose children are paragraph tab items with icons', async () => {
      const page = await newPage('Tabs');
      const [tab] = (
        await h.client().blocks.children.append({
          block_id: page.id,
          children: [
            {
              tab: {
                children: [
                  { paragraph: { rich_text: rt('One'), icon: { emoji: '📁' }, children: [{ divider: {} }] } },
                  { paragraph: { rich_text: rt('Two') } },
                ],
              },
            },
          ],
        })
      ).results as Block[];
      expect(tab!.tab).toEqual({});
      const items = await list(tab!.id);
      expect(items.map((i) => (i.paragraph as { icon: unknown }).icon)).toEqual([
        { type: 'emoji', emoji: '📁' },
        null,
      ]);
      expect(items[0]!.has_children).toBe(true);
    });

    it('synced blocks: an original holds children; a reference shows the original content', async () => {
      const page = await newPage('Synced');
      const [original] = (
        await h.client().blocks.children.append({
          block_id: page.id,
          children: [
            { synced_block: { synced_from: null, children: [{ paragraph: { rich_text: rt('shared') } }] } },
          ],
        })
      ).results as Block[];
      expect(original!.synced_block).toEqual({ synced_from: null });
      expect(original!.has_children).toBe(true);
      const [reference] = (
        await h.client().blocks.children.append({
          block_id: page.id,
          children: [{ synced_block: { synced_from: { block_id: original!.id } } }],
        })
      ).results as Block[];
      expect(reference!.synced_block).toEqual({ synced_from: { type: 'block_id', block_id: original!.id } });
      expect(reference!.has_children).toBe(true);
      const shown = await list(reference!.id);
      expect(shown.map((b) => b.paragraph)).toEqual([
        { rich_text: RT('shared'), icon: null, color: 'default' },
      ]);
    });
  });

  describe('POST /v1/pages children', () => {
    it('creates a page whose content holds containers, media and code', async () => {
      const page = await newPage('Rich page', [
        { heading_1: { rich_text: rt('Title') } },
        { code: { rich_text: rt('SELECT 1'), language: 'sql' } },
        { image: { external: { url: 'https://example.com/i.png' }, caption: rt('pic') } },
        { table: { table_width: 1, children: [{ table_row: { cells: [rt('only')] } }] } },
        {
          column_list: {
            children: [
              { column: { children: [{ paragraph: { rich_text: rt('left') } }] } },
              { column: { children: [{ paragraph: { rich_text: rt('right') } }] } },
            ],
          },
        },
      ]);
      const blocks = await list(page.id);
      expect(blocks.map((b) => b.type)).toEqual(['heading_1', 'code', 'image', 'table', 'column_list']);
      expect(blocks[1]!.code).toEqual({ caption: [], rich_text: RT('SELECT 1'), language: 'sql' });
      expect(blocks[2]!.image).toEqual({
        caption: RT('pic'),
        type: 'external',
        external: { url: 'https://example.com/i.png' },
      });
      expect(blocks.map((b) => b.has_children)).toEqual([false, false, false, true, true]);
      const columns = await list(blocks[4]!.id);
      expect(columns).toHaveLength(2);
      expect((await list(columns[1]!.id))[0]!.paragraph).toMatchObject({ rich_text: RT('right') });
    });
  });

  describe('meeting notes naming', () => {
    it('presents a stored meeting_notes block as transcription before 2026-03-11', async () => {
      const page = await newPage('Meeting');
      const [anchor] = (
        await h.client().blocks.children.append({ block_id: page.id, children: [{ divider: {} }] })
      ).results as Block[];
      const id = anchor!.id;
      await h.store.transaction(async (tx) => {
        await tx.blocks.update(id, { type: 'meeting_notes', data: JSON.stringify({ title: RT('Standup') }) });
      });
      const latest = (await h.client({ version: '2026-03-11' }).blocks.retrieve({ block_id: id })) as Block;
      expect(latest.type).toBe('meeting_notes');
      expect(latest.meeting_notes).toEqual({ title: RT('Standup') });
      expect('archived' in latest).toBe(false);
      const older = (await h.client({ version: '2025-09-03' }).blocks.retrieve({ block_id: id })) as Block;
      expect(older.type).toBe('transcription');
      expect(older.transcription).toEqual({ title: RT('Standup') });
      expect(older.archived).toBe(false);
    });
  });
});
