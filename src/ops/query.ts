/**
 * Querying a data source: the filter and sorts are parsed against its schema, compiled to SQL
 * and run in the database on the data source's derived table; only the page of results is read.
 * Formulas and rollups that compile to SQL (query/formula-sql.ts) are filtered and sorted there
 * too, computed at query time (so always current, `now()` bound as a parameter). A query reading
 * any other formula or rollup is answered by the query evaluator over every row with its
 * computed values (always current, but linear in the rows: see ARCHITECTURE). View queries
 * (view-queries.ts) plan and run through the same two functions (`planQuery`, `orderedPage`).
 */

import { type PropertySchema, payloadOf, type Schema } from '../domain/properties/types.ts';
import type { RowSource } from '../present/page.present.ts';
import { type ColumnValue, deriveColumns } from '../query/columns.ts';
import type { ComputedKind, Quantified } from '../query/conditions.ts';
import { evaluateFilter, runQuery } from '../query/evaluate.ts';
import type { Filter, Query } from '../query/ir.ts';
import type { DerivedRow } from '../query/keys.ts';
import { COMPUTED_COLUMN_TYPE, type ParseOptions, parseQuery } from '../query/parse.ts';
import type { BlockRow, StoreTx } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import type { ApiVersion } from '../wire/versions.ts';
import { isDataSource } from './databases.ts';
import { loadVisible, type OpEnv } from './env.ts';
import { computedKinds, relatedRows, withComputed } from './formulas.ts';
import { sharedSchemaOf } from './pages.ts';
import { derivedRow } from './rows.ts';

/**
 * A row of a query's answer: its block as page objects show it (without `has_children`, which
 * they never show and which would cost a subquery per row) and its data source.
 */
export interface RowRecord {
  row: BlockRow;
  source?: RowSource;
}

export interface QueryInput {
  body: { filter?: unknown; sorts?: unknown; in_trash?: boolean; archived?: boolean };
  from: string | null;
  limit: number;
  version: ApiVersion;
}

export async function queryDataSource(
  tx: StoreTx,
  env: OpEnv,
  dataSourceId: string,
  input: QueryInput,
): Promise<{ records: RowRecord[]; next: string | null }> {
  const ds = await loadVisible(tx, env, dataSourceId, 'data_source', isDataSource);
  // Shared by stored text: what the presenters remember per schema lasts across requests.
  const schema = sharedSchemaOf(ds);
  // A data source's parent is its database, whose id is all a query needs of it: not read.
  const source: RowSource = { schema, dataSourceId: ds.id, databaseId: ds.parent_id! };
  const keyedSchema = Object.fromEntries(schema.map((p) => [p.name, p]));
  const plan = await planQuery(tx, env, source, (context) =>
    parseQuery(input.body, keyedSchema, {
      version: input.version,
      meUserId: env.actor.botUserId,
      ...context,
    }),
  );
  const inTrash = input.body.in_trash ?? input.body.archived ?? false;
  const page = await orderedPage(tx, env, plan, {
    inTrash,
    now: new Date(env.now),
    from: input.from,
    limit: input.limit,
    withRows: true,
  });
  const rows = page.rows ?? new Map((await tx.blocks.getMany(page.ids)).map((r) => [r.id, r]));
  const records = await withComputed(
    tx,
    env,
    page.ids.flatMap((id) => {
      const row = rows.get(id);
      return row ? [{ row, source }] : [];
    }),
  );
  return { records, next: page.next };
}

/** What the parser needs to know of a data source's formulas and rollups (ParseOptions). */
export type ComputedContext = Pick<
  ParseOptions,
  'computed' | 'exprs' | 'relations' | 'rolledExprs' | 'rolled' | 'rolledKinds' | 'quantified'
>;

/**
 * A query parsed against a data source with its formulas and rollups, and how it runs: in SQL
 * (`computed` null), or by the evaluator over every row with their computed values.
 */
export interface QueryPlan {
  readonly source: RowSource;
  readonly query: Query;
  readonly computed: Computed | null;
}

