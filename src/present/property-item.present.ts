/**
 * Property items on the wire (GET /v1/pages/{id}/properties/{property_id}): a single
 * `property_item` for simple types; for title, rich_text, people and relation a list whose
 * results each hold one element, with `property_item` describing the property and `next_url`.
 */
import type { PropertySchema } from '../domain/properties/types.ts';
import type { UserRow } from '../store/store.ts';
import type { PresentContext } from './context.ts';
import { presentFile } from './files.present.ts';
import { partialUser, presentUser } from './user.present.ts';

/** What the presenter needs of an item read (see ops/property-items.ts). */
export interface PropertyItemView {
  pageId: string;
  property: PropertySchema;
  value?: unknown;
  items?: unknown[];
  next?: string | null;
  rollup?: unknown;
  users: ReadonlyMap<string, UserRow>;
}

function user(id: string, users: ReadonlyMap<string, UserRow>, ctx: PresentContext) {
  const row = users.get(id);
  return row ? presentUser(row, ctx) : partialUser(id);
}

/** A simple property's item: `{object, id, type, [type]: value}`. */
function simpleItem(view: PropertyItemView, ctx: PresentContext) {
  const { property: p } = view;
  let value = view.value;
  if (p.type === 'created_by' || p.type === 'last_edited_by') {
    value = user((value as { id: string }).id, view.users, ctx);
  }
  if (p.type === 'files') value = (value as unknown[]).map((f) => presentFile(f, ctx));
  return { object: 'property_item' as const, id: p.id, type: p.type, [p.type]: value };
}

/** The absolute URL of the next page of this property, as Notion gives it. */
function nextUrl(view: PropertyItemView, ctx: PresentContext): string | null {
  if (!view.next) return null;
  const path = `/v1/pages/${view.pageId}/properties/${encodeURIComponent(view.property.id)}`;
  return `${ctx.publicUrl}${path}?start_cursor=${view.next}`;
}

/** A rollup's item list: the related values, each an item of the rolled-up property (§8.5). */
function rollupList(view: PropertyItemView, ctx: PresentContext) {
  const { property: p } = view;
  return {
    object: 'list' as const,
    results: (view.items ?? []).map((item) => ({ object: 'property_item' as const, ...(item as object) })),
    next_cursor: view.next ?? null,
    has_more: Boolean(view.next),
    type: 'property_item' as const,
    property_item: { id: p.id, next_url: nextUrl(view, ctx), type: 'rollup', rollup: view.rollup },
  };
}

function listItem(view: PropertyItemView, ctx: PresentContext) {
  const { property: p } = view;
  const results = (view.items ?? []).map((element) => ({
    object: 'property_item' as const,
    type: p.type,
    id: p.id,
    [p.type]: p.type === 'people' ? user((element as { id: string }).id, view.users, ctx) : element,
  }));
  return {
    object: 'list' as const,
    results,
    next_cursor: view.next ?? null,
    has_more: Boolean(view.next),
    type: 'property_item' as const,
    property_item: { id: p.id, next_url: nextUrl(view, ctx), type: p.type, [p.type]: {} },
  };
}

/** The response of the property item endpoint for one read. */
export function presentPropertyItem(view: PropertyItemView, ctx: PresentContext) {
  if (view.property.type === 'rollup') return rollupList(view, ctx);
  return view.items ? listItem(view, ctx) : simpleItem(view, ctx);
}
