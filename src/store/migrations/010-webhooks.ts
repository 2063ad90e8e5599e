import type { Kysely } from 'kysely';

/**
 * Webhook subscriptions and their delivery log (`webhooks/`, docs/ARCHITECTURE.md "Webhooks").
 *
 * `webhook_subscriptions.cursor` is the subscription's own place in the event outbox (opaque,
 * events/cursor.ts): the dispatcher reads after it and moves it once the events it read are
 * enqueued as delivery jobs. `dispatch_until`/`dispatch_token` are the dispatcher's lease (epoch
 * ms), so that of several job processes one reads a subscription's events at a time.
 *
 * `webhook_deliveries` holds one row per attempt (and per verification request), plus rows that
 * wait for the dispatcher to enqueue them (`status = 'queued'`: replays, held events released by
 * resume, verification requests) and events held while their subscription was paused.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // An internal integration's subscription names it; a public (OAuth) integration's names its
    // client (`oauth_clients.id`, migration 011: no foreign key from here) and reaches every
    // installation. Exactly one of the two is set.
    .addColumn('integration_id', 'text', (c) => c.references('integrations.id').onDelete('cascade'))
    .addColumn('client_id', 'text')
    .addColumn('url', 'text', (c) => c.notNull())
    // JSON array of event types; empty means every type.
    .addColumn('event_types', 'text', (c) => c.notNull())
    .addColumn('api_version', 'text', (c) => c.notNull())
    .addColumn('verification_token', 'text', (c) => c.notNull())
    // pending_verification | active | paused
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('dispatch_until', 'bigint')
    .addColumn('dispatch_token', 'text')
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('verified_time', 'text')
    .execute();
  await db.schema
    .createIndex('webhook_subscriptions_integration')
    .on('webhook_subscriptions')
    .column('integration_id')
    .execute();
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) =>
      c.notNull().references('webhook_subscriptions.id').onDelete('cascade'),
    )
    // verification | event | replay
    .addColumn('kind', 'text', (c) => c.notNull())
    // queued | enqueued | held | succeeded | failed
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text')
    .addColumn('event_type', 'text')
    // JSON of the recorded event (events/types.ts RecordedEvent), so it can be sent again.
    .addColumn('event', 'text')
    .addColumn('attempt_number', 'integer')
    .addColumn('request_body', 'text')
    .addColumn('response_status', 'integer')
    .addColumn('response_excerpt', 'text')
    .addColumn('latency_ms', 'integer')
    .addColumn('error', 'text')
    .addColumn('created_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_subscription')
    .on('webhook_deliveries')
    .columns(['subscription_id', 'id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_status')
    .on('webhook_deliveries')
    .columns(['status', 'id'])
    .execute();
}
