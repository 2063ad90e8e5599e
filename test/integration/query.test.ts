import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { day, namesOf, type Seeded, seedRows } from './query-support.ts';
import { rowClient, VERSIONS } from './rows-support.ts';

/** Filters and the rows (sorted by name) each must answer; `$x` strings are filled in per run. */
const CASES: Array<[string, Record<string, unknown>, string[]]> = [
  ['title contains, case-insensitive', { property: 'Name', title: { contains: 'ALP' } }, ['Alpha']],
  ['rich_text contains a literal %', { property: 'Notes', rich_text: { contains: '%' } }, ['Alpha']],
  ['rich_text contains a literal _', { property: 'Notes', rich_text: { contains: '_' } }, ['beta_1']],
  ['title starts_with', { property: 'Name', title: { starts_with: 'be' } }, ['beta_1']],
  ['title ends_with', { property: 'Name', title: { ends_with: 'A' } }, ['Alpha', 'Gamma', 'delta']],
  ['title equals', { property: 'Name', title: { equals: 'Gamma' } }, ['Gamma']],
  [
    'title does_not_equal',
    { property: 'Name', title: { does_not_equal: 'Gamma' } },
    ['Alpha', 'beta_1', 'delta'],
  ],
  [
    'rich_text does_not_contain',
    { property: 'Notes', rich_text: { does_not_contain: 'e' } },
    ['Gamma', 'delta'],
  ],
  ['rich_text is_empty', { property: 'Notes', rich_text: { is_empty: true } }, ['delta']],
  ['url is_not_empty', { property: 'Site', url: { is_not_empty: true } }, ['Alpha']],
  ['url contains', { property: 'Site', url: { contains: 'alpha' } }, ['Alpha']],
  ['number greater_than', { property: 'Score', number: { greater_than: 0 } }, ['Alpha', 'beta_1']],
  ['number less_than', { property: 'Score', number: { less_than: 0 } }, ['Gamma']],
  ['number equals', { property: 'Score', number: { equals: 5 } }, ['beta_1']],
  [
    'number does_not_equal (empties match)',
    { property: 'Score', number: { does_not_equal: 5 } },
    ['Alpha', 'Gamma', 'delta'],
  ],
  [
    'number greater_than_or_equal_to',
    { property: 'Score', number: { greater_than_or_equal_to: 5 } },
    ['Alpha', 'beta_1'],
  ],
  [
    'number less_than_or_equal_to',
    { property: 'Score', number: { less_than_or_equal_to: 5 } },
    ['Gamma', 'beta_1'],
  ],
  ['number is_empty', { property: 'Score', number: { is_empty: true } }, ['delta']],
  ['checkbox equals true', { property: 'Done', checkbox: { equals: true } }, ['Alpha', 'delta']],
  [
    'checkbox does_not_equal true',
    { property: 'Done', checkbox: { does_not_equal: true } },
    ['Gamma', 'beta_1'],
  ],
  ['select equals', { property: 'Level', select: { equals: 'High' } }, ['Alpha']],
  ['select equals an array', { property: 'Level', select: { equals: ['Low', 'Mid'] } }, ['Gamma', 'beta_1']],
  [
    'select does_not_equal',
    { property: 'Level', select: { does_not_equal: 'High' } },
    ['Gamma', 'beta_1', 'delta'],
  ],
  ['select is_empty', { property: 'Level', select: { is_empty: true } }, ['delta']],
  ['status equals', { property: 'Stage', status: { equals: 'Done' } }, ['Alpha']],
  [
    'status equals an array',
    { property: 'Stage', status: { equals: ['Done', 'In progress'] } },
    ['Alpha', 'beta_1'],
  ],
  ['status is_empty', { property: 'Stage', status: { is_empty: true } }, ['delta']],
  ['multi_select contains', { property: 'Tags', multi_select: { contains: 'b' } }, ['Alpha', 'beta_1']],
  [
    'multi_select contains any of',
    { property: 'Tags', multi_select: { contains: ['a', 'c'] } },
    ['Alpha', 'delta'],
  ],
  [
    'multi_select does_not_contain',
    { property: 'Tags', multi_select: { does_not_contain: 'b' } },
    ['Gamma', 'delta'],
  ],
  ['multi_select is_empty', { property: 'Tags', multi_select: { is_empty: true } }, ['Gamma']],
  ['date equals a day', { property: 'Due', date: { equals: '$day-3' } }, ['Alpha']],
  ['date before', { property: 'Due', date: { before: '$day0' } }, ['Alpha', 'delta']],
  ['date after', { property: 'Due', date: { after: '$day0' } }, ['Gamma', 'beta_1']],
  ['date on_or_before', { property: 'Due', date: { on_or_before: '$day3' } }, ['Alpha', 'beta_1', 'delta']],
  ['date on_or_after', { property: 'Due', date: { on_or_after: '$day3' } }, ['Gamma', 'beta_1']],
  ['date on_or_after "today"', { property: 'Due', date: { on_or_after: 'today' } }, ['Gamma', 'beta_1']],
  ['date before a date-time', { property: 'Due', date: { before: '2020-01-15T12:00:00Z' } }, ['delta']],
  ['date past_week', { property: 'Due', date: { past_week: {} } }, ['Alpha']],
  ['date next_week', { property: 'Due', date: { next_week: {} } }, ['beta_1']],
  ['date next_month', { property: 'Due', date: { next_month: {} } }, ['Gamma', 'beta_1']],
  ['date past_year', { property: 'Due', date: { past_year: {} } }, ['Alpha']],
  [
    'date is_not_empty',
    { property: 'Due', date: { is_not_empty: true } },
    ['Alpha', 'Gamma', 'beta_1', 'delta'],
  ],
  ['people contains a user', { property: 'Owner', people: { contains: '$admin' } }, ['Alpha']],
  ['people contains "me"', { property: 'Owner', people: { contains: 'me' } }, ['beta_1']],
  ['people is_empty', { property: 'Owner', people: { is_empty: true } }, ['Gamma', 'delta']],
  [
    'created_by contains "me"',
    { property: 'Creator', created_by: { contains: 'me' } },
    ['Alpha', 'Gamma', 'beta_1', 'delta'],
  ],
  ['relation contains', { property: 'Ref', relation: { contains: '$t1' } }, ['Alpha']],
  [
    'relation does_not_contain',
    { property: 'Ref', relation: { does_not_contain: '$t1' } },
    ['Gamma', 'beta_1', 'delta'],
  ],
  ['relation is_empty', { property: 'Ref', relation: { is_empty: true } }, ['Gamma', 'delta']],
  ['files is_empty', { property: 'Docs', files: { is_empty: true } }, ['Gamma', 'beta_1', 'delta']],
  ['files is_not_empty', { property: 'Docs', files: { is_not_empty: true } }, ['Alpha']],
  ['unique_id greater_than', { property: 'ID', unique_id: { greater_than: 2 } }, ['Gamma', 'delta']],
  ['unique_id equals', { property: 'ID', unique_id: { equals: 1 } }, ['Alpha']],
  [
    'created_time property past_week',
    { property: 'Created', created_time: { past_week: {} } },
    ['Alpha', 'Gamma', 'beta_1', 'delta'],
  ],
  [
    'timestamp created_time on_or_after tomorrow',
    { timestamp: 'created_time', created_time: { on_or_after: 'tomorrow' } },
    [],
  ],
  [
    'timestamp last_edited_time after 2000',
    { timestamp: 'last_edited_time', last_edited_time: { after: '2000-01-01' } },
    ['Alpha', 'Gamma', 'beta_1', 'delta'],
  ],
  [
    'timestamp created_time before 2000',
    { timestamp: 'created_time', created_time: { before: '2000-01-01' } },
    [],
  ],
  [
    'and with a nested or',
    {
      and: [
        { property: 'Done', checkbox: { equals: true } },
        {
          or: [
            { property: 'Level', select: { equals: 'High' } },
            { property: 'Tags', multi_select: { contains: 'c' } },
          ],
        },
      ],
    },
    ['Alpha', 'delta'],
  ],
  [
    'or with a nested and',
    {
      or: [
        { property: 'Score', number: { less_than: 0 } },
        {
          and: [
            { property: 'Done', checkbox: { equals: true } },
            { timestamp: 'created_time', created_time: { past_week: {} } },
          ],
        },
      ],
    },
    ['Alpha', 'Gamma', 'delta'],
  ],
];

function fill(filter: unknown, s: Seeded): unknown {
  const values: Record<string, string> = { $admin: s.adminId, $t1: s.t1 };
  return JSON.parse(JSON.stringify(filter), (_key, v) => {
    if (typeof v !== 'string' || !v.startsWith('$')) return v;
    return v.startsWith('$day') ? day(Number(v.slice(4))) : values[v];
  });
}

describeEngines('querying rows', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  for (const version of VERSIONS) {
    describe(`Notion-Version ${version}`, () => {
      let s: Seeded;
      beforeAll(async () => {
        s = await seedRows(h, version);
      });

      it.each(CASES)('filters: %s', async (_title, filter, expected) => {
        const names = await namesOf(rowClient(h, version), version, s.db, { filter: fill(filter, s) });
        expect(names.sort()).toEqual([...expected].sort());
      });
    });
  }
});
