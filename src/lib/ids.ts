/**
 * Identifier helpers. Notion ids are 32 hex digits, sent with or without dashes and in any case;
 * they are always answered dashed and lowercase. They are not required to be RFC 4122 v4.
 */
import { randomBytes } from 'node:crypto';

const HEX32 = /^[0-9a-f]{32}$/;

let lastMs = 0;
let seq = 0;

/**
 * A fresh id in the dashed, lowercase form: a version-7 UUID (milliseconds since the epoch, then
 * a counter within the millisecond, then random bits), so ids made by one process sort in the
 * order they were made — a tiebreak for objects created in the same millisecond — and new rows
 * land at the end of primary-key indexes.
 */
export function newId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    seq += 1;
    if (seq > 0xfff) {
      lastMs += 1;
      seq = 0;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    seq = 0;
  }
  const rand = randomBytes(8);
  const hex =
    ms.toString(16).padStart(12, '0') +
    (0x7000 | seq).toString(16) +
    ((rand[0]! & 0x3f) | 0x80).toString(16).padStart(2, '0') +
    rand.subarray(1).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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
