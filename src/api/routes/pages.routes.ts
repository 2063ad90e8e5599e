import { Hono } from 'hono';
import { can } from '../../domain/capabilities.ts';
import { getPageMarkdown, updatePageMarkdown } from '../../ops/markdown.ts';
import { createPage, getPage, movePage, type PageRecord, updatePage } from '../../ops/pages.ts';
import { getPropertyItem } from '../../ops/property-items.ts';
import { presentPageMarkdown } from '../../present/markdown.present.ts';
import { presentPage } from '../../present/page.present.ts';
import { presentPropertyItem } from '../../present/property-item.present.ts';
import { GetPageMarkdownQuery, UpdatePageMarkdownBody } from '../../wire/markdown.schema.ts';
import {
  CreatePageBody,
  MovePageBody,
  type UpdatePageBody,
  updatePageBody,
} from '../../wire/pages.schema.ts';
import { parseWith } from '../../wire/validation.ts';
import { answerAsync } from '../async-tasks.ts';
import {
  authorize,
  filterProperties,
  opEnv,
  pathId,
  presentCtx,
  queryPagination,
  writeOptions,
} from '../kit.ts';
import { confirmingToken } from '../middleware/core.ts';
import { ok } from '../respond.ts';
import type { AppDeps, AppEnv } from '../types.ts';

export function pagesRoutes(deps: AppDeps) {
  const r = new Hono<AppEnv>();
  /** Integrations that cannot read content get partial objects back from writes. */
  const page = (c: Parameters<typeof presentCtx>[0], rec: PageRecord) =>
    can(c.get('actor'), 'read_content')
      ? presentPage(rec.row, presentCtx(c, deps), rec.source, filterProperties(c))
      : { object: 'page', id: rec.row.id };

  r.post('/pages', async (c) => {
    authorize(c, 'pages.create');
    const body = parseWith(CreatePageBody, c.get('body'));
    if (body.allow_async) {
      const env = opEnv(c, deps);
      return answerAsync(c, deps, env, 'POST /v1/pages', async (tx) =>
        page(c, await createPage(tx, env, body)),
      );
    }
    const row = await deps.store.transaction((tx) => createPage(tx, opEnv(c, deps), body), writeOptions(c));
    return ok(c, page(c, row));
  });

  r.get('/pages/:page_id', (c) =>
    confirmingToken(c, async (token) => {
      authorize(c, 'pages.retrieve');
      const id = pathId(c, 'page_id');
      const row = await deps.store.read((tx) => getPage(tx, opEnv(c, deps), id), {
        oneStatement: true,
        ...(token ? { token } : {}),
      });
      return ok(c, page(c, row));
    }),
  );

  r.get('/pages/:page_id/properties/:property_id', async (c) => {
    authorize(c, 'pages.properties.retrieve');
    const id = pathId(c, 'page_id');
    const propertyId = c.req.param('property_id');
    const page = queryPagination(c);
    const item = await deps.store.transaction((tx) =>
      getPropertyItem(tx, opEnv(c, deps), id, propertyId, page),
    );
    return ok(c, presentPropertyItem(item, presentCtx(c, deps)));
  });

  r.patch('/pages/:page_id', async (c) => {
    authorize(c, 'pages.update');
    const id = pathId(c, 'page_id');
    const body = parseWith(updatePageBody(c.get('version')), c.get('body')) as UpdatePageBody;
    const row = await deps.store.transaction(
      (tx) => updatePage(tx, opEnv(c, deps), id, body),
      writeOptions(c),
    );
    return ok(c, page(c, row));
  });

  r.post('/pages/:page_id/move', async (c) => {
    authorize(c, 'pages.move');
    const id = pathId(c, 'page_id');
    const body = parseWith(MovePageBody, c.get('body'));
    const row = await deps.store.transaction(
      (tx) => movePage(tx, opEnv(c, deps), id, body.parent),
      writeOptions(c),
    );
    return ok(c, page(c, row));
  });

  r.get('/pages/:page_id/markdown', async (c) => {
    authorize(c, 'pages.markdown.retrieve');
    const id = pathId(c, 'page_id');
    parseWith(GetPageMarkdownQuery, c.req.query(), 'query');
    const md = await deps.store.transaction((tx) => getPageMarkdown(tx, opEnv(c, deps), id));
    return ok(c, presentPageMarkdown(md));
  });

  r.patch('/pages/:page_id/markdown', async (c) => {
    authorize(c, 'pages.markdown.update');
    const id = pathId(c, 'page_id');
    const body = parseWith(UpdatePageMarkdownBody, c.get('body')) as UpdatePageMarkdownBody;
    if (body.allow_async) {
      const { allow_async: _async, ...edit } = body;
      const env = opEnv(c, deps);
      return answerAsync(c, deps, env, 'PATCH /v1/pages/:page_id/markdown', async (tx) =>
        presentPageMarkdown(await updatePageMarkdown(tx, env, id, edit as UpdatePageMarkdownBody)),
      );
    }
    const md = await deps.store.transaction(
      (tx) => updatePageMarkdown(tx, opEnv(c, deps), id, body),
      writeOptions(c),
    );
    return ok(c, presentPageMarkdown(md));
  });

  return r;
}
