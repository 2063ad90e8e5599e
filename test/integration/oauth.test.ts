/*
 * OAuth public integrations (notion-api.md §4.12): the consent step through the server-rendered
 * forms, and the token endpoints through the official SDK's client.oauth.token / introspect /
 * revoke. The access token is then used with the SDK on the content endpoints.
 */
import { createHash } from 'node:crypto';
import { APIResponseError, type Client, isNotionClientError } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Capability } from '../../src/domain/capabilities.ts';
import { updateIntegration } from '../../src/ops/integrations.ts';
import { ApiError } from '../../src/wire/errors.ts';
import { describeEngines } from '../helpers/engines.ts';
import { BASE_URL, type Harness, startHarness } from '../helpers/harness.ts';
import {
  type AuthorizeQuery,
  authorizeCode,
  consent,
  Jar,
  newPerson,
  newPublicIntegration,
  oauthClient,
  redirectParams,
  signInWith,
} from '../helpers/oauth.ts';

/** The status and code of a refused SDK call (invalid_grant is not an APIResponseError class). */
async function refusal(p: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await p;
  } catch (e) {
    if (APIResponseError.isAPIResponseError(e)) return { status: e.status, code: e.code };
    if (isNotionClientError(e) && 'status' in e && 'body' in e) {
      const body = JSON.parse(String(e.body)) as { code: string };
      return { status: Number(e.status), code: body.code };
    }
    throw e;
  }
  throw new Error('expected the call to be refused');
}

