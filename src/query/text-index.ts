/**
 * The trigram index of title and rich_text columns, which makes `contains` (and starts_with,
 * ends_with) on a needle of three characters or more an index lookup instead of a table scan.
 * It is only ever a pre-filter: a row it names still has to pass the exact condition of
 * compile.ts (lowercased text, literal `%` and `_`), and a row it does not name cannot match
 * that condition, so results are the same with or without it.
 *
 * SQLite: one FTS5 table per data source, `<table>__fts`, tokenizer `trigram case_sensitive 1`
 * (stored text and needles are both lowercased in JS already, so no folding is wanted: the
 * phrase query is then exactly "contains"), holding `page_id` and a copy of the text. (A
 * contentless table would not keep the copy, but SQLite 3.54 leaves the shadow table of a
 * `contentless_unindexed` one behind on DROP, and defensive mode forbids dropping it.) Triggers on
 * the data-source table keep it in step in the same transaction, whatever writes the row. Its
 * rows are keyed by `fts_rowid`, a column of the data-source table set when the row is inserted:
 * a table without INTEGER PRIMARY KEY may have its implicit rowids renumbered (VACUUM), so the
 * key is stored rather than borrowed.
 *
 * Postgres: a pg_trgm GIN index per column, when the extension is available; the compiler adds
 * an equivalent `LIKE` to the condition for the planner to serve from it (compile.ts).
 */
import { createHash } from 'node:crypto';
import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import { columnStem, type SchemaProperty } from './columns.ts';
import type { DialectHooks } from './dialect.ts';
import type { Filter, Target } from './ir.ts';

// biome-ignore lint/suspicious/noExplicitAny: data-source tables are dynamic; callers pass any Kysely.
type AnyDb = Kysely<any>;

/** Needles shorter than this (in code points) have no trigram: the scan serves them. */
export const MIN_TRIGRAM_CHARS = 3;

/** The data-source column that keys a row's entry in the FTS5 table (SQLite). */
export const FTS_KEY = 'fts_rowid';

/** Whether a property's column is trigram-indexed. */
export function isTextIndexed(prop: Pick<SchemaProperty, 'type'>): boolean {
  return prop.type === 'title' || prop.type === 'rich_text';
}

/** The indexed columns among `properties`. */
export function textIndexColumns(properties: readonly Pick<SchemaProperty, 'id' | 'type'>[]): string[] {
  return properties.filter(isTextIndexed).map((p) => columnStem(p.id));
}

/** Whether a text condition on `target` with this (lowercased) needle can use the index. */
export function usesTrigramIndex(target: Target, needle: string): boolean {
  return target.source === 'property' && isTextIndexed(target) && [...needle].length >= MIN_TRIGRAM_CHARS;
}

/** The FTS5 table of a data-source table. */
export function ftsTable(table: string): string {
  return `${table}__fts`;
}

/** The name of a column's pg_trgm index (hashed so it never collides after truncation to 63). */
export function trigramIndexName(table: string, column: string): string {
  return `${table}__g_${createHash('sha256').update(column).digest('hex').slice(0, 20)}`;
}

const id = (name: string) => `"${name}"`;

