import { Hono } from 'hono';
import { can } from '../../domain/capabilities.ts';
import { type SearchRecord, searchObjects } from '../../ops/search.ts';
import type { PresentContext } from '../../present/context.ts';
import { presentDatabase, presentDataSource } from '../../present/database.present.ts';
import { presentList } from '../../present/list.present.ts';
import { presentPage } from '../../present/page.present.ts';
import { type SearchBody, searchBody } from '../../wire/search.schema.ts';
import { parseWith } from '../../wire/validation.ts';
import { hasDataSources } from '../../wire/versions.ts';
import { authorize, bodyPagination, opEnv, presentCtx } from '../kit.ts';
import { ok } from '../respond.ts';
import type { AppDeps, AppEnv } from '../types.ts';

/** A search result as the wire shows it; partial without `read_content`, as on other endpoints. */
function presentResult(rec: SearchRecord, ctx: PresentContext, full: boolean) {
  if (rec.object === 'page') {
    return full ? presentPage(rec.page.row, ctx, rec.page.source) : { object: 'page', id: rec.page.row.id };
  }
  if (rec.object === 'data_source') {
    const { row, database } = rec.dataSource;
    return full ? presentDataSource(row, database, ctx) : { object: 'data_source', id: row.id };
  }
  const { row, dataSources } = rec.database;
  return full ? presentDatabase(row, dataSources, ctx) : { object: 'database', id: row.id };
}

export function searchRoutes(deps: AppDeps) {
  const r = new Hono<AppEnv>();

  r.post('/search', async (c) => {
    authorize(c, 'search');
    const version = c.get('version');
    const body = parseWith(searchBody(version), c.get('body')) as SearchBody;
    const page = bodyPagination(body);
    const env = opEnv(c, deps);
    const result = await deps.store.transaction((tx) => searchObjects(tx, env, body, page, version));
    const ctx = presentCtx(c, deps);
    const full = can(c.get('actor'), 'read_content');
    const type = hasDataSources(version) ? 'page_or_data_source' : 'page_or_database';
    return ok(
      c,
      presentList(
        result.records.map((rec) => presentResult(rec, ctx, full)),
        result.next,
        type,
      ),
    );
  });

  return r;
}