describeEngines('OAuth public integrations', (engine) => {
  let h: Harness;
  let sdk: Client;
  let shared: string;
  let other: string;
  let clock = new Date();
  beforeAll(async () => {
    h = await startHarness(engine, { clock: () => clock });
    sdk = oauthClient(h);
    shared = await h.newRootPage('Shared with the app');
    other = await h.newRootPage('Not shared');
  });
  afterAll(() => h.close());

  const asBearer = (token: string) => h.client({ token });

  describe('POST /v1/oauth/token (authorization_code)', () => {
    it('exchanges a code for Notion-shaped tokens that read exactly the picked pages', async () => {
      const app = await newPublicIntegration(h);
      const { code, state, person } = await authorizeCode(h, app, [shared]);
      expect(state).toBe('st-1');
      const grant = await sdk.oauth.token({ ...app, grant_type: 'authorization_code', code });
      expect(grant).toMatchObject({
        token_type: 'bearer',
        workspace_id: h.boot.workspace.id,
        workspace_name: h.boot.workspace.name,
        workspace_icon: null,
        duplicated_template_id: null,
        owner: {
          type: 'user',
          user: { object: 'user', id: person.user.id, type: 'person', person: { email: person.email } },
        },
      });
      expect(grant.access_token).toMatch(/^ntn_/);
      expect(grant.refresh_token).toMatch(/^nrt_/);
      const bot = asBearer(grant.access_token);
      const me = await bot.users.me({});
      expect(me.id).toBe(grant.bot_id);
      expect(me).toMatchObject({
        type: 'bot',
        name: app.name,
        bot: { owner: { type: 'user', user: { id: person.user.id } } },
      });
      expect((await bot.pages.retrieve({ page_id: shared })).id).toBe(shared);
      expect(await refusal(bot.pages.retrieve({ page_id: other }))).toEqual({
        status: 404,
        code: 'object_not_found',
      });
      // Other readers see the same owner on the bot (users.retrieve, users.list).
      const quickstart = asBearer(h.token);
      expect(await quickstart.users.retrieve({ user_id: grant.bot_id })).toMatchObject({
        bot: { owner: { type: 'user', user: { id: person.user.id, person: { email: person.email } } } },
      });
      const listed = [];
      for (let cursor: string | undefined; ; ) {
        const page = await quickstart.users.list({
          page_size: 100,
          ...(cursor ? { start_cursor: cursor } : {}),
        });
        listed.push(...page.results);
        if (!page.next_cursor) break;
        cursor = page.next_cursor;
      }
      expect(listed.find((u) => u.id === grant.bot_id)).toMatchObject({
        bot: { owner: { type: 'user', user: { id: person.user.id } } },
      });
    });

    it('enforces the capabilities of the public integration on its token', async () => {
      const app = await newPublicIntegration(h, { capabilities: ['read_content'] });
      const { code } = await authorizeCode(h, app, [shared]);
      const grant = await sdk.oauth.token({ ...app, grant_type: 'authorization_code', code });
      const bot = asBearer(grant.access_token);
      expect((await bot.pages.retrieve({ page_id: shared })).id).toBe(shared);
      expect(await refusal(bot.pages.update({ page_id: shared, properties: {} }))).toEqual({
        status: 403,
        code: 'restricted_resource',
      });
      expect(await refusal(bot.users.list({}))).toEqual({ status: 403, code: 'restricted_resource' });
    });

    it('keeps an installation named and empowered by its public integration; a second consent still updates it', async () => {
      const app = await newPublicIntegration(h, { capabilities: ['read_content'] });
      const { code, jar } = await authorizeCode(h, app, [shared]);
      const grant = await sdk.oauth.token({ ...app, grant_type: 'authorization_code', code });
      const installed = await h.store.transaction(async (tx) => {
        const install = await tx.oauth.installationByBot(grant.bot_id);
        return tx.integrations.get(install!.integration_id);
      });
      const refused = async (input: { newName?: string; capabilities?: Capability[] }) => {
        try {
          await h.store.transaction((tx) => updateIntegration(tx, { name: installed!.name, ...input }));
        } catch (e) {
          return e instanceof ApiError ? `${e.status} ${e.code}: ${e.message}` : String(e);
        }
        return 'accepted';
      };
      expect(await refused({ newName: 'Renamed' })).toMatch(/^400 validation_error: .* public integration/);
      expect(await refused({ capabilities: ['read_content', 'update_content'] })).toMatch(
        /^400 validation_error/,
      );
      const bot = asBearer(grant.access_token);
      expect(await bot.users.me({})).toMatchObject({ name: app.name });
      expect(await refusal(bot.pages.update({ page_id: shared, properties: {} }))).toMatchObject({
        status: 403,
      });
      // The same person consents again: the installation is reused (its capabilities set again
      // from the public integration's), and the new token reads as before.
      const again = await consent(
        jar,
        {
          client_id: app.client_id,
          response_type: 'code',
          owner: 'user',
          state: 's2',
        } satisfies AuthorizeQuery,
        { pages: [shared], decision: 'allow' },
      );
      const second = await sdk.oauth.token({
        ...app,
        grant_type: 'authorization_code',
        code: redirectParams(again).get('code')!,
      });
      expect(second.bot_id).toBe(grant.bot_id);
      expect((await asBearer(second.access_token).pages.retrieve({ page_id: shared })).id).toBe(shared);
    });

    it('refuses a code used twice, and revokes the tokens the first exchange issued', async () => {
      const app = await newPublicIntegration(h);
      const { code } = await authorizeCode(h, app, [shared]);
      const grant = await sdk.oauth.token({ ...app, grant_type: 'authorization_code', code });
      expect((await asBearer(grant.access_token).users.me({})).id).toBe(grant.bot_id);
      expect(await refusal(sdk.oauth.token({ ...app, grant_type: 'authorization_code', code }))).toEqual({
        status: 400,
        code: 'invalid_grant',
      });
      expect(await refusal(asBearer(grant.access_token).users.me({}))).toEqual({
        status: 401,
        code: 'unauthorized',
      });
      expect(
        await refusal(
          sdk.oauth.token({ ...app, grant_type: 'refresh_token', refresh_token: grant.refresh_token! }),
        ),
      ).toEqual({ status: 400, code: 'invalid_grant' });
    });

    it('lets exactly one of two simultaneous exchanges of a code succeed, and then revokes it', async () => {
      const app = await newPublicIntegration(h);
      const { code } = await authorizeCode(h, app, [shared]);
      const tries = await Promise.allSettled(
        [0, 1].map(() => sdk.oauth.token({ ...app, grant_type: 'authorization_code', code })),
      );
      const won = tries.filter((t) => t.status === 'fulfilled');
      expect(won).toHaveLength(1);
      const lost = tries.find((t) => t.status === 'rejected')!;
      expect(await refusal(Promise.reject(lost.reason))).toEqual({ status: 400, code: 'invalid_grant' });
      const grant = (won[0] as PromiseFulfilledResult<{ access_token: string }>).value;
      expect(await refusal(asBearer(grant.access_token).users.me({}))).toEqual({
        status: 401,
        code: 'unauthorized',
      });
    });

    it('refuses unknown codes, another client’s code and expired codes with invalid_grant', async () => {
      const app = await newPublicIntegration(h);
      const second = await newPublicIntegration(h);
      const bad = (code: string, who = app) =>
        refusal(sdk.oauth.token({ ...who, grant_type: 'authorization_code', code }));
      expect(await bad('no-such-code')).toEqual({ status: 400, code: 'invalid_grant' });
      const { code } = await authorizeCode(h, app, [shared]);
      expect(await bad(code, second)).toEqual({ status: 400, code: 'invalid_grant' });
      const late = await authorizeCode(h, app, [shared]);
      clock = new Date(clock.getTime() + 11 * 60_000);
      try {
        expect(await bad(late.code)).toEqual({ status: 400, code: 'invalid_grant' });
      } finally {
        clock = new Date();
      }
    });

    it('refuses wrong or missing client credentials with 401 unauthorized', async () => {
      const app = await newPublicIntegration(h);
      const { code } = await authorizeCode(h, app, [shared]);
      expect(
        await refusal(
          sdk.oauth.token({
            client_id: app.client_id,
            client_secret: 'secret_wrong',
            grant_type: 'authorization_code',
            code,
          }),
        ),
      ).toEqual({ status: 401, code: 'unauthorized' });
      const res = await h.app.request(`${BASE_URL}/v1/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Notion-Version': '2025-09-03' },
        body: JSON.stringify({
          grant_type: 'authorization_code',
          code,
          client_id: app.client_id,
          client_secret: app.client_secret,
        }),
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ object: 'error', code: 'unauthorized' });
      for (const authorization of [
        'Basic %%%',
        `Basic ${Buffer.from('%E0%A4%A:x').toString('base64')}`,
        'Bearer x',
      ]) {
        const odd = await h.app.request(`${BASE_URL}/v1/oauth/token`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ grant_type: 'authorization_code', code }),
        });
        expect(odd.status).toBe(401);
      }
      // The refused attempts did not spend the code.
      const grant = await sdk.oauth.token({ ...app, grant_type: 'authorization_code', code });
      expect(grant.access_token).toMatch(/^ntn_/);
    });
  });

  describe('redirect_uri rules', () => {
    it('with one registered URI not named at authorize: omitted or the same URI is accepted, another refused', async () => {
      const app = await newPublicIntegration(h);
      const a = await authorizeCode(h, app, [shared]);
      expect(
        await refusal(
          sdk.oauth.token({
            ...app,
            grant_type: 'authorization_code',
            code: a.code,
            redirect_uri: 'https://client.example/other',
          }),
        ),
      ).toEqual({ status: 400, code: 'invalid_grant' });
      const b = await authorizeCode(h, app, [shared]);
      const grant = await sdk.oauth.token({
        ...app,
        grant_type: 'authorization_code',
        code: b.code,
        redirect_uri: app.redirectUris[0]!,
      });
      expect(grant.access_token).toMatch(/^ntn_/);
    });

    it('with several URIs: authorize must name one, and the token request must repeat it exactly', async () => {
      const uris = ['https://client.example/one', 'https://client.example/two'];
      const app = await newPublicIntegration(h, { redirectUris: uris });
      const person = await newPerson(h);
      const jar = new Jar(h);
      await signInWith(jar, person.email, person.password);
      const missing = await jar.fetch(
        `/v1/oauth/authorize?client_id=${app.client_id}&response_type=code&owner=user`,
      );
      expect(missing.status).toBe(400);
      expect(missing.headers.get('location')).toBeNull();
      const code = async () =>
        redirectParams(
          await consent(
            jar,
            { client_id: app.client_id, response_type: 'code', owner: 'user', redirect_uri: uris[1]! },
            {
              pages: [shared],
              decision: 'allow',
            },
          ),
        ).get('code')!;
      const c1 = await code();
      expect(await refusal(sdk.oauth.token({ ...app, grant_type: 'authorization_code', code: c1 }))).toEqual({
        status: 400,
        code: 'invalid_grant',
      });
      const c2 = await code();
      expect(
        await refusal(
          sdk.oauth.token({ ...app, grant_type: 'authorization_code', code: c2, redirect_uri: uris[0]! }),
        ),
      ).toEqual({ status: 400, code: 'invalid_grant' });
      const c3 = await code();
      const grant = await sdk.oauth.token({
        ...app,
        grant_type: 'authorization_code',
        code: c3,
        redirect_uri: uris[1]!,
      });
      expect(grant.access_token).toMatch(/^ntn_/);
    });

    it('shows an unregistered redirect_uri or an unknown client to the user instead of redirecting', async () => {
      const app = await newPublicIntegration(h);
      const jar = new Jar(h);
      for (const qs of [
        `client_id=${app.client_id}&response_type=code&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`,
        'client_id=00000000-0000-0000-0000-000000000000&response_type=code',
      ]) {
        const res = await jar.fetch(`/v1/oauth/authorize?${qs}`);
        expect(res.status).toBe(400);
        expect(res.headers.get('location')).toBeNull();
        expect(res.headers.get('content-type')).toMatch(/text\/html/);
      }
      const wrongType = await jar.fetch(
        `/v1/oauth/authorize?client_id=${app.client_id}&response_type=token&state=x`,
      );
      expect(wrongType.status).toBe(302);
      expect(Object.fromEntries(redirectParams(wrongType))).toMatchObject({
        error: 'unsupported_response_type',
        state: 'x',
      });
    });
  });

  describe('POST /v1/oauth/token (refresh_token)', () => {
    it('rotates: new tokens work, the old access token and the used refresh token are dead', async () => {
      const app = await newPublicIntegration(h);
      const { code } = await authorizeCode(h, app, [shared]);
      const first = await sdk.oauth.token({ ...app, grant_type: 'authorization_code', code });
      const second = await sdk.oauth.token({
        ...app,
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token!,
      });
      expect(second.bot_id).toBe(first.bot_id);
      expect(second.access_token).not.toBe(first.access_token);
      expect(second.refresh_token).not.toBe(first.refresh_token);
      expect((await asBearer(second.access_token).pages.retrieve({ page_id: shared })).id).toBe(shared);
      expect(await refusal(asBearer(first.access_token).users.me({}))).toEqual({
        status: 401,
        code: 'unauthorized',
      });
      expect(
        await refusal(
          sdk.oauth.token({ ...app, grant_type: 'refresh_token', refresh_token: first.refresh_token! }),
        ),
      ).toEqual({ status: 400, code: 'invalid_grant' });
      const other = await newPublicIntegration(h);
      expect(
        await refusal(
          sdk.oauth.token({ ...other, grant_type: 'refresh_token', refresh_token: second.refresh_token! }),
        ),
      ).toEqual({ status: 400, code: 'invalid_grant' });
    });
  });

  describe('POST /v1/oauth/introspect and /v1/oauth/revoke', () => {
    it('introspects live tokens, and revoking one kills access and refresh token', async () => {
      const app = await newPublicIntegration(h, { capabilities: ['read_content', 'insert_content'] });
      const { code } = await authorizeCode(h, app, [shared]);
      const grant = await sdk.oauth.token({ ...app, grant_type: 'authorization_code', code });
      const seen = await sdk.oauth.introspect({ ...app, token: grant.access_token });
      expect(seen).toMatchObject({ active: true, scope: 'read_content insert_content' });
      expect(Math.abs(seen.iat! - Date.now() / 1000)).toBeLessThan(120);
      expect((await sdk.oauth.introspect({ ...app, token: grant.refresh_token! })).active).toBe(true);
      expect((await sdk.oauth.introspect({ ...app, token: 'nope' })).active).toBe(false);
      const stranger = await newPublicIntegration(h);
      expect((await sdk.oauth.introspect({ ...stranger, token: grant.access_token })).active).toBe(false);
      await sdk.oauth.revoke({ ...stranger, token: grant.access_token });
      expect((await asBearer(grant.access_token).users.me({})).id).toBe(grant.bot_id);

      await sdk.oauth.revoke({ ...app, token: grant.access_token });
      expect((await sdk.oauth.introspect({ ...app, token: grant.access_token })).active).toBe(false);
      expect((await sdk.oauth.introspect({ ...app, token: grant.refresh_token! })).active).toBe(false);
      expect(await refusal(asBearer(grant.access_token).users.me({}))).toEqual({
        status: 401,
        code: 'unauthorized',
      });
      expect(
        await refusal(
          sdk.oauth.token({ ...app, grant_type: 'refresh_token', refresh_token: grant.refresh_token! }),
        ),
      ).toEqual({ status: 400, code: 'invalid_grant' });
      expect(await refusal(sdk.oauth.introspect({ ...app, client_secret: 'secret_x', token: 'x' }))).toEqual({
        status: 401,
        code: 'unauthorized',
      });
    });
  });

  describe('PKCE (S256)', () => {
    const verifier = 'v'.repeat(20) + '-._~0123456789abcdefghijklmnop';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const exchange = (app: { client_id: string; client_secret: string }, body: object) =>
      h.app.request(`${BASE_URL}/v1/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams(body as Record<string, string>).toString(),
      });

    it('accepts the right code_verifier and refuses a wrong or missing one', async () => {
      const app = await newPublicIntegration(h);
      const pkce = { code_challenge: challenge, code_challenge_method: 'S256' };
      const wrong = await authorizeCode(h, app, [shared], pkce);
      const res = await exchange(app, {
        grant_type: 'authorization_code',
        code: wrong.code,
        code_verifier: `${verifier}x`,
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'invalid_grant' });
      const missing = await authorizeCode(h, app, [shared], pkce);
      expect(
        await refusal(sdk.oauth.token({ ...app, grant_type: 'authorization_code', code: missing.code })),
      ).toEqual({
        status: 400,
        code: 'invalid_grant',
      });
      const right = await authorizeCode(h, app, [shared], pkce);
      const ok = await exchange(app, {
        grant_type: 'authorization_code',
        code: right.code,
        code_verifier: verifier,
      });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ token_type: 'bearer' });
    });

    it('refuses the plain method at authorize with a redirect carrying invalid_request', async () => {
      const app = await newPublicIntegration(h);
      const jar = new Jar(h);
      const res = await jar.fetch(
        `/v1/oauth/authorize?client_id=${app.client_id}&response_type=code&state=s&code_challenge=${challenge}&code_challenge_method=plain`,
      );
      expect(res.status).toBe(302);
      expect(Object.fromEntries(redirectParams(res))).toMatchObject({ error: 'invalid_request', state: 's' });
    });
  });

  describe('GET|POST /v1/oauth/authorize (consent)', () => {
    it('asks a signed-out visitor to sign in, then lists the pages with their titles escaped', async () => {
      const app = await newPublicIntegration(h);
      await h.newRootPage('<script>alert(1)</script> & co');
      const person = await newPerson(h);
      const jar = new Jar(h);
      const query = `client_id=${app.client_id}&response_type=code&owner=user&state=abc`;
      const first = await jar.fetch(`/v1/oauth/authorize?${query}`);
      expect(first.status).toBe(200);
      const form = await first.text();
      expect(form).toContain('action="/sign-in"');
      expect(form).toContain(`name="next" value="/v1/oauth/authorize?${query.replaceAll('&', '&amp;')}"`);
      const signed = await signInWith(jar, person.email, person.password, `/v1/oauth/authorize?${query}`);
      expect(signed.status).toBe(303);
      expect(signed.headers.get('location')).toBe(`/v1/oauth/authorize?${query}`);
      const cookie = signed.headers.getSetCookie().join('\n');
      expect(cookie).toMatch(/octavo_session=[^;]+;.*HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      const page = await jar.fetch(`/v1/oauth/authorize?${query}`);
      const body = await page.text();
      expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
      expect(body).not.toContain('<script>');
      expect(body).toContain(`value="${shared}"`);
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    });

    it('denied consent redirects with error=access_denied and the state, and issues nothing', async () => {
      const app = await newPublicIntegration(h);
      const person = await newPerson(h);
      const jar = new Jar(h);
      await signInWith(jar, person.email, person.password);
      const res = await consent(
        jar,
        { client_id: app.client_id, response_type: 'code', owner: 'user', state: 'd1' },
        {
          pages: [shared],
          decision: 'deny',
        },
      );
      expect(res.status).toBe(303);
      const params = redirectParams(res);
      expect(Object.fromEntries(params)).toEqual({ error: 'access_denied', state: 'd1' });
      expect(res.headers.get('location')!.startsWith(app.redirectUris[0]!)).toBe(true);
    });

    it('refuses a consent POST without the session’s CSRF token or from another origin', async () => {
      const app = await newPublicIntegration(h);
      const person = await newPerson(h);
      const jar = new Jar(h);
      await signInWith(jar, person.email, person.password);
      const fields = { client_id: app.client_id, response_type: 'code', pages: [shared], decision: 'allow' };
      for (const [extra, headers] of [
        [{}, {}],
        [{ csrf: 'forged' }, {}],
      ] as const) {
        const res = await jar.post('/v1/oauth/authorize', { ...fields, ...extra }, headers);
        expect(res.status).toBe(403);
        expect(res.headers.get('location')).toBeNull();
      }
      const page = await jar.fetch(`/v1/oauth/authorize?client_id=${app.client_id}&response_type=code`);
      const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      const cross = await jar.post(
        '/v1/oauth/authorize',
        { ...fields, csrf },
        { origin: 'https://evil.example' },
      );
      expect(cross.status).toBe(403);
      const opaque = await jar.post('/v1/oauth/authorize', { ...fields, csrf }, { origin: 'null' });
      expect(opaque.status).toBe(403);
      const fetchSite = await jar.post(
        '/v1/oauth/authorize',
        { ...fields, csrf },
        { 'sec-fetch-site': 'cross-site' },
      );
      expect(fetchSite.status).toBe(403);
      const fine = await jar.post('/v1/oauth/authorize', { ...fields, csrf });
      expect(fine.status).toBe(303);
      expect(redirectParams(fine).get('code')).toBeTruthy();
    });

    it('refuses a page that is not a top-level page of the workspace', async () => {
      const app = await newPublicIntegration(h);
      const child = await asBearer(h.token).pages.create({
        parent: { page_id: h.rootPageId },
        properties: { title: { title: [{ text: { content: 'Child' } }] } },
      });
      const person = await newPerson(h);
      const jar = new Jar(h);
      await signInWith(jar, person.email, person.password);
      const res = await consent(
        jar,
        { client_id: app.client_id, response_type: 'code' },
        { pages: [child.id], decision: 'allow' },
      );
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    });
  });

  describe('sign-in', () => {
    it('refuses a wrong password, a missing CSRF token, and signs out', async () => {
      const person = await newPerson(h);
      const jar = new Jar(h);
      expect((await signInWith(jar, person.email, 'wrong password')).status).toBe(401);
      expect((await jar.post('/sign-in', { email: person.email, password: person.password })).status).toBe(
        403,
      );
      expect(
        (await jar.post('/sign-in', { csrf: 'x', email: person.email, password: person.password })).status,
      ).toBe(403);
      const ok = await signInWith(jar, person.email, person.password);
      expect(ok.status).toBe(303);
      const home = await (await jar.fetch('/sign-in')).text();
      expect(home).toContain(person.email);
      expect((await jar.post('/sign-out', {})).status).toBe(403);
      const csrf = /name="csrf" value="([^"]+)"/.exec(home)![1]!;
      expect((await jar.post('/sign-out', { csrf })).status).toBe(303);
      expect(await (await jar.fetch('/sign-in')).text()).toContain('name="password"');
    });

    it('lets no more than 5 of 10 parallel wrong attempts through to the password check', async () => {
      const person = await newPerson(h);
      const jar = new Jar(h);
      const form = await jar.fetch('/sign-in');
      const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())![1]!;
      const statuses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          jar.post('/sign-in', { csrf, email: person.email, password: `bad ${i}` }),
        ),
      ).then((all) => all.map((r) => r.status));
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    });

    it('marks the session cookie Secure when the server is reached over https', async () => {
      const person = await newPerson(h);
      const form = await h.app.request('https://octavo.test/sign-in');
      const csrfCookie = form.headers.getSetCookie().find((c) => c.startsWith('octavo_csrf='))!;
      expect(csrfCookie).toMatch(/; Secure/i);
      const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())![1]!;
      const res = await h.app.request('https://octavo.test/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie.split(';')[0]! },
        body: new URLSearchParams({ csrf, email: person.email, password: person.password }).toString(),
      });
      expect(res.status).toBe(303);
      const session = res.headers.getSetCookie().find((c) => c.startsWith('octavo_session='))!;
      expect(session).toMatch(/; Secure/i);
      expect(session).toMatch(/; HttpOnly/i);
      expect(session).toMatch(/; SameSite=Lax/i);
    });

    it('locks an address after 5 failed attempts, even for the right password, until time passes', async () => {
      const person = await newPerson(h);
      const jar = new Jar(h);
      for (let i = 0; i < 5; i++)
        expect((await signInWith(jar, person.email, `wrong ${i}`)).status).toBe(401);
      const locked = await signInWith(jar, person.email, person.password);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await locked.text()).toContain('Too many failed attempts');
      clock = new Date(clock.getTime() + 4 * 60_000);
      try {
        expect((await signInWith(jar, person.email, person.password)).status).toBe(303);
      } finally {
        clock = new Date();
      }
    });
  });
});
