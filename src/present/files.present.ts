/**
 * Hosted files on the wire: a stored upload reference (domain/file-uploads.ts) becomes Notion's
 * `{type: "file", file: {url, expiry_time}}`, its URL signed afresh on every read.
 */
import { hostedRefOf } from '../domain/file-uploads.ts';
import type { PresentContext } from './context.ts';

/** `value` with a stored upload reference replaced by a signed URL; anything else unchanged. */
export function presentFile<T>(value: T, ctx: PresentContext): T {
  const ref = hostedRefOf(value);
  return ref ? ({ ...value, file: ctx.hostedFile(ref) } as T) : value;
}

/** An icon or cover column (JSON text or null) in its response form. */
export function presentFileColumn(text: string | null, ctx: PresentContext): never | null {
  return text === null ? null : (presentFile(JSON.parse(text), ctx) as never);
}
