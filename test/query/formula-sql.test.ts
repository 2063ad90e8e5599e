/**
 * Formulas and rollups in SQL (src/query/formula-sql.ts), four ways: for generated text,
 * checkbox, date and number formulas (over text, number, checkbox and date properties, `now()`,
 * `today()` and rollups) and rollups of every function family over a second data source, the
 * formula language's own evaluator and rollup computation (src/domain) give each row's value;
 * then list functions over the related pages (`prop("Rel").map(current.prop("N")).sum()`,
 * `.filter(…).length()`, `.some(…)`, …, over related numbers, checkboxes, dates, texts and a
 * related formula), which compile to aggregates over the related rows as rollups do;
 * the query-side value (`fexprValue`) must be that value in column form; and SQLite and
 * Postgres must select and order the same rows as the query evaluator, walked with cursors
 * through the store's executor. Reproduce with OCTAVO_QUERY_SEED=<seed>.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compileFormula,
  evaluate,
  type FType,
  type PageV,
  renderResult,
  T,
  type Value,
} from '../../src/domain/formula/index.ts';
import { dateValue } from '../../src/domain/properties/formulas.ts';
import { computeRollup, type RollupFunction, rollupType } from '../../src/domain/properties/rollups.ts';
import { columnStem, deriveColumns } from '../../src/query/columns.ts';
import { pageDateInterval } from '../../src/query/dates.ts';
import { createDataSourceTable } from '../../src/query/ddl.ts';
import { runQuery } from '../../src/query/evaluate.ts';
import { queryRows } from '../../src/query/execute.ts';
import {
  type FExpr,
  fexprValue,
  formulaToSql,
  type Interval,
  MAX_SQL_SIZE,
  type OptionRef,
  type RelationRef,
  type RolledColumn,
  type RollupFn,
  type Row,
  readsRow,
  sqlSize,
} from '../../src/query/formula-sql.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { ENGINES } from '../helpers/engines.ts';
import { openTestDb, type TestDb } from './db.ts';
import { prng, type Rng } from './gen.ts';

// A fixed seed by default, so that CI is deterministic; OCTAVO_QUERY_SEED=random (or a number)
// explores. Every disagreement found that way is kept in REGRESSIONS, over FIXED_ROWS, so it is
// checked whatever the seed.
// Explored after the fix of seed 1462683501 (issue 10), 34 random seeds, no other disagreement:
// 1751642573 864560139 1116188653 780687293 1615564353 66588581 267880636 948613317 665154366
// 1891934938 1069113933 321785930 1988343480 306036113 1260670763 1538591540 221734270 711697775
// 2116705812 1204630375 1286540092 1498097056 1131966793 602461713 1810060588 607015254 38092005
// 410559018 845100837 2027416016 1934744901 1179713327 620055219 1620636289
// With %, mod, round, min, max, sqrt and length in SQL: 1872784699; with months too: 836673669.
// After SQLite's 16- and 17-digit text of numbers was made exact (seed 3244027022, below), 40
// random seeds; no disagreement (160111111 compiled only 5 of its 10 generated text list
// formulas, see the check after them):
// 1289945873 905318007 1260478009 2113174346 915369089 840133514 1428299249 1979190604 77084089
// 1953850963 246689975 1813392268 1008749082 1970755111 1123294046 1454899494 1823548721 144141688
// 1925254770 356925841 484648790 1443579333 944971803 1530682962 424173299 1837836999 1986731533
// 1440052383 1837639127 2120636787 185409394 1067930008 1224214449 1170813340 613121521 771766144
// 728258256 2078950090 1661429539
const SEED_SETTING = process.env.OCTAVO_QUERY_SEED ?? '11';
const SEED = SEED_SETTING === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(SEED_SETTING);
const NOW = new Date('2026-05-13T10:11:12.345Z');
const ROWS = 90;
const RELATED = 40;
const FORMULAS = 28;
/** Generated formulas with list functions over the related pages, of each type (number, boolean, text). */
const LIST_FORMULAS = 10;
const MAIN = 'fs_main';
const REL = 'fs_rel';
const text = (s: string) => (s === '' ? [] : [{ type: 'text', text: { content: s }, plain_text: s }]);

/** The related data source: number, checkbox, date, text and select. */
const R = {
  N: { id: 'n', name: 'N', type: 'number', number: {} },
  K: { id: 'k', name: 'K', type: 'checkbox', checkbox: {} },
  D: { id: 'd', name: 'D', type: 'date', date: {} },
  S: { id: 's', name: 'S', type: 'rich_text', rich_text: {} },
  O: {
    id: 'o',
    name: 'O',
    type: 'select',
    select: {
      options: [
        { id: 'x', name: 'X' },
        { id: 'y', name: 'Y' },
      ],
    },
  },
};
const RELATION_ID = 'rel%3A';
/** A third data source the related one rolls up (rollup conditions over a rolled-up rollup). */
const REL2 = 'fs_rel2';
const R2 = {
  N2: { id: 'n2', name: 'N2', type: 'number', number: {} },
  D2: { id: 'd2', name: 'D2', type: 'date', date: {} },
  T2: { id: 'title', name: 'T2', type: 'title', title: {} },
};
const REL2_RELATION_ID = 'rel2';
const REL_SCHEMA = {
  ...R,
  L: { id: REL2_RELATION_ID, name: 'L', type: 'relation', relation: { data_source_id: 'r2' } },
};
const REL2_REF: RelationRef = { col: columnStem(REL2_RELATION_ID), table: REL2 };
/** The related data source's rollups over REL2 (SQL over the related row). */
const INNER: Record<string, FExpr> = {
  sum: {
    t: 'number',
    k: 'rollup',
    fn: 'sum',
    rel: REL2_REF,
    v: { family: 'number', col: columnStem('n2') },
  },
  average: {
    t: 'number',
    k: 'rollup',
    fn: 'average',
    rel: REL2_REF,
    v: { family: 'number', col: columnStem('n2') },
  },
  earliest_date: {
    t: 'date',
    k: 'rollup',
    fn: 'earliest_date',
    rel: REL2_REF,
    v: { family: 'date', lo: `${columnStem('d2')}_lo`, hi: `${columnStem('d2')}_hi` },
  },
};
/** The rollups of the test: function and rolled-up property. */
const ROLLUPS: { name: string; fn: RollupFn; of: keyof typeof R }[] = [
  { name: 'Count', fn: 'count', of: 'N' },
  { name: 'Values', fn: 'count_values', of: 'S' },
  { name: 'Unique', fn: 'unique', of: 'O' },
  { name: 'Empties', fn: 'empty', of: 'D' },
  { name: 'Filled', fn: 'not_empty', of: 'N' },
  { name: 'PctEmpty', fn: 'percent_empty', of: 'S' },
  { name: 'PctFilled', fn: 'percent_not_empty', of: 'O' },
  { name: 'Sum', fn: 'sum', of: 'N' },
  { name: 'Avg', fn: 'average', of: 'N' },
  { name: 'Min', fn: 'min', of: 'N' },
  { name: 'Max', fn: 'max', of: 'N' },
  { name: 'Range', fn: 'range', of: 'N' },
  { name: 'Checked', fn: 'checked', of: 'K' },
  { name: 'Unchecked', fn: 'unchecked', of: 'K' },
  { name: 'PctChecked', fn: 'percent_checked', of: 'K' },
  { name: 'PctUnchecked', fn: 'percent_unchecked', of: 'K' },
  { name: 'Earliest', fn: 'earliest_date', of: 'D' },
  { name: 'Latest', fn: 'latest_date', of: 'D' },
  { name: 'Span', fn: 'date_range', of: 'D' },
];
/**
 * The median, in SQL since the seeds above were explored: kept out of ROLLUPS (and so out of
 * the generator) so that a seed generates the formulas it did before; checked after them.
 */