/**
 * Plans a query over a data source's rows: `parse` is called with what the parser needs to know
 * of the formulas and rollups (their result kinds, and their SQL where they compile), once, or
 * twice when something the SQL compiler does not cover is read (then every computed property is
 * read by the evaluator). Data-source queries and view queries (saved filter, quick filters and
 * sorts) both plan here, so they answer formula and rollup filters and sorts alike.
 */
export async function planQuery(
  tx: StoreTx,
  env: OpEnv,
  source: RowSource,
  parse: (context: ComputedContext) => Query,
): Promise<QueryPlan> {
  const { kinds, exprs, relations, rolledExprs, rolled, rolledKinds, schemas } = await computedKinds(
    tx,
    env,
    source,
  );
  const quantified = new Map<string, Quantified>();
  const run = (inSql: boolean) => {
    quantified.clear();
    return parse({
      computed: kinds,
      ...(inSql ? { exprs, relations, rolledExprs } : {}),
      rolled,
      rolledKinds,
      quantified,
    });
  };
  const query = run(env.computedInSql !== false);
  if (!readsComputed(query, kinds) && quantified.size === 0) return { source, query, computed: null };
  // Something the SQL compiler does not cover: every computed read by the evaluator.
  return { source, query: run(false), computed: { kinds, quantified, rolled, schemas } };
}

/**
 * One page of a planned query's result, in order: the page ids and the id the next page starts
 * from (null at the end); the evaluator's path, which read every row, hands over their rows too,
 * and so does the SQL path when asked (`withRows`: read by the statement that finds the page).
 */
export async function orderedPage(
  tx: StoreTx,
  env: OpEnv,
  plan: QueryPlan,
  options: { inTrash: boolean; now: Date; from: string | null; limit: number; withRows?: boolean },
): Promise<{ ids: string[]; rows?: Map<string, BlockRow>; next: string | null }> {
  if (plan.computed) {
    const { ordered, rows } = await orderComputed(tx, env, plan.source, plan.query, plan.computed, options);
    let offset = 0;
    if (options.from !== null) {
      offset = ordered.indexOf(options.from);
      if (offset < 0) throw invalidCursor(options.from);
    }
    const ids = ordered.slice(offset, offset + options.limit);
    return { ids, rows, next: ordered[offset + options.limit] ?? null };
  }
  const { withRows, ...rowOptions } = options;
  if (withRows) {
    const page = await tx.rows.queryBlocks(plan.source.dataSourceId, plan.query, rowOptions);
    if (page.unknownCursor) throw invalidCursor(options.from);
    return { ids: page.items, rows: new Map(page.blocks.map((r) => [r.id, r])), next: page.next };
  }
  const page = await tx.rows.query(plan.source.dataSourceId, plan.query, rowOptions);
  if (page.unknownCursor) throw invalidCursor(options.from);
  return { ids: page.items, next: page.next };
}

/**
 * A `start_cursor` naming no row of the data source (made up, or a row deleted since the cursor
 * was handed out): Notion's 400 `validation_error`, on both query paths.
 */
function invalidCursor(from: string | null) {
  return errors.validation(`The start_cursor provided is invalid: ${from}`);
}

function readsComputed(query: Query, kinds: ReadonlyMap<string, ComputedKind>): boolean {
  return computedReads(query, kinds).size > 0;
}

/** The computed properties a query reads through their computed column (not through SQL). */
function computedReads(query: Query, kinds: ReadonlyMap<string, ComputedKind>): Set<string> {
  const out = new Set<string>();
  const visit = (f: Filter) => {
    if ('filters' in f) f.filters.forEach(visit);
    else if (f.target.source === 'property' && kinds.has(f.target.id)) out.add(f.target.id);
  };
  if (query.filter) visit(query.filter);
  for (const s of query.sorts)
    if (s.target.source === 'property' && kinds.has(s.target.id)) out.add(s.target.id);
  return out;
}

