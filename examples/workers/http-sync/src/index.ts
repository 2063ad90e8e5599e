/**
 * A Notion Worker syncing a product catalogue served over HTTP (SOURCE_URL, set at deploy with
 * `--env SOURCE_URL=…`) into a database the worker manages. The source answers one page of items
 * per request (`?page=N`, with `next`); the sync returns one page per execution (`hasMore`,
 * `nextState`) in `replace` mode, so a product gone from the source is removed after a full cycle.
 */
import { Worker } from '@notionhq/workers';
import * as Builder from '@notionhq/workers/builder';
import * as Schema from '@notionhq/workers/schema';

const worker = new Worker();
export default worker;

const products = worker.database('products', {
  type: 'managed',
  initialTitle: 'Products',
  primaryKeyProperty: 'SKU',
  schema: {
    properties: {
      Name: Schema.title(),
      SKU: Schema.richText(),
      Price: Schema.number('dollar'),
      'In stock': Schema.checkbox(),
      Category: Schema.select([{ name: 'tools' }, { name: 'toys' }]),
      Tags: Schema.multiSelect([]),
      Added: Schema.date(),
    },
  },
});

const source = worker.pacer('catalogueApi', { allowedRequests: 20, intervalMs: 1000 });

interface Item {
  sku: string;
  name: string;
  price: number;
  stock: number;
  category: string;
  tags: string[];
  added: string;
}

worker.sync('catalogue', {
  database: products,
  mode: 'replace',
  schedule: '1h',
  execute: async (state: { page: number } | undefined) => {
    const page = state?.page ?? 1;
    await source.wait();
    const res = await fetch(`${process.env.SOURCE_URL}?page=${page}`);
    if (!res.ok) throw new Error(`the catalogue answered ${res.status}`);
    const body = (await res.json()) as { items: Item[]; next: number | null };
    console.log(`page ${page}: ${body.items.length} items`);
    return {
      changes: body.items.map((item) => ({
        type: 'upsert' as const,
        key: item.sku,
        properties: {
          Name: Builder.title(item.name),
          SKU: Builder.richText(item.sku),
          Price: Builder.number(item.price),
          'In stock': Builder.checkbox(item.stock > 0),
          Category: Builder.select(item.category),
          Tags: Builder.multiSelect(...item.tags),
          Added: Builder.date(item.added),
        },
      })),
      hasMore: body.next !== null,
      nextState: body.next === null ? undefined : { page: body.next },
    };
  },
});
