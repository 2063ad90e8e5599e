/**
 * POST /v1/search: pages and data sources (databases before 2025-09-03) whose titles contain the
 * query's words, among what the integration can see, newest edit first unless asked otherwise.
 * The store scans the search index in order; this file decides what the integration may see, one
 * batch of candidates at a time, by the same rule as every endpoint (shared, or under something
 * shared), from the shares read once per request, remembering each ancestor's answer for the rest
 * of the request.
 */
import { queryWords, relevanceTier, type SearchObject } from '../domain/search.ts';
import type { RowSource } from '../present/page.present.ts';
import type { BlockView, SearchCandidate, Sight, StoreTx } from '../store/store.ts';
import type { SearchBody } from '../wire/search.schema.ts';
import { validationError } from '../wire/validation.ts';
import { type ApiVersion, hasDataSources } from '../wire/versions.ts';
import type { DatabaseRecord, DataSourceRecord } from './databases.ts';
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
 * is shared with the integration. `sight` is what the request read of the integration's shares
 * up front: its shared blocks and the first objects below them, all visible, so candidates under
 * those (the rows of a shared data source) are answered without a read. Other chains are read in
 * one statement per batch, and every block met on the way keeps its answer.
 */
export function visibilityOf(tx: StoreTx, sight: Sight) {
  const known = new Map<string, boolean>();
  for (const id of sight.shared) known.set(id, true);
  for (const id of sight.objects) known.set(id, true);
  const parentOf = new Map<string, string | null>();
  return async (candidates: SearchCandidate[]): Promise<boolean[]> => {
    for (const c of candidates) parentOf.set(c.id, c.parent_id);
    const answer = (id: string): boolean | undefined => {
      const path: string[] = [];
      let at: string | null = id;
      for (let depth = 0; at !== null && depth < MAX_DEPTH; depth++) {
        const seen = known.get(at);
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
      const chains = await tx.blocks.parentChains([...missing]);
      for (const [id, parent] of chains) parentOf.set(id, parent);
      for (const id of missing) if (!chains.has(id)) parentOf.set(id, null);
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

/** Everything visible, as a check that never reads. */
const keepAll = async (c: SearchCandidate[]) => c.map(() => true);

/**
 * Runs a search for the acting integration: records in order and the next cursor.
 *
 * Statements (docs/ARCHITECTURE.md, "Search"): the integration's sight (its shares, then a read
 * per level of what lies below them, up to NARROW_CAP objects), the cursor's entry when there is
 * one, the scan's batches (with the plan's probe or count), one read of parent chains per batch
 * that needs one, and one read of the result rows with their data sources and databases.
 */
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
  const sight = env.actor.seesEverything ? null : await tx.shares.sight(env.actor.integrationId, NARROW_CAP);
  const scan = {
    words,
    // Ids listed up front are what the integration can see: the scan reads only those.
    within: sight?.complete ? sight.objects : null,
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
  const keep = sight === null || scan.within !== null ? keepAll : visibilityOf(tx, sight);
  const found = await tx.search.find(scan, anchor, page.limit, keep);
  return { records: await loadRecords(tx, env, found.items), next: found.next };
}

/**
 * The records of result candidates, in their order, from one read of the rows together with the
 * parents they are presented with (a row's data source, a data source's database), then, when
 * there are databases (2022-06-28), one read of their data sources. Formulas of rows are computed
 * in one pass for the whole page.
 */
async function loadRecords(tx: StoreTx, env: OpEnv, items: SearchCandidate[]): Promise<SearchRecord[]> {
  const parents = items.flatMap((c) =>
    c.parent_id !== null && (c.parent_type === 'data_source_id' || c.parent_type === 'database_id')
      ? [c.parent_id]
      : [],
  );
  const rows = new Map(
    (await tx.blocks.getMany([...new Set([...items.map((c) => c.id), ...parents])])).map((r) => [r.id, r]),
  );
  const databases = items.flatMap((c) => (rows.get(c.id)?.type === 'database' ? [c.id] : []));
  const sourcesOf = await tx.blocks.dataSourcesOfMany(databases);
  const schemas = new Map<string, RowSource | undefined>();
  const sourceOf = (row: BlockView): RowSource | undefined => {
    if (row.parent_type !== 'data_source_id' || !row.parent_id) return undefined;
    if (!schemas.has(row.parent_id)) {
      const ds = rows.get(row.parent_id);
      schemas.set(row.parent_id, ds && rowSourceOf(ds));
    }
    return schemas.get(row.parent_id);
  };
  const pages = await withComputed(
    tx,
    env,
    items.flatMap((c) => {
      const row = rows.get(c.id);
      if (!row || row.type === 'data_source' || row.type === 'database') return [];
      const source = sourceOf(row);
      return [source ? { row, source } : { row }];
    }),
  );
  const pageOf = new Map(pages.map((p) => [p.row.id, p]));
  return items.flatMap((c): SearchRecord[] => {
    const row = rows.get(c.id);
    if (!row) return [];
    if (row.type === 'data_source') {
      return [{ object: 'data_source', dataSource: { row, database: rows.get(row.parent_id!)! } }];
    }
    if (row.type === 'database') {
      return [{ object: 'database', database: { row, dataSources: sourcesOf.get(row.id) ?? [] } }];
    }
    return [{ object: 'page', page: pageOf.get(row.id)! }];
  });
}
