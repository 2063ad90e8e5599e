/**
 * `octavo webhook listen`: the integration developer's local loop. Follows the outbox from now
 * on, renders each event as a subscription would receive it, and optionally forwards it, signed,
 * to a local URL, the way payment platforms' CLIs do. No subscription is stored; the signing
 * secret is made up per session and printed, so the local receiver can verify with it.
 */
import { ALL_CAPABILITIES } from '../domain/capabilities.ts';
import { type DeliveryContext, renderEvent, type WebhookApiVersion } from '../events/render.ts';
import { randomBase62 } from '../lib/crypto.ts';
import { newId } from '../lib/ids.ts';
import type { OpEnv } from '../ops/env.ts';
import { readEvents } from '../ops/events.ts';
import { actorOf, integrationNamed } from '../ops/integrations.ts';
import { getWorkspace } from '../ops/workspace.ts';
import type { Store } from '../store/store.ts';
import type { WebhookPayload } from '../wire/webhooks.ts';
import { postJson, type SendResult, SIGNATURE_HEADER, signBody } from './send.ts';
import { DEFAULT_WEBHOOK_API_VERSION } from './subscriptions.ts';

export interface ListenOptions {
  /** Only what this integration (name) can see; everything when absent. */
  integration?: string | undefined;
  eventTypes: readonly string[];
  apiVersion?: WebhookApiVersion | undefined;
  forwardTo?: string | undefined;
  windowMs: number;
  pollMs: number;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface Heard {
  payload: WebhookPayload;
  body: string;
  forwarded: SendResult | null;
}

/** The session's signing secret and a stream of events as they are recorded. */
export async function listen(
  store: Store,
  options: ListenOptions,
): Promise<{ secret: string; events: AsyncGenerator<Heard> }> {
  const secret = `secret_${randomBase62(43)}`;
  const start = await store.transaction(async (tx) => {
    const ws = await getWorkspace(tx);
    if (!ws) throw new Error('the workspace does not exist yet (start octavo serve once)');
    const integration = options.integration ? await integrationNamed(tx, options.integration) : null;
    return { ws, integration, cursor: await tx.events.endCursor({ committed: true }) };
  });
  const env: OpEnv = {
    actor: start.integration
      ? actorOf(start.integration)
      : {
          integrationId: '',
          integrationName: 'admin',
          botUserId: '',
          capabilities: new Set(ALL_CAPABILITIES),
          seesEverything: true,
        },
    now: new Date().toISOString(),
    publicUrl: '',
  };
  const ctx: DeliveryContext = {
    apiVersion: options.apiVersion ?? DEFAULT_WEBHOOK_API_VERSION,
    workspaceId: start.ws.id,
    workspaceName: start.ws.name,
    subscriptionId: newId(),
    integrationId: start.integration?.id ?? '',
    attemptNumber: 1,
  };
  async function* follow(): AsyncGenerator<Heard> {
    let cursor = start.cursor;
    while (!options.signal.aborted) {
      const read = await store.transaction((tx) =>
        readEvents(tx, env, { after: cursor, limit: 500, windowMs: options.windowMs, now: Date.now() }),
      );
      cursor = read.cursor;
      for (const event of read.events) {
        const payload = renderEvent(event, ctx);
        if (!payload) continue;
        if (options.eventTypes.length > 0 && !options.eventTypes.includes(payload.type)) continue;
        const body = JSON.stringify(payload);
        const forwarded = options.forwardTo
          ? await postJson(
              options.forwardTo,
              body,
              { [SIGNATURE_HEADER]: signBody(body, secret) },
              { allowPrivate: true, timeoutMs: options.timeoutMs },
            )
          : null;
        yield { payload, body, forwarded };
      }
      if (read.events.length === 0) {
        await new Promise<void>((r) => {
          const wake = () => {
            clearTimeout(t);
            options.signal.removeEventListener('abort', wake);
            r();
          };
          const t = setTimeout(wake, options.pollMs);
          options.signal.addEventListener('abort', wake, { once: true });
        });
      }
    }
  }
  return { secret, events: follow() };
}
