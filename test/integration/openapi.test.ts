/** GET /v1/openapi.json: made from the route table and the request schemas; checked against both. */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS, servedRoutes } from '../../src/api/openapi.ts';
import { API_VERSIONS } from '../../src/wire/versions.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

type Operation = {
  requestBody?: { content: Record<string, { schema: object }> };
  parameters?: { name?: string; in?: string }[];
  security?: unknown[];
};
type Doc = { openapi: string; info: { version: string }; paths: Record<string, Record<string, Operation>> };

describe('GET /v1/openapi.json', () => {
  let h: Harness;
  let doc: Doc;
  beforeAll(async () => {
    h = await startHarness('sqlite');
    const res = await h.request('/v1/openapi.json', { version: null, token: null });
    expect(res.status).toBe(200);
    doc = (await res.json()) as Doc;
  });
  afterAll(() => h.close());

  const fetchDoc = async (version: string) =>
    (await (
      await h.request(`/v1/openapi.json?notion_version=${version}`, { version: null, token: null })
    ).json()) as Doc;
  const operations = (d: Doc = doc) =>
    Object.entries(d.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );

  it('lists every /v1 route the server serves, and nothing else', async () => {
    const served = servedRoutes(h.app.routes);
    expect(served.length).toBeGreaterThan(30);
    const all = new Set<string>();
    for (const v of API_VERSIONS) for (const op of operations(await fetchDoc(v))) all.add(op);
    expect([...all].sort()).toEqual([...served].sort());
    // The default is the latest version; data sources replaced the database query in 2025-09-03.
    expect(operations()).toContain('POST /v1/data_sources/:data_source_id/query');
    expect(operations()).not.toContain('POST /v1/databases/:database_id/query');
    // The table of summaries and schemas names no route that is not served.
    expect(Object.keys(ENDPOINTS).sort()).toEqual([...served].sort());
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('documents, for each Notion-Version, no path the server answers with invalid_request_url', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    for (const version of API_VERSIONS) {
      for (const op of operations(await fetchDoc(version))) {
        const [method, path] = op.split(' ') as [string, string];
        const res = await h.request(path.replace(/:(\w+)/g, id), {
          method,
          version,
          ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
        });
        // Pages for browsers answer HTML; an unknown path is always Notion's JSON error.
        const json = res.headers.get('content-type')?.includes('json');
        const body = json ? ((await res.json()) as { code?: string }) : {};
        expect.soft(body.code, `${version} ${op}`).not.toBe('invalid_request_url');
      }
    }
  });

  it('gives each request body a JSON Schema that accepts what the server accepts', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const schemaOf = (path: string, method: string) => {
      const content = doc.paths[path]?.[method]?.requestBody?.content;
      return content?.['application/json']?.schema ?? content?.['multipart/form-data']?.schema;
    };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (['post', 'patch'].includes(method) && !/\/complete$|\/oauth\/authorize$/.test(path)) {
          expect(op.requestBody, `${method} ${path}`).toBeDefined();
        }
        const schema = schemaOf(path, method);
        if (schema) ajv.compile(schema);
      }
    }
    const createPage = ajv.compile(schemaOf('/v1/pages', 'post')!);
    expect(
      createPage({
        parent: { page_id: h.rootPageId },
        properties: { title: { title: [{ text: { content: 'Hello' } }] } },
      }),
    ).toBe(true);
    expect(createPage({ parent: { page_id: h.rootPageId }, surprise: 1 })).toBe(false);
    const search = ajv.compile(schemaOf('/v1/search', 'post')!);
    expect(search({ query: 'x', filter: { property: 'object', value: 'page' } })).toBe(true);
    expect(search({ query: 5 })).toBe(false);
  });

  it('describes the bodies of an older Notion-Version when asked', async () => {
    const res = await h.request('/v1/openapi.json?notion_version=2022-06-28', { version: null, token: null });
    const old = (await res.json()) as Doc;
    const props = (d: Doc) =>
      JSON.stringify(d.paths['/v1/blocks/{block_id}/children']!.patch!.requestBody!.content);
    // `after` was replaced by `position` in 2026-03-11.
    expect(props(old)).toContain('"after"');
    expect(props(doc)).not.toContain('"after"');
    const bad = await h.request('/v1/openapi.json?notion_version=1999-01-01', { version: null, token: null });
    expect(bad.status).toBe(400);
  });
});
