/**
 * Bulk import of data-source rows: many `{"properties": {…}}` bodies (the POST /v1/pages form,
 * checked as that endpoint checks them) written in batches, each batch one transaction. Per
 * batch the data source is locked and its schema read once, unique ids are numbered from one
 * read of their maximum, page rows and derived rows are written with multi-row statements.
 * Acts as the workspace admin, like `octavo page create`: no sharing applies.
 */
import type { Capability } from '../domain/capabilities.ts';
import { normalizeValues, type StoredValues, type ValueContext } from '../domain/properties/values.ts';
import { newId } from '../lib/ids.ts';
import type { BlockRow, Store, StoreTx } from '../store/store.ts';
import { ApiError, errors } from '../wire/errors.ts';
import { CreatePageBody } from '../wire/pages.schema.ts';
import { parseWith } from '../wire/validation.ts';
import { isDataSource, schemaOf } from './databases.ts';
import type { OpEnv } from './env.ts';
import { ARCHIVED_PARENT, valueContext } from './pages.ts';
import { lockRowWriters, syncDualRelations } from './relations.ts';
import { derivedRow } from './rows.ts';
import { createPerson } from './users.ts';
import { ADMIN_EMAIL } from './workspace.ts';

/** One input row: its line number (for messages) and its parsed JSON body. */
export interface ImportLine {
  line: number;
  body: unknown;
}

export interface ImportOptions {
  dataSourceId: string;
  /** Rows per transaction (default 5000). */
  batchSize?: number;
  /** Base of page URLs in mentions. */
  publicUrl?: string;
  /** Called after each committed batch with the rows imported so far. */
  onBatch?: (imported: number) => void;
}

export interface ImportReport {
  rows: number;
  batches: number;
  ms: number;
  rowsPerSecond: number;
}

export const DEFAULT_BATCH = 5000;

/** A line's body: exactly the `properties` member of POST /v1/pages, and nothing else. */
const ImportLineBody = CreatePageBody.pick({ properties: true });

/** The same error with the line it came from in front (no sharing hint: the admin sees all). */
function atLine(line: number, e: unknown): unknown {
  return e instanceof ApiError ? new ApiError(e.code, `line ${line}: ${e.message}`) : e;
}

async function adminEnv(tx: StoreTx, now: string, publicUrl: string): Promise<OpEnv> {
  const admin =
    (await tx.users.getByEmail(ADMIN_EMAIL)) ??
    (await createPerson(tx, { name: 'Admin', email: ADMIN_EMAIL, now }));
  const actor = {
    integrationId: '',
    integrationName: admin.name,
    botUserId: admin.id,
    capabilities: new Set<Capability>(),
    seesEverything: true as const,
  };
  return { actor, now, publicUrl };
}

/** The data source rows go into; a trashed one (or one in a trashed database) refuses them. */
async function loadTarget(tx: StoreTx, dataSourceId: string): Promise<BlockRow> {
  const ds = await tx.blocks.get(dataSourceId);
  if (!ds || !isDataSource(ds))
    throw new ApiError('object_not_found', `no data source with id ${dataSourceId}`);
  const database = await tx.blocks.get(ds.parent_id!);
  if (ds.in_trash || database?.in_trash) throw errors.validation(ARCHIVED_PARENT);
  return ds;
}

/** Lookups repeated by many rows (the same people, the same related pages) asked once per batch. */
function memoized(ctx: ValueContext): ValueContext {
  const users = new Map<string, Promise<boolean>>();
  const rows = new Map<string, Promise<boolean>>();
  const once = (m: Map<string, Promise<boolean>>, key: string, ask: () => Promise<boolean>) => {
    const hit = m.get(key) ?? ask();
    m.set(key, hit);
    return hit;
  };
  return {
    resolver: ctx.resolver,
    userExists: (id) => once(users, id, () => ctx.userExists(id)),
    isRowOf: (pageId, dsId) => once(rows, `${dsId}/${pageId}`, () => ctx.isRowOf(pageId, dsId)),
  };
}

/**
 * Writes one batch of rows into a data source in the caller's transaction; any bad line throws
 * (naming its line) and the transaction writes nothing. Returns the new page ids in input order.
 */
