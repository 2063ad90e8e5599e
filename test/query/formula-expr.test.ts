/**
 * Numeric formulas compiled to SQL (src/query/formula-sql.ts): for generated formulas over generated
 * number columns (empties, zeros, negatives, fractions, halves), with arithmetic, `%`/`mod`,
 * `round`, `min`/`max` and `sqrt`, and for those functions over rows of extreme values (the
 * largest and smallest doubles, values that round badly, zero divisors), the formula evaluator, the query
 * evaluator and SQL on SQLite and Postgres agree on every value, filter and order, including a
 * keyset walk through the store's executor. Reproduce with OCTAVO_QUERY_SEED=<seed>.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFormula, evaluate, type PageV, T } from '../../src/domain/formula/index.ts';
import { columnStem, deriveColumns } from '../../src/query/columns.ts';
import { createDataSourceTable } from '../../src/query/ddl.ts';
import { runQuery } from '../../src/query/evaluate.ts';
import { queryRows } from '../../src/query/execute.ts';
import { type FExpr, fexprValue, formulaToSql, readsRow } from '../../src/query/formula-sql.ts';
import type { DerivedRow } from '../../src/query/keys.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { ENGINES } from '../helpers/engines.ts';
import { openTestDb, type TestDb } from './db.ts';
import { prng, type Rng } from './gen.ts';

const SEED = Number(process.env.OCTAVO_QUERY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const NOW = new Date('2026-05-13T10:11:12.345Z');
const ROWS = 120;
const FORMULAS = 40;
const PROPS = [
  { id: 'a', name: 'A', type: 'number' },
  { id: 'b%2F', name: 'B', type: 'number' },
  { id: 'c', name: 'C', type: 'number' },
];
const schema = Object.fromEntries([
  ['Name', { id: 'title', name: 'Name', type: 'title', title: {} }],
  ...PROPS.map((p) => [p.name, { ...p, number: {} }]),
  ['F', { id: 'f', name: 'F', type: 'formula', formula: { expression: '' } }],
]);

/** The SQL expression of a formula over the number properties (constants stay with the evaluator). */
function toSql(root: Parameters<typeof formulaToSql>[0], t: FExpr['t']): FExpr | undefined {
  const e = formulaToSql(root, (id) =>
    PROPS.some((p) => p.id === id) ? { t: 'number', k: 'col', col: columnStem(id) } : undefined,
  );
  return e && e.t === t && readsRow(e) ? e : undefined;
}

function makeNumber(rng: Rng): number | null {
  const r = rng.int(12);
  if (r === 0) return null;
  if (r === 1) return 0;
  if (r === 2) return -rng.int(50);
  if (r === 3) return rng.int(1000) / 8;
  if (r === 4) return -rng.int(40) / 2;
  if (r === 5) return rng.pick([0.5, -0.5, 2.5, -2.5, 0.1, -0.3, 1.005, 0.49999999999999994]);
  return rng.int(20);
}

/** Values at the edges of doubles and of rounding, one row each in the edge run. */
const EDGES = [
  null,
  0,
  -0.5,
  0.5,
  2.5,
  -2.5,
  0.49999999999999994,
  -0.49999999999999994,
  1.005,
  -1.005,
  0.1,
  3.7,
  -7,
  2 ** 52 + 1,
  2 ** 53 + 2,
  -(2 ** 63) * 3,
  1e300,
  -1e300,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  5e-324,
  -1e-320,
  2.2250738585072014e-308,
  1e-7,
];

function makeFormula(rng: Rng, depth = 0): string {
  const r = rng.int(depth > 2 ? 2 : 12);
  const f = () => makeFormula(rng, depth + 1);
  if (r === 0) return `prop("${rng.pick(PROPS).name}")`;
  if (r === 1) return String(rng.pick([0, 1, 2, 0.5, 3, 10]));
  if (r === 2) return `-${f()}`;
  if (r === 3) return `${rng.pick(['add', 'subtract', 'multiply', 'divide', 'mod'])}(${f()}, ${f()})`;
  if (r === 4) return `(${f()} % ${rng.int(2) ? f() : rng.pick(['2', '0.1', '-3', '0'])})`;
  if (r === 5) return rng.int(2) ? `round(${f()})` : `round(${f()}, ${rng.pick([0, 1, 2, -1, 3])})`;
  if (r === 6) return `${rng.pick(['min', 'max'])}(${f()}, ${f()}${rng.int(2) ? `, ${f()}` : ''})`;
  if (r === 7) return `sqrt(${f()})`;
  return `(${f()} ${rng.pick(['+', '-', '*', '/'])} ${f()})`;
}

