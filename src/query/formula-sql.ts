/**
 * Formulas and rollups computed in SQL, so filters and sorts on them run in the database like
 * plain properties. A checked formula tree is translated into a small typed expression (`FExpr`)
 * over the row's derived columns (columns.ts); a rollup becomes a correlated subquery over the
 * related data source's table, joined through the relation column's JSON array of page ids.
 * Each expression has a value in plain TypeScript over derived rows (`fexprValue`, the oracle of
 * the three-way test) and an SQL form per dialect (`fexprSql`, `fexprBool`, `fexprDate`).
 *
 * Values are those of the derived column form of the result's type: numbers (null = empty),
 * text LOWERCASED with "" as empty (text filters and sorts read lowered text, columns.ts),
 * booleans (never empty), dates as the interval [lo, hi) of dates.ts. The list functions over a
 * relation of the row that are rollups written as formulas (`prop("R").map(current.prop("X"))
 * .sum()`, `.filter(…).length()`, `.some(…)`, …) become aggregates over the related rows, as
 * rollups do (`agg`, `pick`). What has no exact translation (other lists, persons, relation
 * traversal of several levels, text comparisons that depend on letter case, median, …) yields
 * undefined and the caller falls back to evaluating every row (ops/query.ts). Semantics follow
 * the formula language (notion-formulas.md §3): an empty number counts as 0 in arithmetic,
 * non-finite results are empty, truthiness of §3.4.
 */
import { type AliasedRawBuilder, type RawBuilder, type SqlBool, sql } from 'kysely';
import { addMonths, dateBetween, type Unit } from '../domain/formula/dates.ts';
import type { Node } from '../domain/formula/syntax.ts';
import type { DialectHooks } from './dialect.ts';
import type { Filter } from './ir.ts';

export type FType = 'number' | 'text' | 'bool' | 'date';

/** A rolled-up column of the related table, by value family. */
export type RolledColumn =
  | { readonly family: 'number' | 'checkbox' | 'text' | 'option'; readonly col: string }
  | { readonly family: 'date'; readonly lo: string; readonly hi: string };

/** The relation a rollup reads: the row's relation column and the related data source's table. */
export interface RelationRef {
  readonly col: string;
  readonly table: string;
}

/**
 * A relation of the row as a formula's list of related pages: the relation, and what
 * `current.prop(…)` of a related page is over the related row (undefined: not in SQL).
 */
export interface RelationList {
  readonly rel: RelationRef;
  readonly prop: PropResolver;
}

/** Resolves `prop(…)` of a relation of the formula's own row to its list (undefined: not in SQL). */
export type RelationResolver = (id: string) => RelationList | undefined;

/**
 * List functions over related pages in SQL: how many there are, the sum / least / greatest /
 * mean of a number computed on each, and whether there is one (`some`, `empty`, `every`).
 */
export type ListFn = 'count' | 'sum' | 'min' | 'max' | 'mean' | 'any';

export type RollupFn =
  | 'count'
  | 'count_values'
  | 'unique'
  | 'empty'
  | 'not_empty'
  | 'percent_empty'
  | 'percent_not_empty'
  | 'sum'
  | 'average'
  | 'median'
  | 'min'
  | 'max'
  | 'range'
  | 'checked'
  | 'unchecked'
  | 'percent_checked'
  | 'percent_unchecked'
  | 'earliest_date'
  | 'latest_date'
  | 'date_range';

type Cmp = '<' | '<=' | '>' | '>=' | '==' | '!=';

/**
 * Number functions with the same name and meaning in JavaScript's Math, SQLite and Postgres
 * (sqrt: correctly rounded everywhere; a negative number's is empty, as JavaScript's NaN).
 */
type MathFn = 'abs' | 'ceil' | 'floor' | 'sign' | 'sqrt';

export type FExpr =
  | { readonly t: 'number'; readonly k: 'lit'; readonly v: number | null }
  | { readonly t: 'text'; readonly k: 'lit'; readonly v: string }
  | { readonly t: 'bool'; readonly k: 'lit'; readonly v: boolean }
  | { readonly t: 'number' | 'text' | 'bool'; readonly k: 'col'; readonly col: string }
  | { readonly t: 'date'; readonly k: 'dcol'; readonly lo: string; readonly hi: string }
  | { readonly t: 'date'; readonly k: 'now' | 'today' }
  | { readonly t: 'number'; readonly k: 'neg'; readonly a: FExpr }
  /** abs, ceil, floor, sign of a number (empty stays empty). */
  | { readonly t: 'number'; readonly k: 'math'; readonly fn: MathFn; readonly a: FExpr }
  | {
      readonly t: 'number';
      readonly k: 'arith';
      readonly op: '+' | '-' | '*' | '/' | '%';
      readonly l: FExpr;
      readonly r: FExpr;
    }
  /** round(a, places) with a constant number of places: `f` is 10 ** places (JavaScript's). */
  | { readonly t: 'number'; readonly k: 'round'; readonly a: FExpr; readonly f: number }
  /** min / max of numbers, empty ones skipped (empty when every one is). */
  | {
      readonly t: 'number';
      readonly k: 'extreme';
      readonly fn: 'min' | 'max';
      readonly args: readonly FExpr[];
    }
  /** length() of a text, in UTF-16 code units as JavaScript counts. */
  /**
   * JavaScript's length of `a`'s text. `a` reads lowered text, so each "i̇" is counted as the one
   * "İ" it was lowered from; unless `lowered`: `length(lower(…))` counts the lowered text itself.
   */
  | { readonly t: 'number'; readonly k: 'length'; readonly a: FExpr; readonly lowered?: boolean }
  /** `+` with a text side, and format(): the parts' texts joined. */
  | { readonly t: 'text'; readonly k: 'concat'; readonly parts: readonly FExpr[] }
  /** upper() read lowered: the characters whose upper case lowers to something else (upperFold). */
  | { readonly t: 'text'; readonly k: 'upper'; readonly a: FExpr }
  | { readonly t: 'bool'; readonly k: 'cmp'; readonly op: Cmp; readonly l: FExpr; readonly r: FExpr }
  | { readonly t: 'bool'; readonly k: 'and' | 'or'; readonly args: readonly FExpr[] }
  | { readonly t: 'bool'; readonly k: 'not' | 'empty'; readonly a: FExpr }
  /** contains(text, needle) with a needle of caseless characters (see caseless). */
  | { readonly t: 'bool'; readonly k: 'contains'; readonly a: FExpr; readonly needle: string }
  | {
      readonly t: FType;
      readonly k: 'if';
      readonly arms: readonly (readonly [FExpr, FExpr])[];
      readonly other: FExpr | null;
    }
  /** dateAdd with a fixed amount of milliseconds (minutes, hours, days, weeks in UTC). */
  | { readonly t: 'date'; readonly k: 'dateAdd'; readonly d: FExpr; readonly ms: number }
  /** dateAdd in months (quarters and years too): the UTC calendar's, the day kept within the month. */
  | { readonly t: 'date'; readonly k: 'addMonths'; readonly d: FExpr; readonly n: number }
  | { readonly t: 'date'; readonly k: 'dateStart'; readonly d: FExpr }
  | {
      readonly t: 'number';
      readonly k: 'dateBetween';
      readonly a: FExpr;
      readonly b: FExpr;
      /** The unit in milliseconds (minutes … weeks), or 0 for calendar months. */
      readonly unit: number;
      /** Calendar units in months (1, 3, 12: months, quarters, years) when `unit` is 0. */
      readonly months?: number;
    }
  | {
      readonly t: 'number' | 'date';
      readonly k: 'rollup';
      readonly fn: RollupFn;
      readonly rel: RelationRef;
      readonly v: RolledColumn;
    }
  /**
   * A list function over the related pages of a relation of the row: over those where every
   * `where` is truthy, `fn` of `x` (a number over the related row; null for count and any).
   * `where` and `x` read the related row's columns only.
   */
  | {
      readonly t: 'number' | 'bool';
      readonly k: 'agg';
      readonly fn: ListFn;
      readonly rel: RelationRef;
      readonly where: readonly FExpr[];
      readonly x: FExpr | null;
    }
  /**
   * `first()` / `last()` of a list over the related pages: `x` over the first / last related
   * page (in the relation's order) where every `where` is truthy; empty when there is none.
   */
  | {
      readonly t: 'number' | 'text';
      readonly k: 'pick';
      readonly end: 'first' | 'last';
      readonly rel: RelationRef;
      readonly where: readonly FExpr[];
      readonly x: FExpr;
    }
  /** Whether a select or status (`col`) is the option named `name` exactly (null: has none). */
  | { readonly t: 'bool'; readonly k: 'option'; readonly col: string; readonly name: string | null }
  /** A rollup `any` / `every` / `none` condition: `filter` over each related row. */
  | {
      readonly t: 'bool';
      readonly k: 'quant';
      readonly mode: 'any' | 'every' | 'none';
      readonly rel: RelationRef;
      readonly filter: Filter;
    };

const DAY = 86_400_000;
const UNIT_MS: Record<string, number> = { minutes: 6e4, hours: 36e5, days: DAY, weeks: 7 * DAY };
/** Calendar units of dateAdd, in months (singular names too, as the evaluator takes them). */
const MONTHS: Record<string, number> = { months: 1, month: 1, quarters: 3, quarter: 3, years: 12, year: 12 };
/** dateBetween's calendar unit of a number of months. */
const MONTH_UNITS: Record<number, Unit> = { 1: 'months', 3: 'quarters', 12: 'years' };
/** The most months dateAdd moves in SQL (three thousand years). */
const MAX_MONTHS = 36_000;
const roundAway = (n: number) => (n < 0 ? -Math.round(-n) : Math.round(n));

/* ------------------------------------------------------------------------------------------ */
/* Building from a checked formula tree                                                        */

/**
 * A select or status property: the column of its option's name. Formulas read the name as it is
 * written while text expressions are lowered, so only tests of the name as a whole compile
 * (`== "Done"`, `!=`, `empty()`), as `option` expressions.
 */
export interface OptionRef {
  readonly t: 'option';
  readonly col: string;
}

/** Resolves `prop(…)` of the formula's own row to an expression (undefined: not in SQL). */
export type PropResolver = (id: string) => FExpr | OptionRef | undefined;

/**
 * Characters whose letter case cannot change: text tests with such a needle give the same answer
 * on lowered text as on the original (lowercasing maps letters to letters, and U+0307, the dot
 * lowercasing may add, is refused).
 */
function caseless(s: string): boolean {
  return s.toLowerCase() === s && s.toUpperCase() === s && !s.includes('\u0307');
}

const lit = (v: number | null): FExpr => ({ t: 'number', k: 'lit', v });

/**
 * The SQL-computable expression of a checked formula tree, or undefined. `relation` resolves the
 * row's relations for list functions over related pages (none: no relation is read in SQL).
 */
export function formulaToSql(root: Node, prop: PropResolver, relation?: RelationResolver): FExpr | undefined {
  return compileTree(root, prop, relation, undefined);
}

/** A list of related pages being built: the relation, the pages kept, the value mapped. */
interface ListSoFar {
  readonly list: RelationList;
  readonly where: readonly FExpr[];
  readonly x: FExpr | null;
}

/** Whether an expression reads related rows (a rollup, a rollup condition, a list function). */
function readsRelated(e: FExpr): boolean {
  return (
    e.k === 'rollup' || e.k === 'quant' || e.k === 'agg' || e.k === 'pick' || children(e).some(readsRelated)
  );
}

/**
 * `root` in SQL: `own` resolves the row's own properties, `relation` its relations, `current`
 * (inside a list function's body over related pages) the related page's properties; there the
 * row's own properties, `index` and further relations stay with the evaluator.
 */
