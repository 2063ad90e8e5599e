/**
 * Webhook subscriptions as operations (transaction first, no HTTP): create, list, verify, pause,
 * resume, delete; the delivery log and replay. The CLI (`octavo webhook …`) and the admin API
 * (/_octavo/webhooks) call these alike. Sending is never done here: a verification request, a
 * replay or a resumed event becomes a `queued` delivery row that the dispatcher (dispatch.ts)
 * hands to the job queue, so a command works whether or not a job process is running.
 */
import { randomBase62 } from '../lib/crypto.ts';
import { newId } from '../lib/ids.ts';
import { integrationNamed } from '../ops/integrations.ts';
import type { StoreTx, WebhookDeliveryRow, WebhookSubscriptionRow } from '../store/store.ts';
import { ApiError } from '../wire/errors.ts';
import { API_VERSIONS } from '../wire/versions.ts';
import { checkWebhookUrl } from './send.ts';

/** The api_versions a subscription may render payloads for. */
export const WEBHOOK_API_VERSIONS = API_VERSIONS;
export type WebhookApiVersion = (typeof WEBHOOK_API_VERSIONS)[number];
export const DEFAULT_WEBHOOK_API_VERSION: WebhookApiVersion = '2025-09-03';

/**
 * Every event type of the SDK's webhook payloads. A subscription may name any of them; those
 * Octavo does not record yet (comments, views, transcripts, expiry) are simply never sent.
 */
export const WEBHOOK_EVENT_TYPES = [
  'page.created',
  'page.properties_updated',
  'page.content_updated',
  'page.moved',
  'page.deleted',
  'page.undeleted',
  'page.locked',
  'page.unlocked',
  'page.transcription_block.transcript_deleted',
  'database.created',
  'database.content_updated',
  'database.schema_updated',
  'database.moved',
  'database.deleted',
  'database.undeleted',
  'data_source.created',
  'data_source.content_updated',
  'data_source.schema_updated',
  'data_source.moved',
  'data_source.deleted',
  'data_source.undeleted',
  'comment.created',
  'comment.updated',
  'comment.deleted',
  'file_upload.created',
  'file_upload.completed',
  'file_upload.upload_failed',
  'file_upload.expired',
  'view.created',
  'view.updated',
  'view.deleted',
] as const;

export interface CreateSubscriptionInput {
  /** The integration, by id or by name. */
  integration: string;
  url: string;
  /** Empty or absent: every type. */
  eventTypes?: readonly string[] | undefined;
  apiVersion?: string | undefined;
  now: string;
  /**
   * Refuse a URL that names a loopback or private address literally (the server's policy), when
   * known here; the post-DNS check at send time holds in every case.
   */
  allowPrivate?: boolean | undefined;
}

function invalid(message: string): ApiError {
  return new ApiError('validation_error', message);
}

/**
 * Whom a subscription is for, by id or name: an internal integration, or a public (OAuth)
 * integration, whose subscription reaches every installation (events carry `accessible_by`).
 * The public integration is read through the store's oauth repository (its client row only).
 */
async function ownerOf(
  tx: StoreTx,
  key: string,
): Promise<{ integrationId: string | null; clientId: string | null }> {
  const internal = (await tx.integrations.get(key)) ?? (await tx.integrations.getByName(key));
  if (internal) return { integrationId: internal.id, clientId: null };
  const client = (await tx.oauth.client(key)) ?? (await tx.oauth.clientByName(key));
  if (client) return { integrationId: null, clientId: client.id };
  return { integrationId: (await integrationNamed(tx, key)).id, clientId: null };
}

/** Distinct, known event types (empty: all), or a validation error naming the unknown ones. */
function checkEventTypes(given: readonly string[] | undefined): string[] {
  const types = [...new Set(given ?? [])];
  const unknown = types.filter((t) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0) {
    throw invalid(
      `event_types has unknown event types: ${unknown.join(', ')}. Known: ${WEBHOOK_EVENT_TYPES.join(', ')}.`,
    );
  }
  return types;
}

