/**
 * The formula module beyond the corpus: the stored form (property tokens, related data sources,
 * chains), error positions, and evaluation of stored expressions after renames.
 */
import { describe, expect, it } from 'vitest';
import {
  compileFormula,
  evaluateToResult,
  FormulaError,
  type PageV,
  type SchemaLookup,
  T,
  type Value,
} from '../../src/domain/formula/index.ts';

const SPACE = '11111111-2222-3333-4444-555555555555';
const REL_DS = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const own = [
  { id: 'n%3A1', name: 'N', type: T.number },
  { id: 'rel', name: 'Tasks', type: T.list(T.page(REL_DS)) },
];
const related = [
  { id: 'est', name: 'Estimate', type: T.number },
  { id: 'own', name: 'Owner', type: T.list(T.page(REL_DS)) },
];
const lookup: SchemaLookup = {
  byName: (name, ds) => (ds === REL_DS ? related : ds === undefined ? own : []).find((p) => p.name === name),
  byId: (id, ds) => (ds === REL_DS ? related : ds === undefined ? own : []).find((p) => p.id === id),
};
const tok = (id: string, ds = '00000000-0000-0000-0000-000000000000') =>
  `{{notion:block_property:${id}:${ds}:${SPACE}}}`;

function fail(expr: string): FormulaError {
  try {
    compileFormula(expr, lookup);
  } catch (e) {
    if (e instanceof FormulaError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('formula stored form', () => {
  it('replaces references by tokens, keeping the rest of the text', () => {
    const c = compileFormula('prop("N")  *  2 /* twice */', lookup, { space: SPACE });
    expect(c.stored).toBe(`${tok('n%253A1')}  *  2 /* twice */`);
  });

  it('names related data sources in tokens read through pages, in chains', () => {
    const c = compileFormula(
      'prop("Tasks").first().prop("Owner").first().prop("Estimate") + prop("N")',
      lookup,
      {
        space: SPACE,
      },
    );
    expect(c.stored).toBe(
      `${tok('rel')}.first().${tok('own', REL_DS)}.first().${tok('est', REL_DS)} + ${tok('n%253A1')}`,
    );
    expect(c.type).toEqual(T.number);
  });

  it('reads the stored form back to the same references, and evaluates it', () => {
    const c = compileFormula('sum(prop("Tasks").map(current.prop("Estimate"))) * prop("N")', lookup, {
      space: SPACE,
    });
    const again = compileFormula(c.stored, lookup, { space: SPACE });
    expect(again.stored).toBe(c.stored);
    const task = (estimate: number): PageV => ({
      kind: 'page',
      id: `t${estimate}`,
      dataSourceId: REL_DS,
      title: '',
      prop: (id) => (id === 'est' ? estimate : null),
    });
    const page: PageV = {
      kind: 'page',
      id: 'p',
      dataSourceId: 'own',
      title: '',
      prop: (id): Value => (id === 'n%3A1' ? 2 : id === 'rel' ? [task(3), task(4)] : null),
    };
    expect(evaluateToResult(again, { now: 0, timeZone: 'UTC', page })).toEqual({
      type: 'number',
      number: 14,
    });
  });

  it('makes a deleted reference empty when stored formulas are read leniently', () => {
    const c = compileFormula(`${tok('gone')} + 1`, lookup, { allowMissing: true });
    const page: PageV = { kind: 'page', id: 'p', dataSourceId: 'own', title: '', prop: () => null };
    expect(evaluateToResult(c, { now: 0, timeZone: 'UTC', page })).toEqual({ type: 'number', number: 1 });
    expect(fail(`${tok('gone')} + 1`).message).toBe('Type error with formula');
  });
});

describe('formula errors carry positions', () => {
  it.each([
    ['1 +', 'parse', 3],
    ['(1 + 2', 'parse', 6],
    ['"open', 'parse', 0],
    ['1 # 2', 'parse', 2],
    ['[1, 2,]', 'parse', 6],
    ['prop("N") + true', 'type', 0],
    ['if(true, 1, 2) + nope', 'type', 17],
    ['dateAdd(now(), 1, "fortnights")', 'type', 18],
    ['map([1], current) + current', 'type', 20],
    ['let(1, 2, 3)', 'type', 4],
    ['+1', 'parse', 0],
  ])('%s → %s error at %d', (expr, kind, at) => {
    const e = fail(expr);
    expect(e.kind).toBe(kind);
    expect(e.span.start).toBe(at);
  });
});

describe('dates in years 0–99 and before year 1 are those years', () => {
  const page: PageV = { kind: 'page', id: 'p', dataSourceId: 'own', title: '', prop: () => null };
  const run = (expr: string, timeZone = 'UTC') =>
    evaluateToResult(compileFormula(expr, lookup), { now: 0, timeZone, page });
  const date = (start: string) => ({ type: 'date', date: { start, end: null, time_zone: null } });

  it.each([
    // Date.UTC reads years 0–99 as 1900–1999: each of these came out 1900 years late.
    ['parseDate("0050-03-31")', date('0050-03-31')],
    ['dateSubtract(parseDate("2024-03-15"), 1975, "years")', date('0049-03-15')],
    ['dateAdd(parseDate("0099-12-31"), 1, "days")', date('0100-01-01')],
    ['dateSubtract(parseDate("0000-03-01"), 1, "days")', date('0000-02-29')],
    ['dateAdd(parseDate("0004-02-29"), 12, "months")', date('0005-02-28')],
    ['dateAdd(parseDate("0050-06-01T10:30:00Z"), 2, "hours")', date('0050-06-01T12:30:00.000+00:00')],
    // Before year 1: ISO 8601's expanded years, both read and written.
    ['parseDate("-000100-03-01")', date('-000100-03-01')],
    ['dateSubtract(parseDate("-000100-03-01"), 1, "days")', date('-000100-02-28')],
    ['dateSubtract(parseDate("2024-03-15"), 2124, "years")', date('-000100-03-15')],
    ['dateSubtract(parseDate("0001-01-01T06:00:00Z"), 1, "days")', date('0000-12-31T06:00:00.000+00:00')],
    ['dateSubtract(parseDate("0001-01-01T06:00:00Z"), 2, "years")', date('-000001-01-01T06:00:00.000+00:00')],
  ])('%s', (expr, expected) => {
    expect(run(expr)).toEqual(expected);
  });

  it.each([
    ['year(parseDate("0050-03-31"))', 50],
    ['year(dateSubtract(parseDate("0001-06-01"), 101, "years"))', -100],
    ['month(dateSubtract(parseDate("0001-01-15"), 1, "months"))', 12],
    ['dateBetween(parseDate("0050-01-01"), parseDate("0049-01-01"), "days")', 365],
    ['dateBetween(parseDate("0001-01-01"), parseDate("0000-01-01"), "days")', 366],
    ['dateBetween(parseDate("0060-03-01"), parseDate("0050-03-01"), "years")', 10],
    ['dateBetween(parseDate("0001-03-01"), parseDate("-000001-03-01"), "months")', 24],
    ['timestamp(parseDate("0050-01-01"))', -60589296000000],
    ['week(parseDate("0050-01-01"))', 52],
  ])('%s → %d', (expr, n) => {
    expect(run(expr)).toEqual({ type: 'number', number: n });
  });

  it.each([
    ['formatDate(parseDate("0050-03-31"), "YYYY-MM-DD dddd")', '0050-03-31 Thursday'],
    ['formatDate(parseDate("0000-02-29"), "YYYY-MM-DD DDD")', '0000-02-29 60'],
    ['formatDate(parseDate("-000100-03-01"), "YYYY YYYYYY Y N y yyyy")', '-0100 -000100 -0100 BC 101 0101'],
    ['formatDate(parseDate("0000-06-01"), "YYYY N y")', '0000 BC 1'],
    // `yy` is the era's year zero-filled to two digits, not cut to two (Moment 2.30); `YY` is.
    ['formatDate(parseDate("2005-03-04"), "DD/MM/yy yy YY yyy y")', '04/03/2005 2005 05 2005 2005'],
    ['formatDate(parseDate("1999-12-31"), "DD/MM/yy DD/MM/YY")', '31/12/1999 31/12/99'],
    ['formatDate(parseDate("0005-06-01"), "yy yyy yyyy y Y YY")', '05 005 0005 5 0005 05'],
    ['formatDate(parseDate("+010000-01-02"), "DD/MM/yy YY")', '02/01/10000 00'],
    ['formatDate(parseDate("-000001-06-01"), "yy N YY Y")', '02 BC -01 -0001'],
    ['formatDate(parseDate("-000123-06-01"), "yy yyyyy [yy]")', '124 0124124 yy'],
    ['formatDate(parseDate("+010000-01-02"), "YYYY-MM-DD Y yyyy")', '10000-01-02 +10000 10000'],
    ['formatDate(parseDate("0050-06-01T12:00:00Z"), "YYYY-MM-DD HH:mm")', '0050-06-01 12:00'],
  ])('%s → %s', (expr, text) => {
    expect(run(expr)).toEqual({ type: 'string', string: text });
  });

  it('reads a zone offset of years 0–99 and before year 1 (local mean time)', () => {
    // Paris before 1891 is its local mean time, +0:09:21 (the zone data's, as the runtime has it).
    expect(
      run('formatDate(parseDate("0050-06-01T12:00:00Z"), "YYYY-MM-DD HH:mm:ss Z")', 'Europe/Paris'),
    ).toEqual({ type: 'string', string: '0050-06-01 12:09:21 +00:09' });
    expect(
      run('formatDate(parseDate("-000100-06-01T12:00:00Z"), "YYYY-MM-DD HH:mm:ss")', 'Europe/Paris'),
    ).toEqual({ type: 'string', string: '-0100-06-01 12:09:21' });
    expect(
      run('dateBetween(parseDate("0050-06-02"), parseDate("0050-06-01"), "hours")', 'Europe/Paris'),
    ).toEqual({
      type: 'number',
      number: 24,
    });
  });
});
