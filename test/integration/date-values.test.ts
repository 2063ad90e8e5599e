/** Date property values: time zones in Notion's grammar, and zoned values before 1970 in filters. */
import { APIResponseError, type Client } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

const title = (content: string) => ({ title: [{ text: { content } }] });

describeEngines('date values', (engine) => {
  let h: Harness;
  let c: Client;
  let dataSourceId: string;
  beforeAll(async () => {
    h = await startHarness(engine);
    c = h.client();
    const db = await c.databases.create({
      parent: { type: 'page_id', page_id: h.rootPageId },
      title: [{ text: { content: 'Dates' } }],
      initial_data_source: { properties: { Name: { title: {} }, When: { date: {} } } },
    });
    dataSourceId = (db as { data_sources: { id: string }[] }).data_sources[0]!.id;
  });
  afterAll(() => h.close());

  const failure = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: APIResponseError) => e,
    );

  describe('POST /v1/pages', () => {
    it.each(['+05:00', '-0330', 'Mars/Olympus'])(
      'refuses time_zone %s with validation_error',
      async (zone) => {
        const err = await failure(
          c.pages.create({
            parent: { data_source_id: dataSourceId },
            properties: {
              Name: title('x'),
              When: { date: { start: '2026-05-01T10:00:00', time_zone: zone as never } },
            },
          }),
        );
        expect(err).toBeInstanceOf(APIResponseError);
        expect(err!.code).toBe('validation_error');
        expect(err!.message).toBe(
          `body failed validation: body.properties.When.date.time_zone should be a valid IANA time zone, instead was \`"${zone}"\`.`,
        );
      },
    );

    it('refuses an offset as the time_zone of a date mention', async () => {
      const err = await failure(
        c.blocks.children.append({
          block_id: h.rootPageId,
          children: [
            {
              paragraph: {
                rich_text: [{ mention: { date: { start: '2026-05-01', time_zone: '+01:00' as never } } }],
              },
            },
          ],
        }),
      );
      expect(err?.code).toBe('validation_error');
      expect(err?.message).toMatch(/mention\.date\.time_zone should be a valid IANA time zone/);
    });
  });

  describe('POST /v1/data_sources/{id}/query', () => {
    it('places a zoned value with fractional seconds before 1970 on its own second', async () => {
      const page = await c.pages.create({
        parent: { data_source_id: dataSourceId },
        properties: {
          Name: title('1960'),
          When: { date: { start: '1960-06-01T12:00:00.250', time_zone: 'Europe/Paris' } },
        },
      });
      const ids = async (date: { equals: string } | { after: string } | { before: string }) =>
        (
          await c.dataSources.query({ data_source_id: dataSourceId, filter: { property: 'When', date } })
        ).results.map((r) => r.id);
      // Paris was UTC+1 in June 1960: the value is 11:00:00.250 UTC.
      expect(await ids({ equals: '1960-06-01T11:00:00.250Z' })).toEqual([page.id]);
      expect(await ids({ after: '1960-06-01T11:00:00.250Z' })).toEqual([]);
      expect(await ids({ before: '1960-06-01T11:00:00.251Z' })).toEqual([page.id]);
    });
  });
});
