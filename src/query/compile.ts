/**
 * IR → Kysely expressions over one data-source table. Values are always bound parameters; only
 * column names (derived from property ids by columns.ts, SQL-safe by construction) and small
 * integer literals are written into the SQL text.
 *
 * Empty values: every positive condition (equals, contains, greater_than, …) is false on an
 * empty value; every negative one (does_not_equal, does_not_contain) is its exact complement and
 * so matches empties. Positive forms are written `col is not null and …`, so no NULL ever leaks
 * into and/or/not and SQL's three-valued logic never disagrees with the evaluator.
 */
import {
  type AliasedRawBuilder,
  type Expression,
  type RawBuilder,
  type SelectQueryBuilder,
  type SqlBool,
  sql,
} from 'kysely';
import { dateEndColumn, familyOf, valueColumn } from './columns.ts';
import { isoBound, resolveOperand } from './dates.ts';
import type { DialectHooks } from './dialect.ts';
import {
  type FExpr,
  fexprInterval,
  fexprSql,
  planRelated,
  type RelatedPlan,
  relatedMentions,
  type SqlContext,
} from './formula-sql.ts';
import type { Filter, LeafFilter, Sort, Target } from './ir.ts';
import { type DerivedRow, exprKeyColumn, keyOf, type OrderTerm, orderTerms, termDirection } from './keys.ts';
import { likePattern, usesTrigramIndex } from './text-index.ts';

export interface CompileContext {
  readonly hooks: DialectHooks;
  /** The instant relative dates (today, past_week, …) are computed from. */
  readonly now: Date;
  /** Qualifier for column references (table name or alias); none when omitted. */
  readonly alias?: string;
  /**
   * Keep the filter columns' indexes out of the plan (where the dialect needs the hint), so the
   * database walks the sort index and stops at the page size: right when many rows match.
   */
  readonly walkSortIndex?: boolean;
  /** Rollups the query computes once per row in lateral joins (execute.ts, `planRelated`). */
  readonly related?: SqlContext['related'];
  /** How deep in rollups over related rows the filter is (formula-sql.ts `SqlContext.depth`). */
  readonly depth?: number;
}

type Bool = RawBuilder<SqlBool>;

const TRUE: Bool = sql<SqlBool>`1 = 1`;
const FALSE: Bool = sql<SqlBool>`1 = 0`;

function col(ctx: CompileContext, name: string): RawBuilder<unknown> {
  return sql.ref(ctx.alias ? `${ctx.alias}.${name}` : name);
}

/** A column as a filter reads it: hidden from the planner's index choice when walking the sort index. */
function filterCol(ctx: CompileContext, name: string): RawBuilder<unknown> {
  const c = col(ctx, name);
  return ctx.walkSortIndex && ctx.hooks.needsIndexHint ? sql`+${c}` : c;
}

/** The context formula-sql.ts compiles an expression target in (columns read through `column`). */
function exprContext(ctx: CompileContext, column: (name: string) => RawBuilder<unknown>): SqlContext {
  return {
    hooks: ctx.hooks,
    now: ctx.now,
    col: column,
    filter: (f, alias, depth) => compileNode(f, { hooks: ctx.hooks, now: ctx.now, alias, depth }),
    ...(ctx.related ? { related: ctx.related } : {}),
    ...(ctx.depth ? { depth: ctx.depth } : {}),
  };
}

/**
 * Computes the rollups of a query's filter and sorts once per row: the joins to add to the query
 * (`table` is the query's table, read again by dialects without LATERAL, formula-sql.ts
 * `planRelated`), and the context whose expressions read their columns.
 */