export async function importRowBatch(
  tx: StoreTx,
  input: { dataSourceId: string; lines: readonly ImportLine[]; now: string; publicUrl?: string },
): Promise<string[]> {
  const env = await adminEnv(tx, input.now, input.publicUrl ?? '');
  await lockRowWriters(tx, input.dataSourceId);
  const ds = await loadTarget(tx, input.dataSourceId);
  let schema = schemaOf(ds);
  const counters = new Map<string, number>();
  for (const prop of schema.filter((p) => p.type === 'unique_id'))
    counters.set(prop.id, (await tx.rows.maxNumber(ds.id, prop)) ?? 0);
  const ctx = memoized(valueContext(tx, env));
  const pages: BlockRow[] = [];
  const stored: StoredValues[] = [];
  for (const { line, body } of input.lines) {
    try {
      const { properties = {} } = parseWith(ImportLineBody, body);
      const norm = await normalizeValues(schema, properties, ctx);
      // Options created by this row are stored at once: a dual relation may re-derive rows
      // of this very data source, and those must see them.
      if (norm.schemaChanged) await tx.blocks.update(ds.id, { properties: JSON.stringify(norm.schema) });
      schema = norm.schema;
      const values: StoredValues = norm.values;
      for (const [propId, n] of counters) {
        values[propId] = { type: 'unique_id', unique_id: n + 1 };
        counters.set(propId, n + 1);
      }
      const page = newRowPage(env, ds.id, values);
      await syncDualRelations(tx, env, schema, page.id, {}, values);
      pages.push(page);
      stored.push(values);
    } catch (e) {
      throw atLine(line, e);
    }
  }
  await tx.blocks.insertMany(pages);
  await tx.rows.upsert(
    ds.id,
    pages.map((p, i) => derivedRow(schema, p, stored[i])),
  );
  return pages.map((p) => p.id);
}

function newRowPage(env: OpEnv, dataSourceId: string, values: StoredValues): BlockRow {
  return {
    id: newId(),
    type: 'page',
    parent_type: 'data_source_id',
    parent_id: dataSourceId,
    sort_key: 'V',
    data: '{}',
    properties: JSON.stringify(values),
    icon: null,
    cover: null,
    in_trash: 0,
    is_locked: 0,
    created_time: env.now,
    created_by: env.actor.botUserId,
    last_edited_time: env.now,
    last_edited_by: env.actor.botUserId,
  };
}

/**
 * Imports rows from `lines` in batches of `batchSize`, one transaction each: a bad line stops
 * the import with its batch unwritten, earlier batches stay. The data source is checked before
 * the first line is read; after the last batch the table's planner statistics are refreshed
 * (`RowRepo.refreshStatistics`).
 */
export async function importRows(
  store: Store,
  lines: AsyncIterable<ImportLine> | Iterable<ImportLine>,
  options: ImportOptions,
): Promise<ImportReport> {
  const size = options.batchSize ?? DEFAULT_BATCH;
  const started = performance.now();
  await store.transaction((tx) => loadTarget(tx, options.dataSourceId));
  let rows = 0;
  let batches = 0;
  const write = async (batch: ImportLine[]) => {
    const now = new Date().toISOString();
    await store.transaction((tx) =>
      importRowBatch(tx, {
        dataSourceId: options.dataSourceId,
        lines: batch,
        now,
        publicUrl: options.publicUrl,
      }),
    );
    rows += batch.length;
    batches++;
    options.onBatch?.(rows);
  };
  let batch: ImportLine[] = [];
  for await (const line of lines) {
    batch.push(line);
    if (batch.length >= size) {
      await write(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await write(batch);
  // The planner learns the table's new size now, not when autovacuum next comes by: a data
  // source opened right after a large import would otherwise read each page by a full scan.
  if (rows > 0) await store.transaction((tx) => tx.rows.refreshStatistics(options.dataSourceId));
  const ms = performance.now() - started;
  return { rows, batches, ms, rowsPerSecond: ms > 0 ? (rows * 1000) / ms : 0 };
}