const MEDIAN = { name: 'Median', fn: 'median', of: 'N' } as const;
const ALL_ROLLUPS: { name: string; fn: RollupFn; of: keyof typeof R }[] = [...ROLLUPS, MEDIAN];
const M = {
  A: { id: 'a', name: 'A', type: 'number', number: {} },
  B: { id: 'b%2F', name: 'B', type: 'number', number: {} },
  Name: { id: 'title', name: 'Name', type: 'title', title: {} },
  Note: { id: 't', name: 'Note', type: 'rich_text', rich_text: {} },
  Done: { id: 'c', name: 'Done', type: 'checkbox', checkbox: {} },
  Due: { id: 'due', name: 'Due', type: 'date', date: {} },
  Rel: { id: RELATION_ID, name: 'Rel', type: 'relation', relation: { data_source_id: 'r' } },
};
const rollupId = (name: string) => `r_${name}`;
const SCHEMA = {
  ...M,
  ...Object.fromEntries(
    ALL_ROLLUPS.map((r) => [
      r.name,
      {
        id: rollupId(r.name),
        name: r.name,
        type: 'rollup',
        rollup: { function: r.fn, relation_property_id: RELATION_ID, rollup_property_id: R[r.of].id },
      },
    ]),
  ),
  F: { id: 'f', name: 'F', type: 'formula', formula: { expression: '' } },
};
const REL_REF: RelationRef = { col: columnStem(RELATION_ID), table: REL };
/** A formula of the related data source (no column: SQL computes it over the related row). */
const REL_FORMULA = { id: 'g', name: 'G', expression: 'if(prop("K"), prop("N") * 2, prop("N") - 1)' };

function rolledColumn(of: keyof typeof R): RolledColumn {
  const stem = columnStem(R[of].id);
  if (of === 'D') return { family: 'date', lo: `${stem}_lo`, hi: `${stem}_hi` };
  return {
    family: of === 'N' ? 'number' : of === 'K' ? 'checkbox' : of === 'S' ? 'text' : 'option',
    col: stem,
  };
}

type Raw = Record<string, unknown>;

const WORDS = ['Alpha 1', 'beta #2', 'GAMMA', '', 'x#4y', 'Ünï 3', 'Delta #4', 'ß7', '42', 'İz 😀'];
function makeText(rng: Rng): string {
  return rng.pick(WORDS);
}
function makeNumber(rng: Rng): number | null {
  const r = rng.int(8);
  if (r === 0) return null;
  if (r === 1) return 0;
  if (r === 2) return -rng.int(30);
  if (r === 3) return rng.int(400) / 8;
  return rng.int(20);
}
function makeDate(rng: Rng): { start: string; end?: string } | null {
  const r = rng.int(6);
  if (r === 0) return null;
  const day = NOW.getTime() - 10 * 86_400_000 + rng.int(20) * 86_400_000;
  const dateOnly = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  if (r === 1) return { start: new Date(day + rng.int(24) * 3_600_000).toISOString() };
  if (r === 2) return { start: dateOnly(day), end: dateOnly(day + rng.int(4) * 86_400_000) };
  if (r === 3)
    return {
      start: new Date(day + 3_600_000).toISOString(),
      end: new Date(day + 3_600_000 * (2 + rng.int(40))).toISOString(),
    };
  return { start: dateOnly(day) };
}

/** The formula value of a raw property value (what the app's evaluator reads). */
function formulaValue(type: string, v: unknown): Value {
  if (type === 'number') return typeof v === 'number' ? v : null;
  if (type === 'checkbox') return v === true;
  if (type === 'date') return dateValue((v as { start: string } | null) ?? null);
  if (type === 'select') return typeof v === 'string' ? v : null;
  return v === '' || v === undefined ? null : (v as string);
}

/** The response form deriveColumns reads. */
function responseValue(type: string, v: unknown): unknown {
  if (type === 'title' || type === 'rich_text') return text((v as string) ?? '');
  if (type === 'select') return typeof v === 'string' ? { name: v } : null;
  if (type === 'relation') return ((v as string[]) ?? []).map((id) => ({ id }));
  return v ?? null;
}

function derive(schema: Record<string, { id: string; type: string }>, raw: Raw, id: string, trash = 0) {
  const row: Record<string, string | number | null> = {
    page_id: id,
    created_time: NOW.toISOString(),
    last_edited_time: NOW.toISOString(),
    created_by: 'u',
    last_edited_by: 'u',
    in_trash: trash,
  };
  for (const [name, p] of Object.entries(schema)) {
    if (p.type === 'rollup' || p.type === 'formula') continue;
    Object.assign(row, deriveColumns(p, responseValue(p.type, raw[name])));
  }
  return row;
}

/** A value of the formula language in its column form (text lowered, dates as intervals). */
function columnForm(v: Value, t: FType): number | string | boolean | Interval | null {
  const r = renderResult(v, t, 'UTC') as { type: string; [k: string]: unknown };
  const x = r[r.type];
  if (r.type === 'boolean') return x === true;
  if (r.type === 'string') return typeof x === 'string' && x !== '' ? x.toLowerCase() : null;
  if (r.type === 'date') {
    const i = pageDateInterval(x);
    return i && { lo: i.from, hi: i.to };
  }
  return (x as number | null) ?? null;
}

const TEXT_LITS = ['"#4"', '" #"', '"Mixed"', '"42"', '""', '"x"'];
const UNITS = ['"days"', '"hours"', '"minutes"', '"weeks"'];
/** dateBetween's units, months, quarters and years included. */
const BETWEEN_UNITS = [...UNITS, '"months"', '"quarters"', '"years"'];
/** dateAdd's units, months and years included. */
const CALENDAR_UNITS = [...UNITS, '"months"', '"years"', '"quarters"', '"month"', '"year"'];
const NUM_ROLLUPS = ROLLUPS.filter((r) => !['earliest_date', 'latest_date', 'date_range'].includes(r.fn));
const DATE_ROLLUPS = ROLLUPS.filter((r) => ['earliest_date', 'latest_date', 'date_range'].includes(r.fn));

