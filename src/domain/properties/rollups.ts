/**
 * Rollup properties (notion-formulas.md §8): the 24 functions, which property types each fits,
 * resolving a rollup's relation and rolled-up property by name or id, and computing a rollup
 * from the values of the related pages. Pure.
 */
import { errors } from '../../wire/errors.ts';
import { bodyError } from '../../wire/validation.ts';
import { type FType, T } from '../formula/index.ts';
import { compare, type DateV, equals, isDate, isoText, type Value } from '../formula/values.ts';
import { findProperty, payloadOf, type Schema } from './types.ts';

export const ROLLUP_FUNCTIONS = [
  'count',
  'count_values',
  'empty',
  'not_empty',
  'unique',
  'show_unique',
  'percent_empty',
  'percent_not_empty',
  'sum',
  'average',
  'median',
  'min',
  'max',
  'range',
  'earliest_date',
  'latest_date',
  'date_range',
  'checked',
  'unchecked',
  'percent_checked',
  'percent_unchecked',
  'count_per_group',
  'percent_per_group',
  'show_original',
] as const;
export type RollupFunction = (typeof ROLLUP_FUNCTIONS)[number];

export interface RollupConfig {
  function: RollupFunction;
  relation_property_id: string;
  relation_property_name: string;
  rollup_property_id: string;
  rollup_property_name: string;
}

const NUMERIC = new Set(['sum', 'average', 'median', 'min', 'max', 'range']);
const DATES = new Set(['earliest_date', 'latest_date', 'date_range']);
const CHECKS = new Set(['checked', 'unchecked', 'percent_checked', 'percent_unchecked']);
const GROUPS = new Set(['count_per_group', 'percent_per_group']);
/** Computed types whose values may be of any kind: every function is accepted over them. */
const COMPUTED = new Set(['formula', 'rollup']);

/** Whether function `fn` may roll up a property of type `type` (the UI offers no other). */
export function fits(fn: RollupFunction, type: string): boolean {
  if (COMPUTED.has(type)) return true;
  if (NUMERIC.has(fn)) return type === 'number' || type === 'unique_id';
  if (DATES.has(fn)) return type === 'date' || type === 'created_time' || type === 'last_edited_time';
  if (CHECKS.has(fn)) return type === 'checkbox';
  if (GROUPS.has(fn)) return type === 'select' || type === 'status' || type === 'multi_select';
  return true;
}

/** The API type of a rollup's value (§8.2). */
export function rollupKind(fn: RollupFunction): 'number' | 'date' | 'array' | 'unsupported' {
  if (DATES.has(fn)) return 'date';
  if (fn === 'show_original' || fn === 'show_unique') return 'array';
  if (GROUPS.has(fn)) return 'unsupported';
  return 'number';
}

/** The static type of a rollup inside formulas (§8.6). */
export function rollupType(fn: RollupFunction, rolled: FType): FType {
  if (DATES.has(fn)) return T.date;
  if (fn === 'show_original' || fn === 'show_unique') return T.list(rolled.t === 'list' ? rolled.of : rolled);
  if (GROUPS.has(fn)) return T.any;
  return T.number;
}

/**
 * Resolves a rollup request against its data source's schema and the relation target's schema.
 * Throws Notion's validation error when a name, id or function does not fit.
 */
