/** Time helpers. Stored timestamps are ISO-8601 strings with milliseconds and `Z`. */

export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** ISO-8601 with milliseconds, UTC. */
export function isoNow(clock: Clock = systemClock): string {
  return clock().toISOString();
}

/**
 * Notion reports page and block timestamps rounded down to the minute (`…:00.000Z`).
 * Storage keeps full precision; presenters call this.
 */
export function toMinute(iso: string): string {
  return `${iso.slice(0, 16)}:00.000Z`;
}