function gen(rng: Rng, t: 'number' | 'text' | 'bool' | 'date', depth = 0): string {
  const leaf = depth > 1;
  const g = (u: 'number' | 'text' | 'bool' | 'date') => gen(rng, u, depth + 1);
  switch (t) {
    case 'number':
      return [
        () => `prop("${rng.pick(['A', 'B'])}")`,
        () => `prop("${rng.pick(NUM_ROLLUPS).name}")`,
        () => String(rng.pick([0, 1, 2.5, 10])),
        () => `(${g('number')} ${rng.pick(['+', '-', '*', '/'])} ${g('number')})`,
        () => `if(${g('bool')}, ${g('number')}, ${g('number')})`,
        () => `dateBetween(${g('date')}, ${g('date')}, ${rng.pick(BETWEEN_UNITS)})`,
        () => `length(${g(rng.pick(['text', 'text', 'number', 'bool']))})`,
        () => `(${g('number')} % ${rng.pick(['2', '-0.5', '3', g('number')])})`,
        () => `round(${g('number')}${rng.int(2) ? `, ${rng.pick([1, 2, -1])}` : ''})`,
        () => `${rng.pick(['min', 'max'])}(${g('number')}, ${g('number')})`,
        () => `sqrt(${g('number')})`,
      ][rng.int(leaf ? 3 : 11)]!();
    case 'text':
      return [
        () => `prop("${rng.pick(['Name', 'Note'])}")`,
        () => rng.pick(TEXT_LITS),
        () => `(${g('text')} + ${g(rng.pick(['text', 'number', 'bool']))})`,
        () => `format(${g(rng.pick(['number', 'bool']))})`,
        () => `${rng.pick(['upper', 'lower'])}(${g('text')})`,
        () => `if(${g('bool')}, ${g('text')}, ${g('text')})`,
      ][rng.int(leaf ? 2 : 6)]!();
    case 'bool':
      return [
        () => 'prop("Done")',
        () => `(${g('number')} ${rng.pick(['<', '<=', '>', '>=', '==', '!='])} ${g('number')})`,
        () => `(${g('date')} ${rng.pick(['<', '<=', '>', '>=', '==', '!='])} ${g('date')})`,
        () => `(${g('text')} ${rng.pick(['==', '!='])} ${rng.pick(['"42"', '"#4"', '"1"'])})`,
        () => `contains(${g('text')}, ${rng.pick(['"#"', '"4"', '" "'])})`,
        () => `${rng.pick(['and', 'or'])}(${g('bool')}, ${g(rng.pick(['bool', 'number', 'text']))})`,
        () => `not(${g(rng.pick(['bool', 'number', 'text', 'date']))})`,
        () => `empty(${g(rng.pick(['bool', 'number', 'text', 'date']))})`,
        () => `(${g('bool')} ${rng.pick(['&&', '||'])} ${g('bool')})`,
      ][rng.int(leaf ? 1 : 9)]!();
    case 'date':
      return [
        () => 'prop("Due")',
        () => `prop("${rng.pick(DATE_ROLLUPS).name}")`,
        () => rng.pick(['now()', 'today()']),
        () =>
          `${rng.pick(['dateAdd', 'dateSubtract'])}(${g('date')}, ${rng.pick([1, 2, -3, 0, 1.5, -2.5, 13])}, ${rng.pick(CALENDAR_UNITS)})`,
        () => `dateStart(${g('date')})`,
        () => `if(${g('bool')}, ${g('date')}, ${g('date')})`,
      ][rng.int(leaf ? 3 : 6)]!();
  }
}

/** Related rows and rows every run has, whatever the seed (the regressions below need them). */
const FIXED_ID = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const FIXED_RELATED: Raw[] = [
  { N: 3, K: true, D: { start: iso(NOW.getTime() - 21 * 86_400_000 + 2 * HOUR) }, S: 'GAMMA', O: 'X' },
  { N: null, K: false, D: { start: '2026-05-01' }, S: '', O: null },
];
/** A median of two: (0.1 + 0.7) / 2 is 0.39999999999999997, a + (b − a) / 2 is 0.4. */
const MEDIAN_RELATED: Raw[] = [
  { N: 0.1, K: false, D: null, S: '', O: null },
  { N: 0.7, K: false, D: null, S: '', O: null },
];
const FIXED_ROWS: Raw[] = [
  {
    A: 3,
    B: 2,
    Name: 'Alpha 1',
    Note: '',
    Done: true,
    Due: { start: iso(NOW.getTime() - 21 * 86_400_000) },
    Rel: [FIXED_ID(100)],
  },
  {
    A: 7,
    B: 0,
    Name: 'ß7',
    Note: '42',
    Done: false,
    Due: { start: iso(NOW.getTime() - 35 * 86_400_000) },
    Rel: [FIXED_ID(100), FIXED_ID(101)],
  },
  { A: null, B: null, Name: '', Note: 'x#4y', Done: false, Due: null, Rel: [] },
  // Ends of months and leap days, for dateAdd in months and years; years 0–99 (Date.UTC read
  // them as 1900–1999: the evaluator did, and SQL copied it) and year 0, a leap year.
  ...[
    { start: '2024-01-31' },
    { start: '2024-02-29T23:30:00.000Z' },
    { start: '2023-12-31T12:00:00.000Z', end: '2024-01-02T00:00:00.000Z' },
    { start: '2000-03-31' },
    { start: '2100-05-31T01:02:03.004Z' },
    { start: '2000-02-29' },
    { start: '0050-03-31' },
    { start: '0000-02-29T12:00:00.000Z' },
    { start: '0004-02-29', end: '0004-03-01' },
  ].map((Due) => ({ A: 1, B: -0.5, Name: 'İz 😀', Note: 'GAMMA', Done: true, Due, Rel: [] })),
  { A: 2, B: 1, Name: 'x#4y', Note: '', Done: false, Due: null, Rel: [FIXED_ID(102), FIXED_ID(103)] },
];

/**
 * Disagreements found by exploring seeds, kept as fixed cases: each runs on every seed, over the
 * generated rows and FIXED_ROWS.
 */
const REGRESSIONS: {
  why: string;
  t: 'number' | 'text' | 'bool' | 'date';
  source: string;
  bodies: unknown[];
  /** The ids each body must select, in order, where known (null: only the evaluators' agreement). */
  ids?: (string[] | null)[];
}[] = [
  {
    why: 'seed 1462683501, formula 84: SQLite divided the integers dateBetween gave (3 / 2 = 1)',
    t: 'number',
    source: 'dateBetween(now(), prop("Due"), "weeks") / dateBetween(prop("Earliest"), prop("Due"), "hours")',
    bodies: [
      {
        filter: { property: 'F', formula: { number: { does_not_equal: 1 } } },
        sorts: [{ property: 'F', direction: 'ascending' }],
      },
      { filter: { property: 'F', formula: { number: { less_than: 1 } } } },
    ],
  },
  {
    why: 'seed 3244027022, formula 52: SQLite wrote the average 0.39999999999999997 (of 0.1 and 0.7) as 0.4, printf stopping at 16 digits',
    t: 'number',
    source: 'length(prop("Avg"))',
    bodies: [
      {
        filter: { property: 'F', formula: { number: { does_not_equal: 3 } } },
        sorts: [{ property: 'F', direction: 'descending' }],
      },
      { filter: { property: 'F', formula: { number: { equals: 19 } } } },
    ],
  },
  {
    why: 'SQLite rounded 17 digits twice (…408 for 21.769107781360407) and a 16-digit tie up (…313 for 9723549822791.3125)',
    t: 'text',
    source: 'format(prop("A") * 21.769107781360407) + "|" + format(prop("A") * 9723549822791.3125)',
    bodies: [
      { filter: { property: 'F', formula: { string: { equals: '21.769107781360407|9723549822791.312' } } } },
      { sorts: [{ property: 'F', direction: 'ascending' }] },
    ],
  },
];

