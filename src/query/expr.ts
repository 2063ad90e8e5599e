/**
 * Numeric formula expressions compiled into queries: a formula made only of number properties
 * of the row, number literals, `+ - * /` (and `add`, `subtract`, `multiply`, `divide`) and unary
 * minus is computed in SQL from the derived number columns, so filtering and sorting on it runs
 * in the database like a plain property. The evaluator computes the same expression in plain
 * TypeScript with the formula language's rules (notion-formulas.md §2.2): an empty number counts
 * as 0, division by zero and any non-finite result are empty, -0 is 0.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Node } from '../domain/formula/syntax.ts';
import { columnStem } from './columns.ts';

export type NumExpr =
  | { readonly k: 'lit'; readonly v: number }
  | { readonly k: 'col'; readonly id: string }
  | { readonly k: 'neg'; readonly a: NumExpr }
  | { readonly k: 'bin'; readonly op: '+' | '-' | '*' | '/'; readonly l: NumExpr; readonly r: NumExpr };

const FUNCTIONS: Record<string, '+' | '-' | '*' | '/'> = {
  add: '+',
  subtract: '-',
  multiply: '*',
  divide: '/',
};

/**
 * The numeric expression of a checked formula tree, or undefined when the formula uses anything
 * else. `numberProperty(id)` says whether `id` is a number property of the formula's own row.
 */
export function numericExpr(root: Node, numberProperty: (id: string) => boolean): NumExpr | undefined {
  const visit = (n: Node): NumExpr | undefined => {
    switch (n.k) {
      case 'num':
        return { k: 'lit', v: n.v };
      case 'prop':
        return !n.on && n.id !== undefined && numberProperty(n.id) ? { k: 'col', id: n.id } : undefined;
      case 'unary': {
        if (n.op !== '-') return undefined;
        const a = visit(n.arg);
        return a && { k: 'neg', a };
      }
      case 'binary': {
        if (!['+', '-', '*', '/'].includes(n.op)) return undefined;
        const l = visit(n.l);
        const r = visit(n.r);
        return l && r && { k: 'bin', op: n.op as '+' | '-' | '*' | '/', l, r };
      }
      case 'call': {
        const op = FUNCTIONS[n.name];
        if (!op || n.args.length !== 2) return undefined;
        const l = visit(n.args[0]!);
        const r = visit(n.args[1]!);
        return l && r && { k: 'bin', op, l, r };
      }
      default:
        return undefined;
    }
  };
  const e = visit(root);
  // A formula without a column is a constant: left to the evaluator (a lone SQL parameter has no type).
  return e && hasColumn(e) ? fold(e) : undefined;
}

const hasColumn = (e: NumExpr): boolean =>
  e.k === 'col' || (e.k === 'neg' ? hasColumn(e.a) : e.k === 'bin' && (hasColumn(e.l) || hasColumn(e.r)));

/** Constant parts computed ahead (SQL integer arithmetic on literals would differ from JS). */
function fold(e: NumExpr): NumExpr {
  // Folded parts are always operands, where an empty result counts as 0.
  if (!hasColumn(e)) return { k: 'lit', v: exprValue(e, {}) ?? 0 };
  if (e.k === 'neg') return { k: 'neg', a: fold(e.a) };
  if (e.k === 'bin') return { k: 'bin', op: e.op, l: fold(e.l), r: fold(e.r) };
  return e;
}

const finite = (n: number): number | null => (Number.isFinite(n) ? n || 0 : null);

/** The value of `e` over a derived row (the evaluator's side). */
export function exprValue(e: NumExpr, row: Readonly<Record<string, unknown>>): number | null {
  // Intermediate values keep JS semantics (null as 0); the final result is made finite.
  const raw = (x: NumExpr): number => {
    switch (x.k) {
      case 'lit':
        return x.v;
      case 'col': {
        const v = row[columnStem(x.id)];
        return typeof v === 'number' ? v : 0;
      }
      case 'neg':
        return -inner(x.a);
      case 'bin': {
        const l = inner(x.l);
        const r = inner(x.r);
        if (x.op === '/') return r === 0 ? Number.NaN : l / r;
        return x.op === '+' ? l + r : x.op === '-' ? l - r : l * r;
      }
    }
  };
  // An empty intermediate (division by zero) counts as 0 in the next operation, as in formulas.
  const inner = (x: NumExpr): number => finite(raw(x)) ?? 0;
  if (e.k === 'col') {
    // A bare property keeps its emptiness; inside an operation it counts as 0.
    const v = row[columnStem(e.id)];
    return typeof v === 'number' ? finite(v) : null;
  }
  return finite(raw(e));
}

/**
 * The SQL of `e` over the row's columns (`column(name)` gives a reference). Every intermediate
 * result is made empty-as-zero like the evaluator; a division by zero is NULL at the top and 0
 * inside, the same as `exprValue`.
 */
