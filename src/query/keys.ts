/**
 * Sort keys as plain values, shared by the keyset cursor (which binds the last row's keys as
 * parameters) and the evaluator (which sorts with them). SQL computes the same keys in
 * compile.ts; the three must agree on every row.
 *
 * Order rules: empty keys (NULL) sort last in both directions; text compares by Unicode code
 * point (SQLite BINARY, Postgres COLLATE "C"); select/status compare by option position;
 * `page_id` is always the final key, so the order is total: ascending, except without sorts
 * (newest first), where it is descending like `created_time` before it, so that one backward
 * read of the `(created_time, page_id)` index gives the whole order, with no sort of the rows
 * sharing a creation time (an import's batch shares one; docs/benchmarks.md), and ties are
 * newest first too (page ids are UUIDv7, in creation order).
 */
import { type ColumnValue, columnStem, valueColumn } from './columns.ts';
import { type FValue, fexprValue, type ValueContext } from './formula-sql.ts';
import { type Direction, effectiveSorts, type Sort } from './ir.ts';

/** A derived row as stored: column name → value. */
export type DerivedRow = Readonly<Record<string, ColumnValue | undefined>>;

export type KeyValue = string | number | null;

/** One term of the total order: a sort, or the final `page_id` tie-breaker. */
export type OrderTerm = { readonly sort: Sort } | { readonly pageId: true; readonly direction: Direction };

/** The terms a query orders by: its effective sorts, then `page_id` (see above for its direction). */
export function orderTerms(sorts: readonly Sort[]): OrderTerm[] {
  const direction: Direction = sorts.length === 0 ? 'descending' : 'ascending';
  return [...effectiveSorts(sorts).map((sort) => ({ sort })), { pageId: true as const, direction }];
}

export function termDirection(term: OrderTerm): Direction {
  return 'sort' in term ? term.sort.direction : term.direction;
}

/** Position of an option name in `order`; unknown names rank after every option. */
export function optionRank(order: readonly string[], name: ColumnValue | undefined): number | null {
  if (typeof name !== 'string') return null;
  const i = order.indexOf(name);
  return i >= 0 ? i : order.length;
}

/**
 * The column under which a query reads a computed sort key along with a row (the keyset
 * cursor's anchor: its keys computed by the same SQL as the order, see execute.ts).
 */
export function exprKeyColumn(id: string): string {
  return `fx_key_${columnStem(id)}`;
}

/** A computed value as a sort key: booleans as 1 / 0, dates by their start. */
export function keyValue(v: FValue): KeyValue {
  if (v === null || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v.lo;
}

/**
 * The key of `row` under `term`. A computed key is read from the row when SQL computed it
 * (`exprKeyColumn`), else computed over the row with `values` (the evaluator).
 */
export function keyOf(term: OrderTerm, row: DerivedRow, values?: ValueContext): KeyValue {
  if ('pageId' in term) return (row.page_id as string | undefined) ?? null;
  const target = term.sort.target;
  let raw: KeyValue;
  if (target.source !== 'expr') raw = row[valueColumn(target)] ?? null;
  else if (exprKeyColumn(target.id) in row) raw = row[exprKeyColumn(target.id)] ?? null;
  else raw = keyValue(fexprValue(target.expr, row, values ?? { now: new Date() }));
  if (term.sort.optionOrder) return optionRank(term.sort.optionOrder, raw);
  return raw;
}

/** Compares two strings by code point (not UTF-16 unit), as the databases do. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Compares two non-null keys of the same term. */
export function compareKeys(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  return compareCodePoints(String(a), String(b));
}

/** A comparator of derived rows in the query's total order (empties last, `page_id` last). */
export function rowComparator(
  sorts: readonly Sort[],
  values?: ValueContext,
): (a: DerivedRow, b: DerivedRow) => number {
  const terms = orderTerms(sorts);
  return (a, b) => {
    for (const term of terms) {
      const x = keyOf(term, a, values);
      const y = keyOf(term, b, values);
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      const c = compareKeys(x, y);
      if (c !== 0) return termDirection(term) === 'ascending' ? c : -c;
    }
    return 0;
  };
}
