/** Block use cases: retrieve, list and append children, update, trash. */

import { buildBlockTree, countTree, flattenTree, type NewBlock, normalizePayload } from '../domain/blocks.ts';
import { newId } from '../lib/ids.ts';
import { keyAfter, keyBetween, keysBetween } from '../lib/order-key.ts';
import type { BlockRow, BlockView, Page, StoreTx } from '../store/store.ts';
import type { AppendChildrenBody, AppendPosition } from '../wire/blocks.schema.ts';
import { BLOCK_PAYLOADS } from '../wire/blocks.schema.ts';
import { errors } from '../wire/errors.ts';
import { bodyError, parseAt } from '../wire/validation.ts';
import { loadVisible, mentionResolver, type OpEnv } from './env.ts';

export const MAX_BLOCKS_PER_REQUEST = 1000;

const ARCHIVED_BLOCK = "Can't edit block that is archived. You must unarchive the block before editing.";

export function getBlock(tx: StoreTx, env: OpEnv, id: string): Promise<BlockView> {
  return loadVisible(tx, env, id, 'block');
}

export async function listChildren(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  from: string | null,
  limit: number,
): Promise<Page<BlockView>> {
  await loadVisible(tx, env, id, 'block');
  return tx.blocks.listChildren(id, from, limit);
}

/** Keys for `count` new children of `parentId` at `position`. */
async function childKeys(
  tx: StoreTx,
  parentId: string,
  count: number,
  position: AppendPosition | null,
): Promise<string[]> {
  await tx.blocks.lockChildren(parentId);
  if (position?.type === 'start') {
    return keysBetween(null, await tx.blocks.firstChildKey(parentId), count);
  }
  if (position?.type === 'after_block') {
    const anchor = await tx.blocks.get(position.after_block.id);
    if (!anchor || anchor.parent_id !== parentId || anchor.in_trash) {
      throw errors.notFound('block', position.after_block.id);
    }
    return keysBetween(anchor.sort_key, await tx.blocks.nextSiblingKey(parentId, anchor.sort_key), count);
  }
  const last = await tx.blocks.lastChildKey(parentId);
  return keysBetween(last, null, count);
}

/** Stores a tree of new blocks; the top level goes at `position` among the parent's children. */
export async function insertBlockTree(
  tx: StoreTx,
  env: OpEnv,
  tree: readonly NewBlock[],
  position: AppendPosition | null,
): Promise<void> {
  if (tree.length === 0) return;
  const parentId = tree[0]!.parentId;
  const topKeys = await childKeys(tx, parentId, tree.length, position);
  const rows: BlockRow[] = [];
  const parentTypeOf = new Map<string, BlockRow['parent_type']>();
  const parent = await tx.blocks.get(parentId);
  parentTypeOf.set(parentId, parent?.type === 'page' ? 'page_id' : 'block_id');
  const keyOf = new Map(tree.map((b, i) => [b.id, topKeys[i]!]));
  for (const block of flattenTree(tree)) {
    let key = keyOf.get(block.id);
    if (key === undefined) key = keyBetween(null, null);
    let prev: string | null = null;
    for (const child of block.children) {
      prev = prev === null ? keyBetween(null, null) : keyAfter(prev);
      keyOf.set(child.id, prev);
    }
    parentTypeOf.set(block.id, 'block_id');
    rows.push({
      id: block.id,
      type: block.type,
      parent_type: parentTypeOf.get(block.parentId)!,
      parent_id: block.parentId,
      sort_key: key,
      data: JSON.stringify(block.data),
      properties: null,
      icon: null,
      cover: null,
      in_trash: 0,
      is_locked: 0,
      created_time: env.now,
      created_by: env.actor.botUserId,
      last_edited_time: env.now,
      last_edited_by: env.actor.botUserId,
    });
  }
  await tx.blocks.insertMany(rows);
}

export async function appendChildren(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  body: AppendChildrenBody,
): Promise<BlockView[]> {
  const parent = await loadVisible(tx, env, id, 'block');
  if (parent.in_trash) throw errors.validation(ARCHIVED_BLOCK);
  if (body.after !== undefined && body.position !== undefined) {
    throw bodyError(['after'], 'should be not present', body.after);
  }
  const total = countTree(body.children);
  if (total > MAX_BLOCKS_PER_REQUEST) {
    throw bodyError(['children'], `should contain at most \`${MAX_BLOCKS_PER_REQUEST}\` blocks`, total);
  }
  const position: AppendPosition | null =
    body.position ?? (body.after ? { type: 'after_block', after_block: { id: body.after } } : null);
  const tree = await buildBlockTree(body.children, id, mentionResolver(tx, env), newId);
  await insertBlockTree(tx, env, tree, position);
  await tx.blocks.update(id, { last_edited_time: env.now, last_edited_by: env.actor.botUserId });
  return tx.blocks.getMany(tree.map((b) => b.id)).then((rows) => {
    const byId = new Map(rows.map((r) => [r.id, r]));
    return tree.map((b) => byId.get(b.id)!);
  });
}

export async function updateBlock(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  body: Record<string, unknown>,
  trash: boolean | undefined,
): Promise<BlockView> {
  const row = await loadVisible(tx, env, id, 'block');
  if (row.in_trash && trash !== false) throw errors.validation(ARCHIVED_BLOCK);
  const patch: Partial<BlockRow> = { last_edited_time: env.now, last_edited_by: env.actor.botUserId };
  if (trash !== undefined) patch.in_trash = trash ? 1 : 0;
  const wireType = row.type === 'page' ? 'child_page' : row.type;
  for (const key of Object.keys(body)) {
    if (key === 'type' && body.type === wireType) continue;
    if (key !== row.type) throw bodyError([key], 'should be not present', body[key]);
  }
  const change = body[row.type];
  if (change !== undefined) {
    const schema = BLOCK_PAYLOADS[row.type as keyof typeof BLOCK_PAYLOADS];
    if (!schema) throw errors.validation(`Block type ${wireType} cannot be updated.`);
    const parsed = parseAt(schema.partial(), change, [row.type]) as Record<string, unknown>;
    const current = JSON.parse(row.data) as Record<string, unknown>;
    const merged = {
      ...current,
      ...(await normalizePayload(row.type, { ...current, ...parsed }, mentionResolver(tx, env))),
    };
    if (!('rich_text' in parsed) && 'rich_text' in current) merged.rich_text = current.rich_text;
    patch.data = JSON.stringify(merged);
  }
  await tx.blocks.update(id, patch);
  return (await tx.blocks.get(id))!;
}

export async function deleteBlock(tx: StoreTx, env: OpEnv, id: string): Promise<BlockView> {
  const row = await loadVisible(tx, env, id, 'block');
  if (!row.in_trash) {
    await tx.blocks.update(id, {
      in_trash: 1,
      last_edited_time: env.now,
      last_edited_by: env.actor.botUserId,
    });
  }
  return (await tx.blocks.get(id))!;
}