/** Creates a subscription waiting for verification, and queues the verification request. */
export async function createSubscription(
  tx: StoreTx,
  input: CreateSubscriptionInput,
): Promise<WebhookSubscriptionRow> {
  const owner = await ownerOf(tx, input.integration);
  const refused = checkWebhookUrl(input.url, input.allowPrivate ?? true);
  if (refused) throw invalid(`url ${refused}: ${input.url}`);
  const types = checkEventTypes(input.eventTypes);
  const version = input.apiVersion ?? DEFAULT_WEBHOOK_API_VERSION;
  if (!(WEBHOOK_API_VERSIONS as readonly string[]).includes(version)) {
    throw invalid(`api_version should be one of ${WEBHOOK_API_VERSIONS.join(', ')}, instead was ${version}.`);
  }
  const row: WebhookSubscriptionRow = {
    id: newId(),
    integration_id: owner.integrationId,
    client_id: owner.clientId,
    url: input.url,
    event_types: JSON.stringify(types),
    api_version: version,
    verification_token: `secret_${randomBase62(43)}`,
    status: 'pending_verification',
    status_reason: null,
    cursor: await tx.events.endCursor({ committed: true }),
    consecutive_failures: 0,
    dispatch_until: null,
    dispatch_token: null,
    created_time: input.now,
    verified_time: null,
  };
  await tx.webhooks.insert(row);
  await queueDelivery(tx, row.id, 'verification', null, input.now);
  return row;
}

/** Adds a delivery for the dispatcher to enqueue. */
async function queueDelivery(
  tx: StoreTx,
  subscriptionId: string,
  kind: WebhookDeliveryRow['kind'],
  from: WebhookDeliveryRow | null,
  now: string,
): Promise<WebhookDeliveryRow> {
  const row: WebhookDeliveryRow = {
    id: newId(),
    subscription_id: subscriptionId,
    kind,
    status: 'queued',
    event_id: from?.event_id ?? null,
    event_type: from?.event_type ?? null,
    event: from?.event ?? null,
    attempt_number: null,
    request_body: null,
    response_status: null,
    response_excerpt: null,
    latency_ms: null,
    error: null,
    created_time: now,
  };
  await tx.webhooks.insertDeliveries([row]);
  return row;
}

/** The subscription with this id, or object_not_found. */
export async function getSubscription(tx: StoreTx, id: string): Promise<WebhookSubscriptionRow> {
  const row = await tx.webhooks.get(id);
  if (!row) throw new ApiError('object_not_found', `Could not find webhook subscription with ID: ${id}.`);
  return row;
}

/** Every subscription, or one integration's (by id or name). */
export async function listSubscriptions(
  tx: StoreTx,
  integration?: string,
): Promise<WebhookSubscriptionRow[]> {
  if (!integration) return tx.webhooks.list();
  const owner = await ownerOf(tx, integration);
  if (owner.integrationId) return tx.webhooks.list(owner.integrationId);
  return (await tx.webhooks.list()).filter((s) => s.client_id === owner.clientId);
}

/**
 * Activates a subscription with the token its URL received. From then on it is told about
 * events recorded after this moment (not the ones before). Verifying an active or paused one
 * again changes nothing.
 */
export async function verifySubscription(
  tx: StoreTx,
  input: { id: string; token: string; now: string },
): Promise<WebhookSubscriptionRow> {
  const row = await getSubscription(tx, input.id);
  if (input.token !== row.verification_token) {
    throw invalid('verification_token does not match the token sent to the subscription URL.');
  }
  if (row.status !== 'pending_verification') return row;
  await tx.webhooks.update(row.id, {
    status: 'active',
    status_reason: null,
    verified_time: input.now,
    // After the last committed event: on Postgres the readable horizon may lag behind it while
    // any transaction in the cluster runs, and what committed before verification is not told.
    cursor: await tx.events.endCursor({ committed: true }),
  });
  return getSubscription(tx, row.id);
}

/**
 * Changes the event types a subscription is told about (as Notion allows at any time), from its
 * next dispatched event on. The URL cannot change: delete and create again.
 */