export function planRelatedJoins(
  query: { readonly filter: Filter | null; readonly sorts: readonly Sort[] },
  ctx: CompileContext,
  table?: string,
): { joins: RelatedPlan['joins']; ctx: CompileContext } {
  const exprs: FExpr[] = query.sorts.flatMap((s) => (s.target.source === 'expr' ? [s.target.expr] : []));
  const walk = (f: Filter): void => {
    if (f.kind === 'and' || f.kind === 'or') f.filters.forEach(walk);
    else {
      const { target } = f as LeafFilter;
      if (target.source === 'expr') exprs.push(target.expr);
    }
  };
  if (query.filter) walk(query.filter);
  // Without LATERAL, the derived table computes every row's rollups up front: worth it when a
  // sort reads a rollup, or the filter mentions rollups more than once and the sort needs every
  // match anyway (no index to walk). Otherwise rows are read in index order (the sort's or
  // page_id's) and the read stops at the page: a subquery per row read computes fewer.
  const sorted = query.sorts.some((s) => s.target.source === 'expr' && relatedMentions([s.target.expr]) > 0);
  const sortsAll = query.sorts.length > 0 && !sortsByIndexedColumn(query.sorts);
  const worth = sorted || (sortsAll && relatedMentions(exprs) > 1);
  const outer = table && worth ? { table, alias: OUTER, ...narrowing(query.filter, ctx) } : undefined;
  const plan = planRelated(
    exprs,
    exprContext(ctx, (name) => col(ctx, name)),
    outer,
  );
  return plan ? { joins: plan.joins, ctx: { ...ctx, related: plan.related } } : { joins: [], ctx };
}

/** The alias of the query's table inside a derived table of rollups (formula-sql.ts). */
const OUTER = 'fx_o';

/**
 * The part of a filter a row must pass whatever its rollups are (the conjuncts without formulas
 * or rollups), over the table aliased OUTER: the rows a derived table of rollups needs.
 */
function narrowing(filter: Filter | null, ctx: CompileContext): { narrow?: Bool } {
  if (!filter) return {};
  const plain = (f: Filter): boolean =>
    f.kind === 'and' || f.kind === 'or' ? f.filters.every(plain) : (f as LeafFilter).target.source !== 'expr';
  const parts = (filter.kind === 'and' ? filter.filters : [filter]).filter(plain);
  if (parts.length === 0) return {};
  const inner: CompileContext = { hooks: ctx.hooks, now: ctx.now, alias: OUTER };
  return {
    narrow: sql<SqlBool>`(${sql.join(
      parts.map((f) => compileNode(f, inner)),
      sql` and `,
    )})`,
  };
}

/** The value of a target as a filter reads it (a date: its interval start). */
function targetValue(target: Target, ctx: CompileContext): RawBuilder<unknown> {
  if (target.source !== 'expr') return filterCol(ctx, valueColumn(target));
  return fexprSql(
    target.expr,
    exprContext(ctx, (name) => filterCol(ctx, name)),
  );
}

function not(e: Bool): Bool {
  return sql<SqlBool>`not (${e})`;
}

function present(c: Expression<unknown>, e: Bool): Bool {
  return sql<SqlBool>`(${c} is not null and ${e})`;
}

/** The WHERE expression of a filter. */
export function compileFilter(filter: Filter, ctx: CompileContext): Expression<SqlBool> {
  return compileNode(filter, ctx);
}

function compileNode(filter: Filter, ctx: CompileContext): Bool {
  if (filter.kind === 'and' || filter.kind === 'or') {
    if (filter.filters.length === 0) return filter.kind === 'and' ? TRUE : FALSE;
    const parts = filter.filters.map((f) => compileNode(f, ctx));
    return sql<SqlBool>`(${sql.join(parts, filter.kind === 'and' ? sql` and ` : sql` or `)})`;
  }
  return compileLeaf(filter as LeafFilter, ctx);
}

/** Negative operators and the positive operator they complement. */
const COMPLEMENT: Partial<Record<string, string>> = {
  does_not_equal: 'equals',
  does_not_contain: 'contains',
};

