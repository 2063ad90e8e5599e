/*
 * An id of the wrong kind, or the path of another API version: Notion's status and code, and a
 * message that says what to call instead. Only for what the caller can see: an unshared object
 * of another kind is the plain 404, like a missing one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

describeEngines('ids of the wrong kind', (engine) => {
  let h: Harness;
  let databaseId: string;
  let dataSourceId: string;
  beforeAll(async () => {
    h = await startHarness(engine);
    const db = (await h.client().databases.create({
      parent: { type: 'page_id', page_id: h.rootPageId },
      title: [{ text: { content: 'Kinds' } }],
      initial_data_source: { properties: { Name: { title: {} } } },
    })) as { id: string; data_sources: { id: string }[] };
    databaseId = db.id;
    dataSourceId = db.data_sources[0]!.id;
  });
  afterAll(() => h.close());

  async function call(method: string, path: string, options: { version?: string; token?: string } = {}) {
    const res = await h.request(path, { method, ...options, ...(method === 'POST' ? { body: '{}' } : {}) });
    return { status: res.status, ...((await res.json()) as { code: string; message: string }) };
  }

  describe('object_not_found that names the right endpoint', () => {
    it('points a database id on a data-source endpoint at GET /v1/databases/{id}', async () => {
      const res = await call('GET', `/v1/data_sources/${databaseId}`);
      expect(res).toMatchObject({ status: 404, code: 'object_not_found' });
      expect(res.message).toContain(`It is a database: use GET /v1/databases/${databaseId}`);
    });

    it('points a data-source id on a database endpoint at /v1/data_sources/{id}', async () => {
      const res = await call('GET', `/v1/databases/${dataSourceId}`);
      expect(res).toMatchObject({ status: 404, code: 'object_not_found' });
      expect(res.message).toContain(
        `It is a data source: use the /v1/data_sources/${dataSourceId} endpoints`,
      );
    });

    it('points a database id on a page endpoint at the database', async () => {
      const res = await call('GET', `/v1/pages/${databaseId}`);
      expect(res).toMatchObject({ status: 404, code: 'object_not_found' });
      expect(res.message).toContain('It is a database');
    });

    it('says nothing more about an object the caller cannot see', async () => {
      const token = await h.newIntegration('Kind outsider');
      const hidden = await call('GET', `/v1/data_sources/${databaseId}`, { token });
      const missing = await call('GET', '/v1/data_sources/0f0e0d0c-0b0a-4909-8807-060504030201', { token });
      expect(hidden.status).toBe(404);
      expect(hidden.message.replace(databaseId, 'ID')).toBe(missing.message.replace(/[0-9a-f-]{36}/, 'ID'));
    });
  });

  describe('invalid_request_url that names the other version', () => {
    it('sends a 2025-09-03 database query to the data-source query', async () => {
      const res = await call('POST', `/v1/databases/${databaseId}/query`);
      expect(res).toMatchObject({ status: 400, code: 'invalid_request_url' });
      expect(res.message).toMatch(
        /^Invalid request URL\. .*POST \/v1\/data_sources\/\{data_source_id\}\/query/,
      );
    });

    it('sends 2022-06-28 data-source calls to the databases endpoints', async () => {
      const res = await call('GET', `/v1/data_sources/${dataSourceId}`, { version: '2022-06-28' });
      expect(res).toMatchObject({ status: 400, code: 'invalid_request_url' });
      expect(res.message).toContain('under 2022-06-28 use the /v1/databases endpoints');
    });
  });
});
