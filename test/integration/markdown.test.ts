/*
 * GET and PATCH /v1/pages/{id}/markdown and `markdown` on page create, through the official SDK:
 * each edit operation, child pages kept or deleted, capabilities, sharing, bad input.
 */
import type { Client } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { failure, MISSING, rt, shape, VERSIONS } from './comments-support.ts';

describeEngines('page markdown', (engine) => {
  let h: Harness;
  let client: Client;
  beforeAll(async () => {
    h = await startHarness(engine);
    client = h.client({ version: '2026-03-11' });
  });
  afterAll(() => h.close());

  const newPage = async (markdown?: string) =>
    (
      await client.pages.create({
        parent: { page_id: h.rootPageId },
        properties: { title: { title: rt('Doc') } },
        ...(markdown === undefined ? {} : { markdown }),
      })
    ).id;
  const md = async (id: string) => (await client.pages.retrieveMarkdown({ page_id: id })).markdown;
  const ids = async (id: string) =>
    (await client.blocks.children.list({ block_id: id })).results.map((b) => b.id);

  describe('GET /v1/pages/{id}/markdown', () => {
    it('answers an empty page with empty markdown under every version', async () => {
      const id = await newPage();
      for (const version of VERSIONS) {
        const res = await h.client({ version }).pages.retrieveMarkdown({ page_id: id });
        expect(res).toMatchObject({
          object: 'page_markdown',
          id,
          markdown: '',
          truncated: false,
          unknown_block_ids: [],
        });
      }
    });

    it('writes blocks it has no markdown for as <unknown> and lists them', async () => {
      const id = await newPage();
      const [crumb] = (await client.blocks.children.append({ block_id: id, children: [{ breadcrumb: {} }] }))
        .results;
      const res = await client.pages.retrieveMarkdown({ page_id: id });
      expect(res.unknown_block_ids).toEqual([crumb!.id]);
      expect(res.markdown).toMatch(/^<unknown url="[^"]+" alt="breadcrumb"\/>$/);
    });

    it('shows child pages as <page> tags with their titles', async () => {
      const id = await newPage();
      await client.pages.create({ parent: { page_id: id }, properties: { title: { title: rt('Child') } } });
      expect(await md(id)).toMatch(/^<page url="[^"]+">Child<\/page>$/);
    });
  });

  describe('POST /v1/pages with markdown', () => {
    it('takes the first # heading as the title when none is given', async () => {
      const page = await client.pages.create({
        parent: { page_id: h.rootPageId },
        markdown: '# My title\nBody',
      });
      const props = (page as unknown as { properties: { title: { title: { plain_text: string }[] } } })
        .properties;
      expect(props.title.title.map((t) => t.plain_text).join('')).toBe('My title');
      expect(await md(page.id)).toBe('Body');
    });

    it('refuses markdown together with children', async () => {
      const err = await failure(
        client.pages.create({ parent: { page_id: h.rootPageId }, markdown: 'x', children: [] } as never),
      );
      expect([err.status, err.code]).toEqual([400, 'validation_error']);
    });
  });

  describe('PATCH /v1/pages/{id}/markdown', () => {
    it('appends with insert_content and answers the page markdown (the recorded conversation)', async () => {
      const id = await newPage();
      const res = await client.pages.updateMarkdown({
        page_id: id,
        type: 'insert_content',
        insert_content: { content: '## New Section\n\nHello from markdown.' },
      });
      expect(res).toMatchObject({
        object: 'page_markdown',
        id,
        markdown: '## New Section\nHello from markdown.',
      });
    });

    it('inserts at the start and after a selection, keeping the other blocks', async () => {
      const id = await newPage('one\nthree');
      const before = await ids(id);
      await client.pages.updateMarkdown({
        page_id: id,
        type: 'insert_content',
        insert_content: { content: 'two', after: 'on...e' },
      });
      await client.pages.updateMarkdown({
        page_id: id,
        type: 'insert_content',
        insert_content: { content: 'zero', position: { type: 'start' } },
      });
      expect(await md(id)).toBe('zero\none\ntwo\nthree');
      const after = await ids(id);
      expect([after[1], after[3]]).toEqual(before);
    });

    it('replaces text with update_content and keeps untouched blocks', async () => {
      const id = await newPage('- alpha\n- beta\n- gamma');
      const before = await ids(id);
      await client.pages.updateMarkdown({
        page_id: id,
        type: 'update_content',
        update_content: { content_updates: [{ old_str: 'beta', new_str: '**BETA**' }] },
      });
      expect(await md(id)).toBe('- alpha\n- **BETA**\n- gamma');
      const after = await ids(id);
      expect([after[0], after[2]]).toEqual([before[0], before[2]]);
      expect(after[1]).not.toBe(before[1]);
    });

    it('refuses an ambiguous or missing old_str and changes nothing', async () => {
      const id = await newPage('a a\nb');
      for (const update of [
        { old_str: 'a', new_str: 'x' },
        { old_str: 'zzz', new_str: 'x' },
      ]) {
        const err = await failure(
          client.pages.updateMarkdown({
            page_id: id,
            type: 'update_content',
            update_content: { content_updates: [update] },
          }),
        );
        expect([err.status, err.code]).toEqual([400, 'validation_error']);
      }
      await client.pages.updateMarkdown({
        page_id: id,
        type: 'update_content',
        update_content: { content_updates: [{ old_str: 'a', new_str: 'x', replace_all_matches: true }] },
      });
      expect(await md(id)).toBe('x x\nb');
    });

    it('replaces a range with replace_content_range', async () => {
      const id = await newPage('one\ntwo\nthree\nfour');
      await client.pages.updateMarkdown({
        page_id: id,
        type: 'replace_content_range',
        replace_content_range: { content: '> quoted', content_range: 'two...three' },
      });
      expect(await md(id)).toBe('one\n> quoted\nfour');
    });

    it('deletes child pages only with allow_deleting_content, and keeps those the markdown names', async () => {
      const id = await newPage('intro');
      const child = await client.pages.create({
        parent: { page_id: id },
        properties: { title: { title: rt('Kid') } },
      });
      const current = await md(id);
      const err = await failure(
        client.pages.updateMarkdown({
          page_id: id,
          type: 'replace_content',
          replace_content: { new_str: 'new' },
        }),
      );
      expect([err.status, err.code]).toEqual([400, 'validation_error']);
      expect(await md(id)).toBe(current);
      const pageTag = current.split('\n')[1]!;
      await client.pages.updateMarkdown({
        page_id: id,
        type: 'replace_content',
        replace_content: { new_str: `${pageTag}\nnew` },
      });
      expect(await md(id)).toBe(`${pageTag}\nnew`);
      await client.pages.updateMarkdown({
        page_id: id,
        type: 'replace_content',
        replace_content: { new_str: 'only', allow_deleting_content: true },
      });
      expect(await md(id)).toBe('only');
      expect(
        (await client.pages.retrieve({ page_id: child.id })) as unknown as { in_trash: boolean },
      ).toMatchObject({ in_trash: true });
    });

    it('refuses bad input in Notion grammar and changes nothing', async () => {
      const id = await newPage('keep');
      const bodies = [
        { type: 'insert_content' },
        {
          type: 'insert_content',
          insert_content: { content: 'x', after: 'keep', position: { type: 'end' } },
        },
        { type: 'replace_content', replace_content: { new_str: '<details>\nno end' } },
        { type: 'nope' },
      ];
      for (const body of bodies) {
        const err = await failure(client.pages.updateMarkdown({ page_id: id, ...body } as never));
        expect([err.status, err.code], JSON.stringify(body)).toEqual([400, 'validation_error']);
        expect(err.message).toMatch(/^body failed validation|should/);
      }
      expect(await md(id)).toBe('keep');
    });
  });

  describe('access', () => {
    it('needs read_content to read and update_content to edit', async () => {
      const id = await newPage('x');
      const token = await h.newIntegration('Insert only', ['insert_content']);
      const other = h.client({ token });
      for (const call of [
        () => other.pages.retrieveMarkdown({ page_id: id }),
        () =>
          other.pages.updateMarkdown({
            page_id: id,
            type: 'replace_content',
            replace_content: { new_str: 'y' },
          }),
      ]) {
        const err = await failure(call());
        expect([err.status, err.code]).toEqual([403, 'restricted_resource']);
      }
    });

    it('answers an unshared page exactly like a missing one', async () => {
      const id = await newPage('secret');
      const outsider = h.client({ token: await h.newIntegration('Outsider md') });
      await h.newRootPage('Outsider md home', ['Outsider md']);
      const unshared = await failure(outsider.pages.retrieveMarkdown({ page_id: id }));
      const missing = await failure(outsider.pages.retrieveMarkdown({ page_id: MISSING }));
      expect(shape(unshared, id)).toEqual(shape(missing, MISSING));
      const edit = await failure(
        outsider.pages.updateMarkdown({
          page_id: id,
          type: 'replace_content',
          replace_content: { new_str: 'y' },
        }),
      );
      expect(edit.status).toBe(404);
      expect(await md(id)).toBe('secret');
    });
  });
});
