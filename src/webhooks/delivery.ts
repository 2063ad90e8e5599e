/**
 * Delivery: the dispatcher that turns new outbox events into delivery jobs, and the job that
 * sends one event to one subscription with retries.
 *
 * The dispatcher runs in every job process (`octavo jobs`, or `octavo serve` with jobs inline)
 * and looks every `pollMs`. For each active subscription whose cursor is behind the outbox it
 * takes the subscription's dispatch lease (so one process reads a subscription at a time), reads
 * the events after the cursor as the subscription's integration may see them (aggregated,
 * `canSeeEvent`), keeps those of its event types as rendered for its api_version, enqueues one
 * job per event, and only then moves the cursor. A process that dies between enqueueing and
 * moving the cursor leaves the lease to expire and the events to be enqueued again: at least
 * once, never lost. It also hands `queued` delivery rows (verification requests, replays, events
 * released by resume) to the queue.
 *
 * A delivery job carries up to JOB_EVENTS events of one subscription and their attempt number
 * (one job per event measured 58 events/s on pg-boss; a job per read batch keeps the queue's
 * per-job cost off the per-event path). It renders each event with `attempt_number`, signs the
 * exact bytes and POSTs them (several at once); every attempt is a row in the delivery log,
 * written in one transaction per job. A failed event gets a job of its own for the next attempt,
 * due after `backoffMs × 2^(attempt−1)`; when attempt `maxAttempts` fails, the subscription is
 * paused with the reason. An event whose subscription is paused is held, and queued again on
 * resume. The queue's own retries are only for a job that failed as a whole (its process died,
 * the database was unreachable): the job runs again with the same attempt number, so a receiver
 * may see an attempt twice (at least once; receivers de-duplicate by event id).
 */
import { randomUUID } from 'node:crypto';
import { type Actor, ALL_CAPABILITIES } from '../domain/capabilities.ts';
import { type DeliveryContext, renderEvent, type WebhookApiVersion } from '../events/render.ts';
import type { RecordedEvent } from '../events/types.ts';
import type { JobContext, JobQueue } from '../jobs/index.ts';
import { backoffDelay } from '../jobs/port.ts';
import { newId } from '../lib/ids.ts';
import type { Logger } from '../lib/log.ts';
import { canSeeEvent, readEvents } from '../ops/events.ts';
import { actorOf } from '../ops/integrations.ts';
import { getWorkspace, type Workspace } from '../ops/workspace.ts';
import type { Store, StoreTx, WebhookDeliveryRow, WebhookSubscriptionRow } from '../store/store.ts';
import { postJson, type SendPolicy, type SendResult, SIGNATURE_HEADER, signBody } from './send.ts';

/** The job that sends one event (or verification request) to one subscription. */
export const DELIVER_JOB = 'webhooks.deliver';

/** What the webhook runtime needs to know (Config.webhooks and the aggregation window). */
export interface WebhookSettings extends SendPolicy {
  backoffMs: number;
  maxAttempts: number;
  pollMs: number;
  /** OCTAVO_EVENT_AGGREGATION_MS. */
  aggregationMs: number;
  /** Delivery jobs running at once in this process. */
  concurrency?: number;
}

export interface DeliverPayload {
  kind: WebhookDeliveryRow['kind'];
  subscriptionId: string;
  /** The events, for kinds `event` and `replay`. */
  events?: OutgoingEvent[];
  /** Their attempt number (1 for the first). */
  attempt?: number;
}

/** Events per delivery job, and requests one job has in flight at once. */
const JOB_EVENTS = 50;
const PARALLEL_REQUESTS = 16;
/** The queue's retries of a job that failed as a whole (not of an event the receiver refused). */
const JOB_RETRIES = { retryLimit: 5, backoffMs: 1000 };

/** Events read per subscription per look. */
const BATCH = 500;
/** How long a dispatcher may hold a subscription before another process may take it over. */
const DISPATCH_LEASE_MS = 30_000;

export interface WebhookRuntime {
  store: Store;
  queue: JobQueue;
  settings: WebhookSettings;
  log?: Logger | undefined;
}

