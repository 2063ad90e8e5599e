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
