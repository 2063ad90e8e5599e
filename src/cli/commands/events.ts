/**
 * `octavo events tail`: the recorded change events, oldest first, for a developer to watch what
 * writes record. Aggregation is applied as a consumer would see it; windows still open wait.
 */
import { ALL_CAPABILITIES } from '../../domain/capabilities.ts';
import { type EventCursor, parseCursor, START_CURSOR } from '../../events/cursor.ts';
import type { RecordedEvent } from '../../events/types.ts';
import { readEvents } from '../../ops/events.ts';
import { UsageError, type Values } from '../args.ts';
import { withStore } from '../context.ts';

const PAGE = 500;

function cursorOf(raw: string | undefined): EventCursor {
  if (raw === undefined) return START_CURSOR;
  if (!parseCursor(raw))
    throw new UsageError(`--after must be a cursor printed by events tail (such as 0-0), not ${raw}`);
  return raw;
}

function line(e: RecordedEvent): string {
  const who = e.authors.map((a) => `${a.type}:${a.id}`).join(',');
  const extra = e.data.updated_blocks
    ? ` blocks=${e.data.updated_blocks.length}`
    : e.data.updated_properties
      ? ` properties=${e.data.updated_properties.length}`
      : '';
  return `${e.cursor}\t${e.timestamp}\t${e.type}\t${e.entity.type}:${e.entity.id}\tby ${who}${extra}`;
}

/**
 * Prints every event after --after (JSON lines with --json), each line starting with its cursor,
 * then the cursor to resume from.
 */
export async function eventsTailCommand(values: Values): Promise<void> {
  let after = cursorOf(values.after);
  await withStore(values, async (store, config) => {
    const env = {
      actor: {
        integrationId: '',
        integrationName: 'admin',
        botUserId: '',
        capabilities: new Set(ALL_CAPABILITIES),
        seesEverything: true as const,
      },
      now: new Date().toISOString(),
      publicUrl: '',
    };
    for (;;) {
      const read = await store.transaction((tx) =>
        readEvents(tx, env, { after, limit: PAGE, windowMs: config.eventAggregationMs, now: Date.now() }),
      );
      for (const e of read.events) console.log(values.json ? JSON.stringify(e) : line(e));
      if (read.cursor === after) break;
      after = read.cursor;
    }
    if (!values.json) console.error(`next: --after ${after}`);
  });
}