function ctxFor(sub: WebhookSubscriptionRow, ws: Workspace, attempt: number): DeliveryContext {
  return {
    apiVersion: sub.api_version as WebhookApiVersion,
    workspaceId: ws.id,
    workspaceName: ws.name,
    subscriptionId: sub.id,
    integrationId: sub.integration_id ?? sub.client_id ?? '',
    attemptNumber: attempt,
  };
}

async function workspaceOf(tx: StoreTx): Promise<Workspace> {
  const ws = await getWorkspace(tx);
  if (!ws) throw new Error('the workspace does not exist yet (start octavo serve once)');
  return ws;
}

function jobOptions(kind: DeliverPayload['kind']) {
  // Notion sends the verification request once.
  return kind === 'verification' ? { retryLimit: 0 } : JOB_RETRIES;
}

/** Runs `fn` over `items`, at most `limit` at once, keeping the order of results. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/** An event as a delivery job carries it: for a public integration, with `accessible_by`. */
export type OutgoingEvent = RecordedEvent & { accessible_by?: { id: string; type: 'person' }[] };

/** The workspace's own view, to read events before a public integration's installations filter them. */
const ADMIN: Actor = {
  integrationId: '',
  integrationName: 'admin',
  botUserId: '',
  capabilities: new Set(ALL_CAPABILITIES),
  seesEverything: true,
};

/**
 * Who reads a subscription's events: its internal integration, or each installation of its
 * public integration (with the installing person). Revoked ones are left out.
 */
async function readersOf(
  tx: StoreTx,
  sub: WebhookSubscriptionRow,
): Promise<{ actor: Actor; owner: string | null }[]> {
  if (sub.integration_id !== null) {
    const row = await tx.integrations.get(sub.integration_id);
    return row && !row.revoked_time ? [{ actor: actorOf(row), owner: null }] : [];
  }
  const out: { actor: Actor; owner: string | null }[] = [];
  for (const inst of await tx.oauth.installations(sub.client_id ?? '')) {
    const row = await tx.integrations.get(inst.integration_id);
    if (row && !row.revoked_time && inst.refresh_hash !== null)
      out.push({ actor: actorOf(row), owner: inst.owner_user_id });
  }
  return out;
}

/** Reads one subscription's new events and enqueues them; false when another process has it. */
export async function dispatchSubscription(
  rt: WebhookRuntime,
  sub: WebhookSubscriptionRow,
): Promise<boolean> {
  const { store, queue, settings } = rt;
  const token = randomUUID();
  const now = Date.now();
  // The lease is taken in the reading transaction: one round trip less on the latency path.
  const read = await store.transaction(async (tx) => {
    if (!(await tx.webhooks.claimDispatch(sub.id, sub.cursor, token, now, now + DISPATCH_LEASE_MS)))
      return null;
    const ws = await workspaceOf(tx);
    const readers = await readersOf(tx, sub);
    // A revoked integration (or a public one nobody has installed) is told nothing; its events
    // are passed over.
    if (readers.length === 0)
      return { jobs: [], cursor: (await tx.events.readAfter(sub.cursor, BATCH)).next };
    const options = { after: sub.cursor, limit: BATCH, windowMs: settings.aggregationMs, now: Date.now() };
    const at = new Date().toISOString();
    let r: { events: OutgoingEvent[]; cursor: string };
    if (sub.client_id === null) {
      r = await readEvents(tx, { actor: readers[0]!.actor, now: at, publicUrl: '' }, options);
    } else {
      // A public integration: every installation that can see the event; their owners are
      // `accessible_by`, and an event no installation can see is not sent.
      const all = await readEvents(tx, { actor: ADMIN, now: at, publicUrl: '' }, options);
      const events: OutgoingEvent[] = [];
      for (const e of all.events) {
        const who: { id: string; type: 'person' }[] = [];
        for (const reader of readers) {
          if (!(await canSeeEvent(tx, { actor: reader.actor, now: at, publicUrl: '' }, e))) continue;
          if (reader.owner && !who.some((w) => w.id === reader.owner))
            who.push({ id: reader.owner, type: 'person' });
        }
        if (who.length > 0) events.push({ ...e, accessible_by: who });
      }
      r = { events, cursor: all.cursor };
    }
    const types = JSON.parse(sub.event_types) as string[];
    const jobs = r.events.filter((e) => {
      const payload = renderEvent(e, ctxFor(sub, ws, 1));
      return payload !== null && (types.length === 0 || types.includes(payload.type));
    });
    return { jobs, cursor: r.cursor };
  });
  if (!read) return false;
  let cursor = sub.cursor;
  try {
    const chunks: OutgoingEvent[][] = [];
    for (let i = 0; i < read.jobs.length; i += JOB_EVENTS) chunks.push(read.jobs.slice(i, i + JOB_EVENTS));
    await Promise.all(
      chunks.map((events) =>
        queue.enqueue(
          DELIVER_JOB,
          { kind: 'event', subscriptionId: sub.id, events, attempt: 1 } satisfies DeliverPayload,
          jobOptions('event'),
        ),
      ),
    );
    cursor = read.cursor;
    return true;
  } finally {
    // Moves the cursor past what was enqueued (or, after a failure, only gives the lease back).
    await store.transaction((tx) => tx.webhooks.finishDispatch(sub.id, token, cursor));
  }
}

