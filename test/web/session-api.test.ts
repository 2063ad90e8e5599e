/*
 * The browser app's access to /v1 as a signed-in workspace member, over real HTTP: the session
 * cookie plus the session's CSRF token in `X-Octavo-CSRF` act as the person (every page, every
 * capability, writes authored by them); a cookie without the header, or a signed-out session,
 * is refused with Notion's 401. Bearer tokens behave as before.
 */
import { Client } from '@notionhq/client';
import { expect, it } from 'vitest';
import { START_CURSOR } from '../../src/events/cursor.ts';
import { sharePage } from '../../src/ops/integrations.ts';
import { createAdminPage } from '../../src/ops/workspace.ts';
import { describeEngines, eventsReadable } from '../helpers/engines.ts';
import { type HttpJar, newSignedInPerson, useWebServer } from '../helpers/web-suite.ts';

const V = '2025-09-03';

describeEngines('The /v1 API as a signed-in person', (engine) => {
  const suite = useWebServer(engine);

  const api = (jar: HttpJar, path: string, init: RequestInit & { csrf?: string } = {}) => {
    const headers = new Headers(init.headers);
    headers.set('notion-version', V);
    if (init.csrf !== undefined) headers.set('x-octavo-csrf', init.csrf);
    if (init.body) headers.set('content-type', 'application/json');
    return jar.fetch(`/v1${path}`, { ...init, headers });
  };

  it('sees pages shared with no integration, and writes as the person', async () => {
    const { server } = suite;
    const { person, jar, csrf } = await newSignedInPerson(server);
    const hidden = await server.store.transaction((tx) =>
      createAdminPage(tx, { title: 'Shared with nobody', now: new Date().toISOString() }),
    );

    const me = await api(jar, '/users/me', { csrf });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ object: 'user', id: person.user.id, type: 'person' });

    const got = await api(jar, `/pages/${hidden.id}`, { csrf });
    expect(got.status).toBe(200);
    const search = await api(jar, '/search', {
      method: 'POST',
      csrf,
      body: JSON.stringify({ query: 'Shared with nobody' }),
    });
    const found = (await search.json()) as { results: { id: string }[] };
    expect(found.results.map((r) => r.id)).toContain(hidden.id);

    const created = await api(jar, '/pages', {
      method: 'POST',
      csrf,
      body: JSON.stringify({
        parent: { page_id: hidden.id },
        properties: { title: { title: [{ text: { content: 'Written in the browser' } }] } },
      }),
    });
    expect(created.status).toBe(200);
    const { id } = (await created.json()) as { id: string };
    const appended = await api(jar, `/blocks/${id}/children`, {
      method: 'PATCH',
      csrf,
      body: JSON.stringify({ children: [{ paragraph: { rich_text: [{ text: { content: 'Hello' } }] } }] }),
    });
    expect(appended.status).toBe(200);

    // Read back through the official SDK with the quickstart integration's token, once shared.
    const sdk = new Client({ baseUrl: server.url, auth: server.boot.created!.token, notionVersion: V });
    const bot = await sdk.users.me({});
    await expect(sdk.pages.retrieve({ page_id: id })).rejects.toMatchObject({ code: 'object_not_found' });
    await server.store.transaction((tx) =>
      sharePage(tx, { pageId: hidden.id, integrationName: bot.name!, now: new Date().toISOString() }),
    );
    const page = (await sdk.pages.retrieve({ page_id: id })) as {
      created_by: { id: string; object: string };
      last_edited_by: { id: string };
    };
    expect(page.created_by).toEqual({ object: 'user', id: person.user.id });
    expect(page.last_edited_by.id).toBe(person.user.id);
    const children = await sdk.blocks.children.list({ block_id: id });
    const block = children.results[0] as { type: string; created_by: { id: string } };
    expect(block.type).toBe('paragraph');
    expect(block.created_by.id).toBe(person.user.id);

    // The change events (which webhooks and automations read) are the person's.
    await eventsReadable(engine, server.store.db);
    const { events } = await server.store.transaction((tx) => tx.events.readAfter(START_CURSOR, 100_000));
    const made = events.find((e) => e.type === 'page.created' && e.entity.id === id);
    expect(made?.authors).toEqual([{ id: person.user.id, type: 'person' }]);
    expect(made?.integrationId).toBeNull();
    const edited = events.filter((e) => e.entity.id === id && e.type === 'page.content_updated');
    expect(edited.length).toBeGreaterThan(0);
    expect(edited.every((e) => e.authors.some((a) => a.id === person.user.id && a.type === 'person'))).toBe(
      true,
    );
  });

  it('creates workspace-level pages as the person; an integration still cannot', async () => {
    const { server } = suite;
    const { jar, csrf } = await newSignedInPerson(server);
    const body = JSON.stringify({
      parent: { workspace: true },
      properties: { title: { title: [{ text: { content: 'Top of the workspace' } }] } },
    });
    const res = await api(jar, '/pages', { method: 'POST', csrf, body });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ parent: { type: 'workspace', workspace: true } });
    const bot = await fetch(`${server.url}/v1/pages`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.boot.created!.token}`,
        'notion-version': V,
        'content-type': 'application/json',
      },
      body,
    });
    expect(bot.status).toBe(400);
    expect(((await bot.json()) as { code: string }).code).toBe('validation_error');
  });

  it('refuses the cookie without the CSRF header, with a wrong one, and after sign-out', async () => {
    const { server } = suite;
    const { jar, csrf } = await newSignedInPerson(server);
    const shape = async (res: Response) => {
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ object: 'error', status: 401, code: 'unauthorized' });
    };
    await shape(await api(jar, '/users/me'));
    await shape(await api(jar, '/users/me', { csrf: `${csrf}x` }));
    await shape(
      await api(jar, '/pages', {
        method: 'POST',
        body: JSON.stringify({
          parent: { page_id: server.boot.created!.pageId },
          properties: { title: { title: [{ text: { content: 'Forged' } }] } },
        }),
      }),
    );
    expect((await api(jar, '/users/me', { csrf })).status).toBe(200);

    const session = jar.cookies.get('octavo_session')!;
    expect((await jar.form('/sign-out', { csrf })).status).toBe(303);
    jar.cookies.set('octavo_session', session);
    await shape(await api(jar, '/users/me', { csrf }));
  });

  it('keeps bearer behaviour: a bad token is refused even with a valid session', async () => {
    const { server } = suite;
    const { jar, csrf } = await newSignedInPerson(server);
    const res = await api(jar, '/users/me', { csrf, headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    const bot = await api(jar, '/users/me', {
      csrf,
      headers: { authorization: `Bearer ${server.boot.created!.token}` },
    });
    expect(((await bot.json()) as { type: string }).type).toBe('bot');
  });
});
