/**
 * Parsing of one condition object (`{"contains": "x"}`) for one value family into an IR leaf.
 * Errors name the full body path in Notion's grammar (`body.filter.number.equals should be a
 * number, instead was `"x"`.`). Used only by parse.ts.
 */
import { normalizeId } from '../lib/ids.ts';
import { bodyError, type PathSegment } from '../wire/validation.ts';
import type { Family } from './columns.ts';
import { parseDateInterval } from './dates.ts';
import type { FExpr, RelationRef } from './formula-sql.ts';
import type { DateOperand, Filter, LeafFilter, RelativeDay, RelativeRange, Target } from './ir.ts';

export interface ConditionContext {
  readonly meUserId: string | null;
  /** Result kinds of formula and rollup properties, by property id (see parse.ts). */
  readonly computed?: ReadonlyMap<string, ComputedKind>;
  /** Formulas and rollups that compile to SQL (formula-sql.ts), by property id. */
  readonly exprs?: ReadonlyMap<string, FExpr>;
  /**
   * The relation of each rollup whose related rows SQL can read (formula-sql.ts), by rollup
   * property id: its `any` / `every` / `none` conditions then run in SQL.
   */
  readonly relations?: ReadonlyMap<string, RelationRef>;
  /**
   * The rolled-up rollup of a rollup, as SQL over the related row (formula-sql.ts), by rollup
   * property id: its `any` / `every` / `none` conditions then run in SQL (with `relations`).
   */
  readonly rolledExprs?: ReadonlyMap<string, FExpr>;
  /** Rolled-up property (of the related data source) of each rollup, by rollup property id. */
  readonly rolled?: ReadonlyMap<
    string,
    { readonly id: string; readonly type: string; readonly [k: string]: unknown }
  >;
  /** What the rolled-up property yields when it is a formula or a rollup, by rollup property id. */
  readonly rolledKinds?: ReadonlyMap<string, ComputedKind>;
  /**
   * Filled by the parser: each rollup `any`/`every`/`none` condition, under the synthetic
   * checkbox column its leaf reads (the caller computes that column per row).
   */
  readonly quantified?: Map<string, Quantified>;
}

/** A rollup condition over each related page: `filter` reads the related page's derived row. */
export interface Quantified {
  readonly rollupId: string;
  readonly mode: 'any' | 'every' | 'none';
  readonly filter: Filter;
  /** The rolled-up formula or rollup `filter` reads (the caller computes it on each related page). */
  readonly formula?: { readonly id: string; readonly kind: ComputedKind };
}

/** What a formula or rollup yields, as the API types it. */
export type ComputedKind = 'string' | 'number' | 'boolean' | 'date' | 'array' | 'unsupported';

const EXISTENCE = ['is_empty', 'is_not_empty'] as const;
const TEXT_OPS = [
  'equals',
  'does_not_equal',
  'contains',
  'does_not_contain',
  'starts_with',
  'ends_with',
] as const;
const NUMBER_OPS = [
  'equals',
  'does_not_equal',
  'greater_than',
  'less_than',
  'greater_than_or_equal_to',
  'less_than_or_equal_to',
] as const;
const DATE_OPS = ['equals', 'before', 'after', 'on_or_before', 'on_or_after'] as const;
const RELATIVE_RANGES: readonly RelativeRange[] = [
  'past_week',
  'past_month',
  'past_year',
  'this_week',
  'next_week',
  'next_month',
  'next_year',
];
const RELATIVE_DAYS: readonly string[] = [
  'today',
  'tomorrow',
  'yesterday',
  'one_week_ago',
  'one_week_from_now',
  'one_month_ago',
  'one_month_from_now',
];
const VERIFICATION_STATES = ['verified', 'expired', 'none'] as const;