function compileTree(
  root: Node,
  own: PropResolver | undefined,
  relation: RelationResolver | undefined,
  current: PropResolver | undefined,
): FExpr | undefined {
  /** The body of a list function over the related pages of `list`, one related row at a time. */
  const body = (n: Node, list: RelationList): FExpr | undefined => {
    const e = compileTree(n, undefined, undefined, list.prop);
    return e && !readsRelated(e) ? e : undefined;
  };
  /** `prop("R")`, `.filter(…)` and `.map(…)` of it (filters before the map). */
  const listOf = (n: Node): ListSoFar | undefined => {
    if (n.k === 'prop') {
      const list = !n.on && n.id !== undefined ? relation?.(n.id) : undefined;
      return list && { list, where: [], x: null };
    }
    if (n.k !== 'call' || n.args.length !== 2 || (n.name !== 'filter' && n.name !== 'map')) return undefined;
    const base = listOf(n.args[0]!);
    if (!base || base.x) return undefined;
    const e = body(n.args[1]!, base.list);
    if (!e) return undefined;
    return n.name === 'map' ? { ...base, x: e } : { ...base, where: [...base.where, e] };
  };
  const pick = (l: ListSoFar, end: 'first' | 'last', x: FExpr | undefined): FExpr | undefined =>
    x && (x.t === 'number' || x.t === 'text')
      ? { t: x.t, k: 'pick', end, rel: l.list.rel, where: l.where, x }
      : undefined;
  const agg = (l: ListSoFar, fn: ListFn, where = l.where): FExpr => ({
    t: fn === 'any' ? 'bool' : 'number',
    k: 'agg',
    fn,
    rel: l.list.rel,
    where,
    x: fn === 'count' || fn === 'any' ? null : l.x,
  });
  /** A list function call over related pages, or undefined. */
  const listCall = (name: string, args: readonly Node[]): FExpr | undefined => {
    const l = args[0] && listOf(args[0]);
    if (!l) return undefined;
    switch (name) {
      case 'length':
        return args.length === 1 ? agg(l, 'count') : undefined;
      case 'empty':
        return args.length === 1 ? { t: 'bool', k: 'not', a: agg(l, 'any') } : undefined;
      case 'sum':
      case 'min':
      case 'max':
      case 'mean':
        return args.length === 1 && l.x?.t === 'number' ? agg(l, name) : undefined;
      case 'first':
      case 'last':
        // The mapped value of the first / last page (`.first().prop(…)`: see visit).
        return args.length === 1 && l.x ? pick(l, name, l.x) : undefined;
      case 'count':
      case 'some':
      case 'every': {
        if (l.x) return undefined;
        if (name === 'count' && args.length === 1) return agg(l, 'count');
        const c = args.length === 2 ? body(args[1]!, l.list) : undefined;
        if (!c) return undefined;
        if (name === 'count') return agg(l, 'count', [...l.where, c]);
        if (name === 'some') return agg(l, 'any', [...l.where, c]);
        // Every kept page passes: none of them fails.
        return { t: 'bool', k: 'not', a: agg(l, 'any', [...l.where, { t: 'bool', k: 'not', a: c }]) };
      }
      default:
        return undefined;
    }
  };
  /** The select or status a node reads (`prop("Stage")`, `current.prop("Stage")`), if it is one. */
  const optionOf = (n: Node): OptionRef | undefined => {
    if (n.k !== 'prop' || n.id === undefined) return undefined;
    const r = !n.on
      ? own?.(n.id)
      : n.on.k === 'ident' && n.on.name === 'current'
        ? current?.(n.id)
        : undefined;
    return r?.t === 'option' ? r : undefined;
  };
  /** `empty()` / `not()` / `!` of a select or status: it has no option. */
  const noOption = (n: Node | undefined): FExpr | undefined => {
    const o = n && optionOf(n);
    return o && { t: 'bool', k: 'option', col: o.col, name: null };
  };
  const visit = (n: Node): FExpr | undefined => {
    switch (n.k) {
      case 'num':
        return lit(n.v);
      case 'str':
        return { t: 'text', k: 'lit', v: n.v };
      case 'bool':
        return { t: 'bool', k: 'lit', v: n.v };
      case 'prop': {
        if (n.id === undefined) return undefined;
        // A select or status compiles only where optionOf reads it.
        const direct = !n.on
          ? own?.(n.id)
          : n.on.k === 'ident' && n.on.name === 'current'
            ? current?.(n.id)
            : null;
        if (direct !== null) return direct?.t === 'option' ? undefined : direct;
        if (!n.on) return undefined;
        // `prop("R").first().prop("X")`: X of the first related page (empty when there is none).
        if (n.on.k === 'call' && (n.on.name === 'first' || n.on.name === 'last') && n.on.args.length === 1) {
          const l = relation && listOf(n.on.args[0]!);
          const x = l && !l.x ? l.list.prop(n.id) : undefined;
          return l && x && x.t !== 'option' && !readsRelated(x) ? pick(l, n.on.name, x) : undefined;
        }
        return undefined;
      }
      case 'unary': {
        if (n.op === '!' && optionOf(n.arg)) return noOption(n.arg);
        const a = visit(n.arg);
        if (!a) return undefined;
        if (n.op === '!') return { t: 'bool', k: 'not', a };
        return a.t === 'number' ? { t: 'number', k: 'neg', a } : undefined;
      }
      case 'cond':
        return ifOf([n.c, n.t, n.e]);
      case 'binary':
        return binary(n.op, n.l, n.r);
      case 'call':
        return call(n.name, n.args);
      default:
        return undefined;
    }
  };
  const binary = (op: string, ln: Node, rn: Node): FExpr | undefined => {
    if (op === '==' || op === '!=') {
      // A select or status against a name: compared exactly, as the evaluator does.
      const [o, name] = optionOf(ln) ? [optionOf(ln), rn] : [optionOf(rn), ln];
      if (o && name.k === 'str') {
        const is: FExpr = { t: 'bool', k: 'option', col: o.col, name: name.v };
        return op === '==' ? is : { t: 'bool', k: 'not', a: is };
      }
    }
    const l = visit(ln);
    const r = visit(rn);
    if (!l || !r) return undefined;
    if (op === '&&' || op === '||') return { t: 'bool', k: op === '&&' ? 'and' : 'or', args: [l, r] };
    // `+` joins texts when one side is a text at run time; an empty text property has no value,
    // and `+` over two non-texts adds numbers (the evaluator's rule): so one side must surely be text.
    if (op === '+' && (l.t === 'text' || r.t === 'text'))
      return isString(l) || isString(r) ? concatOf([l, r]) : undefined;
    if (op === '+' || op === '-' || op === '*' || op === '/' || op === '%')
      return l.t === 'number' && r.t === 'number' ? { t: 'number', k: 'arith', op, l, r } : undefined;
    if (['<', '<=', '>', '>=', '==', '!='].includes(op)) return cmpOf(op as Cmp, l, r);
    return undefined;
  };
  const cmpOf = (op: Cmp, l: FExpr, r: FExpr): FExpr | undefined => {
    if (l.t === 'number' && r.t === 'number') return { t: 'bool', k: 'cmp', op, l, r };
    if (l.t === 'date' && r.t === 'date') return { t: 'bool', k: 'cmp', op, l, r };
    // Text equality is case-sensitive: only against a caseless literal (see caseless). Not "":
    // an empty property (no value) and "" (a text) differ in `==`, but not in column form.
    if ((op === '==' || op === '!=') && l.t === 'text' && r.t === 'text') {
      const known = (e: FExpr) => e.k === 'lit' && e.v !== '' && caseless(String(e.v));
      if (known(l) || known(r)) return { t: 'bool', k: 'cmp', op, l, r };
    }
    return undefined;
  };
  const ifOf = (args: readonly Node[]): FExpr | undefined => {
    const arms: [FExpr, FExpr][] = [];
    let i = 0;
    for (; i + 1 < args.length; i += 2) {
      const c = visit(args[i]!);
      const v = visit(args[i + 1]!);
      if (!c || !v) return undefined;
      arms.push([c, v]);
    }
    const other = i < args.length ? visit(args[i]!) : null;
    if (other === undefined) return undefined;
    const t = arms[0]?.[1].t;
    if (!t || arms.some(([, v]) => v.t !== t) || (other && other.t !== t)) return undefined;
    return { t, k: 'if', arms, other };
  };
  const call = (name: string, args: readonly Node[]): FExpr | undefined => {
    const listed = relation && listCall(name, args);
    if (listed) return listed;
    const visitArgs = () => args.map(visit);
    switch (name) {
      case 'if':
        return args.length === 3 ? ifOf(args) : undefined;
      case 'ifs':
        return args.length >= 2 ? ifOf(args) : undefined;
      case 'and':
      case 'or': {
        const xs = visitArgs();
        return xs.every((x) => x) && xs.length > 0 ? { t: 'bool', k: name, args: xs as FExpr[] } : undefined;
      }
      case 'not': {
        if (args.length === 1 && optionOf(args[0]!)) return noOption(args[0]);
        const a = args.length === 1 ? visit(args[0]!) : undefined;
        return a && { t: 'bool', k: 'not', a };
      }
      case 'empty': {
        if (args.length === 1 && optionOf(args[0]!)) return noOption(args[0]);
        const a = args.length === 1 ? visit(args[0]!) : undefined;
        return a && { t: 'bool', k: 'empty', a };
      }
      case 'add':
      case 'subtract':
      case 'multiply':
      case 'divide':
      case 'mod':
        return args.length === 2
          ? binary(
              { add: '+', subtract: '-', multiply: '*', divide: '/', mod: '%' }[name],
              args[0]!,
              args[1]!,
            )
          : undefined;
      case 'round': {
        const a = args.length === 1 || args.length === 2 ? visit(args[0]!) : undefined;
        const places = args.length === 2 ? constant(args[1]!) : 0;
        if (a?.t !== 'number' || places === undefined) return undefined;
        // The scale as JavaScript computes it; within [1e-30, 1e30] the SQL never leaves the
        // range of doubles unannounced (see roundSql).
        const f = 10 ** places;
        return f >= 1e-30 && f <= 1e30 ? { t: 'number', k: 'round', a, f } : undefined;
      }
      case 'min':
      case 'max': {
        const xs = visitArgs();
        if (xs.length === 0 || !xs.every((x) => x?.t === 'number')) return undefined;
        return { t: 'number', k: 'extreme', fn: name, args: xs as FExpr[] };
      }
      case 'length': {
        const arg = args[0];
        // lower() of the argument as a whole is counted as lowered; one deeper inside (in a
        // join, an if) would need the two counts mixed: left to the evaluator.
        const lowered = arg?.k === 'call' && arg.name === 'lower';
        if (arg && !lowered && callsLower(arg)) return undefined;
        const a = args.length === 1 ? visit(arg!) : undefined;
        // A number or boolean counts the characters of its text (format()).
        const t = a && (a.t === 'text' ? a : a.t === 'date' ? undefined : concatOf([a]));
        return t && { t: 'number', k: 'length', a: t, ...(lowered ? { lowered } : {}) };
      }
      case 'equal':
      case 'unequal':
        return args.length === 2 ? binary(name === 'equal' ? '==' : '!=', args[0]!, args[1]!) : undefined;
      case 'format': {
        const a = args.length === 1 ? visit(args[0]!) : undefined;
        return a && a.t !== 'date' ? concatOf([a]) : undefined;
      }
      // The value is read lowered: lower() changes nothing more (lowering is idempotent).
      case 'lower': {
        const a = args.length === 1 ? visit(args[0]!) : undefined;
        return a?.t === 'text' ? a : undefined;
      }
      case 'upper': {
        const a = args.length === 1 ? visit(args[0]!) : undefined;
        return a?.t === 'text' ? { t: 'text', k: 'upper', a } : undefined;
      }
      case 'contains': {
        const a = args.length === 2 ? visit(args[0]!) : undefined;
        const n = args[1];
        if (a?.t !== 'text' || n?.k !== 'str' || !caseless(n.v)) return undefined;
        return { t: 'bool', k: 'contains', a, needle: n.v };
      }
      case 'now':
      case 'today':
        return args.length === 0 ? { t: 'date', k: name } : undefined;
      case 'abs':
      case 'ceil':
      case 'floor':
      case 'sign':
      case 'sqrt': {
        const a = args.length === 1 ? visit(args[0]!) : undefined;
        return a?.t === 'number' ? { t: 'number', k: 'math', fn: name, a } : undefined;
      }
      case 'dateAdd':
      case 'dateSubtract': {
        const d = args.length === 3 ? visit(args[0]!) : undefined;
        const amount = args[1] && constant(args[1]);
        const unit = args[2]?.k === 'str' ? args[2].v : '';
        const months = MONTHS[unit];
        if (d?.t === 'date' && amount !== undefined && months) {
          // The amount rounded half away from zero, then in months (as the evaluator's dateAdd).
          const n = (name === 'dateAdd' ? 1 : -1) * roundAway(amount) * months;
          return Math.abs(n) <= MAX_MONTHS ? { t: 'date', k: 'addMonths', d, n: n || 0 } : undefined;
        }
        const per = UNIT_MS[unit];
        if (d?.t !== 'date' || amount === undefined || !per) return undefined;
        // Days and weeks move by whole days (the amount rounded half away from zero).
        const n = per >= DAY ? (amount < 0 ? -Math.round(-amount) : Math.round(amount)) : amount;
        const ms = (name === 'dateAdd' ? 1 : -1) * n * per;
        return Number.isFinite(ms) ? { t: 'date', k: 'dateAdd', d, ms } : undefined;
      }
      case 'dateStart': {
        const d = args.length === 1 ? visit(args[0]!) : undefined;
        return d?.t === 'date' ? { t: 'date', k: 'dateStart', d } : undefined;
      }
      case 'dateBetween': {
        const [a, b] = args.length === 3 ? [visit(args[0]!), visit(args[1]!)] : [];
        const name = args[2]?.k === 'str' ? args[2].v : '';
        const unit = UNIT_MS[name];
        const months = MONTHS[name];
        if (a?.t !== 'date' || b?.t !== 'date' || (!unit && !months)) return undefined;
        if (months) return { t: 'number', k: 'dateBetween', a, b, unit: 0, months };
        return { t: 'number', k: 'dateBetween', a, b, unit: unit! };
      }
      default:
        return undefined;
    }
  };
  return visit(root);
}

