/**
 * Identifier helpers. Notion ids are 32 hex digits, sent with or without dashes and in any case;
 * they are always answered dashed and lowercase. They are not required to be RFC 4122 v4.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';

const HEX32 = /^[0-9a-f]{32}$/;

let lastMs = 0;
let sequence = 0;

/** Where the random tail and the time of new ids come from (configureIds); default: crypto, Date. */
let randomTail: () => string = () => randomUUID().slice(19);
let idClock: () => number = () => Date.now();

/** Ids handed out before generating, for objects whose id a caller chose (withIds). */
const given = new AsyncLocalStorage<(string | undefined)[]>();

/**
 * Makes ids reproducible: with `seed`, the 62 random bits come from a counter hashed with the
 * seed (SHA-256), and with `clock`, the time part comes from it instead of `Date.now()`. Together,
 * the same seed, clock and sequence of creations give the same ids (`OCTAVO_ID_SEED` with
 * `OCTAVO_CLOCK`). `null` goes back to random bits; the sequence restarts either way.
 */
export function configureIds(options: { seed?: string | null; clock?: (() => number) | null }): void {
  if (options.seed !== undefined) {
    const seed = options.seed;
    let counter = 0;
    randomTail =
      seed === null
        ? () => randomUUID().slice(19)
        : () => {
            const h = createHash('sha256').update(`${seed}:${counter++}`).digest('hex');
            // The RFC 4122 variant (10xx) in the first hex digit, as in a random UUID.
            const variant = ((Number.parseInt(h[0]!, 16) & 0x3) | 0x8).toString(16);
            return `${variant}${h.slice(1, 4)}-${h.slice(4, 16)}`;
          };
  }
  if (options.clock !== undefined) idClock = options.clock ?? (() => Date.now());
  lastMs = 0;
  sequence = 0;
}

/**
 * Runs `fn` with the ids it creates taken from `ids` first, in creation order (an `undefined`
 * entry makes a fresh id), then fresh ones: how a fixture gives objects the ids tests refer to
 * while the objects are still made by the ordinary operations. Scoped to `fn`'s async context.
 */
export function withIds<T>(ids: readonly (string | undefined)[], fn: () => T): T {
  return given.run([...ids], fn);
}

/**
 * A fresh id in the dashed, lowercase form that sorts after every id this process made before
 * it: the layout of a version 7 UUID (48 bits of Unix milliseconds, then a 12-bit sequence within
 * the millisecond and 62 random bits). Objects created in the same millisecond keep their order
 * (newest-first listings tie-break on the id), and ids made in a burst land next to each other in
 * every index keyed by id, so a bulk write touches a few index pages instead of one random page
 * per row. The time of creation it reveals is the object's `created_time`, shown anyway.
 */
export function newId(now = idClock()): string {
  const queue = given.getStore();
  if (queue && queue.length > 0) {
    const chosen = queue.shift();
    if (chosen !== undefined) return chosen;
  }
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    // More than 4,096 ids in one millisecond: borrow the next one, keeping the order.
    lastMs++;
    sequence = 0;
  }
  const ms = lastMs.toString(16).padStart(12, '0');
  const seq = (0x7000 | sequence).toString(16);
  // The last two groups of a random UUID: the RFC 4122 variant and 62 random bits.
  return `${ms.slice(0, 8)}-${ms.slice(8)}-${seq}-${randomTail()}`;
}

/** Returns the dashed lowercase form of `raw`, or null when it is not 32 hex digits. */
export function normalizeId(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const hex = raw.trim().toLowerCase().replaceAll('-', '');
  if (!HEX32.test(hex)) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The 32-hex form without dashes, as used in page URLs. */
export function compactId(id: string): string {
  return id.replaceAll('-', '');
}