export function resolveRollup(
  path: (string | number)[],
  cfg: Record<string, unknown>,
  schema: Schema,
  targetSchema: (dataSourceId: string) => Schema | undefined,
): RollupConfig {
  const fn = cfg.function;
  if (typeof fn !== 'string' || !(ROLLUP_FUNCTIONS as readonly string[]).includes(fn)) {
    throw bodyError(
      [...path, 'function'],
      `should be one of ${ROLLUP_FUNCTIONS.map((f) => `\`"${f}"\``).join(', ')}`,
      fn,
    );
  }
  const relRef = (cfg.relation_property_id ?? cfg.relation_property_name) as unknown;
  if (typeof relRef !== 'string') {
    throw bodyError([...path, 'relation_property_name'], 'should be defined', undefined);
  }
  const relation = findProperty(schema, relRef);
  if (relation?.type !== 'relation') {
    throw errors.validation(`Rollup relation property ${relRef} does not exist or is not a relation.`);
  }
  const target = payloadOf<{ data_source_id: string }>(relation).data_source_id;
  const rolledRef = (cfg.rollup_property_id ?? cfg.rollup_property_name) as unknown;
  if (typeof rolledRef !== 'string') {
    throw bodyError([...path, 'rollup_property_name'], 'should be defined', undefined);
  }
  const rolled = findProperty(targetSchema(target) ?? [], rolledRef);
  if (!rolled) {
    throw errors.validation(`Rollup property ${rolledRef} does not exist in the related data source.`);
  }
  if (!fits(fn as RollupFunction, rolled.type)) {
    throw errors.validation(
      `Rollup function ${fn} does not apply to ${rolled.type} property ${rolled.name}.`,
    );
  }
  return {
    function: fn as RollupFunction,
    relation_property_id: relation.id,
    relation_property_name: relation.name,
    rollup_property_id: rolled.id,
    rollup_property_name: rolled.name,
  };
}

/** Empty for rollup counting (§8.3): no value, no text, no elements, an unchecked box. */
export function rollupEmpty(v: Value): boolean {
  return v === null || v === '' || v === false || (Array.isArray(v) && v.length === 0);
}

export type RollupResult =
  | { type: 'number'; number: number | null; function: RollupFunction }
  | {
      type: 'date';
      date: { start: string; end: string | null; time_zone: null } | null;
      function: RollupFunction;
    }
  | { type: 'array'; array: unknown[]; function: RollupFunction }
  | { type: 'unsupported'; unsupported: Record<string, never>; function: RollupFunction };

/** One related page's contribution: its formula value and its response-form array item. */
export interface RolledItem {
  value: Value;
  item: unknown;
}

const finite = (n: number): number | null => (Number.isFinite(n) ? n || 0 : null);

/** Computes rollup `fn` over the related pages' values; also gives the value formulas see. */
export function computeRollup(
  fn: RollupFunction,
  items: RolledItem[],
  zone: string,
): { result: RollupResult; value: Value } {
  const n = items.length;
  const values = items.map((i) => i.value);
  const number = (x: number | null): { result: RollupResult; value: Value } => ({
    result: { type: 'number', number: x, function: fn },
    value: x,
  });
  const flat = values.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v) => !rollupEmpty(v));
  const numbers = flat.filter((v): v is number => typeof v === 'number');
  const dates = flat.filter(isDate);
  const date = (d: DateV | null): { result: RollupResult; value: Value } => {
    if (!d) return { result: { type: 'date', date: null, function: fn }, value: null };
    return {
      result: {
        type: 'date',
        date: {
          start: isoText(d.start, d.hasTime, zone),
          end: d.end === undefined ? null : isoText(d.end, d.hasTime, zone),
          time_zone: null,
        },
        function: fn,
      },
      value: d,
    };
  };
  const emptyCount = values.filter(rollupEmpty).length;
  switch (fn) {
    case 'count':
      return number(n);
    case 'count_values':
      return number(flat.length);
    case 'unique': {
      const seen: Value[] = [];
      for (const v of flat) if (!seen.some((s) => equals(s, v))) seen.push(v);
      return number(seen.length);
    }
    case 'empty':
      return number(emptyCount);
    case 'not_empty':
      return number(n - emptyCount);
    case 'percent_empty':
      return number(n === 0 ? null : emptyCount / n);
    case 'percent_not_empty':
      return number(n === 0 ? null : (n - emptyCount) / n);
    case 'sum':
      return number(finite(numbers.reduce((a, b) => a + b, 0)));
    case 'average':
      return number(numbers.length ? finite(numbers.reduce((a, b) => a + b, 0) / numbers.length) : null);
    case 'median': {
      const s = [...numbers].sort((a, b) => a - b);
      if (s.length === 0) return number(null);
      const mid = s.length >> 1;
      return number(s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2);
    }
    case 'min':
      return number(numbers.length ? Math.min(...numbers) : null);
    case 'max':
      return number(numbers.length ? Math.max(...numbers) : null);
    case 'range':
      return number(numbers.length ? finite(Math.max(...numbers) - Math.min(...numbers)) : null);
    case 'earliest_date':
    case 'latest_date':
    case 'date_range': {
      if (dates.length === 0) return date(null);
      const sorted = [...dates].sort(compare);
      const first = sorted[0]!;
      const last = sorted[sorted.length - 1]!;
      // Date-times unless every source value is date-only (§8.2).
      const hasTime = dates.some((d) => d.hasTime);
      if (fn === 'earliest_date') return date({ kind: 'date', start: first.start, hasTime });
      if (fn === 'latest_date') return date({ kind: 'date', start: last.start, hasTime });
      return date({ kind: 'date', start: first.start, end: last.start, hasTime });
    }
    case 'checked':
      return number(values.filter((v) => v === true).length);
    case 'unchecked':
      return number(values.filter((v) => v !== true).length);
    case 'percent_checked':
      return number(n === 0 ? null : values.filter((v) => v === true).length / n);
    case 'percent_unchecked':
      return number(n === 0 ? null : values.filter((v) => v !== true).length / n);
    case 'count_per_group':
    case 'percent_per_group':
      return { result: { type: 'unsupported', unsupported: {}, function: fn }, value: null };
    case 'show_original':
      return { result: { type: 'array', array: items.map((i) => i.item), function: fn }, value: values };
    case 'show_unique': {
      const keys = new Set<string>();
      const kept: RolledItem[] = [];
      for (const i of items) {
        const key = JSON.stringify(i.item);
        if (keys.has(key)) continue;
        keys.add(key);
        kept.push(i);
      }
      return {
        result: { type: 'array', array: kept.map((i) => i.item), function: fn },
        value: kept.map((i) => i.value),
      };
    }
  }
}
