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

/**
 * A clock tests can set and move (`OCTAVO_CLOCK`, `POST /_octavo/clock`). It runs with the
 * system's time until told otherwise; `set` either stops it at a moment (`frozen`) or lets it run
 * on from there; `advance` moves it by some milliseconds either way.
 */
export class ControlledClock {
  /** Milliseconds added to the system's time while running. */
  private offsetMs = 0;
  /** The moment it shows while frozen. */
  private frozenAt: number | null = null;

  /** `start`: an ISO time to start frozen at (OCTAVO_CLOCK), or nothing for the system's time. */
  constructor(start?: string) {
    if (start !== undefined) this.set(start, true);
  }

  readonly now: Clock = () => new Date(this.frozenAt ?? Date.now() + this.offsetMs);

  get frozen(): boolean {
    return this.frozenAt !== null;
  }

  /** Shows `iso` from now on: frozen there, or running on from it. */
  set(iso: string, frozen: boolean): void {
    const at = Date.parse(iso);
    if (Number.isNaN(at)) throw new RangeError(`not a time: ${iso}`);
    if (frozen) {
      this.frozenAt = at;
      this.offsetMs = 0;
    } else {
      this.frozenAt = null;
      this.offsetMs = at - Date.now();
    }
  }

  advance(ms: number): void {
    if (this.frozenAt !== null) this.frozenAt += ms;
    else this.offsetMs += ms;
  }

  /** Back to the system's time. */
  release(): void {
    this.frozenAt = null;
    this.offsetMs = 0;
  }
}
