/**
 * The admin API's webhook routes (mounted under /_octavo by admin.routes.ts, behind the admin
 * token): subscriptions, verification, pause and resume, the delivery log and replay; the same
 * operations as `octavo webhook …`.
 */
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { Store } from '../store/store.ts';
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
} from '../webhooks/subscriptions.ts';
import { parseWith } from '../wire/validation.ts';

export const CreateWebhookBody = z.strictObject({
  integration: z.string().min(1),
  url: z.string().min(1),
  event_types: z.array(z.string()).optional(),
  api_version: z.string().optional(),
});
export const UpdateWebhookBody = z.strictObject({ event_types: z.array(z.string()) });
export const VerifyWebhookBody = z.strictObject({ verification_token: z.string() });
export const PauseWebhookBody = z.strictObject({ reason: z.string().optional() });
/** GET /webhooks: only one integration's subscriptions (a name or id). */
export const ListWebhooksQuery = z.object({ integration: z.string().optional() });
/** The delivery logs: `limit` from 1 to 1000 (default 100; out of range is clamped). */
export const DeliveriesQuery = z.object({
  limit: z.string().optional().describe('How many of the newest deliveries: 1 to 1000, default 100'),
});

type Env = { Variables: { body: unknown } };

export function webhookRoutes(deps: { store: Store; clock?: (() => Date) | undefined }) {
  const r = new Hono<Env>();
  const now = () => (deps.clock?.() ?? new Date()).toISOString();
  const tx = deps.store.transaction.bind(deps.store);
  const id = (c: Context<Env>) => decodeURIComponent(c.req.param('id') ?? '');
  const limitOf = (c: Context<Env>) => {
    const { limit } = parseWith(DeliveriesQuery, c.req.query(), 'query');
    return Math.min(Math.max(Number(limit ?? 100) || 100, 1), 1000);
  };

  r.get('/webhooks', async (c) => {
    const { integration } = parseWith(ListWebhooksQuery, c.req.query(), 'query');
    const rows = await tx((t) => listSubscriptions(t, integration));
    return c.json({ object: 'list', results: rows.map(presentSubscription) });
  });

  r.post('/webhooks', async (c) => {
    const body = parseWith(CreateWebhookBody, c.get('body'));
    const row = await tx((t) =>
      createSubscription(t, {
        integration: body.integration,
        url: body.url,
        eventTypes: body.event_types,
        apiVersion: body.api_version,
        now: now(),
      }),
    );
    return c.json(presentSubscription(row));
  });

  r.get('/webhooks/:id', async (c) =>
    c.json(presentSubscription(await tx((t) => getSubscription(t, id(c))))),
  );

  r.delete('/webhooks/:id', async (c) =>
    c.json(presentSubscription(await tx((t) => deleteSubscription(t, id(c))))),
  );

  r.patch('/webhooks/:id', async (c) => {
    const body = parseWith(UpdateWebhookBody, c.get('body'));
    const row = await tx((t) => updateSubscriptionEvents(t, { id: id(c), eventTypes: body.event_types }));
    return c.json(presentSubscription(row));
  });

  r.post('/webhooks/:id/verify', async (c) => {
    const body = parseWith(VerifyWebhookBody, c.get('body'));
    const row = await tx((t) =>
      verifySubscription(t, { id: id(c), token: body.verification_token, now: now() }),
    );
    return c.json(presentSubscription(row));
  });

  r.post('/webhooks/:id/pause', async (c) => {
    const body = parseWith(PauseWebhookBody, c.get('body') ?? {});
    const row = await tx((t) =>
      pauseSubscription(t, { id: id(c), reason: body.reason ?? 'paused by the admin' }),
    );
    return c.json(presentSubscription(row));
  });

  r.post('/webhooks/:id/resume', async (c) => {
    const done = await tx((t) => resumeSubscription(t, { id: id(c) }));
    return c.json({ ...presentSubscription(done.subscription), released: done.released });
  });

  r.get('/webhooks/:id/deliveries', async (c) => {
    const rows = await tx((t) => listDeliveries(t, { subscriptionId: id(c), limit: limitOf(c) }));
    return c.json({ object: 'list', results: rows.map(presentDelivery) });
  });

  r.get('/webhook_deliveries', async (c) => {
    const rows = await tx((t) => listDeliveries(t, { limit: limitOf(c) }));
    return c.json({ object: 'list', results: rows.map(presentDelivery) });
  });

  r.post('/webhook_deliveries/:id/replay', async (c) => {
    const row = await tx((t) => replayDelivery(t, { id: id(c), now: now() }));
    return c.json(presentDelivery(row));
  });
  return r;
}
