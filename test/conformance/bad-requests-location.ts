/**
 * The `location` and `last_visited_time` rows of the bad-request corpus (bad-requests.test.ts):
 * their schema takes an empty object, and neither value can be written (the server computes both).
 */
import type { BadRequest, Fixture } from './bad-requests.test.ts';

const rt = (content: string) => [{ type: 'text' as const, text: { content } }];
const database = (properties: Record<string, unknown>) => (f: Fixture) => ({
  parent: { type: 'page_id', page_id: f.h.rootPageId },
  title: rt('Refused'),
  initial_data_source: { properties: { Name: { title: {} }, ...properties } },
});

const schemaRow = (
  title: string,
  properties: Record<string, unknown>,
  message: string | RegExp,
): BadRequest => ({
  title,
  method: 'POST',
  path: '/v1/databases',
  bodyFor: database(properties),
  sdk: (c, f) => c.databases.create(database(properties)(f) as never),
  status: 400,
  code: 'validation_error',
  message,
});

export const LOCATION_BAD_REQUESTS: BadRequest[] = [
  schemaRow(
    'a location schema with a configuration',
    { L: { location: { lat: 1 } } },
    'body failed validation: body.initial_data_source.properties.L.location.lat should be not present, instead was `1`.',
  ),
  schemaRow(
    'a last_visited_time schema with a configuration',
    { V: { last_visited_time: { format: 'relative' } } },
    'body failed validation: body.initial_data_source.properties.V.last_visited_time.format should be not present, instead was `"relative"`.',
  ),
  schemaRow(
    'a last_visited_time schema that is not an object',
    { V: { last_visited_time: true } },
    /^body failed validation: body\.initial_data_source\.properties\.V\.last_visited_time should be an object/,
  ),
];

/** A query of the fixture's "Lists" data source (location Where, last_visited_time Visited). */
const query = (title: string, filter: Record<string, unknown>, message: string | RegExp): BadRequest => ({
  title,
  method: 'POST',
  path: (f) => `/v1/data_sources/${f.lists.dataSourceId}/query`,
  body: { filter },
  sdk: (c, f) => c.dataSources.query({ data_source_id: f.lists.dataSourceId, filter } as never),
  status: 400,
  code: 'validation_error',
  message,
});

const write = (title: string, properties: Record<string, unknown>, message: string): BadRequest => ({
  title,
  method: 'PATCH',
  path: (f) => `/v1/pages/${f.lists.listRow}`,
  body: { properties },
  sdk: (c, f) => c.pages.update({ page_id: f.lists.listRow, properties } as never),
  status: 400,
  code: 'validation_error',
  message,
});

/** Rows that need the fixture's "Lists" data source: filters (the contract has none) and writes. */
export const LOCATION_VALUE_BAD_REQUESTS: BadRequest[] = [
  query(
    'a last_visited_time filter',
    { property: 'Visited', last_visited_time: { past_week: {} } },
    'body failed validation: body.filter.last_visited_time should be not present, instead was `{"past_week":{}}`.',
  ),
  query(
    'a date filter on a last_visited_time property',
    { property: 'Visited', date: { is_empty: true } },
    'The property type in the database does not match the property type of the filter provided: database property last_visited_time does not match filter date',
  ),
  query(
    'a location filter',
    { property: 'Where', location: { is_not_empty: true } },
    'body failed validation: body.filter.location should be not present, instead was `{"is_not_empty":true}`.',
  ),
  write(
    'a location value written',
    { Where: { location: { lat: 48.85, lon: 2.35 } } },
    'Where is a location property, which cannot be written.',
  ),
  write(
    'a last_visited_time value written',
    { Visited: { last_visited_time: '2026-01-01T00:00:00.000Z' } },
    'Visited is a last_visited_time property, which cannot be written.',
  ),
];
