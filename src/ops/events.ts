/**
 * Reading the change-event outbox as a consumer: aggregation applied, and only what the reading
 * integration may see. The later webhook worker and `octavo events tail` both read through here.
 */
import { aggregateEvents } from '../events/aggregate.ts';
import type { EventCursor } from '../events/cursor.ts';
import type { RecordedEvent } from '../events/types.ts';
import type { StoreTx } from '../store/store.ts';
import { canSee, type OpEnv } from './env.ts';

/**
 * Whether the acting integration may be told about `event`: the one visibility rule (`canSee`:
 * the entity or an ancestor is shared with it), and for file uploads, that the upload is its own,
 * as everywhere else uploads are listed; a view, its database. A trashed page stays visible to
 * those who could see it.
 */
export function canSeeEvent(tx: StoreTx, env: OpEnv, event: RecordedEvent): Promise<boolean> {
  if (event.entity.type === 'file_upload') {
    return Promise.resolve(
      env.actor.seesEverything === true || event.integrationId === env.actor.integrationId,
    );
  }
  // A view is not a block: it is seen by whoever sees its database (the event's parent).
  if (event.entity.type === 'view') {
    const database = event.data.parent?.id;
    return database ? canSee(tx, env, database) : Promise.resolve(env.actor.seesEverything === true);
  }
  return canSee(tx, env, event.entity.id);
}

export interface EventReadOptions {
  /** The cursor the consumer kept (START_CURSOR for the start). */
  after: EventCursor;
  /** How many recorded events to read at most (aggregation may answer fewer). */
  limit: number;
  /** The aggregation window (Config.eventAggregationMs). */
  windowMs: number;
  /** The instant open aggregation windows are judged against, in ms. */
  now: number;
}

/** Events after the cursor that `env`'s integration may see, aggregated; and the next cursor. */
export async function readEvents(
  tx: StoreTx,
  env: OpEnv,
  options: EventReadOptions,
): Promise<{ events: RecordedEvent[]; cursor: EventCursor }> {
  const raw = await tx.events.readAfter(options.after, options.limit);
  const read = aggregateEvents(raw.events, options.after, options.windowMs, options.now);
  const events: RecordedEvent[] = [];
  for (const e of read.events) if (await canSeeEvent(tx, env, e)) events.push(e);
  return { events, cursor: read.cursor };
}
