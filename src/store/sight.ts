/**
 * What an integration is shown, read once per search (`ShareRepo.sight`): the blocks shared with
 * it and the first pages, databases and data sources below them. Pages only ever have pages or
 * data sources as parents (blocks cannot hold pages here), so walking down through these three
 * types reaches every object search can return. However large a data source below, at most `cap`
 * children of any block are read, and the walk stops at `cap` objects.
 *
 * Postgres reads it all in one statement (a round trip saved per level); SQLite, where a
 * statement is a function call, reads a level per statement, which measured cheaper there than
 * the recursive form (docs/benchmarks.md, "Search": 0.10 against 0.28 ms at 100k rows).
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { Engine, Sight } from './store.ts';

type Db = Kysely<Database> | Transaction<Database>;

const TYPES = ['page', 'database', 'data_source'] as const;

export function readSight(db: Db, engine: Engine, integrationId: string, cap: number): Promise<Sight> {
  return engine === 'postgres' ? sightAtOnce(db, integrationId, cap) : sightByLevels(db, integrationId, cap);
}

/**
 * One recursive statement. Each block's children are bounded in the step that reaches it
 * (LATERAL … LIMIT): a plain join would expand a data source's million rows in one step before
 * the outer LIMIT applies. Ordering them by `sort_key` makes the `(parent_id, sort_key)` index
 * the plan whatever the statistics say (a correlated `IN` list instead was planned as a filter
 * over every block: 1.2 s at 100k rows). The shares come from a branch of their own, so all of
 * them are there whatever the cap.
 */
async function sightAtOnce(db: Db, integrationId: string, cap: number): Promise<Sight> {
  const result = await sql<{ id: string; shared: number }>`
    with recursive seen(id) as (
      select block_id from shares where integration_id = ${integrationId}
      union
      select c.id from seen cross join lateral (
        select b.id from blocks b where b.parent_id = seen.id and b.type in (${sql.join([...TYPES])})
        order by b.sort_key limit ${cap}) c
    )
    select block_id as id, 1 as shared from shares where integration_id = ${integrationId}
    union all
    select id, 0 as shared from (select id from seen limit ${cap}) listed`.execute(db);
  const shared = new Set<string>();
  const objects: string[] = [];
  for (const r of result.rows) {
    if (Number(r.shared) === 1) shared.add(r.id);
    else objects.push(r.id);
  }
  return { shared, objects, complete: objects.length < cap };
}

/** The shares, then a level of children per statement, each bounded by what is left of `cap`. */
async function sightByLevels(db: Db, integrationId: string, cap: number): Promise<Sight> {
  const rows = await db
    .selectFrom('shares')
    .select('block_id')
    .where('integration_id', '=', integrationId)
    .execute();
  const shared = new Set(rows.map((r) => r.block_id));
  const found = new Set(shared);
  let frontier = [...found];
  while (frontier.length > 0 && found.size < cap) {
    const next: string[] = [];
    for (let i = 0; i < frontier.length && found.size < cap; i += 500) {
      const children = await db
        .selectFrom('blocks')
        .select('id')
        .where('parent_id', 'in', frontier.slice(i, i + 500))
        .where('type', 'in', [...TYPES])
        .limit(cap - found.size + 1)
        .execute();
      for (const r of children) {
        if (!found.has(r.id)) next.push(r.id);
        found.add(r.id);
      }
    }
    frontier = next;
  }
  return { shared, objects: [...found], complete: found.size < cap };
}
