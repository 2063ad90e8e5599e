/**
 * Querying a data source: the filter and sorts are parsed against its schema, compiled to SQL
 * and run in the database on the data source's derived table; only the page of results is read.
 */
import { parseQuery } from '../query/parse.ts';
import type { StoreTx } from '../store/store.ts';
import type { ApiVersion } from '../wire/versions.ts';
import { getDataSource, schemaOf } from './databases.ts';
import type { OpEnv } from './env.ts';
import { withComputed } from './formulas.ts';
import type { PageRecord } from './pages.ts';

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
): Promise<{ records: PageRecord[]; next: string | null }> {
  const ds = await getDataSource(tx, env, dataSourceId);
  const schema = schemaOf(ds.row);
  const query = parseQuery(input.body, Object.fromEntries(schema.map((p) => [p.name, p])), {
    version: input.version,
    meUserId: env.actor.botUserId,
  });
  const page = await tx.rows.query(ds.row.id, query, {
    inTrash: input.body.in_trash ?? input.body.archived ?? false,
    from: input.from,
    limit: input.limit,
    now: new Date(env.now),
  });
  const rows = new Map((await tx.blocks.getMany(page.items)).map((r) => [r.id, r]));
  const source = { schema, dataSourceId: ds.row.id, databaseId: ds.database.id };
  const records = await withComputed(
    tx,
    env,
    page.items.flatMap((id) => {
      const row = rows.get(id);
      return row ? [{ row, source }] : [];
    }),
  );
  return { records, next: page.next };
}
