/** Block use cases: retrieve, list and append children, update, trash. */

import {
  buildBlockTree,
  childrenAccepted,
  countTree,
  flattenTree,
  type NewBlock,
  type ParentInfo,
  updatePayload,
} from '../domain/blocks.ts';
import { newId } from '../lib/ids.ts';
import { keyAfter, keyBetween, keysBetween } from '../lib/order-key.ts';
import type { BlockRow, BlockView, Page, StoreTx } from '../store/store.ts';
import { type AppendChildrenBody, type AppendPosition, updateBlockBody } from '../wire/blocks.schema.ts';
import { errors } from '../wire/errors.ts';
import { bodyError, type PathSegment, parseWith } from '../wire/validation.ts';
import { canSee, isPage, loadVisible, mentionResolver, type OpEnv } from './env.ts';
import { newBlockRow } from './placement.ts';
import { resyncRow } from './rows.ts';

export const MAX_BLOCKS_PER_REQUEST = 1000;

const ARCHIVED_BLOCK = "Can't edit block that is archived. You must unarchive the block before editing.";

type Data = Record<string, unknown>;
const dataOf = (row: Pick<BlockRow, 'data'>): Data => JSON.parse(row.data) as Data;

/**
 * The original a synced_block reference points at, if `row` is one and the reader can see it: a
 * reference to an original in a page not shared with the integration shows no content, as if the
 * original did not exist.
 */
async function syncedOriginal(tx: StoreTx, env: OpEnv, row: BlockView): Promise<BlockView | undefined> {
  if (row.type !== 'synced_block') return undefined;
  const from = dataOf(row).synced_from as { block_id: string } | null;
  if (!from || !(await canSee(tx, env, from.block_id))) return undefined;
  return tx.blocks.get(from.block_id);
}

/** A synced_block reference shows its original's children, so it has children when the original has. */
async function withSyncedChildren(tx: StoreTx, env: OpEnv, row: BlockView): Promise<BlockView> {
  if (row.type !== 'synced_block') return row;
  const original = await syncedOriginal(tx, env, row);
  if (original) return { ...row, has_children: original.has_children };
  return dataOf(row).synced_from ? { ...row, has_children: false } : row;
}

/**
 * The block `id` names, as the /v1/blocks endpoints see it. A data source is stored as a row of
 * `blocks` (below its database) but is not a block in Notion: its id answers the block endpoints'
 * 404 in the very words of an id that does not exist, whoever asks and whatever the version.
 */
async function loadBlock(tx: StoreTx, env: OpEnv, id: string): Promise<BlockView> {
  const row = await loadVisible(tx, env, id, 'block');
  if (row.type === 'data_source') throw errors.notFound('block', id);
  return row;
}

export async function getBlock(tx: StoreTx, env: OpEnv, id: string): Promise<BlockView> {
  return withSyncedChildren(tx, env, await loadBlock(tx, env, id));
}

