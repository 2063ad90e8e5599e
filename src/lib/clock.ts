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

/**
 * Notion writes a 2025-09-03+ database container's timestamps unrounded, with milliseconds and a
 * `+00:00` offset instead of `Z` (`2026-07-04T09:08:53.017+00:00`, every recorded database).
 */
export function toOffsetIso(iso: string): string {
  return iso.replace(/Z$/, '+00:00');
}
