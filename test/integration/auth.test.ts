/**
 * Bearer tokens and the integration lifecycle, through the official SDK: what a token stands for
 * is remembered only until any integration changes, so creating, revoking, rotating, changing and
 * deleting an integration count from the very next request — no waiting, no cache to expire (the
 * same across two apps on one database: auth-nodes.test.ts).
 */
import type { Client, PageObjectResponse } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Capability } from '../../src/domain/capabilities.ts';
import { ALL_CAPABILITIES } from '../../src/domain/capabilities.ts';
import {
  deleteIntegration,
  listIntegrations,
  revokeIntegration,
  rotateIntegrationToken,
  updateIntegration,
} from '../../src/ops/integrations.ts';
import type { StoreTx } from '../../src/store/store.ts';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

type ApiFailure = { code: string; status: number; message: string };
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e) => e as ApiFailure,
  );
const rt = (content: string) => [{ type: 'text' as const, text: { content } }];

describeEngines('bearer tokens and the integration lifecycle', (engine) => {
  let h: Harness;
  const now = () => new Date().toISOString();
  const inTx = <T>(fn: (tx: StoreTx) => Promise<T>) => h.store.transaction(fn);
  /** A new integration, a page shared with it and its SDK client. */
  async function integrationWithPage(name: string, capabilities: readonly Capability[] = ALL_CAPABILITIES) {
    const token = await h.newIntegration(name, capabilities);
    const pageId = await h.newRootPage(`${name}'s page`, [name, 'Octavo Quickstart']);
    return { token, pageId, client: h.client({ token }) };
  }
  const unauthorized = async (client: Client, pageId: string) => {
    const err = await failure(client.pages.retrieve({ page_id: pageId }));
    expect(err).toMatchObject({ status: 401, code: 'unauthorized' });
  };

  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  it('accepts a token created while the app runs on its first request, after refusing it unknown', async () => {
    const before = await h.request('/v1/users/me', { token: 'ntn_notyetknown' });
    expect(before.status).toBe(401);
    const token = await h.newIntegration('Made later', ['read_content']);
    const me = await h.client({ token }).users.me({});
    expect(me.name).toBe('Made later');
    expect((await h.request('/v1/users/me', { token: 'ntn_notyetknown' })).status).toBe(401);
  });

  describe('revoke and rotate', () => {
    it('refuses a revoked token on the next request; rotating gives a working token and keeps the shares', async () => {
      const { client, pageId, token } = await integrationWithPage('Revoked');
      expect((await client.pages.retrieve({ page_id: pageId })).id).toBe(pageId);

      const revoked = await inTx((tx) => revokeIntegration(tx, { name: 'Revoked', now: now() }));
      expect(revoked.revoked_time).not.toBeNull();
      await unauthorized(client, pageId);
      // Revoking again changes nothing (and keeps the first time).
      const again = await inTx((tx) => revokeIntegration(tx, { name: 'Revoked', now: now() }));
      expect(again.revoked_time).toBe(revoked.revoked_time);

      const rotated = await inTx((tx) => rotateIntegrationToken(tx, { name: 'Revoked' }));
      expect(rotated.token).toMatch(/^ntn_\w{46}$/);
      expect(rotated.token).not.toBe(token);
      expect(rotated.integration.revoked_time).toBeNull();
      await unauthorized(client, pageId);
      const renewed = h.client({ token: rotated.token });
      expect((await renewed.pages.retrieve({ page_id: pageId })).id).toBe(pageId);
      expect((await renewed.users.me({})).name).toBe('Revoked');
    });

    it('stops a working token the moment it is rotated', async () => {
      const { client, pageId } = await integrationWithPage('Rotated');
      expect((await client.pages.retrieve({ page_id: pageId })).id).toBe(pageId);
      const { token } = await inTx((tx) => rotateIntegrationToken(tx, { name: 'Rotated' }));
      await unauthorized(client, pageId);
      expect((await h.client({ token }).pages.retrieve({ page_id: pageId })).id).toBe(pageId);
    });
  });

  describe('update', () => {
    it('applies reduced capabilities on the next request (403 restricted_resource), and wider ones again', async () => {
      const { client, pageId } = await integrationWithPage('Narrowed');
      const create = () =>
        client.pages.create({ parent: { page_id: pageId }, properties: { title: { title: rt('Child') } } });
      await create();

      await inTx((tx) => updateIntegration(tx, { name: 'Narrowed', capabilities: ['read_content'] }));
      expect(await failure(create())).toMatchObject({ status: 403, code: 'restricted_resource' });
      expect((await client.pages.retrieve({ page_id: pageId })).id).toBe(pageId);

      await inTx((tx) => updateIntegration(tx, { name: 'Narrowed', capabilities: ALL_CAPABILITIES }));
      expect((await create()).object).toBe('page');
    });

    it('renames the integration and its bot user; names stay unique', async () => {
      const { client } = await integrationWithPage('Old name');
      const renamed = await inTx((tx) => updateIntegration(tx, { name: 'Old name', newName: ' New name ' }));
      expect(renamed.name).toBe('New name');
      expect((await client.users.me({})).name).toBe('New name');

      const taken = await failure(
        inTx((tx) => updateIntegration(tx, { name: 'New name', newName: 'Octavo Quickstart' })),
      );
      expect(taken).toMatchObject({
        code: 'validation_error',
        message: 'An integration named Octavo Quickstart already exists.',
      });
      expect((await client.users.me({})).name).toBe('New name');
      // The old name is free again.
      expect((await h.client({ token: await h.newIntegration('Old name') }).users.me({})).name).toBe(
        'Old name',
      );
    });

    it('refuses unknown names and empty new names with validation errors, changing nothing', async () => {
      const ops: ((tx: StoreTx) => Promise<unknown>)[] = [
        (tx: StoreTx) => revokeIntegration(tx, { name: 'Nobody', now: now() }),
        (tx: StoreTx) => rotateIntegrationToken(tx, { name: 'Nobody' }),
        (tx: StoreTx) => updateIntegration(tx, { name: 'Nobody', capabilities: [] }),
        (tx: StoreTx) => deleteIntegration(tx, { name: 'Nobody' }),
      ];
      for (const op of ops)
        expect(await failure(inTx(op))).toMatchObject({
          code: 'validation_error',
          message: 'No integration named Nobody.',
        });
      await h.newIntegration('Kept');
      const empty = await failure(inTx((tx) => updateIntegration(tx, { name: 'Kept', newName: '  ' })));
      expect(empty.message).toBe('An integration needs a name.');
      expect((await inTx(listIntegrations)).map((i) => i.name)).toContain('Kept');
    });
  });

  describe('delete', () => {
    it('removes the token and the shares; the bot stays the author of its pages; its files are still served', async () => {
      const { client, pageId } = await integrationWithPage('Leaving');
      const bot = await client.users.me({});
      const upload = await client.fileUploads.create({ filename: 'kept.txt', content_type: 'text/plain' });
      await client.fileUploads.send({
        file_upload_id: upload.id,
        file: { filename: 'kept.txt', data: new Blob(['kept bytes'], { type: 'text/plain' }) },
      });
      const written = await client.pages.create({
        parent: { page_id: pageId },
        properties: { title: { title: rt('Written by Leaving') } },
        cover: { file_upload: { id: upload.id } },
      });

      const deleted = await inTx((tx) => deleteIntegration(tx, { name: 'Leaving' }));
      expect(deleted.bot_user_id).toBe(bot.id);
      await unauthorized(client, pageId);
      expect((await inTx(listIntegrations)).map((i) => i.name)).not.toContain('Leaving');

      // Another integration still sees the page, written by the deleted integration's bot.
      const quickstart = h.client();
      const seen = (await quickstart.pages.retrieve({ page_id: written.id })) as PageObjectResponse;
      expect(seen.created_by.id).toBe(bot.id);
      expect(seen.last_edited_by.id).toBe(bot.id);
      expect(await quickstart.users.retrieve({ user_id: bot.id })).toMatchObject({
        type: 'bot',
        name: 'Leaving',
      });
      const cover = seen.cover as { type: 'file'; file: { url: string } };
      const file = await h.app.request(cover.file.url);
      expect(file.status).toBe(200);
      expect(await file.text()).toBe('kept bytes');

      // A new integration of the same name is another integration: it inherits no shares.
      const successor = h.client({ token: await h.newIntegration('Leaving') });
      expect((await successor.users.me({})).id).not.toBe(bot.id);
      expect(await failure(successor.pages.retrieve({ page_id: pageId }))).toMatchObject({
        code: 'object_not_found',
      });
    });
  });

  it('lists integrations oldest first, revoked ones with their revoked_time', async () => {
    await h.newIntegration('Listed');
    await inTx((tx) => revokeIntegration(tx, { name: 'Listed', now: now() }));
    const list = await inTx(listIntegrations);
    expect(list[0]!.name).toBe('Octavo Quickstart');
    const times = list.map((i) => i.created_time);
    expect(times).toEqual([...times].sort());
    expect(list.find((i) => i.name === 'Listed')!.revoked_time).not.toBeNull();
    expect(list.find((i) => i.name === 'Octavo Quickstart')!.revoked_time).toBeNull();
  });
});