export async function updateSubscriptionEvents(
  tx: StoreTx,
  input: { id: string; eventTypes: readonly string[] },
): Promise<WebhookSubscriptionRow> {
  const row = await getSubscription(tx, input.id);
  await tx.webhooks.update(row.id, { event_types: JSON.stringify(checkEventTypes(input.eventTypes)) });
  return getSubscription(tx, row.id);
}

/** Pauses delivery: new events wait (the cursor stays), queued attempts are held. */
export async function pauseSubscription(
  tx: StoreTx,
  input: { id: string; reason: string },
): Promise<WebhookSubscriptionRow> {
  const row = await getSubscription(tx, input.id);
  if (row.status === 'pending_verification') throw invalid('The subscription is not verified yet.');
  await tx.webhooks.update(row.id, { status: 'paused', status_reason: input.reason });
  return getSubscription(tx, row.id);
}

/**
 * Resumes a paused subscription: events recorded meanwhile are delivered, and attempts held
 * while it was paused are queued again. The event whose failures paused it is not (replay it).
 */
export async function resumeSubscription(
  tx: StoreTx,
  input: { id: string },
): Promise<{ subscription: WebhookSubscriptionRow; released: number }> {
  const row = await getSubscription(tx, input.id);
  if (row.status === 'pending_verification') throw invalid('The subscription is not verified yet.');
  await tx.webhooks.update(row.id, { status: 'active', status_reason: null, consecutive_failures: 0 });
  let released = 0;
  for (;;) {
    const held = await tx.webhooks.deliveriesIn('held', 500, row.id);
    for (const d of held) await tx.webhooks.updateDelivery(d.id, { status: 'queued' });
    released += held.length;
    if (held.length < 500) break;
  }
  return { subscription: await getSubscription(tx, row.id), released };
}

/** Deletes a subscription and its delivery log; nothing more is sent to it. */
export async function deleteSubscription(tx: StoreTx, id: string): Promise<WebhookSubscriptionRow> {
  const row = await getSubscription(tx, id);
  await tx.webhooks.delete(id);
  return row;
}

/** The delivery log, newest first: one subscription's, or all. */
export async function listDeliveries(
  tx: StoreTx,
  input: { subscriptionId?: string | undefined; limit: number },
): Promise<WebhookDeliveryRow[]> {
  if (input.subscriptionId) await getSubscription(tx, input.subscriptionId);
  return tx.webhooks.listDeliveries(input.subscriptionId ?? null, input.limit);
}

/**
 * Sends a logged delivery's event (or verification request) again, as a new delivery with
 * attempts counted from 1; the receiver sees the same event id.
 */
export async function replayDelivery(
  tx: StoreTx,
  input: { id: string; now: string },
): Promise<WebhookDeliveryRow> {
  const from = await tx.webhooks.getDelivery(input.id);
  if (!from) throw new ApiError('object_not_found', `Could not find webhook delivery with ID: ${input.id}.`);
  const kind = from.kind === 'verification' ? 'verification' : 'replay';
  return queueDelivery(tx, from.subscription_id, kind, from, input.now);
}

/** A subscription as the CLI and the admin API show it (the verification token is not shown). */
export function presentSubscription(row: WebhookSubscriptionRow) {
  return {
    object: 'webhook_subscription',
    id: row.id,
    /** The internal integration, or the public integration (its client id). */
    integration_id: row.integration_id ?? row.client_id,
    public_integration: row.client_id !== null,
    url: row.url,
    event_types: JSON.parse(row.event_types) as string[],
    api_version: row.api_version,
    status: row.status,
    status_reason: row.status_reason,
    consecutive_failures: row.consecutive_failures,
    created_time: row.created_time,
    verified_time: row.verified_time,
  };
}

/** A delivery-log row as shown. */
export function presentDelivery(row: WebhookDeliveryRow) {
  return {
    object: 'webhook_delivery',
    id: row.id,
    subscription_id: row.subscription_id,
    kind: row.kind,
    status: row.status,
    event_id: row.event_id,
    event_type: row.event_type,
    attempt_number: row.attempt_number,
    request_body: row.request_body,
    response_status: row.response_status,
    response_excerpt: row.response_excerpt,
    latency_ms: row.latency_ms,
    error: row.error,
    created_time: row.created_time,
  };
}
