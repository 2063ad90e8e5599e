/** Page use cases: create, retrieve, update (title, icon, cover, trash, lock), move. */

import { buildBlockTree, countTree } from '../domain/blocks.ts';
import { normalizeRichText, type RichText } from '../domain/rich-text.ts';
import { newId } from '../lib/ids.ts';
import { keyAfter, keyBetween } from '../lib/order-key.ts';
import type { BlockRow, BlockView, StoreTx } from '../store/store.ts';
import type { BlockRequest } from '../wire/blocks.schema.ts';
import { RichTextRequest } from '../wire/common.schema.ts';
import { errors } from '../wire/errors.ts';
import type { CreatePageBody, PagePosition, UpdatePageBody } from '../wire/pages.schema.ts';
import { bodyError, parseAt } from '../wire/validation.ts';
import { insertBlockTree, MAX_BLOCKS_PER_REQUEST } from './blocks.ts';
import { isPage, loadVisible, mentionResolver, type OpEnv } from './env.ts';

/** Reads the title from a page-parented page's `properties`; other keys do not exist there. */
async function titleFromProperties(
  tx: StoreTx,
  env: OpEnv,
  properties: Record<string, unknown>,
): Promise<RichText | undefined> {
  let title: RichText | undefined;
  for (const [key, value] of Object.entries(properties)) {
    if (key !== 'title') throw errors.validation(`${key} is not a property that exists.`);
    const isWrapped = value !== null && typeof value === 'object' && !Array.isArray(value);
    const raw = isWrapped ? (value as Record<string, unknown>).title : value;
    const path = isWrapped ? ['properties', key, 'title'] : ['properties', key];
    const items = parseAt(RichTextRequest, raw, path);
    title = await normalizeRichText(items, mentionResolver(tx, env));
  }
  return title;
}

function titleProperties(title: RichText): string {
  return JSON.stringify({ title: { id: 'title', type: 'title', title } });
}

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

export async function createPage(tx: StoreTx, env: OpEnv, body: CreatePageBody): Promise<BlockView> {
  if (body.markdown !== undefined) throw errors.unsupported('creating pages from markdown');
  if (body.template && body.template.type !== 'none') throw errors.unsupported('page templates');
  if (body.children && body.content) throw bodyError(['content'], 'should be not present', body.content);
  const parent = body.parent;
  if ('database_id' in parent && !('data_source_id' in parent))
    throw errors.notFound('database', parent.database_id);
  if ('data_source_id' in parent) throw errors.notFound('data_source', parent.data_source_id);
  if ('workspace' in parent) {
    throw errors.validation('Only public integrations acting for a user can create workspace-level pages.');
  }
  const parentRow = await loadVisible(tx, env, parent.page_id, 'page', isPage);
  if (parentRow.in_trash) {
    throw errors.validation(
      "Can't edit block that is archived. You must unarchive the block before editing.",
    );
  }
  const title = (await titleFromProperties(tx, env, body.properties ?? {})) ?? [];
  const children: BlockRequest[] = body.children ?? body.content ?? [];
  if (countTree(children) + 1 > MAX_BLOCKS_PER_REQUEST) {
    throw bodyError(
      ['children'],
      `should contain at most \`${MAX_BLOCKS_PER_REQUEST}\` blocks`,
      countTree(children),
    );
  }
  const id = newId();
  const row: BlockRow = {
    id,
    type: 'page',
    parent_type: 'page_id',
    parent_id: parentRow.id,
    sort_key: await childKey(tx, parentRow.id, body.position),
    data: '{}',
    properties: titleProperties(title),
    icon: body.icon ? JSON.stringify(iconOf(body.icon)) : null,
    cover: body.cover ? JSON.stringify(coverOf(body.cover)) : null,
    in_trash: 0,
    is_locked: 0,
    created_time: env.now,
    created_by: env.actor.botUserId,
    last_edited_time: env.now,
    last_edited_by: env.actor.botUserId,
  };
  await tx.blocks.insertMany([row]);
  const tree = await buildBlockTree(children, id, mentionResolver(tx, env), newId);
  await insertBlockTree(tx, env, tree, null);
  return (await tx.blocks.get(id))!;
}

/** Icons are stored in their response form (`type` + payload). */
export function iconOf(icon: NonNullable<CreatePageBody['icon']>): Record<string, unknown> {
  if ('emoji' in icon) return { type: 'emoji', emoji: icon.emoji };
  if ('external' in icon) return { type: 'external', external: { url: icon.external.url } };
  if ('icon' in icon)
    return { type: 'icon', icon: { name: icon.icon.name, color: icon.icon.color ?? 'gray' } };
  if ('custom_emoji' in icon) throw errors.notFound('block', icon.custom_emoji.id);
  throw errors.validation(`File upload ${icon.file_upload.id} was not found or is not ready to attach.`);
}

export function coverOf(cover: NonNullable<CreatePageBody['cover']>): Record<string, unknown> {
  if ('external' in cover) return { type: 'external', external: { url: cover.external.url } };
  throw errors.validation(`File upload ${cover.file_upload.id} was not found or is not ready to attach.`);
}

export function getPage(tx: StoreTx, env: OpEnv, id: string): Promise<BlockView> {
  return loadVisible(tx, env, id, 'page', isPage);
}

export async function updatePage(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  body: UpdatePageBody,
): Promise<BlockView> {
  const row = await loadVisible(tx, env, id, 'page', isPage);
  if (body.template) throw errors.unsupported('page templates');
  if (body.erase_content) throw errors.unsupported('erase_content');
  if (body.is_archived !== undefined) throw errors.unsupported('is_archived');
  if (body.in_trash !== undefined && body.archived !== undefined && body.in_trash !== body.archived) {
    throw bodyError(['archived'], 'should be not present', body.archived);
  }
  const trash = body.in_trash ?? body.archived;
  const restoring = trash === false;
  if (row.in_trash && !restoring) {
    throw errors.validation(
      "Can't update a page that is archived. You must unarchive the page before updating.",
    );
  }
  const patch: Partial<BlockRow> = { last_edited_time: env.now, last_edited_by: env.actor.botUserId };
  if (trash !== undefined) patch.in_trash = trash ? 1 : 0;
  if (body.is_locked !== undefined) patch.is_locked = body.is_locked ? 1 : 0;
  if (body.icon !== undefined) patch.icon = body.icon === null ? null : JSON.stringify(iconOf(body.icon));
  if (body.cover !== undefined)
    patch.cover = body.cover === null ? null : JSON.stringify(coverOf(body.cover));
  if (body.properties) {
    const title = await titleFromProperties(tx, env, body.properties);
    if (title) patch.properties = titleProperties(title);
  }
  await tx.blocks.update(id, patch);
  return (await tx.blocks.get(id))!;
}

export async function movePage(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  parent: { page_id: string } | { data_source_id: string },
): Promise<BlockView> {
  const row = await loadVisible(tx, env, id, 'page', isPage);
  if ('data_source_id' in parent) throw errors.notFound('data_source', parent.data_source_id);
  const target = await loadVisible(tx, env, parent.page_id, 'page', isPage);
  const ancestors = await tx.blocks.ancestorIds(target.id);
  if (ancestors.includes(row.id)) {
    throw errors.validation('A page cannot be moved into itself or one of its descendants.');
  }
  await tx.blocks.update(id, {
    parent_type: 'page_id',
    parent_id: target.id,
    sort_key: await childKey(tx, target.id),
    last_edited_time: env.now,
    last_edited_by: env.actor.botUserId,
  });
  return (await tx.blocks.get(id))!;
}