/** The condition keys a family accepts, in the order errors suggest them. */
function conditionKeys(family: Family, type: string): readonly string[] {
  switch (family) {
    case 'text':
      return [...TEXT_OPS, ...EXISTENCE];
    case 'number':
      return [...NUMBER_OPS, ...EXISTENCE];
    case 'checkbox':
      return ['equals', 'does_not_equal'];
    case 'option':
      return ['equals', 'does_not_equal', ...EXISTENCE];
    case 'multi':
      return type === 'files' ? EXISTENCE : ['contains', 'does_not_contain', ...EXISTENCE];
    case 'date':
      return [...DATE_OPS, ...RELATIVE_RANGES, ...EXISTENCE];
    case 'verification':
      return ['status', 'does_not_equal'];
    default:
      return [];
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks that `cond` is an object with exactly one key among `allowed`, and returns it. */
function singleKey(cond: unknown, allowed: readonly string[], path: PathSegment[]): string {
  if (!isObject(cond)) throw bodyError(path, 'should be an object', cond);
  const keys = Object.keys(cond);
  const unknown = keys.find((k) => !allowed.includes(k));
  if (unknown !== undefined) throw bodyError([...path, unknown], 'should be not present', cond[unknown]);
  if (keys.length === 0) throw bodyError([...path, allowed[0] ?? 'equals'], 'should be defined', undefined);
  if (keys.length > 1) throw bodyError([...path, keys[1]!], 'should be not present', cond[keys[1]!]);
  return keys[0]!;
}

/**
 * Parses the condition object of a leaf filter. `family`/`type` say which condition set applies
 * (row-mapped targets pass 'date' or 'multi' for their timestamp or user column).
 */
export function parseCondition(
  family: Family,
  type: string,
  target: Target,
  cond: unknown,
  path: PathSegment[],
  ctx: ConditionContext,
): LeafFilter {
  const op = singleKey(cond, conditionKeys(family, type), path);
  const value = (cond as Record<string, unknown>)[op];
  const at = [...path, op];
  if (op === 'is_empty' || op === 'is_not_empty') {
    if (value !== true) throw bodyError(at, 'should be `true`', value);
    return { kind: 'empty', target, empty: op === 'is_empty' };
  }
  switch (family) {
    case 'text':
      return { kind: 'text', target, op: op as LeafText['op'], value: expectString(value, at).toLowerCase() };
    case 'number':
      return { kind: 'number', target, op: op as LeafNumber['op'], value: expectNumber(value, at) };
    case 'checkbox':
      if (typeof value !== 'boolean') throw bodyError(at, 'should be a boolean', value);
      return { kind: 'checkbox', target, op: op as 'equals' | 'does_not_equal', value };
    case 'option':
      return {
        kind: 'option',
        target,
        op: op as 'equals' | 'does_not_equal',
        values: stringOrArray(value, at),
      };
    case 'multi':
      return {
        kind: 'contains',
        target,
        op: op as 'contains' | 'does_not_contain',
        values: multiValues(type, value, at, ctx),
      };
    case 'date':
      return { kind: 'date', target, ...dateCondition(op, value, at) };
    case 'verification':
      if (!(VERIFICATION_STATES as readonly unknown[]).includes(value)) {
        throw bodyError(at, 'should be `"verified"`, `"expired"` or `"none"`', value);
      }
      return {
        kind: 'verification',
        target,
        op: op === 'status' ? 'equals' : 'does_not_equal',
        state: value as 'verified' | 'expired' | 'none',
      };
    default:
      throw bodyError(at, 'should be not present', value);
  }
}

type LeafText = Extract<LeafFilter, { kind: 'text' }>;
type LeafNumber = Extract<LeafFilter, { kind: 'number' }>;

function expectString(v: unknown, path: PathSegment[]): string {
  if (typeof v !== 'string') throw bodyError(path, 'should be a string', v);
  return v;
}

function expectNumber(v: unknown, path: PathSegment[]): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bodyError(path, 'should be a number', v);
  return v;
}

function stringOrArray(v: unknown, path: PathSegment[]): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) throw bodyError(path, 'should be a string or an array of strings', v);
  return v.map((item, i) => expectString(item, [...path, i]));
}

/** Values of a contains condition: names for multi_select, normalized ids for people/relation. */
function multiValues(type: string, v: unknown, path: PathSegment[], ctx: ConditionContext): string[] {
  if (type === 'multi_select') return stringOrArray(v, path);
  if (v === 'me' && type !== 'relation') {
    if (!ctx.meUserId) throw bodyError(path, 'should be a valid uuid', v);
    return [ctx.meUserId];
  }
  const id = normalizeId(v);
  if (!id) throw bodyError(path, 'should be a valid uuid', v);
  return [id];
}

function dateCondition(
  op: string,
  v: unknown,
  path: PathSegment[],
): { op: LeafDate['op']; operand: DateOperand } {
  if ((RELATIVE_RANGES as readonly string[]).includes(op)) {
    if (!isObject(v)) throw bodyError(path, 'should be an object', v);
    const extra = Object.keys(v)[0];
    if (extra !== undefined) throw bodyError([...path, extra], 'should be not present', v[extra]);
    return { op: 'equals', operand: { type: 'relative', keyword: op as RelativeRange } };
  }
  const text = expectString(v, path);
  if (RELATIVE_DAYS.includes(text)) {
    return { op: op as LeafDate['op'], operand: { type: 'relative', keyword: text as RelativeDay } };
  }
  const interval = parseDateInterval(text);
  if (!interval) throw bodyError(path, 'should be a valid ISO 8601 date string', v);
  return { op: op as LeafDate['op'], operand: { type: 'absolute', ...interval } };
}

type LeafDate = Extract<LeafFilter, { kind: 'date' }>;
