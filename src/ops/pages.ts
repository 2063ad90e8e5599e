/**
 * Page use cases: create, retrieve, update (properties, icon, cover, trash, lock), move. Pages
 * under a page carry only a title; pages in a data source carry values checked against its schema.
 */

import { buildBlockTree, countTree } from '../domain/blocks.ts';
import type { ParsedBlock } from '../domain/markdown-blocks-in.ts';
import { payloadOf, type Schema } from '../domain/properties/types.ts';
import { type NormalizedValues, normalizeValues, type ValueContext } from '../domain/properties/values.ts';
import { newId } from '../lib/ids.ts';
import { keyAfter, keyBetween } from '../lib/order-key.ts';
import type { RowSource } from '../present/page.present.ts';
import { MAX_REFERENCES } from '../present/property-values.present.ts';
import type { BlockRow, BlockView, StoreTx, VisibleRow } from '../store/store.ts';
import type { BlockRequest } from '../wire/blocks.schema.ts';
import { errors } from '../wire/errors.ts';
import type { CreatePageBody, UpdatePageBody } from '../wire/pages.schema.ts';
import { bodyError } from '../wire/validation.ts';
import { insertBlockTree, MAX_BLOCKS_PER_REQUEST } from './blocks.ts';
import { type DataSourceRecord, getDatabase, getDataSource, isDataSource, schemaOf } from './databases.ts';
import { canSee, isPage, loadVisible, loadVisibleRow, mentionResolver, type OpEnv } from './env.ts';
import { withComputed } from './formulas.ts';
import { writeMarkdownBlocks } from './markdown-write.ts';
import { childKey, coverColumn, iconColumn, newBlockRow, placeUnder } from './placement.ts';
import { heldLock, lockRowWriters, syncDualRelations, upgradeConflict } from './relations.ts';
import { storedOf, syncRows } from './rows.ts';
import { resolveTemplate, templateValues } from './templates.ts';

/** A page and, for database rows, where it lives. */
/** The markdown parser (micromark, mdast), loaded by the first request that needs it. */
export const markdownParser = () => import('../domain/markdown-blocks-in.ts');

export interface PageRecord {
  row: BlockView;
  source?: RowSource;
}

const ARCHIVED_PAGE = "Can't update a page that is archived. You must unarchive the page before updating.";
export const ARCHIVED_PARENT =
  "Can't edit block that is archived. You must unarchive the block before editing.";

/** The schema of a page outside any database: one title property. */
const PAGE_SCHEMA: Schema = [{ id: 'title', name: 'title', description: null, type: 'title', title: {} }];

/** What value normalization may look up: mentions, users, rows of a related data source. */
export function valueContext(tx: StoreTx, env: OpEnv): ValueContext {
  return {
    resolver: mentionResolver(tx, env),
    userExists: async (id) => (await tx.users.get(id)) !== undefined,
    // A row the integration cannot see is refused like one that does not exist.
    isRowOf: async (pageId, dataSourceId) => {
      const row = await tx.blocks.get(pageId);
      if (row?.type !== 'page' || row.parent_id !== dataSourceId) return false;
      return canSee(tx, env, pageId);
    },
  };
}

function sourceOf(ds: DataSourceRecord, schema?: Schema): RowSource {
  return { schema: schema ?? schemaOf(ds.row), dataSourceId: ds.row.id, databaseId: ds.database.id };
}

/**
 * Where the rows of data source `ds` live: its schema and ids. The schema is shared between
 * calls with the same stored text (frozen: nothing may change it); parsing it again for every
 * page read was a few per cent of a GET.
 */
export function rowSourceOf(ds: Pick<BlockRow, 'id' | 'parent_id' | 'properties'>): RowSource {
  return { schema: sharedSchemaOf(ds), dataSourceId: ds.id, databaseId: ds.parent_id! };
}

/** Parsed schemas by their stored text, the most recently used last. */
const parsedSchemas = new Map<string, Schema>();
const PARSED_SCHEMAS = 64;

/**
 * The schema of data source `ds`, shared between calls with the same stored text and frozen.
 * Presenters remember per-schema work (property-values.present.ts) by this object.
 */
