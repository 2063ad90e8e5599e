/**
 * A Notion Worker keeping two Octavo data sources in step, both ways: `leftToRight` copies the
 * rows of LEFT into RIGHT and `rightToLeft` the rows of RIGHT into LEFT, matched by their `Key`
 * (the databases' primary key property). A row without a key gets one first (written back with
 * the worker's own client). Both syncs run in `replace` mode, so a row moved to the trash on one
 * side is removed from the other at the next cycle. Deploy with both databases attached:
 *
 *   octavo workers deploy examples/workers/two-way-sync \
 *     --attach left=LEFT_DATA_SOURCE_ID --attach right=RIGHT_DATA_SOURCE_ID \
 *     --env LEFT=LEFT_DATA_SOURCE_ID --env RIGHT=RIGHT_DATA_SOURCE_ID
 */
import type { Client } from '@notionhq/client';
import { Worker } from '@notionhq/workers';
import * as Builder from '@notionhq/workers/builder';
import * as Schema from '@notionhq/workers/schema';

const worker = new Worker();
export default worker;

const schema = { properties: { Name: Schema.title(), Key: Schema.richText() } };
const left = worker.database('left', {
  type: 'attached',
  initialTitle: 'Left',
  primaryKeyProperty: 'Key',
  schema,
});
const right = worker.database('right', {
  type: 'attached',
  initialTitle: 'Right',
  primaryKeyProperty: 'Key',
  schema,
});

type Row = {
  id: string;
  properties: Record<string, { title?: { plain_text: string }[]; rich_text?: { plain_text: string }[] }>;
};
const text = (p: Row['properties'][string] | undefined) =>
  (p?.title ?? p?.rich_text ?? []).map((t) => t.plain_text).join('');

/** Every row of a data source, with a key (rows without one get it now). */
async function rowsOf(notion: Client, dataSourceId: string, prefix: string) {
  const out: { key: string; name: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await notion.dataSources.query({ data_source_id: dataSourceId, start_cursor: cursor });
    for (const row of page.results as unknown as Row[]) {
      let key = text(row.properties.Key);
      if (!key) {
        key = `${prefix}-${row.id.slice(0, 8)}`;
        await notion.pages.update({
          page_id: row.id,
          properties: { Key: { rich_text: [{ text: { content: key } }] } },
        });
      }
      out.push({ key, name: text(row.properties.Name) });
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

function copy(from: string, prefix: string) {
  return async (_state: unknown, { notion }: { notion: Client }) => {
    const rows = await rowsOf(notion, process.env[from] as string, prefix);
    return {
      changes: rows.map((r) => ({
        type: 'upsert' as const,
        key: r.key,
        properties: { Name: Builder.title(r.name), Key: Builder.richText(r.key) },
      })),
      hasMore: false,
    };
  };
}

worker.sync('leftToRight', { database: right, mode: 'replace', schedule: '5m', execute: copy('LEFT', 'L') });
worker.sync('rightToLeft', { database: left, mode: 'replace', schedule: '5m', execute: copy('RIGHT', 'R') });