export async function listChildren(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  from: string | null,
  limit: number,
): Promise<Page<BlockView>> {
  const row = await loadBlock(tx, env, id);
  const original = await syncedOriginal(tx, env, row);
  if (!original && row.type === 'synced_block' && dataOf(row).synced_from) return { items: [], next: null };
  const source = original?.id ?? id;
  const page = await tx.blocks.listChildren(source, from, limit);
  const items: BlockView[] = [];
  for (const item of page.items) items.push(await withSyncedChildren(tx, env, item));
  return { items, next: page.next };
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

/**
 * Blocks that point at other objects must point at something the integration can see:
 * link_to_page targets and the original of a synced_block reference.
 */
async function checkReference(tx: StoreTx, env: OpEnv, type: string, data: Data, path: PathSegment[]) {
  if (type === 'link_to_page') {
    if (data.type === 'page_id') await loadVisible(tx, env, data.page_id as string, 'page', isPage);
    else if (data.type === 'database_id') {
      await loadVisible(tx, env, data.database_id as string, 'database', (r) => r.type === 'database');
    } else throw errors.notFound('comment', data.comment_id as string);
  }
  if (type === 'synced_block' && data.synced_from) {
    const id = (data.synced_from as { block_id: string }).block_id;
    const original = await loadBlock(tx, env, id);
    if (original.type !== 'synced_block' || dataOf(original).synced_from !== null) {
      throw bodyError(
        [...path, 'synced_from', 'block_id'],
        'should be the id of an original synced_block',
        id,
      );
    }
  }
}

/** Stores a tree of new blocks; the top level goes at `position` among the parent's children. */
export async function insertBlockTree(
  tx: StoreTx,
  env: OpEnv,
  tree: readonly NewBlock[],
  position: AppendPosition | null,
): Promise<void> {
  if (tree.length === 0) return;
  for (const block of flattenTree(tree)) {
    await checkReference(tx, env, block.type, block.data, [...block.path, block.type]);
  }
  const parentId = tree[0]!.parentId;
  const topKeys = await childKeys(tx, parentId, tree.length, position);
  const rows: BlockRow[] = [];
  const parentTypeOf = new Map<string, BlockRow['parent_type']>();
  const parent = await tx.blocks.get(parentId);
  parentTypeOf.set(parentId, parent?.type === 'page' ? 'page_id' : 'block_id');
  const keyOf = new Map(tree.map((b, i) => [b.id, topKeys[i]!]));
  for (const block of flattenTree(tree)) {
    const key = keyOf.get(block.id) ?? keyBetween(null, null);
    let prev: string | null = null;
    for (const child of block.children) {
      prev = prev === null ? keyBetween(null, null) : keyAfter(prev);
      keyOf.set(child.id, prev);
    }
    parentTypeOf.set(block.id, 'block_id');
    rows.push(
      newBlockRow(env.actor.botUserId, env.now, {
        id: block.id,
        type: block.type,
        parent_type: parentTypeOf.get(block.parentId)!,
        parent_id: block.parentId,
        sort_key: key,
        data: JSON.stringify(block.data),
      }),
    );
  }
  await tx.blocks.insertMany(rows);
}

/** Marks `id` and its ancestors up to the nearest page as edited now (content edits show on the page). */
async function touchUpToPage(tx: StoreTx, env: OpEnv, id: string | null): Promise<void> {
  if (id === null) return;
  const ids = await tx.blocks.ancestorIds(id);
  const byId = new Map((await tx.blocks.getMany(ids)).map((r) => [r.id, r]));
  for (const ancestor of ids) {
    const row = byId.get(ancestor);
    if (!row) break;
    await tx.blocks.update(ancestor, { last_edited_time: env.now, last_edited_by: env.actor.botUserId });
    if (row.type === 'page') {
      // A database row's edit time is also a query column.
      await resyncRow(tx, ancestor);
      break;
    }
  }
}

function parentInfo(row: BlockView): ParentInfo {
  return row.type === 'page' ? { type: 'page', data: {} } : { type: row.type, data: dataOf(row) };
}

/** The wire name of a stored block type. */
const WIRE_NAMES: Record<string, string> = { page: 'child_page', database: 'child_database' };
const wireTypeOf = (type: string) => WIRE_NAMES[type] ?? type;

export async function appendChildren(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  body: AppendChildrenBody,
): Promise<BlockView[]> {
  const parent = await loadBlock(tx, env, id);
  if (parent.in_trash) throw errors.validation(ARCHIVED_BLOCK);
  const info = parentInfo(parent);
  if (childrenAccepted(info) === null) {
    throw errors.validation(`Block type ${wireTypeOf(parent.type)} does not support children.`);
  }
  if (body.after !== undefined && body.position !== undefined) {
    throw bodyError(['after'], 'should be not present', body.after);
  }
  const total = countTree(body.children);
  if (total > MAX_BLOCKS_PER_REQUEST) {
    throw bodyError(['children'], `should contain at most \`${MAX_BLOCKS_PER_REQUEST}\` blocks`, total);
  }
  const position: AppendPosition | null =
    body.position ?? (body.after ? { type: 'after_block', after_block: { id: body.after } } : null);
  const tree = await buildBlockTree(body.children, id, mentionResolver(tx, env), newId, info);
  await insertBlockTree(tx, env, tree, position);
  await touchUpToPage(tx, env, id);
  const byId = new Map((await tx.blocks.getMany(tree.map((b) => b.id))).map((r) => [r.id, r]));
  const out: BlockView[] = [];
  for (const b of tree) out.push(await withSyncedChildren(tx, env, byId.get(b.id)!));
  return out;
}

/** Rules an update must meet beyond its schema, given the stored block. */
async function checkUpdate(tx: StoreTx, row: BlockView, change: Data): Promise<void> {
  if (row.type === 'table_row' && change.cells !== undefined && row.parent_id) {
    const table = await tx.blocks.get(row.parent_id);
    const width = table ? dataOf(table).table_width : undefined;
    const cells = (change.cells as unknown[]).length;
    if (width !== undefined && cells !== width) {
      throw bodyError(['table_row', 'cells'], `should be \`${width}\``, cells, '.length');
    }
  }
  if (row.type === 'synced_block' && change.synced_from && row.has_children) {
    throw bodyError(
      ['synced_block', 'synced_from'],
      'should be `null` while the block has children',
      change.synced_from,
    );
  }
}

/**
 * PATCH /v1/blocks/{id}: the type's updatable fields and the trash flag. A trashed block can only
 * be restored (optionally with edits in the same request).
 */
export async function updateBlock(
  tx: StoreTx,
  env: OpEnv,
  id: string,
  body: Record<string, unknown>,
  trash: boolean | undefined,
): Promise<BlockView> {
  const row = await loadBlock(tx, env, id);
  if (row.in_trash && trash !== false) throw errors.validation(ARCHIVED_BLOCK);
  const wireType = wireTypeOf(row.type);
  const parsed = parseWith(updateBlockBody(wireType), body) as Record<string, Data | undefined>;
  const patch: Partial<BlockRow> = { last_edited_time: env.now, last_edited_by: env.actor.botUserId };
  if (trash !== undefined) patch.in_trash = trash ? 1 : 0;
  const change = parsed[wireType];
  if (change !== undefined) {
    await checkUpdate(tx, row, change);
    const path = [wireType];
    const data = await updatePayload(row.type, dataOf(row), change, mentionResolver(tx, env), path);
    if (row.type === 'link_to_page' || 'synced_from' in change)
      await checkReference(tx, env, row.type, data, path);
    patch.data = JSON.stringify(data);
  }
  await tx.blocks.update(id, patch);
  await resyncRow(tx, id);
  await touchUpToPage(tx, env, row.parent_id);
  return withSyncedChildren(tx, env, (await tx.blocks.get(id))!);
}

export async function deleteBlock(tx: StoreTx, env: OpEnv, id: string): Promise<BlockView> {
  const row = await loadBlock(tx, env, id);
  if (!row.in_trash) {
    await tx.blocks.update(id, {
      in_trash: 1,
      last_edited_time: env.now,
      last_edited_by: env.actor.botUserId,
    });
    await resyncRow(tx, id);
    await touchUpToPage(tx, env, row.parent_id);
  }
  return withSyncedChildren(tx, env, (await tx.blocks.get(id))!);
}