/** Hands `queued` delivery rows to the queue, each claimed first so one process sends it. */
async function enqueueQueued(rt: WebhookRuntime, rows: readonly WebhookDeliveryRow[]): Promise<void> {
  for (const row of rows) {
    const mine = await rt.store.transaction((tx) => tx.webhooks.moveDelivery(row.id, 'queued', 'enqueued'));
    if (!mine) continue;
    const payload: DeliverPayload = {
      kind: row.kind,
      subscriptionId: row.subscription_id,
      ...(row.event ? { events: [JSON.parse(row.event) as RecordedEvent], attempt: 1 } : {}),
    };
    try {
      await rt.queue.enqueue(DELIVER_JOB, payload, jobOptions(row.kind));
    } catch (e) {
      await rt.store.transaction((tx) => tx.webhooks.moveDelivery(row.id, 'enqueued', 'queued'));
      throw e;
    }
  }
}

/** One look: every subscription behind the outbox, then queued deliveries. */
export async function dispatchOnce(rt: WebhookRuntime): Promise<void> {
  const { subs, end, queued } = await rt.store.transaction(async (tx) => ({
    subs: await tx.webhooks.list(),
    end: await tx.events.endCursor(),
    queued: await tx.webhooks.deliveriesIn('queued', 100),
  }));
  for (const sub of subs) {
    if (sub.status === 'active' && sub.cursor !== end) await dispatchSubscription(rt, sub);
  }
  await enqueueQueued(rt, queued);
}

function logRow(
  sub: WebhookSubscriptionRow,
  kind: WebhookDeliveryRow['kind'],
  event: RecordedEvent | undefined,
  eventType: string | null,
  attempt: number | null,
  body: string,
  r: SendResult,
): WebhookDeliveryRow {
  return {
    id: newId(),
    subscription_id: sub.id,
    kind,
    status: r.ok ? 'succeeded' : 'failed',
    event_id: event?.id ?? null,
    event_type: eventType,
    event: event ? JSON.stringify(event) : null,
    attempt_number: attempt,
    request_body: body,
    response_status: r.status,
    response_excerpt: r.excerpt,
    latency_ms: r.latencyMs,
    error: r.error,
    created_time: new Date().toISOString(),
  };
}

