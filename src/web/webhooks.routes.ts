/**
 * `/app/api/webhooks…` (mounted by app-api.routes.ts, which authenticates the person): webhook
 * subscriptions in the browser — list (with the event types a subscription may name), create,
 * change event types, verify with the token the URL received, pause, resume, delete; each
 * subscription's delivery log and the replay of a delivery. The same operations as
 * `octavo webhook …` and `/_octavo/webhooks` (webhooks/subscriptions.ts); as there, nothing is
 * sent here: verification requests, replays and resumed events are queued delivery rows that the
 * dispatcher of a job process sends.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { listIntegrations } from '../ops/integrations.ts';
import type { StoreTx, WebhookSubscriptionRow } from '../store/store.ts';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  listDeliveries,
  listSubscriptions,
  pauseSubscription,
  presentDelivery,
  presentSubscription,
  replayDelivery,
  resumeSubscription,
  updateSubscriptionEvents,
  verifySubscription,
  WEBHOOK_API_VERSIONS,
  WEBHOOK_EVENT_TYPES,
} from '../webhooks/subscriptions.ts';
import { parseWith } from '../wire/validation.ts';
import { type AppApiEnv, readJson } from './app-api.ts';
import { nowOf, type WebDeps } from './session.ts';

const CreateBody = z.strictObject({
  integration_id: z.string().min(1),
  url: z.string().min(1),
  event_types: z.array(z.string()).optional(),
  api_version: z.string().optional(),
});
const UpdateBody = z.strictObject({ event_types: z.array(z.string()) });
const VerifyBody = z.strictObject({ verification_token: z.string() });
const PauseBody = z.strictObject({ reason: z.string().max(500).optional() });
const DeliveriesQuery = z.object({ limit: z.string().regex(/^\d+$/).optional() });

/** A subscription as the screen shows it: the admin API's shape and its integration's name. */
async function shown(tx: StoreTx, rows: WebhookSubscriptionRow[]) {
  const names = new Map((await listIntegrations(tx)).map((i) => [i.id, i.name]));
  return rows.map((row) => ({
    ...presentSubscription(row),
    integration_name: row.integration_id ? (names.get(row.integration_id) ?? null) : null,
  }));
}

export function webhookAppRoutes(deps: WebDeps) {
  const r = new Hono<AppApiEnv>();
  const now = () => nowOf(deps).toISOString();
  const tx = <T>(fn: (t: StoreTx) => Promise<T>) => deps.store.transaction(fn);
  const one = async (t: StoreTx, row: WebhookSubscriptionRow) => (await shown(t, [row]))[0]!;

  r.get('/webhooks', async (c) => {
    const results = await tx(async (t) => shown(t, await listSubscriptions(t)));
    return c.json({
      object: 'list',
      results,
      event_types: WEBHOOK_EVENT_TYPES,
      api_versions: WEBHOOK_API_VERSIONS,
    });
  });

  r.post('/webhooks', async (c) => {
    const body = parseWith(CreateBody, await readJson(c));
    const row = await tx(async (t) =>
      one(
        t,
        await createSubscription(t, {
          integration: body.integration_id,
          url: body.url,
          eventTypes: body.event_types,
          apiVersion: body.api_version,
          now: now(),
        }),
      ),
    );
    return c.json(row);
  });

  r.patch('/webhooks/:id', async (c) => {
    const body = parseWith(UpdateBody, await readJson(c));
    const id = c.req.param('id');
    return c.json(
      await tx(async (t) => one(t, await updateSubscriptionEvents(t, { id, eventTypes: body.event_types }))),
    );
  });

  r.post('/webhooks/:id/verify', async (c) => {
    const body = parseWith(VerifyBody, await readJson(c));
    const id = c.req.param('id');
    return c.json(
      await tx(async (t) =>
        one(t, await verifySubscription(t, { id, token: body.verification_token.trim(), now: now() })),
      ),
    );
  });

  r.post('/webhooks/:id/pause', async (c) => {
    const body = parseWith(PauseBody, await readJson(c));
    const id = c.req.param('id');
    const reason = body.reason?.trim() || `paused by ${c.get('person').integrationName}`;
    return c.json(await tx(async (t) => one(t, await pauseSubscription(t, { id, reason }))));
  });

  r.post('/webhooks/:id/resume', async (c) => {
    const id = c.req.param('id');
    return c.json(
      await tx(async (t) => {
        const done = await resumeSubscription(t, { id });
        return { ...(await one(t, done.subscription)), released: done.released };
      }),
    );
  });

  r.delete('/webhooks/:id', async (c) => {
    const id = c.req.param('id');
    return c.json(await tx(async (t) => one(t, await deleteSubscription(t, id))));
  });

  r.get('/webhooks/:id/deliveries', async (c) => {
    const { limit } = parseWith(DeliveriesQuery, c.req.query(), 'query');
    const id = c.req.param('id');
    const rows = await tx(async (t) => {
      await getSubscription(t, id);
      return listDeliveries(t, { subscriptionId: id, limit: Math.min(Number(limit ?? 50) || 50, 200) });
    });
    return c.json({ object: 'list', results: rows.map(presentDelivery) });
  });

  r.post('/webhook_deliveries/:id/replay', async (c) => {
    const id = c.req.param('id');
    return c.json(presentDelivery(await tx((t) => replayDelivery(t, { id, now: now() }))));
  });
  return r;
}
