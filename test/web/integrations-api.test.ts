/*
 * The browser app's workspace administration under /app/api (web/integrations.routes.ts), over
 * real HTTP on both engines: session cookie plus X-Octavo-CSRF required, the token shown once,
 * rotate, revoke, rename, change capabilities and delete as /v1 sees them (through the official
 * SDK), and a page's Connections.
 */
import { Client } from '@notionhq/client';
import { expect, it } from 'vitest';
import { createAdminPage } from '../../src/ops/workspace.ts';
import { describeEngines } from '../helpers/engines.ts';
import { HttpJar, newSignedInPerson, useWebServer } from '../helpers/web-suite.ts';

interface Shown {
  id: string;
  name: string;
  capabilities: string[];
  revoked_time: string | null;
  shared: { id: string; title: string }[];
  token?: string;
}

describeEngines('/app/api integrations and connections', (engine) => {
  const suite = useWebServer(engine);

  const call = (jar: HttpJar, path: string, init: RequestInit & { csrf?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.csrf !== undefined) headers.set('x-octavo-csrf', init.csrf);
    if (init.body) headers.set('content-type', 'application/json');
    return jar.fetch(`/app/api${path}`, { ...init, headers });
  };
  const sdk = (auth: string) => new Client({ auth, baseUrl: suite.server.url, notionVersion: '2025-09-03' });

  it('refuses the signed-out and a session without its CSRF header, changing nothing', async () => {
    const { server } = suite;
    const stranger = new HttpJar(server.url);
    const out = await call(stranger, '/integrations', {
      method: 'POST',
      csrf: 'x',
      body: JSON.stringify({ name: 'Nope' }),
    });
    expect(out.status).toBe(401);
    expect(await out.json()).toMatchObject({ object: 'error', code: 'unauthorized' });

    const { jar, csrf } = await newSignedInPerson(server, { admin: true });
    const noHeader = await call(jar, '/integrations', {
      method: 'POST',
      body: JSON.stringify({ name: 'Nope' }),
    });
    expect(noHeader.status).toBe(401);
    const wrong = await call(jar, '/integrations', {
      method: 'POST',
      csrf: `${csrf}x`,
      body: JSON.stringify({ name: 'Nope' }),
    });
    expect(wrong.status).toBe(401);
    expect((await call(jar, '/integrations')).status).toBe(401);
    const list = (await (await call(jar, '/integrations', { csrf })).json()) as { results: Shown[] };
    expect(list.results.map((i) => i.name)).not.toContain('Nope');

    const bad = await call(jar, '/integrations', {
      method: 'POST',
      csrf,
      body: JSON.stringify({ name: 'Bad', capabilities: ['fly'] }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'validation_error' });
  });

  it('creates with chosen capabilities, shows the token once, rotates and revokes it', async () => {
    const { server } = suite;
    const { jar, csrf } = await newSignedInPerson(server, { admin: true });
    const res = await call(jar, '/integrations', {
      method: 'POST',
      csrf,
      body: JSON.stringify({ name: `Reader ${engine}`, capabilities: ['read_content'] }),
    });
    expect(res.status).toBe(200);
    const made = (await res.json()) as Shown;
    expect(made.token).toMatch(/^ntn_/);
    expect(made.capabilities).toEqual(['read_content']);
    const me = await sdk(made.token!).users.me({});
    expect(me.type).toBe('bot');

    // The token is never shown again.
    const listed = (await (await call(jar, '/integrations', { csrf })).json()) as { results: Shown[] };
    const again = listed.results.find((i) => i.id === made.id)!;
    expect(again).toBeDefined();
    expect(again).not.toHaveProperty('token');
    expect(JSON.stringify(listed)).not.toContain(made.token!);

    const rotated = (await (
      await call(jar, `/integrations/${made.id}/rotate`, { method: 'POST', csrf })
    ).json()) as Shown;
    expect(rotated.token).toMatch(/^ntn_/);
    expect(rotated.token).not.toBe(made.token);
    await expect(sdk(made.token!).users.me({})).rejects.toMatchObject({ code: 'unauthorized' });
    expect((await sdk(rotated.token!).users.me({})).type).toBe('bot');

    const revoked = await call(jar, `/integrations/${made.id}/revoke`, { method: 'POST', csrf });
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as Shown).revoked_time).not.toBeNull();
    await expect(sdk(rotated.token!).users.me({})).rejects.toMatchObject({ code: 'unauthorized' });

    const missing = await call(jar, '/integrations/nope/rotate', { method: 'POST', csrf });
    expect(missing.status).toBe(404);
  });

  it('renames an integration (its bot user too) and deletes it: token refused, reach gone', async () => {
    const { server } = suite;
    const { jar, csrf } = await newSignedInPerson(server, { admin: true });
    const page = await server.store.transaction((tx) =>
      createAdminPage(tx, { title: `Reached ${engine}`, now: new Date().toISOString() }),
    );
    const made = (await (
      await call(jar, '/integrations', {
        method: 'POST',
        csrf,
        body: JSON.stringify({ name: `Old ${engine}` }),
      })
    ).json()) as Shown & { bot_user_id: string };
    await call(jar, `/pages/${page.id}/connections`, {
      method: 'POST',
      csrf,
      body: JSON.stringify({ integration_id: made.id }),
    });
    const client = sdk(made.token!);

    const renamed = await call(jar, `/integrations/${made.id}`, {
      method: 'PATCH',
      csrf,
      body: JSON.stringify({ name: `  New ${engine} ` }),
    });
    expect(renamed.status).toBe(200);
    const shown = (await renamed.json()) as Shown;
    expect(shown.name).toBe(`New ${engine}`);
    expect(shown.shared.map((s) => s.id)).toEqual([page.id]);
    // The bot user carries the name: /v1 reads it, for the integration and for others.
    const me = await client.users.me({});
    expect(me).toMatchObject({ id: made.bot_user_id, type: 'bot', name: `New ${engine}` });
    const others = await suite.sdk.users.list({});
    expect(others.results.find((u) => u.id === made.bot_user_id)?.name).toBe(`New ${engine}`);

    // A name taken by another integration, or empty, is refused and changes nothing.
    const taken = await call(jar, `/integrations/${made.id}`, {
      method: 'PATCH',
      csrf,
      body: JSON.stringify({ name: 'Octavo Quickstart' }),
    });
    expect(taken.status).toBe(400);
    expect(await taken.json()).toMatchObject({ code: 'validation_error' });
    const empty = await call(jar, `/integrations/${made.id}`, {
      method: 'PATCH',
      csrf,
      body: JSON.stringify({ name: '' }),
    });
    expect(empty.status).toBe(400);
    expect((await client.users.me({})).name).toBe(`New ${engine}`);

    const deleted = await call(jar, `/integrations/${made.id}`, { method: 'DELETE', csrf });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toMatchObject({ id: made.id, deleted: true, shared: [] });
    await expect(client.users.me({})).rejects.toMatchObject({ code: 'unauthorized' });
    const listed = (await (await call(jar, '/integrations', { csrf })).json()) as { results: Shown[] };
    expect(listed.results.map((i) => i.id)).not.toContain(made.id);
    const connections = (await (await call(jar, `/pages/${page.id}/connections`, { csrf })).json()) as {
      results: Shown[];
    };
    expect(connections.results).toEqual([]);
    expect((await call(jar, `/integrations/${made.id}`, { method: 'DELETE', csrf })).status).toBe(404);
    expect(
      (await call(jar, `/integrations/${made.id}`, { method: 'PATCH', csrf, body: '{"name":"x"}' })).status,
    ).toBe(404);
  });

  it("changes an integration's capabilities, in force for its token at once", async () => {
    const { server } = suite;
    const { jar, csrf } = await newSignedInPerson(server, { admin: true });
    const page = await server.store.transaction((tx) =>
      createAdminPage(tx, { title: `Inbox ${engine}`, now: new Date().toISOString() }),
    );
    const made = (await (
      await call(jar, '/integrations', {
        method: 'POST',
        csrf,
        body: JSON.stringify({
          name: `Writer ${engine}`,
          capabilities: ['read_content', 'update_content', 'insert_content'],
        }),
      })
    ).json()) as Shown;
    await call(jar, `/pages/${page.id}/connections`, {
      method: 'POST',
      csrf,
      body: JSON.stringify({ integration_id: made.id }),
    });
    const client = sdk(made.token!);
    const create = () =>
      client.pages.create({
        parent: { page_id: page.id },
        properties: { title: { title: [{ text: { content: 'Note' } }] } },
      });
    expect((await create()).object).toBe('page');

    const changed = await call(jar, `/integrations/${made.id}`, {
      method: 'PATCH',
      csrf,
      body: JSON.stringify({ capabilities: ['read_content', 'update_content'] }),
    });
    expect(changed.status).toBe(200);
    const shown = (await changed.json()) as Shown;
    expect(shown).not.toHaveProperty('token');
    expect(shown).toMatchObject({
      id: made.id,
      name: `Writer ${engine}`,
      capabilities: ['read_content', 'update_content'],
      shared: [{ id: page.id }],
    });
    // The same token, refused at once with the error /v1 gives for a missing capability.
    await expect(create()).rejects.toMatchObject({
      status: 403,
      code: 'restricted_resource',
      message: 'Insufficient permissions for this endpoint.',
    });
    expect((await client.pages.retrieve({ page_id: page.id })).id).toBe(page.id);

    // Unknown capability or an empty body: 400, nothing changed; back again: allowed again.
    for (const body of [{ capabilities: ['fly'] }, {}, { capabilities: 'read_content' }]) {
      const bad = await call(jar, `/integrations/${made.id}`, {
        method: 'PATCH',
        csrf,
        body: JSON.stringify(body),
      });
      expect({ body, status: bad.status }).toEqual({ body, status: 400 });
      expect(await bad.json()).toMatchObject({ code: 'validation_error' });
    }
    const listed = (await (await call(jar, '/integrations', { csrf })).json()) as { results: Shown[] };
    expect(listed.results.find((i) => i.id === made.id)!.capabilities).toEqual([
      'read_content',
      'update_content',
    ]);
    await call(jar, `/integrations/${made.id}`, {
      method: 'PATCH',
      csrf,
      body: JSON.stringify({ capabilities: ['insert_content', 'read_content'] }),
    });
    expect((await create()).object).toBe('page');
    await expect(
      client.pages.update({ page_id: page.id, properties: { title: { title: [] } } }),
    ).rejects.toMatchObject({ code: 'restricted_resource' });
  });

  it("shares and unshares a page through its Connections, and lists each integration's reach", async () => {
    const { server } = suite;
    const { jar, csrf } = await newSignedInPerson(server, { admin: true });
    const page = await server.store.transaction((tx) =>
      createAdminPage(tx, { title: `Plans ${engine}`, now: new Date().toISOString() }),
    );
    const made = (await (
      await call(jar, '/integrations', {
        method: 'POST',
        csrf,
        body: JSON.stringify({ name: `Linker ${engine}` }),
      })
    ).json()) as Shown;
    const client = sdk(made.token!);
    await expect(client.pages.retrieve({ page_id: page.id })).rejects.toMatchObject({
      code: 'object_not_found',
    });

    const shared = await call(jar, `/pages/${page.id}/connections`, {
      method: 'POST',
      csrf,
      body: JSON.stringify({ integration_id: made.id }),
    });
    expect(shared.status).toBe(200);
    expect(((await shared.json()) as Shown).shared).toEqual([
      { id: page.id, type: 'page', title: `Plans ${engine}` },
    ]);
    expect((await client.pages.retrieve({ page_id: page.id })).id).toBe(page.id);
    const connections = (await (await call(jar, `/pages/${page.id}/connections`, { csrf })).json()) as {
      results: Shown[];
    };
    expect(connections.results.map((i) => i.id)).toEqual([made.id]);
    const listed = (await (await call(jar, '/integrations', { csrf })).json()) as { results: Shown[] };
    expect(listed.results.find((i) => i.id === made.id)!.shared.map((s) => s.id)).toEqual([page.id]);

    const noCsrf = await call(jar, `/pages/${page.id}/connections/${made.id}`, { method: 'DELETE' });
    expect(noCsrf.status).toBe(401);
    const unshared = await call(jar, `/pages/${page.id}/connections/${made.id}`, { method: 'DELETE', csrf });
    expect(unshared.status).toBe(200);
    expect(((await unshared.json()) as Shown).shared).toEqual([]);
    await expect(client.pages.retrieve({ page_id: page.id })).rejects.toMatchObject({
      code: 'object_not_found',
    });

    const unknownPage = await call(jar, '/pages/00000000-0000-4000-8000-000000000000/connections', {
      method: 'POST',
      csrf,
      body: JSON.stringify({ integration_id: made.id }),
    });
    expect(unknownPage.status).toBe(404);
  });
});
