/**
 * The formula and rollup rows of the bad-request corpus (bad-requests.test.ts): schemas whose
 * expressions do not parse or check, and rollups that name a wrong function or property. Each is
 * refused before anything is created.
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