const SCAN_PAGE = 1000;

/**
 * Filters and sorts over computed properties: every row of the data source is read with its
 * formula and rollup values (rollups over all related pages) and the query IR is evaluated on
 * their derived form; answers every matching id in order (a cursor is the id of the next row).
 */
async function orderComputed(
  tx: StoreTx,
  env: OpEnv,
  source: RowSource,
  query: Query,
  computed: Computed,
  options: { inTrash: boolean; now: Date },
): Promise<{ ordered: string[]; rows: Map<string, BlockRow> }> {
  const { kinds } = computed;
  const ids: string[] = [];
  let from: string | null = null;
  do {
    const page = await tx.rows.query(
      source.dataSourceId,
      { filter: null, sorts: [] },
      { inTrash: options.inTrash, from, limit: SCAN_PAGE, now: options.now },
    );
    ids.push(...page.items);
    from = page.next;
  } while (from !== null);
  const rows = await tx.blocks.getMany(ids);
  const records = await withComputed(
    tx,
    env,
    rows.map((row) => ({ row, source })),
    { rollupLimit: Number.POSITIVE_INFINITY, only: computedReads(query, kinds) },
  );
  const derived = records.map((r) => computedRow(source.schema, r, kinds));
  await answerQuantified(tx, env, source, records, derived, computed, options.now);
  return {
    ordered: runQuery(query, derived, { now: options.now }),
    rows: new Map(rows.map((r) => [r.id, r])),
  };
}

export interface Computed {
  kinds: ReadonlyMap<string, ComputedKind>;
  quantified: ReadonlyMap<string, Quantified>;
  rolled: ReadonlyMap<string, PropertySchema>;
  schemas: ReadonlyMap<string, Schema>;
}

/**
 * Rollup `any` / `every` / `none`: the condition runs on the derived row of each related page
 * (of the rollup's relation), and the answer fills the synthetic checkbox column the leaf reads.
 */
async function answerQuantified(
  tx: StoreTx,
  env: OpEnv,
  source: RowSource,
  records: RowRecord[],
  derived: Record<string, ColumnValue | undefined>[],
  computed: Computed,
  now: Date,
): Promise<void> {
  if (computed.quantified.size === 0) return;
  const relationOf = (rollupId: string) => {
    const rollup = source.schema.find((p) => p.id === rollupId);
    return rollup ? payloadOf<{ relation_property_id?: string }>(rollup).relation_property_id : undefined;
  };
  const relations = new Set(
    [...computed.quantified.values()].map((q) => relationOf(q.rollupId)).filter((x): x is string => !!x),
  );
  const related = await relatedRows(tx, env, records, relations);
  const formulaValues = await rolledFormulaValues(tx, env, related, computed);
  const cache = new Map<string, DerivedRow>();
  const derivedOf = (row: BlockRow): DerivedRow => {
    let d = cache.get(row.id);
    if (!d) {
      d = {
        ...derivedRow(computed.schemas.get(row.parent_id ?? '') ?? [], row),
        ...formulaValues.get(row.id),
      };
      cache.set(row.id, d);
    }
    return d;
  };
  records.forEach((r, i) => {
    for (const [id, q] of computed.quantified) {
      const rel = relationOf(q.rollupId);
      const pages = (rel && related.get(r.row.id)?.get(rel)) || [];
      const hits = pages.map((p) => evaluateFilter(q.filter, derivedOf(p), { now }));
      const answer =
        q.mode === 'any'
          ? hits.some(Boolean)
          : q.mode === 'every'
            ? hits.every(Boolean)
            : !hits.some(Boolean);
      Object.assign(derived[i]!, deriveColumns({ id, type: 'checkbox' }, answer));
    }
  });
}

/**
 * The rolled-up formulas and rollups that `any` / `every` / `none` conditions read, computed on each related
 * page and put in the column form of their kind, by page id.
 */
