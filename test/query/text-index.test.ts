/**
 * The trigram index of title and rich_text columns: the SQL it adds, that it is kept in step
 * with the rows (inserts, updates, deletes, schema changes, VACUUM), that databases from before
 * it get it, and that a query answers the same with it, without it, and in the evaluator.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveColumns } from '../../src/query/columns.ts';
import { compileFilter } from '../../src/query/compile.ts';
import {
  addPropertyColumns,
  createDataSourceTable,
  dropDataSourceTable,
  dropPropertyColumns,
  ensureDataSourceTextIndex,
} from '../../src/query/ddl.ts';
import { type DialectHooks, dialectHooks, postgresHooks } from '../../src/query/dialect.ts';
import { runQuery } from '../../src/query/evaluate.ts';
import { queryRows } from '../../src/query/execute.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { ftsTable, trigramMatch } from '../../src/query/text-index.ts';
import { describeEngines } from '../helpers/engines.ts';
import { openTestDb, type TestDb } from './db.ts';
import { GROCERY, whereSql } from './fixtures.ts';

const NOW = new Date('2026-05-13T10:00:00Z');
const opts = { version: '2025-09-03', meUserId: null } as const;
const NAME = 'p_7469746c65';
const NOTES = 'p_6e54';

const parse = (body: Record<string, unknown>) => parseQuery(body, GROCERY, opts);

describe('trigram pre-filter SQL', () => {
  const gin = dialectHooks('postgres', { trigramSchema: 'public' });

  it('adds the equivalent LIKE on Postgres for needles of 3+ characters, escaping % _ and \\', () => {
    const f = parse({ filter: { property: 'Name', title: { contains: '50%_Off\\' } } }).filter!;
    expect(whereSql('postgres', compileFilter(f, { hooks: gin, now: NOW }))).toEqual({
      sql: `select "page_id" from "ds" where ("${NAME}" is not null and "${NAME}" like $1 and strpos("${NAME}", cast($2 as text)) > 0)`,
      parameters: ['%50\\%\\_off\\\\%', '50%_off\\'],
    });
    const starts = parse({ filter: { property: 'Notes', rich_text: { starts_with: 'Abc' } } }).filter!;
    expect(whereSql('postgres', compileFilter(starts, { hooks: gin, now: NOW })).parameters[0]).toBe('abc%');
  });

  it('leaves short needles, other text types and Postgres without pg_trgm to the scan', () => {
    const short = parse({ filter: { property: 'Name', title: { contains: 'ab' } } }).filter!;
    expect(whereSql('postgres', compileFilter(short, { hooks: gin, now: NOW })).sql).not.toContain('like');
    const url = parse({ filter: { property: 'Link', url: { contains: 'example' } } }).filter!;
    expect(whereSql('postgres', compileFilter(url, { hooks: gin, now: NOW })).sql).not.toContain('like');
    const long = parse({ filter: { property: 'Name', title: { contains: 'apple' } } }).filter!;
    expect(whereSql('postgres', compileFilter(long, { hooks: postgresHooks, now: NOW })).sql).not.toContain(
      'like',
    );
  });

  it('derives the FTS5 query every match must satisfy, and none where a branch escapes it', () => {
    const m = (filter: unknown) => trigramMatch(parse({ filter }).filter!);
    expect(m({ property: 'Name', title: { contains: 'Say "hi"' } })).toBe(`${NAME} : "say ""hi"""`);
    expect(
      m({
        or: [
          { property: 'Name', title: { starts_with: 'app' } },
          { property: 'Notes', rich_text: { ends_with: 'pie' } },
        ],
      }),
    ).toBe(`(${NAME} : "app") OR (${NOTES} : "pie")`);
    expect(
      m({
        and: [
          { property: 'Name', title: { contains: 'app' } },
          { property: 'Price', number: { equals: 1 } },
        ],
      }),
    ).toBe(`${NAME} : "app"`);
    expect(
      m({
        or: [
          { property: 'Name', title: { contains: 'app' } },
          { property: 'Price', number: { equals: 1 } },
        ],
      }),
    ).toBeNull();
    expect(m({ property: 'Name', title: { does_not_contain: 'apple' } })).toBeNull();
    expect(m({ property: 'Name', title: { contains: 'ap' } })).toBeNull();
  });
});

describeEngines('trigram index kept in step', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(engine, 'trgm');
  });
  afterAll(() => t.close());

  const row = (id: string, name: string, notes = '') => ({
    page_id: id,
    created_time: `2026-05-01T00:00:0${id.length % 10}.000Z`,
    last_edited_time: '2026-05-10T00:00:00.000Z',
    ...deriveColumns(GROCERY.Name!, [{ plain_text: name }]),
    ...deriveColumns(GROCERY.Notes!, [{ plain_text: notes }]),
  });

  /** The query through the executor, with the index forced on (threshold 10⁶) and off (1), and in memory. */
  async function check(table: string, filter: unknown, hooks: DialectHooks = t.hooks): Promise<string[]> {
    const query = parse({ filter, sorts: [{ property: 'Name', direction: 'descending' }] });
    const all = (await t.db.selectFrom(table).selectAll().execute()) as Record<
      string,
      string | number | null
    >[];
    const expected = runQuery(query, all, { now: NOW });
    for (const walkThreshold of [1_000_000, 1]) {
      const got = await queryRows(t.db, hooks, table, query, {
        inTrash: false,
        from: null,
        limit: 100,
        now: NOW,
        walkThreshold,
      });
      expect(got.items, `${JSON.stringify(filter)} at threshold ${walkThreshold}`).toEqual(expected);
    }
    return expected;
  }

  it('follows inserts, updates and deletes', async () => {
    await createDataSourceTable(t.db, t.hooks, 'ds_a', Object.values(GROCERY));
    await t.db
      .insertInto('ds_a')
      .values([row('a', 'Crème Brûlée', 'Straße 50%_off'), row('b', 'Plain CAKE', 'x%y'), row('c', '')])
      .execute();
    expect(await check('ds_a', { property: 'Name', title: { contains: 'BRÛ' } })).toEqual(['a']);
    expect(await check('ds_a', { property: 'Notes', rich_text: { contains: '50%_' } })).toEqual(['a']);
    expect(await check('ds_a', { property: 'Notes', rich_text: { contains: 'STRASSE' } })).toEqual([]);
    await t.db.updateTable('ds_a').set(row('c', 'Cake pops')).where('page_id', '=', 'c').execute();
    await t.db
      .updateTable('ds_a')
      .set({ [NAME]: 'brûlée' })
      .where('page_id', '=', 'b')
      .execute();
    expect(await check('ds_a', { property: 'Name', title: { contains: 'cake' } })).toEqual(['c']);
    expect(await check('ds_a', { property: 'Name', title: { ends_with: 'ûlée' } })).toEqual(['a', 'b']);
    await t.db.deleteFrom('ds_a').where('page_id', '=', 'a').execute();
    expect(await check('ds_a', { property: 'Name', title: { contains: 'brû' } })).toEqual(['b']);
  });

  it('follows added, dropped and retyped text properties, and a dropped table', async () => {
    await createDataSourceTable(t.db, t.hooks, 'ds_b', [GROCERY.Name!]);
    await t.db
      .insertInto('ds_b')
      .values({ page_id: 'a', [NAME]: 'apple pie' })
      .execute();
    await addPropertyColumns(t.db, t.hooks, 'ds_b', GROCERY.Notes!);
    await t.db
      .updateTable('ds_b')
      .set({ [NOTES]: 'crumble' })
      .where('page_id', '=', 'a')
      .execute();
    await t.db
      .insertInto('ds_b')
      .values({ page_id: 'b', [NAME]: 'pear', [NOTES]: 'apple crumble' })
      .execute();
    expect(await check('ds_b', { property: 'Notes', rich_text: { contains: 'crumb' } })).toEqual(['b', 'a']);
    await dropPropertyColumns(t.db, t.hooks, 'ds_b', GROCERY.Notes!);
    expect(await check('ds_b', { property: 'Name', title: { contains: 'apple' } })).toEqual(['a']);
    await t.db
      .insertInto('ds_b')
      .values({ page_id: 'c', [NAME]: 'apple tart' })
      .execute();
    expect(await check('ds_b', { property: 'Name', title: { contains: 'apple' } })).toEqual(['c', 'a']);
    await dropDataSourceTable(t.db, t.hooks, 'ds_b');
    if (engine === 'sqlite') {
      const left = await sql<{
        name: string;
      }>`select name from sqlite_master where name like 'ds_b%'`.execute(t.db);
      expect(left.rows).toEqual([]);
    }
  });

  it('is built for a table from before the index, and agrees after a VACUUM', async () => {
    const none: DialectHooks = { ...t.hooks, trigram: null };
    await createDataSourceTable(t.db, none, 'ds_c', Object.values(GROCERY));
    await t.db
      .insertInto('ds_c')
      .values([row('a', 'apple pie'), row('b', 'apple tart'), row('c', 'pear')])
      .execute();
    expect(await check('ds_c', { property: 'Name', title: { contains: 'apple' } }, none)).toEqual(['b', 'a']);
    await ensureDataSourceTextIndex(t.db, t.hooks, 'ds_c', Object.values(GROCERY));
    await ensureDataSourceTextIndex(t.db, t.hooks, 'ds_c', Object.values(GROCERY));
    if (engine === 'sqlite') {
      const fts = await sql<{ n: number }>`select count(*) as n from ${sql.table(ftsTable('ds_c'))}`.execute(
        t.db,
      );
      expect(fts.rows[0]!.n).toBe(3);
      // Rowids of a table without INTEGER PRIMARY KEY may change here; the stored keys do not.
      await t.db.deleteFrom('ds_c').where('page_id', '=', 'a').execute();
      await sql`vacuum`.execute(t.db);
    } else {
      const idx = await sql<{ n: number }>`select count(*)::int as n from pg_indexes
        where schemaname = current_schema() and tablename = 'ds_c' and indexdef like '%gin_trgm_ops%'`.execute(
        t.db,
      );
      expect(idx.rows[0]!.n).toBe(2);
    }
    await t.db
      .updateTable('ds_c')
      .set({ [NAME]: 'apple crumble' })
      .where('page_id', '=', 'c')
      .execute();
    await t.db.insertInto('ds_c').values(row('d', 'toffee apple')).execute();
    expect(await check('ds_c', { property: 'Name', title: { contains: 'apple' } })).toEqual(
      engine === 'sqlite' ? ['d', 'b', 'c'] : ['d', 'b', 'a', 'c'],
    );
  });
});