/** Creates the FTS5 table and its triggers, and indexes every existing row (SQLite). */
async function createFts(db: AnyDb, table: string, columns: readonly string[], key: string): Promise<void> {
  const fts = ftsTable(table);
  const cols = columns.map(id);
  const k = id(key);
  await sql
    .raw(
      `create virtual table ${id(fts)} using fts5(${k} unindexed, ${cols.join(', ')}, ` +
        `tokenize = 'trigram case_sensitive 1')`,
    )
    .execute(db);
  await sql
    .raw(
      `insert into ${id(fts)} (rowid, ${k}, ${cols.join(', ')}) ` +
        `select ${FTS_KEY}, ${k}, ${cols.join(', ')} from ${id(table)}`,
    )
    .execute(db);
  const newValues = columns.map((c) => `new.${id(c)}`).join(', ');
  // A new row gets the FTS table's next rowid as its key.
  await sql
    .raw(
      `create trigger ${id(`${fts}_ai`)} after insert on ${id(table)} begin ` +
        `insert into ${id(fts)} (${k}, ${cols.join(', ')}) values (new.${k}, ${newValues}); ` +
        `update ${id(table)} set ${FTS_KEY} = last_insert_rowid() where rowid = new.rowid; end`,
    )
    .execute(db);
  const changed = columns.map((c) => `old.${id(c)} is not new.${id(c)}`).join(' or ');
  await sql
    .raw(
      `create trigger ${id(`${fts}_au`)} after update of ${cols.join(', ')} on ${id(table)} when ${changed} begin ` +
        `delete from ${id(fts)} where rowid = old.${FTS_KEY}; ` +
        `insert into ${id(fts)} (rowid, ${k}, ${cols.join(', ')}) values (old.${FTS_KEY}, new.${k}, ${newValues}); end`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger ${id(`${fts}_ad`)} after delete on ${id(table)} begin ` +
        `delete from ${id(fts)} where rowid = old.${FTS_KEY}; end`,
    )
    .execute(db);
}

/** Drops the FTS5 table and its triggers (SQLite; a no-op when there is none). */
async function dropFts(db: AnyDb, table: string): Promise<void> {
  const fts = ftsTable(table);
  for (const suffix of ['_ai', '_au', '_ad'])
    await sql.raw(`drop trigger if exists ${id(fts + suffix)}`).execute(db);
  await sql.raw(`drop table if exists ${id(fts)}`).execute(db);
}

/** The indexed columns of an existing FTS5 table, or null when the table has none (SQLite). */
async function ftsColumns(db: AnyDb, table: string, key = 'page_id'): Promise<string[] | null> {
  const { rows } = await sql<{
    name: string;
  }>`select name from pragma_table_info(${ftsTable(table)})`.execute(db);
  if (rows.length === 0) return null;
  return rows.map((r) => r.name).filter((n) => n !== key);
}

/**
 * Creates the text index of a new data-source table (the table exists, empty or not). SQLite
 * also adds the key column when it is missing and keys existing rows by their current rowid.
 */
export async function createTextIndex(
  db: AnyDb,
  hooks: DialectHooks,
  table: string,
  columns: readonly string[],
  key = 'page_id',
): Promise<void> {
  const trigram = hooks.trigram;
  if (!trigram) return;
  if (trigram.kind === 'gin') {
    for (const column of columns) await createGinIndex(db, trigram.opclass, table, column);
    return;
  }
  const { rows } = await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db);
  if (!rows.some((r) => r.name === FTS_KEY)) {
    await sql.raw(`alter table ${id(table)} add column ${FTS_KEY} integer`).execute(db);
  }
  await sql.raw(`update ${id(table)} set ${FTS_KEY} = rowid where ${FTS_KEY} is null`).execute(db);
  await createFts(db, table, columns, key);
}

async function createGinIndex(db: AnyDb, opclass: string, table: string, column: string): Promise<void> {
  await sql
    .raw(
      `create index if not exists ${id(trigramIndexName(table, column))} on ${id(table)} using gin (${id(column)} ${opclass})`,
    )
    .execute(db);
}

/**
 * Brings an existing table's text index to `columns`: builds it when missing (databases from
 * before the index, or a Postgres that gained pg_trgm), rebuilds the FTS5 table when its column
 * set differs. Cheap when everything is in place.
 */
export async function ensureTextIndex(
  db: AnyDb,
  hooks: DialectHooks,
  table: string,
  columns: readonly string[],
  key = 'page_id',
): Promise<void> {
  if (hooks.trigram?.kind !== 'fts5') return createTextIndex(db, hooks, table, columns, key);
  const existing = await ftsColumns(db, table, key);
  if (existing && sameSet(existing, columns)) return;
  await dropFts(db, table);
  await createTextIndex(db, hooks, table, columns, key);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/**
 * Before a text-indexed column is dropped (SQLite): the triggers name it, and SQLite refuses to
 * drop a column a trigger uses. Returns the columns the index keeps, to rebuild it with after.
 */
export async function detachTextColumn(
  db: AnyDb,
  hooks: DialectHooks,
  table: string,
  column: string,
): Promise<string[] | null> {
  if (hooks.trigram?.kind !== 'fts5') return null;
  const existing = await ftsColumns(db, table);
  await dropFts(db, table);
  return existing ? existing.filter((c) => c !== column) : null;
}

/** Adds a new text-indexed column to the index (the column exists, NULL until re-derived). */
export async function attachTextColumn(
  db: AnyDb,
  hooks: DialectHooks,
  table: string,
  column: string,
): Promise<void> {
  const trigram = hooks.trigram;
  if (!trigram) return;
  if (trigram.kind === 'gin') return createGinIndex(db, trigram.opclass, table, column);
  const existing = (await ftsColumns(db, table)) ?? [];
  await ensureTextIndex(db, hooks, table, [...existing.filter((c) => c !== column), column]);
}

/** Drops what a data-source table's text index keeps beside it (the FTS5 table, SQLite). */
export async function dropTextIndex(db: AnyDb, hooks: DialectHooks, table: string): Promise<void> {
  if (hooks.trigram?.kind === 'fts5') await dropFts(db, table);
}

/** An FTS5 phrase restricted to one column: the rows whose column contains `needle`. */
export function phrase(column: string, needle: string): string {
  return `${column} : "${needle.replaceAll('"', '""')}"`;
}

/**
 * A condition every row matching `filter` satisfies, as an FTS5 query over the trigram table,
 * or null when there is none: a text leaf that can use the index, every branch of an `or`
 * having one, any child of an `and` having one. Negative conditions never do.
 */
export function trigramMatch(filter: Filter): string | null {
  if (filter.kind === 'and' || filter.kind === 'or') {
    const parts = filter.filters.map(trigramMatch);
    const known = parts.filter((p): p is string => p !== null);
    if (known.length === 0 || (filter.kind === 'or' && known.length < parts.length)) return null;
    return known.length === 1
      ? known[0]!
      : known.map((p) => `(${p})`).join(filter.kind === 'and' ? ' AND ' : ' OR ');
  }
  if (filter.kind !== 'text' || !['contains', 'starts_with', 'ends_with'].includes(filter.op)) return null;
  if (filter.target.source !== 'property' || !usesTrigramIndex(filter.target, filter.value)) return null;
  return phrase(columnStem(filter.target.id), filter.value);
}

/** `pageId` is among the FTS5 table's rows matching `match` (SQLite); `key` names the table's key. */
export function ftsCandidates(
  pageId: RawBuilder<unknown>,
  table: string,
  match: string,
  key = 'page_id',
): RawBuilder<SqlBool> {
  const fts = sql.table(ftsTable(table));
  return sql<SqlBool>`${pageId} in (select ${sql.ref(key)} from ${fts} where ${fts} match ${match})`;
}

/** How many rows the FTS5 table names for `match`, counting up to `cap` (SQLite). */
export async function countFtsCandidates(
  db: AnyDb,
  table: string,
  match: string,
  cap: number,
): Promise<number> {
  const fts = sql.table(ftsTable(table));
  const { rows } = await sql<{
    n: number;
  }>`select count(*) as n from (select 1 from ${fts} where ${fts} match ${match} limit ${cap})`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** A LIKE pattern (escape `\`) equivalent to a text condition, for pg_trgm to serve. */
export function likePattern(op: string, needle: string): string {
  const literal = needle.replace(/[\\%_]/g, (ch) => `\\${ch}`);
  if (op === 'starts_with') return `${literal}%`;
  if (op === 'ends_with') return `%${literal}`;
  return `%${literal}%`;
}
