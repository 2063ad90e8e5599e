/** Custom emojis on the wire (SDK `CustomEmojiResponse`): id, name and a signed image URL. */
import type { CustomEmojiResponse } from '@notionhq/client';
import type { CustomEmojiRow } from '../store/store.ts';
import type { PresentContext } from './context.ts';

export function presentCustomEmoji(
  row: Pick<CustomEmojiRow, 'id' | 'name' | 'file_upload_id'> & { filename: string },
  ctx: PresentContext,
): CustomEmojiResponse {
  const { url } = ctx.hostedFile({ file_upload_id: row.file_upload_id, filename: row.filename });
  return { id: row.id, name: row.name, url };
}
