/**
 * Webhooks end to end on both engines: a real HTTP receiver on loopback, subscriptions made and
 * verified through the admin API, writes through the official SDK, deliveries by the job queue.
 * Signatures are checked with the SDK's own `verifyWebhookSignature`.
 */
import { verifyWebhookSignature } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegration, deleteIntegration, sharePage } from '../../src/ops/integrations.ts';
import { createAdminPage } from '../../src/ops/workspace.ts';
import { describeEngines } from '../helpers/engines.ts';
import type { Harness } from '../helpers/harness.ts';
import { authorizeCode, newPublicIntegration } from '../helpers/oauth.ts';
import { type Bench, type Receiver, startBench, startReceiver, waitFor } from './support.ts';

const title = (text: string) => ({ title: [{ text: { content: text } }] });

describeEngines('webhooks', (engine) => {
  let b: Bench;
  let rx: Receiver;
  beforeAll(async () => {
    b = await startBench(engine);
    rx = await startReceiver();
  });
  afterAll(async () => {
    await b.close();
    await rx.close();
  });

  const eventsFor = (sub: string) => rx.received.filter((r) => r.json.subscription_id === sub);
  let quickstartId: string;
  beforeAll(async () => {
    quickstartId = (await b.store.transaction((tx) => tx.integrations.getByName('Octavo Quickstart')))!.id;
  });

  /** Creates a subscription through the admin API, answers its handshake, verifies it. */
  async function subscribe(options: { integration?: string; types?: string[]; version?: string } = {}) {
    const url = `${rx.url}?n=${Math.random()}`;
    const made = await b.admin('POST', '/webhooks', {
      integration: options.integration ?? 'Octavo Quickstart',
      url,
      ...(options.types ? { event_types: options.types } : {}),
      ...(options.version ? { api_version: options.version } : {}),
    });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ object: 'webhook_subscription', status: 'pending_verification' });
    const path = new URL(url).pathname + new URL(url).search;
    const handshake = await waitFor(
      () => rx.received.find((r) => r.path === path && 'verification_token' in r.json),
      10_000,
      'the verification request',
    );
    const token = String(handshake.json.verification_token);
    const verified = await b.admin('POST', `/webhooks/${made.body.id}/verify`, { verification_token: token });
    expect(verified.body).toMatchObject({ status: 'active' });
    return { id: made.body.id as string, token };
  }

  describe('verification handshake', () => {
    it('POSTs {"verification_token"} once, unsigned, and activates only with that token', async () => {
      const made = await b.admin('POST', '/webhooks', {
        integration: 'Octavo Quickstart',
        url: `${rx.url}?h`,
      });
      const hs = await waitFor(() => rx.received.find((r) => r.path === '/hook?h'), 10_000);
      expect(Object.keys(hs.json)).toEqual(['verification_token']);
      expect(String(hs.json.verification_token)).toMatch(/^secret_/);
      expect(hs.headers['x-notion-signature']).toBeUndefined();
      const wrong = await b.admin('POST', `/webhooks/${made.body.id}/verify`, {
        verification_token: 'secret_no',
      });
      expect(wrong).toMatchObject({ status: 400, body: { code: 'validation_error' } });
      const ok = await b.admin('POST', `/webhooks/${made.body.id}/verify`, {
        verification_token: hs.json.verification_token,
      });
      expect(ok.body.status).toBe('active');
      // The attempt is logged once the receiver has answered: wait for the row.
      const sent = await waitFor(async () => {
        const log = await b.admin('GET', `/webhooks/${made.body.id}/deliveries`);
        const rows = log.body.results.filter((d: { status: string }) => d.status !== 'enqueued');
        return rows.length > 0 ? rows : null;
      });
      expect(sent).toMatchObject([{ kind: 'verification', status: 'succeeded', response_status: 200 }]);
      expect(rx.received.filter((r) => r.path === '/hook?h')).toHaveLength(1);
      await b.admin('DELETE', `/webhooks/${made.body.id}`);
    });

    it('refuses unknown event types and api versions with validation_error', async () => {
      const bad = await b.admin('POST', '/webhooks', {
        integration: 'Octavo Quickstart',
        url: rx.url,
        event_types: ['page.exploded'],
      });
      expect(bad).toMatchObject({ status: 400, body: { code: 'validation_error' } });
      const v = await b.admin('POST', '/webhooks', {
        integration: 'Octavo Quickstart',
        url: rx.url,
        api_version: '2021-01-01',
      });
      expect(v).toMatchObject({ status: 400, body: { code: 'validation_error' } });
    });
  });

  describe('delivery', () => {
    it('delivers a signed page.created that the SDK verifies, with Notion envelope fields', async () => {
      const sub = await subscribe({ types: ['page.created'] });
      const page = await b.client().pages.create({
        parent: { page_id: b.boot.created!.pageId },
        properties: { title: title('Hello hooks') },
      });
      const got = await waitFor(() =>
        eventsFor(sub.id).find((r) => (r.json.entity as { id: string }).id === page.id),
      );
      expect(
        await verifyWebhookSignature({
          body: got.raw,
          signature: got.headers['x-notion-signature'] as string,
          verificationToken: sub.token,
        }),
      ).toBe(true);
      expect(
        await verifyWebhookSignature({
          body: `${got.raw} `,
          signature: got.headers['x-notion-signature'] as string,
          verificationToken: sub.token,
        }),
      ).toBe(false);
      expect(got.json).toMatchObject({
        type: 'page.created',
        subscription_id: sub.id,
        integration_id: quickstartId,
        workspace_id: b.boot.workspace.id,
        attempt_number: 1,
        api_version: '2025-09-03',
        entity: { id: page.id, type: 'page' },
        data: { parent: { id: b.boot.created!.pageId, type: 'page' } },
      });
      expect(got.headers['content-type']).toBe('application/json');
      await b.admin('DELETE', `/webhooks/${sub.id}`);
    });

    it('retries a failing receiver with attempt_number 1, 2, 3 and logs every attempt', async () => {
      const sub = await subscribe({ types: ['page.created'] });
      let failures = 0;
      rx.answer = (r) => (r.json.subscription_id === sub.id && failures++ < 2 ? 500 : 200);
      const page = await b.client().pages.create({
        parent: { page_id: b.boot.created!.pageId },
        properties: { title: title('Flaky') },
      });
      await waitFor(() => eventsFor(sub.id).length >= 3, 20_000, 'three attempts');
      const got = eventsFor(sub.id);
      expect(got.map((r) => r.json.attempt_number)).toEqual([1, 2, 3]);
      expect(new Set(got.map((r) => r.json.id)).size).toBe(1);
      expect((got[0]!.json.entity as { id: string }).id).toBe(page.id);
      for (const r of got)
        expect(
          await verifyWebhookSignature({
            body: r.raw,
            signature: r.headers['x-notion-signature'] as string,
            verificationToken: sub.token,
          }),
        ).toBe(true);
      const log = await waitFor(async () => {
        const l = await b.admin('GET', `/webhooks/${sub.id}/deliveries`);
        const attempts = l.body.results.filter((d: { kind: string }) => d.kind === 'event');
        return attempts.length === 3 ? attempts : null;
      });
      expect(log.map((d: { attempt_number: number }) => d.attempt_number)).toEqual([3, 2, 1]);
      expect(log.map((d: { status: string }) => d.status)).toEqual(['succeeded', 'failed', 'failed']);
      expect(log[2]).toMatchObject({ response_status: 500, response_excerpt: 'refused with 500' });
      expect(log[2].request_body).toBe(got[0]!.raw);
      expect(typeof log[0].latency_ms).toBe('number');
      rx.answer = () => 200;
      await b.admin('DELETE', `/webhooks/${sub.id}`);
    }, 30_000);

    it('pauses after the last attempt fails, says why, holds events, and resumes and replays', async () => {
      const sub = await subscribe({ types: ['page.created'] });
      let down = true;
      rx.answer = (r) => (r.json.subscription_id === sub.id && down ? 503 : 200);
      await b.client().pages.create({
        parent: { page_id: b.boot.created!.pageId },
        properties: { title: title('Down 1') },
      });
      const paused = await waitFor(
        async () => {
          const s = await b.admin('GET', `/webhooks/${sub.id}`);
          return s.body.status === 'paused' ? s.body : null;
        },
        25_000,
        'the pause',
      );
      expect(paused.status_reason).toMatch(/failed all 3 attempts; last: the receiver answered HTTP 503/);
      const listed = await b.admin('GET', '/webhooks');
      expect(listed.body.results.find((s: { id: string }) => s.id === sub.id)).toMatchObject({
        status: 'paused',
      });
      const failedEvent = eventsFor(sub.id)[0]!.json.id;
      expect(eventsFor(sub.id).map((r) => r.json.attempt_number)).toEqual([1, 2, 3]);
      // While paused, nothing is sent; the event waits.
      const during = await b.client().pages.create({
        parent: { page_id: b.boot.created!.pageId },
        properties: { title: title('While paused') },
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(eventsFor(sub.id)).toHaveLength(3);
      down = false;
      const resumed = await b.admin('POST', `/webhooks/${sub.id}/resume`);
      expect(resumed.body).toMatchObject({ status: 'active', status_reason: null });
      const late = await waitFor(() =>
        eventsFor(sub.id).find((r) => (r.json.entity as { id: string }).id === during.id),
      );
      expect(late.json.attempt_number).toBe(1);
      // The event that paused it is sent again only on replay, with the same id.
      const failedRow = (await b.admin('GET', `/webhooks/${sub.id}/deliveries?limit=1000`)).body.results.find(
        (d: { event_id: string; attempt_number: number }) =>
          d.event_id === failedEvent && d.attempt_number === 3,
      );
      const replay = await b.admin('POST', `/webhook_deliveries/${failedRow.id}/replay`);
      expect(replay.body).toMatchObject({ kind: 'replay', status: 'queued', event_id: failedEvent });
      const again = await waitFor(
        () => eventsFor(sub.id).filter((r) => r.json.id === failedEvent).length === 4,
      );
      expect(again).toBe(true);
      const last = eventsFor(sub.id)
        .filter((r) => r.json.id === failedEvent)
        .at(-1)!;
      expect(last.json.attempt_number).toBe(1);
      rx.answer = () => 200;
      await b.admin('DELETE', `/webhooks/${sub.id}`);
    }, 40_000);
  });

  describe('visibility', () => {
    it('never delivers an event on a page the integration cannot see', async () => {
      const { token } = await b.store.transaction((tx) =>
        createIntegration(tx, {
          name: 'Hooked',
          capabilities: ['read_content', 'update_content', 'insert_content'],
          now: new Date().toISOString(),
        }),
      );
      const mine = await b.store.transaction(async (tx) => {
        const p = await createAdminPage(tx, { title: 'Hooked home', now: new Date().toISOString() });
        await sharePage(tx, { pageId: p.id, integrationName: 'Hooked', now: new Date().toISOString() });
        return p.id;
      });
      const sub = await subscribe({ integration: 'Hooked', types: ['page.created'] });
      const hidden = await b.client().pages.create({
        parent: { page_id: b.boot.created!.pageId },
        properties: { title: title('Not for Hooked') },
      });
      const seen = await b
        .client(token)
        .pages.create({ parent: { page_id: mine }, properties: { title: title('For Hooked') } });
      await waitFor(() => eventsFor(sub.id).some((r) => (r.json.entity as { id: string }).id === seen.id));
      // Events are dispatched in outbox order, so the earlier, hidden one was passed over.
      expect(eventsFor(sub.id).some((r) => (r.json.entity as { id: string }).id === hidden.id)).toBe(false);
      await b.admin('DELETE', `/webhooks/${sub.id}`);
    });
  });

  describe('changing a subscription', () => {
    it('sends the new event types after PATCH, and nothing once deleted with its integration', async () => {
      await b.store.transaction((tx) =>
        createIntegration(tx, {
          name: 'Fickle',
          capabilities: ['read_content', 'update_content', 'insert_content'],
          now: new Date().toISOString(),
        }),
      );
      await b.store.transaction((tx) =>
        sharePage(tx, {
          pageId: b.boot.created!.pageId,
          integrationName: 'Fickle',
          now: new Date().toISOString(),
        }),
      );
      const sub = await subscribe({ integration: 'Fickle', types: ['page.created'] });
      const patched = await b.admin('PATCH', `/webhooks/${sub.id}`, {
        event_types: ['page.properties_updated'],
      });
      expect(patched.body.event_types).toEqual(['page.properties_updated']);
      const bad = await b.admin('PATCH', `/webhooks/${sub.id}`, { event_types: ['nope'] });
      expect(bad).toMatchObject({ status: 400, body: { code: 'validation_error' } });
      const page = await b
        .client()
        .pages.create({ parent: { page_id: b.boot.created!.pageId }, properties: { title: title('Quiet') } });
      await b.client().pages.update({ page_id: page.id, properties: { title: title('Renamed') } });
      const got = await waitFor(() =>
        eventsFor(sub.id).find((r) => r.json.type === 'page.properties_updated'),
      );
      expect(got.json.entity).toMatchObject({ id: page.id });
      expect(eventsFor(sub.id).some((r) => r.json.type === 'page.created')).toBe(false);
      await b.store.transaction((tx) => deleteIntegration(tx, { name: 'Fickle' }));
      expect((await b.admin('GET', `/webhooks/${sub.id}`)).body.code).toBe('object_not_found');
    });

    it('prunes logged attempts older than the cut-off, keeping held and queued rows', async () => {
      const sub = await subscribe({ types: ['page.created'] });
      const old = (status: 'succeeded' | 'held', n: number) => ({
        id: `00000001-0000-7000-8000-00000000000${n}`,
        subscription_id: sub.id,
        kind: 'event' as const,
        status,
        event_id: null,
        event_type: null,
        event: null,
        attempt_number: null,
        request_body: null,
        response_status: null,
        response_excerpt: null,
        latency_ms: null,
        error: null,
        created_time: '1970-01-01T00:00:00.000Z',
      });
      await b.store.transaction((tx) => tx.webhooks.insertDeliveries([old('succeeded', 1), old('held', 2)]));
      await b.store.transaction((tx) => tx.webhooks.pruneDeliveries('00000002-0000'));
      const left = (await b.admin('GET', `/webhooks/${sub.id}/deliveries?limit=1000`)).body.results.map(
        (d: { id: string }) => d.id,
      );
      expect(left).toContain(old('held', 2).id);
      expect(left).not.toContain(old('succeeded', 1).id);
      expect(left.length).toBeGreaterThan(1);
      await b.admin('DELETE', `/webhooks/${sub.id}`);
    });
  });

  describe('public (OAuth) integrations', () => {
    it('sends events on pages an installation can see, with the installing person in accessible_by', async () => {
      const app = await newPublicIntegration(b);
      const shared = await b.store.transaction((tx) =>
        createAdminPage(tx, { title: 'Installed here', now: new Date().toISOString() }),
      );
      const { code, person } = await authorizeCode(b as unknown as Harness, app, [shared.id]);
      const grant = await b.client('').oauth.token({
        client_id: app.client_id,
        client_secret: app.client_secret,
        grant_type: 'authorization_code',
        code,
      });
      const sub = await subscribe({ integration: app.name, types: ['page.created'] });
      const listed = await b.admin('GET', `/webhooks/${sub.id}`);
      expect(listed.body).toMatchObject({ integration_id: app.client_id, public_integration: true });
      const hidden = await b.client().pages.create({
        parent: { page_id: b.boot.created!.pageId },
        properties: { title: title('Not installed') },
      });
      const seen = await b
        .client(grant.access_token)
        .pages.create({ parent: { page_id: shared.id }, properties: { title: title('Installed') } });
      const got = await waitFor(() =>
        eventsFor(sub.id).find((r) => (r.json.entity as { id: string }).id === seen.id),
      );
      expect(got.json).toMatchObject({
        integration_id: app.client_id,
        accessible_by: [{ id: person.user.id, type: 'person' }],
      });
      expect(
        await verifyWebhookSignature({
          body: got.raw,
          signature: got.headers['x-notion-signature'] as string,
          verificationToken: sub.token,
        }),
      ).toBe(true);
      expect(eventsFor(sub.id).some((r) => (r.json.entity as { id: string }).id === hidden.id)).toBe(false);
      // Internal integrations' payloads carry no accessible_by.
      expect(
        rx.received
          .filter((r) => r.json.type && r.json.subscription_id !== sub.id)
          .every((r) => !('accessible_by' in r.json)),
      ).toBe(true);
      await b.admin('DELETE', `/webhooks/${sub.id}`);
    });
  });

  describe('api_version', () => {
    it('tells a 2022-06-28 subscriber database.content_updated where later ones get data_source.content_updated', async () => {
      const old = await subscribe({ version: '2022-06-28' });
      const now = await subscribe({ version: '2025-09-03' });
      const db = await b.client().databases.create({
        parent: { type: 'page_id', page_id: b.boot.created!.pageId },
        title: [{ text: { content: 'Hooked DB' } }],
        initial_data_source: { properties: { Name: { title: {} } } },
      });
      const ds = (db as { data_sources: { id: string }[] }).data_sources[0]!.id;
      await b.client().pages.create({ parent: { data_source_id: ds }, properties: { Name: title('row') } });
      const newer = await waitFor(() =>
        eventsFor(now.id).find((r) => r.json.type === 'data_source.content_updated'),
      );
      expect(newer.json).toMatchObject({
        entity: { id: ds, type: 'data_source' },
        api_version: '2025-09-03',
      });
      const older = await waitFor(() =>
        eventsFor(old.id).find((r) => r.json.type === 'database.content_updated'),
      );
      expect(older.json).toMatchObject({
        entity: { id: db.id, type: 'database' },
        api_version: '2022-06-28',
      });
      expect(eventsFor(old.id).some((r) => String(r.json.type).startsWith('data_source.'))).toBe(false);
      // The database's default view is told too: a view is seen through its database.
      const view = await waitFor(() => eventsFor(now.id).find((r) => r.json.type === 'view.created'));
      expect(view.json).toMatchObject({
        entity: { type: 'view' },
        data: { parent: { id: db.id, type: 'database' } },
      });
      expect(eventsFor(now.id).some((r) => r.json.type === 'database.content_updated')).toBe(false);
    });
  });
});
