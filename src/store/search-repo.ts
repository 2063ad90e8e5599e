/**
 * The search repository: the `search_index` table (one row per page, database and data source,
 * kept by the blocks repository) and the scan behind POST /v1/search. Results come in
 * `last_edited_time` order (ties by id), optionally in relevance tiers first; the caller's `keep`
 * decides visibility batch by batch, so a page of results is filled with what the integration may
 * see without the store knowing about sharing. A refused candidate's parent is not visible either
 * (the rule is "shared, or under something shared"), so later batches leave its siblings out.
 *
 * Plans (measured in docs/benchmarks.md, "Search"): a title must contain every query word. On
 * SQLite, when the words have a trigram (3+ characters), the FTS5 table over `title` counts the
 * matches up to WALK_THRESHOLD: fewer, and only those rows are read and sorted; as many, and the
 * `(in_trash, last_edited_time, id)` index is walked, testing each title, which finds a page of
 * a frequent word sooner. On Postgres the condition carries `LIKE '%word%'` for the pg_trgm
 * index beside the exact `strpos`, and the planner chooses; except for relevance tiers, whose
 * conditions (a phrase at the start, inside, or absent) the planner cannot estimate: there the
 * next PROBE_ROWS entries of the time index are tested first, and the tier is walked when at
 * least PROBE_WALK_MIN of them match, else read through the trigram index (a materialized CTE,
 * sorted).
 */
import { type Expression, type Kysely, type SqlBool, sql, type Transaction } from 'kysely';
import { RELEVANCE_TIERS, type SearchObject, searchEntryOf } from '../domain/search.ts';
import type { DialectHooks } from '../query/dialect.ts';
import {
  countFtsCandidates,
  ftsCandidates,
  likePattern,
  MIN_TRIGRAM_CHARS,
  phrase,
} from '../query/text-index.ts';
import { executeCompiled } from './compiled.ts';
import type { Database } from './schema.ts';
import type { BlockRow, Engine, SearchAnchor, SearchCandidate, SearchRepo, SearchScan } from './store.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The search table and its FTS5 companion's name stem. */
export const SEARCH_TABLE = 'search_index';

/** Below this many trigram matches, reading the matches beats walking the time index (SQLite). */
const WALK_THRESHOLD = 1_000;

/** Postgres relevance tiers: entries of the time index tested before choosing a plan. */
const PROBE_ROWS = 2_000;

/** Matches among PROBE_ROWS from which walking the time index beats the trigram index. */
const PROBE_WALK_MIN = 20;

/** How a Postgres relevance tier is read: walking the time index, or its trigram matches. */
type PgPlan = 'walk' | 'gin';

/** Parents excluded in SQL at most (each one is a bind parameter). */
const MAX_HIDDEN_PARENTS = 500;

/** Candidates read per round trip; visibility may discard some, so more than a page. */
const BATCH = 200;

