import type { Kysely } from 'kysely';

/**
 * The manual order of cards in a board view (docs/ARCHITECTURE.md "The browser app", board).
 * Notion's public API has no field for it (a view's `configuration` names how groups are sorted,
 * not the pages inside them), so Octavo keeps it beside the view, outside the wire object:
 * `view_card_orders` holds, per view, the ids of its pages in the order people arranged them
 * (`page_ids`, a JSON array; cards not listed come after, in the view's query order). Written by
 * the browser app (`PUT /app/api/views/{id}/card_order`); deleted with its view.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('view_card_orders')
    .addColumn('view_id', 'text', (c) => c.primaryKey())
    .addColumn('page_ids', 'text', (c) => c.notNull())
    .addColumn('updated_time', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('view_card_orders').execute();
}
