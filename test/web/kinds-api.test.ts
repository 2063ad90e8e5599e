/*
 * `GET /app/api/kinds/{id}` (web/kinds.routes.ts), over real HTTP on both engines: what an id
 * names for the signed-in person (page with its page object, database, data source), 404 for what
 * names nothing the app opens, the /app/api door (session cookie plus X-Octavo-CSRF; a bearer
 * token is not a way in), and, at the operation (ops/object-kind.ts), that an integration asking
 * about what is not shared with it learns exactly what it would of an id that does not exist.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { ALL_CAPABILITIES } from '../../src/domain/capabilities.ts';
import type { OpEnv } from '../../src/ops/env.ts';
import { createIntegration } from '../../src/ops/integrations.ts';
import { namedObject } from '../../src/ops/object-kind.ts';
import { createAdminPage } from '../../src/ops/workspace.ts';
import { describeEngines } from '../helpers/engines.ts';
import { HttpJar, newSignedInPerson, useWebServer } from '../helpers/web-suite.ts';

const rt = (content: string) => [{ type: 'text' as const, text: { content } }];

describeEngines('GET /app/api/kinds/{id}', (engine) => {
  const suite = useWebServer(engine);

  /** A page (with a paragraph), a database with one data source and a row, made through the SDK. */
  async function content() {
    const sdk = suite.sdk;
    const target = await sdk.pages.create({
      parent: { page_id: suite.rootPageId },
      properties: { title: { title: rt('Target') } },
    });
    const page = await sdk.pages.create({
      parent: { page_id: suite.rootPageId },
      // A mention in the title, of a page renamed since: shown with its current title, as on /v1.
      properties: {
        title: { title: [...rt(`Kinds ${engine} under `), { mention: { page: { id: target.id } } }] },
      },
      children: [{ paragraph: { rich_text: rt('a block') } }],
    });
    await sdk.pages.update({ page_id: target.id, properties: { title: { title: rt('Renamed') } } });
    const paragraph = (await sdk.blocks.children.list({ block_id: page.id })).results[0]!.id;
    const db = (await sdk.databases.create({
      parent: { type: 'page_id', page_id: page.id },
      title: rt('Tasks'),
      initial_data_source: { properties: { Name: { title: {} }, Score: { number: {} } } },
    } as never)) as unknown as { id: string; data_sources: { id: string }[] };
    const dataSource = db.data_sources[0]!.id;
    const row = await sdk.pages.create({
      parent: { type: 'data_source_id', data_source_id: dataSource },
      properties: { Name: { title: rt('First') }, Score: { number: 3 } },
    } as never);
    return { page: page.id, paragraph, database: db.id, dataSource, row: row.id };
  }

  it('names a page (with the page object /v1 answers the person), a database and a data source', async () => {
    const ids = await content();
    // A member, not an admin: the kind of an id is for every signed-in person.
    const { call } = await newSignedInPerson(suite.server);
    for (const id of [ids.page, ids.row]) {
      const named = await call<{ object: string; id: string; kind: string; page: Record<string, unknown> }>(
        'GET',
        `/app/api/kinds/${id}`,
      );
      expect(named.status).toBe(200);
      expect(named.json).toMatchObject({ object: 'kind', id, kind: 'page' });
      const { request_id: _, ...fromV1 } = (await call('GET', `/v1/pages/${id}`)).json;
      expect(named.json.page).toEqual(fromV1);
    }
    const title = (
      await call<{ page: { properties: { title: { title: { plain_text: string }[] } } } }>(
        'GET',
        `/app/api/kinds/${ids.page}`,
      )
    ).json.page.properties.title.title;
    expect(title.map((t) => t.plain_text).join('')).toBe(`Kinds ${engine} under Renamed`);
    expect((await call('GET', `/app/api/kinds/${ids.database}`)).json).toEqual({
      object: 'kind',
      id: ids.database,
      kind: 'database',
    });
    // Undashed, as in the app's addresses.
    expect((await call('GET', `/app/api/kinds/${ids.dataSource.replaceAll('-', '')}`)).json).toEqual({
      object: 'kind',
      id: ids.dataSource,
      kind: 'data_source',
    });
  });

  it('presents the page at the Notion-Version the request names', async () => {
    const ids = await content();
    const { jar, csrf } = await newSignedInPerson(suite.server);
    const old = await jar.json(`/app/api/kinds/${ids.page}`, { csrf, version: '2022-06-28' });
    const body = (await old.json()) as { page: { archived?: boolean; in_trash: boolean } };
    expect(body.page.archived).toBe(false);
    const current = await jar.json(`/app/api/kinds/${ids.page}`, { csrf, version: '2026-03-11' });
    const { page } = (await current.json()) as { page: object };
    expect(page).toHaveProperty('in_trash', false);
    expect(page).not.toHaveProperty('archived');
  });

  it('answers object_not_found for a content block and an unknown id, and 400 for a malformed one', async () => {
    const ids = await content();
    const { call } = await newSignedInPerson(suite.server);
    const missing = randomUUID();
    for (const id of [ids.paragraph, missing]) {
      const res = await call('GET', `/app/api/kinds/${id}`);
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({
        object: 'error',
        code: 'object_not_found',
        message: expect.stringMatching(new RegExp(`^Could not find page with ID: ${id}\\.`)),
      });
    }
    const bad = await call('GET', '/app/api/kinds/not-an-id');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: 'validation_error' });
  });

  it('refuses without a session, without its CSRF header, and to a bearer token', async () => {
    const ids = await content();
    const path = `/app/api/kinds/${ids.page}`;
    const stranger = new HttpJar(suite.server.url);
    const out = await stranger.json(path, { csrf: 'x', version: '2025-09-03' });
    expect(out.status).toBe(401);
    expect(await out.json()).toMatchObject({ object: 'error', code: 'unauthorized' });
    const bearer = await stranger.json(path, {
      version: '2025-09-03',
      headers: { authorization: `Bearer ${suite.server.boot.created!.token}` },
    });
    expect(bearer.status).toBe(401);
    const { jar } = await newSignedInPerson(suite.server);
    expect((await jar.json(path, { version: '2025-09-03' })).status).toBe(401);
  });

  it('tells an integration nothing of what is not shared with it: the answer of an unknown id', async () => {
    const ids = await content();
    const store = suite.server.store;
    const now = new Date().toISOString();
    const hidden = await store.transaction((tx) => createAdminPage(tx, { title: 'Hidden', now }));
    const { integration } = await store.transaction((tx) =>
      createIntegration(tx, { name: `Outsider ${engine}`, capabilities: ALL_CAPABILITIES, now }),
    );
    const env = (integrationId: string, botUserId: string): OpEnv => ({
      actor: { integrationId, integrationName: 'x', botUserId, capabilities: new Set(ALL_CAPABILITIES) },
      now,
      publicUrl: suite.server.url,
    });
    const outsider = env(integration.id, integration.bot_user_id);
    const ask = (e: OpEnv, id: string) =>
      store
        .read((tx) => namedObject(tx, e, id))
        .then(
          (named) => ({ kind: named.kind }),
          (err: { code: string; message: string }) => ({ code: err.code, message: err.message }),
        );
    const missing = randomUUID();
    const unknown = await ask(outsider, missing);
    expect(unknown).toEqual({
      code: 'object_not_found',
      message: `Could not find page with ID: ${missing}.`,
    });
    // Nothing of the workspace is shared with it: each kind reads as that unknown id.
    for (const id of [hidden.id, ids.page, ids.database, ids.dataSource, ids.row]) {
      expect(await ask(outsider, id)).toEqual({
        code: 'object_not_found',
        message: `Could not find page with ID: ${id}.`,
      });
    }
    // The quickstart integration, which the content is shared with (through the root page), is told.
    const quickstart = await store.transaction(async (tx) => {
      const me = (await tx.integrations.getByName('Octavo Quickstart'))!;
      return env(me.id, me.bot_user_id);
    });
    expect(await ask(quickstart, ids.page)).toEqual({ kind: 'page' });
    expect(await ask(quickstart, ids.dataSource)).toEqual({ kind: 'data_source' });
    expect(await ask(quickstart, hidden.id)).toMatchObject({ code: 'object_not_found' });
  });
});
