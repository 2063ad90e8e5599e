import { type Context, Hono } from 'hono';
import { can } from '../../domain/capabilities.ts';
import {
  createDatabase,
  createDataSource,
  type DatabaseRecord,
  type DataSourceRecord,
  getDatabase,
  getDataSource,
  singleDataSource,
  updateDatabase,
  updateDataSource,
} from '../../ops/databases.ts';
import { queryDataSource } from '../../ops/query.ts';
import { listTemplates } from '../../ops/templates.ts';
import { presentDatabase, presentDataSource } from '../../present/database.present.ts';
import { presentList } from '../../present/list.present.ts';
import { pageMayHoldMention, presentPage, presentPageJson } from '../../present/page.present.ts';
import { presentTemplates } from '../../present/template.present.ts';
import type { StoreTx, TokenCheck } from '../../store/store.ts';
import {
  type CreateDatabaseBody,
  CreateDataSourceBody,
  createDatabaseBody,
  type QueryBody,
  queryBody,
  type UpdateDatabaseBody,
  type UpdateDataSourceBody,
  updateDatabaseBody,
  updateDataSourceBody,
} from '../../wire/databases.schema.ts';
import { errors } from '../../wire/errors.ts';
import { parseWith } from '../../wire/validation.ts';
import { hasDataSources } from '../../wire/versions.ts';
import {
  authorize,
  bodyPagination,
  filterProperties,
  opEnv,
  pathId,
  presentCtx,
  queryPagination,
  writeOptions,
} from '../kit.ts';
import { confirmingToken } from '../middleware/core.ts';
import { holdsMention, ok, okParts, okWithoutRequestId } from '../respond.ts';
import type { AppDeps, AppEnv } from '../types.ts';

/** Data-source endpoints exist from 2025-09-03 on; older versions get Notion's unknown-URL error. */
function requireDataSourceVersion(c: Context<AppEnv>): void {
  if (!hasDataSources(c.get('version'))) {
    throw errors.invalidRequestUrl(
      'Data sources exist from Notion-Version 2025-09-03 on; under 2022-06-28 use the /v1/databases endpoints.',
    );
  }
}

/** How a list envelope's JSON begins, up to inside its `results` array. */
const LIST_HEAD = '{"object":"list","results":[';