function compileLeaf(leaf: LeafFilter, ctx: CompileContext): Bool {
  const positive = 'op' in leaf ? COMPLEMENT[leaf.op] : undefined;
  if (positive !== undefined) return not(compileLeaf({ ...leaf, op: positive } as LeafFilter, ctx));
  const c = targetValue(leaf.target, ctx);
  switch (leaf.kind) {
    case 'empty':
      return leaf.empty ? sql<SqlBool>`${c} is null` : sql<SqlBool>`${c} is not null`;
    case 'text':
      return compileText(c, leaf, ctx.hooks);
    case 'number':
      return present(c, sql<SqlBool>`${c} ${sql.raw(NUMBER_SQL[leaf.op] ?? '=')} ${leaf.value}`);
    case 'checkbox':
      // A column added to an existing table is NULL until re-derived: read it as unchecked.
      return sql<SqlBool>`coalesce(${c}, 0) = ${leaf.value ? 1 : 0}`;
    case 'option':
      return leaf.values.length === 0 ? FALSE : present(c, sql<SqlBool>`${c} in (${sql.join(leaf.values)})`);
    case 'contains':
      return compileContains(leaf.target, c, leaf.values, ctx.hooks);
    case 'date':
      return compileDate(leaf, ctx);
    case 'verification':
      return leaf.state === 'none'
        ? sql<SqlBool>`${c} is null`
        : present(c, sql<SqlBool>`${c} = ${leaf.state}`);
  }
}

const NUMBER_SQL: Record<string, string> = {
  equals: '=',
  greater_than: '>',
  less_than: '<',
  greater_than_or_equal_to: '>=',
  less_than_or_equal_to: '<=',
};

/**
 * Stored text is lowercased and non-empty, the needle is lowercased: exact, literal matching.
 * With a pg_trgm index on the column, substring conditions also carry the equivalent `LIKE`
 * (the operator the index serves); the exact test stays beside it and decides.
 */
function compileText(
  c: Expression<unknown>,
  leaf: Extract<LeafFilter, { kind: 'text' }>,
  hooks: DialectHooks,
): Bool {
  const { op, value } = leaf;
  // The empty string is the empty value: `equals ""` is is_empty, `contains ""` is is_not_empty.
  if (value === '') return op === 'equals' ? sql<SqlBool>`${c} is null` : sql<SqlBool>`${c} is not null`;
  if (op === 'equals') return present(c, sql<SqlBool>`${c} = ${value}`);
  const chars = [...value].length;
  const exact =
    op === 'contains'
      ? hooks.textContains(c, value)
      : op === 'starts_with'
        ? hooks.textStartsWith(c, value, chars)
        : hooks.textEndsWith(c, value, chars);
  if (hooks.trigram?.kind !== 'gin' || !usesTrigramIndex(leaf.target, value)) return present(c, exact);
  return present(c, sql<SqlBool>`${c} like ${likePattern(op, value)} and ${exact}`);
}

function compileContains(
  target: Target,
  c: Expression<unknown>,
  values: readonly string[],
  hooks: DialectHooks,
): Bool {
  if (values.length === 0) return FALSE;
  if (target.source === 'row') return present(c, sql<SqlBool>`${c} in (${sql.join(values)})`);
  return present(c, hooks.jsonArrayHasAny(c, values));
}

/**
 * Date conditions on intervals (see dates.ts `matchesDate`). Row timestamps are ISO text and a
 * single millisecond t, so `hi > x` becomes `t >= x` and bounds are compared as ISO strings.
 */
