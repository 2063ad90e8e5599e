/**
 * Page property values on the wire, from their stored form and the data source's schema:
 * option ids resolve to `{id, name, color}`, computed properties come from the row, and
 * reference lists stop at 25 as Notion's page objects do.
 */

import {
  type PropertySchema,
  payloadOf,
  type Schema,
  type SelectOption,
} from '../domain/properties/types.ts';
import type { StoredValue, StoredValues } from '../domain/properties/values.ts';
import { toMinute } from '../lib/clock.ts';
import type { BlockRow } from '../store/store.ts';
import type { PresentContext } from './context.ts';
import { presentFile } from './files.present.ts';
import { partialUser } from './user.present.ts';

/** Page objects compute at most this many references per property. */
export const MAX_REFERENCES = 25;

function option(prop: PropertySchema, ref: { id: string } | null | undefined) {
  if (!ref) return null;
  const found = payloadOf<{ options: SelectOption[] }>(prop).options.find((o) => o.id === ref.id);
  return found ? { id: found.id, name: found.name, color: found.color } : null;
}

/** The response-form value of one property (`v` in `{id, type, [type]: v}`) for one page row. */
export function propertyValue(prop: PropertySchema, stored: StoredValue | undefined, row: BlockRow): unknown {
  const v = stored && stored.type === prop.type ? stored[prop.type] : undefined;
  switch (prop.type) {
    case 'title':
    case 'rich_text':
    case 'files':
      return v ?? [];
    case 'multi_select':
      return ((v as { id: string }[] | undefined) ?? [])
        .map((r) => option(prop, r))
        .filter((o) => o !== null);
    case 'select':
    case 'status':
      return option(prop, v as { id: string } | null);
    case 'people':
      return ((v as { id: string }[] | undefined) ?? []).map((p) => partialUser(p.id));
    case 'relation':
      return (v as { id: string }[] | undefined) ?? [];
    case 'checkbox':
      return v === true;
    case 'created_time':
      return toMinute(row.created_time);
    case 'last_edited_time':
      return toMinute(row.last_edited_time);
    case 'created_by':
      return partialUser(row.created_by);
    case 'last_edited_by':
      return partialUser(row.last_edited_by);
    case 'unique_id':
      return {
        prefix: payloadOf<{ prefix: string | null }>(prop).prefix ?? null,
        number: (v as number | undefined) ?? null,
      };
    case 'button':
      return {};
    // Octavo has no app to visit pages in, and no page carries a captured location: both are
    // computed by the server and always empty (docs/compatibility.md).
    case 'last_visited_time':
    case 'location':
      return null;
    case 'verification':
      return v ?? { state: 'unverified', date: null, verified_by: null };
    default:
      return v ?? null;
  }
}

/** The page's `properties` object: every schema property, keyed by name, in schema order. */
export function presentValues(
  schema: Schema,
  stored: StoredValues,
  row: BlockRow,
  only?: ReadonlySet<string>,
  ctx?: PresentContext,
  computed?: ReadonlyMap<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const prop of schema) {
    if (only && !only.has(prop.id)) continue;
    let value =
      prop.type === 'formula'
        ? (computed?.get(prop.id) ?? { type: 'string', string: null })
        : prop.type === 'rollup'
          ? (computed?.get(prop.id) ?? { type: 'unsupported', unsupported: {} })
          : propertyValue(prop, stored[prop.id], row);
    if (prop.type === 'files' && ctx) value = (value as unknown[]).map((f) => presentFile(f, ctx));
    // Keys in Notion's order: id, type, the value under the type's name, then has_more.
    const entry: Record<string, unknown> = { id: prop.id, type: prop.type };
    if (prop.type === 'relation' || prop.type === 'people') {
      const list = value as unknown[];
      entry[prop.type] = list.length > MAX_REFERENCES ? list.slice(0, MAX_REFERENCES) : list;
      if (prop.type === 'relation') entry.has_more = list.length > MAX_REFERENCES;
    } else {
      entry[prop.type] = value;
    }
    out[prop.name] = entry;
  }
  return out;
}
