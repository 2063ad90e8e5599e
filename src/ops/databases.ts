/**
 * Databases and data sources. A database is a block of type `database` inside a page (shown as
 * `child_database`); each of its data sources is a block of type `data_source` below it that
 * carries the schema. Rows are pages whose parent is the data source.
 */

import {
  buildSchema,
  type SchemaContext,
  type SchemaResult,
  updateSchema,
} from '../domain/properties/schema.ts';
import type { Schema } from '../domain/properties/types.ts';
import { normalizeRichText, plainText, type RichText } from '../domain/rich-text.ts';
import { newId } from '../lib/ids.ts';
import { keyAfter, keyBetween } from '../lib/order-key.ts';
import type { BlockRow, BlockView, StoreTx } from '../store/store.ts';
import type {
  CreateDatabaseBody,
  CreateDataSourceBody,
  UpdateDatabaseBody,
  UpdateDataSourceBody,
} from '../wire/databases.schema.ts';
import { errors } from '../wire/errors.ts';
import type { PropertyRequest } from '../wire/property-schema.schema.ts';
import { bodyError } from '../wire/validation.ts';
import { canSee, loadVisible, mentionResolver, type OpEnv } from './env.ts';
import { childKey, coverOf, iconOf, type NewRowFields, newBlockRow, placeUnder } from './placement.ts';
import { dualTargets, lockRowWriters } from './relations.ts';
import { applySchemaChanges } from './rows.ts';
import { createDefaultView } from './views.ts';

/** A database with its data sources, as operations hand them to presenters. */
export interface DatabaseRecord {
  row: BlockView;
  dataSources: BlockView[];
}

export const isDatabase = (row: BlockView) => row.type === 'database';
export const isDataSource = (row: BlockView) => row.type === 'data_source';

export function schemaOf(row: Pick<BlockRow, 'properties'>): Schema {
  return row.properties ? (JSON.parse(row.properties) as Schema) : [];
}

export function titleOf(row: Pick<BlockRow, 'data'>): RichText {
  return (JSON.parse(row.data) as { title?: RichText }).title ?? [];
}

const DEFAULT_SCHEMA: Record<string, PropertyRequest> = { Name: { type: 'title', config: {} } };

function schemaContext(
  tx: StoreTx,
  env: OpEnv,
  self: { dataSourceId: string; databaseId: string },
): SchemaContext {
  return {
    self,
    relationTarget: async (ref) => {
      if (ref.dataSourceId) {
        const ds = await tx.blocks.get(ref.dataSourceId);
        if (!ds || !isDataSource(ds) || !(await canSee(tx, env, ds.id))) return null;
        return { dataSourceId: ds.id, databaseId: ds.parent_id! };
      }
      const db = await tx.blocks.get(ref.databaseId!);
      if (!db || !isDatabase(db) || !(await canSee(tx, env, db.id))) return null;
      const sources = await dataSourcesOf(tx, db.id);
      if (sources.length !== 1) return null;
      return { dataSourceId: sources[0]!.id, databaseId: db.id };
    },
    workspaceId: async () => (await tx.meta.get('workspace_id')) ?? null,
    loadSchema: async (dataSourceId) => {
      const ds = await tx.blocks.get(dataSourceId);
      return ds && isDataSource(ds) ? schemaOf(ds) : null;
    },
  };
}

export async function dataSourcesOf(tx: StoreTx, databaseId: string): Promise<BlockView[]> {
  return (await tx.blocks.listChildren(databaseId, null, 100, { includeDataSources: true })).items.filter(
    isDataSource,
  );
}

function stamp(env: OpEnv) {
  return { last_edited_time: env.now, last_edited_by: env.actor.botUserId };
}

function newRow(env: OpEnv, fields: NewRowFields): BlockRow {
  return newBlockRow(env.actor.botUserId, env.now, fields);
}

/** Adds the reverse side of two-way relations to their target data sources. */
async function applyReverse(tx: StoreTx, env: OpEnv, result: SchemaResult): Promise<void> {
  for (const rev of result.reverse) {
    const target = await tx.blocks.get(rev.dataSourceId);
    if (!target) continue;
    const schema = schemaOf(target);
    let name = rev.property.name;
    for (let n = 2; schema.some((p) => p.name === name); n++) name = `${rev.property.name} ${n}`;
    schema.push({ ...rev.property, name });
    await tx.blocks.update(target.id, { properties: JSON.stringify(schema), ...stamp(env) });
    await tx.rows.addProperty(target.id, rev.property);
  }
}

