import type { BlockObjectRequest } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

const rt = (content: string) => [{ text: { content } }];
const para = (content: string) => ({ paragraph: { rich_text: rt(content) } });

describeEngines('block validation', (engine) => {
  let h: Harness;
  let page: string;
  beforeAll(async () => {
    h = await startHarness(engine);
    page = (
      await h.client().pages.create({
        parent: { page_id: h.rootPageId },
        properties: { title: { title: rt('Errors') } },
        children: [para('existing')],
      })
    ).id;
  });
  afterAll(() => h.close());

  /** The error an append answers; `children` is sent as given, bypassing the SDK's types. */
  async function appendError(children: unknown[], blockId = page, version?: '2026-03-11') {
    const err = await h
      .client(version ? { version } : {})
      .blocks.children.append({ block_id: blockId, children: children as BlockObjectRequest[] })
      .catch((e) => e);
    expect(err.code, String(err.message)).toBeDefined();
    return err as { code: string; status: number; message: string };
  }

  /** Raw stored state of the page and its children, to prove a rejected request wrote nothing. */
  async function snapshot(id = page) {
    return h.store.transaction(async (tx) => ({
      page: await tx.blocks.get(id),
      children: (await tx.blocks.listChildren(id, null, 100)).items.map((b) => b.id),
    }));
  }

  /** Asserts the append fails with `message` and leaves the page exactly as it was. */
  async function rejects(children: unknown[], message: string | RegExp) {
    const before = await snapshot();
    const err = await appendError(children);
    expect(err.code).toBe('validation_error');
    expect(err.status).toBe(400);
    if (typeof message === 'string') expect(err.message).toBe(`body failed validation: ${message}`);
    else expect(err.message).toMatch(message);
    expect(await snapshot()).toEqual(before);
  }

  describe('PATCH /v1/blocks/{id}/children limits', () => {
    it('rejects rich text over 2000 characters, naming the deepest path', async () => {
      await rejects(
        [para('ok'), { paragraph: { rich_text: [{ text: { content: 'x'.repeat(2001) } }] } }],
        'body.children[1].paragraph.rich_text[0].text.content.length should be ≤ `2000`, instead was `2001`.',
      );
    });

    it('rejects more than 100 rich text items and links over 2000 characters', async () => {
      await rejects(
        [{ quote: { rich_text: Array.from({ length: 101 }, () => ({ text: { content: 'a' } })) } }],
        'body.children[0].quote.rich_text.length should be ≤ `100`, instead was `101`.',
      );
      await rejects(
        [
          {
            toggle: {
              rich_text: [{ text: { content: 'a', link: { url: `https://x.io/${'y'.repeat(2000)}` } } }],
            },
          },
        ],
        'body.children[0].toggle.rich_text[0].text.link.url.length should be ≤ `2000`, instead was `2013`.',
      );
    });

    it('rejects more than 100 children in one array', async () => {
      await rejects(
        Array.from({ length: 101 }, (_, i) => para(String(i))),
        'body.children.length should be ≤ `100`, instead was `101`.',
      );
      await rejects(
        [{ toggle: { rich_text: [], children: Array.from({ length: 101 }, () => ({ divider: {} })) } }],
        'body.children[0].toggle.children.length should be ≤ `100`, instead was `101`.',
      );
    });

    it('rejects a third level of nesting', async () => {
      await rejects(
        [
          {
            bulleted_list_item: {
              rich_text: rt('0'),
              children: [
                {
                  bulleted_list_item: {
                    rich_text: rt('1'),
                    children: [{ bulleted_list_item: { rich_text: rt('2'), children: [para('3')] } }],
                  },
                },
              ],
            },
          },
        ],
        /^body failed validation: body\.children\[0\]\.bulleted_list_item\.children\[0\]\.bulleted_list_item\.children\[0\]\.bulleted_list_item\.children should be not present, instead was `\[\{"paragraph":/,
      );
    });

    it('rejects more than 1000 blocks in one request', async () => {
      const children = Array.from({ length: 100 }, () => ({
        toggle: { rich_text: [], children: Array.from({ length: 10 }, () => ({ divider: {} })) },
      }));
      await rejects(children, 'body.children should contain at most `1000` blocks, instead was `1100`.');
    });

    it('rejects an equation over 1000 characters and a code block without a known language', async () => {
      await rejects(
        [{ equation: { expression: 'x'.repeat(1001) } }],
        'body.children[0].equation.expression.length should be ≤ `1000`, instead was `1001`.',
      );
      await rejects(
        [{ code: { rich_text: rt('x') } }],
        'body.children[0].code.language should be defined, instead was `undefined`.',
      );
      await rejects(
        [{ code: { rich_text: [], language: 'cobol' } }],
        /^body failed validation: body\.children\[0\]\.code\.language should be `"abap"`, /,
      );
    });

    it('rejects urls over 2000 characters in media and bookmarks', async () => {
      const url = `https://example.com/${'a'.repeat(1990)}`;
      await rejects(
        [{ image: { external: { url } } }],
        'body.children[0].image.external.url.length should be ≤ `2000`, instead was `2010`.',
      );
      await rejects(
        [{ bookmark: { url } }],
        'body.children[0].bookmark.url.length should be ≤ `2000`, instead was `2010`.',
      );
    });
  });

  describe('PATCH /v1/blocks/{id}/children structure', () => {
    it('refuses read-only block types, naming the path', async () => {
      const readOnly = {
        child_page: { title: 'x' },
        child_database: { title: 'x' },
        link_preview: { url: 'https://example.com' },
        unsupported: { block_type: 'form' },
        meeting_notes: {},
        transcription: {},
      };
      for (const [type, payload] of Object.entries(readOnly)) {
        await rejects(
          [para('fine'), { type, [type]: payload }],
          `body.children[1].${type} should be not present, instead was \`${JSON.stringify(payload)}\`.`,
        );
      }
    });

    it('rejects `archived` inside a block and keys of another type', async () => {
      await rejects(
        [{ paragraph: { rich_text: [] }, archived: false }],
        'body.children[0].archived should be not present, instead was `false`.',
      );
      await rejects(
        [{ type: 'paragraph', paragraph: { rich_text: [], checked: true } }],
        'body.children[0].paragraph.checked should be not present, instead was `true`.',
      );
    });

    it('refuses file_upload sources that are not an uploaded file of this integration', async () => {
      await rejects(
        [{ image: { file_upload: { id: '11111111111111111111111111111111' } } }],
        'body.children[0].image.file_upload.id should be the id of a file upload created by this integration, instead was `"11111111-1111-1111-1111-111111111111"`.',
      );
      await rejects(
        [{ callout: { rich_text: [], icon: { file_upload: { id: '11111111111111111111111111111111' } } } }],
        /^body failed validation: body\.children\[0\]\.callout\.icon\.file_upload\.id should be the id of a file upload created by this integration/,
      );
    });

    it('checks tables: row cell counts, rows only inside tables, at least one row', async () => {
      await rejects(
        [
          {
            table: {
              table_width: 2,
              children: [{ table_row: { cells: [[], []] } }, { table_row: { cells: [[], [], []] } }],
            },
          },
        ],
        'body.children[0].table.children[1].table_row.cells.length should be `2`, instead was `3`.',
      );
      await rejects(
        [{ table: { table_width: 1, children: [para('not a row')] } }],
        /^body failed validation: body\.children\[0\]\.table\.children\[0\]\.table_row should be defined/,
      );
      await rejects(
        [{ table: { table_width: 1, children: [] } }],
        'body.children[0].table.children.length should be ≥ `1`, instead was `0`.',
      );
      await rejects(
        [{ table_row: { cells: [[]] } }],
        /^body failed validation: body\.children\[0\]\.table_row should be inside a table block/,
      );
    });

    it('checks columns: at least two per list, each with children, only inside a column_list', async () => {
      const column = { column: { children: [para('c')] } };
      await rejects(
        [{ column_list: { children: [column] } }],
        'body.children[0].column_list.children.length should be ≥ `2`, instead was `1`.',
      );
      await rejects(
        [{ column_list: { children: [column, { column: {} }] } }],
        'body.children[0].column_list.children[1].column.children should be defined, instead was `undefined`.',
      );
      await rejects(
        [{ column_list: { children: [column, para('x')] } }],
        /^body failed validation: body\.children\[0\]\.column_list\.children\[1\]\.column should be defined/,
      );
      await rejects(
        [column],
        /^body failed validation: body\.children\[0\]\.column should be inside a column_list block/,
      );
      // One level down a column_list still fits (its columns count with it); two levels down it does not.
      await rejects(
        [
          {
            toggle: {
              rich_text: [],
              children: [
                { toggle: { rich_text: [], children: [{ column_list: { children: [column, column] } }] } },
              ],
            },
          },
        ],
        /^body failed validation: body\.children\[0\]\.toggle\.children\[0\]\.toggle\.children\[0\]\.column_list should be not present/,
      );
    });

    it('allows heading children only when the heading is toggleable', async () => {
      await rejects(
        [{ heading_3: { rich_text: rt('h'), children: [para('x')] } }],
        'body.children[0].heading_3.is_toggleable should be `true` when children are present, instead was `undefined`.',
      );
    });

    it('checks synced blocks: a reference has no children and points at an original', async () => {
      const [original, plain] = (
        await h.client().blocks.children.append({
          block_id: page,
          children: [{ synced_block: { synced_from: null, children: [para('s')] } }, para('plain')],
        })
      ).results;
      await rejects(
        [{ synced_block: { synced_from: { block_id: original!.id }, children: [para('x')] } }],
        /^body failed validation: body\.children\[0\]\.synced_block\.children should be not present/,
      );
      await rejects(
        [{ synced_block: { synced_from: { block_id: plain!.id } } }],
        `body.children[0].synced_block.synced_from.block_id should be the id of an original synced_block, instead was \`"${plain!.id}"\`.`,
      );
      const before = await snapshot();
      const missing = await appendError([
        { synced_block: { synced_from: { block_id: '22222222222222222222222222222222' } } },
      ]);
      expect(missing.code).toBe('object_not_found');
      expect(await snapshot()).toEqual(before);
    });

    it('answers 404 for link_to_page targets the integration cannot see', async () => {
      const secret = await h.newRootPage('Secret');
      const before = await snapshot();
      const err = await appendError([para('first'), { link_to_page: { page_id: secret } }]);
      expect(err.code).toBe('object_not_found');
      expect(err.message).toContain(secret);
      expect(await snapshot()).toEqual(before);
    });

    it('refuses children for blocks that cannot hold them', async () => {
      const [divider, heading, toc] = (
        await h.client().blocks.children.append({
          block_id: page,
          children: [{ divider: {} }, { heading_1: { rich_text: rt('flat') } }, { table_of_contents: {} }],
        })
      ).results;
      for (const [block, type] of [
        [divider!, 'divider'],
        [heading!, 'heading_1'],
        [toc!, 'table_of_contents'],
      ] as const) {
        const err = await appendError([para('x')], block.id);
        expect(err.code).toBe('validation_error');
        expect(err.message).toBe(`Block type ${type} does not support children.`);
        expect(await snapshot(block.id)).toMatchObject({ children: [] });
      }
    });

    it('accepts only the matching child type in tables and column lists', async () => {
      const [table] = (
        await h.client().blocks.children.append({
          block_id: page,
          children: [{ table: { table_width: 2, children: [{ table_row: { cells: [[], []] } }] } }],
        })
      ).results;
      const wrongType = await appendError([para('x')], table!.id);
      expect(wrongType.message).toBe(
        'body failed validation: body.children[0].type should be `"table_row"`, instead was `"paragraph"`.',
      );
      const wrongWidth = await appendError([{ table_row: { cells: [[]] } }], table!.id);
      expect(wrongWidth.message).toBe(
        'body failed validation: body.children[0].table_row.cells.length should be `2`, instead was `1`.',
      );
    });
  });

  describe('POST /v1/pages children', () => {
    it('validates children with the same paths and creates nothing when they fail', async () => {
      const secret = await h.newRootPage('Hidden');
      const count = async () => (await snapshot(h.rootPageId)).children.length;
      const before = await count();
      const tooLong = await h
        .client()
        .pages.create({
          parent: { page_id: h.rootPageId },
          children: [{ paragraph: { rich_text: [{ text: { content: 'x'.repeat(2001) } }] } }],
        })
        .catch((e) => e);
      expect(tooLong.message).toBe(
        'body failed validation: body.children[0].paragraph.rich_text[0].text.content.length should be ≤ `2000`, instead was `2001`.',
      );
      // The page row is written before its content; a failing reference must roll it back.
      const hidden = await h
        .client()
        .pages.create({
          parent: { page_id: h.rootPageId },
          children: [para('a'), { link_to_page: { page_id: secret } }],
        })
        .catch((e) => e);
      expect(hidden.code).toBe('object_not_found');
      expect(await count()).toBe(before);
    });
  });
});
