/**
 * Identifier helpers. Notion ids are 32 hex digits, sent with or without dashes and in any case;
 * they are always answered dashed and lowercase. They are not required to be RFC 4122 v4.
 */
import { randomUUID } from 'node:crypto';

const HEX32 = /^[0-9a-f]{32}$/;

/** A fresh id in the dashed, lowercase form. */
export function newId(): string {
  return randomUUID();
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
