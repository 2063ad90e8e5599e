/**
 * The formula and rollup rows of the bad-request corpus (bad-requests.test.ts): schemas whose
 * expressions do not parse or check, and rollups that name a wrong function or property, on
 * create and on update; query filters, sorts and view filters that do not fit what a formula or
 * rollup yields; writes of computed values. Each is refused and nothing changes (the fixture's
 * "Lists" data source, its row and its view are part of the snapshot).
 */
import type { BadRequest, Fixture } from './bad-requests.test.ts';

const rt = (content: string) => [{ type: 'text' as const, text: { content } }];
const database = (properties: Record<string, unknown>) => (f: Fixture) => ({
  parent: { type: 'page_id', page_id: f.h.rootPageId },
  title: rt('Refused'),
  initial_data_source: { properties: { Name: { title: {} }, N: { number: {} }, ...properties } },
});

const row = (title: string, properties: Record<string, unknown>, message: string | RegExp): BadRequest => ({
  title,
  method: 'POST',
  path: '/v1/databases',
  bodyFor: database(properties),
  sdk: (c, f) => c.databases.create(database(properties)(f) as never),
  status: 400,
  code: 'validation_error',
  message,
});

export const FORMULA_BAD_REQUESTS: BadRequest[] = [
  row(
    'a formula with a trailing comma',
    { F: { formula: { expression: 'ifs(true,)' } } },
    /^Parse error with formula: .* at position 9/,
  ),
  row(
    'a formula cut short',
    { F: { formula: { expression: 'prop("N") +' } } },
    /^Parse error with formula: unexpected end of formula at position 11/,
  ),
  row(
    'a formula naming no property',
    { F: { formula: { expression: 'prop("Nope") * 2' } } },
    /^Type error with formula: unknown property "Nope" at position 0/,
  ),
  row(
    'a formula adding a boolean',
    { F: { formula: { expression: '1 + true' } } },
    /^Type error with formula/,
  ),
  row(
    'a removed 1.0 function',
    { F: { formula: { expression: 'larger(1, 2)' } } },
    /^Type error with formula: unknown function "larger"/,
  ),
  row(
    'if with two arguments',
    { F: { formula: { expression: 'if(true, 11)' } } },
    /^Type error with formula: wrong number of arguments for if\(\)/,
  ),
  row(
    'sum of an untyped empty list',
    { F: { formula: { expression: 'sum([])' } } },
    /^Type error with formula/,
  ),
  row(
    'a formula reading itself',
    { F: { formula: { expression: 'prop("F") + 1' } } },
    /^Type error with formula/,
  ),
  row('a formula without an expression', { F: { formula: {} } }, /formula\.expression should be a string/),
  row(
    'a rollup function by its UI label',
    { R: { rollup: { function: 'count_all', relation_property_name: 'N', rollup_property_name: 'Name' } } },
    /rollup\.function should be one of/,
  ),
  row(
    'a rollup over a property that is not a relation',
    { R: { rollup: { function: 'count', relation_property_name: 'N', rollup_property_name: 'Name' } } },
    'Rollup relation property N does not exist or is not a relation.',
  ),
];

/** A schema update of the fixture's "Lists" data source (formulas Label text, Double number, Flag
 * boolean; rollups Total sum of Items.Cost, Titles show_original of Items.Name). */
const update = (
  title: string,
  properties: Record<string, unknown>,
  message: string | RegExp,
): BadRequest => ({
  title,
  method: 'PATCH',
  path: (f) => `/v1/data_sources/${f.lists.dataSourceId}`,
  body: { properties },
  sdk: (c, f) => c.dataSources.update({ data_source_id: f.lists.dataSourceId, properties } as never),
  status: 400,
  code: 'validation_error',
  message,
});

/** A query of the fixture's "Lists" data source. */
const query = (title: string, body: Record<string, unknown>, message: string | RegExp): BadRequest => ({
  title,
  method: 'POST',
  path: (f) => `/v1/data_sources/${f.lists.dataSourceId}/query`,
  body,
  sdk: (c, f) => c.dataSources.query({ data_source_id: f.lists.dataSourceId, ...body } as never),
  status: 400,
  code: 'validation_error',
  message,
});

const roll = (fn: string, prop: string) => ({
  rollup: { function: fn, relation_property_name: 'Items', rollup_property_name: prop },
});
const mismatchOf = (type: string, name: string, kind: string, filter: string) =>
  `The ${type} result type does not match the filter: ${type} ${name} yields ${kind}, filter is ${filter}.`;

