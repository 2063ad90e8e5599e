/**
 * View queries (notion-api.md §4.6): running a view's saved filter, quick filters and sorts
 * through the data-source query engine (ops/query.ts: formulas and rollups in SQL where they
 * compile, else by the evaluator, exactly as a data-source query), and keeping the result (page ids, in order) for 15
 * minutes so that its pages can be read one by one. A kept query is its integration's alone.
 */
import type { Schema } from '../domain/properties/types.ts';
import { newId } from '../lib/ids.ts';
import type { RowSource } from '../present/page.present.ts';
import type { Filter, Sort } from '../query/ir.ts';
import { findProperty, parseFilterAt, parseQuery } from '../query/parse.ts';
import type { StoreTx, ViewQueryRow, ViewRow } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import type { ApiVersion } from '../wire/versions.ts';
import { canSee, type OpEnv } from './env.ts';
import { type ComputedContext, orderedPage, planQuery, type QueryPlan } from './query.ts';
import { type Json, keyed, loadView } from './views.ts';

/** How long a view query's results are kept (Notion's recorded `expires_at`: 15 minutes). */
export const VIEW_QUERY_TTL_MS = 15 * 60 * 1000;
/** The most results one view query keeps (as a data-source query's result limit). */
export const VIEW_QUERY_MAX_RESULTS = 10_000;

/**
 * A stored filter without the conditions on properties deleted since (a compound left empty goes
 * too), as a view in Notion stops filtering on a property that is gone.
 */
function withoutMissing(filter: unknown, known: (id: string) => boolean): Json | null {
  if (!filter || typeof filter !== 'object') return null;
  const f = filter as Json;
  for (const kind of ['and', 'or'] as const) {
    if (Array.isArray(f[kind])) {
      const kept = (f[kind] as unknown[]).map((x) => withoutMissing(x, known)).filter((x) => x !== null);
      return kept.length > 0 ? { [kind]: kept } : null;
    }
  }
  return typeof f.property === 'string' && !known(f.property) ? null : f;
}

/**
 * The view's saved filter and quick filters (all must hold) and sorts, as one parsed query; the
 * context tells the parser about the data source's formulas and rollups (ops/query.ts).
 */
function viewQuery(row: ViewRow, schema: Schema, env: OpEnv, version: ApiVersion, context: ComputedContext) {
  const keyedSchema = keyed(schema);
  const known = (id: string) => findProperty(keyedSchema, id) !== undefined;
  const options = { version, meUserId: env.actor.botUserId, ...context };
  const sorts = (JSON.parse(row.sorts ?? '[]') as Json[]).filter(
    (s) => typeof s.property !== 'string' || known(s.property),
  );
  const saved = parseQuery(
    { filter: withoutMissing(JSON.parse(row.filter ?? 'null'), known) ?? undefined, sorts },
    keyedSchema,
    options,
  );
  const quick = Object.entries(JSON.parse(row.quick_filters ?? '{}') as Record<string, Json>)
    .filter(([id]) => known(id))
    .map(([id, cond]) =>
      parseFilterAt({ property: id, ...cond }, ['quick_filters', id], keyedSchema, options),
    );
  const filters: Filter[] = [...(saved.filter ? [saved.filter] : []), ...quick];
  const filter: Filter | null =
    filters.length === 0 ? null : filters.length === 1 ? filters[0]! : { kind: 'and', filters };
  return { filter, sorts: saved.sorts as Sort[] };
}

export interface ViewQueryPage {
  query: ViewQueryRow;
  ids: string[];
  next: string | null;
}

/**
 * How a view's saved query runs now (ops/query.ts `planQuery`): in SQL, or by the evaluator over
 * every row, decided exactly as for a data-source query with the same filter and sorts.
 */
