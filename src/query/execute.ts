/**
 * Running a parsed query against a data-source table: the plan choices the compiler alone cannot
 * make, because they depend on the data. Storage calls this for every data-source query; the
 * differential test calls it directly, so every path below is checked against the evaluator.
 *
 * - Trigram pre-filter (SQLite): when the filter implies substring conditions with needles of 3+
 *   characters (text-index.ts), the FTS5 table is asked how many rows it names, up to the walk
 *   threshold. Fewer: only those rows are read (`page_id in (…)`) and sorted. More: the index is
 *   not used, since walking the sort index finds a page of such a frequent needle sooner.
 * - Walking the sort index (SQLite): see `walkSortIndex` in compile.ts, decided by a bounded probe.
 * - Empties last: when the first sort key is a nullable indexed column, the rows where it is not
 *   empty are read with a plain ORDER BY on it (an index reads that in either direction), then,
 *   if the page is not full, the rows where it is empty, ordered by the remaining keys. Postgres
 *   cannot read `DESC NULLS LAST` from an ascending index and would sort every match.
 * - Keyset cursors: the anchor row's keys bound the read (`compileCursor`), as an index range
 *   when its first key is not empty (`compileCursorSeek`).
 * - Rollups: each relation the filter and sorts roll up is one lateral aggregate per row
 *   (Postgres) or one derived table of every row's aggregates, grouped by row and joined on its
 *   id (SQLite, which has no LATERAL) (`planRelatedJoins`), so a rollup filtered and sorted on
 *   is computed once per row.
 */
import type { AliasedSelectQueryBuilder, Expression, Kysely, SelectQueryBuilder, SqlBool } from 'kysely';
import { sql } from 'kysely';
import {
  applyOrderBy,
  type CompileContext,
  type CompiledOrder,
  compileCursor,
  compileCursorSeek,
  compileFilter,
  compileOrderBy,
  exprKeySelections,
  hasIndexableLeaf,
  planRelatedJoins,
  sortsByIndexedColumn,
} from './compile.ts';
import type { DialectHooks } from './dialect.ts';
import type { Query } from './ir.ts';
import { countFtsCandidates, ftsCandidates, trigramMatch } from './text-index.ts';

// biome-ignore lint/suspicious/noExplicitAny: data-source tables are dynamic; callers pass any Kysely.
type AnyDb = Kysely<any>;

/**
 * A filter with at least this many matches is served by walking the sort index (SQLite): the
 * walk reads about page size × rows / matches entries, sorting reads every match; they cost the
 * same near √(100 × rows) (3,000 at 100k rows, 10,000 at 1M); the probe itself reads up to the
 * threshold, so it is kept low (measured: 5,000 made the probe two thirds of a 66 ms query).
 */
export const WALK_THRESHOLD = 1000;

export interface RowQueryOptions {
  readonly inTrash: boolean;
  /** The page id the page starts at (a cursor), or null for the first page. */
  readonly from: string | null;
  readonly limit: number;
  /** The instant relative dates are computed from. */
  readonly now: Date;
  /** Overrides WALK_THRESHOLD (tests use small tables). */
  readonly walkThreshold?: number;
  /**
   * More columns for each row of the page, read by the same statements that find the page's ids
   * (a join and its selections, which storage gives): its caller then needs no second statement
   * for them. The rows come back in `RowPage.rows`, in the page's order.
   */
  readonly withColumns?: (q: AnySelect) => AnySelect;
  /**
   * A one-row table put before the row table in the FROM list of the statements that read rows
   * (its columns selectable by `withColumns`): Postgres locks a statement's tables in the order
   * it meets them, so a table named here is locked before the row table (store/read-check.ts).
   * With no row, the statements answer none.
   */
  // biome-ignore lint/suspicious/noExplicitAny: its columns are the caller's
  readonly leading?: AliasedSelectQueryBuilder<any, string>;
}

// biome-ignore lint/suspicious/noExplicitAny: the rows' table is dynamic, like AnyDb.
type AnySelect = SelectQueryBuilder<any, any, any>;

export interface RowPage {
  readonly items: string[];
  readonly next: string | null;
  /** Set when `from` names no row of the table (a cursor the caller must refuse). */
  readonly unknownCursor?: true;
  /** With `withColumns`: each item's row as read, `page_id` and the added columns. */
  readonly rows?: Record<string, unknown>[];
}

