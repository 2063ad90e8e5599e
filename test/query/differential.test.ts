/**
 * Three-way agreement: generated filters and sorts over generated rows must select and order the
 * same page ids on SQLite, on Postgres and in the TypeScript evaluator, and walking the result
 * with keyset cursors (page size 7) must give the unpaged result. Every case also runs through
 * the store's executor (`queryRows`: trigram pre-filter, sort-index walk, empties read apart),
 * with walk thresholds that force each of its plans. Reproduce a failure with
 * OCTAVO_QUERY_SEED=<seed printed in the failure>.
 */

import type { Expression, SqlBool } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ColumnValue, deriveColumns } from '../../src/query/columns.ts';
import {
  applyOrderBy,
  type CompileContext,
  compileCursor,
  compileCursorSeek,
  compileFilter,
  compileOrderBy,
} from '../../src/query/compile.ts';
import { createDataSourceTable } from '../../src/query/ddl.ts';
import { runQuery } from '../../src/query/evaluate.ts';
import { queryRows } from '../../src/query/execute.ts';
import type { Query } from '../../src/query/ir.ts';
import type { DerivedRow } from '../../src/query/keys.ts';
import { type DataSourceSchema, parseQuery } from '../../src/query/parse.ts';
import { textIndexColumns } from '../../src/query/text-index.ts';
import { ENGINES } from '../helpers/engines.ts';
import { openTestDb, type TestDb } from './db.ts';
import { makeSchema, makeValue, makeWorld, prng, type Rng, type World } from './gen.ts';
import { makeFilter, makeSorts, makeTextFilter } from './gen-filters.ts';

