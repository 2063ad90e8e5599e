/**
 * Runtime values of formulas (notion-formulas.md §3): numbers, text, booleans, dates, persons,
 * pages, lists, empty (`null`) and the failure marker that poisons its consumers (§3.3).
 */
import { fieldsOf, formatMoment, isoYear } from './dates.ts';

export type DateV = { kind: 'date'; start: number; end?: number; hasTime: boolean };
export type PersonV = { kind: 'person'; id: string; name: string | null; email: string | null };
export type PageV = {
  kind: 'page';
  id: string;
  /** Data source of the page (for static resolution of `page.prop("Name")`). */
  dataSourceId: string;
  title: string;
  /** Reads a property of the page by property id (formulas and rollups included). */
  prop(id: string): Value;
};
export type Failure = { kind: 'fail'; why: string };
export type Value = number | string | boolean | DateV | PersonV | PageV | Value[] | null | Failure;

export const FAIL = (why: string): Failure => ({ kind: 'fail', why });
export const isFail = (v: Value): v is Failure =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'fail';
export const isDate = (v: Value): v is DateV =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'date';
export const isPerson = (v: Value): v is PersonV =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'person';
export const isPage = (v: Value): v is PageV =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'page';

/** Applies the non-finite rule: NaN and ±Infinity become empty, -0 becomes 0. */
export const num = (n: number): number | null => (Number.isFinite(n) ? n || 0 : null);

/** `empty(x)`: blank, 0, "", [], false. Dates, pages and persons are never empty. */
export function isEmptyValue(v: Value): boolean {
  if (v === null) return true;
  if (v === 0 || v === '' || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return false;
}

/** Truthiness of a condition (§3.4): falsy iff false, empty, 0, "" or []. */
export const truthy = (v: Value): boolean => !isEmptyValue(v);

/** Text of a date value as `format()` renders it (§3.7). */
export function dateText(d: DateV, zone: string): string {
  const one = (ms: number) => formatMoment(ms, d.hasTime ? 'MMMM D, YYYY HH:mm' : 'MMMM D, YYYY', zone);
  return d.end === undefined ? one(d.start) : `${one(d.start)} → ${one(d.end)}`;
}

/** `format(x)` (§3.7); lists keep empty elements as "". */
export function toText(v: Exclude<Value, Failure>, zone: string): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v || 0);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return v.map((x) => (isFail(x) ? '' : toText(x, zone))).join(',');
  if (v.kind === 'date') return dateText(v, zone);
  if (v.kind === 'person') return v.name ?? '';
  return v.title;
}

/** Value equality (§3.6): dates by start, persons and pages by id, lists element-wise. */
export function equals(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => equals(x, b[i]!));
  }
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (a.kind === 'date' && b.kind === 'date') return a.start === b.start;
  if ((a.kind === 'person' && b.kind === 'person') || (a.kind === 'page' && b.kind === 'page'))
    return a.id === b.id;
  return false;
}

/** Ordering used by `<`… and `sort`: numbers, text by code units, dates by start; kinds ranked. */
export function compare(a: Value, b: Value): number {
  const rank = (v: Value) =>
    typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : typeof v === 'boolean' ? 2 : isDate(v) ? 3 : 4;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (isDate(a) && isDate(b)) return a.start - b.start;
  return 0;
}

/** Wall-clock date `YYYY-MM-DD` or date-time `YYYY-MM-DDTHH:mm:ss.SSS±hh:mm` in `zone`. */
export function isoText(ms: number, hasTime: boolean, zone: string): string {
  if (!hasTime) {
    const f = fieldsOf(ms, zone);
    return `${isoYear(f.y)}-${String(f.mo).padStart(2, '0')}-${String(f.d).padStart(2, '0')}`;
  }
  // A year outside 0–9999 in ISO 8601's expanded form (a sign and six digits), as JavaScript's.
  const y = fieldsOf(ms, zone).y;
  return formatMoment(ms, `${y >= 0 && y <= 9999 ? 'YYYY' : 'YYYYYY'}-MM-DDTHH:mm:ss.SSSZ`, zone);
}
