/**
 * Bearer auth remembers what each token stands for (ops/integrations.ts `tokenActors`), so these
 * tests pin that nothing remembered outlives a change, wherever the change is made: two apps on
 * one database, each with its own store (SQLite: two connections to one file, as the command line
 * beside a running server; Postgres: two pools on one schema, as two server nodes). Each token is
 * used on the second app first, so it is remembered there, then changed through the first app's
 * store, and the second app's very next request must see the change. Also: a snapshot restored
 * in place brings back the tokens of its time and forgets the ones made after it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { DEFAULT_MAX_FILE_UPLOAD_BYTES } from '../../src/config.ts';
import {
  createIntegration,
  deleteIntegration,
  revokeIntegration,
  rotateIntegrationToken,
  sharePage,
  updateIntegration,
} from '../../src/ops/integrations.ts';
import { type BootstrapResult, bootstrap } from '../../src/ops/workspace.ts';
import { dropPostgresSchema, openStore } from '../../src/store/connect.ts';
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import type { StoreTx } from '../../src/store/store.ts';
import { describeEngines, PG_URL } from '../helpers/engines.ts';
import { BASE_URL } from '../helpers/harness.ts';

type ApiFailure = { code: string; status: number };

describeEngines('token changes seen by another app on the same database', (engine) => {
  let where: string;
  const stores: KyselyStore[] = [];
  let boot: BootstrapResult;
  let appOf: ReturnType<typeof createApp>[];
  const now = () => new Date().toISOString();
  /** A change made through the first app's store (the other node, or the command line). */
  const elsewhere = <T>(fn: (tx: StoreTx) => Promise<T>) => stores[0]!.transaction(fn);

  beforeAll(async () => {
    where =
      engine === 'sqlite'
        ? mkdtempSync(join(tmpdir(), 'octavo-auth-nodes-'))
        : `auth_nodes_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const open = () =>
      engine === 'sqlite'
        ? openStore({ dataDir: where })
        : openStore({ databaseUrl: PG_URL, pgSchema: where });
    stores.push(await open());
    boot = await stores[0]!.transaction((tx) => bootstrap(tx, now()));
    stores.push(await open());
    appOf = stores.map((store) =>
      createApp({
        store,
        publicUrl: BASE_URL,
        workspace: boot.workspace,
        rateLimiter: null,
        files: {
          maxBytes: DEFAULT_MAX_FILE_UPLOAD_BYTES,
          allowPrivateImports: false,
          urlSecret: boot.fileUrlSecret,
        },
      }),
    );
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    if (engine === 'postgres') await dropPostgresSchema(PG_URL, where);
    else rmSync(where, { recursive: true, force: true });
  });

  /** The official SDK talking to app `n` in process. */
  const client = (n: number, token: string) =>
    new Client({
      auth: token,
      baseUrl: BASE_URL,
      fetch: ((url: string | URL | Request, init?: RequestInit) =>
        Promise.resolve(appOf[n]!.request(url instanceof Request ? url : String(url), init))) as typeof fetch,
      logLevel: 'error' as never,
      retry: false,
    } as ConstructorParameters<typeof Client>[0]);
  const status = (p: Promise<unknown>) =>
    p.then(
      () => 200,
      (e) => (e as ApiFailure).status,
    );
  /** A new integration sharing the quickstart page, known to app 1 (two requests there). */
  async function remembered(name: string) {
    const { token } = await elsewhere((tx) =>
      createIntegration(tx, { name, capabilities: ['read_content', 'insert_content'], now: now() }),
    );
    await elsewhere((tx) =>
      sharePage(tx, { pageId: boot.created!.pageId, integrationName: name, now: now() }),
    );
    const sdk = client(1, token);
    for (let i = 0; i < 2; i++) expect((await sdk.users.me({})).name).toBe(name);
    return { token, sdk };
  }

  it('refuses a token revoked elsewhere on the very next request', async () => {
    const { sdk } = await remembered('Revoked elsewhere');
    await elsewhere((tx) => revokeIntegration(tx, { name: 'Revoked elsewhere', now: now() }));
    expect(await status(sdk.users.me({}))).toBe(401);
    expect(await status(sdk.users.me({}))).toBe(401);
  });

  it('refuses the old token once rotated elsewhere, and takes the new one at once', async () => {
    const { sdk } = await remembered('Rotated elsewhere');
    const { token } = await elsewhere((tx) => rotateIntegrationToken(tx, { name: 'Rotated elsewhere' }));
    expect(await status(sdk.users.me({}))).toBe(401);
    expect((await client(1, token).users.me({})).name).toBe('Rotated elsewhere');
  });

  it('refuses a token deleted elsewhere', async () => {
    const { sdk } = await remembered('Deleted elsewhere');
    await elsewhere((tx) => deleteIntegration(tx, { name: 'Deleted elsewhere' }));
    expect(await status(sdk.users.me({}))).toBe(401);
  });

  it('applies capabilities and a name changed elsewhere on the next request', async () => {
    const { sdk } = await remembered('Narrowed elsewhere');
    const pageId = boot.created!.pageId;
    const create = () =>
      sdk.pages.create({
        parent: { page_id: pageId },
        properties: { title: { title: [{ text: { content: 'Child' } }] } },
      });
    expect(await status(create())).toBe(200);
    await elsewhere((tx) =>
      updateIntegration(tx, { name: 'Narrowed elsewhere', capabilities: ['read_content'] }),
    );
    expect(await status(create())).toBe(403);
    expect((await sdk.pages.retrieve({ page_id: pageId })).id).toBe(pageId);
    await elsewhere((tx) =>
      updateIntegration(tx, { name: 'Narrowed elsewhere', newName: 'Renamed elsewhere' }),
    );
    expect((await sdk.users.me({})).name).toBe('Renamed elsewhere');
  });

  // Postgres confirms a remembered token inside the page read's own statement (bearerAuth's
  // deferred look-up, `confirmingToken`): every way that statement can go must still see a change.
  it('reading a page: refuses a token revoked elsewhere at once, whatever the page read would answer', async () => {
    const { sdk } = await remembered('Revoked while reading');
    const pageId = boot.created!.pageId;
    expect((await sdk.pages.retrieve({ page_id: pageId })).id).toBe(pageId);
    await elsewhere((tx) => revokeIntegration(tx, { name: 'Revoked while reading', now: now() }));
    expect(await status(sdk.pages.retrieve({ page_id: pageId }))).toBe(401);
    expect(await status(sdk.pages.retrieve({ page_id: pageId }))).toBe(401);
    // No such page, and an id that is not one: still the token first.
    expect(await status(sdk.pages.retrieve({ page_id: '0190f5a4-0000-7000-8000-000000000000' }))).toBe(401);
    expect(await status(sdk.pages.retrieve({ page_id: 'not-an-id' }))).toBe(401);
  });

  it('reading a page: applies capabilities and a name changed elsewhere on the next request', async () => {
    const { sdk } = await remembered('Changed while reading');
    const pageId = boot.created!.pageId;
    const missing = '0190f5a4-0000-7000-8000-000000000000';
    expect((await sdk.pages.retrieve({ page_id: pageId })).id).toBe(pageId);
    await elsewhere((tx) =>
      updateIntegration(tx, { name: 'Changed while reading', capabilities: ['insert_content'] }),
    );
    expect(await status(sdk.pages.retrieve({ page_id: pageId }))).toBe(403);
    // Given back: the remembered actor (without it) refuses, the token's row now allows.
    await elsewhere((tx) =>
      updateIntegration(tx, { name: 'Changed while reading', capabilities: ['read_content'] }),
    );
    expect((await sdk.pages.retrieve({ page_id: pageId })).id).toBe(pageId);
    // The not-found message names the integration: the name of now, for a page that is not there.
    await elsewhere((tx) =>
      updateIntegration(tx, { name: 'Changed while reading', newName: 'Renamed while reading' }),
    );
    const failure = await sdk.pages
      .retrieve({ page_id: missing })
      .catch((e: unknown) => e as { message: string });
    expect((failure as { message: string }).message).toContain('"Renamed while reading"');
  });

  it('querying a data source: refuses a token revoked elsewhere at once, applies capabilities changed there', async () => {
    const db = (await client(0, boot.created!.token).databases.create({
      parent: { type: 'page_id', page_id: boot.created!.pageId },
      title: [{ text: { content: 'Queried elsewhere' } }],
      initial_data_source: { properties: { Name: { title: {} } } },
    })) as { data_sources: { id: string }[] };
    const dataSourceId = db.data_sources[0]!.id;
    const query = (sdk: Client, id = dataSourceId) => sdk.dataSources.query({ data_source_id: id });
    const narrowed = await remembered('Narrowed while querying');
    expect((await query(narrowed.sdk)).object).toBe('list');
    await elsewhere((tx) =>
      updateIntegration(tx, { name: 'Narrowed while querying', capabilities: ['insert_content'] }),
    );
    expect(await status(query(narrowed.sdk))).toBe(403);
    const revoked = await remembered('Revoked while querying');
    expect((await query(revoked.sdk)).object).toBe('list');
    await elsewhere((tx) => revokeIntegration(tx, { name: 'Revoked while querying', now: now() }));
    expect(await status(query(revoked.sdk))).toBe(401);
    // No such data source, and a body the query refuses: still the token first.
    expect(await status(query(revoked.sdk, '0190f5a4-0000-7000-8000-000000000000'))).toBe(401);
    expect(
      await status(revoked.sdk.dataSources.query({ data_source_id: dataSourceId, page_size: 1000 })),
    ).toBe(401);
  });

  // Last: on SQLite the restore replaces the database file, which no other connection may hold.
  it('after a snapshot restore, accepts the tokens of its time and refuses those made after it', async () => {
    const { token: before } = await remembered('Before the snapshot');
    if (engine === 'sqlite') await stores.shift()!.close();
    const store = stores.at(-1)!;
    await store.snapshots.save('auth', now());
    const { token: rotated } = await store.transaction((tx) =>
      rotateIntegrationToken(tx, { name: 'Before the snapshot' }),
    );
    const after = client(1, rotated);
    expect((await after.users.me({})).name).toBe('Before the snapshot');
    expect(await status(client(1, before).users.me({}))).toBe(401);
    // Restored through the app that remembers the rotated token.
    expect(await store.snapshots.restore('auth')).toBe(true);
    expect(await status(after.users.me({}))).toBe(401);
    expect((await client(1, before).users.me({})).name).toBe('Before the snapshot');
    await store.snapshots.delete('auth');
  });
});