/** Numbers over a related page, for `map` (no `/`: sums add exactly in any order, see docs). */
const REL_NUMBERS = [
  'current.prop("N")',
  'current.prop("G")',
  '(current.prop("N") * 2 - 1)',
  'if(current.prop("K"), current.prop("N"), 0)',
  'dateBetween(current.prop("D"), today(), "days")',
  'length(current.prop("S"))',
];
/** Conditions over a related page, for `filter`, `some`, `every` and `count`. */
const REL_CONDS = [
  'current.prop("K")',
  'current.prop("N") > 3',
  'current.prop("G") <= 0',
  'current.prop("D") >= today()',
  'contains(current.prop("S"), "#")',
  'empty(current.prop("N"))',
  'not(current.prop("K"))',
  '(current.prop("N") > 1 && current.prop("K"))',
  'current.prop("S") == "42"',
  'current.prop("N")',
  'current.prop("S")',
  'current.prop("D")',
  'current.prop("O") == "X"',
  '"Y" != current.prop("O")',
  'empty(current.prop("O"))',
];

/** A formula with list functions over the related pages (Rel), alone or inside others. */
function genList(rng: Rng, t: 'number' | 'bool' | 'text'): string {
  const filters = () => (rng.int(3) === 0 ? `.filter(${rng.pick(REL_CONDS)})` : '');
  const end = () => rng.pick(['first', 'last']);
  const text = (): string =>
    [
      () => `prop("Rel")${filters()}.map(current.prop("S")).${end()}()`,
      () => `prop("Rel")${filters()}.${end()}().prop("S")`,
      () => `prop("Rel")${filters()}.map(current.prop("S") + "/" + format(current.prop("N"))).${end()}()`,
    ][rng.int(3)]!();
  const number = (): string =>
    [
      () => 'prop("Rel").length()',
      () =>
        `prop("Rel")${filters()}.map(${rng.pick(REL_NUMBERS)}).${rng.pick(['sum', 'min', 'max', 'mean'])}()`,
      () =>
        `prop("Rel")${filters()}.map(${rng.pick(REL_NUMBERS)}).${rng.pick(['sum', 'min', 'max', 'mean'])}()`,
      () => `prop("Rel").filter(${rng.pick(REL_CONDS)}).length()`,
      () => `prop("Rel").count(${rng.pick(REL_CONDS)})`,
      () => `prop("Rel")${filters()}.map(${rng.pick(REL_NUMBERS)}).length()`,
      () => `prop("Rel")${filters()}.map(${rng.pick(REL_NUMBERS)}).${end()}()`,
      () => `prop("Rel")${filters()}.${end()}().prop("${rng.pick(['N', 'G'])}")`,
    ][rng.int(8)]!();
  const bool = (): string =>
    [
      () => `prop("Rel")${filters()}.empty()`,
      () => `prop("Rel")${filters()}.${rng.pick(['some', 'every'])}(${rng.pick(REL_CONDS)})`,
    ][rng.int(2)]!();
  if (t === 'text')
    return [
      text,
      () => `(${text()} + ${gen(rng, 'text', 1)})`,
      () => `if(${bool()}, ${text()}, ${gen(rng, 'text', 2)})`,
    ][rng.int(3)]!();
  if (t === 'number')
    return [
      number,
      () => `(${number()} ${rng.pick(['+', '-', '*'])} ${gen(rng, 'number', 1)})`,
      () => `if(${bool()}, ${number()}, ${gen(rng, 'number', 2)})`,
    ][rng.int(3)]!();
  return [
    bool,
    () => `(${number()} ${rng.pick(['>', '<=', '=='])} ${rng.pick([0, 1, 3, 7.5])})`,
    () => `(${bool()} ${rng.pick(['&&', '||'])} ${gen(rng, 'bool', 1)})`,
    () => `contains(${text()}, ${rng.pick(['"#"', '"4"', '"/"'])})`,
  ][rng.int(4)]!();
}

/** List functions over the related pages, each one at least once whatever the seed. */
const LIST_FIXED: (typeof REGRESSIONS)[number][] = [
  {
    why: 'mean of a related formula, sorted (SQLite: the derived table of related aggregates)',
    t: 'number',
    source: 'prop("Rel").map(current.prop("G")).mean()',
    bodies: [
      { filter: { property: 'F', formula: { number: { greater_than: 1 } } } },
      { sorts: [{ property: 'F', direction: 'descending' }] },
    ],
  },
  {
    why: 'min and max of filtered related numbers, and the related pages counted',
    t: 'number',
    source:
      'prop("Rel").filter(current.prop("K")).map(current.prop("N")).min() + prop("Rel").map(current.prop("N")).max() * 100 + prop("Rel").length()',
    bodies: [
      {
        filter: { property: 'F', formula: { number: { is_not_empty: true } } },
        sorts: [{ property: 'F', direction: 'ascending' }],
      },
    ],
  },
  {
    why: 'sum beside a rollup of the same relation (one join computes both)',
    t: 'number',
    source: 'prop("Rel").map(current.prop("N")).sum() - prop("Sum")',
    bodies: [
      { filter: { property: 'F', formula: { number: { does_not_equal: 0 } } } },
      { sorts: [{ property: 'F', direction: 'ascending' }] },
    ],
  },
  {
    why: 'every, some and empty',
    t: 'bool',
    source:
      'prop("Rel").every(current.prop("N") > 0) && (prop("Rel").some(current.prop("D") >= today()) || prop("Rel").empty())',
    bodies: [
      {
        filter: { property: 'F', formula: { checkbox: { equals: true } } },
        sorts: [{ property: 'F', direction: 'descending' }],
      },
      { filter: { property: 'F', formula: { checkbox: { equals: false } } } },
    ],
  },
  {
    why: 'first and last in the relation order, of a mapped number and of a page (sorted: SQLite derived table beside)',
    t: 'number',
    source:
      'prop("Rel").map(current.prop("N")).first() * 1000 + prop("Rel").filter(current.prop("K")).last().prop("G") + prop("Sum")',
    bodies: [
      { filter: { property: 'F', formula: { number: { greater_than: 0 } } } },
      { sorts: [{ property: 'F', direction: 'ascending' }] },
    ],
  },
  {
    why: 'first and last text of the related pages',
    t: 'text',
    source: 'prop("Rel").first().prop("S") + "|" + prop("Rel").map(current.prop("S")).last()',
    bodies: [
      { filter: { property: 'F', formula: { string: { starts_with: 'gamma' } } } },
      { sorts: [{ property: 'F', direction: 'descending' }] },
    ],
  },
  {
    why: 'a related select compared by name (exactly: "x" is not "X"), and its emptiness',
    t: 'number',
    source:
      'prop("Rel").count(current.prop("O") == "X") * 100 + prop("Rel").filter(current.prop("O") != "x").length() * 10 + prop("Rel").count(not(current.prop("O")))',
    bodies: [
      { filter: { property: 'F', formula: { number: { greater_than: 105 } } } },
      { sorts: [{ property: 'F', direction: 'ascending' }] },
    ],
  },
  {
    why: 'bodies computed once in a one-row derived table (round, %) inside the aggregate',
    t: 'number',
    source:
      'prop("Rel").filter(round(current.prop("N") / 3) % 2 == 1).map(round(current.prop("N") / 3, 1) % 2).max()',
    bodies: [
      { filter: { property: 'F', formula: { number: { greater_than: 0.5 } } } },
      { sorts: [{ property: 'F', direction: 'descending' }] },
    ],
  },
  {
    why: 'count with a condition and a filtered length',
    t: 'number',
    source: 'prop("Rel").count(current.prop("K")) * 10 + prop("Rel").filter(not(current.prop("K"))).length()',
    bodies: [{ sorts: [{ property: 'F', direction: 'descending' }] }],
  },
];

