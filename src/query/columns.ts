/**
 * The derived-column contract between the query engine and storage.
 *
 * Each data source has one SQL table, one row per page: `page_id` (TEXT key), the row columns
 * `created_time` / `last_edited_time` (TEXT, `Date#toISOString()` form, so text order is time
 * order), `created_by` / `last_edited_by` (TEXT user ids), `in_trash` (INTEGER 0/1), and per
 * property the columns below, derived from the page's property value (response form, §6.3) by
 * `deriveColumns`. Full values live elsewhere; these columns exist only to filter and sort.
 *
 * | family        | property types                               | column(s)                                  |
 * |---------------|----------------------------------------------|--------------------------------------------|
 * | text          | title, rich_text, url, email, phone_number   | `p_<hex>` TEXT: plain text LOWERCASED in JS |
 * | number        | number, unique_id (numeric part)             | `p_<hex>` double precision                 |
 * | checkbox      | checkbox                                     | `p_<hex>` INTEGER 0/1, never NULL          |
 * | option        | select, status                               | `p_<hex>` TEXT option name                 |
 * | multi         | multi_select (names), people (user ids),     | `p_<hex>` TEXT: JSON array of strings      |
 * |               | relation (page ids), files (names)           |                                            |
 * | date          | date, last_visited_time (always empty)       | `p_<hex>_lo`, `p_<hex>_hi` double: epoch ms |
 * | verification  | verification                                 | `p_<hex>` TEXT 'verified' / 'expired'      |
 * | row           | created_time, last_edited_time, created_by,  | none: they read the row columns            |
 * |               | last_edited_by                               |                                            |
 *
 * Empty values are NULL in every family but checkbox (false = 0). Lowercasing happens in JS
 * (`toLowerCase`, full Unicode) because SQLite's lower() is ASCII-only; all text matching is then
 * exact comparison of lowered strings, identical on SQLite, Postgres and in the evaluator.
 * Multi-valued values are a JSON array in one TEXT column rather than a side table: one write per
 * page instead of delete+insert of n rows, the same bytes on both engines, and Postgres can still
 * index containment with a GIN index on `(col::jsonb)`; SQLite scans `json_each`, which is fine at
 * data-source sizes. Dates are two numbers, the interval of `dates.ts` ([start, end-of-end)).
 */
import { createHash } from 'node:crypto';
import { matchableText } from '../domain/rich-text.ts';
import { normalizeId } from '../lib/ids.ts';
import { pageDateInterval } from './dates.ts';
import type { RowColumn, Target } from './ir.ts';

/** Storage class of a derived column; DDL maps it per dialect. */
export type ColumnKind = 'text' | 'number' | 'integer' | 'json_array';

export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
}

/** A data-source property in its response form (§6.1): `{id, name, type, [type]: config}`. */
export interface SchemaProperty {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly [config: string]: unknown;
}

export type Family =
  | 'text'
  | 'number'
  | 'checkbox'
  | 'option'
  | 'multi'
  | 'date'
  | 'verification'
  | 'row'
  | 'none';

const FAMILY: Record<string, Family> = {
  title: 'text',
  rich_text: 'text',
  url: 'text',
  email: 'text',
  phone_number: 'text',
  number: 'number',
  unique_id: 'number',
  checkbox: 'checkbox',
  select: 'option',
  status: 'option',
  multi_select: 'multi',
  people: 'multi',
  relation: 'multi',
  files: 'multi',
  date: 'date',
  last_visited_time: 'date',
  verification: 'verification',
  created_time: 'row',
  last_edited_time: 'row',
  created_by: 'row',
  last_edited_by: 'row',
};

/** Which value family a property type belongs to ('none': no columns, not filterable). */
export function familyOf(type: string): Family {
  return FAMILY[type] ?? 'none';
}

/** The derived table of a data source: `ds_` and the id's 32 hex digits. */
export function rowTableName(dataSourceId: string): string {
  return `ds_${dataSourceId.replaceAll('-', '')}`;
}

/** Row columns every table has, in DDL order. */
export const ROW_COLUMNS: readonly ColumnSpec[] = [
  { name: 'created_time', kind: 'text' },
  { name: 'last_edited_time', kind: 'text' },
  { name: 'created_by', kind: 'text' },
  { name: 'last_edited_by', kind: 'text' },
  { name: 'in_trash', kind: 'integer' },
];

function decodeId(id: string): string {
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}

/**
 * The SQL-safe column stem of a property: `p_` + hex of the URL-decoded id's UTF-8 bytes
 * (`title` → `p_7469746c65`); ids too long for a 63-byte identifier use a SHA-256 prefix.
 */
