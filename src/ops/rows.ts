/**
 * Keeping a data source's derived table in step with its pages: every write of a row page
 * re-derives its typed columns in the same transaction; schema changes add, drop or re-derive
 * columns.
 */
import { convertValue, referencedIds, startingOptions } from '../domain/properties/convert.ts';
import type { SchemaChange } from '../domain/properties/schema.ts';
import { payloadOf, type Schema, type SelectOption } from '../domain/properties/types.ts';
import type { StoredValues } from '../domain/properties/values.ts';
import { plainText } from '../domain/rich-text.ts';
import { pageTitle } from '../present/page.present.ts';
import { propertyValue } from '../present/property-values.present.ts';
import { deriveColumns } from '../query/columns.ts';
import type { BlockRow, DerivedRow, StoreTx } from '../store/store.ts';
import { canSee, type OpEnv } from './env.ts';

/** A page's stored property values. */
export function storedOf(row: Pick<BlockRow, 'properties'>): StoredValues {
  return (row.properties ? JSON.parse(row.properties) : {}) as StoredValues;
}

/** The derived row of one page (`stored`: its values, when the caller has them parsed). */
export function derivedRow(schema: Schema, page: BlockRow, stored = storedOf(page)): DerivedRow {
  const row: DerivedRow = {
    page_id: page.id,
    created_time: page.created_time,
    last_edited_time: page.last_edited_time,
    created_by: page.created_by,
    last_edited_by: page.last_edited_by,
    in_trash: page.in_trash,
  };
  for (const prop of schema)
    Object.assign(row, deriveColumns(prop, propertyValue(prop, stored[prop.id], page)));
  return row;
}

export async function syncRows(
  tx: StoreTx,
  dataSourceId: string,
  schema: Schema,
  pages: readonly BlockRow[],
) {
  await tx.rows.upsert(
    dataSourceId,
    pages.map((p) => derivedRow(schema, p)),
  );
}

/**
 * Re-derives one page's row after a change made outside the row operations (trash or edit
 * times set through the block endpoints); a no-op for pages outside data sources.
 */
export async function resyncRow(tx: StoreTx, pageId: string): Promise<void> {
  const page = await tx.blocks.get(pageId);
  if (page?.type !== 'page' || page.parent_type !== 'data_source_id' || !page.parent_id) return;
  const ds = await tx.blocks.get(page.parent_id);
  if (!ds?.properties) return;
  await syncRows(tx, ds.id, JSON.parse(ds.properties) as Schema, [page]);
}

/** Every page of a data source, trashed ones included, in creation order, in batches. */
async function* allRows(tx: StoreTx, dataSourceId: string): AsyncGenerator<BlockRow[]> {
  let after: BlockRow | null = null;
  for (;;) {
    const batch = await tx.blocks.rowsOf(dataSourceId, after, 500);
    if (batch.length === 0) return;
    yield batch;
    after = batch.at(-1)!;
  }
}

/**
 * User names and page titles that retyped people and relation values of `batch` refer to; the
 * titles only of pages the integration can see, so that a conversion reveals nothing new.
 */
async function referencedNames(
  tx: StoreTx,
  env: OpEnv,
  changes: readonly SchemaChange[],
  batch: readonly BlockRow[],
): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const c of changes) {
    if (c.kind !== 'retyped') continue;
    for (const page of batch)
      for (const id of referencedIds(c.before, storedOf(page)[c.before.id])) ids.add(id);
  }
  const names = new Map<string, string>();
  if (ids.size === 0) return names;
  const pages = await tx.blocks.getMany([...ids]);
  for (const row of pages) if (await canSee(tx, env, row.id)) names.set(row.id, plainText(pageTitle(row)));
  const pageIds = new Set(pages.map((p) => p.id));
  for (const id of ids) {
    if (pageIds.has(id)) continue;
    const user = await tx.users.get(id);
    if (user?.name) names.set(id, user.name);
  }
  return names;
}

function withOptions(schema: Schema, options: ReadonlyMap<string, SelectOption[]>): Schema {
  return schema.map((p) => {
    const opts = options.get(p.id);
    return opts ? { ...p, [p.type]: { ...payloadOf<Record<string, unknown>>(p), options: opts } } : p;
  });
}

/**
 * Applies schema changes to existing rows: new columns, dropped columns, converted values,
 * unique ids numbered in creation order. Returns the schema with options created by conversions.
 */
export async function applySchemaChanges(
  tx: StoreTx,
  env: OpEnv,
  dataSourceId: string,
  schema: Schema,
  changes: readonly SchemaChange[],
): Promise<Schema> {
  for (const change of changes) {
    if (change.kind === 'added') await tx.rows.addProperty(dataSourceId, change.property);
    if (change.kind === 'removed') await tx.rows.dropProperty(dataSourceId, change.property);
    if (change.kind === 'retyped') {
      await tx.rows.dropProperty(dataSourceId, change.before);
      await tx.rows.addProperty(dataSourceId, change.after);
    }
  }
  const touched = changes.filter((c) => c.kind !== 'removed');
  if (touched.length === 0) return schema;
  const newOptions = new Map<string, SelectOption[]>();
  for (const c of touched) {
    const start = c.kind === 'retyped' ? startingOptions(c.before, c.after) : null;
    if (c.kind === 'retyped' && start) newOptions.set(c.after.id, start);
  }
  const nextUnique = new Map<string, number>();
  for (const c of touched)
    if (c.kind === 'added' && c.property.type === 'unique_id') nextUnique.set(c.property.id, 1);
  for await (const batch of allRows(tx, dataSourceId)) {
    const updated: BlockRow[] = [];
    const names = await referencedNames(tx, env, touched, batch);
    for (const page of batch) {
      const stored = storedOf(page);
      let changed = false;
      for (const c of touched) {
        if (c.kind === 'retyped') {
          const options = newOptions.get(c.after.id) ?? [];
          const next = convertValue(c.before, c.after, stored[c.before.id], options, names);
          if (next) stored[c.after.id] = next;
          else delete stored[c.after.id];
          changed = true;
        } else if (c.kind === 'added' && c.property.type === 'unique_id') {
          const n = nextUnique.get(c.property.id)!;
          stored[c.property.id] = { type: 'unique_id', unique_id: n };
          nextUnique.set(c.property.id, n + 1);
          changed = true;
        }
      }
      const row = changed ? { ...page, properties: JSON.stringify(stored) } : page;
      if (changed) await tx.blocks.update(page.id, { properties: row.properties });
      updated.push(row);
    }
    await syncRows(tx, dataSourceId, withOptions(schema, newOptions), updated);
  }
  return withOptions(schema, newOptions);
}