/** A number literal, possibly negated. */
function constant(n: Node): number | undefined {
  if (n.k === 'num') return n.v;
  if (n.k === 'unary' && n.op === '-') {
    const v = constant(n.arg);
    return v === undefined ? undefined : -v;
  }
  return undefined;
}

/** Whether a text expression is a text (possibly "") at run time, never an empty value. */
function isString(e: FExpr): boolean {
  if (e.t !== 'text') return false;
  if (e.k === 'lit' || e.k === 'concat') return true;
  if (e.k === 'if') return e.other !== null && isString(e.other) && e.arms.every(([, v]) => isString(v));
  return false;
}

let fold: [string, string][] | undefined;

/**
 * Lowered characters whose upper case lowers to other text (ß → "ss", ſ → "s", …): upper(x)
 * read lowered is lower(x) with these replaced. Final sigma (ς) is left alone: lowering puts it
 * back at the end of a word, where it nearly always is.
 */
export function upperFold(): readonly [string, string][] {
  if (!fold) {
    fold = [];
    for (let c = 0; c < 0x110000; c++) {
      if (c >= 0xd800 && c < 0xe000) continue;
      const s = String.fromCodePoint(c);
      if (s === 'ς' || s.toLowerCase() !== s) continue;
      const u = s.toUpperCase().toLowerCase();
      if (u !== s) fold.push([s, u]);
    }
  }
  return fold;
}

/** Whether a boolean may be empty at run time (contains() of an empty text). */
function maybeEmpty(e: FExpr): boolean {
  if (e.k === 'contains') return true;
  if (e.k === 'if') return e.other === null || maybeEmpty(e.other) || e.arms.some(([, v]) => maybeEmpty(v));
  return false;
}

function concatOf(parts: FExpr[]): FExpr | undefined {
  // An empty boolean formats as "", a boolean as "true" / "false": only booleans never empty.
  if (parts.some((p) => p.t === 'date' || (p.t === 'bool' && maybeEmpty(p)))) return undefined;
  const flat = parts.flatMap((p) => (p.t === 'text' && p.k === 'concat' ? p.parts : [p]));
  return { t: 'text', k: 'concat', parts: flat };
}