export function columnStem(propertyId: string): string {
  const hex = Buffer.from(decodeId(propertyId), 'utf8').toString('hex');
  if (hex.length <= 48) return `p_${hex}`;
  return `h_${createHash('sha256').update(hex).digest('hex').slice(0, 40)}`;
}

/** The derived columns of one property (empty for row-mapped and unsupported types). */
export function propertyColumns(prop: Pick<SchemaProperty, 'id' | 'type'>): ColumnSpec[] {
  const stem = columnStem(prop.id);
  switch (familyOf(prop.type)) {
    case 'text':
    case 'option':
    case 'verification':
      return [{ name: stem, kind: 'text' }];
    case 'number':
      return [{ name: stem, kind: 'number' }];
    case 'checkbox':
      return [{ name: stem, kind: 'integer' }];
    case 'multi':
      return [{ name: stem, kind: 'json_array' }];
    case 'date':
      return [
        { name: `${stem}_lo`, kind: 'number' },
        { name: `${stem}_hi`, kind: 'number' },
      ];
    default:
      return [];
  }
}

const ROW_TARGET: Record<string, RowColumn> = {
  created_time: 'created_time',
  last_edited_time: 'last_edited_time',
  created_by: 'created_by',
  last_edited_by: 'last_edited_by',
};

/** The target a property reads: row-mapped types read the row's own column. */
export function targetOf(prop: Pick<SchemaProperty, 'id' | 'type'>): Target {
  const row = ROW_TARGET[prop.type];
  return row ? { source: 'row', column: row } : { source: 'property', id: prop.id, type: prop.type };
}

/** The column holding a target's value (for dates: the interval start, which is also its sort key). */
export function valueColumn(target: Target): string {
  if (target.source === 'row') return target.column;
  if (target.source === 'expr') throw new Error('an expression target has no column (see expr.ts)');
  const stem = columnStem(target.id);
  return familyOf(target.type) === 'date' ? `${stem}_lo` : stem;
}

/** The exclusive interval end of a date property target. */
export function dateEndColumn(target: Target): string {
  return target.source === 'row' ? target.column : `${columnStem(target.id)}_hi`;
}

export type ColumnValue = string | number | null;

/**
 * The derived column values of one property for one page, from its response-form value
 * (`{id, type, [type]: v}`, or the bare `v`); a missing value derives as empty.
 */
export function deriveColumns(
  prop: Pick<SchemaProperty, 'id' | 'type'>,
  value: unknown,
): Record<string, ColumnValue> {
  const cols = propertyColumns(prop);
  const v = unwrap(prop.type, value);
  const out: Record<string, ColumnValue> = {};
  const first = cols[0];
  if (!first) return out;
  switch (familyOf(prop.type)) {
    case 'text':
      out[first.name] = lowerOrNull(prop.type === 'title' || prop.type === 'rich_text' ? plainText(v) : v);
      break;
    case 'number':
      out[first.name] = numberOrNull(
        prop.type === 'unique_id' ? (v as { number?: unknown } | null)?.number : v,
      );
      break;
    case 'checkbox':
      out[first.name] = v === true ? 1 : 0;
      break;
    case 'option':
      out[first.name] = nameOf(v);
      break;
    case 'multi':
      out[first.name] = jsonArrayOrNull(multiValues(prop.type, v));
      break;
    case 'date': {
      const interval = pageDateInterval(v);
      out[first.name] = interval?.from ?? null;
      out[cols[1]!.name] = interval?.to ?? null;
      break;
    }
    case 'verification': {
      const state = (v as { state?: unknown } | null)?.state;
      out[first.name] = state === 'verified' || state === 'expired' ? state : null;
      break;
    }
  }
  return out;
}

function unwrap(type: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value) && type in value) {
    const obj = value as Record<string, unknown>;
    if ('id' in obj || 'type' in obj) return obj[type];
  }
  return value;
}

function plainText(v: unknown): string {
  return Array.isArray(v) ? matchableText(v) : '';
}

function lowerOrNull(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v.toLowerCase() : null;
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function nameOf(v: unknown): string | null {
  const name = (v as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : null;
}

function multiValues(type: string, v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const item of v as { id?: unknown; name?: unknown }[]) {
    if (type === 'multi_select' || type === 'files') {
      if (typeof item?.name === 'string') out.push(item.name);
    } else {
      const id = normalizeId(item?.id);
      if (id) out.push(id);
    }
  }
  return out;
}

function jsonArrayOrNull(values: string[]): string | null {
  return values.length > 0 ? JSON.stringify(values) : null;
}
