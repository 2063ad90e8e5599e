/**
 * Invitation links over real HTTP on both engines (web/invitations.routes.ts, ops/invitations.ts):
 * only an admin makes and revokes them (session cookie plus X-Octavo-CSRF), the link is shown
 * once and stored hashed, the invitee sets name and password and is signed in, a link works once,
 * revoked and expired links open nothing, the form needs its CSRF token, and openings of bad links
 * are rate limited. The new person is read back through the official SDK.
 */
import { expect, it } from 'vitest';
import { sha256Hex } from '../../src/lib/crypto.ts';
import { createInvitation } from '../../src/ops/invitations.ts';
import { describeEngines } from '../helpers/engines.ts';
import { csrfOf, newPerson } from '../helpers/oauth.ts';
import { HttpJar, newSignedInPerson, signedInJar, useWebServer } from '../helpers/web-suite.ts';

interface Shown {
  id: string;
  email: string;
  role: string;
  status: string;
  url?: string;
}

describeEngines('Invitation links', (engine) => {
  const suite = useWebServer(engine);

  /** A new admin, signed in over HTTP. */
  async function newAdmin() {
    const { server } = suite;
    const person = await newPerson({ store: server.store });
    await server.store.transaction((tx) => tx.invitations.setRole(person.user.id, 'admin'));
    return { person, ...(await signedInJar(server.url, person)) };
  }

  const invite = (jar: HttpJar, csrf: string | undefined, body: unknown) =>
    jar.json('/app/api/invitations', { method: 'POST', csrf, body: JSON.stringify(body) });

  /** Opens the link in a fresh jar and submits the form. */
  async function accept(url: string, fields: Record<string, string>) {
    const jar = new HttpJar(suite.server.url);
    const path = new URL(url).pathname;
    const form = await jar.fetch(path);
    expect(form.status).toBe(200);
    const csrf = csrfOf(await form.text());
    return { jar, res: await jar.form(path, { csrf, ...fields }) };
  }

  it('lets only a signed-in admin with the CSRF header manage invitations, changing nothing otherwise', async () => {
    const { server } = suite;
    const stranger = new HttpJar(server.url);
    expect((await invite(stranger, 'x', { email: 'a@example.com' })).status).toBe(401);
    const member = await newSignedInPerson(server);
    const refused = await invite(member.jar, member.csrf, { email: 'a@example.com' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ object: 'error', code: 'restricted_resource' });
    expect((await member.jar.json('/app/api/members', { csrf: member.csrf })).status).toBe(403);
    const admin = await newAdmin();
    expect((await invite(admin.jar, undefined, { email: 'a@example.com' })).status).toBe(401);
    expect((await invite(admin.jar, `${admin.csrf}x`, { email: 'a@example.com' })).status).toBe(401);
    const bad = await invite(admin.jar, admin.csrf, { email: 'not an address' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'validation_error' });
    const taken = await invite(admin.jar, admin.csrf, { email: member.person.email });
    expect(taken.status).toBe(400);
    const wrongRole = await invite(admin.jar, admin.csrf, { email: 'a@example.com', role: 'owner' });
    expect(wrongRole.status).toBe(400);
    const list = (await (await admin.jar.json('/app/api/invitations', { csrf: admin.csrf })).json()) as {
      results: Shown[];
    };
    expect(list.results).toEqual([]);
  });

  it('makes a link shown once and stored hashed; the invitee joins, is signed in, and the link is spent', async () => {
    const { server, sdk } = suite;
    const admin = await newAdmin();
    const email = `newcomer-${engine}@example.com`;
    const res = await invite(admin.jar, admin.csrf, { email });
    expect(res.status).toBe(200);
    const made = (await res.json()) as Shown;
    expect(made).toMatchObject({ object: 'invitation', email, role: 'member', status: 'open' });
    const token = new URL(made.url!).pathname.split('/').at(-1)!;
    expect(made.url).toBe(`${server.url}/invite/${token}`);
    const row = await server.store.transaction((tx) => tx.invitations.get(made.id));
    expect(row!.token_hash).toBe(sha256Hex(token));
    expect(JSON.stringify(row)).not.toContain(token);
    const listed = await (await admin.jar.json('/app/api/invitations', { csrf: admin.csrf })).text();
    expect(listed).not.toContain(token);
    expect(JSON.parse(listed).results.map((i: Shown) => [i.email, i.status])).toEqual([[email, 'open']]);

    // The form needs its CSRF token; a short password or two different ones are refused.
    const path = `/invite/${token}`;
    const noCsrf = await new HttpJar(server.url).form(path, { name: 'X', password: 'long enough pw' });
    expect(noCsrf.status).toBe(403);
    const short = await accept(made.url!, { name: 'Grace', password: 'short', password2: 'short' });
    expect(short.res.status).toBe(400);
    const differ = await accept(made.url!, {
      name: 'Grace',
      password: 'long enough 1',
      password2: 'long enough 2',
    });
    expect(differ.res.status).toBe(400);
    expect(await server.store.transaction((tx) => tx.users.getByEmail(email))).toBeUndefined();

    const { jar, res: joined } = await accept(made.url!, {
      name: 'Grace Hopper',
      password: 'a long password',
      password2: 'a long password',
    });
    expect(joined.status).toBe(303);
    expect(joined.headers.get('location')).toBe('/app');
    const csrf = csrfOf(await (await jar.fetch('/sign-in')).text());
    const me = (await (await jar.json('/v1/users/me', { csrf, version: '2025-09-03' })).json()) as {
      id: string;
      name: string;
      type: string;
    };
    expect(me).toMatchObject({ name: 'Grace Hopper', type: 'person' });
    const users = await sdk.users.list({});
    expect(users.results.find((u) => u.id === me.id)).toMatchObject({
      type: 'person',
      name: 'Grace Hopper',
      person: { email },
    });
    // The password works for sign-in too.
    await signedInJar(server.url, { email, password: 'a long password' });

    // Used: the link opens nothing, and cannot make a second person.
    expect((await new HttpJar(server.url).fetch(path)).status).toBe(404);
    const again = await new HttpJar(server.url).fetch(path);
    expect(await again.text()).toContain('Invitation not valid');
    const after = (await (await admin.jar.json('/app/api/invitations', { csrf: admin.csrf })).json()) as {
      results: Shown[];
    };
    expect(after.results.find((i) => i.id === made.id)!.status).toBe('used');
    const members = (await (await admin.jar.json('/app/api/members', { csrf: admin.csrf })).json()) as {
      results: { id: string; role: string; can_sign_in: boolean }[];
    };
    expect(members.results.find((m) => m.id === me.id)).toMatchObject({ role: 'member', can_sign_in: true });
    expect(members.results.find((m) => m.id === admin.person.user.id)).toMatchObject({ role: 'admin' });
  });

  it('joins an admin invited as admin; revoked and expired links open nothing', async () => {
    const { server } = suite;
    const admin = await newAdmin();
    const made = (await (
      await invite(admin.jar, admin.csrf, { email: `boss-${engine}@example.com`, role: 'admin', days: 2 })
    ).json()) as Shown;
    const { jar, res } = await accept(made.url!, {
      name: 'Boss',
      password: 'a long password',
      password2: 'a long password',
    });
    expect(res.status).toBe(303);
    const csrf = csrfOf(await (await jar.fetch('/sign-in')).text());
    expect((await jar.json('/app/api/members', { csrf })).status).toBe(200);

    const revokedEmail = `revoked-${engine}@example.com`;
    const second = (await (await invite(admin.jar, admin.csrf, { email: revokedEmail })).json()) as Shown;
    expect((await invite(admin.jar, admin.csrf, { email: revokedEmail })).status).toBe(400);
    const revoked = await admin.jar.json(`/app/api/invitations/${second.id}/revoke`, {
      method: 'POST',
      csrf: admin.csrf,
    });
    expect(((await revoked.json()) as Shown).status).toBe('revoked');
    expect((await new HttpJar(server.url).fetch(new URL(second.url!).pathname)).status).toBe(404);
    const missing = await admin.jar.json('/app/api/invitations/nope/revoke', {
      method: 'POST',
      csrf: admin.csrf,
    });
    expect(missing.status).toBe(404);

    const old = await server.store.transaction((tx) =>
      createInvitation(tx, {
        email: `late-${engine}@example.com`,
        createdBy: null,
        now: new Date(Date.now() - 3 * 86_400_000),
        days: 1,
      }),
    );
    expect((await new HttpJar(server.url).fetch(`/invite/${old.token}`)).status).toBe(404);
  });

  it('rate limits openings of bad links for the whole server', async () => {
    const { server } = suite;
    const admin = await newAdmin();
    const good = (await (
      await invite(admin.jar, admin.csrf, { email: `later-${engine}@example.com` })
    ).json()) as Shown;
    // The earlier tests spent some of the budget (10 at once): bad links answer 404 until it is gone.
    const statuses: number[] = [];
    for (let i = 0; i < 11 && statuses.at(-1) !== 429; i++)
      statuses.push((await new HttpJar(server.url).fetch(`/invite/${'x'.repeat(43)}`)).status);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((s) => s === 404)).toBe(true);
    const locked = await new HttpJar(server.url).fetch(`/invite/${'y'.repeat(43)}`);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // While it is empty even a good link waits.
    expect((await new HttpJar(server.url).fetch(new URL(good.url!).pathname)).status).toBe(429);
  });
});