export function search(db: Db, hooks: DialectHooks): SearchRepo {
  const title = sql.ref('s.title');
  const has = (needle: string) => hooks.textContains(title, needle);
  const startsWith = (prefix: string) => hooks.textStartsWith(title, prefix, [...prefix].length);

  const plainSource = () => db.selectFrom('search_index as s');

  /** The condition of relevance tier `tier` for `phrase` (see domain/search.ts relevanceTier). */
  function tierCondition(tier: number, phrase: string): Expression<SqlBool> {
    if (tier === 0) return startsWith(phrase);
    if (tier === 1) return sql<SqlBool>`(${has(phrase)} and not ${startsWith(phrase)})`;
    return sql<SqlBool>`not ${has(phrase)}`;
  }

  /**
   * An FTS5 query naming every row of a tier (and maybe more), or null when there is none
   * (phrases and words under three characters have no trigram). Without relevance, the tier is
   * "all words"; with it, FTS5's `^` anchors a phrase at the start of the title.
   */
  function ftsMatch(scan: SearchScan, tier: number | null): string | null {
    const words = scan.words.filter((w) => [...w].length >= MIN_TRIGRAM_CHARS).map((w) => phrase('title', w));
    const all = words.length === 0 ? null : words.join(' AND ');
    const p = scan.phrase;
    if (tier === null || p === null) return all;
    if ([...p].length < MIN_TRIGRAM_CHARS) return null;
    const quoted = phrase('title', p);
    const anchored = `title : ^${quoted.slice('title : '.length)}`;
    if (tier === 0) return anchored;
    if (tier === 1) return `${quoted} NOT ${anchored}`;
    return all === null ? null : `(${all}) NOT ${quoted}`;
  }

  /** The FTS5 query to read a tier through, when it names fewer rows than WALK_THRESHOLD. */
  async function readFts(scan: SearchScan, tier: number | null): Promise<string | null> {
    if (hooks.trigram?.kind !== 'fts5' || scan.within !== null) return null;
    const match = ftsMatch(scan, tier);
    if (match === null) return null;
    // biome-ignore lint/suspicious/noExplicitAny: the FTS5 table is outside the typed schema
    const n = await countFtsCandidates(db as unknown as Kysely<any>, SEARCH_TABLE, match, WALK_THRESHOLD);
    return n < WALK_THRESHOLD ? match : null;
  }

  /** The trigram conditions (`LIKE`) of a search or of one of its tiers (Postgres with pg_trgm). */
  function likeConditions(scan: SearchScan, tier: number | null): Expression<SqlBool>[] {
    if (hooks.trigram?.kind !== 'gin') return [];
    const like = (op: 'contains' | 'starts_with', text: string) =>
      sql<SqlBool>`s.title like ${likePattern(op, text)} escape '\\'`;
    const out = scan.words.filter((w) => [...w].length >= MIN_TRIGRAM_CHARS).map((w) => like('contains', w));
    if (tier !== null && tier < 2 && scan.phrase !== null && [...scan.phrase].length >= MIN_TRIGRAM_CHARS) {
      // The tier's phrase (anchored for tier 0).
      out.push(like(tier === 0 ? 'starts_with' : 'contains', scan.phrase));
    }
    return out;
  }

  /** The time-ordered condition of the entries after `anchor` (included when `inclusive`). */
  function afterAnchor(scan: SearchScan, anchor: SearchAnchor, inclusive: boolean): Expression<SqlBool> {
    const cmp = sql.raw(`${scan.direction === 'descending' ? '<' : '>'}${inclusive ? '=' : ''}`);
    return sql<SqlBool>`(s.last_edited_time, s.id) ${cmp} (${anchor.lastEditedTime}, ${anchor.id})`;
  }

  /**
   * How to read relevance tier `tier` on Postgres: the number of its matches among the next
   * PROBE_ROWS entries of the time index (from `anchor`) tells whether walking that index finds a
   * batch soon, or the trigram index should name the tier's few matches. Null when the planner's
   * own choice stands (no tier, SQLite, no trigram index, or a short list of ids to read).
   */
  async function pgPlan(
    scan: SearchScan,
    tier: number | null,
    anchor: SearchAnchor | null,
    inclusive: boolean,
  ): Promise<PgPlan | null> {
    if (hooks.trigram?.kind !== 'gin' || tier === null || scan.phrase === null || scan.within !== null) {
      return null;
    }
    if (likeConditions(scan, tier).length === 0) return 'walk';
    const dir = scan.direction === 'descending' ? sql.raw('desc') : sql.raw('asc');
    let recent = db
      .selectFrom('search_index as s')
      .select(['s.title'])
      .where('s.object', 'in', [...scan.objects])
      .where(sql<SqlBool>`s.in_trash = ${scan.inTrash ? 1 : 0}`);
    if (anchor) recent = recent.where(afterAnchor(scan, anchor, inclusive));
    const probe = recent
      .orderBy(sql`s.last_edited_time ${dir}`)
      .orderBy(sql`s.id ${dir}`)
      .limit(PROBE_ROWS)
      .as('s');
    let count = db.selectFrom(probe).select((eb) => eb.fn.countAll<string>().as('n'));
    for (const w of scan.words) count = count.where(has(w));
    count = count.where(tierCondition(tier, scan.phrase));
    const { n } = await count.executeTakeFirstOrThrow();
    return Number(n) >= PROBE_WALK_MIN ? 'walk' : 'gin';
  }

  function batchQuery(
    scan: SearchScan,
    tier: number | null,
    anchor: SearchAnchor | null,
    inclusive: boolean,
    fts: string | null,
    plan: PgPlan | null,
    hidden: ReadonlySet<string>,
  ) {
    const desc = scan.direction === 'descending';
    const dir = desc ? sql.raw('desc') : sql.raw('asc');
    const likes = plan === 'walk' ? [] : likeConditions(scan, tier);
    // 'walk': the time index in order from the anchor, the title conditions tested on what it
    // yields (`offset 0` keeps them out of the subquery, where the planner would estimate them and
    // prefer a scan and a sort); 'gin': the tier's trigram matches, gathered first (materialized,
    // so that the planner cannot walk the time index instead), then sorted; otherwise the table
    // itself, and the planner chooses.
    const source =
      plan === 'walk'
        ? (db.selectFrom((d) => {
            let recent = d
              .selectFrom('search_index as s')
              .selectAll('s')
              .where(sql<SqlBool>`s.in_trash = ${scan.inTrash ? 1 : 0}`);
            if (anchor) recent = recent.where(afterAnchor(scan, anchor, inclusive));
            return recent.orderBy(sql`s.last_edited_time ${dir}`).orderBy(sql`s.id ${dir}`).offset(0).as('s');
          }) as unknown as ReturnType<typeof plainSource>)
        : plan === 'gin'
          ? (db
              .with(
                (w) => w('s').materialized(),
                (d) =>
                  d
                    .selectFrom('search_index as s')
                    .selectAll('s')
                    .where(sql<SqlBool>`s.in_trash = ${scan.inTrash ? 1 : 0}`)
                    .where((eb) => eb.and(likes)),
              )
              .selectFrom('s') as unknown as ReturnType<typeof plainSource>)
          : plainSource();
    let q = source
      .innerJoin('blocks as b', 'b.id', 's.id')
      .select(['s.id', 's.last_edited_time', 'b.parent_id', 'b.parent_type'])
      .where('s.object', 'in', [...scan.objects]);
    // With few FTS matches, SQLite reads those by id and sorts them: the unary `+` keeps the
    // `(in_trash, last_edited_time, id)` index (which it would scan, testing each row against the
    // IN list) out of the plan, here and in the ORDER BY below.
    const hint = (fts !== null || scan.within !== null) && hooks.needsIndexHint;
    q = q.where(
      hint
        ? sql<SqlBool>`+s.in_trash = ${scan.inTrash ? 1 : 0}`
        : sql<SqlBool>`s.in_trash = ${scan.inTrash ? 1 : 0}`,
    );
    for (const w of scan.words) q = q.where(has(w));
    if (tier !== null && scan.phrase !== null) q = q.where(tierCondition(tier, scan.phrase));
    // The same conditions as LIKE, for the GIN trigram index to serve (left out of a walk, so
    // that the planner does not read that index instead).
    if (plan === null) for (const like of likes) q = q.where(like);
    if (scan.within !== null) q = q.where('s.id', 'in', scan.within.length > 0 ? [...scan.within] : ['']);
    if (fts !== null) q = q.where(ftsCandidates(sql.ref('s.id'), SEARCH_TABLE, fts, 'id'));
    if (hidden.size > 0) {
      q = q.where((eb) => eb.or([eb('b.parent_id', 'is', null), eb('b.parent_id', 'not in', [...hidden])]));
    }
    // The cursor's own item opens the page it names, so the first batch includes it.
    if (anchor) q = q.where(afterAnchor(scan, anchor, inclusive));
    const key = hint ? sql`+s.last_edited_time` : sql`s.last_edited_time`;
    return q.orderBy(sql`${key} ${dir}`).orderBy(sql`s.id ${dir}`).limit(BATCH);
  }

  return {
    entry: async (id) => {
      const row = await db
        .selectFrom('search_index')
        .select(['id', 'object', 'title', 'last_edited_time'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? { ...row, object: row.object as SearchObject } : undefined;
    },
    find: async (scan, from, limit, keep) => {
      const kept: SearchCandidate[] = [];
      // Parents of refused candidates: by the visibility rule they are not visible either, so
      // their other children are left out in SQL (a data source of rows the integration cannot
      // see is skipped at once instead of batch by batch).
      const hidden = new Set<string>();
      const tiers = scan.phrase === null ? [null] : [...Array(RELEVANCE_TIERS).keys()];
      for (const tier of tiers) {
        if (from && tier !== null && tier < from.tier) continue;
        const fts = await readFts(scan, tier);
        let anchor = from && (tier === null || tier === from.tier) ? from : null;
        let inclusive = anchor !== null;
        const plan = await pgPlan(scan, tier, anchor, inclusive);
        for (;;) {
          const rows = await batchQuery(scan, tier, anchor, inclusive, fts, plan, hidden).execute();
          inclusive = false;
          const candidates: SearchCandidate[] = rows.map((r) => ({
            id: r.id,
            parent_id: r.parent_id,
            parent_type: r.parent_type,
          }));
          const verdicts = await keep(candidates);
          candidates.forEach((c, i) => {
            if (verdicts[i]) kept.push(c);
            else if (c.parent_id !== null && hidden.size < MAX_HIDDEN_PARENTS) hidden.add(c.parent_id);
          });
          if (kept.length > limit) return { items: kept.slice(0, limit), next: kept[limit]!.id };
          if (rows.length < BATCH) break;
          const last = rows.at(-1)!;
          anchor = { id: last.id, lastEditedTime: last.last_edited_time, tier: tier ?? 0 };
        }
      }
      return { items: kept, next: null };
    },
  };
}

/** The columns of a `blocks` row the search entry is made of. */
/** The columns of a block its search entry is made of (with its id). */
export const SEARCH_COLUMNS = ['type', 'properties', 'data', 'last_edited_time', 'in_trash'] as const;
type Indexed = Pick<BlockRow, 'id' | (typeof SEARCH_COLUMNS)[number]>;

/**
 * Writes the search entries of `rows` (those search returns: pages, databases, data sources),
 * inserting or replacing by id. Called by the blocks repository for every block it writes, so
 * the index changes in the same transaction as the blocks.
 */
export async function writeSearchEntries(db: Db, rows: readonly Indexed[], engine?: Engine): Promise<void> {
  const entries = rows.flatMap((r) => {
    const entry = searchEntryOf(r);
    if (!entry) return [];
    return [{ id: r.id, ...entry, last_edited_time: r.last_edited_time, in_trash: r.in_trash }];
  });
  const build = (chunk: typeof entries) =>
    db
      .insertInto('search_index')
      .values(chunk)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          object: eb.ref('excluded.object'),
          title: eb.ref('excluded.title'),
          last_edited_time: eb.ref('excluded.last_edited_time'),
          in_trash: eb.ref('excluded.in_trash'),
        })),
      );
  const [one] = entries;
  // One entry (a block written), where the engine is known: compiled once per set of columns.
  if (engine && entries.length === 1 && one) {
    await executeCompiled(
      db,
      engine,
      `search entry (${Object.keys(one).join(',')})`,
      () => build([one]),
      Object.values(one),
    );
    return;
  }
  for (let i = 0; i < entries.length; i += 500) await build(entries.slice(i, i + 500)).execute();
}

/** Writes the search entry of block `id` again from its stored row (after an update). */
export async function reindexBlock(db: Db, id: string): Promise<void> {
  const row = await db
    .selectFrom('blocks')
    .select(['id', 'type', 'properties', 'data', 'last_edited_time', 'in_trash'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (row) await writeSearchEntries(db, [row]);
}

/** Copies a block's new trash flag or edit time into its entry (none for blocks search skips). */
export async function updateSearchEntry(
  db: Db,
  id: string,
  patch: { in_trash?: number | undefined; last_edited_time?: string | undefined },
): Promise<void> {
  const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  if (Object.keys(set).length > 0)
    await db.updateTable('search_index').set(set).where('id', '=', id).execute();
}