function compileDate(leaf: Extract<LeafFilter, { kind: 'date' }>, ctx: CompileContext): Bool {
  const f = resolveOperand(leaf.operand, ctx.now);
  const bounds =
    leaf.target.source === 'expr'
      ? fexprInterval(
          leaf.target.expr,
          exprContext(ctx, (name) => filterCol(ctx, name)),
        )
      : null;
  const lo = bounds ? bounds.lo : filterCol(ctx, valueColumn(leaf.target));
  if (leaf.target.source === 'row' || (!bounds && familyOf(leaf.target.type) !== 'date')) {
    const from = isoBound(f.from);
    const to = isoBound(f.to);
    switch (leaf.op) {
      case 'equals':
        return sql<SqlBool>`(${lo} >= ${from} and ${lo} < ${to})`;
      case 'before':
        return sql<SqlBool>`${lo} < ${from}`;
      case 'after':
        return sql<SqlBool>`${lo} >= ${to}`;
      case 'on_or_before':
        return sql<SqlBool>`${lo} < ${to}`;
      case 'on_or_after':
        return sql<SqlBool>`${lo} >= ${from}`;
    }
  }
  const hi = bounds ? bounds.hi : filterCol(ctx, dateEndColumn(leaf.target));
  switch (leaf.op) {
    case 'equals':
      return present(lo, sql<SqlBool>`${lo} < ${f.to} and ${hi} > ${f.from}`);
    case 'before':
      return present(lo, sql<SqlBool>`${lo} < ${f.from}`);
    case 'after':
      return present(lo, sql<SqlBool>`${hi} > ${f.to}`);
    case 'on_or_before':
      return present(lo, sql<SqlBool>`${lo} < ${f.to}`);
    case 'on_or_after':
      return present(lo, sql<SqlBool>`${hi} > ${f.from}`);
  }
}

/** The SQL expression of one order term (select/status: the option's position). */
function termExpression(term: OrderTerm, ctx: CompileContext): RawBuilder<unknown> {
  if ('pageId' in term) return col(ctx, 'page_id');
  const target = term.sort.target;
  if (target.source === 'expr')
    return fexprSql(
      target.expr,
      exprContext(ctx, (name) => col(ctx, name)),
    );
  const c = col(ctx, valueColumn(target));
  const order = term.sort.optionOrder;
  if (!order) return c;
  const whens = order.map((name, i) => sql`when ${c} = ${name} then ${sql.lit(i)}`);
  return sql`(case when ${c} is null then null ${sql.join(whens, sql` `)} else ${sql.lit(order.length)} end)`;
}

/**
 * The computed sort keys of a query as select items named `exprKeyColumn(id)`: read with a
 * cursor's anchor row, so the cursor compares against keys SQL computed (related rows, `now`).
 */
export function exprKeySelections(
  sorts: readonly Sort[],
  ctx: CompileContext,
): AliasedRawBuilder<unknown, string>[] {
  return sorts.flatMap((s) =>
    s.target.source === 'expr' ? [termExpression({ sort: s }, ctx).as(exprKeyColumn(s.target.id))] : [],
  );
}

export interface CompiledOrder {
  readonly expr: RawBuilder<unknown>;
  readonly direction: 'asc' | 'desc';
  /** False for columns that are never empty, which need no NULLS LAST (so an index can serve). */
  readonly nullable: boolean;
}

/** A term whose column always holds a value: the row's own timestamps and authors, and page_id. */
function neverEmpty(term: OrderTerm): boolean {
  return 'pageId' in term || (term.sort.target.source === 'row' && !term.sort.optionOrder);
}

/** The ORDER BY list: the sorts (or the default order), then `page_id`; empties last. */
export function compileOrderBy(sorts: readonly Sort[], ctx: CompileContext): CompiledOrder[] {
  return orderTerms(sorts).map((term) => ({
    expr: termExpression(term, ctx),
    direction: termDirection(term) === 'ascending' ? 'asc' : 'desc',
    nullable: !neverEmpty(term),
  }));
}

/** Appends the compiled order to a select query, with NULLS LAST on every term. */
export function applyOrderBy<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  order: readonly CompiledOrder[],
): SelectQueryBuilder<DB, TB, O> {
  let out = qb;
  for (const o of order)
    out = out.orderBy(o.expr, (ob) => {
      const dir = o.direction === 'asc' ? ob.asc() : ob.desc();
      return o.nullable ? dir.nullsLast() : dir;
    });
  return out;
}