/** Formulas of functions the generator does not make, checked the same way on every seed. */
const FIXED_FORMULAS: (typeof REGRESSIONS)[number][] = [
  {
    why: 'abs in SQL',
    t: 'number',
    source: 'abs(prop("A") - prop("B")) / 2',
    bodies: [
      {
        filter: { property: 'F', formula: { number: { greater_than: 3 } } },
        sorts: [{ property: 'F', direction: 'descending' }],
      },
    ],
  },
  {
    why: 'ceil and floor in SQL, empty rollups included',
    t: 'number',
    source: 'ceil(prop("Avg")) + floor(prop("B") / 3) - floor(prop("Min"))',
    bodies: [
      { filter: { property: 'F', formula: { number: { less_than: 1 } } } },
      { sorts: [{ property: 'F', direction: 'ascending' }] },
    ],
  },
  {
    why: 'sign in SQL is a double (SQLite: an integer, so `/` divided integers)',
    t: 'number',
    source: 'sign(prop("A")) / 2 + sign(prop("Range") - 3)',
    bodies: [
      {
        filter: { property: 'F', formula: { number: { does_not_equal: 0 } } },
        sorts: [{ property: 'F', direction: 'ascending' }],
      },
    ],
  },
  {
    why: 'length of texts (lowered in SQL: İ counts one, an astral character two)',
    t: 'number',
    source: 'length(prop("Name")) + length(upper(prop("Note"))) * 100',
    bodies: [
      { filter: { property: 'F', formula: { number: { greater_than: 5 } } } },
      { sorts: [{ property: 'F', direction: 'ascending' }] },
    ],
  },
  {
    why: 'length of a lowered text: "İ" lowered is two units ("i̇"), as JavaScript counts it',
    t: 'number',
    source: 'length(lower(prop("Name"))) * 100 + length(prop("Name"))',
    bodies: [
      { filter: { property: 'F', formula: { number: { greater_than: 500 } } } },
      { sorts: [{ property: 'F', direction: 'ascending' }] },
    ],
  },
  {
    why: '% and round over rollups (empty when nothing is related)',
    t: 'number',
    source: 'round(prop("Avg"), 1) % 3 + min(prop("Min"), prop("A")) - max(prop("Max"), sqrt(prop("Sum")))',
    bodies: [
      {
        filter: { property: 'F', formula: { number: { less_than: 2 } } },
        sorts: [{ property: 'F', direction: 'descending' }],
      },
    ],
  },
  {
    why: 'dateAdd and dateSubtract in months, quarters and years (ends of months, leap days)',
    t: 'date',
    source: 'dateAdd(dateSubtract(prop("Due"), 25, "years"), 1, "months")',
    bodies: [
      { filter: { property: 'F', formula: { date: { on_or_after: '2000-01-01' } } } },
      { sorts: [{ property: 'F', direction: 'ascending' }] },
    ],
  },
  {
    why: 'dateSubtract into years 0–99 (Date.UTC read them as 1900–1999, in the evaluator and SQL)',
    t: 'date',
    source: 'dateSubtract(prop("Due"), 1975, "years")',
    bodies: [
      { sorts: [{ property: 'F', direction: 'ascending' }] },
      { filter: { property: 'F', formula: { date: { equals: '0049-01-31' } } } },
      { filter: { property: 'F', formula: { date: { before: '0030-01-01' } } } },
    ],
    // 2024-01-31 less 1975 years; before year 30: those of 2000 (year 25) and of years 0–99.
    ids: [null, [FIXED_ID(3)], [6, 8, 9, 10, 11].map(FIXED_ID)],
  },
  {
    why: 'dateAdd and dateSubtract before year 1 (negative years), and back',
    t: 'date',
    source: 'dateAdd(dateSubtract(prop("Due"), 2100, "years"), 13, "months")',
    bodies: [
      { sorts: [{ property: 'F', direction: 'descending' }] },
      { filter: { property: 'F', formula: { date: { before: '-002000-01-01' } } } },
      { filter: { property: 'F', formula: { date: { equals: '-002095-03-29' } } } },
    ],
    // 0050-03-31 → -2050-03-31 → -2049-04-30; 0000-02-29 → -2100-02-28 (-2100 is not a leap
    // year) → -2099-03-28; 0004-02-29 → -2096-02-29 (a leap year) → -2095-03-29.
    ids: [null, [FIXED_ID(9), FIXED_ID(10), FIXED_ID(11)], [FIXED_ID(11)]],
  },
  {
    why: 'dateBetween in days and weeks across years 0–99 and before year 1',
    t: 'number',
    source: 'dateBetween(prop("Due"), dateSubtract(prop("Due"), 2000, "years"), "days")',
    bodies: [
      {
        filter: { property: 'F', formula: { number: { equals: 730_485 } } },
        sorts: [{ property: 'F', direction: 'ascending' }],
      },
    ],
  },
  {
    why: 'dateAdd in quarters with a fraction (rounded half away from zero)',
    t: 'date',
    source: 'dateAdd(prop("Due"), -2.5, "quarters")',
    bodies: [
      { filter: { property: 'F', formula: { date: { before: '2024-01-01' } } } },
      { sorts: [{ property: 'F', direction: 'descending' }] },
    ],
  },
  {
    why: 'median of two middle numbers is (a + b) / 2, as the evaluator (not a + (b − a) / 2)',
    t: 'number',
    source: 'prop("Median")',
    bodies: [
      { filter: { property: 'F', formula: { number: { equals: 0.39999999999999997 } } } },
      { filter: { property: 'F', formula: { number: { equals: 0.4 } } } },
      { sorts: [{ property: 'F', direction: 'descending' }] },
    ],
    ids: [[FIXED_ID(12)], [], null],
  },
  {
    why: 'floor inside format()',
    t: 'text',
    source: 'format(floor(prop("A") / 4)) + "#"',
    bodies: [{ filter: { property: 'F', formula: { string: { contains: '-' } } } }],
  },
];

const API_KIND = { number: 'number', text: 'string', bool: 'boolean', date: 'date' } as const;
const FILTER_KEY = { number: 'number', text: 'string', bool: 'checkbox', date: 'date' } as const;

