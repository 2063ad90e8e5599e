/**
 * Hosted files on the wire: a stored upload reference (domain/file-uploads.ts) becomes Notion's
 * `{type: "file", file: {url, expiry_time}}`, its URL signed afresh on every read.
 */
import { hostedRefOf } from '../domain/file-uploads.ts';
import type { PresentContext } from './context.ts';

/** `value` with a stored upload reference replaced by a signed URL; anything else unchanged. */
export function presentFile<T>(value: T, ctx: PresentContext): T {
  const emoji = (value as { type?: unknown; custom_emoji?: Record<string, string> } | null)?.custom_emoji;
  if (emoji?.file_upload_id) {
    // A custom emoji icon is stored with its image's upload (ops/custom-emojis.ts).
    const { url } = ctx.hostedFile({
      file_upload_id: emoji.file_upload_id,
      filename: emoji.filename ?? 'emoji',
    });
    return { type: 'custom_emoji', custom_emoji: { id: emoji.id, name: emoji.name, url } } as T;
  }
  const ref = hostedRefOf(value);
  return ref ? ({ ...value, file: ctx.hostedFile(ref) } as T) : value;
}

/** An icon or cover column (JSON text or null) in its response form. */
export function presentFileColumn(text: string | null, ctx: PresentContext): never | null {
  return text === null ? null : (presentFile(JSON.parse(text), ctx) as never);
}
