/**
 * Applying a sync execution's changes to the data sources its databases are bound to, as the
 * worker's integration through /v1 (so its capabilities and shares decide what it may touch,
 * and every value is checked as any request's would be).
 *
 * A record key's page is the one remembered in `worker_records` (this sync wrote it), else the
 * page whose primary key property holds the key (a row someone else made, as in a two-way sync),
 * else a new page. Each upsert stamps the record with the cycle, so at a cycle's end `replace`
 * mode finds the keys it did not see (`trashStale`).
 */
import type { Client } from '@notionhq/client';
import type { Store, WorkerRow } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import { type DatabaseBindings, manifestOf } from './deploy.ts';
import { apiType, coverOf, iconOf, keyValue, type PropertyConfig, propertyValue } from './values.ts';

export interface SyncChange {
  type: 'upsert' | 'delete';
  key: string;
  targetDatabaseKey?: string;
  properties?: Record<string, unknown>;
  icon?: unknown;
  cover?: unknown;
  pageContentMarkdown?: string;
  upstreamUpdatedAt?: string;
}

const TEXT_KEYS = new Set(['title', 'rich_text', 'url', 'email', 'phone_number']);

function plainOf(prop: { type: string } & Record<string, unknown>): string {
  const v = prop[prop.type];
  if (Array.isArray(v)) return v.map((t: { plain_text?: string }) => t.plain_text ?? '').join('');
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' ? v : '';
}

/** The live page whose primary key property holds `key`, if any. */
async function findByKey(notion: Client, dsId: string, pk: string, pkConfig: PropertyConfig, key: string) {
  const type = apiType(pkConfig);
  let filter: Record<string, unknown>;
  if (TEXT_KEYS.has(type)) filter = { property: pk, [type]: { equals: key } };
  else if (type === 'number' && Number.isFinite(Number(key)))
    filter = { property: pk, number: { equals: Number(key) } };
  else return null;
  const r = await notion.dataSources.query({ data_source_id: dsId, filter: filter as never, page_size: 10 });
  const hit = (r.results as { id: string; properties: Record<string, { type: string }> }[]).find(
    (p) => p.properties[pk] && plainOf(p.properties[pk] as never) === key,
  );
  return hit?.id ?? null;
}

function isMissing(e: unknown): boolean {
  return (e as { code?: string }).code === 'object_not_found';
}

/** A write refused because the page is in the trash already. */
function isTrashed(e: unknown): boolean {
  const x = e as { code?: string; message?: string };
  return x.code === 'validation_error' && /archived|trash/i.test(x.message ?? '');
}

/** Moves a page to the trash; one already there, or gone, is fine. */
async function trash(notion: Client, pageId: string): Promise<void> {
  try {
    await notion.pages.update({ page_id: pageId, in_trash: true });
  } catch (e) {
    if (!isMissing(e) && !isTrashed(e)) throw e;
  }
}

/** Applies `changes`; answers how many records were upserted and deleted. */
export async function applyChanges(
  store: Store,
  notion: Client,
  row: WorkerRow,
  capability: string,
  cycle: number,
  changes: SyncChange[],
  bindings: DatabaseBindings,
): Promise<{ upserted: number; deleted: number }> {
  const decls = manifestOf(row).databases;
  let upserted = 0;
  let deleted = 0;
  for (const change of changes) {
    if (typeof change?.key !== 'string' || change.key === '') throw errors.validation('A change has no key.');
    const dbKey = change.targetDatabaseKey ?? '';
    const decl = decls.find((d) => d.key === dbKey);
    const bound = bindings[dbKey];
    if (!decl || !bound)
      throw errors.validation(`A change names database ${dbKey}, which the worker does not declare.`);
    const pk = decl.config.primaryKeyProperty;
    const pkConfig = decl.config.schema.properties[pk]!;
    const known = await store.transaction((tx) => tx.workers.record(row.name, capability, dbKey, change.key));
    let pageId = known?.page_id ?? null;
    if (change.type === 'delete') {
      pageId ??= await findByKey(notion, bound.data_source_id, pk, pkConfig, change.key);
      if (pageId) await trash(notion, pageId);
      await store.transaction((tx) => tx.workers.deleteRecord(row.name, capability, dbKey, change.key));
      deleted++;
      continue;
    }
    if (change.type !== 'upsert')
      throw errors.validation(`A change of type ${String(change.type)} is not supported.`);
    const properties: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(change.properties ?? {})) {
      const config = decl.config.schema.properties[name];
      if (!config)
        throw errors.validation(`Record ${change.key}: database ${dbKey} declares no property ${name}.`);
      properties[name] = propertyValue(config, value, name);
    }
    properties[pk] ??= keyValue(pkConfig, change.key);
    const icon = iconOf(change.icon);
    const cover = coverOf(change.cover);
    const extras = { ...(icon ? { icon: icon as never } : {}), ...(cover ? { cover: cover as never } : {}) };
    if (pageId) {
      try {
        await notion.pages.update({ page_id: pageId, properties: properties as never, ...extras });
      } catch (e) {
        if (isTrashed(e)) {
          // A record seen again after it was trashed comes back.
          await notion.pages.update({ page_id: pageId, in_trash: false });
          await notion.pages.update({ page_id: pageId, properties: properties as never, ...extras });
        } else if (isMissing(e)) pageId = null;
        else throw e;
      }
    }
    pageId ??= await findByKey(notion, bound.data_source_id, pk, pkConfig, change.key);
    if (pageId && !known) {
      await notion.pages.update({ page_id: pageId, properties: properties as never, ...extras });
    } else if (!pageId) {
      const made = await notion.pages.create({
        parent: { type: 'data_source_id', data_source_id: bound.data_source_id },
        properties: properties as never,
        ...extras,
        ...(change.pageContentMarkdown ? { markdown: change.pageContentMarkdown } : {}),
      } as never);
      pageId = made.id;
    }
    const page = pageId;
    await store.transaction((tx) =>
      tx.workers.putRecord({
        worker_name: row.name,
        capability,
        database_key: dbKey,
        record_key: change.key,
        page_id: page,
        cycle,
      }),
    );
    upserted++;
  }
  return { upserted, deleted };
}

/** Replace mode, at a cycle's end: trashes the pages of keys the cycle did not see; answers how many. */
export async function trashStale(
  store: Store,
  notion: Client,
  row: WorkerRow,
  capability: string,
  cycle: number,
): Promise<number> {
  const stale = await store.transaction((tx) => tx.workers.staleRecords(row.name, capability, cycle));
  for (const r of stale) {
    await trash(notion, r.page_id);
    await store.transaction((tx) =>
      tx.workers.deleteRecord(row.name, capability, r.database_key, r.record_key),
    );
  }
  return stale.length;
}
