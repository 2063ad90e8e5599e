/** parseQuery: every bad filter or sort is a validation_error with Notion's message, never a SQL error. */
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/query/parse.ts';
import { ApiError } from '../../src/wire/errors.ts';
import { GROCERY } from './fixtures.ts';

const ME = '11111111-2222-4333-8444-555555555555';
const parse = (body: unknown, meUserId: string | null = ME) =>
  parseQuery(body, GROCERY, { version: '2025-09-03', meUserId });

function messageOf(body: unknown): string {
  try {
    parse(body);
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe('validation_error');
    return (e as ApiError).message;
  }
  throw new Error('expected a validation_error');
}

const leaf = (f: unknown) => ({ filter: f });
const deep = { filter: { and: [{ or: [{ and: [{ property: 'Done', checkbox: { equals: true } }] }] }] } };

const CASES: [string, unknown, string][] = [
  [
    'unknown property',
    leaf({ property: 'Nope', number: { equals: 1 } }),
    'Could not find property with name or id: Nope',
  ],
  [
    'filter type not matching the property',
    leaf({ property: 'Category', status: { equals: 'A' } }),
    'The property type in the database does not match the property type of the filter provided: database property select does not match filter status',
  ],
  [
    'text filter on a select',
    leaf({ property: 'Category', rich_text: { equals: 'A' } }),
    'database property select does not match filter text',
  ],
  [
    'wrong value type',
    leaf({ and: [{ property: 'Price', number: { greater_than: 'x' } }] }),
    'body failed validation: body.filter.and[0].number.greater_than should be a number, instead was `"x"`.',
  ],
  [
    'two conditions',
    leaf({ property: 'Price', number: { equals: 1, less_than: 2 } }),
    'body failed validation: body.filter.number.less_than should be not present, instead was `2`.',
  ],
  [
    'condition of another type',
    leaf({ property: 'Price', number: { contains: 'x' } }),
    'body failed validation: body.filter.number.contains should be not present, instead was `"x"`.',
  ],
  [
    'no condition',
    leaf({ property: 'Price', number: {} }),
    'body failed validation: body.filter.number.equals should be defined, instead was `undefined`.',
  ],
  [
    'missing type key',
    leaf({ property: 'Price' }),
    'body failed validation: body.filter.number should be defined, instead was `undefined`.',
  ],
  [
    'is_empty not true',
    leaf({ property: 'Price', number: { is_empty: false } }),
    'number.is_empty should be `true`',
  ],
  [
    'compounds nested three deep',
    deep,
    'body failed validation: body.filter.and[0].or[0].and should be not present',
  ],
  ['compound not an array', leaf({ or: { property: 'Done' } }), 'body.filter.or should be an array'],
  ['and with or', leaf({ and: [], or: [] }), 'body.filter.or should be not present'],
  ['leaf without property', leaf({ checkbox: { equals: true } }), 'body.filter.property should be defined'],
  [
    'bad date',
    leaf({ property: 'Due', date: { after: '2026-13-01' } }),
    'body.filter.date.after should be a valid ISO 8601 date string',
  ],
  [
    'range keyword with a value',
    leaf({ property: 'Due', date: { past_week: { x: 1 } } }),
    'body.filter.date.past_week.x should be not present',
  ],
  [
    'people id not a uuid',
    leaf({ property: 'Owner', people: { contains: 'bob' } }),
    'body.filter.people.contains should be a valid uuid',
  ],
  [
    'bad timestamp',
    leaf({ timestamp: 'edited', edited: {} }),
    'body.filter.timestamp should be `"created_time"` or `"last_edited_time"`',
  ],
  [
    'formula filter whose result kind is unknown',
    leaf({ property: 'Cost', formula: { number: { equals: 1 } } }),
    'The formula result type does not match the filter: formula Cost yields no value, filter is number.',
  ],
  [
    'verification state',
    leaf({ property: 'Verified', verification: { status: 'ok' } }),
    'verification.status should be `"verified"`',
  ],
  [
    'select array with a number',
    leaf({ property: 'Category', select: { equals: ['A', 1] } }),
    'body.filter.select.equals[1] should be a string',
  ],
  [
    'sorts not an array',
    { sorts: { property: 'Name' } },
    'body failed validation: body.sorts should be an array',
  ],
  [
    'unknown sort property',
    { sorts: [{ property: 'Nope', direction: 'ascending' }] },
    'Could not find sort property with name or id: Nope',
  ],
  [
    'bad direction',
    { sorts: [{ property: 'Name', direction: 'up' }] },
    'body failed validation: body.sorts[0].direction should be `"ascending"` or `"descending"`, instead was `"up"`.',
  ],
  [
    'sort by both',
    { sorts: [{ property: 'Name', timestamp: 'created_time', direction: 'ascending' }] },
    'body.sorts[0].property should be not present',
  ],
  [
    'sort by a formula whose result kind is unknown',
    { sorts: [{ property: 'Cost', direction: 'ascending' }] },
    'Sorting by this formula property is not supported: it yields no value.',
  ],
];

describe('parseQuery errors', () => {
  it.each(CASES)('rejects %s', (_name, body, gist) => {
    expect(messageOf(body)).toContain(gist);
  });
});

describe('parseQuery', () => {
  it('finds properties by name or by id, encoded or decoded', () => {
    const byId = parse(leaf({ property: 'J%40cT', select: { equals: 'Fruit' } })).filter;
    const byDecodedId = parse(leaf({ property: 'J@cT', select: { equals: 'Fruit' } })).filter;
    expect(byId).toEqual(byDecodedId);
    expect(byId).toMatchObject({ kind: 'option', target: { id: 'J%40cT' }, values: ['Fruit'] });
  });

  it('accepts two levels of compounds and the optional type key', () => {
    const f = parse({
      filter: { or: [{ and: [{ property: 'Done', type: 'checkbox', checkbox: { equals: true } }] }] },
    }).filter;
    expect(f).toMatchObject({
      kind: 'or',
      filters: [{ kind: 'and', filters: [{ kind: 'checkbox', value: true }] }],
    });
  });

  it('resolves "me" to the token user and lowercases text values', () => {
    expect(parse(leaf({ property: 'Creator', created_by: { contains: 'me' } })).filter).toMatchObject({
      kind: 'contains',
      target: { source: 'row', column: 'created_by' },
      values: [ME],
    });
    expect(() => parse(leaf({ property: 'Owner', people: { contains: 'me' } }), null)).toThrow(/valid uuid/);
    expect(parse(leaf({ property: 'Name', title: { equals: 'ÄBC' } })).filter).toMatchObject({
      value: 'äbc',
    });
  });

  it('keeps the schema option order on select sorts; no body means no filter and no sorts', () => {
    expect(parse({ sorts: [{ property: 'State', direction: 'ascending' }] }).sorts[0]).toMatchObject({
      optionOrder: ['Not started', 'In progress', 'Done'],
    });
    expect(parse(undefined)).toEqual({ filter: null, sorts: [] });
  });
});