export function sharedSchemaOf(ds: Pick<BlockRow, 'properties'>): Schema {
  const text = ds.properties ?? '';
  let schema = parsedSchemas.get(text);
  if (schema) {
    parsedSchemas.delete(text);
  } else {
    schema = deepFreeze(schemaOf(ds));
    if (parsedSchemas.size >= PARSED_SCHEMAS) parsedSchemas.delete(parsedSchemas.keys().next().value!);
  }
  parsedSchemas.set(text, schema);
  return schema;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The page record of a row as operations return it. */
export async function pageRecord(
  tx: StoreTx,
  env: OpEnv,
  row: BlockView,
  /** Page objects compute rollups and show formula references from 25 related pages. */
  limit: number = MAX_REFERENCES,
): Promise<PageRecord> {
  if (row.parent_type !== 'data_source_id' || !row.parent_id) return { row };
  return pageRecordIn(tx, env, row, (await tx.blocks.get(row.parent_id)) ?? null, limit);
}

/** `pageRecord` with the row's data source (as `getVisibleRow` reads it) already read. */
export async function pageRecordIn(
  tx: StoreTx,
  env: OpEnv,
  row: BlockView,
  ds: Pick<BlockRow, 'id' | 'parent_id' | 'properties'> | null,
  limit: number = MAX_REFERENCES,
): Promise<PageRecord> {
  if (row.parent_type !== 'data_source_id' || !row.parent_id || !ds) return { row };
  return (await withComputed(tx, env, [{ row, source: rowSourceOf(ds) }], { rollupLimit: limit }))[0]!;
}

/** The data source a new row goes into, from a `data_source_id` or single-source `database_id`. */
async function rowParent(tx: StoreTx, env: OpEnv, parent: { data_source_id?: string; database_id?: string }) {
  if (parent.data_source_id) return getDataSource(tx, env, parent.data_source_id);
  const db = await getDatabase(tx, env, parent.database_id!);
  const live = db.dataSources.filter((d) => !d.in_trash);
  if (live.length !== 1) {
    throw errors.validation(
      `Database ${db.row.id} has ${live.length} data sources; create the page with a data_source_id parent.`,
    );
  }
  return { row: live[0]!, database: db.row };
}

/** A row write's data source as read under its lock, and the request's values for its schema. */
interface LockedRowWrite {
  current: BlockView;
  norm: NormalizedValues;
}

/**
 * Locks the data source of a row write (relations.ts `lockRowWriters`): exclusively when the write
 * adds options to the schema, assigns unique ids (a new row) or writes a two-way relation, else
 * shared, so that writers of different rows of one data source do not wait for each other. The
 * mode is decided on the data source as read before the lock (`unlocked`) and checked on it as
 * read under the lock: when the schema changed meanwhile the values are normalized again, and if
 * a shared lock turns out too weak the transaction is run again (never upgraded in place: two
 * shared holders upgrading would deadlock).
 */
async function lockForRowWrite(
  tx: StoreTx,
  env: OpEnv,
  unlocked: BlockView | NonNullable<VisibleRow['dataSource']>,
  request: Record<string, unknown>,
  isNew: boolean,
): Promise<LockedRowWrite> {
  const ctx = valueContext(tx, env);
  const pre = await normalizeValues(schemaOf(unlocked), request, ctx);
  const mode = needsExclusive(pre, isNew) ? 'exclusive' : 'shared';
  const current =
    (await lockRowWriters(tx, unlocked.id, [], mode)) ?? ('type' in unlocked ? unlocked : undefined);
  if (!current) throw errors.notFound('data_source', unlocked.id);
  if (current.properties === unlocked.properties) return { current, norm: pre };
  const norm = await normalizeValues(schemaOf(current), request, ctx);
  if (heldLock(tx, unlocked.id) === 'shared' && needsExclusive(norm, isNew)) upgradeConflict(unlocked.id);
  return { current, norm };
}

/** Whether a row write must hold its data source exclusively (see lockForRowWrite). */
function needsExclusive(norm: NormalizedValues, isNew: boolean): boolean {
  if (norm.schemaChanged) return true;
  if (isNew && norm.schema.some((p) => p.type === 'unique_id')) return true;
  return norm.schema.some(
    (p) =>
      p.type === 'relation' &&
      p.id in norm.values &&
      payloadOf<{ type?: string }>(p).type === 'dual_property',
  );
}

/** Writes values into a data source's page: schema options, unique ids, relations, derived row. */
async function writeRowValues(
  tx: StoreTx,
  env: OpEnv,
  ds: DataSourceRecord,
  page: BlockRow,
  request: Record<string, unknown>,
  isNew: boolean,
  /** The lock already taken (updatePage takes it before reading the page). */
  locked?: LockedRowWrite,
): Promise<{ row: BlockRow; schema: Schema }> {
  // The schema as read under the lock: a concurrent writer may have added options.
  const { norm } = locked ?? (await lockForRowWrite(tx, env, ds.row, request, isNew));
  const before = storedOf(page);
  if (norm.schemaChanged) await tx.blocks.update(ds.row.id, { properties: JSON.stringify(norm.schema) });
  const after = { ...before, ...norm.values };
  if (isNew) {
    for (const prop of norm.schema.filter((p) => p.type === 'unique_id')) {
      const max = await tx.rows.maxNumber(ds.row.id, prop);
      after[prop.id] = { type: 'unique_id', unique_id: (max ?? 0) + 1 };
    }
  }
  const row = { ...page, properties: JSON.stringify(after) };
  await syncDualRelations(tx, env, norm.schema, page.id, before, after);
  return { row, schema: norm.schema };
}

export async function createPage(tx: StoreTx, env: OpEnv, body: CreatePageBody): Promise<PageRecord> {
  const asksTemplate = body.template !== undefined && body.template.type !== 'none';
  if (asksTemplate) {
    // The template gives the content: nothing else may.
    for (const k of ['children', 'content', 'markdown'] as const)
      if (body[k] !== undefined) throw bodyError([k], 'should be not present with `template`', undefined);
    if ('page_id' in body.parent || 'workspace' in body.parent) {
      throw bodyError(
        ['template'],
        'should be `{"type":"none"}` or absent: templates belong to data sources (parent data_source_id or database_id)',
        body.template,
      );
    }
  }
  if (body.children && body.content) throw bodyError(['content'], 'should be not present', body.content);
  if (body.markdown !== undefined && (body.children || body.content)) {
    throw bodyError(
      [body.children ? 'children' : 'content'],
      'should be not present with `markdown`',
      undefined,
    );
  }
  const fromMarkdown = body.markdown === undefined ? undefined : await markdownContent(body.markdown, body);
  const parent = body.parent;
  // A member signed in to the browser app acts for themself, so may create workspace-level pages.
  if ('workspace' in parent && !env.actor.person) {
    throw errors.validation('Only public integrations acting for a user can create workspace-level pages.');
  }
  const children: BlockRequest[] = body.children ?? body.content ?? [];
  if (countTree(children) + 1 > MAX_BLOCKS_PER_REQUEST) {
    throw bodyError(
      ['children'],
      `should contain at most \`${MAX_BLOCKS_PER_REQUEST}\` blocks`,
      countTree(children),
    );
  }
  const id = newId();
  const base = newBlockRow(env.actor.botUserId, env.now, {
    id,
    type: 'page',
    parent_type: 'page_id',
    parent_id: null,
    sort_key: 'V',
    data: '{}',
    icon: body.icon ? await iconColumn(tx, env, body.icon) : null,
    cover: body.cover ? await coverColumn(tx, env, body.cover) : null,
  });
  let row: BlockRow;
  let source: RowSource | undefined;
  let templateContent: ParsedBlock[] | null = null;
  if ('page_id' in parent || 'workspace' in parent) {
    const parentRow = 'page_id' in parent ? await loadVisible(tx, env, parent.page_id, 'page', isPage) : null;
    if (parentRow?.in_trash) throw errors.validation(ARCHIVED_PARENT);
    const props = fromMarkdown?.title
      ? { ...body.properties, title: fromMarkdown.title }
      : (body.properties ?? {});
    const norm = await normalizeValues(PAGE_SCHEMA, props, valueContext(tx, env));
    const properties = { title: norm.values.title ?? { type: 'title', title: [] } };
    row = {
      ...base,
      parent_type: parentRow ? 'page_id' : 'workspace',
      parent_id: parentRow?.id ?? null,
      sort_key: parentRow ? await childKey(tx, parentRow.id, body.position) : await workspaceKey(tx),
      properties: JSON.stringify({ title: { id: 'title', ...properties.title } }),
    };
    await tx.blocks.insertMany([row]);
  } else {
    const ds = await rowParent(tx, env, parent);
    if (ds.row.in_trash || ds.database.in_trash) throw errors.validation(ARCHIVED_PARENT);
    const template = await resolveTemplate(tx, ds.row.id, body.template);
    const placed = {
      ...base,
      parent_type: 'data_source_id' as const,
      parent_id: ds.row.id,
      // The template's values first; the request's own values are written over them.
      ...(template
        ? {
            properties: JSON.stringify(templateValues(template, schemaOf(ds.row))),
            icon: base.icon ?? template.icon,
          }
        : {}),
    };
    if (template) templateContent = (await markdownParser()).markdownToBlocks(template.markdown);
    const written = await writeRowValues(tx, env, ds, placed, body.properties ?? {}, true);
    row = written.row;
    await tx.blocks.insertMany([row]);
    await syncRows(tx, ds.row.id, written.schema, [row]);
    source = sourceOf(ds, written.schema);
  }
  const tree = await buildBlockTree(children, id, mentionResolver(tx, env), newId);
  await insertBlockTree(tx, env, tree, null);
  const markdownBlocks = fromMarkdown?.blocks ?? templateContent;
  if (markdownBlocks && markdownBlocks.length > 0) {
    const page = (await tx.blocks.get(id))!;
    await writeMarkdownBlocks(tx, env, page, {
      blocks: markdownBlocks,
      removed: [],
      page: [],
      after: null,
      allowDeleting: false,
    });
  }
  return (
    await withComputed(tx, env, [{ row: (await tx.blocks.get(id))!, ...(source ? { source } : {}) }])
  )[0]!;
}

/** A sort key after the last workspace-level page. */
async function workspaceKey(tx: StoreTx): Promise<string> {
  const last = (await tx.blocks.listWorkspacePages()).at(-1)?.sort_key ?? null;
  return last ? keyAfter(last) : keyBetween(null, null);
}

/**
 * The blocks of a new page's `markdown`; when a page parent gets no title, the first top-level
 * `# heading` becomes the title instead of a block.
 */
async function markdownContent(
  markdown: string,
  body: CreatePageBody,
): Promise<{ blocks: ParsedBlock[]; title?: unknown }> {
  const blocks = (await markdownParser()).markdownToBlocks(markdown);
  if (!('page_id' in body.parent) || body.properties?.title !== undefined) return { blocks };
  const at = blocks.findIndex((b) => b.kind === 'new' && b.type === 'heading_1');
  const heading = blocks[at];
  if (heading?.kind !== 'new') return { blocks };
  return {
    blocks: [...blocks.slice(0, at), ...heading.children, ...blocks.slice(at + 1)],
    title: heading.payload.rich_text,
  };
}

export async function getPage(tx: StoreTx, env: OpEnv, id: string): Promise<PageRecord> {
  const { row, dataSource } = await loadVisibleRow(tx, env, id, 'page', isPage);
  return pageRecordIn(tx, env, row, dataSource);
}

export async function updatePage(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  body: UpdatePageBody,
): Promise<PageRecord> {
  await writePageUpdate(tx, env, id, body);
  return pageRecord(tx, env, (await tx.blocks.get(id))!);
}

/**
 * `updatePage` without the page object it answers (an automation's step keeps the page's id
 * only: reading the page back and computing its formulas and rollups would be wasted); answers
 * the page's id as stored. `known`:
 * the page as this transaction read it for the same actor with `getVisibleRow`, so that it is
 * not read again before the locks (it is read again under them).
 */
export async function writePageUpdate(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  body: UpdatePageBody,
  known?: VisibleRow,
): Promise<string> {
  const hint = known?.row.id === id && isPage(known.row) ? known : undefined;
  let current = hint?.row ?? (await loadVisible(tx, env, id, 'page', isPage));
  let lockedDs: BlockView | undefined;
  let locked: LockedRowWrite | undefined;
  if (current.parent_type === 'data_source_id' && current.parent_id) {
    // Writers of one data source's rows hold its lock (shared unless the write changes its
    // schema, two-way relations or unique ids) and the lock of the row they write; the row is
    // read again once both are held. The data source as read with the page (its schema decides
    // the lock's mode and is checked again under the lock).
    const unlocked =
      hint?.dataSource?.id === current.parent_id ? hint.dataSource : await tx.blocks.get(current.parent_id);
    if (unlocked && (unlocked === hint?.dataSource || isDataSource(unlocked as BlockView))) {
      locked = await lockForRowWrite(tx, env, unlocked, body.properties ?? {}, false);
      lockedDs = locked.current;
    } else lockedDs = await lockRowWriters(tx, current.parent_id);
    current = (await tx.blocks.getForWrite(id)) ?? current;
  } else if (tx.blocks.rowLocks) {
    // A page outside a data source is written whole too: read again under its row's lock, so
    // two writers racing (an icon and a title, say) both keep their change (SQLite has one
    // writer at a time: what was read is what is there).
    current = (await tx.blocks.getForWrite(id)) ?? current;
  }
  if (body.is_archived !== undefined) throw errors.unsupported('is_archived');
  if (body.in_trash !== undefined && body.archived !== undefined && body.in_trash !== body.archived) {
    throw bodyError(['archived'], 'should be not present', body.archived);
  }
  const trash = body.in_trash ?? body.archived;
  if (current.in_trash && trash !== false) throw errors.validation(ARCHIVED_PAGE);
  let row: BlockRow = { ...current, last_edited_time: env.now, last_edited_by: env.actor.botUserId };
  if (trash !== undefined) row.in_trash = trash ? 1 : 0;
  if (body.is_locked !== undefined) row.is_locked = body.is_locked ? 1 : 0;
  if (body.icon !== undefined) row.icon = await iconColumn(tx, env, body.icon);
  if (body.cover !== undefined) row.cover = await coverColumn(tx, env, body.cover);
  // The data source as read under its lock (unless the page moved meanwhile).
  const dsRow =
    current.parent_type === 'data_source_id'
      ? lockedDs?.id === current.parent_id
        ? lockedDs
        : await tx.blocks.get(current.parent_id!)
      : undefined;
  const asked = body.template as Parameters<typeof resolveTemplate>[2];
  const template =
    asked && asked.type !== 'none' && dsRow && isDataSource(dsRow)
      ? await resolveTemplate(tx, dsRow.id, asked)
      : null;
  if (asked && asked.type !== 'none' && !template) {
    throw bodyError(
      ['template'],
      'should be absent: templates apply to pages of a data source',
      body.template,
    );
  }
  if (template && dsRow) {
    // The template's values over the page's, the request's over both; its icon unless one is given.
    row.properties = JSON.stringify({ ...storedOf(row), ...templateValues(template, schemaOf(dsRow)) });
    if (body.icon === undefined && template.icon) row.icon = template.icon;
  }
  if (dsRow && isDataSource(dsRow)) {
    const ds = { row: dsRow, database: (await tx.blocks.get(dsRow.parent_id!))! };
    // The lock taken above holds unless the page moved meanwhile (then it is taken here).
    const same = locked?.current.id === dsRow.id ? locked : undefined;
    const written = await writeRowValues(tx, env, ds, row, body.properties ?? {}, false, same);
    row = written.row;
    await tx.blocks.update(id, withoutKey(row));
    await syncRows(tx, ds.row.id, written.schema, [row]);
  } else {
    if (body.properties) {
      const norm = await normalizeValues(PAGE_SCHEMA, body.properties, valueContext(tx, env));
      if (norm.values.title)
        row.properties = JSON.stringify({ title: { id: 'title', ...norm.values.title } });
    }
    await tx.blocks.update(id, withoutKey(row));
  }
  if (body.erase_content || template)
    await replaceContent(tx, env, id, body.erase_content === true, template);
  return current.id;
}

/**
 * `erase_content` trashes the page's content; a template's content is then written (after what
 * is left, at the end, when the content was kept).
 */
async function replaceContent(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  erase: boolean,
  template: Awaited<ReturnType<typeof resolveTemplate>>,
): Promise<void> {
  await tx.blocks.lockChildren(id);
  let last: string | null = null;
  let from: string | null = null;
  do {
    const page = await tx.blocks.listChildren(id, from, 100);
    for (const child of page.items) {
      if (erase) {
        await tx.blocks.update(child.id, {
          in_trash: 1,
          last_edited_time: env.now,
          last_edited_by: env.actor.botUserId,
        });
      } else last = child.id;
    }
    from = page.next;
  } while (from);
  const blocks = template ? (await markdownParser()).markdownToBlocks(template.markdown) : [];
  if (blocks.length === 0) return;
  await writeMarkdownBlocks(tx, env, (await tx.blocks.get(id))!, {
    blocks,
    removed: [],
    page: [],
    after: last,
    allowDeleting: false,
  });
}

/** The updatable columns of a row (no key, no creation fields, nothing derived). */
function withoutKey(row: BlockRow & { has_children?: boolean }): Partial<BlockRow> {
  const { id: _id, created_time: _c, created_by: _b, has_children: _h, ...rest } = row;
  return rest;
}

export async function movePage(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  parent: { page_id: string } | { data_source_id: string },
): Promise<PageRecord> {
  const row = await loadVisible(tx, env, id, 'page', isPage);
  if ('data_source_id' in parent) {
    throw errors.unsupported('moving pages into a data source (Octavo moves pages between pages only)');
  }
  if (row.parent_type === 'data_source_id') {
    throw errors.unsupported('moving database rows out of their data source');
  }
  // Moves take turns (docs/ARCHITECTURE.md, "The page tree under concurrent writers"): the
  // target and its ancestors are read once every earlier move has committed.
  await tx.blocks.lockTree();
  const target = await loadVisible(tx, env, parent.page_id, 'page', isPage);
  await placeUnder(tx, id, target, 'A page cannot be moved into itself or one of its descendants.');
  await tx.blocks.update(id, { last_edited_time: env.now, last_edited_by: env.actor.botUserId });
  return pageRecord(tx, env, (await tx.blocks.get(id))!);
}
