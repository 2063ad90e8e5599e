/**
 * The webhooks repository: subscriptions (with the dispatcher's lease) and the delivery log,
 * written once for both engines. Delivery ids are time-ordered, so id order is creation order.
 */
import type { Kysely, Transaction } from 'kysely';
import { dispatchLease } from './dispatch-lease.ts';
import type { Database } from './schema.ts';
import type { WebhookRepo } from './store.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The webhooks repository bound to a connection or transaction. */
export function webhookRepo(db: Db): WebhookRepo {
  const lease = dispatchLease(db, {
    table: 'webhook_subscriptions',
    live: { column: 'status', value: 'active' },
  });
  return {
    insert: async (row) => {
      await db.insertInto('webhook_subscriptions').values(row).execute();
    },
    get: (id) => db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst(),
    list: (integrationId) => {
      let q = db.selectFrom('webhook_subscriptions').selectAll();
      if (integrationId) q = q.where('integration_id', '=', integrationId);
      return q.orderBy('created_time').orderBy('id').execute();
    },
    update: async (id, patch) => {
      await db.updateTable('webhook_subscriptions').set(patch).where('id', '=', id).execute();
    },
    delete: async (id) => {
      await db.deleteFrom('webhook_deliveries').where('subscription_id', '=', id).execute();
      await db.deleteFrom('webhook_subscriptions').where('id', '=', id).execute();
    },
    claimDispatch: lease.claim,
    finishDispatch: lease.finish,
    insertDeliveries: async (rows) => {
      if (rows.length > 0)
        await db
          .insertInto('webhook_deliveries')
          .values([...rows])
          .execute();
    },
    updateDelivery: async (id, patch) => {
      await db.updateTable('webhook_deliveries').set(patch).where('id', '=', id).execute();
    },
    moveDelivery: async (id, from, to) => {
      const r = await db
        .updateTable('webhook_deliveries')
        .set({ status: to })
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    getDelivery: (id) =>
      db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst(),
    listDeliveries: (subscriptionId, limit) => {
      let q = db.selectFrom('webhook_deliveries').selectAll();
      if (subscriptionId) q = q.where('subscription_id', '=', subscriptionId);
      return q.orderBy('id', 'desc').limit(limit).execute();
    },
    pruneDeliveries: async (beforeId) => {
      await db
        .deleteFrom('webhook_deliveries')
        .where('id', '<', beforeId)
        .where('status', 'in', ['succeeded', 'failed', 'enqueued'])
        .execute();
    },
    deliveriesIn: (status, limit, subscriptionId) => {
      let q = db.selectFrom('webhook_deliveries').selectAll().where('status', '=', status);
      if (subscriptionId) q = q.where('subscription_id', '=', subscriptionId);
      return q.orderBy('id').limit(limit).execute();
    },
  };
}