async function insertDataSource(
  tx: StoreTx,
  env: OpEnv,
  database: BlockRow,
  input: { title: RichText; properties: Record<string, PropertyRequest>; icon?: string | null },
): Promise<BlockRow> {
  const id = newId();
  const ctx = schemaContext(tx, env, { dataSourceId: id, databaseId: database.id });
  const result = await buildSchema(input.properties, ctx, plainText(input.title) || 'Untitled');
  const last = await tx.blocks.lastChildKey(database.id);
  const row = newRow(env, {
    id,
    type: 'data_source',
    parent_type: 'database_id',
    parent_id: database.id,
    sort_key: last ? keyAfter(last) : keyBetween(null, null),
    data: JSON.stringify({ title: input.title, description: [] }),
    properties: JSON.stringify(result.schema),
    icon: input.icon ?? null,
  });
  await tx.blocks.insertMany([row]);
  await tx.rows.createTable(id, result.schema);
  // The targets' schemas gain the reverse properties: read and written under their row writers'
  // lock, as their own row writers add options under it.
  const targets = [...new Set(result.reverse.map((r) => r.dataSourceId))];
  if (targets.length > 0) await lockRowWriters(tx, targets[0]!, targets.slice(1));
  await applyReverse(tx, env, result);
  return row;
}

export async function createDatabase(
  tx: StoreTx,
  env: OpEnv,
  body: CreateDatabaseBody,
): Promise<DatabaseRecord> {
  if ('workspace' in body.parent) {
    throw errors.validation(
      'Only public integrations acting for a user can create workspace-level databases.',
    );
  }
  const parent = await loadVisible(tx, env, body.parent.page_id, 'page', (r) => r.type === 'page');
  if (parent.in_trash)
    throw errors.validation(
      "Can't edit block that is archived. You must unarchive the block before editing.",
    );
  const resolver = mentionResolver(tx, env);
  const title = await normalizeRichText(body.title ?? [], resolver);
  const description = await normalizeRichText(body.description ?? [], resolver);
  const id = newId();
  const row = newRow(env, {
    id,
    type: 'database',
    parent_type: 'page_id',
    parent_id: parent.id,
    sort_key: await childKey(tx, parent.id),
    data: JSON.stringify({ title, description, is_inline: body.is_inline ?? false }),
    icon: body.icon ? JSON.stringify(await iconOf(tx, env, body.icon)) : null,
    cover: body.cover ? JSON.stringify(await coverOf(tx, env, body.cover)) : null,
  });
  await tx.blocks.insertMany([row]);
  const properties = body.properties ?? body.initial_data_source?.properties ?? DEFAULT_SCHEMA;
  const ds = await insertDataSource(tx, env, row, { title, properties });
  await createDefaultView(tx, env, id, ds.id);
  return getDatabase(tx, env, id);
}

export async function getDatabase(tx: StoreTx, env: OpEnv, id: string): Promise<DatabaseRecord> {
  const row = await loadVisible(tx, env, id, 'database', isDatabase);
  const linked = linkedSourceOf(row);
  if (!linked) return { row, dataSources: await dataSourcesOf(tx, id) };
  // A linked database shows its source's data source, to readers who can see that source only.
  const source = await tx.blocks.get(linked);
  const visible = source && isDataSource(source) && (await canSee(tx, env, source.id));
  return { row, dataSources: visible ? [source] : [] };
}

/** The data source a linked database shows (views' `create_database`), or null for a database. */
export function linkedSourceOf(row: Pick<BlockRow, 'data'>): string | null {
  return (JSON.parse(row.data) as { linked_data_source_id?: string }).linked_data_source_id ?? null;
}

/** The one data source of a database, as the 2022-06-28 shapes need; two or more is an error. */
export async function singleDataSource(tx: StoreTx, db: DatabaseRecord): Promise<BlockView> {
  const live = db.dataSources.filter((d) => !d.in_trash);
  if (live.length !== 1) {
    throw errors.validation(
      `Database ${db.row.id} has ${live.length} data sources; use Notion-Version 2025-09-03 or later to work with it.`,
    );
  }
  void tx;
  return live[0]!;
}

function trashFlag(body: { in_trash?: boolean; archived?: boolean }): boolean | undefined {
  if (body.in_trash !== undefined && body.archived !== undefined && body.in_trash !== body.archived) {
    throw bodyError(['archived'], 'should be not present', body.archived);
  }
  return body.in_trash ?? body.archived;
}

