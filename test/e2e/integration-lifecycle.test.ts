/**
 * Changing integrations while `octavo serve` runs: the CLI (another process, the same storage)
 * revokes, rotates, narrows and deletes, and the server refuses or accepts accordingly on the
 * very next request — no waiting for anything to expire.
 */
import { Client, type PageObjectResponse } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { runCli, runCliJson, type ServeProcess, startServe, storageFor } from './cli-process.ts';

type ApiFailure = { code: string; status: number };
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e) => e as ApiFailure,
  );
const title = (content: string) => ({ title: { title: [{ text: { content } }] } });

describeEngines('integrations changed by the CLI while the server runs', (engine) => {
  let storage: ReturnType<typeof storageFor>;
  let server: ServeProcess;
  const client = (auth: string) => new Client({ auth, baseUrl: server.url, logLevel: 'error' as never });
  const cli = <T = Record<string, unknown>>(args: string[]) =>
    runCliJson<T>(args.concat(storage.args), storage.env);
  /** A new integration and a page the CLI made and shared with it (and with the quickstart). */
  async function integrationWithPage(name: string) {
    const made = await cli<{ token: string }>(['integration', 'create', '--name', name]);
    const page = await cli<{ id: string }>([
      'page',
      'create',
      '--title',
      `${name}'s page`,
      '--share',
      name,
      '--share',
      'Octavo Quickstart',
    ]);
    return { token: made.token, bot: client(made.token), pageId: page.id };
  }

  beforeAll(async () => {
    storage = storageFor(engine);
    server = await startServe(['--port', '0', '--rate-limit', 'off', ...storage.args], storage.env);
  });
  afterAll(async () => {
    await server?.stop();
    await storage?.cleanup();
  });

  it('refuses a revoked token on the next request (401) and accepts the rotated one at once', async () => {
    const { token, bot, pageId } = await integrationWithPage('Revocable');
    expect((await bot.pages.retrieve({ page_id: pageId })).id).toBe(pageId);

    const revoked = await cli(['integration', 'revoke', 'Revocable']);
    expect(revoked.revoked_time).toEqual(expect.any(String));
    expect(await failure(bot.pages.retrieve({ page_id: pageId }))).toMatchObject({
      status: 401,
      code: 'unauthorized',
    });

    const rotated = await cli<{ token: string; revoked_time: null }>(['integration', 'rotate', 'Revocable']);
    expect(rotated.token).toMatch(/^ntn_\w{46}$/);
    expect(rotated.token).not.toBe(token);
    expect(rotated.revoked_time).toBeNull();
    expect(await failure(bot.pages.retrieve({ page_id: pageId }))).toMatchObject({ code: 'unauthorized' });
    // The shares stayed through the revocation.
    expect((await client(rotated.token).pages.retrieve({ page_id: pageId })).id).toBe(pageId);

    // Rotating a working token stops it just as fast.
    const again = await cli<{ token: string }>(['integration', 'rotate', 'Revocable']);
    expect(await failure(client(rotated.token).users.me({}))).toMatchObject({ code: 'unauthorized' });
    expect((await client(again.token).users.me({})).name).toBe('Revocable');
  });

  it('applies reduced capabilities on the next request (403 restricted_resource), then wider ones', async () => {
    const { bot, pageId } = await integrationWithPage('Narrowed');
    const create = () => bot.pages.create({ parent: { page_id: pageId }, properties: title('Child') });
    expect((await create()).object).toBe('page');

    await cli(['integration', 'update', 'Narrowed', '--capabilities', 'read_content']);
    expect(await failure(create())).toMatchObject({ status: 403, code: 'restricted_resource' });
    expect((await bot.pages.retrieve({ page_id: pageId })).id).toBe(pageId);

    const renamed = await cli([
      'integration',
      'update',
      'Narrowed',
      '--name',
      'Widened',
      '--capabilities',
      'all',
    ]);
    expect(renamed).toMatchObject({
      name: 'Widened',
      capabilities: expect.arrayContaining(['insert_content']),
    });
    expect((await create()).object).toBe('page');
    expect((await bot.users.me({})).name).toBe('Widened');
  });

  it('deletes an integration: its token sees nothing, its bot stays the author of its pages', async () => {
    const { bot, pageId } = await integrationWithPage('Departing');
    const me = await bot.users.me({});
    const written = await bot.pages.create({ parent: { page_id: pageId }, properties: title('Written') });

    const deleted = await cli(['integration', 'delete', 'Departing']);
    expect(deleted).toMatchObject({ name: 'Departing', bot_user_id: me.id, deleted: true });
    for (const id of [pageId, written.id])
      expect(await failure(bot.pages.retrieve({ page_id: id }))).toMatchObject({ code: 'unauthorized' });
    const listed = await cli<{ integrations: { name: string }[] }>(['integration', 'list']);
    expect(listed.integrations.map((i) => i.name)).not.toContain('Departing');

    // Another integration reads what the deleted one wrote, authored by its bot user.
    const quickstart = client(server.token!);
    const seen = (await quickstart.pages.retrieve({ page_id: written.id })) as PageObjectResponse;
    expect(seen.created_by.id).toBe(me.id);
    expect(seen.last_edited_by.id).toBe(me.id);
    expect(await quickstart.users.retrieve({ user_id: me.id })).toMatchObject({
      type: 'bot',
      name: 'Departing',
    });

    // The name is free again, for a new integration that inherits none of the old shares.
    const successor = await cli<{ token: string }>(['integration', 'create', '--name', 'Departing']);
    expect(await failure(client(successor.token).pages.retrieve({ page_id: written.id }))).toMatchObject({
      status: 404,
      code: 'object_not_found',
    });
  });

  it('lists integrations with their state, and the text form names them', async () => {
    await cli(['integration', 'create', '--name', 'Paused']);
    await cli(['integration', 'revoke', 'Paused']);
    const { integrations } = await cli<{ integrations: { name: string; revoked_time: string | null }[] }>([
      'integration',
      'list',
    ]);
    expect(integrations[0]).toMatchObject({ name: 'Octavo Quickstart', revoked_time: null });
    expect(integrations.find((i) => i.name === 'Paused')?.revoked_time).toEqual(expect.any(String));
    const text = await runCli(['integration', 'list', ...storage.args], storage.env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Paused {2}\([0-9a-f-]{36}\) {2}revoked /m);
    expect(text.stdout).toMatch(/^Octavo Quickstart {2}\([0-9a-f-]{36}\) {2}active /m);
  });
});
