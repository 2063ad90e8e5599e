/** Shared pieces of page and database writes: sibling order keys, icons and covers. */
import { storedFile } from '../domain/file-uploads.ts';
import { keyAfter, keyBetween } from '../lib/order-key.ts';
import type { BlockRow, StoreTx } from '../store/store.ts';
import type { CoverRequest, IconRequest } from '../wire/common.schema.ts';
import { errors } from '../wire/errors.ts';
import type { PagePosition } from '../wire/pages.schema.ts';
import type { PathSegment } from '../wire/validation.ts';
import { customEmojiIcon } from './custom-emojis.ts';
import type { OpEnv } from './env.ts';
import { attachUpload } from './file-uploads.ts';

/** Sort key for a new child of `parentId` at `position` (default: the end). */
export async function childKey(tx: StoreTx, parentId: string, position?: PagePosition): Promise<string> {
  await tx.blocks.lockChildren(parentId);
  if (position?.type === 'page_start') {
    return keyBetween(null, await tx.blocks.firstChildKey(parentId));
  }
  if (position?.type === 'after_block') {
    const anchor = await tx.blocks.get(position.after_block.id);
    if (!anchor || anchor.parent_id !== parentId) throw errors.notFound('block', position.after_block.id);
    return keyBetween(anchor.sort_key, await tx.blocks.nextSiblingKey(parentId, anchor.sort_key));
  }
  const last = await tx.blocks.lastChildKey(parentId);
  return last === null ? keyBetween(null, null) : keyAfter(last);
}

/**
 * Re-parents `id` at the end of `target`'s children, refusing a target inside `id`'s own subtree
 * (a loop would make both unreachable) or in the trash. The caller holds the tree lock
 * (`tx.blocks.lockTree`), taken before `target` was read, so no other move can change the
 * ancestors checked here until this transaction ends.
 */
export async function placeUnder(tx: StoreTx, id: string, target: BlockRow, loopMessage: string) {
  if ((await tx.blocks.ancestorIds(target.id)).includes(id)) throw errors.validation(loopMessage);
  const sortKey = await childKey(tx, target.id);
  // Read again under the children lock: a concurrent trash of the target has committed by now.
  const locked = await tx.blocks.get(target.id);
  if (!locked || locked.in_trash) {
    throw errors.validation(
      "Can't edit block that is archived. You must unarchive the block before editing.",
    );
  }
  await tx.blocks.update(id, { parent_type: 'page_id', parent_id: target.id, sort_key: sortKey });
}

/** Icons are stored in their response form (`type` + payload); an upload as its reference. */
export async function iconOf(
  tx: StoreTx,
  env: OpEnv,
  icon: IconRequest,
  path: PathSegment[] = ['icon'],
): Promise<Record<string, unknown>> {
  if ('emoji' in icon) return { type: 'emoji', emoji: icon.emoji };
  if ('external' in icon) return { type: 'external', external: { url: icon.external.url } };
  if ('icon' in icon)
    return { type: 'icon', icon: { name: icon.icon.name, color: icon.icon.color ?? 'gray' } };
  if ('custom_emoji' in icon) return customEmojiIcon(tx, icon.custom_emoji.id, [...path, 'custom_emoji']);
  return storedFile(await attachUpload(tx, env, icon.file_upload.id, [...path, 'file_upload']));
}

export async function coverOf(
  tx: StoreTx,
  env: OpEnv,
  cover: CoverRequest,
  path: PathSegment[] = ['cover'],
): Promise<Record<string, unknown>> {
  if ('external' in cover) return { type: 'external', external: { url: cover.external.url } };
  return storedFile(await attachUpload(tx, env, cover.file_upload.id, [...path, 'file_upload']));
}

/** The JSON column value for an optional icon or cover request (`null` clears). */
export async function iconColumn(tx: StoreTx, env: OpEnv, icon: IconRequest | null): Promise<string | null> {
  return icon === null ? null : JSON.stringify(await iconOf(tx, env, icon));
}

export async function coverColumn(
  tx: StoreTx,
  env: OpEnv,
  cover: CoverRequest | null,
): Promise<string | null> {
  return cover === null ? null : JSON.stringify(await coverOf(tx, env, cover));
}

/** The fields every new row needs; the rest default to empty, untrashed and unlocked. */
export type NewRowFields = Pick<BlockRow, 'id' | 'type' | 'parent_type' | 'parent_id' | 'sort_key' | 'data'> &
  Partial<BlockRow>;

/** A new `blocks` row created (and last edited) by `by` at `now`. */
export function newBlockRow(by: string, now: string, fields: NewRowFields): BlockRow {
  return {
    properties: null,
    icon: null,
    cover: null,
    in_trash: 0,
    is_locked: 0,
    created_time: now,
    created_by: by,
    last_edited_time: now,
    last_edited_by: by,
    ...fields,
  };
}