export function databasesRoutes(deps: AppDeps) {
  const r = new Hono<AppEnv>();
  const database = (c: Context<AppEnv>, rec: DatabaseRecord) =>
    can(c.get('actor'), 'read_content')
      ? presentDatabase(rec.row, rec.dataSources, presentCtx(c, deps))
      : { object: 'database', id: rec.row.id };
  const dataSource = (c: Context<AppEnv>, rec: DataSourceRecord) =>
    can(c.get('actor'), 'read_content')
      ? presentDataSource(rec.row, rec.database, presentCtx(c, deps))
      : { object: 'data_source', id: rec.row.id, properties: {} };

  r.post('/databases', async (c) => {
    authorize(c, 'databases.create');
    const body = parseWith(createDatabaseBody(c.get('version')), c.get('body')) as CreateDatabaseBody;
    const rec = await deps.store.transaction(
      (tx) => createDatabase(tx, opEnv(c, deps), body),
      writeOptions(c),
    );
    return ok(c, database(c, rec));
  });

  r.get('/databases/:database_id', async (c) => {
    authorize(c, 'databases.retrieve');
    const id = pathId(c, 'database_id');
    const rec = await deps.store.transaction((tx) => getDatabase(tx, opEnv(c, deps), id));
    return ok(c, database(c, rec));
  });

  r.patch('/databases/:database_id', async (c) => {
    authorize(c, 'databases.update');
    const id = pathId(c, 'database_id');
    const body = parseWith(updateDatabaseBody(c.get('version')), c.get('body')) as UpdateDatabaseBody;
    const rec = await deps.store.transaction(
      (tx) => updateDatabase(tx, opEnv(c, deps), id, body),
      writeOptions(c),
    );
    return ok(c, database(c, rec));
  });

  r.post('/data_sources', async (c) => {
    requireDataSourceVersion(c);
    authorize(c, 'data_sources.create');
    const body = parseWith(CreateDataSourceBody, c.get('body'));
    const rec = await deps.store.transaction(
      (tx) => createDataSource(tx, opEnv(c, deps), body),
      writeOptions(c),
    );
    return ok(c, dataSource(c, rec));
  });

  r.get('/data_sources/:data_source_id', async (c) => {
    requireDataSourceVersion(c);
    authorize(c, 'data_sources.retrieve');
    const id = pathId(c, 'data_source_id');
    const rec = await deps.store.transaction((tx) => getDataSource(tx, opEnv(c, deps), id));
    return ok(c, dataSource(c, rec));
  });

  r.patch('/data_sources/:data_source_id', async (c) => {
    requireDataSourceVersion(c);
    authorize(c, 'data_sources.update');
    const id = pathId(c, 'data_source_id');
    const body = parseWith(updateDataSourceBody(c.get('version')), c.get('body')) as UpdateDataSourceBody;
    const rec = await deps.store.transaction(
      (tx) => updateDataSource(tx, opEnv(c, deps), id, body),
      writeOptions(c),
    );
    return ok(c, dataSource(c, rec));
  });

  /** Runs a query and answers Notion's list of pages. */
  async function runQuery(
    c: Context<AppEnv>,
    resolve: (tx: StoreTx) => Promise<string>,
    type: string,
    token?: TokenCheck,
  ) {
    const body = parseWith(queryBody(c.get('version')), c.get('body')) as QueryBody;
    const { from, limit } = bodyPagination(body);
    const env = opEnv(c, deps);
    // A query only reads (Store.read); on Postgres a deferred bearer token is confirmed by its
    // first statement, the data source's visibility (`confirmingToken`), and the read is checked
    // rather than wrapped in BEGIN and COMMIT (`ReadOptions.checked`).
    const result = await deps.store.read(
      async (tx) =>
        queryDataSource(tx, env, await resolve(tx), { body, from, limit, version: c.get('version') }),
      { checked: true, ...(token ? { token } : {}) },
    );
    const ctx = presentCtx(c, deps);
    const only = filterProperties(c);
    // The pages' JSON made with their stored values spliced in (present/page.present.ts), put
    // into the list's own: `{"object":"list","results":[]…` with the array filled.
    const out = [LIST_HEAD];
    let mentioned = false;
    for (const [k, r] of result.records.entries()) {
      const json = presentPageJson(r.row, ctx, r.source, only);
      // Whether the answer holds a mention, known without scanning the 200 KB written (it cost
      // as much as writing it into the buffer): only a page that may hold one is scanned.
      if (!mentioned && pageMayHoldMention(r.row, r.source)) mentioned = holdsMention(json);
      out.push(k === 0 ? json : `,${json}`);
    }
    const list = JSON.stringify(presentList([], result.next, type));
    out.push(list.slice(LIST_HEAD.length, -1));
    return okParts(
      c,
      out,
      () =>
        presentList(
          result.records.map((r) => presentPage(r.row, ctx, r.source, only)),
          result.next,
          type,
        ),
      mentioned,
    );
  }

  r.post('/data_sources/:data_source_id/query', (c) =>
    confirmingToken(c, async (token) => {
      requireDataSourceVersion(c);
      authorize(c, 'data_sources.query');
      const id = pathId(c, 'data_source_id');
      return runQuery(c, async () => id, 'page_or_data_source', token);
    }),
  );

  r.post('/databases/:database_id/query', async (c) => {
    if (hasDataSources(c.get('version'))) {
      throw errors.invalidRequestUrl(
        `From Notion-Version 2025-09-03 on, query a data source: POST /v1/data_sources/{data_source_id}/query (GET /v1/databases/{database_id} lists them).`,
      );
    }
    authorize(c, 'databases.query');
    const id = pathId(c, 'database_id');
    const env = opEnv(c, deps);
    return runQuery(
      c,
      async (tx) => (await singleDataSource(tx, await getDatabase(tx, env, id))).id,
      'page_or_database',
    );
  });

  r.get('/data_sources/:data_source_id/templates', async (c) => {
    requireDataSourceVersion(c);
    authorize(c, 'data_sources.templates');
    const id = pathId(c, 'data_source_id');
    const { from, limit } = queryPagination(c);
    const name = c.req.query('name') ?? null;
    const page = await deps.store.transaction((tx) =>
      listTemplates(tx, opEnv(c, deps), id, name, from, limit),
    );
    return okWithoutRequestId(c, presentTemplates(page.items, page.next));
  });

  return r;
}
