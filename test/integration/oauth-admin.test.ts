/*
 * Public integrations through the admin API (/_octavo/public-integrations): created with a client
 * secret shown once, listed without it, the secret rotated, deleted with every installation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAdminToken } from '../../src/ops/admin-token.ts';
import { describeEngines } from '../helpers/engines.ts';
import { BASE_URL, type Harness, startHarness } from '../helpers/harness.ts';
import { authorizeCode, oauthClient } from '../helpers/oauth.ts';

describeEngines('admin API /_octavo/public-integrations', (engine) => {
  let h: Harness;
  let admin: string;
  beforeAll(async () => {
    h = await startHarness(engine);
    admin = await h.store.transaction((tx) => issueAdminToken(tx));
  });
  afterAll(() => h.close());

  async function call(method: string, path: string, body?: unknown) {
    const res = await h.app.request(`${BASE_URL}/_octavo${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  describe('create, list, rotate-secret, delete', () => {
    it('manages a public integration whose tokens follow each change', async () => {
      const made = await call('POST', '/public-integrations', {
        name: 'Admin app',
        redirect_uris: ['https://app.example/cb', 'http://localhost:8080/cb'],
        capabilities: ['read_content'],
      });
      expect(made.status).toBe(200);
      expect(made.body).toMatchObject({
        object: 'public_integration',
        name: 'Admin app',
        redirect_uris: ['https://app.example/cb', 'http://localhost:8080/cb'],
        capabilities: ['read_content'],
      });
      const app = {
        client_id: made.body.client_id as string,
        client_secret: made.body.client_secret as string,
      };
      expect(app.client_secret).toMatch(/^secret_\w{46}$/);

      const list = await call('GET', '/public-integrations');
      expect(JSON.stringify(list.body)).not.toContain(app.client_secret);
      expect((list.body.results as { id: string }[]).map((r) => r.id)).toContain(app.client_id);

      const { code } = await authorizeCode(h, app, [h.rootPageId], {
        redirect_uri: 'https://app.example/cb',
      });
      const sdk = oauthClient(h);
      const grant = await sdk.oauth.token({
        ...app,
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'https://app.example/cb',
      });

      const rotated = await call('POST', `/public-integrations/${app.client_id}/rotate-secret`);
      const fresh = rotated.body.client_secret as string;
      expect(fresh).not.toBe(app.client_secret);
      const old = await sdk.oauth.introspect({ ...app, token: grant.access_token }).catch((e) => e);
      expect(old).toMatchObject({ status: 401, code: 'unauthorized' });
      expect(
        (await sdk.oauth.introspect({ ...app, client_secret: fresh, token: grant.access_token })).active,
      ).toBe(true);

      const deleted = await call('DELETE', `/public-integrations/${encodeURIComponent('Admin app')}`);
      expect(deleted.status).toBe(200);
      expect((await h.request('/v1/users/me', { token: grant.access_token })).status).toBe(401);
      expect((await call('GET', '/public-integrations')).body.results).toEqual([]);
      expect((await call('DELETE', `/public-integrations/${app.client_id}`)).status).toBe(404);
    });

    it('refuses bad redirect URIs and duplicate names with validation_error, creating nothing', async () => {
      for (const redirect_uris of [
        [],
        ['not a url'],
        ['http://app.example/cb'],
        ['https://app.example/cb#x'],
        ['myapp://cb'],
      ]) {
        const res = await call('POST', '/public-integrations', { name: 'Bad', redirect_uris });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'validation_error' });
      }
      expect(
        (
          await call('POST', '/public-integrations', {
            name: 'Twice',
            redirect_uris: ['https://a.example/cb'],
          })
        ).status,
      ).toBe(200);
      const again = await call('POST', '/public-integrations', {
        name: 'Twice',
        redirect_uris: ['https://a.example/cb'],
      });
      expect(again.status).toBe(400);
      const names = ((await call('GET', '/public-integrations')).body.results as { name: string }[]).map(
        (r) => r.name,
      );
      expect(names).toEqual(['Twice']);
    });
  });
});