export const COMPUTED_BAD_REQUESTS: BadRequest[] = [
  update(
    'an updated formula cut short',
    { Label: { formula: { expression: 'prop("Name") +' } } },
    /^Parse error with formula: unexpected end of formula at position 14/,
  ),
  update(
    'an updated formula reading itself',
    { Label: { formula: { expression: 'prop("Label")' } } },
    /^Type error with formula/,
  ),
  update(
    'two new formulas reading each other',
    { A: { formula: { expression: 'prop("B") + 1' } }, B: { formula: { expression: 'prop("A") + 1' } } },
    /^Type error with formula/,
  ),
  update(
    'a formula calling a removed 1.0 function',
    { F: { formula: { expression: 'toNumber("1") + larger(1, 2)' } } },
    /^Type error with formula: unknown function "larger"/,
  ),
  update(
    'a rollup summing a text property',
    { R: roll('sum', 'Note') },
    'Rollup function sum does not apply to rich_text property Note.',
  ),
  update(
    'a rollup taking the earliest date of numbers',
    { R: roll('earliest_date', 'Cost') },
    'Rollup function earliest_date does not apply to number property Cost.',
  ),
  update(
    'a rollup counting checked numbers',
    { R: roll('percent_checked', 'Cost') },
    'Rollup function percent_checked does not apply to number property Cost.',
  ),
  update(
    'a rollup function that does not exist',
    { R: roll('average_all', 'Cost') },
    /^body failed validation: body\.properties\.R\.rollup\.function should be one of `"count"`/,
  ),
  update(
    'a rollup of a property missing from the related data source',
    { R: roll('sum', 'Nope') },
    'Rollup property Nope does not exist in the related data source.',
  ),
  update(
    'a rollup changed to a function that does not fit',
    { Total: roll('checked', 'Cost') },
    'Rollup function checked does not apply to number property Cost.',
  ),
  query(
    'a number condition on a text formula',
    { filter: { property: 'Label', formula: { number: { equals: 1 } } } },
    mismatchOf('formula', 'Label', 'string', 'number'),
  ),
  query(
    'a text condition on a number formula',
    { filter: { property: 'Double', formula: { string: { contains: '4' } } } },
    mismatchOf('formula', 'Double', 'number', 'string'),
  ),
  query(
    'a date condition on a boolean formula',
    { filter: { property: 'Flag', formula: { date: { past_week: {} } } } },
    mismatchOf('formula', 'Flag', 'boolean', 'date'),
  ),
  query(
    'a date condition on a number rollup',
    { filter: { property: 'Total', rollup: { date: { is_empty: true } } } },
    mismatchOf('rollup', 'Total', 'number', 'date'),
  ),
  query(
    'a number condition on a rollup that shows its values',
    { filter: { property: 'Titles', rollup: { number: { equals: 1 } } } },
    mismatchOf('rollup', 'Titles', 'array', 'number'),
  ),
  query(
    'a formula filter keyed by a type that does not exist',
    { filter: { property: 'Label', formula: { text: { equals: 'x' } } } },
    /^body failed validation: body\.filter\.formula should have exactly one of `string`, `number`, `checkbox`, `date`/,
  ),
  query(
    'a number formula condition with a text value',
    { filter: { property: 'Double', formula: { number: { equals: '4' } } } },
    'body failed validation: body.filter.formula.number.equals should be a number, instead was `"4"`.',
  ),
  query(
    'a rollup any with a condition of another type than the rolled-up property',
    { filter: { property: 'Total', rollup: { any: { checkbox: { equals: true } } } } },
    'The property type in the database does not match the property type of the filter provided: database property number does not match filter checkbox',
  ),
  query(
    'a formula filter under the number key',
    { filter: { property: 'Double', number: { equals: 4 } } },
    'The property type in the database does not match the property type of the filter provided: database property formula does not match filter number',
  ),
  query(
    'a sort by a rollup that shows its values',
    { sorts: [{ property: 'Titles', direction: 'ascending' }] },
    'Sorting by this rollup property is not supported: it yields array.',
  ),
  {
    title: 'a view filter with a number condition on a text formula',
    method: 'POST',
    path: '/v1/views',
    bodyFor: (f) => ({
      data_source_id: f.lists.dataSourceId,
      database_id: f.lists.databaseId,
      name: 'Never',
      type: 'table',
      filter: { property: 'Label', formula: { number: { equals: 1 } } },
    }),
    status: 400,
    code: 'validation_error',
    message: mismatchOf('formula', 'Label', 'string', 'number'),
  },
  {
    title: "a view update whose quick filter does not fit a rollup's result",
    method: 'PATCH',
    path: (f) => `/v1/views/${f.lists.listView}`,
    body: { quick_filters: { Total: { rollup: { date: { past_week: {} } } } } },
    sdk: (c, f) =>
      c.views.update({
        view_id: f.lists.listView,
        quick_filters: { Total: { rollup: { date: { past_week: {} } } } },
      } as never),
    status: 400,
    code: 'validation_error',
    message: mismatchOf('rollup', 'Total', 'number', 'date'),
  },
  {
    title: 'a formula value written on a page',
    method: 'PATCH',
    path: (f) => `/v1/pages/${f.lists.listRow}`,
    body: { properties: { Label: { formula: { string: 'x' } } } },
    sdk: (c, f) =>
      c.pages.update({
        page_id: f.lists.listRow,
        properties: { Label: { formula: { string: 'x' } } },
      } as never),
    status: 400,
    code: 'validation_error',
    message: 'Label is a formula property, which cannot be written.',
  },
  {
    title: 'a rollup value written on a page',
    method: 'PATCH',
    path: (f) => `/v1/pages/${f.lists.listRow}`,
    body: { properties: { N: { number: 9 }, Total: { rollup: { number: 1 } } } },
    status: 400,
    code: 'validation_error',
    message: 'Total is a rollup property, which cannot be written.',
  },
];
