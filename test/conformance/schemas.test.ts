/**
 * The generated schemas are trustworthy only while they match the installed SDK and accept what
 * the real API sends: this suite checks both (fast: hashes, no regeneration).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  generatorVersion,
  sdkEndpoints,
  sdkTypesHash,
  sdkVersion,
  sha256,
} from '../../scripts/gen-schemas.ts';
import {
  describeErrors,
  MANIFEST,
  profileFor,
  SCHEMA_DIR,
  schemaFor,
  validatorFor,
} from '../helpers/conformance.ts';
import { loadRecordings } from './recordings.ts';

const STALE = 'test/fixtures/schemas is stale: run `npm run schemas` and commit the result';

describe('test/fixtures/schemas', () => {
  it('was generated from the installed @notionhq/client', () => {
    expect(MANIFEST.sdkVersion, STALE).toBe(sdkVersion());
    expect(MANIFEST.sdkTypesHash, STALE).toBe(sdkTypesHash());
    expect(MANIFEST.generatorVersion, STALE).toBe(generatorVersion());
  });

  it('maps every SDK endpoint to its response schema', () => {
    expect(MANIFEST.endpoints, STALE).toEqual(sdkEndpoints());
  });

  it('holds the files the manifest lists, unedited', () => {
    for (const [name, hash] of Object.entries(MANIFEST.files)) {
      const text = readFileSync(join(SCHEMA_DIR, name), 'utf8');
      expect(sha256(text), `${name} was edited by hand; ${STALE}`).toBe(hash);
    }
  });

  it('covers the endpoints Octavo implements and plans', () => {
    const names = new Set(MANIFEST.endpoints.map((e) => e.schema));
    for (const name of [
      'GetSelfResponse',
      'ListUsersResponse',
      'GetUserResponse',
      'CreatePageResponse',
      'GetPageResponse',
      'UpdatePageResponse',
      'MovePageResponse',
      'GetBlockResponse',
      'UpdateBlockResponse',
      'DeleteBlockResponse',
      'ListBlockChildrenResponse',
      'AppendBlockChildrenResponse',
      'GetDatabaseResponse',
      'GetDataSourceResponse',
      'QueryDataSourceResponse',
      'SearchResponse',
      'GetPagePropertyResponse',
    ])
      expect(names.has(name), name).toBe(true);
  });

  it('accepts every successful body recorded against api.notion.com', () => {
    let checked = 0;
    for (const rec of loadRecordings()) {
      for (const [i, { request, response }] of rec.interactions.entries()) {
        if (response.status < 200 || response.status > 299 || !request.uri.includes('api.notion.com'))
          continue;
        const profile = profileFor(request.headers['notion-version'] ?? null);
        const schema = schemaFor(request.method, request.uri, profile, response.status);
        if (!schema) continue;
        const { request_id: _r, ...body } = response.body as Record<string, unknown>;
        const validate = validatorFor(schema, profile);
        const ok = validate(body);
        expect(
          ok,
          `${rec.name}#${i} ${request.method} ${request.uri} vs ${schema}\n${describeErrors(validate.errors)}`,
        ).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(250);
  });
});