export async function updateDatabase(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  body: UpdateDatabaseBody,
): Promise<DatabaseRecord> {
  const db = await getDatabase(tx, env, id);
  const trash = trashFlag(body);
  if (db.row.in_trash && trash !== false) {
    throw errors.validation(
      "Can't edit block that is archived. You must unarchive the block before editing.",
    );
  }
  const data = JSON.parse(db.row.data) as { title: RichText; description: RichText; is_inline: boolean };
  const resolver = mentionResolver(tx, env);
  if (body.title) data.title = await normalizeRichText(body.title, resolver);
  if (body.description) data.description = await normalizeRichText(body.description, resolver);
  if (body.is_inline !== undefined) data.is_inline = body.is_inline;
  const patch: Partial<BlockRow> = { data: JSON.stringify(data), ...stamp(env) };
  if (trash !== undefined) patch.in_trash = trash ? 1 : 0;
  if (body.is_locked !== undefined) patch.is_locked = body.is_locked ? 1 : 0;
  if (body.icon !== undefined)
    patch.icon = body.icon === null ? null : JSON.stringify(await iconOf(tx, env, body.icon));
  if (body.cover !== undefined)
    patch.cover = body.cover === null ? null : JSON.stringify(await coverOf(tx, env, body.cover));
  if (body.parent) {
    if ('workspace' in body.parent)
      throw errors.validation('Only public integrations can move databases to the workspace.');
    // Moves take turns; the target and its ancestors are read under the tree lock.
    await tx.blocks.lockTree();
    const target = await loadVisible(tx, env, body.parent.page_id, 'page', (r) => r.type === 'page');
    await placeUnder(tx, id, target, 'A database cannot be moved into one of its own pages.');
  }
  await tx.blocks.update(id, patch);
  if (body.properties) {
    const ds = await singleDataSource(tx, db);
    await changeSchema(tx, env, ds, body.properties);
  }
  // A linked database's title is its own; its data source belongs to another database.
  if (body.title && db.dataSources.length === 1 && !linkedSourceOf(db.row)) {
    const ds = db.dataSources[0]!;
    const dsData = JSON.parse(ds.data) as Record<string, unknown>;
    await tx.blocks.update(ds.id, { data: JSON.stringify({ ...dsData, title: data.title }), ...stamp(env) });
  }
  return getDatabase(tx, env, id);
}

async function changeSchema(
  tx: StoreTx,
  env: OpEnv,
  ds: BlockView,
  properties: NonNullable<UpdateDataSourceBody['properties']>,
): Promise<SchemaResult> {
  const ctx = schemaContext(tx, env, { dataSourceId: ds.id, databaseId: ds.parent_id! });
  const title = plainText(titleOf(ds)) || 'Untitled';
  // New two-way relations write their reverse property into the target's schema, so the targets
  // are locked too, all in id order: a first reading of the change names them.
  const preview = await updateSchema(schemaOf(ds), properties, ctx, title);
  await lockRowWriters(tx, ds.id, dualTargets(preview.schema));
  // Row writers hold the same locks while they add options; read the schema again under them.
  const current = (await tx.blocks.get(ds.id)) ?? ds;
  const result = await updateSchema(schemaOf(current), properties, ctx, title);
  await lockRowWriters(tx, ds.id, dualTargets(result.schema));
  const schema = await applySchemaChanges(tx, env, ds.id, result.schema, result.changes);
  await tx.blocks.update(ds.id, { properties: JSON.stringify(schema), ...stamp(env) });
  await applyReverse(tx, env, result);
  return { ...result, schema };
}

export async function createDataSource(
  tx: StoreTx,
  env: OpEnv,
  body: CreateDataSourceBody,
): Promise<DataSourceRecord> {
  const db = await getDatabase(tx, env, body.parent.database_id);
  if (db.row.in_trash)
    throw errors.validation(
      "Can't edit block that is archived. You must unarchive the block before editing.",
    );
  const title = await normalizeRichText(body.title ?? [], mentionResolver(tx, env));
  const icon = body.icon ? JSON.stringify(await iconOf(tx, env, body.icon)) : null;
  const row = await insertDataSource(tx, env, db.row, { title, properties: body.properties, icon });
  return getDataSource(tx, env, row.id);
}

/** A data source with the database that contains it. */
export interface DataSourceRecord {
  row: BlockView;
  database: BlockView;
}

export async function getDataSource(tx: StoreTx, env: OpEnv, id: string): Promise<DataSourceRecord> {
  const row = await loadVisible(tx, env, id, 'data_source', isDataSource);
  return { row, database: (await tx.blocks.get(row.parent_id!))! };
}

export async function updateDataSource(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  body: UpdateDataSourceBody,
): Promise<DataSourceRecord> {
  const { row: ds } = await getDataSource(tx, env, id);
  const trash = trashFlag(body);
  if (ds.in_trash && trash !== false) {
    throw errors.validation(
      "Can't edit block that is archived. You must unarchive the block before editing.",
    );
  }
  const patch: Partial<BlockRow> = { ...stamp(env) };
  if (body.title) {
    const data = JSON.parse(ds.data) as Record<string, unknown>;
    patch.data = JSON.stringify({
      ...data,
      title: await normalizeRichText(body.title, mentionResolver(tx, env)),
    });
  }
  if (trash !== undefined) patch.in_trash = trash ? 1 : 0;
  if (body.icon !== undefined)
    patch.icon = body.icon === null ? null : JSON.stringify(await iconOf(tx, env, body.icon));
  if (body.parent) {
    const target = await getDatabase(tx, env, body.parent.database_id);
    patch.parent_id = target.row.id;
    const last = await tx.blocks.lastChildKey(target.row.id);
    patch.sort_key = last ? keyAfter(last) : keyBetween(null, null);
  }
  await tx.blocks.update(id, patch);
  if (body.properties) await changeSchema(tx, env, (await tx.blocks.get(id))!, body.properties);
  return getDataSource(tx, env, id);
}
