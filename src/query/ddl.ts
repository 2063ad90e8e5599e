/**
 * DDL for data-source tables, on both dialects, through Kysely's schema builder. Storage calls
 * these when a data source is created, when a property is added, removed or changes type
 * (drop + add, then re-derive the rows), and when a data source is deleted. Each keeps the
 * table's trigram index of title and rich_text columns (text-index.ts) in step.
 */
import { type ColumnDataType, type Kysely, sql } from 'kysely';
import {
  type ColumnKind,
  type ColumnSpec,
  propertyColumns,
  ROW_COLUMNS,
  type SchemaProperty,
} from './columns.ts';
import type { DialectHooks } from './dialect.ts';
import {
  attachTextColumn,
  createTextIndex,
  detachTextColumn,
  dropTextIndex,
  ensureTextIndex,
  FTS_KEY,
  isTextIndexed,
  textIndexColumns,
  trigramIndexName,
} from './text-index.ts';

// biome-ignore lint/suspicious/noExplicitAny: data-source tables are dynamic; callers pass any Kysely.
type AnyDb = Kysely<any>;

const TABLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function checkTable(table: string): string {
  if (!TABLE_NAME.test(table)) throw new Error(`invalid data source table name: ${table}`);
  return table;
}

/** `double precision` is understood by both engines (SQLite gives it REAL affinity). */
const SQL_TYPE: Record<ColumnKind, ColumnDataType> = {
  text: 'text',
  json_array: 'text',
  number: 'double precision',
  integer: 'integer',
};

function isText(kind: ColumnKind): boolean {
  return kind === 'text' || kind === 'json_array';
}

/** Columns that get a `(column, page_id)` b-tree index: everything a query sorts or ranges on. */
function sortIndexed(col: ColumnSpec): boolean {
  return col.kind !== 'json_array' && !col.name.endsWith('_hi');
}

function indexName(table: string, column: string): string {
  return `${table}__${column}`.slice(0, 63);
}

/**
 * Creates the table of a data source (row columns + the derived columns of `properties`) and its
 * indexes. Idempotent only in the sense that it fails if the table exists.
 */
export async function createDataSourceTable(
  db: AnyDb,
  hooks: DialectHooks,
  table: string,
  properties: readonly Pick<SchemaProperty, 'id' | 'type'>[],
): Promise<void> {
  checkTable(table);
  const cols = [...ROW_COLUMNS, ...properties.flatMap(propertyColumns)];
  let builder = db.schema
    .createTable(table)
    .addColumn('page_id', 'text', (c) => withCollation(c.primaryKey(), hooks, 'text'));
  for (const col of cols) {
    builder = builder.addColumn(col.name, SQL_TYPE[col.kind], (c) => {
      const base = col.name === 'in_trash' ? c.notNull().defaultTo(0) : c;
      return withCollation(base, hooks, col.kind);
    });
  }
  // SQLite: the key of the row's entry in the FTS5 trigram table.
  if (hooks.trigram?.kind === 'fts5') builder = builder.addColumn(FTS_KEY, 'integer');
  await builder.execute();
  for (const col of cols) await createColumnIndex(db, hooks, table, col);
  await createTextIndex(db, hooks, table, textIndexColumns(properties));
}

/** Adds one property's derived columns (NULL / 0 until storage re-derives the rows) and indexes. */
export async function addPropertyColumns(
  db: AnyDb,
  hooks: DialectHooks,
  table: string,
  prop: Pick<SchemaProperty, 'id' | 'type'>,
): Promise<void> {
  checkTable(table);
  for (const col of propertyColumns(prop)) {
    await db.schema
      .alterTable(table)
      .addColumn(col.name, SQL_TYPE[col.kind], (c) => withCollation(c, hooks, col.kind))
      .execute();
    await createColumnIndex(db, hooks, table, col);
    if (isTextIndexed(prop)) await attachTextColumn(db, hooks, table, col.name);
  }
}

/**
 * Drops one property's derived columns and their indexes (indexes first: SQLite requires it;
 * a text-indexed column leaves the trigram index first and the index is rebuilt without it).
 */
export async function dropPropertyColumns(
  db: AnyDb,
  hooks: DialectHooks,
  table: string,
  prop: Pick<SchemaProperty, 'id' | 'type'>,
): Promise<void> {
  checkTable(table);
  for (const col of propertyColumns(prop)) {
    const kept = isTextIndexed(prop) ? await detachTextColumn(db, hooks, table, col.name) : null;
    await db.schema.dropIndex(indexName(table, col.name)).ifExists().execute();
    if (isTextIndexed(prop))
      await db.schema.dropIndex(trigramIndexName(table, col.name)).ifExists().execute();
    await db.schema.alterTable(table).dropColumn(col.name).execute();
    if (kept) await ensureTextIndex(db, hooks, table, kept);
  }
}

/** Drops a data source's table and its trigram index. */
export async function dropDataSourceTable(db: AnyDb, hooks: DialectHooks, table: string): Promise<void> {
  await dropTextIndex(db, hooks, checkTable(table));
  await db.schema.dropTable(table).ifExists().execute();
}

/**
 * Brings the trigram index of an existing data-source table in line with its properties (for
 * databases created before it, or a Postgres that gained pg_trgm); a no-op when it is in place.
 */
export async function ensureDataSourceTextIndex(
  db: AnyDb,
  hooks: DialectHooks,
  table: string,
  properties: readonly Pick<SchemaProperty, 'id' | 'type'>[],
): Promise<void> {
  await ensureTextIndex(db, hooks, checkTable(table), textIndexColumns(properties));
}

interface CollatableBuilder<B> {
  modifyEnd(e: ReturnType<typeof sql>): B;
}

function withCollation<B extends CollatableBuilder<B>>(builder: B, hooks: DialectHooks, kind: ColumnKind): B {
  if (!hooks.textCollation || !isText(kind)) return builder;
  return builder.modifyEnd(sql`collate ${sql.id(hooks.textCollation)}`);
}

async function createColumnIndex(
  db: AnyDb,
  hooks: DialectHooks,
  table: string,
  col: ColumnSpec,
): Promise<void> {
  const name = indexName(table, col.name);
  if (sortIndexed(col) && col.name !== 'in_trash') {
    await db.schema.createIndex(name).on(table).columns([col.name, 'page_id']).execute();
  } else if (col.kind === 'json_array' && hooks.jsonArrayIndex) {
    await db.schema
      .createIndex(name)
      .on(table)
      .using('gin')
      .expression(hooks.jsonIndexExpression(col.name))
      .execute();
  }
}