export async function planViewQuery(
  tx: StoreTx,
  env: OpEnv,
  viewId: string,
  version: ApiVersion,
): Promise<QueryPlan> {
  const { row, schema } = await loadView(tx, env, viewId);
  const dsId = row.data_source_id;
  if (!dsId) throw errors.validation(`View ${row.id} is a dashboard; query one of its widgets.`);
  // A linked database's view shows another database's rows: only to readers who can see them.
  if (!(await canSee(tx, env, dsId))) throw errors.notFound('data_source', dsId);
  const ds = await tx.blocks.get(dsId);
  if (!ds) throw errors.notFound('data_source', dsId);
  const source: RowSource = { schema, dataSourceId: ds.id, databaseId: ds.parent_id ?? row.database_id };
  return planQuery(tx, env, source, (context) => viewQuery(row, schema, env, version, context));
}

/**
 * Runs a view's saved query now and keeps its results (page ids, in order, up to the result
 * cap) for 15 minutes; answers the kept query and its first page.
 */
export async function createViewQuery(
  tx: StoreTx,
  env: OpEnv,
  viewId: string,
  pageSize: number,
  version: ApiVersion,
): Promise<ViewQueryPage> {
  const plan = await planViewQuery(tx, env, viewId, version);
  await tx.viewQueries.deleteExpired(env.now);
  // In SQL, pages of 1,000; the evaluator orders every row at once, so one call takes them all.
  const step = plan.computed ? VIEW_QUERY_MAX_RESULTS : 1000;
  const ids: string[] = [];
  let from: string | null = null;
  do {
    const page = await orderedPage(tx, env, plan, {
      inTrash: false,
      from,
      limit: Math.min(step, VIEW_QUERY_MAX_RESULTS - ids.length),
      now: new Date(env.now),
    });
    ids.push(...page.ids);
    from = page.next;
  } while (from && ids.length < VIEW_QUERY_MAX_RESULTS);
  const kept: ViewQueryRow = {
    id: newId(),
    view_id: viewId,
    integration_id: env.actor.seesEverything ? null : env.actor.integrationId,
    page_ids: JSON.stringify(ids),
    total_count: ids.length,
    incomplete: from ? 1 : 0,
    created_time: env.now,
    expires_at: new Date(Date.parse(env.now) + VIEW_QUERY_TTL_MS).toISOString(),
  };
  await tx.viewQueries.insert(kept);
  return { query: kept, ids: ids.slice(0, pageSize), next: ids[pageSize] ?? null };
}

/** A kept query of this integration that has not expired, or the 404 of a missing one. */
async function loadViewQuery(
  tx: StoreTx,
  env: OpEnv,
  viewId: string,
  queryId: string,
): Promise<ViewQueryRow> {
  await loadView(tx, env, viewId);
  const q = await tx.viewQueries.get(queryId);
  const mine = q && (env.actor.seesEverything || q.integration_id === env.actor.integrationId);
  if (!q || !mine || q.view_id !== viewId || q.expires_at <= env.now)
    throw errors.notFound('view_query', queryId);
  return q;
}

/** A page of a kept query's results, from the page id `from` on. */
export async function viewQueryResults(
  tx: StoreTx,
  env: OpEnv,
  viewId: string,
  queryId: string,
  from: string | null,
  limit: number,
): Promise<{ ids: string[]; next: string | null; incomplete: boolean }> {
  const q = await loadViewQuery(tx, env, viewId, queryId);
  const all = JSON.parse(q.page_ids) as string[];
  const start = from === null ? 0 : all.indexOf(from);
  if (start < 0) throw errors.validation(`The start_cursor provided is invalid: ${from}`);
  return {
    ids: all.slice(start, start + limit),
    next: all[start + limit] ?? null,
    incomplete: q.incomplete === 1,
  };
}

/** Forgets a kept query; answers its id. */
export async function deleteViewQuery(
  tx: StoreTx,
  env: OpEnv,
  viewId: string,
  queryId: string,
): Promise<string> {
  const q = await loadViewQuery(tx, env, viewId, queryId);
  await tx.viewQueries.delete(q.id);
  return q.id;
}
