/**
 * Aggregation, as Notion does for rapid edits: `page.content_updated` events of one page whose
 * timestamps fall within a window of the first become one event, with every block and author
 * of the group. A pure function over recorded events; committed rows are never rewritten, so
 * the outbox stays the plain record of what happened and each reader aggregates alike.
 */
import type { EventCursor } from './cursor.ts';
import type { EventAuthor, RecordedEvent, UpdatedBlock } from './types.ts';

/** What one read hands a consumer: events to deliver and the cursor to resume from. */
export interface AggregatedRead {
  events: RecordedEvent[];
  /** The cursor after the last recorded event accounted for (delivered, alone or merged). */
  cursor: EventCursor;
}

const AGGREGATED = 'page.content_updated';

function union<T extends { id: string }>(into: T[], more: readonly T[]): T[] {
  for (const item of more) if (!into.some((x) => x.id === item.id)) into.push(item);
  return into;
}

/**
 * Aggregates `events` (read after `cursor`, in read order) as of `now` (ms). A content update
 * whose window is still open at `now` may yet gain members, so the read stops before it: it and
 * everything after wait for a later read. Each merged event keeps its first member's id, so a
 * receiver's de-duplication holds across reads.
 */
export function aggregateEvents(
  events: readonly RecordedEvent[],
  cursor: EventCursor,
  windowMs: number,
  now: number,
): AggregatedRead {
  let end = events.length;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.type === AGGREGATED && Date.parse(e.timestamp) + windowMs > now) {
      end = i;
      break;
    }
  }
  const prefix = events.slice(0, end);
  const out: RecordedEvent[] = [];
  const open = new Map<string, { event: RecordedEvent; until: number }>();
  for (const e of prefix) {
    if (e.type !== AGGREGATED) {
      out.push(e);
      continue;
    }
    const at = Date.parse(e.timestamp);
    const group = open.get(e.entity.id);
    if (group && at <= group.until) {
      const g = group.event;
      g.authors = union<EventAuthor>([...g.authors], e.authors);
      g.data = {
        ...g.data,
        updated_blocks: union<UpdatedBlock>([...(g.data.updated_blocks ?? [])], e.data.updated_blocks ?? []),
      };
      g.timestamp = e.timestamp;
      g.seq = e.seq;
      g.cursor = e.cursor;
      continue;
    }
    const copy: RecordedEvent = { ...e, data: { ...e.data }, authors: [...e.authors] };
    open.set(e.entity.id, { event: copy, until: at + windowMs });
    out.push(copy);
  }
  return { events: out, cursor: prefix.at(-1)?.cursor ?? cursor };
}
