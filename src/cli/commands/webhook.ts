/**
 * `octavo webhook …`: subscriptions (create, list, delete, verify, pause, resume), the delivery
 * log and replay, and `listen`. Each is one transaction of an operation in webhooks/; sending is
 * done by the job consumers (`octavo serve` with jobs inline, or `octavo jobs`).
 */
import type { WebhookApiVersion } from '../../events/render.ts';
import type { WebhookDeliveryRow, WebhookSubscriptionRow } from '../../store/store.ts';
import { listen } from '../../webhooks/listen.ts';
import {
  createSubscription,
  deleteSubscription,
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
} from '../../webhooks/subscriptions.ts';
import { printResult, UsageError, type Values } from '../args.ts';
import { nowIso, withStore } from '../context.ts';

function typesOf(values: Values): string[] {
  return (values.events ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function subLine(s: WebhookSubscriptionRow): string {
  const p = presentSubscription(s);
  const types = p.event_types.length ? p.event_types.join(',') : 'all events';
  const why = p.status_reason ? ` (${p.status_reason})` : '';
  return `${p.id}\t${p.status}${why}\t${p.url}\t${p.api_version}\t${types}`;
}

function deliveryLine(d: WebhookDeliveryRow): string {
  const outcome = d.response_status !== null ? `HTTP ${d.response_status}` : (d.error ?? '');
  const attempt = d.attempt_number !== null ? ` attempt ${d.attempt_number}` : '';
  const ms = d.latency_ms !== null ? ` ${d.latency_ms} ms` : '';
  const err = d.error && d.response_status !== null ? ` ${d.error}` : '';
  return `${d.id}\t${d.created_time}\t${d.kind}${attempt}\t${d.status}\t${d.event_type ?? ''} ${d.event_id ?? ''}\t${outcome}${ms}${err}`;
}

export async function webhookCreateCommand(values: Values): Promise<void> {
  if (!values.integration) throw new UsageError('--integration is required');
  if (!values.url) throw new UsageError('--url is required');
  await withStore(values, async (store, config) => {
    const row = await store.transaction((tx) =>
      createSubscription(tx, {
        integration: values.integration!,
        url: values.url!,
        eventTypes: typesOf(values),
        apiVersion: values['api-version'],
        now: nowIso(),
        allowPrivate: config.webhooks.allowPrivate,
      }),
    );
    printResult(
      values,
      presentSubscription(row),
      [
        `webhook subscription ${row.id} created (pending verification)`,
        `A verification request {"verification_token": "secret_…"} is sent to ${row.url} by the job consumers`,
        `(octavo serve, or octavo jobs). Then: octavo webhook verify ${row.id} TOKEN`,
      ].join('\n'),
    );
  });
}

export async function webhookListCommand(values: Values): Promise<void> {
  await withStore(values, async (store) => {
    const rows = await store.transaction((tx) => listSubscriptions(tx, values.integration));
    printResult(
      values,
      { object: 'list', results: rows.map(presentSubscription) },
      rows.length ? rows.map(subLine).join('\n') : 'no webhook subscriptions',
    );
  });
}

export async function webhookUpdateCommand(values: Values, [id]: string[]): Promise<void> {
  if (values.events === undefined)
    throw new UsageError('--events is required (a comma-separated list, or "" for all)');
  await withStore(values, async (store) => {
    const row = await store.transaction((tx) =>
      updateSubscriptionEvents(tx, { id: id!, eventTypes: typesOf(values) }),
    );
    printResult(values, presentSubscription(row), subLine(row));
  });
}

export async function webhookDeleteCommand(values: Values, [id]: string[]): Promise<void> {
  await withStore(values, async (store) => {
    const row = await store.transaction((tx) => deleteSubscription(tx, id!));
    printResult(values, presentSubscription(row), `webhook subscription ${row.id} deleted`);
  });
}

export async function webhookVerifyCommand(values: Values, [id, token]: string[]): Promise<void> {
  await withStore(values, async (store) => {
    const row = await store.transaction((tx) =>
      verifySubscription(tx, { id: id!, token: token!, now: nowIso() }),
    );
    printResult(values, presentSubscription(row), `webhook subscription ${row.id} is ${row.status}`);
  });
}

export async function webhookPauseCommand(values: Values, [id]: string[]): Promise<void> {
  await withStore(values, async (store) => {
    const row = await store.transaction((tx) =>
      pauseSubscription(tx, { id: id!, reason: values.reason ?? 'paused from the command line' }),
    );
    printResult(values, presentSubscription(row), `webhook subscription ${row.id} paused`);
  });
}

export async function webhookResumeCommand(values: Values, [id]: string[]): Promise<void> {
  await withStore(values, async (store) => {
    const done = await store.transaction((tx) => resumeSubscription(tx, { id: id! }));
    printResult(
      values,
      { ...presentSubscription(done.subscription), released: done.released },
      `webhook subscription ${done.subscription.id} resumed; ${done.released} held event(s) queued again`,
    );
  });
}

export async function webhookDeliveriesCommand(values: Values, [sub]: string[]): Promise<void> {
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new UsageError(`--limit must be a number from 1 to 1000, not ${values.limit}`);
  await withStore(values, async (store) => {
    const rows = await store.transaction((tx) => listDeliveries(tx, { subscriptionId: sub, limit }));
    printResult(
      values,
      { object: 'list', results: rows.map(presentDelivery) },
      rows.length ? rows.map(deliveryLine).join('\n') : 'no deliveries',
    );
  });
}

export async function webhookReplayCommand(values: Values, [id]: string[]): Promise<void> {
  await withStore(values, async (store) => {
    const row = await store.transaction((tx) => replayDelivery(tx, { id: id!, now: nowIso() }));
    printResult(values, presentDelivery(row), `delivery ${row.id} queued (a replay of ${id})`);
  });
}

/** Streams events to the terminal until interrupted (and forwards them, signed, with --forward-to). */
export async function webhookListenCommand(values: Values): Promise<void> {
  const version = values['api-version'];
  if (version !== undefined && !(WEBHOOK_API_VERSIONS as readonly string[]).includes(version))
    throw new UsageError(`--api-version must be one of ${WEBHOOK_API_VERSIONS.join(', ')}, not ${version}`);
  if (values['forward-to'] !== undefined && !URL.canParse(values['forward-to']))
    throw new UsageError(`--forward-to must be a URL, not ${values['forward-to']}`);
  await withStore(values, async (store, config) => {
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    const session = await listen(store, {
      integration: values.integration,
      eventTypes: typesOf(values),
      apiVersion: version as WebhookApiVersion | undefined,
      forwardTo: values['forward-to'],
      windowMs: config.eventAggregationMs,
      pollMs: Math.min(config.webhooks.pollMs, 250),
      timeoutMs: config.webhooks.timeoutMs,
      signal: stop.signal,
    });
    const target = values['forward-to'] ? `, forwarding to ${values['forward-to']}` : '';
    console.error(`listening for events${target} (Ctrl-C to stop); signing secret: ${session.secret}`);
    for await (const heard of session.events) {
      const p = heard.payload;
      const f = heard.forwarded;
      const fwd = f ? `\t-> ${f.status !== null ? `HTTP ${f.status}` : f.error} ${f.latencyMs} ms` : '';
      console.log(
        values.json ? heard.body : `${p.timestamp}\t${p.type}\t${p.entity.type}:${p.entity.id}${fwd}`,
      );
    }
  });
}
