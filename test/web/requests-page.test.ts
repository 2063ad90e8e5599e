/**
 * The request log in the browser (`GET /requests`), on both engines: signed-in people only, the
 * journal newest first with the token hidden and the bodies escaped, filtered by integration and
 * status, and linked from the home page. Requests are made with the official SDK.
 */
import { APIResponseError, type Client } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEmulator } from '../../src/ops/emulator.ts';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { Jar, newAdmin, newPerson, signInWith } from '../helpers/oauth.ts';

const MISSING = '0a0a0a0a-0000-4000-8000-00000000dead';

/** The rows of the log's table, as `seq method path status`. */
function rowsOf(body: string): string[] {
  return [...body.matchAll(/<tr id="r(\d+)"><td>\d+<\/td><td><code>([^<]*)<\/code><\/td>\s*<td>(\d+)/g)].map(
    (m) => `${m[1]} ${m[2]} ${m[3]}`,
  );
}

describeEngines('GET /requests (the request log page)', (engine) => {
  let h: Harness;
  let sdk: Client;
  let jar: Jar;
  let otherId: string;

  beforeAll(async () => {
    h = await startHarness(engine, { emulator: createEmulator({}) });
    sdk = h.client();
    const person = await newAdmin(h);
    jar = new Jar(h);
    expect((await signInWith(jar, person.email, person.password)).status).toBe(303);
    await sdk.users.me({});
    await sdk.pages.create({
      parent: { page_id: h.rootPageId },
      properties: { title: { title: [{ text: { content: 'Notes <script>alert(1)</script>' } }] } },
    });
    await expect(sdk.pages.retrieve({ page_id: MISSING })).rejects.toBeInstanceOf(APIResponseError);
    await h.newIntegration('Other bot');
    const all = await h.store.transaction((tx) => tx.integrations.list());
    otherId = all.find((i) => i.name === 'Other bot')!.id;
  });
  afterAll(() => h.close());

  it('sends people who are not signed in to sign in, and back', async () => {
    const res = await h.app.request('http://octavo.test/requests?status=4xx');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/sign-in?next=${encodeURIComponent('/requests?status=4xx')}`);
  });

  it('lists the requests newest first, token hidden, bodies escaped', async () => {
    const res = await jar.fetch('/requests');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const body = await res.text();
    const rows = rowsOf(body);
    expect(rows.map((r) => r.split(' ').slice(1).join(' '))).toEqual([
      `GET /v1/pages/${MISSING} 404`,
      'POST /v1/pages 200',
      'GET /v1/users/me 200',
    ]);
    expect(body).not.toContain(h.token);
    expect(body).toContain(`Bearer ${h.token.slice(0, 4)}`);
    expect(body).not.toContain('<script>alert(1)');
    expect(body).toContain('Notes &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).toContain('object_not_found');
  });

  it('filters by status class and by integration, and refuses a malformed status', async () => {
    const failed = rowsOf(await (await jar.fetch('/requests?status=4xx')).text());
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain('404');
    const byName = await (
      await jar.fetch(`/requests?integration=${encodeURIComponent('Octavo Quickstart')}`)
    ).text();
    expect(rowsOf(byName)).toHaveLength(3);
    const none = await (await jar.fetch(`/requests?integration=${otherId}`)).text();
    expect(rowsOf(none)).toEqual([]);
    expect(none).toContain('No request matches.');
    const bad = await jar.fetch('/requests?status=abc');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('The status should be like 404 or 4xx.');
  });

  it('is linked from the home page, and each integration to its own requests', async () => {
    const home = await (await jar.fetch('/')).text();
    expect(home).toContain('href="/requests"');
    expect(home).toContain(`href="/requests?integration=${otherId}"`);
  });
});

it('is not there on a server that keeps no journal', async () => {
  const h = await startHarness('sqlite');
  try {
    const person = await newPerson(h);
    const jar = new Jar(h);
    await signInWith(jar, person.email, person.password);
    const res = await jar.fetch('/requests');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_request_url' });
    expect(await (await jar.fetch('/')).text()).not.toContain('href="/requests');
  } finally {
    await h.close();
  }
});