export function exprSql(e: NumExpr, column: (name: string) => RawBuilder<unknown>): RawBuilder<unknown> {
  const top = (x: NumExpr): RawBuilder<unknown> => {
    switch (x.k) {
      case 'lit':
        // Typed, so Postgres never infers an integer parameter (SQLite reads the name as REAL).
        return sql`cast(${x.v} as double precision)`;
      case 'col':
        return sql`coalesce(${column(columnStem(x.id))}, 0)`;
      case 'neg':
        return sql`(- ${inner(x.a)})`;
      case 'bin': {
        const l = inner(x.l);
        const r = inner(x.r);
        if (x.op === '/') return sql`(case when ${r} = 0 then null else ${l} / ${r} end)`;
        return sql`(${l} ${sql.raw(x.op)} ${r})`;
      }
    }
  };
  const inner = (x: NumExpr): RawBuilder<unknown> =>
    x.k === 'bin' && x.op === '/' ? sql`coalesce(${top(x)}, 0)` : top(x);
  return e.k === 'col' ? column(columnStem(e.id)) : top(e);
}

/** A comparison of two numeric expressions: a boolean formula, read as a checkbox (1 / 0). */
export type CmpExpr = {
  readonly k: 'cmp';
  readonly op: '<' | '<=' | '>' | '>=' | '==' | '!=';
  readonly l: NumExpr;
  readonly r: NumExpr;
};

/** A formula computed in SQL: a number, or a comparison of numbers (a checkbox). */
export type FormulaExpr = NumExpr | CmpExpr;

const CMP = new Set(['<', '<=', '>', '>=', '==', '!=']);

/** The comparison of a checked formula tree (`a > b`, `a == b`, …, over numeric sides), if it is one. */
export function comparisonExpr(root: Node, numberProperty: (id: string) => boolean): CmpExpr | undefined {
  if (root.k !== 'binary' || !CMP.has(root.op)) return undefined;
  const side = (n: Node): NumExpr | undefined => {
    const e = numericExpr(n, numberProperty);
    if (e) return e;
    // A constant side is folded (a comparison needs one column at least, on either side).
    const c = numericConstant(n);
    return c === undefined ? undefined : { k: 'lit', v: c };
  };
  const l = side(root.l);
  const r = side(root.r);
  if (!l || !r || (l.k === 'lit' && r.k === 'lit')) return undefined;
  return { k: 'cmp', op: root.op as CmpExpr['op'], l, r };
}

function numericConstant(n: Node): number | undefined {
  const e = numericExpr(n, () => false);
  if (e) return undefined; // has a column (cannot happen with no number properties)
  const lit = (x: Node): boolean =>
    x.k === 'num' ||
    (x.k === 'unary' && x.op === '-' && lit(x.arg)) ||
    (x.k === 'binary' && ['+', '-', '*', '/'].includes(x.op) && lit(x.l) && lit(x.r));
  if (!lit(n)) return undefined;
  const toExpr = (x: Node): NumExpr =>
    x.k === 'num'
      ? { k: 'lit', v: x.v }
      : x.k === 'unary'
        ? { k: 'neg', a: toExpr((x as Extract<Node, { k: 'unary' }>).arg) }
        : {
            k: 'bin',
            op: (x as Extract<Node, { k: 'binary' }>).op as '+',
            l: toExpr((x as Extract<Node, { k: 'binary' }>).l),
            r: toExpr((x as Extract<Node, { k: 'binary' }>).r),
          };
  return exprValue(toExpr(n), {}) ?? undefined;
}

/** 1 / 0 for a comparison over a derived row, with the formula rules (§3.6). */
export function cmpValue(e: CmpExpr, row: Readonly<Record<string, unknown>>): number {
  const l = exprValue(e.l, row);
  const r = exprValue(e.r, row);
  let out: boolean;
  if (e.op === '==' || e.op === '!=') {
    // Empty equals only empty; numbers by value.
    const eq = l === null || r === null ? l === r : l === r;
    out = e.op === '==' ? eq : !eq;
  } else {
    const a = l ?? 0;
    const b = r ?? 0;
    out = e.op === '<' ? a < b : e.op === '<=' ? a <= b : e.op === '>' ? a > b : a >= b;
  }
  return out ? 1 : 0;
}

/** The value of a formula expression over a derived row. */
export function formulaExprValue(e: FormulaExpr, row: Readonly<Record<string, unknown>>): number | null {
  return e.k === 'cmp' ? cmpValue(e, row) : exprValue(e, row);
}

/** The SQL of a formula expression: a number, or 1 / 0 for a comparison. */
export function formulaExprSql(
  e: FormulaExpr,
  column: (name: string) => RawBuilder<unknown>,
): RawBuilder<unknown> {
  if (e.k !== 'cmp') return exprSql(e, column);
  const l = exprSql(e.l, column);
  const r = exprSql(e.r, column);
  let cond: RawBuilder<unknown>;
  if (e.op === '==' || e.op === '!=') {
    const eq = sql`(case when ${l} is null then ${r} is null when ${r} is null then 1 = 0 else ${l} = ${r} end)`;
    cond = e.op === '==' ? eq : sql`not ${eq}`;
  } else {
    cond = sql`coalesce(${l}, 0) ${sql.raw(e.op)} coalesce(${r}, 0)`;
  }
  return sql`(case when ${cond} then 1 else 0 end)`;
}
