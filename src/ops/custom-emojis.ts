/**
 * Custom emojis (notion-api.md §4.10): a workspace-wide name and an image. The image is kept as a
 * file upload owned by no integration (bytes in `file_upload_parts`, like every hosted file), so
 * its URL is signed and served like any other hosted file. They are added by the workspace's
 * administration (`octavo emoji add NAME FILE`); the API only lists them and takes them as icons.
 */
import { resolveFileType } from '../domain/file-types.ts';
import { cleanFilename } from '../domain/file-uploads.ts';
import { newId } from '../lib/ids.ts';
import type { CustomEmojiRow, Page, StoreTx } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import { bodyError, type PathSegment } from '../wire/validation.ts';
import { ADMIN_EMAIL } from './workspace.ts';

/** Notion's emoji names: lowercase letters, digits, `_` and `-`. */
const NAME = /^[a-z0-9_-]{1,64}$/;
/** The largest image accepted for an emoji (they are shown at icon size). */
export const MAX_EMOJI_BYTES = 5 * 1024 * 1024;

/** Adds a custom emoji from an image file's bytes; the name must be free. */
export async function addCustomEmoji(
  tx: StoreTx,
  input: { name: string; filename: string; bytes: Uint8Array; now: string },
): Promise<CustomEmojiRow> {
  if (!NAME.test(input.name)) {
    throw errors.validation(
      `The emoji name ${JSON.stringify(input.name)} is not valid: use 1 to 64 lowercase letters, digits, _ or -.`,
    );
  }
  const taken = await tx.customEmojis.list(input.name, null, 1);
  if (taken.items.length > 0) throw errors.validation(`A custom emoji named ${input.name} exists already.`);
  const filename = cleanFilename(input.filename, ['file']);
  const type = resolveFileType(filename, null);
  if (!type.contentType?.startsWith('image/')) {
    throw errors.validation(`${input.filename} is not an image (gif, png, jpeg, svg, webp, …).`);
  }
  if (input.bytes.byteLength === 0 || input.bytes.byteLength > MAX_EMOJI_BYTES) {
    throw errors.validation(
      `An emoji image must hold 1 to ${MAX_EMOJI_BYTES} bytes (this one ${input.bytes.byteLength}).`,
    );
  }
  const admin = await tx.users.getByEmail(ADMIN_EMAIL);
  const uploadId = newId();
  await tx.fileUploads.insert({
    id: uploadId,
    integration_id: null,
    created_by: admin?.id ?? uploadId,
    mode: 'single_part',
    status: 'uploaded',
    filename: type.filename,
    content_type: type.contentType,
    content_length: input.bytes.byteLength,
    number_of_parts: null,
    external_url: null,
    import_result: null,
    created_time: input.now,
    last_edited_time: input.now,
    expiry_time: null,
  });
  await tx.fileUploads.putPart(uploadId, 1, input.bytes);
  const row: CustomEmojiRow = {
    id: newId(),
    name: input.name,
    file_upload_id: uploadId,
    created_time: input.now,
    created_by: admin?.id ?? uploadId,
  };
  await tx.customEmojis.insert(row);
  return row;
}

/** The workspace's emojis by id, each with its image's file name; `name` finds one by its exact name. */
export async function listCustomEmojis(
  tx: StoreTx,
  name: string | null,
  from: string | null,
  limit: number,
): Promise<Page<CustomEmojiRow & { filename: string }>> {
  const page = await tx.customEmojis.list(name, from, limit);
  const uploads = await Promise.all(page.items.map((e) => tx.fileUploads.get(e.file_upload_id)));
  return { ...page, items: page.items.map((e, i) => ({ ...e, filename: uploads[i]?.filename ?? 'emoji' })) };
}

/** The stored form of a `custom_emoji` icon: its id, name and the image's upload reference. */
export async function customEmojiIcon(
  tx: StoreTx,
  id: string,
  path: PathSegment[],
): Promise<Record<string, unknown>> {
  const emoji = await tx.customEmojis.get(id);
  if (!emoji) throw bodyError([...path, 'id'], 'should be the id of a custom emoji of this workspace', id);
  const upload = await tx.fileUploads.get(emoji.file_upload_id);
  return {
    type: 'custom_emoji',
    custom_emoji: {
      id: emoji.id,
      name: emoji.name,
      file_upload_id: emoji.file_upload_id,
      filename: upload?.filename ?? 'emoji',
    },
  };
}
