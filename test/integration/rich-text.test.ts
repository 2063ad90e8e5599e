import type { PageObjectResponse, RichTextItemResponse } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

describeEngines('rich text', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  /** Creates a page whose title is `items` and returns the stored title. */
  async function titleOf(items: unknown[]): Promise<RichTextItemResponse[]> {
    const page = (await h.client().pages.create({
      parent: { page_id: h.rootPageId },
      properties: { title: items as never },
    })) as PageObjectResponse;
    const prop = page.properties.title;
    if (prop?.type !== 'title') throw new Error('no title');
    return prop.title;
  }

  describe('normalization', () => {
    it('fills annotations, plain_text and href for text with a link', async () => {
      const [item] = await titleOf([
        { text: { content: 'Docs', link: { url: 'https://example.com/docs' } }, annotations: { bold: true } },
      ]);
      expect(item).toEqual({
        type: 'text',
        text: { content: 'Docs', link: { url: 'https://example.com/docs' } },
        annotations: {
          bold: true,
          italic: false,
          strikethrough: false,
          underline: false,
          code: false,
          color: 'default',
        },
        plain_text: 'Docs',
        href: 'https://example.com/docs',
      });
    });

    it('accepts links written as {type: "url", url}, as markdown converters send them', async () => {
      const [item] = await titleOf([
        { text: { content: 'Docs', link: { type: 'url', url: 'https://example.com/d' } } },
      ]);
      expect(item).toMatchObject({
        text: { content: 'Docs', link: { url: 'https://example.com/d' } },
        href: 'https://example.com/d',
      });
    });

    it("refuses a link that is not a URL with Notion's message, one line per link", async () => {
      const bad = { text: { content: 'x', link: { type: 'url', url: 'url' } } };
      await expect(titleOf([bad, bad])).rejects.toMatchObject({
        status: 400,
        code: 'validation_error',
        message: 'Content creation Failed. Fix the following: \nInvalid URL for link.\nInvalid URL for link.',
      });
    });

    it('keeps equations with their expression as plain text', async () => {
      const [item] = await titleOf([{ type: 'equation', equation: { expression: 'E = mc^2' } }]);
      expect(item).toMatchObject({
        type: 'equation',
        equation: { expression: 'E = mc^2' },
        plain_text: 'E = mc^2',
      });
    });

    it('renders user, page, date, link preview and template mentions', async () => {
      const me = await h.client().users.me({});
      const items = await titleOf([
        { mention: { user: { id: me.id } } },
        { mention: { page: { id: h.rootPageId } } },
        { mention: { date: { start: '2026-03-01', end: '2026-03-05' } } },
        { mention: { link_preview: { url: 'https://example.com/x' } } },
        { mention: { template_mention: { template_mention_date: 'today' } } },
      ]);
      expect(items.map((i) => i.plain_text)).toEqual([
        '@Octavo Quickstart',
        'Getting started',
        '2026-03-01 → 2026-03-05',
        'https://example.com/x',
        '@Today',
      ]);
      expect(items[0]).toMatchObject({
        type: 'mention',
        mention: { type: 'user', user: { object: 'user', id: me.id } },
      });
      expect(items[1]!.href).toBe(`http://octavo.test/p/Getting-started-${h.rootPageId.replaceAll('-', '')}`);
      expect(items[2]).toMatchObject({
        mention: { type: 'date', date: { start: '2026-03-01', end: '2026-03-05', time_zone: null } },
      });
    });

    it('accepts response items sent back as requests', async () => {
      const first = await titleOf([{ text: { content: 'Round trip' }, annotations: { italic: true } }]);
      const again = await titleOf(first);
      expect(again).toEqual(first);
    });
  });

  describe('limits and errors', () => {
    const attempt = (items: unknown[]) =>
      h
        .client()
        .pages.create({ parent: { page_id: h.rootPageId }, properties: { title: items as never } })
        .catch((e) => e);

    it('refuses text content over 2000 characters', async () => {
      const err = await attempt([{ text: { content: 'x'.repeat(2001) } }]);
      expect(err.code).toBe('validation_error');
      expect(err.message).toBe(
        'body failed validation: body.properties.title[0].text.content.length should be ≤ `2000`, instead was `2001`.',
      );
    });

    it('refuses more than 100 items', async () => {
      const err = await attempt(Array.from({ length: 101 }, () => ({ text: { content: 'a' } })));
      expect(err.message).toBe(
        'body failed validation: body.properties.title.length should be ≤ `100`, instead was `101`.',
      );
    });

    it('refuses an invalid date and an unknown time zone', async () => {
      const bad = await attempt([{ mention: { date: { start: '2026-13-45' } } }]);
      expect(bad.message).toContain(
        'body.properties.title[0].mention.date.start should be a valid ISO 8601 date',
      );
      const tz = await attempt([
        { mention: { date: { start: '2026-01-01T10:00', time_zone: 'Mars/Base' } } },
      ]);
      expect(tz.message).toContain(
        'body.properties.title[0].mention.date.time_zone should be a valid IANA time zone',
      );
    });

    it('refuses unknown annotation keys and bad colors', async () => {
      const err = await attempt([{ text: { content: 'a' }, annotations: { blink: true } }]);
      expect(err.message).toBe(
        'body failed validation: body.properties.title[0].annotations.blink should be not present, instead was `true`.',
      );
      const color = await attempt([{ text: { content: 'a' }, annotations: { color: 'teal' } }]);
      expect(color.message).toContain('body.properties.title[0].annotations.color should be `"default"`');
    });
  });
});
