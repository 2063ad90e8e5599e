/**
 * A data source query's `start_cursor`: one handed out by a previous page goes on from there (a
 * row trashed since included); one that names no row of the data source (made up, or a page of
 * another data source) is Notion's 400 `validation_error` "The start_cursor provided is invalid:
 * …", not an empty page.
 */
import { APIResponseError, type Client } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

const rt = (content: string) => [{ type: 'text' as const, text: { content } }];

describeEngines('query start_cursor', (engine) => {
  let h: Harness;
  let notion: Client;
  let dataSourceId: string;
  let otherRow: string;

  const newSource = async (title: string, rows: number) => {
    const db = (await notion.databases.create({
      parent: { type: 'page_id', page_id: h.rootPageId },
      title: rt(title),
      initial_data_source: { properties: { Name: { title: {} } } },
    })) as { data_sources: { id: string }[] };
    const id = db.data_sources[0]!.id;
    const ids: string[] = [];
    for (let i = 0; i < rows; i++)
      ids.push(
        (
          await notion.pages.create({
            parent: { data_source_id: id },
            properties: { Name: { title: rt(`${title} ${i}`) } },
          })
        ).id,
      );
    return { id, ids };
  };

  beforeAll(async () => {
    h = await startHarness(engine);
    notion = h.client();
    dataSourceId = (await newSource('Cursor', 5)).id;
    otherRow = (await newSource('Elsewhere', 1)).ids[0]!;
  });
  afterAll(() => h.close());

  const query = (start_cursor?: string) =>
    notion.dataSources.query({
      data_source_id: dataSourceId,
      page_size: 2,
      sorts: [{ timestamp: 'created_time', direction: 'ascending' }],
      ...(start_cursor ? { start_cursor } : {}),
    });

  it('goes on from a cursor it handed out, a row trashed since included', async () => {
    const first = await query();
    expect(first.has_more).toBe(true);
    await notion.pages.update({ page_id: first.next_cursor!, in_trash: true });
    const second = await query(first.next_cursor!);
    expect(second.results.map((r) => r.id)).toHaveLength(2);
    expect(second.results[0]!.id).not.toBe(first.next_cursor);
  });

  it('refuses a cursor that names no row of the data source', async () => {
    for (const cursor of ['0f0e0d0c-0b0a-4909-8807-060504030201', otherRow]) {
      const err = await query(cursor).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(APIResponseError);
      expect(err).toMatchObject({
        status: 400,
        code: 'validation_error',
        message: `The start_cursor provided is invalid: ${cursor}`,
      });
    }
  });
});
