/**
 * Identifier helpers. Notion ids are 32 hex digits, sent with or without dashes and in any case;
 * they are always answered dashed and lowercase. They are not required to be RFC 4122 v4.
 */
import { randomUUID } from 'node:crypto';

const HEX32 = /^[0-9a-f]{32}$/;

let lastMs = 0;
let sequence = 0;

/**
 * A fresh id in the dashed, lowercase form that sorts after every id this process made before
 * it: the layout of a version 7 UUID (48 bits of Unix milliseconds, then a 12-bit sequence within
 * the millisecond and 62 random bits). Objects created in the same millisecond keep their order
 * (newest-first listings tie-break on the id), and ids made in a burst land next to each other in
 * every index keyed by id, so a bulk write touches a few index pages instead of one random page
 * per row. The time of creation it reveals is the object's `created_time`, shown anyway.
 */
export function newId(now = Date.now()): string {
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
  return `${ms.slice(0, 8)}-${ms.slice(8)}-${seq}-${randomUUID().slice(19)}`;
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