async function rolledFormulaValues(
  tx: StoreTx,
  env: OpEnv,
  related: Map<string, Map<string, BlockRow[]>>,
  computed: Computed,
): Promise<Map<string, Record<string, ColumnValue | undefined>>> {
  const out = new Map<string, Record<string, ColumnValue | undefined>>();
  const formulas = [...computed.quantified.values()].flatMap((q) => (q.formula ? [q.formula] : []));
  if (formulas.length === 0) return out;
  const kinds = new Map(formulas.map((f) => [f.id, f.kind]));
  const pages = new Map<string, BlockRow>();
  for (const byRelation of related.values())
    for (const rows of byRelation.values()) for (const row of rows) pages.set(row.id, row);
  const records = await withComputed(
    tx,
    env,
    [...pages.values()].map((row) => {
      const schema = computed.schemas.get(row.parent_id ?? '') ?? [];
      return { row, source: { schema, dataSourceId: row.parent_id ?? '', databaseId: '' } };
    }),
    { rollupLimit: Number.POSITIVE_INFINITY, only: new Set(kinds.keys()) },
  );
  for (const r of records) out.set(r.row.id, computedRow([], r, kinds));
  return out;
}

/** The derived row of a page plus its computed values in the column form of their kind. */
function computedRow(schema: Schema, record: RowRecord, kinds: ReadonlyMap<string, ComputedKind>) {
  const row: Record<string, string | number | null | undefined> = { ...derivedRow(schema, record.row) };
  for (const [id, kind] of kinds) {
    if (!record.source?.computed?.has(id)) continue;
    const type = COMPUTED_COLUMN_TYPE[kind];
    if (!type) continue;
    const result = record.source?.computed?.get(id) as { type: string; [k: string]: unknown } | undefined;
    const key = kind === 'string' ? 'string' : kind === 'boolean' ? 'boolean' : kind;
    // A result of another kind (a formula whose branches differ) reads as empty.
    const value = result && result.type === key ? result[key] : null;
    Object.assign(row, deriveColumns({ id, type }, value === undefined ? null : value));
  }
  return row;
}

/**
 * Whether one row of a data source passes `filter` (a filter in the request's form), judged as a
 * query by `env` would judge it: its formulas and rollups computed (rollups over every related
 * page), rollup `any` / `every` / `none` answered, related pages as `env` sees them. Automations'
 * conditions and `page_matches` triggers ask here when they read a computed property.
 */
export async function rowPasses(
  tx: StoreTx,
  env: OpEnv,
  source: RowSource,
  row: BlockRow,
  filter: unknown,
  version: ApiVersion,
): Promise<boolean> {
  const { kinds, rolled, rolledKinds, schemas } = await computedKinds(tx, env, source);
  const quantified = new Map<string, Quantified>();
  const query = parseQuery({ filter }, Object.fromEntries(source.schema.map((p) => [p.name, p])), {
    version,
    meUserId: env.actor.botUserId,
    computed: kinds,
    rolled,
    rolledKinds,
    quantified,
  });
  if (!query.filter) return true;
  const now = new Date(env.now);
  const records = await withComputed(tx, env, [{ row, source }], {
    rollupLimit: Number.POSITIVE_INFINITY,
    only: computedReads(query, kinds),
  });
  const derived = records.map((r) => computedRow(source.schema, r, kinds));
  await answerQuantified(tx, env, source, records, derived, { kinds, quantified, rolled, schemas }, now);
  return evaluateFilter(query.filter, derived[0] as DerivedRow, { now });
}

/** Whether `filter` (parsed against the schema) reads a formula or rollup property. */
export function filterReadsComputed(filter: Filter | null, schema: Schema): boolean {
  if (!filter) return false;
  const computed = new Set(
    schema.filter((p) => p.type === 'formula' || p.type === 'rollup').map((p) => p.id),
  );
  if (computed.size === 0) return false;
  const visit = (f: Filter): boolean =>
    'filters' in f ? f.filters.some(visit) : f.target.source === 'property' && computed.has(f.target.id);
  return visit(filter);
}
