/**
 * Data entry from a JSON feed: fetches `input.feed` (a URL answering a JSON array of objects) and
 * writes one row per item into the data source `input.data_source`, keyed by the item's `id`
 * kept in the text property `input.key` (default `Key`): a new id makes a row, a known one updates
 * it, so running it again (on a schedule) changes only what changed. Every other field of an item
 * goes to the property of the same name when the data source has one (title, text, number,
 * select, status, checkbox, date, url).
 *
 *   npx octavo script run examples/scripts/json-feed.ts \
 *     --input '{"feed": "https://example.com/orders.json", "data_source": "…"}'
 */
import type { Client } from '@notionhq/client';

interface Ctx {
  notion: Client;
  input: { feed: string; data_source: string; key?: string };
  log: (...args: unknown[]) => void;
}

type Item = Record<string, unknown> & { id: string | number };
type Schema = Record<string, { type: string }>;

const text = (s: string) => [{ type: 'text' as const, text: { content: s.slice(0, 2000) } }];

/** A request value for `type` from a plain feed value, or undefined when it does not fit. */
function valueFor(type: string, v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  switch (type) {
    case 'title':
      return { title: text(String(v)) };
    case 'rich_text':
      return { rich_text: text(String(v)) };
    case 'number':
      return typeof v === 'number' ? { number: v } : undefined;
    case 'select':
      return { select: { name: String(v) } };
    case 'status':
      return { status: { name: String(v) } };
    case 'checkbox':
      return { checkbox: Boolean(v) };
    case 'date':
      return { date: { start: String(v) } };
    case 'url':
      return { url: String(v) };
    default:
      return undefined;
  }
}

export default async ({ notion, input, log }: Ctx) => {
  const key = input.key ?? 'Key';
  const res = await fetch(input.feed);
  if (!res.ok) throw new Error(`the feed answered ${res.status}`);
  const items = (await res.json()) as Item[];
  const ds = await notion.dataSources.retrieve({ data_source_id: input.data_source });
  const schema = ds.properties as unknown as Schema;
  if (schema[key]?.type !== 'rich_text')
    throw new Error(`the data source needs a text property named ${key}`);
  let created = 0;
  let updated = 0;
  for (const item of items) {
    const id = String(item.id);
    const properties: Record<string, unknown> = { [key]: { rich_text: text(id) } };
    for (const [field, v] of Object.entries(item)) {
      const prop = schema[field];
      const value = field === 'id' || !prop ? undefined : valueFor(prop.type, v);
      if (value !== undefined) properties[field] = value;
    }
    const found = await notion.dataSources.query({
      data_source_id: input.data_source,
      filter: { property: key, rich_text: { equals: id } },
      page_size: 1,
    });
    const page = found.results[0];
    if (page) {
      await notion.pages.update({ page_id: page.id, properties: properties as never });
      updated++;
    } else {
      await notion.pages.create({
        parent: { data_source_id: input.data_source },
        properties: properties as never,
      });
      created++;
    }
  }
  log(`${items.length} items: ${created} created, ${updated} updated`);
  return { items: items.length, created, updated };
};
