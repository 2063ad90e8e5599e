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
  ConformanceError,
  checkResponse,
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

describe('checkResponse on 2xx bodies', () => {
  const user = { object: 'user', id: 'u' } as const;
  const page = {
    object: 'page',
    id: '5f1c0b4e-7d1a-4c57-9a53-1f6a7e2b9c01',
    created_time: '2026-01-01T00:00:00.000Z',
    last_edited_time: '2026-01-01T00:00:00.000Z',
    created_by: user,
    last_edited_by: user,
    cover: null,
    icon: null,
    parent: { type: 'workspace', workspace: true },
    in_trash: false,
    is_archived: false,
    is_locked: false,
    properties: {},
    url: 'http://octavo.test/p/5f1c0b4e7d1a4c579a531f6a7e2b9c01',
    public_url: null,
    archived: false,
  };
  const send = (url: string, body: object, version = '2025-09-03', method = 'GET') =>
    checkResponse(
      url,
      { method, headers: { 'Notion-Version': version } },
      new Response(JSON.stringify({ ...body, request_id: 'r' }), { headers: { 'x-notion-request-id': 'r' } }),
    );
  const url = 'http://octavo.test/v1/pages/5f1c0b4e7d1a4c579a531f6a7e2b9c01';

  it('accepts a full page, and a partial one', async () => {
    await expect(send(url, page)).resolves.toBeInstanceOf(Response);
    await expect(send(url, { object: 'page', id: page.id })).resolves.toBeInstanceOf(Response);
  });

  it('fails loudly on an undeclared key, a missing key or a wrong type', async () => {
    await expect(send(url, { ...page, extra: 1 })).rejects.toThrow(ConformanceError);
    const { url: _u, ...noUrl } = page;
    await expect(send(url, noUrl)).rejects.toThrow(/GetPageResponse/);
    await expect(send(url, { ...page, in_trash: 'no' })).rejects.toThrow(/in_trash/);
  });

  it('requires archived before 2026-03-11 and forbids it from then on', async () => {
    const { archived: _a, ...withoutArchived } = page;
    await expect(send(url, withoutArchived)).rejects.toThrow(ConformanceError);
    await expect(send(url, withoutArchived, '2026-03-11')).resolves.toBeInstanceOf(Response);
    await expect(send(url, page, '2026-03-11')).rejects.toThrow(/archived/);
  });

  it('fails loudly when an endpoint has no schema', async () => {
    await expect(send('http://octavo.test/v1/nowhere', {})).rejects.toThrow(/no response schema mapped/);
  });

  it('wants no request_id in a templates listing, as Notion sends it, and one everywhere else', async () => {
    const templates = 'http://octavo.test/v1/data_sources/5f1c0b4e7d1a4c579a531f6a7e2b9c01/templates';
    const listing = { templates: [], has_more: false, next_cursor: null };
    const bare = (body: object) =>
      checkResponse(
        templates,
        { method: 'GET', headers: { 'Notion-Version': '2025-09-03' } },
        new Response(JSON.stringify(body), { headers: { 'x-notion-request-id': 'r' } }),
      );
    await expect(bare(listing)).resolves.toBeInstanceOf(Response);
    await expect(send(templates, listing)).rejects.toThrow(/without one/);
    const pageWithoutId = checkResponse(
      url,
      { method: 'GET', headers: { 'Notion-Version': '2025-09-03' } },
      new Response(JSON.stringify(page), { headers: { 'x-notion-request-id': 'r' } }),
    );
    await expect(pageWithoutId).rejects.toThrow(/request_id in body differs/);
  });

  it('prefers literal segments: /v1/users/me is GetSelfResponse', () => {
    expect(schemaFor('GET', 'http://octavo.test/v1/users/me', 'current')).toBe('GetSelfResponse');
    expect(schemaFor('GET', 'http://octavo.test/v1/users/abc', 'current')).toBe('GetUserResponse');
    expect(schemaFor('POST', 'http://octavo.test/v1/blocks/meeting_notes/query', 'current')).toBe(
      'QueryMeetingNotesResponse',
    );
    expect(schemaFor('GET', 'http://octavo.test/v1/databases/x', 'legacy')).toBeNull();
  });
});
