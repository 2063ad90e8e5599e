/*
 * The admin HTTP API under /_octavo: authenticated with the admin token only, and managing
 * integrations with the same operations as `octavo integration …`; a change counts from the
 * integration's next request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAdminToken } from '../../src/ops/admin-token.ts';
import { describeEngines } from '../helpers/engines.ts';
import { BASE_URL, type Harness, startHarness } from '../helpers/harness.ts';

describeEngines('admin API /_octavo', (engine) => {
  let h: Harness;
  let admin: string;
  beforeAll(async () => {
    h = await startHarness(engine);
    admin = await h.store.transaction((tx) => issueAdminToken(tx));
  });
  afterAll(() => h.close());

  async function call(method: string, path: string, body?: unknown, token: string | null = admin) {
    const res = await h.app.request(`${BASE_URL}/_octavo${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const asIntegration = (token: string) => h.request('/v1/users/me', { token }).then((r) => r.status);

  describe('authentication', () => {
    it('refuses no token, an integration token and a wrong admin token with 401 unauthorized', async () => {
      for (const token of [null, h.token, `${admin}x`]) {
        const res = await call('GET', '/integrations', undefined, token);
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ object: 'error', code: 'unauthorized' });
      }
    });

    it('refuses the previous admin token once a new one is issued', async () => {
      const old = await h.store.transaction((tx) => issueAdminToken(tx));
      admin = await h.store.transaction((tx) => issueAdminToken(tx));
      expect((await call('GET', '/integrations', undefined, old)).status).toBe(401);
      expect((await call('GET', '/integrations')).status).toBe(200);
    });
  });

  describe('integrations', () => {
    it('creates, lists, narrows, revokes, rotates and deletes, each counting at once', async () => {
      const made = await call('POST', '/integrations', {
        name: 'Admin made',
        capabilities: ['read_content'],
      });
      expect(made.status).toBe(200);
      expect(made.body).toMatchObject({
        object: 'integration',
        name: 'Admin made',
        capabilities: ['read_content'],
      });
      const token = made.body.token as string;
      expect(token).toMatch(/^ntn_/);
      expect(await asIntegration(token)).toBe(200);

      const listed = await call('GET', '/integrations');
      const names = (listed.body.results as { name: string; token?: string }[]).map((i) => i.name);
      expect(names).toContain('Admin made');
      expect(JSON.stringify(listed.body)).not.toContain('token_hash');

      const renamed = await call('PATCH', `/integrations/${made.body.id}`, { name: 'Admin renamed' });
      expect(renamed.body).toMatchObject({ name: 'Admin renamed' });

      expect((await call('POST', '/integrations/Admin%20renamed/revoke')).status).toBe(200);
      expect(await asIntegration(token)).toBe(401);
      const rotated = await call('POST', `/integrations/${made.body.id}/rotate`);
      expect(await asIntegration(rotated.body.token as string)).toBe(200);

      expect((await call('DELETE', `/integrations/${made.body.id}`)).status).toBe(200);
      expect(await asIntegration(rotated.body.token as string)).toBe(401);
      expect((await call('DELETE', `/integrations/${made.body.id}`)).status).toBe(404);
    });

    it('answers bad bodies with validation_error and changes nothing', async () => {
      const before = await call('GET', '/integrations');
      const bad = await call('POST', '/integrations', { name: 'X', capabilities: ['fly'] });
      expect(bad).toMatchObject({ status: 400, body: { code: 'validation_error' } });
      const dup = await call('POST', '/integrations', { name: 'Octavo Quickstart' });
      expect(dup).toMatchObject({ status: 400, body: { code: 'validation_error' } });
      expect((await call('GET', '/integrations')).body).toEqual(before.body);
    });

    it('answers an unknown path under /_octavo with invalid_request_url', async () => {
      expect(await call('GET', '/nothing-here')).toMatchObject({
        status: 400,
        body: { code: 'invalid_request_url' },
      });
    });
  });
});
