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