const SEED = Number(process.env.OCTAVO_QUERY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SCHEMAS = 6;
const ROWS = 160;
const CASES_PER_SCHEMA = 60;
/** Further cases per schema built around title / rich_text substring conditions. */
const TEXT_CASES_PER_SCHEMA = 24;
const PAGE_SIZE = 7;
const NOW = new Date('2026-05-13T10:11:12.345Z');
const ME = '00000000-0000-4000-8000-00000000000e';

function makeRows(rng: Rng, world: World, schema: DataSourceSchema): DerivedRow[] {
  return Array.from({ length: ROWS }, () => {
    const created = NOW.getTime() - rng.int(60 * 86_400_000);
    const row: Record<string, ColumnValue> = {
      page_id: rng.uuid(),
      created_time: new Date(created).toISOString(),
      last_edited_time: new Date(created + rng.int(10 * 86_400_000)).toISOString(),
      created_by: rng.pick([...world.users, ME]),
      last_edited_by: rng.pick([...world.users, ME]),
      in_trash: 0,
    };
    for (const prop of Object.values(schema)) {
      const value = makeValue(rng, world, prop);
      Object.assign(row, deriveColumns(prop, { id: prop.id, type: prop.type, [prop.type]: value }));
    }
    return row;
  });
}

async function runSql(
  t: TestDb,
  table: string,
  query: Query,
  ctx: CompileContext,
  after?: DerivedRow,
  limit?: number,
  extra?: Expression<SqlBool>,
) {
  let qb = t.db.selectFrom(table).selectAll();
  if (query.filter) qb = qb.where(compileFilter(query.filter, ctx));
  if (after) qb = qb.where(compileCursor(query.sorts, after, ctx, { inclusive: true }));
  if (extra) qb = qb.where(extra);
  qb = applyOrderBy(qb, compileOrderBy(query.sorts, ctx));
  if (limit) qb = qb.limit(limit);
  return (await qb.execute()) as DerivedRow[];
}

/**
 * One page after `from`. With `seek`, as the store reads it: the rows within the index bound of
 * compileCursorSeek, then the empty-keyed rows.
 */
async function pageAfter(
  t: TestDb,
  table: string,
  query: Query,
  ctx: CompileContext,
  from: DerivedRow | undefined,
  seek: boolean,
) {
  const want = PAGE_SIZE + 1;
  const split = from && seek ? compileCursorSeek(query.sorts, from, ctx) : null;
  if (!split) return runSql(t, table, query, ctx, from, want);
  const head = await runSql(t, table, query, ctx, from, want, split.bound);
  if (head.length >= want || !split.empties) return head;
  return [...head, ...(await runSql(t, table, query, ctx, undefined, want - head.length, split.empties))];
}

/** Walks the result PAGE_SIZE at a time; the cursor is the first row of the next page, as the endpoint does. */
async function walk(
  t: TestDb,
  table: string,
  query: Query,
  ctx: CompileContext,
  seek = false,
): Promise<string[]> {
  const ids: string[] = [];
  let from: DerivedRow | undefined;
  for (let guard = 0; guard < ROWS; guard++) {
    const page = await pageAfter(t, table, query, ctx, from, seek);
    ids.push(...page.slice(0, PAGE_SIZE).map((r) => r.page_id as string));
    from = page[PAGE_SIZE];
    if (!from) return ids;
  }
  throw new Error('keyset walk did not terminate');
}

/** The whole result through the store's executor, one page of `limit` at a time. */
async function walkExecutor(t: TestDb, table: string, query: Query, limit: number, walkThreshold: number) {
  const ids: string[] = [];
  let from: string | null = null;
  for (let guard = 0; guard <= ROWS; guard++) {
    const page = await queryRows(t.db, t.hooks, table, query, {
      inTrash: false,
      from,
      limit,
      now: NOW,
      walkThreshold,
    });
    ids.push(...page.items);
    from = page.next;
    if (!from) return ids;
  }
  throw new Error('executor walk did not terminate');
}

/**
 * Writes the rows; every third one first with other title and rich_text values, then replaced
 * through an upsert, so the trigram index's update path is exercised too.
 */
async function insertRows(t: TestDb, table: string, schema: DataSourceSchema, rows: DerivedRow[], rng: Rng) {
  const textCols = textIndexColumns(Object.values(schema));
  const first = rows.map((r, i) =>
    i % 3 === 0
      ? {
          ...r,
          ...Object.fromEntries(
            textCols.map((c) => [c, typeof r[c] === 'string' ? `old ${rng.int(9)}` : r[c]]),
          ),
        }
      : r,
  );
  for (let i = 0; i < first.length; i += 50)
    await t.db
      .insertInto(table)
      .values(first.slice(i, i + 50))
      .execute();
  const changed = rows.filter((_, i) => i % 3 === 0);
  for (let i = 0; i < changed.length; i += 50)
    await t.db
      .insertInto(table)
      .values(changed.slice(i, i + 50))
      .onConflict((oc) =>
        oc
          .column('page_id')
          .doUpdateSet((eb) => Object.fromEntries(textCols.map((c) => [c, eb.ref(`excluded.${c}`)]))),
      )
      .execute();
}

describe(`query engine: SQLite, Postgres and the evaluator agree (seed ${SEED})`, () => {
  const dbs: TestDb[] = [];
  beforeAll(async () => {
    for (const engine of ENGINES) dbs.push(await openTestDb(engine, 'diff'));
  });
  afterAll(async () => {
    for (const t of dbs) await t.close();
  });

  it(`runs ${SCHEMAS * (CASES_PER_SCHEMA + TEXT_CASES_PER_SCHEMA)} generated cases on ${ENGINES.join(' and ')}`, async () => {
    const rng = prng(SEED);
    let nonEmpty = 0;
    for (let s = 0; s < SCHEMAS; s++) {
      const world = makeWorld(rng, NOW);
      const schema = makeSchema(rng, world);
      const rows = makeRows(rng, world, schema);
      const table = `ds_${s}`;
      for (const t of dbs) {
        await createDataSourceTable(t.db, t.hooks, table, Object.values(schema));
        await insertRows(t, table, schema, rows, rng);
      }
      for (let c = 0; c < CASES_PER_SCHEMA + TEXT_CASES_PER_SCHEMA; c++) {
        const filter =
          c < CASES_PER_SCHEMA ? makeFilter(rng, world, schema) : makeTextFilter(rng, world, schema);
        const body = { filter, sorts: makeSorts(rng, schema) };
        const label = `seed ${SEED}, schema ${s}, case ${c}: ${JSON.stringify(body)}`;
        const query = parseQuery(body, schema, { version: '2025-09-03', meUserId: ME });
        const expected = runQuery(query, rows, { now: NOW });
        if (expected.length > 0 && expected.length < rows.length) nonEmpty++;
        for (const t of dbs) {
          // Odd cases compile filters as the store does when walking the sort index.
          const ctx: CompileContext = { hooks: t.hooks, now: NOW, walkSortIndex: c % 2 === 1 };
          const got = (await runSql(t, table, query, ctx)).map((r) => r.page_id);
          expect(got, `${t.engine} ${label}`).toEqual(expected);
          if (c % 2 === 0)
            expect(await walk(t, table, query, ctx), `${t.engine} keyset ${label}`).toEqual(expected);
          if (c % 4 === 1)
            expect(await walk(t, table, query, ctx, true), `${t.engine} keyset seek ${label}`).toEqual(
              expected,
            );
          // Thresholds 1 (always walk), 1,000 (never: always the trigram pre-filter) and 12.
          const threshold = [1, 1000, 12][c % 3]!;
          const limit = c % 4 === 3 ? PAGE_SIZE * 3 : ROWS + 1;
          expect(
            await walkExecutor(t, table, query, limit, threshold),
            `${t.engine} executor (threshold ${threshold}, page ${limit}) ${label}`,
          ).toEqual(expected);
        }
      }
    }
    // The generator must produce discriminating filters, not only all-or-nothing ones.
    expect(nonEmpty).toBeGreaterThan(SCHEMAS * CASES_PER_SCHEMA * 0.4);
  }, 180_000);
});