/** Whether the expression reads any column (a constant is left to the evaluator). */
export function readsRow(e: FExpr): boolean {
  switch (e.k) {
    case 'lit':
    case 'now':
    case 'today':
      return false;
    case 'col':
    case 'dcol':
    case 'option':
    case 'rollup':
    case 'quant':
    case 'agg':
    case 'pick':
      return true;
    case 'neg':
    case 'math':
    case 'not':
    case 'empty':
    case 'contains':
    case 'upper':
    case 'round':
    case 'length':
      return readsRow(e.a);
    case 'extreme':
      return e.args.some(readsRow);
    case 'arith':
    case 'cmp':
      return readsRow(e.l) || readsRow(e.r);
    case 'concat':
      return e.parts.some(readsRow);
    case 'and':
    case 'or':
      return e.args.some(readsRow);
    case 'if':
      return e.arms.some(([c, v]) => readsRow(c) || readsRow(v)) || (e.other !== null && readsRow(e.other));
    case 'dateAdd':
    case 'addMonths':
    case 'dateStart':
      return readsRow(e.d);
    case 'dateBetween':
      return readsRow(e.a) || readsRow(e.b);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Values over derived rows (the evaluator's side)                                             */

export type Row = Readonly<Record<string, string | number | null | undefined>>;
export type Interval = { lo: number; hi: number };
export type FValue = number | string | boolean | Interval | null;
/**
 * A date while computing: its start instant (a date-only value keeps the instant it was moved
 * to, as formulas do, until it is shown), whether it has a time, and its interval end when the
 * value came with one (a property's range).
 */
type DateVal = { s: number; time: boolean; hi?: number };
type Val = number | string | boolean | DateVal | null;

export interface ValueContext {
  readonly now: Date;
  /** The live (not in trash) rows of `table` among `ids`, in the order of `ids`. */
  readonly related?: (table: string, ids: readonly string[]) => Row[];
  /** Tests a filter on a related row (the query evaluator; passed in to avoid an import cycle). */
  readonly test?: (filter: Filter, row: Row) => boolean;
}

const finite = (n: number): number | null => (Number.isFinite(n) ? n || 0 : null);
const n0 = (v: Val): number => (typeof v === 'number' ? v : 0);
/** A date value's `hasTime`, from its interval: a date-only value spans whole UTC days. */
const hasTime = (d: Interval): boolean => d.lo % DAY !== 0 || (d.hi - d.lo) % DAY !== 0;
/** A date as shown (rendered, then read as a filter reads it): a date-only value is its UTC day(s). */
const intervalOf = (d: DateVal): Interval => {
  const lo = d.time ? d.s : Math.floor(d.s / DAY) * DAY;
  return { lo, hi: d.hi ?? lo + (d.time ? 1 : DAY) };
};

/** The text `format()` gives a number (JavaScript's shortest form). */
export function numberText(n: number): string {
  return String(n || 0);
}

function truthy(t: FType, v: Val): boolean {
  if (t === 'number') return typeof v === 'number' && v !== 0;
  if (t === 'bool') return v === true;
  return v !== null;
}

/** The value of `e` over a derived row, in column form (a date as its interval). */
export function fexprValue(e: FExpr, row: Row, ctx: ValueContext): FValue {
  const v = computeValue(e, row, ctx);
  return e.t === 'date' && v !== null ? intervalOf(v as DateVal) : (v as FValue);
}

function computeValue(e: FExpr, row: Row, ctx: ValueContext): Val {
  const ev = (x: FExpr): Val => computeValue(x, row, ctx);
  switch (e.k) {
    case 'lit':
      return e.t === 'text' ? (e.v === '' ? null : String(e.v).toLowerCase()) : e.v;
    case 'col': {
      const v = row[e.col] ?? null;
      if (e.t === 'bool') return v === 1;
      return typeof v === 'number' ? finite(v) : v;
    }
    case 'dcol': {
      const lo = row[e.lo];
      if (typeof lo !== 'number') return null;
      const hi = Number(row[e.hi]);
      return { s: lo, time: hasTime({ lo, hi }), hi };
    }
    case 'now':
      return { s: Math.floor(ctx.now.getTime() / 6e4) * 6e4, time: true };
    case 'today':
      return { s: Math.floor(ctx.now.getTime() / DAY) * DAY, time: false };
    case 'neg':
      return finite(-n0(ev(e.a)));
    case 'math': {
      const v = ev(e.a);
      return typeof v === 'number' ? finite(Math[e.fn](v)) : null;
    }
    case 'arith': {
      const l = n0(ev(e.l));
      const r = n0(ev(e.r));
      const ops = { '+': l + r, '-': l - r, '*': l * r, '/': l / r, '%': l % r };
      return finite(ops[e.op]);
    }
    case 'round': {
      const v = ev(e.a);
      return typeof v === 'number' ? finite(Math.round(v * e.f) / e.f) : null;
    }
    case 'extreme': {
      const xs = e.args.map(ev).filter((x): x is number => typeof x === 'number');
      return xs.length === 0 ? null : e.fn === 'min' ? Math.min(...xs) : Math.max(...xs);
    }
    case 'length': {
      // The value is lowered text; the original's length is JavaScript's (see lengthSql).
      const v = ev(e.a);
      if (typeof v !== 'string') return 0;
      return e.lowered ? v.length : v.length - v.split('i\u0307').length + 1;
    }
    case 'concat': {
      const s = e.parts.map((p) => partText(p, ev(p))).join('');
      return s === '' ? null : s;
    }
    case 'upper': {
      const v = ev(e.a);
      if (typeof v !== 'string') return v;
      let out = v;
      for (const [from, to] of upperFold()) if (out.includes(from)) out = out.replaceAll(from, to);
      return out;
    }
    case 'cmp':
      return compareValues(e.op, e.l.t, ev(e.l), ev(e.r));
    case 'and':
      return e.args.every((a) => truthy(a.t, ev(a)));
    case 'or':
      return e.args.some((a) => truthy(a.t, ev(a)));
    case 'not':
      return !truthy(e.a.t, ev(e.a));
    case 'empty': {
      const v = ev(e.a);
      return !truthy(e.a.t, v);
    }
    case 'contains': {
      const v = ev(e.a);
      return typeof v === 'string' && v.includes(e.needle.toLowerCase());
    }
    case 'if': {
      for (const [c, v] of e.arms) if (truthy(c.t, ev(c))) return ev(v);
      return e.other ? ev(e.other) : e.t === 'bool' ? false : null;
    }
    case 'dateAdd': {
      const d = ev(e.d) as DateVal | null;
      return d && { s: d.s + e.ms, time: d.time };
    }
    case 'addMonths': {
      const d = ev(e.d) as DateVal | null;
      return d && { s: addMonths(d.s, e.n, 'UTC'), time: d.time };
    }
    case 'dateStart': {
      const d = ev(e.d) as DateVal | null;
      return d && { s: d.s, time: d.time };
    }
    case 'dateBetween': {
      const a = ev(e.a) as DateVal | null;
      const b = ev(e.b) as DateVal | null;
      if (!a || !b) return null;
      if (e.months) return dateBetween(a.s, b.s, MONTH_UNITS[e.months]!, 'UTC');
      const q = (a.s - b.s) / e.unit;
      return (q < 0 ? Math.ceil(q) : Math.floor(q)) || 0;
    }
    case 'rollup':
      return rollupValue(e, relatedOf(e.rel, row, ctx));
    case 'option': {
      const v = row[e.col] ?? null;
      return e.name === null ? v === null : v === e.name;
    }
    case 'agg':
      return aggValue(e, row, ctx);
    case 'pick': {
      const kept = relatedOf(e.rel, row, ctx).filter((r) =>
        e.where.every((w) => truthy(w.t, computeValue(w, r, ctx))),
      );
      const r = e.end === 'first' ? kept[0] : kept.at(-1);
      return r ? computeValue(e.x, r, ctx) : null;
    }
    case 'quant': {
      const hits = relatedOf(e.rel, row, ctx).map((r) => ctx.test!(e.filter, r));
      return e.mode === 'any'
        ? hits.some(Boolean)
        : e.mode === 'every'
          ? hits.every(Boolean)
          : !hits.some(Boolean);
    }
  }
}

function partText(p: FExpr, v: Val): string {
  if (v === null) return '';
  if (p.t === 'number') return numberText(v as number);
  if (p.t === 'bool') return v ? 'true' : 'false';
  return String(v);
}

function compareValues(op: Cmp, t: FType, l: Val, r: Val): boolean {
  if (op === '==' || op === '!=') {
    const eq =
      l === null || r === null ? l === r : t === 'date' ? (l as DateVal).s === (r as DateVal).s : l === r;
    return op === '==' ? eq : !eq;
  }
  let c: number;
  if (t === 'number') {
    c = n0(l) - n0(r);
  } else {
    // An empty date against a date is false; two empties compare equal (§3.6).
    if ((l === null) !== (r === null)) return false;
    c = l === null ? 0 : (l as DateVal).s - (r as DateVal).s;
  }
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

function relatedOf(rel: RelationRef, row: Row, ctx: ValueContext): Row[] {
  const raw = row[rel.col];
  // Each related page once, as SQL reads them (a relation never names a page twice anyway).
  const ids = typeof raw === 'string' ? [...new Set(JSON.parse(raw) as string[])] : [];
  return ids.length && ctx.related ? ctx.related(rel.table, ids) : [];
}

/** A list function over the related pages, as the formula evaluator computes it (in relation order). */
function aggValue(e: Extract<FExpr, { k: 'agg' }>, row: Row, ctx: ValueContext): Val {
  const kept = relatedOf(e.rel, row, ctx).filter((r) =>
    e.where.every((w) => truthy(w.t, computeValue(w, r, ctx))),
  );
  if (e.fn === 'any') return kept.length > 0;
  if (e.fn === 'count') return kept.length;
  // Aggregates skip empty numbers (notion-formulas.md §3.5).
  const xs = kept.map((r) => computeValue(e.x!, r, ctx)).filter((x): x is number => typeof x === 'number');
  const sum = () => xs.reduce((a, b) => a + b, 0);
  switch (e.fn) {
    case 'sum':
      return finite(sum());
    case 'mean':
      return xs.length ? finite(sum() / xs.length) : null;
    case 'min':
      return xs.length ? Math.min(...xs) : null;
    case 'max':
      return xs.length ? Math.max(...xs) : null;
  }
}

function rolledEmpty(v: RolledColumn, r: Row): boolean {
  if (v.family === 'date') return typeof r[v.lo] !== 'number';
  const x = r[v.col];
  return v.family === 'checkbox' ? x !== 1 : x === null || x === undefined;
}

function rollupValue(e: Extract<FExpr, { k: 'rollup' }>, rows: Row[]): Val {
  const n = rows.length;
  const empties = rows.filter((r) => rolledEmpty(e.v, r)).length;
  const col = e.v.family === 'date' ? e.v.lo : e.v.col;
  const numbers = rows.map((r) => r[col]).filter((x): x is number => typeof x === 'number');
  const ratio = (k: number) => (n === 0 ? null : k / n);
  switch (e.fn) {
    case 'count':
      return n;
    case 'count_values':
      return n - empties;
    case 'unique':
      return new Set(rows.filter((r) => !rolledEmpty(e.v, r)).map((r) => r[col])).size;
    case 'empty':
      return empties;
    case 'not_empty':
      return n - empties;
    case 'percent_empty':
      return ratio(empties);
    case 'percent_not_empty':
      return ratio(n - empties);
    case 'sum':
      return finite(numbers.reduce((a, b) => a + b, 0));
    case 'average':
      return numbers.length ? finite(numbers.reduce((a, b) => a + b, 0) / numbers.length) : null;
    case 'median': {
      const s = [...numbers].sort((a, b) => a - b);
      const mid = s.length >> 1;
      return s.length === 0 ? null : s.length % 2 ? s[mid]! : finite((s[mid - 1]! + s[mid]!) / 2);
    }
    case 'min':
      return numbers.length ? Math.min(...numbers) : null;
    case 'max':
      return numbers.length ? Math.max(...numbers) : null;
    case 'range':
      return numbers.length ? finite(Math.max(...numbers) - Math.min(...numbers)) : null;
    case 'checked':
      return n - empties;
    case 'unchecked':
      return empties;
    case 'percent_checked':
      return ratio(n - empties);
    case 'percent_unchecked':
      return ratio(empties);
    case 'earliest_date':
    case 'latest_date':
    case 'date_range': {
      if (e.v.family !== 'date' || numbers.length === 0) return null;
      const { lo, hi } = e.v;
      const time = rows.some((r) => typeof r[lo] === 'number' && hasTime({ lo: r[lo], hi: Number(r[hi]) }));
      const first = Math.min(...numbers);
      const last = Math.max(...numbers);
      if (e.fn === 'earliest_date') return { s: first, time };
      if (e.fn === 'latest_date') return { s: last, time };
      return { s: first, time, hi: intervalOf({ s: last, time }).hi };
    }
  }
}

/* ------------------------------------------------------------------------------------------ */
/* SQL                                                                                         */

type Raw = RawBuilder<unknown>;
type Bool = RawBuilder<SqlBool>;

export interface SqlContext {
  readonly hooks: DialectHooks;
  readonly now: Date;
  /** A column of the row (qualified as the query needs). */
  readonly col: (name: string) => Raw;
  /**
   * The WHERE expression of a filter over the related row aliased `alias` (compile.ts), whose
   * own rollups are at nesting `depth` (their related rows get aliases of that depth).
   */
  readonly filter?: (filter: Filter, alias: string, depth: number) => Bool;
  /** How deep in rollups over related rows this expression is (0: the query's own rows). */
  readonly depth?: number;
  /**
   * The columns holding a rollup or rollup condition already computed for the row (a lateral
   * join of the query, see `planRelated`); undefined: compute it here, as a subquery.
   */
  readonly related?: (e: FExpr) => readonly Raw[] | undefined;
}

const dbl = (v: number): Raw => sql`cast(${v} as double precision)`;

let binds = 0;

/**
 * `body` over `values` computed once: a scalar subquery over a one-row derived table. Used
 * where SQL would otherwise repeat a costly expression (a rollup's subquery) several times.
 */
function bind(values: readonly Raw[], body: (xs: Raw[]) => Raw): Raw {
  binds = (binds + 1) % 1_000_000_000;
  const alias = `fx_b${binds}`;
  const cols = values.map((v, i) => sql`${v} as ${sql.ref(`x${i}`)}`);
  const refs = values.map((_, i) => sql.ref(`${alias}.x${i}`) as Raw);
  // OFFSET keeps SQLite from flattening the derived table (which would repeat the values).
  return sql`(select ${body(refs)} from (select ${sql.join(cols)} limit 1 offset 0) as ${sql.ref(alias)})`;
}

/** Whether an expression is worth computing once (it holds a subquery, or is large). */
function costly(e: FExpr, ctx: SqlContext): boolean {
  const { nodes, subqueries } = measure(e, ctx.related);
  return subqueries > 0 || nodes > 8;
}

/**
 * The largest expression compiled to SQL, in nodes with a subquery counting 10: beyond it the
 * SQL (which repeats some parts, see bind) takes the planner longer than the evaluator takes.
 */
export const MAX_SQL_SIZE = 60;

/** The size of an expression as MAX_SQL_SIZE counts it. */
export function sqlSize(e: FExpr): number {
  const { nodes, subqueries } = measure(e);
  return nodes + 9 * subqueries;
}

function measure(e: FExpr, related?: SqlContext['related']): { nodes: number; subqueries: number } {
  let nodes = 0;
  let subqueries = 0;
  const walk = (x: FExpr): void => {
    // Calendar arithmetic is several nested one-row subqueries of SQL (civilOf, addMonthsSql,
    // monthsBetweenSql).
    nodes += x.k === 'addMonths' || (x.k === 'dateBetween' && x.months) ? 10 : 1;
    // A rollup read from the query's lateral join is a column, not a subquery.
    if (x.k === 'rollup' || x.k === 'quant') subqueries += related?.(x) ? 0 : 1;
    else if (x.k === 'pick') {
      subqueries++;
      for (const c of [...x.where, x.x]) walk(c);
    } else if (x.k === 'agg') {
      // Its body is SQL over each related row, in the aggregate (or a column of the join).
      if (!related?.(x)) {
        subqueries++;
        for (const c of [...x.where, ...(x.x ? [x.x] : [])]) walk(c);
      }
    } else for (const c of children(x)) walk(c);
  };
  walk(e);
  return { nodes, subqueries };
}

/** The direct sub-expressions of an expression. */
function children(e: FExpr): FExpr[] {
  switch (e.k) {
    case 'neg':
    case 'math':
    case 'not':
    case 'empty':
    case 'contains':
    case 'upper':
    case 'round':
    case 'length':
      return [e.a];
    case 'extreme':
      return [...e.args];
    case 'arith':
    case 'cmp':
      return [e.l, e.r];
    case 'concat':
      return [...e.parts];
    case 'and':
    case 'or':
      return [...e.args];
    case 'if':
      return [...e.arms.flat(), ...(e.other ? [e.other] : [])];
    case 'dateAdd':
    case 'addMonths':
    case 'dateStart':
      return [e.d];
    case 'dateBetween':
      return [e.a, e.b];
    default:
      return [];
  }
}

/** Whether an expression is a column or a literal: repeating its SQL costs nothing. */
function plain(e: FExpr): boolean {
  return e.k === 'col' || e.k === 'lit';
}

/**
 * `body` over the SQL of `e`, computed once unless it is plain: for bodies that repeat their
 * operand many times (round, sqrt, `%`, length), where nesting them would multiply the SQL.
 */
function once(e: FExpr, raw: Raw, body: (x: Raw) => Raw): Raw {
  return plain(e) ? body(raw) : bind([raw], ([x]) => body(x!));
}

/** `body` over the SQL of `e`, computed once when that is costly. */
function share(e: FExpr, raw: Raw, body: (x: Raw) => Raw, ctx: SqlContext): Raw {
  return costly(e, ctx) ? bind([raw], ([x]) => body(x!)) : body(raw);
}

/** The SQL of a number or text expression (NULL is empty); a boolean as 1 / 0. */
export function fexprSql(e: FExpr, ctx: SqlContext): Raw {
  if (e.t === 'bool') return sql`(case when ${fexprBool(e, ctx)} then 1 else 0 end)`;
  if (e.t === 'date') return fexprInterval(e, ctx).lo;
  if (e.t === 'text') return textSql(e, ctx);
  return numSql(e, ctx);
}

function numSql(e: FExpr, ctx: SqlContext): Raw {
  // Operands: an empty (NULL) number counts as 0.
  const op = (x: FExpr) => sql`coalesce(${numSql(x, ctx)}, 0)`;
  switch (e.k) {
    case 'lit':
      return e.v === null ? sql`cast(null as double precision)` : dbl(e.v as number);
    case 'col':
      return ctx.col(e.col);
    case 'neg':
      return sql`(- ${op(e.a)})`;
    case 'math':
      // Postgres refuses the square root of a negative number; JavaScript's is NaN, so empty.
      if (e.fn === 'sqrt')
        return once(e.a, numSql(e.a, ctx), (x) => sql`(case when ${x} >= 0 then sqrt(${x}) end)`);
      // A double on both engines (SQLite's sign() is an integer, and `/` would then divide integers).
      return sql`cast(${sql.raw(e.fn)}(${numSql(e.a, ctx)}) as double precision)`;
    case 'arith': {
      const l = op(e.l);
      const r = op(e.r);
      const simple = plain(e.l) && plain(e.r);
      if (e.op === '%')
        return simple ? ctx.hooks.remainder(l, r) : bind([l, r], ([a, b]) => ctx.hooks.remainder(a!, b!));
      const o = e.op as '+' | '-' | '*' | '/';
      if (ctx.hooks.finite) return ctx.hooks.finite(sql`${l} ${sql.raw(o)} ${r}`);
      // The guards repeat each operand: computed once unless a column or a literal.
      return simple ? arithSql(o, l, r) : bind([l, r], ([a, b]) => arithSql(o, a!, b!));
    }
    case 'round':
      return once(e.a, numSql(e.a, ctx), (x) => roundSql(x, e.f));
    case 'extreme': {
      const xs = e.args.map((a) => numSql(a, ctx));
      return ctx.hooks.extreme(e.fn, xs);
    }
    case 'length':
      return once(e.a, textSql(e.a, ctx), (t) => lengthSql(t, ctx, e.lowered === true));
    case 'if':
      return ifSql(e, ctx, (x) => numSql(x, ctx));
    case 'dateBetween': {
      const a = fexprDate(e.a, ctx).s;
      const b = fexprDate(e.b, ctx).s;
      if (e.months) return monthsBetweenSql(a, b, e.months, ctx);
      return ctx.hooks.truncate(sql`(${a} - ${b}) / ${dbl(e.unit)}`);
    }
    case 'rollup':
      return rollupSql(e, ctx);
    case 'agg':
      return aggSql(e, ctx);
    case 'pick':
      return pickSql(e, ctx);
    default:
      throw new Error(`not a number expression: ${e.k}`);
  }
}

const pow2 = (k: number) => dbl(2 ** k);

/**
 * `a op b` of two doubles (never NULL) as JavaScript's arithmetic gives it through the formula
 * language: empty where JavaScript's is ±Infinity or NaN (overflow, division by zero), 0 where
 * it underflows to ±0. Neither engine may compute the plain operation there: Postgres raises
 * "value out of range" on overflow and also when a product or quotient of non-zero numbers
 * underflows to 0, and SQLite yields ±Inf. So the outcome is foreseen first, from the operands'
 * magnitudes and, near the edges, from the operation over operands scaled by powers of two
 * (exact for normal numbers, and rounding commutes with it, so the scaled result crosses a
 * threshold exactly when the real one overflows or underflows); the plain operation runs only
 * where it gives a finite, non-zero (or exactly zero) double. Every scaled operand is guarded
 * by a condition on its own magnitude that comes first, so that Postgres, which evaluates AND
 * from the left and folds constants (a literal operand) the same way, never computes one that
 * would raise. The one inexact case: an exact product or quotient within 2^-53 above half the
 * smallest subnormal reads 0 where JavaScript rounds it up to 5e-324.
 */
function arithSql(op: '+' | '-' | '*' | '/', a: Raw, b: Raw): Raw {
  const A = sql`abs(${a})`;
  const B = sql`abs(${b})`;
  const ge = (x: Raw, k: number) => sql`${x} >= ${pow2(k)}`;
  const le = (x: Raw, k: number) => sql`${x} <= ${pow2(k)}`;
  const gt = (x: Raw, k: number) => sql`${x} > ${pow2(k)}`;
  const lt = (x: Raw, k: number) => sql`${x} < ${pow2(k)}`;
  const scaled = (x: Raw, k: number) => sql`(${x} * ${pow2(k)})`;
  if (op === '+' || op === '-') {
    const o = sql.raw(op);
    const plainOp = sql`${a} ${o} ${b}`;
    // Below 2^1022 each, the result stays below 2^1023; beside a number below 2^-1000 the other
    // cannot overflow; else both are normal and halving is exact: the half overflows past 2^1023.
    return sql`(case when ${le(A, 1022)} and ${le(B, 1022)} then ${plainOp} when ${lt(A, -1000)} or ${lt(B, -1000)} then ${plainOp} when abs(${scaled(a, -1)} ${o} ${scaled(b, -1)}) >= ${pow2(1023)} then null else ${plainOp} end)`;
  }
  if (op === '*') {
    const product = sql`${a} * ${b}`;
    // Both below 2^512: no overflow; both above 2^-537: no underflow (the product > 2^-1074),
    // the common case, tested first; both at most 2^-538: 0. Else one side is scaled toward 1 by 2^∓600 and the product
    // compared with the threshold scaled alike (2^1024 → 2^424, 2^-1075 → 2^-475).
    return sql`(case when ${lt(A, 512)} and ${lt(B, 512)} and ${gt(A, -537)} and ${gt(B, -537)} then ${product}
      when ${a} = 0 or ${b} = 0 then ${dbl(0)}
      when ${ge(A, 512)} and ${ge(B, 512)} then null
      when ${ge(A, 512)} and ${gt(B, -600)} and abs(${scaled(a, -600)} * ${b}) >= ${pow2(424)} then null
      when ${ge(B, 512)} and ${gt(A, -600)} and abs(${a} * ${scaled(b, -600)}) >= ${pow2(424)} then null
      when ${ge(A, 512)} or ${ge(B, 512)} then ${product}
      when ${gt(A, -537)} and ${gt(B, -537)} then ${product}
      when ${le(A, -538)} and ${le(B, -538)} then ${dbl(0)}
      when ${le(A, -537)} and ${A} <= ${B} and abs(${scaled(a, 600)} * ${b}) <= ${pow2(-475)} then ${dbl(0)}
      when ${le(B, -537)} and ${B} < ${A} and abs(${a} * ${scaled(b, 600)}) <= ${pow2(-475)} then ${dbl(0)}
      else ${product} end)`;
  }
  const quotient = sql`${a} / ${b}`;
  // Magnitude classes: at least 2^300 (scaled by 2^-600), at most 2^-300 (by 2^600), between
  // (as it is). Scaled operands lie in [2^-474, 2^424], so their quotient t is a normal double,
  // and the real quotient is t · 2^(600k) for k, the class difference, in -2 … 2: it overflows
  // when t ≥ 2^(1024 - 600k) and underflows to 0 when t ≤ 2^(-1075 - 600k).
  const mid = (x: Raw) => sql`${gt(x, -300)} and ${lt(x, 300)}`;
  const t = (x: Raw, y: Raw) => sql`abs(${x} / ${y})`;
  return sql`(case when ${lt(A, 512)} and ${gt(A, -537)} and ${gt(B, -511)} and ${lt(B, 537)} then ${quotient}
    when ${b} = 0 then null when ${a} = 0 then ${dbl(0)}
    when ${ge(A, 300)} and ${le(B, -300)} and ${t(scaled(a, -600), scaled(b, 600))} >= ${pow2(-176)} then null
    when ${ge(A, 300)} and ${mid(B)} and ${t(scaled(a, -600), b)} >= ${pow2(424)} then null
    when ${mid(A)} and ${le(B, -300)} and ${t(a, scaled(b, 600))} >= ${pow2(424)} then null
    when ${le(A, -300)} and ${mid(B)} and ${t(scaled(a, 600), b)} <= ${pow2(-475)} then ${dbl(0)}
    when ${mid(A)} and ${ge(B, 300)} and ${t(a, scaled(b, -600))} <= ${pow2(-475)} then ${dbl(0)}
    when ${le(A, -300)} and ${ge(B, 300)} and ${t(scaled(a, 600), scaled(b, -600))} <= ${pow2(125)} then ${dbl(0)}
    else ${quotient} end)`;
}

/**
 * JavaScript's `Math.round(x * f) / f` (halves toward +∞), empty when JavaScript's would not be
 * finite. Postgres raises an error where a product or quotient leaves the range of doubles, so
 * those are foreseen: scaled by a power of two s (exact, and rounding commutes with it), x·f
 * overflows exactly when (x·s)·f exceeds MAX·s. |x·f| < 0.5 (|x| < 0.25 / f) rounds to 0 and is
 * answered first, so no product underflows. floor(y) + 0.5 is exact for a y with a fraction
 * (|y| < 2^52), where floor(y + 0.5) would not be (0.49999999999999994 + 0.5 rounds to 1).
 */
function roundSql(x: Raw, f: number): Raw {
  if (f === 1) return roundHalfUp(x);
  const down = (v: number) => 2 ** -Math.ceil(Math.log2(v));
  const zero = sql`when abs(${x}) < ${dbl(0.25 / f)} then ${dbl(0)}`;
  const y = sql`(${x} * ${dbl(f)})`;
  if (f > 1) {
    const s = down(f);
    return sql`(case when ${x} is null then null ${zero} when abs((${x} * ${dbl(s)}) * ${dbl(f)}) > ${dbl(Number.MAX_VALUE * s)} then null else ${roundHalfUp(y)} / ${dbl(f)} end)`;
  }
  const s = down(1 / f);
  const r = roundHalfUp(y);
  return sql`(case when ${x} is null then null ${zero} when abs((${r} * ${dbl(s)}) / ${dbl(f)}) > ${dbl(Number.MAX_VALUE * s)} then null else ${r} / ${dbl(f)} end)`;
}

/** Math.round of a double (NULL stays NULL). */
function roundHalfUp(y: Raw): Raw {
  return sql`(case when ${y} = floor(${y}) then ${y} when ${y} >= floor(${y}) + ${dbl(0.5)} then floor(${y}) + ${dbl(1)} else floor(${y}) end)`;
}

/**
 * JavaScript's length of the original text, from the lowered text: UTF-16 units, less one per
 * "i̇" (i and U+0307), which is what lowering makes of İ (U+0130), the one character whose
 * lowercase is longer. A text written with "i̇" itself counts one short (documented).
 */
function lengthSql(t: Raw, ctx: SqlContext, lowered: boolean): Raw {
  if (lowered) return sql`cast(coalesce(${ctx.hooks.utf16Length(t)}, 0) as double precision)`;
  const dotted = sql`((length(${t}) - length(replace(${t}, ${sql.lit('i\u0307')}, ''))) / 2)`;
  return sql`cast(coalesce(${ctx.hooks.utf16Length(t)} - ${dotted}, 0) as double precision)`;
}

/** Whether `n` calls lower() anywhere inside. */
function callsLower(n: Node): boolean {
  switch (n.k) {
    case 'call':
      return n.name === 'lower' || n.args.some(callsLower);
    case 'list':
      return n.items.some(callsLower);
    case 'prop':
      return n.on ? callsLower(n.on) : false;
    case 'unary':
      return callsLower(n.arg);
    case 'binary':
      return callsLower(n.l) || callsLower(n.r);
    case 'cond':
      return callsLower(n.c) || callsLower(n.t) || callsLower(n.e);
    default:
      return false;
  }
}

function textSql(e: FExpr, ctx: SqlContext): Raw {
  switch (e.k) {
    case 'lit':
      return e.v === '' ? sql`cast(null as text)` : sql`cast(${String(e.v).toLowerCase()} as text)`;
    case 'col':
      return ctx.col(e.col);
    case 'concat': {
      const parts = e.parts.map((p) => {
        if (p.t === 'text') return sql`coalesce(${textSql(p, ctx)}, '')`;
        if (p.t === 'bool') return sql`(case when ${fexprBool(p, ctx)} then 'true' else 'false' end)`;
        return sql`coalesce(${share(p, numSql(p, ctx), (x) => ctx.hooks.numberText(x), ctx)}, '')`;
      });
      return sql`nullif(${sql.join(parts, sql` || `)}, '')`;
    }
    case 'if':
      return ifSql(e, ctx, (x) => textSql(x, ctx));
    case 'pick':
      return pickSql(e, ctx);
    case 'upper':
      // Only text with other than ASCII characters can hold a character that folds.
      return share(
        e.a,
        textSql(e.a, ctx),
        (x) => {
          let out = x;
          for (const [from, to] of upperFold()) out = sql`replace(${out}, ${sql.lit(from)}, ${sql.lit(to)})`;
          return sql`(case when ${ctx.hooks.isAscii(x)} then ${x} else ${out} end)`;
        },
        ctx,
      );
    default:
      throw new Error(`not a text expression: ${e.k}`);
  }
}

function ifSql(e: Extract<FExpr, { k: 'if' }>, ctx: SqlContext, value: (x: FExpr) => Raw): Raw {
  const whens = e.arms.map(([c, v]) => sql`when ${truth(c, ctx)} then ${value(v)}`);
  const other = e.other ? value(e.other) : sql`null`;
  return sql`(case ${sql.join(whens, sql` `)} else ${other} end)`;
}

/** Truthiness of any expression (§3.4), never NULL. */
function truth(e: FExpr, ctx: SqlContext): Bool {
  switch (e.t) {
    case 'bool':
      return fexprBool(e, ctx);
    case 'number':
      return sql<SqlBool>`coalesce(${numSql(e, ctx)}, 0) <> 0`;
    case 'text':
      return sql<SqlBool>`${textSql(e, ctx)} is not null`;
    case 'date':
      return sql<SqlBool>`${fexprDate(e, ctx).s} is not null`;
  }
}

const TRUE = sql<SqlBool>`1 = 1`;
const FALSE = sql<SqlBool>`1 = 0`;

/** The SQL condition of a boolean expression, never NULL. */
export function fexprBool(e: FExpr, ctx: SqlContext): Bool {
  switch (e.k) {
    case 'lit':
      return e.v ? TRUE : FALSE;
    case 'col':
      return sql<SqlBool>`coalesce(${ctx.col(e.col)}, 0) = 1`;
    case 'and':
    case 'or':
      return sql<SqlBool>`(${sql.join(
        e.args.map((a) => truth(a, ctx)),
        e.k === 'and' ? sql` and ` : sql` or `,
      )})`;
    case 'not':
    case 'empty':
      return sql<SqlBool>`not (${truth(e.a, ctx)})`;
    case 'contains': {
      const t = textSql(e.a, ctx);
      if (e.needle === '') return sql<SqlBool>`${t} is not null`;
      const needle = e.needle.toLowerCase();
      const test = (x: Raw) => sql`(${x} is not null and ${ctx.hooks.textContains(x, needle)})`;
      return sql<SqlBool>`${share(e.a, t, test, ctx)}`;
    }
    case 'cmp':
      return cmpSql(e, ctx);
    case 'if':
      return sql<SqlBool>`(case ${sql.join(
        e.arms.map(([c, v]) => sql`when ${truth(c, ctx)} then ${fexprSql(v, ctx)}`),
        sql` `,
      )} else ${e.other ? fexprSql(e.other, ctx) : sql`0`} end) = 1`;
    case 'quant':
      return quantSql(e, ctx);
    case 'agg':
      return aggBool(e, ctx);
    case 'option': {
      const c = ctx.col(e.col);
      if (e.name === null) return sql<SqlBool>`${c} is null`;
      return sql<SqlBool>`(${c} is not null and ${c} = cast(${e.name} as text))`;
    }
    default:
      throw new Error(`not a boolean expression: ${e.k}`);
  }
}

function cmpSql(e: Extract<FExpr, { k: 'cmp' }>, ctx: SqlContext): Bool {
  const [l, r] =
    e.l.t === 'date'
      ? [fexprDate(e.l, ctx).s, fexprDate(e.r, ctx).s]
      : e.l.t === 'text'
        ? [textSql(e.l, ctx), textSql(e.r, ctx)]
        : [numSql(e.l, ctx), numSql(e.r, ctx)];
  if (e.op === '==' || e.op === '!=') {
    const eq = (a: Raw, b: Raw) =>
      sql`(case when ${a} is null then ${b} is null when ${b} is null then 1 = 0 else ${a} = ${b} end)`;
    const shared = costly(e.l, ctx) || costly(e.r, ctx) ? bind([l, r], ([a, b]) => eq(a!, b!)) : eq(l, r);
    return e.op === '==' ? sql<SqlBool>`${shared}` : sql<SqlBool>`not ${shared}`;
  }
  const op = sql.raw(e.op);
  if (e.l.t === 'number') return sql<SqlBool>`coalesce(${l}, 0) ${op} coalesce(${r}, 0)`;
  // Dates: an empty side against a date is false; two empties compare equal.
  const both = e.op === '<=' || e.op === '>=' ? TRUE : FALSE;
  return sql<SqlBool>`(case when ${l} is null and ${r} is null then ${both} when ${l} is null or ${r} is null then 1 = 0 else ${l} ${op} ${r} end)`;
}

/** A date in SQL as DateVal: start (NULL when empty), has-a-time, and the end when known. */
type DateSql = { s: Raw; time: Bool; hi: Raw | null };

/** A date expression as the interval [lo, hi) filters read (both NULL when empty). */
export function fexprInterval(e: FExpr, ctx: SqlContext): { lo: Raw; hi: Raw } {
  // A date property as it is: its own columns (so an index on them can serve).
  if (e.k === 'dcol') return { lo: ctx.col(e.lo), hi: ctx.col(e.hi) };
  const d = fexprDate(e, ctx);
  const interval = (s: Raw, time: Raw, end: Raw | null) => {
    const lo = sql`(case when ${time} then ${s} else floor(${s} / ${dbl(DAY)}) * ${dbl(DAY)} end)`;
    return { lo, hi: end ?? sql`(${lo} + (case when ${time} then ${dbl(1)} else ${dbl(DAY)} end))` };
  };
  if (!costly(e, ctx)) return interval(d.s, d.time, d.hi);
  // Each bound computed once over the start, has-a-time and end (each a subquery or more).
  const values = [d.s, sql`(case when ${d.time} then 1 else 0 end)`, ...(d.hi ? [d.hi] : [])];
  const at = (k: 'lo' | 'hi') => bind(values, ([s, t, end]) => interval(s!, sql`${t} = 1`, end ?? null)[k]);
  return { lo: at('lo'), hi: at('hi') };
}

function fexprDate(e: FExpr, ctx: SqlContext): DateSql {
  switch (e.k) {
    case 'dcol': {
      const lo = ctx.col(e.lo);
      const hi = ctx.col(e.hi);
      return { s: lo, time: sql<SqlBool>`not ${dateOnly(lo, hi, ctx)}`, hi };
    }
    case 'now':
    case 'today': {
      const v = fexprValue(e, {}, { now: ctx.now }) as Interval;
      return { s: dbl(v.lo), time: e.k === 'now' ? TRUE : FALSE, hi: null };
    }
    case 'dateAdd':
    case 'dateStart': {
      const d = fexprDate(e.d, ctx);
      return { s: e.k === 'dateAdd' ? sql`(${d.s} + ${dbl(e.ms)})` : d.s, time: d.time, hi: null };
    }
    case 'addMonths': {
      const d = fexprDate(e.d, ctx);
      return { s: addMonthsSql(d.s, dbl(e.n)), time: d.time, hi: null };
    }
    case 'if': {
      const arms = e.arms.map(([c, v]) => [truth(c, ctx), fexprDate(v, ctx)] as const);
      const other = e.other ? fexprDate(e.other, ctx) : null;
      const pick = (f: (d: DateSql) => Raw, none: Raw) =>
        sql`(case ${sql.join(
          arms.map(([c, v]) => sql`when ${c} then ${f(v)}`),
          sql` `,
        )} else ${other ? f(other) : none} end)`;
      const known = arms.some(([, v]) => v.hi !== null) || (other !== null && other.hi !== null);
      return {
        s: pick((d) => d.s, sql`null`),
        time: sql<SqlBool>`${pick((d) => sql`(case when ${d.time} then 1 else 0 end)`, sql`0`)} = 1`,
        // Arms without a known end take the default end of their own start.
        hi: known ? pick((d) => d.hi ?? defaultEnd(d), sql`null`) : null,
      };
    }
    case 'rollup':
      return rollupDate(e, ctx);
    default:
      throw new Error(`not a date expression: ${e.k}`);
  }
}

/**
 * The UTC civil date of epoch milliseconds `ms` (days-to-civil of the proleptic Gregorian
 * calendar, in floor divisions of doubles: exact on both engines), handed to `body` as the
 * time of day, year, month (1–12) and day, each computed once (bind). NULL stays NULL.
 */
function civilOf(ms: Raw, body: (tod: Raw, year: Raw, month: Raw, day: Raw) => Raw): Raw {
  const d = dbl;
  const fl = (x: Raw) => sql`floor(${x})`;
  return bind([ms], ([s]) => {
    const days = fl(sql`${s!} / ${d(DAY)}`);
    const z = sql`(${days} + ${d(719_468)})`;
    const era = fl(sql`${z} / ${d(146_097)}`);
    const tod = sql`(${s!} - ${days} * ${d(DAY)})`;
    return bind([tod, sql`(${z} - ${era} * ${d(146_097)})`, era], ([tod, doe, era]) => {
      const yoe = fl(
        sql`(${doe!} - ${fl(sql`${doe!} / ${d(1460)}`)} + ${fl(sql`${doe!} / ${d(36_524)}`)} - ${fl(sql`${doe!} / ${d(146_096)}`)}) / ${d(365)}`,
      );
      return bind([tod!, doe!, era!, yoe], ([tod, doe, era, yoe]) => {
        const doy = sql`(${doe!} - (${d(365)} * ${yoe!} + ${fl(sql`${yoe!} / ${d(4)}`)} - ${fl(sql`${yoe!} / ${d(100)}`)}))`;
        const mp = fl(sql`(${d(5)} * ${doy} + ${d(2)}) / ${d(153)}`);
        const day = sql`(${doy} - ${fl(sql`(${d(153)} * ${mp} + ${d(2)}) / ${d(5)}`)} + ${d(1)})`;
        const month = sql`(case when ${mp} < ${d(10)} then ${mp} + ${d(3)} else ${mp} - ${d(9)} end)`;
        const year = sql`(${yoe!} + ${era!} * ${d(400)} + (case when ${mp} < ${d(10)} then ${d(0)} else ${d(1)} end))`;
        return bind([tod!, year, month, day], ([tod, y, m, dd]) => body(tod!, y!, m!, dd!));
      });
    });
  });
}

/**
 * Epoch milliseconds moved by `n` (SQL, a whole number) calendar months in UTC, as the
 * evaluator's addMonths: the civil date's month moved, the day clamped to the new month's
 * length, and back to days; the time of day kept. Every year is itself (years 0–99 too, and
 * those before year 1). NULL stays NULL.
 */
function addMonthsSql(ms: Raw, n: Raw): Raw {
  const d = dbl;
  const fl = (x: Raw) => sql`floor(${x})`;
  return civilOf(ms, (tod, year, month, day) => {
    // Months since year 0, moved.
    const total = sql`(${year} * ${d(12)} + ${month} - ${d(1)} + ${n})`;
    return bind([tod, total, day], ([tod, total, day]) => {
      const y = fl(sql`${total!} / ${d(12)}`);
      const m = sql`(${total!} - ${y} * ${d(12)} + ${d(1)})`;
      return bind([tod!, y, m, day!], ([tod, y, m, day]) => {
        const mod = (x: Raw, k: number) => sql`(${x} - ${d(k)} * ${fl(sql`${x} / ${d(k)}`)})`;
        const leap = sql`((${mod(y!, 4)} = 0 and ${mod(y!, 100)} <> 0) or ${mod(y!, 400)} = 0)`;
        const length = sql`(case when ${m!} = 2 then (case when ${leap} then ${d(29)} else ${d(28)} end) when ${m!} in (4, 6, 9, 11) then ${d(30)} else ${d(31)} end)`;
        const clamped = sql`(case when ${day!} > ${length} then ${length} else ${day!} end)`;
        // Days from the civil date (March-based years).
        const y2 = sql`(case when ${m!} <= 2 then ${y!} - ${d(1)} else ${y!} end)`;
        return bind([tod!, y2, m!, clamped], ([tod, y2, m, dd]) => {
          const era = fl(sql`${y2!} / ${d(400)}`);
          const yoe = sql`(${y2!} - ${era} * ${d(400)})`;
          const mp = sql`(case when ${m!} > 2 then ${m!} - ${d(3)} else ${m!} + ${d(9)} end)`;
          const doy = sql`(${fl(sql`(${d(153)} * ${mp} + ${d(2)}) / ${d(5)}`)} + ${dd!} - ${d(1)})`;
          const doe = sql`(${yoe} * ${d(365)} + ${fl(sql`${yoe} / ${d(4)}`)} - ${fl(sql`${yoe} / ${d(100)}`)} + ${doy})`;
          const days = sql`(${era} * ${d(146_097)} + ${doe} - ${d(719_468)})`;
          return sql`(${days} * ${d(DAY)} + ${tod!})`;
        });
      });
    });
  });
}

/**
 * dateBetween(a, b) in calendar months (`per` 1), quarters (3) or years (12), as the evaluator's
 * (Moment's month difference, in UTC): with p, q = a, b, or b, a when a's day of the month is
 * smaller than b's (the sign then turns), the whole months from p's month to q's, plus the
 * fraction (q − anchor) / (the anchor's month span), the anchor being p's day (clamped to the
 * month's length) and time of day in q's month, the span reaching to the same point of the
 * month before or after. Every term is a whole number of milliseconds (exact in doubles), so
 * the fraction, the sum, the division by `per` and the truncation are the evaluator's own
 * double operations. Two civil dates (civilOf), no month arithmetic. NULL stays NULL.
 */
function monthsBetweenSql(a: Raw, b: Raw, per: number, ctx: SqlContext): Raw {
  const d = dbl;
  const fl = (x: Raw) => sql`floor(${x})`;
  const least = (x: Raw, y: Raw) => sql`(case when ${x} < ${y} then ${x} else ${y} end)`;
  return civilOf(a, (todA, yA, mA, dA) =>
    civilOf(b, (todB, yB, mB, dB) => {
      const swap = sql`${dA} < ${dB}`;
      const pick = (x: Raw, y: Raw) => sql`(case when ${swap} then ${x} else ${y} end)`;
      // p's day and time of day, p's and q's month counts, q's year, month, day and time of day.
      const values = [
        pick(dB, dA),
        pick(todB, todA),
        pick(sql`${yB} * ${d(12)} + ${mB}`, sql`${yA} * ${d(12)} + ${mA}`),
        pick(sql`${yA} * ${d(12)} + ${mA}`, sql`${yB} * ${d(12)} + ${mB}`),
        pick(yA, yB),
        pick(mA, mB),
        pick(dA, dB),
        pick(todA, todB),
        sql`(case when ${swap} then 1 else 0 end)`,
      ];
      return bind(values, ([dp, todp, monthP, monthQ, yq, mq, dq, todq, swapped]) => {
        const mod = (x: Raw, k: number) => sql`(${x} - ${d(k)} * ${fl(sql`${x} / ${d(k)}`)})`;
        const leap = sql`((${mod(yq!, 4)} = 0 and ${mod(yq!, 100)} <> 0) or ${mod(yq!, 400)} = 0)`;
        const length = (m: Raw) =>
          sql`(case when ${m} = 2 then (case when ${leap} then ${d(29)} else ${d(28)} end) when ${m} in (4, 6, 9, 11) then ${d(30)} else ${d(31)} end)`;
        const lenQ = length(mq!);
        // The months before and after q's (December and January have 31 days).
        const lenPrev = length(sql`(case when ${mq!} = 1 then ${d(12)} else ${mq!} - ${d(1)} end)`);
        const lenNext = length(sql`(case when ${mq!} = 12 then ${d(1)} else ${mq!} + ${d(1)} end)`);
        const dayQ = least(dp!, lenQ);
        const diff = sql`((${dq!} - ${dayQ}) * ${d(DAY)} + ${todq!} - ${todp!})`;
        const span = sql`(case when ${diff} < 0 then ${lenPrev} + ${dayQ} - ${least(dp!, lenPrev)} else ${lenQ} + ${least(dp!, lenNext)} - ${dayQ} end) * ${d(DAY)}`;
        const x = sql`((${monthQ!} - ${monthP!}) + ${diff} / (${span}))`;
        const signed = sql`(case when ${swapped!} = 1 then ${x} else - ${x} end)`;
        return ctx.hooks.truncate(per === 1 ? signed : sql`${signed} / ${d(per)}`);
      });
    }),
  );
}

function defaultEnd(d: DateSql): Raw {
  return sql`(case when ${d.time} then ${d.s} + ${dbl(1)} else floor(${d.s} / ${dbl(DAY)}) * ${dbl(DAY)} + ${dbl(DAY)} end)`;
}

/** Whether a date interval is a date-only value (whole UTC days). */
function dateOnly(lo: Raw, hi: Raw, ctx: SqlContext): Bool {
  return sql<SqlBool>`(${ctx.hooks.wholeDays(lo)} and ${ctx.hooks.wholeDays(sql`${hi} - ${lo}`)})`;
}

const REL_ROW = 'fx_row';

/** The alias of the related rows a rollup reads at the context's depth (unique when nested). */
const relAlias = (ctx: SqlContext) => (ctx.depth ? `${REL_ROW}${ctx.depth}` : REL_ROW);

/**
 * `(select <select> from <related table> where <the row's relation names it> …)`: live rows only,
 * then `where`. The related table is read by its key (`jsonArrayHasKey`), never scanned.
 */
function relatedFrom(rel: RelationRef, ctx: SqlContext, select: Raw, where?: Bool): Raw {
  return sql`(select ${select} ${relatedRows(rel, ctx)}${where ? sql` and ${where}` : sql``})`;
}

/** `from <related table> as fx_row where <it is live and the row's relation names it>`. */
function relatedRows(rel: RelationRef, ctx: SqlContext): Raw {
  const a = relAlias(ctx);
  const key = ctx.hooks.jsonArrayHasKey(ctx.col(rel.col), sql.ref(`${a}.page_id`));
  return sql`from ${sql.table(rel.table)} as ${sql.ref(a)} where ${sql.ref(`${a}.in_trash`)} = 0 and ${key}`;
}

const relCol = (ctx: SqlContext) => (name: string) => sql.ref(`${relAlias(ctx)}.${name}`);

/** A number rollup as an aggregate over the related rows (aliased `relAlias`), a double. */
function rollupAggregate(e: Extract<FExpr, { k: 'rollup' }>, ctx: SqlContext): Raw {
  const v = e.v;
  const c = relCol(ctx);
  const empty =
    v.family === 'date'
      ? sql`${c(v.lo)} is null`
      : v.family === 'checkbox'
        ? sql`coalesce(${c(v.col)}, 0) <> 1`
        : sql`${c(v.col)} is null`;
  const empties = sql`coalesce(sum(case when ${empty} then 1 else 0 end), 0)`;
  const value = v.family === 'date' ? c(v.lo) : c(v.col);
  // Counts are bigint on Postgres: every number is a double, as number columns are.
  const one = (select: Raw) => sql`cast(${select} as double precision)`;
  const ratio = (k: Raw) =>
    one(sql`case when count(*) = 0 then null else cast(${k} as double precision) / count(*) end`);
  switch (e.fn) {
    case 'count':
      return one(sql`count(*)`);
    case 'count_values':
    case 'not_empty':
    case 'checked':
      return one(sql`count(*) - ${empties}`);
    case 'empty':
    case 'unchecked':
      return one(empties);
    case 'unique':
      return one(sql`count(distinct ${value})`);
    case 'percent_empty':
    case 'percent_unchecked':
      return ratio(empties);
    case 'percent_not_empty':
    case 'percent_checked':
      return ratio(sql`count(*) - ${empties}`);
    case 'sum':
      if (ctx.hooks.finite) return one(ctx.hooks.finite(sql`coalesce(sum(${value}), 0)`));
      return one(sql`(case when count(${value}) = 0 then 0 else ${finiteSum(value)} end)`);
    case 'average':
      // Postgres: the sum over the count, as the evaluator (avg() raises where the sum of
      // squares it also keeps overflows).
      if (ctx.hooks.finite) return one(ctx.hooks.finite(sql`avg(${value})`));
      return one(
        sql`(case when count(${value}) = 0 then null else ${finiteSum(value)} / count(${value}) end)`,
      );
    case 'min':
      return one(sql`min(${value})`);
    case 'max':
      return one(sql`max(${value})`);
    case 'range':
      return one(
        ctx.hooks.finite
          ? ctx.hooks.finite(sql`max(${value}) - min(${value})`)
          : arithSql('-', sql`max(${value})`, sql`min(${value})`),
      );
    default:
      throw new Error(`not a number rollup: ${e.fn}`);
  }
}

/**
 * The sum of a column's numbers, NULL where it overflows (JavaScript's sum is then ±Infinity,
 * an empty number; Postgres's sum() raises and SQLite's is ±Inf). Numbers of at least 2^-900
 * are summed scaled by 2^-64 (exact, and rounding commutes with it, so the scaled sum is the
 * sum scaled while it is a normal number) and cannot overflow; the smaller ones, which scaling
 * could round, are summed apart. The sum overflows when the scaled one reaches 2^960. (A sum
 * that overflows on the way and comes back, [MAX, MAX, -MAX], is empty in JavaScript's order
 * and finite here; sums of fractions may differ in the last digit, as in any other order.)
 */
function finiteSum(v: Raw): Raw {
  const big = sql`sum(case when abs(${v}) >= ${pow2(-900)} then ${v} * ${pow2(-64)} end)`;
  const small = sql`coalesce(sum(case when abs(${v}) < ${pow2(-900)} then ${v} end), 0)`;
  return sql`(case when ${big} is null then ${small} when abs(${big}) >= ${pow2(960)} then null else ${big} * ${pow2(64)} + ${small} end)`;
}

/**
 * The median of the related rows' numbers, as the evaluator's: the middle one, or the two middle
 * ones' (a + b) / 2 (not SQLite's median(), a + (b − a) / 2, nor Postgres's percentile_cont,
 * which differ in the last digit): the related numbers ranked (row_number) and counted (count
 * over the window), the one or two middle ranks kept, their sum halved with the engine's guard
 * (arithSql, finite). A subquery at each mention, not part of the per-row plan (planRelated),
 * which holds aggregates only.
 */
function medianSql(e: Extract<FExpr, { k: 'rollup' }>, ctx: SqlContext): Raw {
  if (e.v.family !== 'number') throw new Error('median over a non-number column');
  const value = relCol(ctx)(e.v.col);
  const ranked = sql`(select ${value} as x, row_number() over (order by ${value}) as rn, count(*) over () as n ${relatedRows(e.rel, ctx)} and ${value} is not null)`;
  const lo = sql`min(fx_mid.x)`;
  const hi = sql`max(fx_mid.x)`;
  const half = ctx.hooks.finite
    ? ctx.hooks.finite(sql`(${lo} + ${hi}) / ${dbl(2)}`)
    : arithSql('/', arithSql('+', lo, hi), dbl(2));
  return sql`(select case when max(fx_mid.n) % 2 = 1 then ${lo} else ${half} end from ${ranked} as fx_mid where fx_mid.rn in ((fx_mid.n + 1) / 2, fx_mid.n / 2 + 1))`;
}

function rollupSql(e: Extract<FExpr, { k: 'rollup' }>, ctx: SqlContext): Raw {
  if (e.fn === 'median') return medianSql(e, ctx);
  const [column] = ctx.related?.(e) ?? [];
  return column ?? relatedFrom(e.rel, ctx, rollupAggregate(e, ctx));
}

/**
 * A date rollup's aggregates: the earliest and latest start, and 1 when some value has a time
 * (date-times unless every value is date-only, §8.2), else 0.
 */
function dateAggregates(e: Extract<FExpr, { k: 'rollup' }>, ctx: SqlContext): [Raw, Raw, Raw] {
  const v = e.v;
  if (v.family !== 'date') throw new Error('date rollup over a non-date column');
  const c = relCol(ctx);
  const timed = sql`${c(v.lo)} is not null and not ${dateOnly(c(v.lo), c(v.hi), ctx)}`;
  return [
    sql`min(${c(v.lo)})`,
    sql`max(${c(v.lo)})`,
    sql`coalesce(max(case when ${timed} then 1 else 0 end), 0)`,
  ];
}

/** earliest_date / latest_date / date_range over the related rows' date column. */
function rollupDate(e: Extract<FExpr, { k: 'rollup' }>, ctx: SqlContext): DateSql {
  const aggregates = dateAggregates(e, ctx);
  const [first, last, timed] = ctx.related?.(e) ?? aggregates.map((a) => relatedFrom(e.rel, ctx, a));
  const time = sql<SqlBool>`${timed} = 1`;
  if (e.fn === 'earliest_date') return { s: first!, time, hi: null };
  if (e.fn === 'latest_date') return { s: last!, time, hi: null };
  return { s: first!, time, hi: defaultEnd({ s: last!, time, hi: null }) };
}

/** A rollup condition as an aggregate: 1 when it holds over the related rows, else 0. */
function quantAggregate(e: Extract<FExpr, { k: 'quant' }>, ctx: SqlContext): Raw {
  if (!ctx.filter) throw new Error('a rollup condition needs the filter compiler');
  const hit = sql`(case when ${ctx.filter(e.filter, relAlias(ctx), (ctx.depth ?? 0) + 1)} then 1 else 0 end)`;
  if (e.mode === 'every') return sql`coalesce(min(${hit}), 1)`;
  const any = sql`coalesce(max(${hit}), 0)`;
  return e.mode === 'any' ? any : sql`(1 - ${any})`;
}

function quantSql(e: Extract<FExpr, { k: 'quant' }>, ctx: SqlContext): Bool {
  const [column] = ctx.related?.(e) ?? [];
  if (column) return sql<SqlBool>`${column} = 1`;
  if (!ctx.filter) throw new Error('a rollup condition needs the filter compiler');
  const cond = ctx.filter(e.filter, relAlias(ctx), (ctx.depth ?? 0) + 1);
  if (e.mode === 'any') return sql<SqlBool>`exists ${relatedFrom(e.rel, ctx, sql`1`, cond)}`;
  if (e.mode === 'none') return sql<SqlBool>`not exists ${relatedFrom(e.rel, ctx, sql`1`, cond)}`;
  return sql<SqlBool>`not exists ${relatedFrom(e.rel, ctx, sql`1`, sql<SqlBool>`not (${cond})`)}`;
}

/** The context of a list function's body: one related row (aliased `relAlias(ctx)`). */
function bodyContext(ctx: SqlContext): SqlContext {
  return { hooks: ctx.hooks, now: ctx.now, col: relCol(ctx), depth: (ctx.depth ?? 0) + 1 };
}

/** Whether a related row is kept by a list function's filters (null: every one is). */
function aggKept(e: Extract<FExpr, { k: 'agg' | 'pick' }>, ctx: SqlContext): Bool | null {
  if (e.where.length === 0) return null;
  const inner = bodyContext(ctx);
  return sql<SqlBool>`(${sql.join(
    e.where.map((w) => truth(w, inner)),
    sql` and `,
  )})`;
}

/**
 * A list function over the related rows (aliased `relAlias`) as an aggregate, a double (any:
 * 1 / 0). The filters are inside the aggregate, so that it shares its FROM with the others of
 * its relation (planRelated).
 */
function aggAggregate(e: Extract<FExpr, { k: 'agg' }>, ctx: SqlContext): Raw {
  const kept = aggKept(e, ctx);
  const one = (select: Raw) => sql`cast(${select} as double precision)`;
  if (e.fn === 'count')
    return one(kept ? sql`coalesce(sum(case when ${kept} then 1 else 0 end), 0)` : sql`count(*)`);
  if (e.fn === 'any')
    return kept
      ? sql`coalesce(max(case when ${kept} then 1 else 0 end), 0)`
      : sql`(case when count(*) > 0 then 1 else 0 end)`;
  const x = numSql(e.x!, bodyContext(ctx));
  const value = kept ? sql`(case when ${kept} then ${x} end)` : x;
  // Sums and means guarded as the sum and average rollups' (rollupAggregate): the evaluator's
  // empty where the sum leaves the range of doubles, never Postgres's "value out of range".
  switch (e.fn) {
    case 'sum':
      if (ctx.hooks.finite) return one(ctx.hooks.finite(sql`coalesce(sum(${value}), 0)`));
      return one(sql`(case when count(${value}) = 0 then 0 else ${finiteSum(value)} end)`);
    case 'mean':
      if (ctx.hooks.finite) return one(ctx.hooks.finite(sql`avg(${value})`));
      return one(
        sql`(case when count(${value}) = 0 then null else ${finiteSum(value)} / count(${value}) end)`,
      );
    case 'min':
      return one(sql`min(${value})`);
    case 'max':
      return one(sql`max(${value})`);
  }
}

function aggSql(e: Extract<FExpr, { k: 'agg' }>, ctx: SqlContext): Raw {
  const [column] = ctx.related?.(e) ?? [];
  return column ?? relatedFrom(e.rel, ctx, aggAggregate(e, ctx));
}

/**
 * `first()` / `last()`: the value over the kept related row that comes first / last in the
 * relation's order (the position of its id in the row's relation), read by key.
 */
function pickSql(e: Extract<FExpr, { k: 'pick' }>, ctx: SqlContext): Raw {
  const inner = bodyContext(ctx);
  const x = e.t === 'text' ? textSql(e.x, inner) : numSql(e.x, inner);
  const kept = aggKept(e, ctx);
  const position = ctx.hooks.jsonArrayPosition(ctx.col(e.rel.col), sql.ref(`${relAlias(ctx)}.page_id`));
  const order = e.end === 'first' ? sql`asc` : sql`desc`;
  return sql`(select ${x} ${relatedRows(e.rel, ctx)}${kept ? sql` and ${kept}` : sql``} order by ${position} ${order} limit 1)`;
}

/** `some` / `empty`: whether a related row is kept, by key (EXISTS stops at the first). */
function aggBool(e: Extract<FExpr, { k: 'agg' }>, ctx: SqlContext): Bool {
  const [column] = ctx.related?.(e) ?? [];
  if (column) return sql<SqlBool>`${column} = 1`;
  return sql<SqlBool>`exists ${relatedFrom(e.rel, ctx, sql`1`, aggKept(e, ctx) ?? undefined)}`;
}

/* ------------------------------------------------------------------------------------------ */
/* Rollups computed once per row                                                               */

/** One FROM item computing some of a query's rollups once per row, and how it joins the row. */
export interface RelatedJoin {
  readonly from: AliasedRawBuilder<unknown, string>;
  /** `left join lateral … on true` (Postgres) or `left join … on <its row id is the row's>`. */
  readonly lateral: boolean;
  /** The join condition (for a lateral join, true). */
  readonly on: RawBuilder<SqlBool>;
}

/** The joins that compute a query's rollups once per row, and where each one is. */
export interface RelatedPlan {
  /** FROM items to left-join, one per relation read. */
  readonly joins: readonly RelatedJoin[];
  /** The columns of a rollup (date rollups: earliest, latest, has-a-time) or a rollup condition. */
  readonly related: (e: FExpr) => readonly Raw[] | undefined;
}

/**
 * The query's own table, for dialects without LATERAL: each relation's rollups are then one
 * derived table over it, grouped by row. `narrow` limits the rows computed (conditions over the
 * table aliased `alias`, implied by the query's filter), `alias` is free in the query.
 */
export interface RelatedOuter {
  readonly table: string;
  readonly alias: string;
  readonly narrow?: Bool;
}

type RelatedNode = Extract<FExpr, { k: 'rollup' | 'quant' | 'agg' }>;

/** The rollups, rollup conditions and list functions over related pages inside expressions, each once. */
function relatedNodes(exprs: readonly FExpr[]): Map<string, RelatedNode> {
  const out = new Map<string, RelatedNode>();
  const walk = (x: FExpr): void => {
    // A median is a subquery at each mention (medianSql), not an aggregate of the plan.
    if (x.k === 'rollup' && x.fn === 'median') return;
    if (x.k === 'rollup' || x.k === 'quant' || x.k === 'agg') out.set(relatedKey(x), x);
    else for (const c of children(x)) walk(c);
  };
  for (const e of exprs) walk(e);
  return out;
}

/** How many times expressions mention a rollup or rollup condition (each mention counted). */
export function relatedMentions(exprs: readonly FExpr[]): number {
  let n = 0;
  const walk = (x: FExpr): void => {
    if (x.k === 'rollup' || x.k === 'quant' || x.k === 'agg') n++;
    else for (const c of children(x)) walk(c);
  };
  for (const e of exprs) walk(e);
  return n;
}

function relatedKey(e: RelatedNode): string {
  if (e.k === 'agg') return JSON.stringify(['agg', e.fn, e.rel, e.where, e.x]);
  return JSON.stringify(e.k === 'rollup' ? [e.fn, e.rel, e.v] : [e.mode, e.rel, e.filter]);
}

let laterals = 0;

/**
 * Computes every rollup of `exprs` once per row, so a filter, a sort and the executor's reads use
 * columns instead of repeating a subquery at each mention: one FROM item per relation,
 * aggregating the related rows looked up by key. Where the dialect can (`hooks.lateral`), a
 * lateral subquery per row; otherwise (`outer` given) a derived table over the query's table that
 * pairs each row with its related rows and groups them by row, joined on the row's id (rows
 * without related pages are not in it: their columns take the aggregates' empty-set values).
 * Null when there is nothing to join or the dialect cannot (then each mention is a subquery).
 */
export function planRelated(
  exprs: readonly FExpr[],
  ctx: SqlContext,
  outer?: RelatedOuter,
): RelatedPlan | null {
  if (!ctx.hooks.lateral && !outer) return null;
  const nodes = relatedNodes(exprs);
  if (nodes.size === 0) return null;
  const byRelation = new Map<string, { rel: RelationRef; items: [string, FExpr, Raw[]][] }>();
  for (const [key, e] of nodes) {
    const group = `${e.rel.table}.${e.rel.col}`;
    const entry = byRelation.get(group) ?? { rel: e.rel, items: [] };
    byRelation.set(group, entry);
    const aggregates =
      e.k === 'quant'
        ? [quantAggregate(e, ctx)]
        : e.k === 'agg'
          ? [aggAggregate(e, ctx)]
          : e.t === 'date'
            ? dateAggregates(e, ctx)
            : [rollupAggregate(e, ctx)];
    entry.items.push([key, e, aggregates]);
  }
  const joins: RelatedJoin[] = [];
  const columns = new Map<string, Raw[]>();
  for (const { rel, items } of byRelation.values()) {
    laterals = (laterals + 1) % 1_000_000_000;
    const alias = `fx_l${laterals}`;
    const grouped = !ctx.hooks.lateral && outer ? outer : null;
    const id = sql.ref(`${alias}.fx_id`);
    const selects: Raw[] = grouped
      ? [sql`${sql.ref(`${grouped.alias}.page_id`)} as ${sql.ref('fx_id')}`]
      : [];
    for (const [key, , aggregates] of items) {
      const refs = aggregates.map((a) => {
        const name = `x${selects.length}`;
        selects.push(sql`${a} as ${sql.ref(name)}`);
        const column = sql.ref(`${alias}.${name}`) as Raw;
        if (!grouped) return column;
        // A row missing from the derived table has no related pages: the aggregate over none
        // (an uncorrelated subquery, computed once per statement).
        const none = sql`(select ${a} from ${sql.table(rel.table)} as ${sql.ref(relAlias(ctx))} where 1 = 0)`;
        return sql`(case when ${id} is null then ${none} else ${column} end)` as Raw;
      });
      columns.set(key, refs);
    }
    if (!grouped) {
      // An aggregate without GROUP BY: exactly one row for every row of the query.
      const from = sql`(select ${sql.join(selects)} ${relatedRows(rel, ctx)})`.as(alias);
      joins.push({ from, lateral: true, on: TRUE });
      continue;
    }
    const o = (name: string) => sql.ref(`${grouped.alias}.${name}`);
    // Each row, each id of its relation (a relation names a page once), the related row by its
    // key: CROSS JOIN keeps this order (SQLite otherwise may scan the related table per row).
    const each = ctx.hooks.jsonArrayEach(o(rel.col), 'fx_j');
    const r = relAlias(ctx);
    const pairs = sql`${sql.table(grouped.table)} as ${sql.ref(grouped.alias)} cross join ${each} cross join ${sql.table(rel.table)} as ${sql.ref(r)}`;
    const where = sql`${sql.ref(`${r}.page_id`)} = ${sql.ref('fx_j.value')} and ${sql.ref(`${r}.in_trash`)} = 0${grouped.narrow ? sql` and ${grouped.narrow}` : sql``}`;
    const from = sql`(select ${sql.join(selects)} from ${pairs} where ${where} group by ${o('page_id')})`.as(
      alias,
    );
    joins.push({ from, lateral: false, on: sql<SqlBool>`${id} = ${ctx.col('page_id')}` });
  }
  return {
    joins,
    related: (e) =>
      e.k === 'rollup' || e.k === 'quant' || e.k === 'agg' ? columns.get(relatedKey(e)) : undefined,
  };
}
