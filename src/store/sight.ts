/**
 * What an integration is shown, read once per search (`ShareRepo.sight`): the blocks shared with
 * it and the first pages, databases and data sources below them. Pages only ever have pages or
 * data sources as parents (blocks cannot hold pages here), so walking down through these three
 * types reaches every object search can return.
 *
 * The shares, then one statement per level of the tree, each bounded by what is left of `cap`,
 * so a million-row data source below costs a bounded read. Why not one recursive statement
 * (docs/benchmarks.md, "Fewer statements per search"): its step reaches each block's children
 * through a column, not a value. A plain recursive join expands a data source's every row before
 * any LIMIT applies, on both engines. The bounded forms work with good statistics, but: SQLite's
 * (a correlated IN list; it has no LATERAL) measured slower than these reads, which cost it no
 * round trip; Postgres's (LATERAL … ORDER BY sort_key LIMIT) is planned from the average number
 * of children per parent, and without statistics it read and sorted every row of the data
 * source (2.0 s at 100k rows, 1.25 s of it JIT compilation of its cost estimate). Here each
 * level names its parents as values, so Postgres plans it knowing how many children the data
 * source has.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { Sight } from './store.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Parents named per statement (each one is a bind parameter). */
const PARENTS_PER_READ = 500;

export async function readSight(db: Db, integrationId: string, cap: number): Promise<Sight> {
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
    for (let i = 0; i < frontier.length && found.size < cap; i += PARENTS_PER_READ) {
      const children = await db
        .selectFrom('blocks')
        .select('id')
        .where('parent_id', 'in', frontier.slice(i, i + PARENTS_PER_READ))
        .where('type', 'in', ['page', 'database', 'data_source'])
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
