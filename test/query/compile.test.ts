/**
 * The compiler's SQL, shown per dialect, then run: what each Notion condition becomes, with its
 * parameters, and the rows it selects on a real table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveColumns } from '../../src/query/columns.ts';
import {
  applyOrderBy,
  compileCursor,
  compileCursorSeek,
  compileFilter,
  compileOrderBy,
} from '../../src/query/compile.ts';
import { addPropertyColumns, createDataSourceTable, dropPropertyColumns } from '../../src/query/ddl.ts';
import { postgresHooks, sqliteHooks } from '../../src/query/dialect.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { describeEngines } from '../helpers/engines.ts';
import { openTestDb, type TestDb } from './db.ts';
import { GROCERY, whereSql } from './fixtures.ts';

const NOW = new Date('2026-05-13T10:00:00Z');
const HOOKS = { sqlite: sqliteHooks, postgres: postgresHooks };
const opts = { version: '2025-09-03', meUserId: null } as const;

function filterOf(filter: unknown) {
  const q = parseQuery({ filter }, GROCERY, opts);
  return q.filter!;
}

describe('compileFilter SQL', () => {
  it('matches text literally: % and _ are bound values, not patterns', () => {
    const f = filterOf({ property: 'Name', title: { contains: '50%_Off' } });
    expect(whereSql('sqlite', compileFilter(f, { hooks: sqliteHooks, now: NOW }))).toEqual({
      sql: 'select "page_id" from "ds" where ("p_7469746c65" is not null and instr("p_7469746c65", ?) > 0)',
      parameters: ['50%_off'],
    });
    expect(whereSql('postgres', compileFilter(f, { hooks: postgresHooks, now: NOW }))).toEqual({
      sql: 'select "page_id" from "ds" where ("p_7469746c65" is not null and strpos("p_7469746c65", cast($1 as text)) > 0)',
      parameters: ['50%_off'],
    });
  });

  it('tests JSON-array membership with json_each on SQLite and ?| on Postgres', () => {
    const f = filterOf({ property: 'Tags', multi_select: { does_not_contain: ['Green', 'Red'] } });
    expect(whereSql('sqlite', compileFilter(f, { hooks: sqliteHooks, now: NOW })).sql).toBe(
      'select "page_id" from "ds" where not (("p_41623f" is not null and exists (select 1 from json_each("p_41623f") where value in (?, ?))))',
    );
    expect(whereSql('postgres', compileFilter(f, { hooks: postgresHooks, now: NOW })).sql).toBe(
      'select "page_id" from "ds" where not (("p_41623f" is not null and (cast("p_41623f" as jsonb) ?| array[cast($1 as text), cast($2 as text)])))',
    );
  });

  it('turns a date-only value into its UTC day and relative ranges into bounds from now', () => {
    const f = filterOf({
      or: [
        { property: 'Due', date: { equals: '2026-05-01' } },
        { timestamp: 'created_time', created_time: { past_week: {} } },
      ],
    });
    expect(whereSql('postgres', compileFilter(f, { hooks: postgresHooks, now: NOW }))).toEqual({
      sql:
        'select "page_id" from "ds" where (("p_4d3b4277_lo" is not null and "p_4d3b4277_lo" < $1 and "p_4d3b4277_hi" > $2)' +
        ' or ("created_time" >= $3 and "created_time" < $4))',
      parameters: [
        Date.parse('2026-05-02T00:00:00Z'),
        Date.parse('2026-05-01T00:00:00Z'),
        '2026-05-06T00:00:00.000Z',
        '2026-05-14T00:00:00.000Z',
      ],
    });
  });

  it("hides filter columns from SQLite's index choice when walking the sort index", () => {
    const f = filterOf({ property: 'Name', title: { equals: 'Kiwi' } });
    const walk = { hooks: sqliteHooks, now: NOW, walkSortIndex: true };
    expect(whereSql('sqlite', compileFilter(f, walk)).sql).toBe(
      'select "page_id" from "ds" where (+"p_7469746c65" is not null and +"p_7469746c65" = ?)',
    );
    // Postgres plans from statistics and takes no hint.
    expect(whereSql('postgres', compileFilter(f, { ...walk, hooks: postgresHooks })).sql).toBe(
      'select "page_id" from "ds" where ("p_7469746c65" is not null and "p_7469746c65" = $1)',
    );
  });

  it('splits a cursor into an index range and the empty-keyed rows after it', () => {
    const q = parseQuery({ sorts: [{ property: 'Name', direction: 'ascending' }] }, GROCERY, opts);
    const ctx = { hooks: sqliteHooks, now: NOW };
    const seek = compileCursorSeek(q.sorts, { page_id: 'p1', p_7469746c65: 'kiwi' }, ctx)!;
    expect(whereSql('sqlite', seek.bound)).toEqual({
      sql: 'select "page_id" from "ds" where "p_7469746c65" >= ?',
      parameters: ['kiwi'],
    });
    expect(whereSql('sqlite', seek.empties!).sql).toBe(
      'select "page_id" from "ds" where "p_7469746c65" is null',
    );
    expect(compileCursorSeek(q.sorts, { page_id: 'p1', p_7469746c65: null }, ctx)).toBeNull();
  });

  it('a cursor on a column that is never empty (a timestamp) has no empty-keyed rows to read after', () => {
    const q = parseQuery({ sorts: [{ timestamp: 'created_time', direction: 'descending' }] }, GROCERY, opts);
    const ctx = { hooks: sqliteHooks, now: NOW };
    const seek = compileCursorSeek(
      q.sorts,
      { page_id: 'p1', created_time: '2026-01-01T00:00:00.000Z' },
      ctx,
    )!;
    expect(whereSql('sqlite', seek.bound)).toEqual({
      sql: 'select "page_id" from "ds" where "created_time" <= ?',
      parameters: ['2026-01-01T00:00:00.000Z'],
    });
    expect(seek.empties).toBeNull();
  });

  it('orders select by option position, empties last, page_id last; cursors seek without OFFSET', () => {
    const q = parseQuery({ sorts: [{ property: 'Category', direction: 'descending' }] }, GROCERY, opts);
    const ctx = { hooks: sqliteHooks, now: NOW };
    const where = compileCursor(q.sorts, { page_id: 'p1', p_4a406354: 'Fruit' }, ctx);
    const { sql } = whereSql('sqlite', where);
    const rank =
      '(case when "p_4a406354" is null then null when "p_4a406354" = ? then 0 when "p_4a406354" = ? then 1' +
      ' when "p_4a406354" = ? then 2 else 3 end)';
    expect(sql).toBe(
      `select "page_id" from "ds" where ((${rank} < ? or ${rank} is null) or (${rank} = ? and "page_id" > ?))`,
    );
    expect(compileOrderBy(q.sorts, ctx).map((o) => o.direction)).toEqual(['desc', 'asc']);
  });
});

describeEngines('compiled queries run', (engine) => {
  let t: TestDb;
  const rows = [
    { id: 'a', name: '50% off', price: 2.5, category: 'Fruit', due: { start: '2026-05-01', end: null } },
    {
      id: 'b',
      name: '50 _ off',
      price: null,
      category: 'Vegetable',
      due: { start: '2026-05-01T23:30:00-02:00' },
    },
    { id: 'c', name: 'İstanbul', price: -1, category: null, due: null },
    { id: 'd', name: '', price: 10, category: 'Grain', due: { start: '2026-04-28', end: '2026-05-02' } },
  ];
  beforeAll(async () => {
    t = await openTestDb(engine, 'compile');
    await createDataSourceTable(t.db, HOOKS[engine], 'ds', Object.values(GROCERY));
    for (const r of rows) {
      await t.db
        .insertInto('ds')
        .values({
          page_id: r.id,
          created_time: `2026-05-0${r.id.charCodeAt(0) - 96}T00:00:00.000Z`,
          last_edited_time: '2026-05-10T00:00:00.000Z',
          created_by: null,
          last_edited_by: null,
          ...deriveColumns(GROCERY.Name!, [{ plain_text: r.name }]),
          ...deriveColumns(GROCERY.Price!, r.price),
          ...deriveColumns(GROCERY.Category!, r.category ? { name: r.category } : null),
          ...deriveColumns(GROCERY.Due!, r.due),
        })
        .execute();
    }
  });
  afterAll(() => t.close());

  async function ids(body: Record<string, unknown>): Promise<string[]> {
    const q = parseQuery(body, GROCERY, opts);
    const ctx = { hooks: HOOKS[engine], now: NOW };
    let qb = t.db.selectFrom('ds').select('page_id');
    if (q.filter) qb = qb.where(compileFilter(q.filter, ctx));
    const res = await applyOrderBy(qb, compileOrderBy(q.sorts, ctx)).execute();
    return res.map((r) => r.page_id as string);
  }

  it('finds "%" literally and matches case-insensitively beyond ASCII', async () => {
    expect(await ids({ filter: { property: 'Name', title: { contains: '%' } } })).toEqual(['a']);
    expect(await ids({ filter: { property: 'Name', rich_text: { starts_with: 'i̇STAN' } } })).toEqual(['c']);
    expect(await ids({ filter: { property: 'Name', title: { is_empty: true } } })).toEqual(['d']);
  });

  it('includes empty values in negative conditions only', async () => {
    expect(await ids({ filter: { property: 'Price', number: { does_not_equal: 2.5 } } })).toEqual([
      'd',
      'c',
      'b',
    ]);
    expect(await ids({ filter: { property: 'Price', number: { less_than: 5 } } })).toEqual(['c', 'a']);
  });

  it('matches a date-only filter against the whole UTC day, ranges on every day they span', async () => {
    expect(await ids({ filter: { property: 'Due', date: { equals: '2026-05-01' } } })).toEqual(['d', 'a']);
    expect(await ids({ filter: { property: 'Due', date: { equals: '2026-05-02' } } })).toEqual(['d', 'b']);
    expect(await ids({ filter: { property: 'Due', date: { after: '2026-05-01T12:00:00Z' } } })).toEqual([
      'd',
      'b',
      'a',
    ]);
  });

  it('sorts by option position with empties last in both directions', async () => {
    const asc = await ids({ sorts: [{ property: 'Category', direction: 'ascending' }] });
    const desc = await ids({ sorts: [{ property: 'Category', direction: 'descending' }] });
    expect(asc).toEqual(['b', 'a', 'd', 'c']);
    expect(desc).toEqual(['d', 'a', 'b', 'c']);
  });

  it("adds and drops one property's columns in place", async () => {
    const prop = { id: 'n%3Aw', type: 'date' };
    await addPropertyColumns(t.db, HOOKS[engine], 'ds', prop);
    await t.db
      .updateTable('ds')
      .set(deriveColumns(prop, { start: '2026-01-01' }))
      .where('page_id', '=', 'a')
      .execute();
    const row = await t.db
      .selectFrom('ds')
      .select(['p_6e3a77_lo', 'p_6e3a77_hi'])
      .where('page_id', '=', 'a')
      .executeTakeFirst();
    expect(row).toEqual({
      p_6e3a77_lo: Date.parse('2026-01-01T00:00:00Z'),
      p_6e3a77_hi: Date.parse('2026-01-02T00:00:00Z'),
    });
    await dropPropertyColumns(t.db, HOOKS[engine], 'ds', prop);
    await expect(t.db.selectFrom('ds').select('p_6e3a77_lo').execute()).rejects.toThrow();
  });
});
