/**
 * The IR evaluated in plain TypeScript over derived rows (columns.ts): the oracle the SQL
 * compiler is tested against, and usable wherever a handful of rows is already in memory.
 * Semantics are those documented in compile.ts (empties), dates.ts (intervals) and keys.ts (order).
 */
import { dateEndColumn, familyOf, valueColumn } from './columns.ts';
import { matchesDate, resolveOperand } from './dates.ts';
import { fexprValue, type Interval, type Row, type ValueContext } from './formula-sql.ts';
import type { Filter, LeafFilter, Query } from './ir.ts';
import { type DerivedRow, keyValue, rowComparator } from './keys.ts';

export interface EvaluateOptions {
  /** The instant relative dates (and `now()` in formulas) are computed from. */
  readonly now: Date;
  /** The live rows of a data-source table among `ids`, in their order (rollups in SQL). */
  readonly related?: (table: string, ids: readonly string[]) => Row[];
}

function valueContext(options: EvaluateOptions): ValueContext {
  return {
    now: options.now,
    ...(options.related ? { related: options.related } : {}),
    test: (f, row) => evaluateFilter(f, row, options),
  };
}

/** True when `row` satisfies `filter`. */
export function evaluateFilter(filter: Filter, row: DerivedRow, options: EvaluateOptions): boolean {
  switch (filter.kind) {
    case 'and':
      return filter.filters.every((f) => evaluateFilter(f, row, options));
    case 'or':
      return filter.filters.some((f) => evaluateFilter(f, row, options));
    default:
      return evaluateLeaf(filter, row, options);
  }
}

/** The page ids of `rows` that match `query`, in its total order. */
export function runQuery(query: Query, rows: readonly DerivedRow[], options: EvaluateOptions): string[] {
  const { filter } = query;
  return rows
    .filter((row) => filter === null || evaluateFilter(filter, row, options))
    .sort(rowComparator(query.sorts, valueContext(options)))
    .map((row) => row.page_id as string);
}

function evaluateLeaf(leaf: LeafFilter, row: DerivedRow, options: EvaluateOptions): boolean {
  const v =
    leaf.target.source === 'expr'
      ? keyValue(fexprValue(leaf.target.expr, row, valueContext(options)))
      : (row[valueColumn(leaf.target)] ?? null);
  switch (leaf.kind) {
    case 'empty':
      return (v === null) === leaf.empty;
    case 'text':
      return negate(leaf.op, textMatches(leaf.op, v, leaf.value));
    case 'number':
      return negate(leaf.op, typeof v === 'number' && numberMatches(leaf.op, v, leaf.value));
    case 'checkbox':
      return negate(leaf.op, (v ?? 0) === (leaf.value ? 1 : 0));
    case 'option':
      return negate(leaf.op, typeof v === 'string' && leaf.values.includes(v));
    case 'contains':
      return negate(
        leaf.op,
        elements(leaf.target.source === 'row' ? 'row' : 'property', v).some((e) => leaf.values.includes(e)),
      );
    case 'date':
      return dateMatches(leaf, row, options);
    case 'verification':
      return negate(leaf.op, leaf.state === 'none' ? v === null : v === leaf.state);
  }
}

function negate(op: string, positive: boolean): boolean {
  return op === 'does_not_equal' || op === 'does_not_contain' ? !positive : positive;
}

function textMatches(op: string, v: unknown, needle: string): boolean {
  if (needle === '') return op === 'equals' || op === 'does_not_equal' ? v === null : v !== null;
  if (typeof v !== 'string') return false;
  switch (op) {
    case 'equals':
    case 'does_not_equal':
      return v === needle;
    case 'contains':
    case 'does_not_contain':
      return v.includes(needle);
    case 'starts_with':
      return v.startsWith(needle);
    default:
      return v.endsWith(needle);
  }
}

function numberMatches(op: string, v: number, x: number): boolean {
  switch (op) {
    case 'equals':
    case 'does_not_equal':
      return v === x;
    case 'greater_than':
      return v > x;
    case 'less_than':
      return v < x;
    case 'greater_than_or_equal_to':
      return v >= x;
    default:
      return v <= x;
  }
}

/** Elements of a multi-valued column (JSON array text) or of a single user-id row column. */
function elements(source: 'property' | 'row', v: unknown): string[] {
  if (typeof v !== 'string') return [];
  return source === 'row' ? [v] : (JSON.parse(v) as string[]);
}

function dateMatches(
  leaf: Extract<LeafFilter, { kind: 'date' }>,
  row: DerivedRow,
  options: EvaluateOptions,
): boolean {
  const f = resolveOperand(leaf.operand, options.now);
  if (leaf.target.source === 'expr') {
    const d = fexprValue(leaf.target.expr, row, valueContext(options)) as Interval | null;
    return d !== null && matchesDate(leaf.op, d.lo, d.hi, f);
  }
  const start = row[valueColumn(leaf.target)] ?? null;
  if (start === null) return false;
  if (leaf.target.source === 'row' || familyOf(leaf.target.type) !== 'date') {
    const t = Date.parse(String(start));
    return matchesDate(leaf.op, t, t + 1, f);
  }
  const end = row[dateEndColumn(leaf.target)];
  return matchesDate(leaf.op, Number(start), Number(end), f);
}