/** Runs `query` on `table`: page ids in order from `from` on, at most `limit`, and the next cursor. */
export async function queryRows(
  db: AnyDb,
  hooks: DialectHooks,
  table: string,
  query: Query,
  options: RowQueryOptions,
): Promise<RowPage> {
  const threshold = options.walkThreshold ?? WALK_THRESHOLD;
  // Rollups computed once per row (a join each).
  const related = planRelatedJoins(query, { hooks, now: options.now, alias: 'r' }, table);
  let ctx: CompileContext = related.ctx;
  let candidates: Expression<SqlBool> | null = null;
  const select = (filterCtx: CompileContext) => {
    let from = options.leading
      ? db.selectFrom([options.leading, `${table} as r`])
      : db.selectFrom(`${table} as r`);
    for (const join of related.joins)
      from = join.lateral
        ? from.leftJoinLateral(join.from, (on) => on.onTrue())
        : from.leftJoin(join.from, (on) => on.on(join.on));
    let q = from
      .select('r.page_id')
      // A literal, not a parameter: SQLite plans a statement again on every run when a bound
      // value can change its plan (see blockSelect in store/kysely-store.ts).
      .where('r.in_trash', '=', sql.lit(options.inTrash ? 1 : 0));
    if (query.filter) q = q.where(compileFilter(query.filter, filterCtx));
    if (candidates) q = q.where(candidates);
    return q;
  };
  const walkable = sortsByIndexedColumn(query.sorts);
  const match = query.filter && hooks.trigram?.kind === 'fts5' ? trigramMatch(query.filter) : null;
  if (match) {
    // Without a sort index to walk, the candidates are always fewer rows to read than the table.
    const few = !walkable || (await countFtsCandidates(db, table, match, threshold)) < threshold;
    if (few) candidates = ftsCandidates(sql.ref('r.page_id'), table, match);
  }
  if (query.filter && !candidates && hooks.needsIndexHint && walkable && hasIndexableLeaf(query.filter)) {
    // Many matches: walking the sort index finds a page sooner than sorting every match.
    const probe = await db
      .selectFrom(select(ctx).limit(threshold).as('m'))
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    if (Number(probe?.n ?? 0) >= threshold) ctx = { ...ctx, walkSortIndex: true };
  }
  const order = compileOrderBy(query.sorts, ctx);
  // The statement is built only when rows are still wanted: the second read of a split order
  // (the empty keys) is not needed when the first filled the page.
  const withColumns = options.withColumns;
  const found: Record<string, unknown>[] = [];
  const read = async (q: () => ReturnType<typeof select>, terms: readonly CompiledOrder[], limit: number) => {
    if (limit <= 0) return [];
    const ordered = applyOrderBy(q(), terms).limit(limit);
    const rows = await (withColumns ? withColumns(ordered) : ordered).execute();
    if (withColumns) found.push(...rows);
    return rows.map((r) => r.page_id as string);
  };
  const want = options.limit + 1;
  // The first key split into its non-empty rows (plain order) and its empty rows (the rest of the order).
  const [first] = order;
  const split = walkable && first?.nullable ? first : null;
  const nonEmpty = split ? [{ ...split, nullable: false }, ...order.slice(1)] : order;
  const emptyOrder = order.slice(1);
  const isNull = split ? sql<SqlBool>`${split.expr} is null` : null;
  const notNull = split ? sql<SqlBool>`${split.expr} is not null` : null;

  let ids: string[];
  if (!options.from) {
    if (!split) {
      ids = await read(() => select(ctx), order, want);
    } else {
      ids = await read(() => select(ctx).where(notNull!), nonEmpty, want);
      ids.push(...(await read(() => select(ctx).where(isNull!), emptyOrder, want - ids.length)));
    }
  } else {
    const anchor = await db
      .selectFrom(`${table} as r`)
      .selectAll('r')
      .select(exprKeySelections(query.sorts, { hooks, now: options.now, alias: 'r' }))
      .where('r.page_id', '=', options.from)
      .executeTakeFirst();
    if (!anchor)
      return withColumns
        ? { items: [], next: null, rows: [], unknownCursor: true }
        : { items: [], next: null, unknownCursor: true };
    const cursor = compileCursor(query.sorts, anchor, ctx, { inclusive: true });
    const seek = compileCursorSeek(query.sorts, anchor, ctx);
    if (seek) {
      ids = await read(() => select(ctx).where(cursor).where(seek.bound), split ? nonEmpty : order, want);
      const empties = seek.empties;
      if (empties)
        ids.push(
          ...(await read(() => select(ctx).where(empties), split ? emptyOrder : order, want - ids.length)),
        );
    } else if (split) {
      // The anchor's first key is empty: so is every later row's. With no other sort key they
      // are in page_id order, a range of the (key, page_id) index rather than an OR of cases.
      const after =
        query.sorts.length === 1 ? sql<SqlBool>`${sql.ref('r.page_id')} >= ${options.from}` : cursor;
      ids = await read(() => select(ctx).where(after).where(isNull!), emptyOrder, want);
    } else {
      ids = await read(() => select(ctx).where(cursor), order, want);
    }
  }
  const page = { items: ids.slice(0, options.limit), next: ids[options.limit] ?? null };
  return withColumns ? { ...page, rows: found.slice(0, options.limit) } : page;
}