/** The delivery job's handler. */
export function deliverHandler(rt: WebhookRuntime) {
  let workspace: Workspace | undefined;
  return async (p: DeliverPayload, _job: JobContext): Promise<void> => {
    const { store, settings } = rt;
    const sub = await store.transaction((tx) => tx.webhooks.get(p.subscriptionId));
    if (!sub) return; // deleted meanwhile
    if (p.kind === 'verification') {
      const body = JSON.stringify({ verification_token: sub.verification_token });
      const r = await postJson(sub.url, body, {}, settings);
      await store.transaction((tx) =>
        tx.webhooks.insertDeliveries([logRow(sub, 'verification', undefined, null, null, body, r)]),
      );
      return;
    }
    const events = p.events ?? [];
    if (p.kind === 'event' && sub.status !== 'active') {
      const held = events.map((event) => ({
        ...logRow(sub, 'event', event, event.type, null, '', NOT_SENT),
        status: 'held' as const,
        request_body: null,
        latency_ms: null,
      }));
      await store.transaction((tx) => tx.webhooks.insertDeliveries(held));
      return;
    }
    workspace ??= await store.transaction(workspaceOf);
    const ws = workspace;
    const attempt = Math.min(p.attempt ?? 1, 8);
    const sent = (
      await mapLimit(events, PARALLEL_REQUESTS, async (event) => {
        const rendered = renderEvent(event, ctxFor(sub, ws, attempt));
        if (!rendered) return null;
        const payload = event.accessible_by ? { ...rendered, accessible_by: event.accessible_by } : rendered;
        const body = JSON.stringify(payload);
        const headers = { [SIGNATURE_HEADER]: signBody(body, sub.verification_token) };
        return { event, type: payload.type, body, r: await postJson(sub.url, body, headers, settings) };
      })
    ).filter((x) => x !== null);
    const failed = sent.filter((s) => !s.r.ok);
    const last = attempt >= settings.maxAttempts;
    await store.transaction(async (tx) => {
      await tx.webhooks.insertDeliveries(
        sent.map((s) => logRow(sub, p.kind, s.event, s.type, attempt, s.body, s.r)),
      );
      const now = await tx.webhooks.get(sub.id);
      if (!now) return;
      if (failed.length === 0) {
        if (now.consecutive_failures !== 0) await tx.webhooks.update(sub.id, { consecutive_failures: 0 });
        return;
      }
      const failures = now.consecutive_failures + failed.length;
      const first = failed[0]!;
      if (last && now.status === 'active') {
        await tx.webhooks.update(sub.id, {
          consecutive_failures: failures,
          status: 'paused',
          status_reason: `event ${first.event.id} (${first.type}) failed all ${attempt} attempts; last: ${first.r.error}`,
        });
        if (rt.log)
          rt.log.warn({ subscription: sub.id, event: first.event.id }, 'webhook subscription paused');
        else console.error(`octavo: webhook subscription ${sub.id} paused: event ${first.event.id} failed`);
      } else await tx.webhooks.update(sub.id, { consecutive_failures: failures });
    });
    if (last) return;
    const runAt = new Date(Date.now() + backoffDelay(settings.backoffMs, attempt));
    for (const f of failed) {
      const retry: DeliverPayload = {
        kind: p.kind,
        subscriptionId: sub.id,
        events: [f.event],
        attempt: attempt + 1,
      };
      await rt.queue.enqueue(DELIVER_JOB, retry, { ...JOB_RETRIES, runAt });
    }
  };
}

const NOT_SENT: SendResult = { ok: false, status: null, excerpt: null, latencyMs: 0, error: null };

/** The delivery log keeps attempts this long; pruned every PRUNE_EVERY_MS by each dispatcher. */
export const DELIVERY_LOG_DAYS = 30;
const PRUNE_EVERY_MS = 10 * 60 * 1000;

/** The smallest id (lib/ids.ts layout: 48 bits of milliseconds first) made at `ms` or later. */
function firstIdAt(ms: number): string {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8)}`;
}

async function pruneLog(rt: WebhookRuntime): Promise<void> {
  const cutoff = firstIdAt(Date.now() - DELIVERY_LOG_DAYS * 24 * 60 * 60 * 1000);
  await rt.store.transaction((tx) => tx.webhooks.pruneDeliveries(cutoff));
}

/** The running webhook side of a job process. */
export interface RunningWebhooks {
  stop(): Promise<void>;
}

/** Starts the delivery consumer and the dispatcher loop on `rt.queue`. */
export async function startWebhooks(rt: WebhookRuntime): Promise<RunningWebhooks> {
  await rt.queue.consume<DeliverPayload>(DELIVER_JOB, deliverHandler(rt), {
    concurrency: rt.settings.concurrency ?? 8,
  });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let pruned = 0;
  const loop = () => {
    const prune = Date.now() - pruned > PRUNE_EVERY_MS;
    if (prune) pruned = Date.now();
    running = (prune ? pruneLog(rt) : Promise.resolve())
      .then(() => dispatchOnce(rt))
      .catch((err: Error) => {
        // `octavo jobs` has no logger of its own: a failing dispatcher must not be silent there.
        if (rt.log) rt.log.error({ err }, 'webhook dispatch failed');
        else console.error(`octavo: webhook dispatch failed: ${err.message}`);
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, rt.settings.pollMs);
      });
  };
  loop();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
