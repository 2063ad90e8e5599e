import { type Context, Hono } from 'hono';
import { can } from '../../domain/capabilities.ts';
import { createViewQuery, deleteViewQuery, viewQueryResults } from '../../ops/view-queries.ts';
import { createView, deleteView, listViews, loadView, updateView, type ViewRecord } from '../../ops/views.ts';
import { presentList } from '../../present/list.present.ts';
import {
  presentDeletedViewQuery,
  presentPartialView,
  presentView,
  presentViewQuery,
} from '../../present/view.present.ts';
import { parseWith } from '../../wire/validation.ts';
import {
  CreateViewBody,
  CreateViewQueryBody,
  ListViewsQuery,
  UpdateViewBody,
} from '../../wire/views.schema.ts';
import {
  authorize,
  bodyPagination,
  opEnv,
  pathId,
  presentCtx,
  queryPagination,
  writeOptions,
} from '../kit.ts';
import { ok } from '../respond.ts';
import type { AppDeps, AppEnv } from '../types.ts';

/** Notion's views endpoints (notion-api.md §4.6), the same under every API version. */
export function viewsRoutes(deps: AppDeps) {
  const r = new Hono<AppEnv>();
  // Without read_content a write answers the partial view, as Notion answers partial objects.
  const view = (c: Context<AppEnv>, rec: ViewRecord) =>
    can(c.get('actor'), 'read_content')
      ? presentView(rec.row, rec.schema, presentCtx(c, deps))
      : presentPartialView(rec.row);

  r.get('/views', async (c) => {
    authorize(c, 'views.list');
    const q = parseWith(ListViewsQuery, c.req.query(), 'query');
    const { from, limit } = queryPagination(c);
    const page = await deps.store.transaction((tx) =>
      listViews(
        tx,
        opEnv(c, deps),
        { databaseId: q.database_id, dataSourceId: q.data_source_id },
        from,
        limit,
      ),
    );
    return ok(
      c,
      presentList(
        page.items.map((v) => ({ object: 'view' as const, id: v.id })),
        page.next,
        'view',
      ),
    );
  });

  r.post('/views', async (c) => {
    authorize(c, 'views.create');
    const body = parseWith(CreateViewBody, c.get('body') ?? {});
    const rec = await deps.store.transaction(
      (tx) => createView(tx, opEnv(c, deps), body, c.get('version')),
      writeOptions(c),
    );
    return ok(c, view(c, rec));
  });

  r.get('/views/:view_id', async (c) => {
    authorize(c, 'views.retrieve');
    const id = pathId(c, 'view_id');
    const rec = await deps.store.transaction((tx) => loadView(tx, opEnv(c, deps), id));
    return ok(c, view(c, rec));
  });

  r.patch('/views/:view_id', async (c) => {
    authorize(c, 'views.update');
    const id = pathId(c, 'view_id');
    const body = parseWith(UpdateViewBody, c.get('body') ?? {});
    const rec = await deps.store.transaction(
      (tx) => updateView(tx, opEnv(c, deps), id, body, c.get('version')),
      writeOptions(c),
    );
    return ok(c, view(c, rec));
  });

  r.delete('/views/:view_id', async (c) => {
    authorize(c, 'views.delete');
    const id = pathId(c, 'view_id');
    const row = await deps.store.transaction((tx) => deleteView(tx, opEnv(c, deps), id), writeOptions(c));
    return ok(c, presentPartialView(row));
  });

  r.post('/views/:view_id/queries', async (c) => {
    authorize(c, 'views.queries.create');
    const id = pathId(c, 'view_id');
    const body = parseWith(CreateViewQueryBody, c.get('body') ?? {});
    const { limit } = bodyPagination(body);
    const page = await deps.store.transaction((tx) =>
      createViewQuery(tx, opEnv(c, deps), id, limit, c.get('version')),
    );
    return ok(c, presentViewQuery(page.query, page.ids, page.next));
  });

  r.get('/views/:view_id/queries/:query_id', async (c) => {
    authorize(c, 'views.queries.results');
    const viewId = pathId(c, 'view_id');
    const queryId = pathId(c, 'query_id');
    const { from, limit } = queryPagination(c);
    const page = await deps.store.transaction((tx) =>
      viewQueryResults(tx, opEnv(c, deps), viewId, queryId, from, limit),
    );
    const list = presentList(
      page.ids.map((id) => ({ object: 'page' as const, id })),
      page.next,
      'page',
    );
    return ok(
      c,
      page.incomplete
        ? { ...list, request_status: { type: 'incomplete', incomplete_reason: 'query_result_limit_reached' } }
        : list,
    );
  });

  r.delete('/views/:view_id/queries/:query_id', async (c) => {
    authorize(c, 'views.queries.delete');
    const viewId = pathId(c, 'view_id');
    const queryId = pathId(c, 'query_id');
    const id = await deps.store.transaction((tx) => deleteViewQuery(tx, opEnv(c, deps), viewId, queryId));
    return ok(c, presentDeletedViewQuery(id));
  });

  return r;
}