/**
 * The functions over extreme values, and arithmetic that overflows, underflows and divides by
 * zero (JavaScript: ±Infinity and NaN, so empty, or 0; Postgres raised "value out of range").
 */
const EDGE_FORMULAS = [
  'prop("A") * prop("B")',
  'prop("A") / prop("B")',
  'prop("A") + prop("B")',
  'prop("A") - prop("B")',
  'prop("A") * prop("B") * prop("C")',
  '(prop("A") * prop("B")) / (prop("C") * 10) + 1',
  'prop("A") / prop("B") / prop("C") - prop("A")',
  'multiply(prop("A"), 2) + divide(prop("B"), 0.5) * 3',
  '(prop("A") + prop("B")) % 7',
  'round(prop("A"))',
  'round(prop("A"), 2)',
  'round(prop("A"), -1)',
  'round(prop("A"), 15)',
  'round(prop("A"), -20)',
  'round(prop("A"), 25)',
  'prop("A") % prop("B")',
  'mod(prop("B"), prop("A"))',
  'prop("A") % 0.1',
  'sqrt(prop("A"))',
  'min(prop("A"), prop("B"), prop("C"))',
  'max(prop("A"), prop("B"))',
  'min(prop("A"))',
];

describe(`numeric formulas in SQL agree with the evaluators (seed ${SEED})`, () => {
  const dbs: TestDb[] = [];
  beforeAll(async () => {
    for (const engine of ENGINES) dbs.push(await openTestDb(engine, 'fx'));
  });
  afterAll(async () => {
    for (const t of dbs) await t.close();
  });

  it(`runs ${FORMULAS} generated formulas on ${ENGINES.join(' and ')}`, async () => {
    const rng = prng(SEED);
    const values = Array.from({ length: ROWS }, () => PROPS.map(() => makeNumber(rng)));
    const sources = Array.from({ length: FORMULAS }, () => makeFormula(rng));
    await run('fx', rng, values, sources, FORMULAS);
  }, 300_000);

  it(`runs arithmetic, %, mod, round, min, max and sqrt over extreme values on ${ENGINES.join(' and ')}`, async () => {
    const rng = prng(SEED);
    // Every pair of edge values, the third property drawn from them too.
    const values = EDGES.flatMap((a) => EDGES.map((b) => [a, b, rng.pick(EDGES)]));
    await run('fx_edge', rng, values, EDGE_FORMULAS, 0);
  }, 300_000);

  /** Checks each formula of `sources` over rows of `values` four ways; `comparisons` more of `<`… */
  async function run(
    table: string,
    rng: Rng,
    values: (number | null)[][],
    sources: readonly string[],
    comparisons: number,
  ) {
    const ROWS = values.length;
    const rows: DerivedRow[] = values.map((vs) => {
      const row: Record<string, string | number | null> = {
        page_id: rng.uuid(),
        created_time: NOW.toISOString(),
        last_edited_time: NOW.toISOString(),
        created_by: 'u',
        last_edited_by: 'u',
        in_trash: 0,
      };
      for (const [i, p] of PROPS.entries()) Object.assign(row, deriveColumns(p, vs[i]));
      return row;
    });
    for (const t of dbs) {
      await createDataSourceTable(t.db, t.hooks, table, Object.values(schema));
      for (let i = 0; i < rows.length; i += 200)
        await t.db
          .insertInto(table)
          .values(rows.slice(i, i + 200))
          .execute();
    }
    const lookup = {
      byName: (name: string) => {
        const p = PROPS.find((x) => x.name === name);
        return p && { id: p.id, name: p.name, type: T.number };
      },
      byId: (id: string) => {
        const p = PROPS.find((x) => x.id === id);
        return p && { id: p.id, name: p.name, type: T.number };
      },
    };
    let compiled = 0;
    for (const [f, source] of sources.entries()) {
      const label = `seed ${SEED}, formula ${f}: ${source}`;
      const formula = compileFormula(source, lookup);
      const expr = toSql(formula.root, 'number');
      if (!expr) continue; // constants stay with the evaluator
      compiled++;
      // 1. The formula evaluator and the query-side value agree on every row.
      values.forEach((vs, i) => {
        const page: PageV = {
          kind: 'page',
          id: 'p',
          dataSourceId: 'd',
          title: '',
          prop: (id) => vs[PROPS.findIndex((p) => p.id === id)] ?? null,
        };
        const v = evaluate(formula.root, { now: NOW.getTime(), timeZone: 'UTC', page });
        expect(fexprValue(expr, rows[i]!, { now: NOW }), `${label}, row ${i}`).toBe(
          v === null ? null : (v as number) || 0,
        ); // the API shows -0 as 0
      });
      // 2. Filters and sorts: SQL on both engines equals the query evaluator, walked with cursors.
      const threshold = rng.pick([0, 1e9]);
      const bodies = [
        { filter: { property: 'F', formula: { number: { greater_than: rng.pick([-5, 0, 1, 7]) } } } },
        { filter: { property: 'F', formula: { number: { is_empty: true } } } },
        {
          filter: { property: 'F', formula: { number: { does_not_equal: 0 } } },
          sorts: [{ property: 'F', direction: 'descending' }],
        },
        {
          sorts: [
            { property: 'F', direction: rng.pick(['ascending', 'descending']) },
            { property: 'A', direction: 'ascending' },
          ],
        },
      ];
      for (const body of bodies) {
        const query = parseQuery(body, schema, {
          version: '2025-09-03',
          meUserId: null,
          computed: new Map([['f', 'number']]),
          exprs: new Map([['f', expr]]),
        });
        const expected = runQuery(query, rows, { now: NOW });
        for (const t of dbs) {
          const ids: string[] = [];
          let from: string | null = null;
          for (let guard = 0; guard <= ROWS; guard++) {
            const page = await queryRows(t.db, t.hooks, table, query, {
              inTrash: false,
              from,
              limit: ROWS > 200 ? 97 : 11,
              now: NOW,
              walkThreshold: threshold,
            });
            ids.push(...page.items);
            from = page.next;
            if (!from) break;
          }
          expect(ids, `${label} ${JSON.stringify(body)} on ${t.engine}`).toEqual(expected);
        }
      }
    }
    expect(compiled).toBeGreaterThan(sources.length / 2);
    if (comparisons === 0) return;

    // Comparisons: boolean formulas read as checkboxes.
    let compared = 0;
    for (let f = 0; f < comparisons; f++) {
      const op = rng.pick(['<', '<=', '>', '>=', '==', '!=']);
      const source = `${makeFormula(rng, 1)} ${op} ${rng.int(3) === 0 ? rng.pick(['0', '3', '-1']) : makeFormula(rng, 1)}`;
      const label = `seed ${SEED}, comparison ${f}: ${source}`;
      const formula = compileFormula(source, lookup);
      const expr = toSql(formula.root, 'bool');
      if (!expr) continue;
      compared++;
      for (const [i, vs] of values.entries()) {
        const page: PageV = {
          kind: 'page',
          id: 'p',
          dataSourceId: 'd',
          title: '',
          prop: (id) => vs[PROPS.findIndex((p) => p.id === id)] ?? null,
        };
        const v = evaluate(formula.root, { now: NOW.getTime(), timeZone: 'UTC', page });
        expect(fexprValue(expr, rows[i]!, { now: NOW }), `${label}, row ${i}`).toBe(v === true);
      }
      for (const body of [
        { filter: { property: 'F', formula: { checkbox: { equals: true } } } },
        { filter: { property: 'F', formula: { checkbox: { does_not_equal: true } } } },
        { sorts: [{ property: 'F', direction: rng.pick(['ascending', 'descending']) }] },
      ]) {
        const query = parseQuery(body, schema, {
          version: '2025-09-03',
          meUserId: null,
          computed: new Map([['f', 'boolean']]),
          exprs: new Map([['f', expr]]),
        });
        expect(JSON.stringify(query)).toContain('"source":"expr"');
        const expected = runQuery(query, rows, { now: NOW });
        for (const t of dbs) {
          const page = await queryRows(t.db, t.hooks, table, query, {
            inTrash: false,
            from: null,
            limit: ROWS,
            now: NOW,
          });
          expect(page.items, `${label} ${JSON.stringify(body)} on ${t.engine}`).toEqual(expected);
        }
      }
    }
    expect(compared).toBeGreaterThan(comparisons / 3);
    expect(columnStem('a')).toBe('p_61');
  }
});
