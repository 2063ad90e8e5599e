/*
 * Blocks → markdown → blocks: for every block type the API can write, a page holding that block
 * (written with the blocks API) is read as markdown, the markdown written into a new page, and
 * the new page's blocks must equal the original's (type and content, children included).
 */
import type { Client } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

const rt = (content: string, annotations: Record<string, unknown> = {}, link?: string) => ({
  type: 'text' as const,
  text: { content, ...(link ? { link: { url: link } } : {}) },
  annotations,
});
const para = (content: string) => ({ paragraph: { rich_text: [rt(content)] } });
const URL_A = 'https://example.com/a.png';

/** One case per writable block type: the children to append (as the SDK sends them). */
const CASES: Record<string, unknown[]> = {
  paragraph: [
    {
      paragraph: {
        rich_text: [
          rt('plain '),
          rt('bold', { bold: true }),
          rt(' it', { italic: true }),
          rt(' strike', { strikethrough: true }),
          rt(' code', { code: true }),
          rt(' under', { underline: true }),
          rt(' red', { color: 'red' }),
          rt(' link', {}, 'https://example.com/'),
          { type: 'equation', equation: { expression: 'x^2' } },
          rt(' * # [x] <b> $5 | end'),
        ],
        color: 'blue_background',
      },
    },
  ],
  empty_paragraph: [{ paragraph: { rich_text: [] } }],
  nested_paragraph: [{ paragraph: { rich_text: [rt('parent')], children: [para('child')] } }],
  heading_1: [{ heading_1: { rich_text: [rt('One')] } }],
  heading_2: [{ heading_2: { rich_text: [rt('Two')], color: 'green' } }],
  heading_3: [{ heading_3: { rich_text: [rt('Three')] } }],
  heading_4: [{ heading_4: { rich_text: [rt('Four')] } }],
  toggle_heading: [{ heading_2: { rich_text: [rt('T')], is_toggleable: true, children: [para('inside')] } }],
  bulleted_list_item: [
    {
      bulleted_list_item: {
        rich_text: [rt('a')],
        children: [{ bulleted_list_item: { rich_text: [rt('b')] } }],
      },
    },
    { bulleted_list_item: { rich_text: [rt('c')] } },
  ],
  numbered_list_item: [
    { numbered_list_item: { rich_text: [rt('first')] } },
    { numbered_list_item: { rich_text: [rt('second')] } },
  ],
  to_do: [{ to_do: { rich_text: [rt('open')] } }, { to_do: { rich_text: [rt('done')], checked: true } }],
  quote: [{ quote: { rich_text: [rt('line 1\nline 2')] } }],
  toggle: [{ toggle: { rich_text: [rt('Toggle')], children: [para('hidden'), para('more')] } }],
  callout: [
    {
      callout: {
        rich_text: [rt('Note')],
        icon: { emoji: '💡' },
        color: 'gray_background',
        children: [para('c')],
      },
    },
  ],
  code: [{ code: { rich_text: [rt('const a = 1;\n\tindented\n```')], language: 'typescript' } }],
  code_plain: [{ code: { rich_text: [rt('x')], language: 'plain text' } }],
  equation: [{ equation: { expression: 'E = mc^2' } }],
  divider: [{ divider: {} }],
  table_of_contents: [{ table_of_contents: {} }],
  table: [
    {
      table: {
        table_width: 2,
        has_column_header: true,
        has_row_header: false,
        children: [
          { table_row: { cells: [[rt('h1')], [rt('h2')]] } },
          { table_row: { cells: [[rt('a', { bold: true })], []] } },
        ],
      },
    },
  ],
  column_list: [
    {
      column_list: {
        children: [{ column: { children: [para('left')] } }, { column: { children: [para('right')] } }],
      },
    },
  ],
  image: [{ image: { external: { url: URL_A }, caption: [rt('A picture')] } }],
  video: [{ video: { external: { url: 'https://example.com/v.mp4' }, caption: [] } }],
  audio: [{ audio: { external: { url: 'https://example.com/a.mp3' } } }],
  pdf: [{ pdf: { external: { url: 'https://example.com/d.pdf' }, caption: [rt('doc')] } }],
  file: [{ file: { external: { url: 'https://example.com/f.zip' } } }],
  bookmark: [{ bookmark: { url: 'https://example.com/b', caption: [rt('cap')] } }],
  embed: [{ embed: { url: 'https://example.com/e' } }],
  synced_block: [{ synced_block: { synced_from: null, children: [para('synced')] } }],
};

/** A block tree reduced to what the round trip keeps: type, payload and children. */
async function contentOf(client: Client, id: string): Promise<unknown[]> {
  const res = await client.blocks.children.list({ block_id: id });
  const out: unknown[] = [];
  for (const b of res.results as Array<
    Record<string, unknown> & { type: string; id: string; has_children: boolean }
  >) {
    const payload = { ...(b[b.type] as Record<string, unknown>) };
    out.push({ type: b.type, payload, children: b.has_children ? await contentOf(client, b.id) : [] });
  }
  return out;
}

describeEngines('page markdown round trip', (engine) => {
  let h: Harness;
  let client: Client;
  beforeAll(async () => {
    h = await startHarness(engine);
    client = h.client({ version: '2026-03-11' });
  });
  afterAll(() => h.close());

  const newPage = async (title: string, extra: Record<string, unknown> = {}) =>
    (
      await client.pages.create({
        parent: { page_id: h.rootPageId },
        properties: { title: { title: [rt(title)] } },
        ...extra,
      } as never)
    ).id;

  describe('blocks → markdown → blocks', () => {
    for (const [name, children] of Object.entries(CASES)) {
      it(`keeps ${name}`, async () => {
        const a = await newPage(name);
        await client.blocks.children.append({ block_id: a, children: children as never });
        const md = await client.pages.retrieveMarkdown({ page_id: a });
        const b = await newPage(`${name} copy`, { markdown: md.markdown });
        const [before, after] = [await contentOf(client, a), await contentOf(client, b)];
        expect(after, md.markdown).toEqual(before);
        const again = await client.pages.retrieveMarkdown({ page_id: b });
        // Only the ids of the new blocks (an original synced block's URL) may differ.
        const ids = (s: string) => s.replace(/[0-9a-f]{32}/g, '<id>');
        expect(ids(again.markdown)).toBe(ids(md.markdown));
      });
    }
  });
});
