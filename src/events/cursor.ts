/**
 * The consumer cursor over the change-event outbox: where a reader resumes. Opaque to consumers
 * (they keep it and hand it back; no arithmetic, no comparing two cursors): inside it is the
 * pair the outbox is read in, the writing transaction's id and the event's row number
 * (docs/ARCHITECTURE.md, "Change events"). SQLite has one writer at a time and records
 * transaction id 0, so there the row number alone orders events.
 */

/** A position in the outbox, as text: `<xid>-<seq>`. */
export type EventCursor = string;

/** The cursor before every event. */
export const START_CURSOR: EventCursor = '0-0';

/** The pair a cursor stands for; xid is decimal text (Postgres xid8 is 64-bit). */
export interface CursorPosition {
  xid: string;
  seq: number;
}

/** The cursor just after an event recorded by transaction `xid` as row `seq`. */
export function cursorAt(xid: string | number | bigint, seq: number): EventCursor {
  return `${BigInt(xid)}-${seq}`;
}

/**
 * The position `cursor` names, or null for text that is no cursor. A bare event number `n` (the
 * cursor before transaction ids were recorded, migration 008) stands for `0-n`: every event
 * recorded before that migration has transaction id 0, and every later one a larger id.
 */
export function parseCursor(cursor: string): CursorPosition | null {
  const m = /^(?:(\d{1,20})-)?(\d{1,15})$/.exec(cursor);
  if (!m) return null;
  const xid = BigInt(m[1] ?? '0');
  if (xid >= 2n ** 64n) return null;
  return { xid: xid.toString(), seq: Number(m[2]) };
}
