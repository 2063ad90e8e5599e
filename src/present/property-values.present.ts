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
import type { JsonEntry, JsonSpan } from '../lib/json-spans.ts';
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
    out[prop.name] = presentEntry(prop, stored[prop.id], row, ctx, computed);
  }
  return out;
}

/** One property of a page's `properties`: `{id, type, [type]: value}` (and `has_more`). */
function presentEntry(
  prop: PropertySchema,
  stored: StoredValue | undefined,
  row: BlockRow,
  ctx?: PresentContext,
  computed?: ReadonlyMap<string, unknown>,
): Record<string, unknown> {
  let value =
    prop.type === 'formula'
      ? (computed?.get(prop.id) ?? { type: 'string', string: null })
      : prop.type === 'rollup'
        ? (computed?.get(prop.id) ?? { type: 'unsupported', unsupported: {} })
        : propertyValue(prop, stored, row);
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
  return entry;
}

/**
 * Types whose response value is the stored one as it is (`v ?? []` or `v ?? null` in
 * `propertyValue`): their stored JSON text can be spliced into the response, the value here
 * written when there is none. Checkbox is written from its stored text without a parse.
 */
const SPLICED: Record<string, string> = {
  title: '[]',
  rich_text: '[]',
  number: 'null',
  date: 'null',
  url: 'null',
  email: 'null',
  phone_number: 'null',
  // Not as stored but as simply: `true` only for a stored `true`.
  checkbox: 'false',
};

/** Per schema: can its `properties` be written in schema order, and each property's key text. */
interface SchemaJson {
  /** `"Name":{"id":"…","type":"title","title":` for spliced types, `"Name":` for the others. */
  heads: string[];
}

const schemaJson = new WeakMap<Schema, SchemaJson | null>();

/** An array index (`"0"` … `"4294967294"`): V8 puts such keys first, whatever their order. */
const INDEX_KEY = /^(?:0|[1-9][0-9]{0,9})$/;

/** Whether `presentValuesJson` can write the values of this schema. */
export function schemaSplices(schema: Schema): boolean {
  return schemaJsonOf(schema) !== null;
}

function schemaJsonOf(schema: Schema): SchemaJson | null {
  let known = schemaJson.get(schema);
  if (known !== undefined) return known;
  const names = new Set<string>();
  known = { heads: [] };
  for (const prop of schema) {
    // The object path would reorder (index-like names), merge (twice the same name) or drop
    // (`__proto__` sets the prototype) these keys: they take that path.
    if (names.has(prop.name) || prop.name === '__proto__' || INDEX_KEY.test(prop.name)) {
      known = null;
      break;
    }
    names.add(prop.name);
    const type = JSON.stringify(prop.type);
    known.heads.push(
      prop.type in SPLICED
        ? `${JSON.stringify(prop.name)}:{"id":${JSON.stringify(prop.id)},"type":${type},${type}:`
        : `${JSON.stringify(prop.name)}:`,
    );
  }
  schemaJson.set(schema, known);
  return known;
}

/**
 * The JSON text of `presentValues(schema, JSON.parse(text), …)`, byte for byte, from the stored
 * text `text` and its `entries` (lib/json-spans.ts `jsonEntries`): values passed through as
 * stored are spliced from it, the others are presented from their own entry alone. Call only
 * when `schemaSplices(schema)`.
 */
export function presentValuesJson(
  schema: Schema,
  text: string,
  entries: readonly JsonEntry[],
  row: BlockRow,
  only?: ReadonlySet<string>,
  ctx?: PresentContext,
  computed?: ReadonlyMap<string, unknown>,
): string {
  const heads = schemaJsonOf(schema)!.heads;
  let out = '';
  for (let k = 0; k < schema.length; k++) {
    const prop = schema[k]!;
    if (only && !only.has(prop.id)) continue;
    // Stored values are mostly in schema order: the entry at the same place is looked at first
    // (keys are unique, jsonEntries refuses a repeated one).
    let entry: JsonEntry | undefined = entries[k];
    if (entry?.key !== prop.id) {
      entry = undefined;
      for (const e of entries) if (e.key === prop.id) entry = e;
    }
    out += out === '' ? `{${heads[k]}` : `,${heads[k]}`;
    const empty = SPLICED[prop.type];
    if (empty !== undefined) {
      // `stored.type === prop.type ? stored[prop.type] : undefined`, then `?? empty`.
      let raw: JsonSpan | undefined;
      if (entry && typeTextOf(text, entry) === prop.type) {
        for (const v of entry.values) if (v.key === prop.type) raw = v;
      }
      if (prop.type === 'checkbox') {
        // `v === true`
        const yes = raw !== undefined && raw.end - raw.start === 4 && text.startsWith('true', raw.start);
        out += yes ? 'true}' : 'false}';
      } else {
        const isNull = !raw || (raw.end - raw.start === 4 && text.startsWith('null', raw.start));
        out += isNull ? `${empty}}` : `${text.slice(raw!.start, raw!.end)}}`;
      }
    } else {
      const memo = REMEMBERED.has(prop.type) && Object.isFrozen(prop) ? rememberedOf(prop) : undefined;
      const stored = entry ? text.slice(entry.start, entry.end) : '';
      let json = memo?.get(stored);
      if (json === undefined) {
        const value = entry ? (JSON.parse(stored) as StoredValue) : undefined;
        json = JSON.stringify(presentEntry(prop, value, row, ctx, computed));
        if (memo) {
          if (memo.size >= REMEMBERED_PER_PROPERTY) memo.clear();
          memo.set(stored, json);
        }
      }
      out += json;
    }
  }
  return out === '' ? '{}' : `${out}}`;
}

/**
 * Types whose entry on the wire depends on the property's schema and the stored entry alone (not
 * on the row, the reader or the time: not files, formulas, rollups, created/edited by/time):
 * their entry's JSON is remembered per property by the stored entry's text. A page of results
 * repeats the same few select options, statuses, tag sets and people over and over; each was
 * parsed, presented and written again for every row.
 */
const REMEMBERED = new Set([
  'select',
  'status',
  'multi_select',
  'people',
  'relation',
  'unique_id',
  'verification',
]);

/** Entries kept per property; past it the property's memory starts again (bounded, not LRU). */
const REMEMBERED_PER_PROPERTY = 256;

/**
 * Per property schema. Only frozen ones are remembered (a data source's rows are presented with
 * its schema shared and frozen, ops/pages.ts `sharedSchemaOf`): a schema changed in place would
 * otherwise be answered with its old options.
 */
const remembered = new WeakMap<PropertySchema, Map<string, string>>();

function rememberedOf(prop: PropertySchema): Map<string, string> {
  let memo = remembered.get(prop);
  if (!memo) {
    memo = new Map();
    remembered.set(prop, memo);
  }
  return memo;
}

/** The entry's `type` when it is a plain string. */
function typeTextOf(text: string, entry: JsonEntry): string | undefined {
  for (const v of entry.values) {
    if (v.key === 'type' && text.charCodeAt(v.start) === 34) return text.slice(v.start + 1, v.end - 1);
  }
  return undefined;
}