function filtersFor(rng: Rng, t: 'number' | 'text' | 'bool' | 'date'): unknown[] {
  const cond = {
    number: () => ({
      [rng.pick(['greater_than', 'less_than', 'equals', 'does_not_equal'])]: rng.pick([0, 1, 3, 12.5]),
    }),
    text: () =>
      rng.pick([
        { contains: rng.pick(['#', 'a', '4', 'mixed', 'true']) },
        { equals: rng.pick(['42', 'gamma', 'alpha 1 #0']) },
        { starts_with: rng.pick(['a', 'b', 'x']) },
        { is_empty: true },
        { does_not_contain: 'e' },
      ]),
    bool: () => ({ [rng.pick(['equals', 'does_not_equal'])]: rng.pick([true, false]) }),
    date: () =>
      rng.pick([
        { on_or_after: '2026-05-13' },
        { before: '2026-05-10T12:00:00Z' },
        { equals: '2026-05-13' },
        { is_empty: true },
        { past_week: {} },
        { after: '2026-05-14' },
      ]),
  }[t];
  return [
    { filter: { property: 'F', formula: { [FILTER_KEY[t]]: cond() } } },
    {
      filter: { property: 'F', formula: { [FILTER_KEY[t]]: cond() } },
      sorts: [{ property: 'F', direction: rng.pick(['ascending', 'descending']) }],
    },
    {
      sorts: [
        { property: 'F', direction: rng.pick(['ascending', 'descending']) },
        { property: 'A', direction: 'ascending' },
      ],
    },
  ];
}