/**
 * Keyset pagination: the rows strictly after `lastRow` in the query's total order (or from it
 * on, with `inclusive`), as a WHERE expression — no OFFSET, so a deep page costs what the first
 * does. `lastRow` is the derived row as read from the table (needs its sort columns and page_id).
 */
export function compileCursor(
  sorts: readonly Sort[],
  lastRow: DerivedRow,
  ctx: CompileContext,
  options: { inclusive?: boolean } = {},
): Expression<SqlBool> {
  const terms = orderTerms(sorts);
  const disjuncts: Bool[] = [];
  const equalSoFar: Bool[] = [];
  for (const term of terms) {
    const expr = termExpression(term, ctx);
    const key = keyOf(term, lastRow);
    if (key !== null) {
      const beyond = termDirection(term) === 'ascending' ? sql`>` : sql`<`;
      // Empties sort last, so every empty key comes after a non-empty one (page_id is never empty).
      const after =
        'pageId' in term
          ? sql<SqlBool>`${expr} ${beyond} ${key}`
          : sql<SqlBool>`(${expr} ${beyond} ${key} or ${expr} is null)`;
      disjuncts.push(conjoin([...equalSoFar, after]));
    }
    equalSoFar.push(key === null ? sql<SqlBool>`${expr} is null` : sql<SqlBool>`${expr} = ${key}`);
  }
  if (options.inclusive) disjuncts.push(conjoin(equalSoFar));
  return disjuncts.length === 0 ? FALSE : sql<SqlBool>`(${sql.join(disjuncts, sql` or `)})`;
}

function conjoin(parts: Bool[]): Bool {
  return parts.length === 1 ? parts[0]! : sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}

/**
 * An index seek for a keyset cursor. The cursor condition of compileCursor is exact but, with
 * empties sorting last, it holds `… OR col IS NULL`, which keeps SQLite from seeking. When the
 * first sort key is a plain column and the anchor's value there is not empty, the rows after
 * the anchor are those within `bound` (a range the index can seek to) followed by all rows
 * matching `empties` (null when the column is never empty); read them in that order. Null when
 * no such split applies.
 */
export function compileCursorSeek(
  sorts: readonly Sort[],
  lastRow: DerivedRow,
  ctx: CompileContext,
): { bound: Expression<SqlBool>; empties: Expression<SqlBool> | null } | null {
  const [first] = orderTerms(sorts);
  if (!first || 'pageId' in first || first.sort.optionOrder) return null;
  const key = keyOf(first, lastRow);
  if (key === null) return null;
  const expr = termExpression(first, ctx);
  const bound =
    termDirection(first) === 'ascending' ? sql<SqlBool>`${expr} >= ${key}` : sql<SqlBool>`${expr} <= ${key}`;
  // A column that is never empty (a row's timestamps and authors) has no empties to read after.
  return { bound, empties: neverEmpty(first) ? null : sql<SqlBool>`${expr} is null` };
}

/** Leaf kinds an index can serve (equality or range on the stored column). */
const INDEXABLE = new Set(['number', 'option', 'date', 'checkbox']);

/**
 * True when the planner might pick a filter column's index over the sort index: some leaf that
 * every match must satisfy (the filter itself, or a direct child of a top-level `and`) is an
 * equality or range condition.
 */
export function hasIndexableLeaf(filter: Filter): boolean {
  const required = filter.kind === 'and' ? filter.filters : filter.kind === 'or' ? [] : [filter];
  return required.some((f) => INDEXABLE.has(f.kind) || (f.kind === 'text' && f.op === 'equals'));
}

/** Whether the first sort key is a plain, indexed column (so walking its index is possible). */
export function sortsByIndexedColumn(sorts: readonly Sort[]): boolean {
  const [first] = orderTerms(sorts);
  if (!first || 'pageId' in first || first.sort.optionOrder) return false;
  const target = first.sort.target;
  // An expression (formula, rollup) has no index: sorting computes it for every match anyway.
  if (target.source === 'expr') return false;
  return target.source === 'row' || familyOf(target.type) !== 'multi';
}
