/**
 * Reading one property of a page in full (GET /v1/pages/{id}/properties/{property_id}): the
 * property's value without the 25-reference cap of page objects, the list kinds (title,
 * rich_text, people, relation) paginated one element per item.
 */
import { findPropertyById, type PropertySchema } from '../domain/properties/types.ts';
import type { StoredValues } from '../domain/properties/values.ts';
import { normalizeId } from '../lib/ids.ts';
import { propertyValue } from '../present/property-values.present.ts';
import type { BlockRow, StoreTx, UserRow } from '../store/store.ts';
import { ApiError } from '../wire/errors.ts';
import { validationError } from '../wire/validation.ts';
import { isPage, loadVisible, type OpEnv } from './env.ts';
import { rollupInFull } from './formulas.ts';
import { pageRecord } from './pages.ts';

/** Types whose property item is a paginated list of one-element items. */
export const LIST_ITEM_TYPES: ReadonlySet<string> = new Set(['title', 'rich_text', 'people', 'relation']);

/** One property of one page, read in full. */
export interface PropertyItemRecord {
  pageId: string;
  property: PropertySchema;
  row: BlockRow;
  /** Simple kinds: the whole response-form value. */
  value?: unknown;
  /** List kinds: this page of elements, and the cursor of the next one. */
  items?: unknown[];
  next?: string | null;
  /** Rollups: the value computed over all related pages (items hold the related values). */
  rollup?: unknown;
  /** Users the value refers to (people, created_by, last_edited_by), by id. */
  users: ReadonlyMap<string, UserRow>;
}

/**
 * Cursors are opaque to clients; here one is the page's first 20 hex digits and the offset of
 * the next element in the last 12, so it has the id shape every cursor of the API has and names
 * the page it belongs to.
 */
export function itemCursor(pageId: string, offset: number): string {
  const hex = pageId.replaceAll('-', '').slice(0, 20) + offset.toString(16).padStart(12, '0');
  return normalizeId(hex)!;
}

function cursorOffset(pageId: string, cursor: string | null, length: number): number {
  if (cursor === null) return 0;
  const hex = cursor.replaceAll('-', '');
  const offset = Number.parseInt(hex.slice(20), 16);
  if (hex.slice(0, 20) !== pageId.replaceAll('-', '').slice(0, 20) || offset > length) {
    throw validationError('query', {
      path: ['start_cursor'],
      expectation: 'should be a valid cursor',
      value: cursor,
    });
  }
  return offset;
}

async function usersOf(tx: StoreTx, ids: readonly string[]): Promise<Map<string, UserRow>> {
  const out = new Map<string, UserRow>();
  for (const id of new Set(ids)) {
    const row = await tx.users.get(id);
    if (row) out.set(id, row);
  }
  return out;
}

export async function getPropertyItem(
  tx: StoreTx,
  env: OpEnv,
  pageId: string,
  propertyId: string,
  page: { from: string | null; limit: number },
): Promise<PropertyItemRecord> {
  // The property item is the full value: no 25-reference limit.
  const record = await pageRecord(
    tx,
    env,
    await loadVisible(tx, env, pageId, 'page', isPage),
    Number.POSITIVE_INFINITY,
  );
  const schema = record.source?.schema ?? [
    { id: 'title', name: 'title', description: null, type: 'title', title: {} },
  ];
  const property = findPropertyById(schema, propertyId);
  if (!property) {
    throw new ApiError('object_not_found', `Could not find property with ID: ${propertyId}.`);
  }
  if (property.type === 'rollup') {
    const { result, items: all } = await rollupInFull(tx, env, record, property);
    const offset = cursorOffset(record.row.id, page.from, all.length);
    const items = all.slice(offset, offset + page.limit);
    const end = offset + items.length;
    const next = end < all.length ? itemCursor(record.row.id, end) : null;
    // show_original lists the values as items; its own value is an empty array (§8.5).
    const rollup = result.type === 'array' ? { ...result, array: [] } : result;
    return { pageId: record.row.id, property, row: record.row, items, next, rollup, users: new Map() };
  }
  const stored = (record.row.properties ? JSON.parse(record.row.properties) : {}) as StoredValues;
  const value =
    property.type === 'formula'
      ? (record.source?.computed?.get(property.id) ?? { type: 'string', string: null })
      : propertyValue(property, stored[property.id], record.row);
  const base = { pageId: record.row.id, property, row: record.row };
  if (!LIST_ITEM_TYPES.has(property.type)) {
    const userIds =
      property.type === 'created_by'
        ? [record.row.created_by]
        : property.type === 'last_edited_by'
          ? [record.row.last_edited_by]
          : [];
    return { ...base, value, users: await usersOf(tx, userIds) };
  }
  const all = value as unknown[];
  const offset = cursorOffset(record.row.id, page.from, all.length);
  const items = all.slice(offset, offset + page.limit);
  const end = offset + items.length;
  const next = end < all.length ? itemCursor(record.row.id, end) : null;
  const userIds = property.type === 'people' ? (items as { id: string }[]).map((u) => u.id) : [];
  return { ...base, items, next, users: await usersOf(tx, userIds) };
}