describe(`text, checkbox and date formulas and rollups in SQL agree with the evaluators (seed ${SEED})`, () => {
  const dbs: TestDb[] = [];
  beforeAll(async () => {
    for (const engine of ENGINES) dbs.push(await openTestDb(engine, 'fs'));
  });
  afterAll(async () => {
    for (const t of dbs) await t.close();
  });

  it(`runs ${FORMULAS * 4} generated formulas and ${ALL_ROLLUPS.length} rollups on ${ENGINES.join(' and ')}`, async () => {
    const rng = prng(SEED);
    // The related data source; some of its rows are in the trash (a rollup skips them).
    const relRaw: Raw[] = Array.from({ length: RELATED }, () => ({
      N: makeNumber(rng),
      K: rng.int(2) === 0,
      D: makeDate(rng),
      S: makeText(rng),
      O: rng.pick(['X', 'Y', null]),
    }));
    const relIds = relRaw.map(() => rng.uuid());
    const relTrash: number[] = relRaw.map(() => (rng.int(6) === 0 ? 1 : 0));
    relRaw.push(...FIXED_RELATED);
    relIds.push(...FIXED_RELATED.map((_, i) => FIXED_ID(100 + i)));
    relTrash.push(...FIXED_RELATED.map(() => 0));
    // What the generated rows relate to (as before MEDIAN_RELATED, so a seed relates the same).
    const pickable = [...relIds];
    relRaw.push(...MEDIAN_RELATED);
    relIds.push(...MEDIAN_RELATED.map((_, i) => FIXED_ID(100 + FIXED_RELATED.length + i)));
    relTrash.push(...MEDIAN_RELATED.map(() => 0));
    // The third data source, and each related row's relation to it, drawn without the seed's
    // generator (so a seed generates the same rows as before it existed).
    const rel2Ids = Array.from({ length: 12 }, (_, i) => FIXED_ID(200 + i));
    const rel2Rows = rel2Ids.map((id, i) =>
      derive(
        R2,
        {
          N2: i % 5 === 0 ? null : (i * 7) % 11,
          D2: i % 4 === 0 ? null : { start: iso(NOW.getTime() + (i - 6) * 86_400_000) },
          T2: `t${i}`,
        },
        id,
        i === 11 ? 1 : 0,
      ),
    );
    relRaw.forEach((raw, i) => {
      raw.L =
        i % 6 === 5
          ? []
          : [rel2Ids[i % 12]!, rel2Ids[(i * 5 + 3) % 12]!].filter((x, k, a) => a.indexOf(x) === k);
    });
    const relRows = relRaw.map((raw, i) => derive(REL_SCHEMA, raw, relIds[i]!, relTrash[i]));
    const byId = new Map([...relRows, ...rel2Rows].map((r) => [r.page_id as string, r]));
    const related = (_table: string, ids: readonly string[]): Row[] =>
      ids.flatMap((id) => {
        const r = byId.get(id);
        return r && r.in_trash === 0 ? [r] : [];
      });

    const raws: Raw[] = Array.from({ length: ROWS }, () => ({
      A: makeNumber(rng),
      B: makeNumber(rng),
      Name: makeText(rng),
      Note: makeText(rng),
      Done: rng.int(2) === 0,
      Due: makeDate(rng),
      // A relation names each page once (the store keeps the first of repeated ids).
      Rel: [...new Set(Array.from({ length: rng.int(6) }, () => rng.pick(pickable)))],
    }));
    const ids = raws.map(() => rng.uuid());
    raws.push(...FIXED_ROWS);
    ids.push(...FIXED_ROWS.map((_, i) => FIXED_ID(i)));
    const rows = raws.map((raw, i) => derive(M, raw, ids[i]!));
    for (const t of dbs) {
      await createDataSourceTable(t.db, t.hooks, REL2, Object.values(R2));
      await t.db.insertInto(REL2).values(rel2Rows).execute();
      await createDataSourceTable(t.db, t.hooks, REL, Object.values(REL_SCHEMA));
      await t.db.insertInto(REL).values(relRows).execute();
      await createDataSourceTable(t.db, t.hooks, MAIN, Object.values(SCHEMA));
      await t.db.insertInto(MAIN).values(rows).execute();
    }

    // The rollups as the app computes them (domain/properties/rollups.ts) and in SQL.
    const rollupExprs = new Map<string, FExpr>(
      ALL_ROLLUPS.map((r) => [
        rollupId(r.name),
        {
          t: ['earliest_date', 'latest_date', 'date_range'].includes(r.fn) ? 'date' : 'number',
          k: 'rollup',
          fn: r.fn,
          rel: REL_REF,
          v: rolledColumn(r.of),
        } as FExpr,
      ]),
    );
    const rollupValue = (raw: Raw, r: (typeof ROLLUPS)[number]): Value => {
      const items = (raw.Rel as string[]).flatMap((id) => {
        const i = relIds.indexOf(id);
        return relTrash[i] ? [] : [{ value: formulaValue(R[r.of].type, relRaw[i]![r.of]), item: null }];
      });
      return computeRollup(r.fn as RollupFunction, items, 'UTC').value;
    };
    const typeOf = (p: { type: string }): FType =>
      p.type === 'number'
        ? T.number
        : p.type === 'checkbox'
          ? T.boolean
          : p.type === 'date'
            ? T.date
            : T.text;
    // The related data source as formulas see it: its properties and its formula G.
    const relInfos = [
      ...Object.values(R).map((p) => ({ id: p.id, name: p.name, type: typeOf(p) })),
      { id: REL_FORMULA.id, name: REL_FORMULA.name, type: T.number },
    ];
    const relFormula = compileFormula(REL_FORMULA.expression, {
      byName: (name: string) => relInfos.find((p) => p.name === name),
      byId: (id: string) => relInfos.find((p) => p.id === id),
    });
    const relPage = (i: number): PageV => {
      const self: PageV = {
        kind: 'page',
        id: relIds[i]!,
        dataSourceId: 'r',
        title: '',
        prop: (id) => {
          if (id === REL_FORMULA.id)
            return evaluate(relFormula.root, { now: NOW.getTime(), timeZone: 'UTC', page: self });
          const r = Object.entries(R).find(([, p]) => p.id === id);
          return r ? formulaValue(r[1].type, relRaw[i]![r[0]]) : null;
        },
      };
      return self;
    };
    const page = (raw: Raw): PageV => ({
      kind: 'page',
      id: 'p',
      dataSourceId: 'd',
      title: '',
      prop: (id) => {
        // A relation: its pages not in the trash, in the relation's order.
        if (id === RELATION_ID)
          return (raw.Rel as string[]).flatMap((rid) => {
            const i = relIds.indexOf(rid);
            return relTrash[i] ? [] : [relPage(i)];
          });
        const m = Object.entries(M).find(([, p]) => p.id === id);
        if (m) return formulaValue(m[1].type, raw[m[0]]);
        const r = ALL_ROLLUPS.find((x) => rollupId(x.name) === id);
        return r ? rollupValue(raw, r) : null;
      },
    });
    const infos = [
      ...Object.values(M)
        .filter((p) => p.type !== 'relation')
        .map((p) => ({ id: p.id, name: p.name, type: typeOf(p) })),
      { id: RELATION_ID, name: M.Rel.name, type: T.list(T.page('r')) },
      ...ALL_ROLLUPS.map((r) => ({
        id: rollupId(r.name),
        name: r.name,
        type: rollupType(r.fn as RollupFunction, typeOf(R[r.of])),
      })),
    ];
    const lookup = {
      byName: (name: string, ds?: string) => (ds === 'r' ? relInfos : infos).find((p) => p.name === name),
      byId: (id: string, ds?: string) => (ds === 'r' ? relInfos : infos).find((p) => p.id === id),
    };
    const resolve = (id: string): FExpr | undefined => {
      const r = rollupExprs.get(id);
      if (r) return r;
      const p = Object.values(M).find((x) => x.id === id);
      const stem = columnStem(id);
      if (!p) return undefined;
      if (p.type === 'number') return { t: 'number', k: 'col', col: stem };
      if (p.type === 'checkbox') return { t: 'bool', k: 'col', col: stem };
      if (p.type === 'date') return { t: 'date', k: 'dcol', lo: `${stem}_lo`, hi: `${stem}_hi` };
      if (p.type === 'title' || p.type === 'rich_text') return { t: 'text', k: 'col', col: stem };
      return undefined;
    };
    // A related page's properties over its row (its select compared by name only), and the
    // relation as formulas' list of related pages.
    const relResolve = (id: string): FExpr | OptionRef | undefined => {
      if (id === REL_FORMULA.id) return formulaToSql(relFormula.root, relResolve);
      const stem = columnStem(id);
      const type = Object.values(R).find((x) => x.id === id)?.type;
      if (type === 'number') return { t: 'number', k: 'col', col: stem };
      if (type === 'checkbox') return { t: 'bool', k: 'col', col: stem };
      if (type === 'date') return { t: 'date', k: 'dcol', lo: `${stem}_lo`, hi: `${stem}_hi` };
      if (type === 'rich_text') return { t: 'text', k: 'col', col: stem };
      if (type === 'select') return { t: 'option', col: stem };
      return undefined;
    };
    const relation = (id: string) => (id === RELATION_ID ? { rel: REL_REF, prop: relResolve } : undefined);

    // 1. Each rollup: the app's value, the query-side value and a filter / sort in SQL.
    for (const r of ROLLUPS) {
      const e = rollupExprs.get(rollupId(r.name))!;
      const type = e.t === 'date' ? T.date : T.number;
      raws.forEach((raw, i) => {
        expect(keyForm(fexprValue(e, rows[i]!, { now: NOW, related })), `rollup ${r.name}, row ${i}`).toEqual(
          keyForm(columnForm(rollupValue(raw, r), type)),
        );
      });
      const cond =
        e.t === 'date'
          ? { date: rng.pick([{ on_or_after: '2026-05-12' }, { is_empty: true }, { before: '2026-05-09' }]) }
          : {
              number: rng.pick([
                { greater_than: 1 },
                { equals: 0 },
                { is_not_empty: true },
                { less_than: 0.5 },
              ]),
            };
      for (const body of [
        { filter: { property: r.name, rollup: cond } },
        { sorts: [{ property: r.name, direction: rng.pick(['ascending', 'descending']) }] },
      ])
        await agree(body, new Map([[rollupId(r.name), e]]), `rollup ${r.name} ${JSON.stringify(body)}`);
    }
    // Filter and sort on rollups together, with a plain condition beside (SQLite computes the
    // rollups once per row in a derived table the plain condition narrows), read with cursors.
    for (const [a, b] of [
      ['Sum', 'Latest'],
      ['PctChecked', 'Count'],
      ['Span', 'Unique'],
    ] as const) {
      const ea = rollupExprs.get(rollupId(a))!;
      const cond = ea.t === 'date' ? { date: { is_not_empty: true } } : { number: { greater_than: 0.4 } };
      const body = {
        filter: {
          and: [
            { property: a, rollup: cond },
            {
              or: [
                { property: 'A', number: { greater_than: 2 } },
                { property: 'Done', checkbox: { equals: true } },
              ],
            },
          ],
        },
        sorts: [
          { property: b, direction: 'descending' },
          { property: a, direction: 'ascending' },
        ],
      };
      const exprs = new Map([
        [rollupId(a), ea],
        [rollupId(b), rollupExprs.get(rollupId(b))!],
      ]);
      await agree(body, exprs, `rollups ${a} and ${b} ${JSON.stringify(body)}`);
      await agree(
        { ...body, filter: body.filter.and[0] },
        exprs,
        `rollups ${a} and ${b}, no plain condition`,
      );
    }

    // 2. Rollup any / every / none over each rolled-up type.
    const quantified = [
      { of: 'N', cond: { number: { greater_than: 3 } } },
      { of: 'K', cond: { checkbox: { equals: true } } },
      { of: 'D', cond: { date: { on_or_after: '2026-05-13' } } },
      { of: 'S', cond: { rich_text: { contains: '#' } } },
      { of: 'O', cond: { select: { equals: 'X' } } },
    ] as const;
    for (const q of quantified) {
      const r = ROLLUPS.find((x) => x.of === q.of)!;
      for (const mode of ['any', 'every', 'none'])
        await agree(
          { filter: { property: r.name, rollup: { [mode]: q.cond } } },
          new Map(),
          `rollup ${r.name} ${mode}`,
          {
            rolled: new Map([[rollupId(r.name), R[q.of]]]),
            relations: new Map([[rollupId(r.name), REL_REF]]),
          },
        );
    }

    // 2b. Any / every / none over a rolled-up rollup: the related rows' own rollup (over REL2)
    // computed inside the condition, alone and beside a sort on a rollup (SQLite's derived table).
    for (const [fn, inner] of Object.entries(INNER)) {
      const cond =
        inner.t === 'date'
          ? { date: { on_or_before: '2026-05-13' } }
          : fn === 'average'
            ? { number: { is_empty: true } }
            : { number: { greater_than: 6 } };
      for (const mode of ['any', 'every', 'none'])
        for (const sorts of [[], [{ property: 'Sum', direction: 'descending' }]])
          await agree(
            { filter: { property: 'Count', rollup: { [mode]: cond } }, sorts },
            new Map([[rollupId('Sum'), rollupExprs.get(rollupId('Sum'))!]]),
            `rollup ${mode} over a rolled-up ${fn} ${JSON.stringify(sorts)}`,
            {
              rolled: new Map([[rollupId('Count'), { id: 'rr', type: 'rollup' }]]),
              relations: new Map([[rollupId('Count'), REL_REF]]),
              rolledKinds: new Map([[rollupId('Count'), inner.t === 'date' ? 'date' : 'number']]),
              rolledExprs: new Map([[rollupId('Count'), inner]]),
            },
          );
    }

    // 3. Generated formulas of each result type, then the regressions (after them, so that
    // adding one does not change what a seed generates).
    const compiled = { number: 0, text: 0, bool: 0, date: 0 };
    for (let f = 0; f < FORMULAS * 4; f++) {
      const t = (['number', 'text', 'bool', 'date'] as const)[f % 4]!;
      const source = gen(rng, t);
      if (await checkFormula(source, t, `seed ${SEED}, formula ${f}: ${source}`, () => filtersFor(rng, t)))
        compiled[t]++;
    }
    for (const r of [...REGRESSIONS, ...FIXED_FORMULAS]) {
      const checked = await checkFormula(
        r.source,
        r.t,
        `regression (${r.why}): ${r.source}`,
        () => r.bodies,
        r.ids,
      );
      expect(checked, r.source).toBe(true);
    }
    for (const n of Object.values(compiled)) expect(n).toBeGreaterThan(FORMULAS / 3);

    // 4. List functions over the related pages, generated after the others (so that a seed
    // generates the same formulas above as before they existed), then the fixed ones.
    const listed = { number: 0, bool: 0, text: 0 };
    for (let f = 0; f < LIST_FORMULAS * 3; f++) {
      const t = (['number', 'bool', 'text'] as const)[f % 3]!;
      const source = genList(rng, t);
      if (
        await checkFormula(source, t, `seed ${SEED}, list formula ${f}: ${source}`, () => filtersFor(rng, t))
      )
        listed[t]++;
    }
    for (const r of LIST_FIXED) {
      const checked = await checkFormula(r.source, r.t, `list (${r.why}): ${r.source}`, () => r.bodies);
      expect(checked, r.source).toBe(true);
    }
    // At least half in SQL: seed 160111111 drew five `(<related text> + <row text>)`, left to the
    // evaluator by design (neither side is surely a text, so `+` may add numbers).
    for (const n of Object.values(listed)) expect(n).toBeGreaterThanOrEqual(LIST_FORMULAS / 2);
    // 5. The median rollup: values, filters and sorts (no draws from the seed's generator).
    const median = rollupExprs.get(rollupId(MEDIAN.name))!;
    raws.forEach((raw, i) => {
      expect(keyForm(fexprValue(median, rows[i]!, { now: NOW, related })), `rollup Median, row ${i}`).toEqual(
        keyForm(columnForm(rollupValue(raw, MEDIAN), T.number)),
      );
    });
    for (const body of [
      { filter: { property: 'Median', rollup: { number: { greater_than: 3 } } } },
      { filter: { property: 'Median', rollup: { number: { is_empty: true } } } },
      {
        filter: { property: 'Median', rollup: { number: { less_than: 10 } } },
        sorts: [{ property: 'Median', direction: 'descending' }],
      },
      { sorts: [{ property: 'Median', direction: 'ascending' }] },
    ])
      await agree(body, new Map([[rollupId('Median'), median]]), `rollup Median ${JSON.stringify(body)}`);

    /** Checks one formula four ways; false when the app would leave it to the evaluator. */
    async function checkFormula(
      source: string,
      t: 'number' | 'text' | 'bool' | 'date',
      label: string,
      bodies: () => unknown[],
      ids?: (string[] | null)[],
    ): Promise<boolean> {
      const formula = compileFormula(source, lookup);
      const e = formulaToSql(formula.root, resolve, relation);
      // What the app leaves to the evaluator: constants and very large expressions.
      if (!e || !readsRow(e) || sqlSize(e) > MAX_SQL_SIZE) return false;
      expect(e.t, label).toBe(t);
      raws.forEach((raw, i) => {
        const v = evaluate(formula.root, { now: NOW.getTime(), timeZone: 'UTC', page: page(raw) });
        expect(keyForm(fexprValue(e, rows[i]!, { now: NOW, related })), `${label}, row ${i}`).toEqual(
          keyForm(columnForm(v, formula.type)),
        );
      });
      for (const [i, body] of bodies().entries()) {
        const got = await agree(body, new Map([['f', e]]), `${label} ${JSON.stringify(body)}`, {
          kind: API_KIND[t],
        });
        const want = ids?.[i];
        if (want !== null && want !== undefined)
          expect([...got].sort(), `${label} ${JSON.stringify(body)}: the rows selected`).toEqual(want);
      }
      return true;
    }

    function keyForm(v: unknown): unknown {
      if (v && typeof v === 'object') return v;
      return typeof v === 'number' ? v || 0 : v;
    }

    async function agree(
      body: unknown,
      exprs: Map<string, FExpr>,
      label: string,
      extra: {
        kind?: string;
        rolled?: Map<string, { id: string; type: string }>;
        relations?: Map<string, RelationRef>;
        rolledKinds?: Map<string, 'number' | 'date'>;
        rolledExprs?: Map<string, FExpr>;
      } = {},
    ) {
      const computed = new Map<string, 'number' | 'date' | 'string' | 'boolean'>(
        ALL_ROLLUPS.map((r) => [
          rollupId(r.name),
          rollupExprs.get(rollupId(r.name))!.t === 'date' ? 'date' : 'number',
        ]),
      );
      if (extra.kind) computed.set('f', extra.kind as 'number');
      const query = parseQuery(body, SCHEMA, {
        version: '2025-09-03',
        meUserId: null,
        computed,
        exprs,
        ...(extra.rolled ? { rolled: extra.rolled, quantified: new Map() } : {}),
        ...(extra.relations ? { relations: extra.relations } : {}),
        ...(extra.rolledKinds ? { rolledKinds: extra.rolledKinds } : {}),
        ...(extra.rolledExprs ? { rolledExprs: extra.rolledExprs } : {}),
      });
      expect(JSON.stringify(query), label).toContain('"source":"expr"');
      const expected = runQuery(query, rows, { now: NOW, related });
      for (const t of dbs) {
        const got: string[] = [];
        let from: string | null = null;
        for (let guard = 0; guard <= rows.length; guard++) {
          const p = await queryRows(t.db, t.hooks, MAIN, query, {
            inTrash: false,
            from,
            limit: 13,
            now: NOW,
            walkThreshold: rng.pick([1, 1e9]),
          });
          got.push(...p.items);
          from = p.next;
          if (!from) break;
        }
        expect(got, `${label} on ${t.engine}`).toEqual(expected);
      }
      return expected;
    }
  }, 300_000);
});
