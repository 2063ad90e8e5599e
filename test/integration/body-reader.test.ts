/**
 * What the JSON body reader lets through to the engines: strings and keys with lone UTF-16
 * surrogates (which Postgres json refuses) become U+FFFD, and a body nested deeper than any
 * Notion request is refused before anything walks it. Also the strings that arrive without the
 * body reader (path, query string), which URL decoding never leaves ill-formed.
 */
import type { PageObjectResponse } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_DEPTH } from '../../src/api/body.ts';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { createDb, text } from './rows-support.ts';

const FFFD = '\uFFFD';

type Row = {
  id: string;
  properties: {
    Tags: { multi_select: { name: string }[] };
    Files: { files: { name: string }[] };
    Notes: { rich_text: { plain_text: string }[] };
  };
};

describeEngines('the JSON body reader', (engine) => {
  let h: Harness;
  let dataSourceId: string;
  beforeAll(async () => {
    h = await startHarness(engine);
    ({ dataSourceId } = await createDb(h, '2025-09-03', 'Surrogates', {
      Name: { title: {} },
      Tags: { multi_select: {} },
      Files: { files: {} },
      Notes: { rich_text: {} },
    }));
  });
  afterAll(() => h.close());

  const values = (tag: string, file: string, note: string) => ({
    Tags: { multi_select: [{ name: tag }] },
    Files: { files: [{ name: file, type: 'external', external: { url: 'https://x.test/f.png' } }] },
    Notes: { rich_text: text(note) },
  });

  describe('POST and PATCH /v1/pages', () => {
    it('replaces lone surrogates in multi_select and files names with U+FFFD', async () => {
      const client = h.client();
      // The SDK sends JSON.stringify's output: lone surrogates as \ud800-style escapes.
      const page = (await client.pages.create({
        parent: { data_source_id: dataSourceId },
        properties: values('s\ud800', 'f\ud800', 'low \udc00 end\udbff') as never,
      })) as unknown as Row;
      expect(page.properties.Tags.multi_select.map((o) => o.name)).toEqual([`s${FFFD}`]);
      expect(page.properties.Files.files.map((f) => f.name)).toEqual([`f${FFFD}`]);
      expect(page.properties.Notes.rich_text[0]!.plain_text).toBe(`low ${FFFD} end${FFFD}`);

      const updated = (await client.pages.update({
        page_id: page.id,
        properties: values('\udfffu', '\ud800\ud800', 'x') as never,
      })) as unknown as Row;
      expect(updated.properties.Tags.multi_select.map((o) => o.name)).toEqual([`${FFFD}u`]);
      expect(updated.properties.Files.files.map((f) => f.name)).toEqual([FFFD + FFFD]);
      const read = (await client.pages.retrieve({ page_id: page.id })) as unknown as Row;
      expect(read.properties).toEqual(updated.properties);
    });

    it('keeps surrogate pairs and reads escapes in upper case too', async () => {
      const body = `{"parent":{"data_source_id":"${dataSourceId}"},"properties":{"Tags":{"multi_select":[{"name":"\\uD83D\\uDE00 ok"},{"name":"\\uDBFFx"}]}}}`;
      const res = await h.request('/v1/pages', { method: 'POST', body });
      expect(res.status).toBe(200);
      const page = (await res.json()) as Row;
      expect(page.properties.Tags.multi_select.map((o) => o.name)).toEqual(['😀 ok', `${FFFD}x`]);
    });

    it('replaces lone surrogates in keys, as it drops NUL from them', async () => {
      const db = await h.client().databases.create({
        parent: { type: 'page_id', page_id: h.rootPageId },
        title: text('Keys'),
        initial_data_source: { properties: { 'Na\udc00me': { title: {} }, 'N\ud800': { number: {} } } },
      } as never);
      const ds = await h.client().dataSources.retrieve({
        data_source_id: (db as unknown as { data_sources: { id: string }[] }).data_sources[0]!.id,
      });
      expect(Object.keys(ds.properties).sort()).toEqual([`N${FFFD}`, `Na${FFFD}me`].sort());
      const row = (await h.client().pages.create({
        parent: { data_source_id: ds.id },
        properties: { [`N\ud800`]: { number: 2 } },
      })) as PageObjectResponse;
      expect(row.properties[`N${FFFD}`]).toMatchObject({ type: 'number', number: 2 });
    });
  });

  describe('nesting', () => {
    const page = (extra: string) =>
      `{"parent":{"page_id":"${h.rootPageId}"},"properties":{"title":{"title":[]}}${extra}}`;

    it('refuses a body nested 10,000 deep with validation_error, arrays and objects alike', async () => {
      for (const deep of [
        '['.repeat(10_000) + ']'.repeat(10_000),
        `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
      ]) {
        const res = await h.request('/v1/pages', { method: 'POST', body: page(`,"x":${deep}`) });
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({
          code: 'validation_error',
          message: `body failed validation: body.depth should be ≤ \`${MAX_BODY_DEPTH}\`, instead was \`10001\`.`,
        });
      }
    });

    it('counts brackets inside strings as text, and lets the deepest allowed body through', async () => {
      const inString = JSON.stringify('['.repeat(5000));
      let res = await h.request('/v1/pages', { method: 'POST', body: page(`,"x":${inString}`) });
      expect(((await res.json()) as { message: string }).message).toMatch(
        /^body failed validation: body\.x should be not present, instead was `"\[\[\[/,
      );
      const deepest = '['.repeat(MAX_BODY_DEPTH - 1) + ']'.repeat(MAX_BODY_DEPTH - 1);
      res = await h.request('/v1/pages', { method: 'POST', body: page(`,"x":${deepest}`) });
      expect(((await res.json()) as { message: string }).message).toMatch(
        /^body failed validation: body\.x should be not present/,
      );
    });
  });

  describe('strings that do not pass the body reader', () => {
    it('cannot get a lone surrogate from a percent-escaped path or query string', async () => {
      const page = await h.client().pages.create({
        parent: { data_source_id: dataSourceId },
        properties: values('a', 'b', 'c') as never,
      });
      // %ED%A0%80 is U+D800 encoded as UTF-8, which no UTF-8 decoder accepts: the router and
      // the query string keep it as written (the answers echo it), so no surrogate is made.
      const answers = {
        [`/v1/pages/${page.id}/properties/%ED%A0%80`]: 'Could not find property with ID: %ED%A0%80.',
        [`/v1/pages/${page.id}/properties/title?start_cursor=%ED%A0%80`]:
          'query failed validation: query.start_cursor should be a valid cursor, instead was `"%ED%A0%80"`.',
        '/v1/file_uploads?status=%ED%A0%80':
          'query failed validation: query.status should be `"pending"`, `"uploaded"`, `"expired"`, `"failed"`, instead was `"%ED%A0%80"`.',
      };
      for (const [path, message] of Object.entries(answers)) {
        const res = await h.request(path);
        expect(((await res.json()) as { message: string }).message, path).toBe(message);
      }
      const res = await h.request(`/v1/pages/${page.id}?filter_properties=%ED%A0%80`);
      expect(res.status).toBe(200);
    });
  });
});
