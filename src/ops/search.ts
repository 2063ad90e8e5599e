/**
 * POST /v1/search: pages and data sources (databases before 2025-09-03) whose titles contain the
 * query's words, among what the integration can see, newest edit first unless asked otherwise.
 * The store scans the search index in order; this file decides what the integration may see, one
 * batch of candidates at a time, by the same rule as every endpoint (shared, or under something
 * shared), remembering each ancestor's answer for the rest of the request.
 */
import { queryWords, relevanceTier, type SearchObject } from '../domain/search.ts';
import type { RowSource } from '../present/page.present.ts';
import type { BlockView, SearchCandidate, StoreTx } from '../store/store.ts';
import type { SearchBody } from '../wire/search.schema.ts';
import { validationError } from '../wire/validation.ts';
import { type ApiVersion, hasDataSources } from '../wire/versions.ts';
import { type DatabaseRecord, type DataSourceRecord, dataSourcesOf } from './databases.ts';
import type { OpEnv } from './env.ts';
import { withComputed } from './formulas.ts';
import { type PageRecord, rowSourceOf } from './pages.ts';

export type SearchRecord =
  | { object: 'page'; page: PageRecord }
  | { object: 'data_source'; dataSource: DataSourceRecord }
  | { object: 'database'; database: DatabaseRecord };

/** Parent chains longer than this are not followed (as in the store's ancestor walks). */
const MAX_DEPTH = 256;

/**
 * A visibility test for candidates, batch by batch: a block is visible when it, or an ancestor,
 * is shared with the integration. Parents are read a level at a time for the whole batch, and
 * every block met on the way keeps its answer, so rows of one data source cost one look-up.
 */
export function visibilityOf(tx: StoreTx, env: OpEnv) {
  if (env.actor.seesEverything) return async (c: SearchCandidate[]) => c.map(() => true);
  let shared: Set<string> | undefined;
  const known = new Map<string, boolean>();
  const parentOf = new Map<string, string | null>();
  return async (candidates: SearchCandidate[]): Promise<boolean[]> => {
    shared ??= await tx.shares.sharedWith(env.actor.integrationId);
    for (const c of candidates) parentOf.set(c.id, c.parent_id);
    const answer = (id: string): boolean | undefined => {
      const path: string[] = [];
      let at: string | null = id;
      for (let depth = 0; at !== null && depth < MAX_DEPTH; depth++) {
        const seen = known.get(at) ?? (shared!.has(at) ? true : undefined);
        if (seen !== undefined) {
          for (const p of path) known.set(p, seen);
          return seen;
        }
        path.push(at);
        if (!parentOf.has(at)) return undefined;
        at = parentOf.get(at)!;
      }
      for (const p of path) known.set(p, false);
      return false;
    };
    for (;;) {
      const missing = new Set<string>();
      for (const c of candidates) {
        if (answer(c.id) !== undefined) continue;
        let at: string | null = c.id;
        while (at !== null && parentOf.has(at)) at = parentOf.get(at)!;
        if (at !== null) missing.add(at);
      }
      if (missing.size === 0) break;
      const parents = await tx.blocks.parentsOf([...missing]);
      for (const id of missing) parentOf.set(id, parents.get(id) ?? null);
    }
    return candidates.map((c) => answer(c.id) === true);
  };
}

/**
 * How many visible objects an integration may have for search to read just those. An integration
 * shown a few pages of a large workspace then reads its own objects instead of walking the whole
 * index past everything it cannot see (at 1M rows: 1.2 s before, measured in docs/benchmarks.md).
 */
const NARROW_CAP = 250;

/** The ids the integration can see, when they are few (see NARROW_CAP); null otherwise. */
async function visibleWithin(tx: StoreTx, env: OpEnv): Promise<string[] | null> {
  if (env.actor.seesEverything) return null;
  return tx.shares.visibleObjects(env.actor.integrationId, NARROW_CAP);
}

/** Runs a search for the acting integration: records in order and the next cursor. */
export async function searchObjects(
  tx: StoreTx,
  env: OpEnv,
  body: SearchBody,
  page: { from: string | null; limit: number },
  version: ApiVersion,
): Promise<{ records: SearchRecord[]; next: string | null }> {
  const kinds: SearchObject[] = hasDataSources(version) ? ['page', 'data_source'] : ['page', 'database'];
  const value = body.filter?.value;
  const words = queryWords(body.query);
  const relevance = body.sort !== undefined && 'property' in body.sort && words.length > 0;
  const scan = {
    words,
    within: await visibleWithin(tx, env),
    phrase: relevance ? words.join(' ') : null,
    objects: value ? [value] : kinds,
    inTrash: body.filter?.in_trash ?? false,
    direction: body.sort && 'direction' in body.sort ? body.sort.direction : ('descending' as const),
  };
  let anchor = null;
  if (page.from) {
    const entry = await tx.search.entry(page.from);
    if (!entry) {
      throw validationError('body', {
        path: ['start_cursor'],
        expectation: 'should be a valid cursor',
        value: page.from,
      });
    }
    const tier = scan.phrase === null ? 0 : relevanceTier(entry.title, scan.phrase);
    anchor = { id: entry.id, lastEditedTime: entry.last_edited_time, tier };
  }
  // Ids listed up front are what the integration can see: nothing left to decide for them.
  const keep =
    scan.within !== null ? async (c: SearchCandidate[]) => c.map(() => true) : visibilityOf(tx, env);
  const found = await tx.search.find(scan, anchor, page.limit, keep);
  const rows = new Map((await tx.blocks.getMany(found.items)).map((r) => [r.id, r]));
  const records: SearchRecord[] = [];
  const load = recordLoader(tx, env);
  for (const id of found.items) {
    const row = rows.get(id);
    if (row) records.push(await load(row));
  }
  return { records, next: found.next };
}

/**
 * Records of result rows, reading each data source (a row's schema, a data source's database)
 * once per request: a page of results is often a hundred rows of one data source.
 */
function recordLoader(tx: StoreTx, env: OpEnv) {
  const blocks = new Map<string, Promise<BlockView | undefined>>();
  const block = (id: string) => {
    let found = blocks.get(id);
    if (!found) {
      found = tx.blocks.get(id);
      blocks.set(id, found);
    }
    return found;
  };
  const sources = new Map<string, RowSource | undefined>();
  return async (row: BlockView): Promise<SearchRecord> => {
    if (row.type === 'data_source') {
      return { object: 'data_source', dataSource: { row, database: (await block(row.parent_id!))! } };
    }
    if (row.type === 'database') {
      return { object: 'database', database: { row, dataSources: await dataSourcesOf(tx, row.id) } };
    }
    if (row.parent_type !== 'data_source_id' || !row.parent_id) return { object: 'page', page: { row } };
    if (!sources.has(row.parent_id)) {
      const ds = await block(row.parent_id);
      sources.set(row.parent_id, ds && rowSourceOf(ds));
    }
    const source = sources.get(row.parent_id);
    return { object: 'page', page: source ? (await withComputed(tx, env, [{ row, source }]))[0]! : { row } };
  };
}
