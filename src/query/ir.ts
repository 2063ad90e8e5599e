/**
 * The query IR: what a data-source query means, independent of Notion's JSON and of SQL.
 * `parse.ts` builds it (and is the only place that raises validation errors), `compile.ts` turns
 * it into Kysely expressions, `evaluate.ts` runs it in plain TypeScript as the test oracle.
 * Every node is a plain frozen-shape object, discriminated on `kind`; nothing here mutates.
 */

import type { FExpr } from './formula-sql.ts';

/** The timestamps every row carries, filterable even without a matching property. */
export type TimestampName = 'created_time' | 'last_edited_time';

/** What a leaf or a sort reads: a property's derived column(s), or one of the row's own columns. */
export type Target =
  | { readonly source: 'property'; readonly id: string; readonly type: string }
  | { readonly source: 'row'; readonly column: RowColumn }
  /** A formula or rollup computed in SQL from the row's columns and related rows (formula-sql.ts). */
  | {
      readonly source: 'expr';
      readonly id: string;
      readonly expr: FExpr;
      /** The property type whose column form the value takes (see parse.ts COMPUTED_COLUMN_TYPE). */
      readonly type: 'number' | 'checkbox' | 'url' | 'date';
    };

/** Row columns every data-source table has besides `page_id` and `in_trash`. */
export type RowColumn = 'created_time' | 'last_edited_time' | 'created_by' | 'last_edited_by';

export type TextOp =
  | 'equals'
  | 'does_not_equal'
  | 'contains'
  | 'does_not_contain'
  | 'starts_with'
  | 'ends_with';
export type NumberOp =
  | 'equals'
  | 'does_not_equal'
  | 'greater_than'
  | 'less_than'
  | 'greater_than_or_equal_to'
  | 'less_than_or_equal_to';
export type DateOp = 'equals' | 'before' | 'after' | 'on_or_before' | 'on_or_after';

/** Keywords standing for one UTC day relative to `now`. */
export type RelativeDay =
  | 'today'
  | 'tomorrow'
  | 'yesterday'
  | 'one_week_ago'
  | 'one_week_from_now'
  | 'one_month_ago'
  | 'one_month_from_now';

/** Keywords standing for a span of UTC days relative to `now` (matched with `equals`, i.e. overlap). */
export type RelativeRange =
  | 'this_week'
  | 'past_week'
  | 'past_month'
  | 'past_year'
  | 'next_week'
  | 'next_month'
  | 'next_year';

/**
 * A date operand is a half-open interval of epoch milliseconds once resolved against `now`:
 * a date-only value is its whole UTC day, a date-time value is the single millisecond.
 */
export type DateOperand =
  | { readonly type: 'absolute'; readonly from: number; readonly to: number }
  | { readonly type: 'relative'; readonly keyword: RelativeDay | RelativeRange };

export type VerificationState = 'verified' | 'expired' | 'none';

/** A filter: a compound of filters, or one condition on one target. */
export type Filter =
  | { readonly kind: 'and' | 'or'; readonly filters: readonly Filter[] }
  /** Text families; `value` is already lowercased (matching is case-insensitive). */
  | { readonly kind: 'text'; readonly target: Target; readonly op: TextOp; readonly value: string }
  | { readonly kind: 'number'; readonly target: Target; readonly op: NumberOp; readonly value: number }
  | {
      readonly kind: 'checkbox';
      readonly target: Target;
      readonly op: 'equals' | 'does_not_equal';
      readonly value: boolean;
    }
  /** select / status: `equals` matches any of `values` (exact names). */
  | {
      readonly kind: 'option';
      readonly target: Target;
      readonly op: 'equals' | 'does_not_equal';
      readonly values: readonly string[];
    }
  /** Multi-valued (multi_select, people, relation, files) and single user columns: contains any of `values`. */
  | {
      readonly kind: 'contains';
      readonly target: Target;
      readonly op: 'contains' | 'does_not_contain';
      readonly values: readonly string[];
    }
  | { readonly kind: 'date'; readonly target: Target; readonly op: DateOp; readonly operand: DateOperand }
  | { readonly kind: 'empty'; readonly target: Target; readonly empty: boolean }
  | {
      readonly kind: 'verification';
      readonly target: Target;
      readonly op: 'equals' | 'does_not_equal';
      readonly state: VerificationState;
    };

export type LeafFilter = Exclude<Filter, { kind: 'and' | 'or' }>;

export type Direction = 'ascending' | 'descending';

/**
 * One sort key. `optionOrder` (select and status) makes the key the option's position in the
 * schema, as Notion orders select values; names no longer in the schema rank after all options.
 */
export interface Sort {
  readonly target: Target;
  readonly direction: Direction;
  readonly optionOrder?: readonly string[];
}

/** A parsed query: an optional filter and the sorts in precedence order (may be empty). */
export interface Query {
  readonly filter: Filter | null;
  readonly sorts: readonly Sort[];
}

/** Order used when a query names no sorts: newest first (then `page_id`, as always). */
export const DEFAULT_SORTS: readonly Sort[] = [
  { target: { source: 'row', column: 'created_time' }, direction: 'descending' },
];

/** The sorts a query really runs with. */
export function effectiveSorts(sorts: readonly Sort[]): readonly Sort[] {
  return sorts.length > 0 ? sorts : DEFAULT_SORTS;
}
