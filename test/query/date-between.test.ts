/**
 * dateBetween in months, quarters and years compiled to SQL (formula-sql.ts, monthsBetweenSql)
 * against the evaluator's (domain/formula/dates.ts, Moment's month difference) over thousands of
 * generated pairs of dates on SQLite and Postgres: ends of months, leap days, times of day on
 * either side of each other, date-only values, years 0–99 and before year 1, and dates far apart.
 * Reproduce with OCTAVO_QUERY_SEED=<seed>.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateBetween, utcMs } from '../../src/domain/formula/dates.ts';
import { type FExpr, fexprSql, fexprValue } from '../../src/query/formula-sql.ts';
import { ENGINES } from '../helpers/engines.ts';
import { openTestDb, type TestDb } from './db.ts';
import { prng, type Rng } from './gen.ts';

const SEED = Number(process.env.OCTAVO_QUERY_SEED ?? 7);
const PAIRS = 3000;
const DAY = 86_400_000;
const NOW = new Date('2026-05-13T10:11:12.345Z');

/** A date: mostly near now, often a month's end or a leap day, sometimes far away or BC. */
function makeDate(rng: Rng): number {
  const r = rng.int(10);
  const y =
    r === 0
      ? rng.int(100)
      : r === 1
        ? -rng.int(3000)
        : r === 2
          ? rng.int(20_000) - 10_000
          : r === 3
            ? rng.pick([2000, 2100, 1900, 2024, 2023])
            : 2020 + rng.int(12);
  const m = rng.int(12);
  const d = rng.chance(0.4) ? rng.pick([28, 29, 30, 31, 1]) : 1 + rng.int(31);
  const tod = rng.chance(0.4) ? 0 : rng.chance(0.5) ? rng.int(24) * 3_600_000 : rng.int(DAY);
  // Day overflow carries into the next month, as Date.UTC does: still a valid instant.
  return utcMs(y, m, d) + tod;
}

/** A pair: independent, or the second a number of months and a little away from the first. */
function makePair(rng: Rng): [number, number] {
  const a = makeDate(rng);
  if (rng.chance(0.4)) return [a, makeDate(rng)];
  const f = new Date(a);
  const months = rng.int(60) - 30;
  const shift = rng.pick([0, 0, 1, -1, DAY, -DAY, 3_600_000, -3_600_000, rng.int(5 * DAY) - 2 * DAY]);
  const b =
    utcMs(f.getUTCFullYear(), f.getUTCMonth() + months, rng.pick([f.getUTCDate(), 28, 29, 30, 31])) +
    (a - utcMs(f.getUTCFullYear(), f.getUTCMonth(), f.getUTCDate())) +
    shift;
  return rng.chance(0.5) ? [a, b] : [b, a];
}

describe(`dateBetween in months, quarters and years in SQL (seed ${SEED})`, () => {
  const dbs: TestDb[] = [];
  beforeAll(async () => {
    for (const engine of ENGINES) dbs.push(await openTestDb(engine, 'db'));
  });
  afterAll(async () => {
    for (const t of dbs) await t.close();
  });

  it(`agrees with the evaluator over ${PAIRS} pairs on ${ENGINES.join(' and ')}`, async () => {
    const rng = prng(SEED);
    const pairs = Array.from({ length: PAIRS }, () => makePair(rng));
    // Date-only values (whole days) and one empty one.
    const rows = pairs.map(([a, b], i) => ({ id: i, a_lo: a, a_hi: a + 1, b_lo: b, b_hi: b + 1 }));
    rows.push({ id: PAIRS, a_lo: null as never, a_hi: null as never, b_lo: 0, b_hi: DAY });
    const date = (c: string): FExpr => ({ t: 'date', k: 'dcol', lo: `${c}_lo`, hi: `${c}_hi` });
    for (const t of dbs) {
      await t.db.schema
        .createTable('pairs')
        .addColumn('id', 'integer')
        .addColumn('a_lo', 'double precision')
        .addColumn('a_hi', 'double precision')
        .addColumn('b_lo', 'double precision')
        .addColumn('b_hi', 'double precision')
        .execute();
      for (let i = 0; i < rows.length; i += 500)
        await t.db
          .insertInto('pairs')
          .values(rows.slice(i, i + 500))
          .execute();
      for (const [unit, months] of [
        ['months', 1],
        ['quarters', 3],
        ['years', 12],
      ] as const) {
        const e: FExpr = { t: 'number', k: 'dateBetween', a: date('a'), b: date('b'), unit: 0, months };
        const ctx = { hooks: t.hooks, now: NOW, col: (name: string) => sql.ref(`pairs.${name}`) };
        const got = await sql<{
          id: number;
          v: number | null;
        }>`select id, ${fexprSql(e, ctx)} as v from pairs order by id`.execute(t.db);
        let checked = 0;
        for (const { id, v } of got.rows) {
          const row = rows[Number(id)]!;
          const want = row.a_lo === null ? null : dateBetween(row.a_lo, row.b_lo, unit, 'UTC');
          const label = `${unit} on ${t.engine}: ${row.a_lo === null ? 'empty' : new Date(row.a_lo).toISOString()} and ${new Date(row.b_lo).toISOString()}`;
          expect(v === null ? null : Number(v) || 0, label).toBe(want);
          // The query side's own value (the oracle of the differential test) too.
          expect(fexprValue(e, row, { now: NOW }), label).toBe(want);
          checked++;
        }
        expect(checked).toBe(rows.length);
      }
    }
  }, 300_000);
});
