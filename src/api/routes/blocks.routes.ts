import { Hono } from 'hono';
import { z } from 'zod';
import { can } from '../../domain/capabilities.ts';
import { appendChildren, deleteBlock, getBlock, listChildren, updateBlock } from '../../ops/blocks.ts';
import { presentBlock } from '../../present/block.present.ts';
import { presentList } from '../../present/list.present.ts';
import type { BlockView } from '../../store/store.ts';
import { type AppendChildrenBody, appendChildrenBody } from '../../wire/blocks.schema.ts';
import { bodyError, parseWith } from '../../wire/validation.ts';
import { emitsArchived } from '../../wire/versions.ts';
import { authorize, opEnv, pathId, presentCtx, queryPagination, writeOptions } from '../kit.ts';
import { ok } from '../respond.ts';
import type { AppDeps, AppEnv } from '../types.ts';

export function blocksRoutes(deps: AppDeps) {
  const r = new Hono<AppEnv>();
  const block = (c: Parameters<typeof presentCtx>[0], row: BlockView) =>
    can(c.get('actor'), 'read_content')
      ? presentBlock(row, presentCtx(c, deps))
      : { object: 'block', id: row.id };

  r.get('/blocks/:block_id', async (c) => {
    authorize(c, 'blocks.retrieve');
    const id = pathId(c, 'block_id');
    const row = await deps.store.transaction((tx) => getBlock(tx, opEnv(c, deps), id));
    return ok(c, block(c, row));
  });

  r.patch('/blocks/:block_id', async (c) => {
    authorize(c, 'blocks.update');
    const id = pathId(c, 'block_id');
    const raw = { ...(c.get('body') as Record<string, unknown>) };
    const trash = readTrashFlags(raw, emitsArchived(c.get('version')));
    const row = await deps.store.transaction(
      (tx) => updateBlock(tx, opEnv(c, deps), id, raw, trash),
      writeOptions(c),
    );
    return ok(c, block(c, row));
  });

  r.delete('/blocks/:block_id', async (c) => {
    authorize(c, 'blocks.delete');
    const id = pathId(c, 'block_id');
    const row = await deps.store.transaction((tx) => deleteBlock(tx, opEnv(c, deps), id), writeOptions(c));
    return ok(c, block(c, row));
  });

  r.get('/blocks/:block_id/children', async (c) => {
    authorize(c, 'blocks.children.list');
    const id = pathId(c, 'block_id');
    const { from, limit } = queryPagination(c);
    const page = await deps.store.transaction((tx) => listChildren(tx, opEnv(c, deps), id, from, limit));
    return ok(
      c,
      presentList(
        page.items.map((b) => block(c, b)),
        page.next,
        'block',
      ),
    );
  });

  r.patch('/blocks/:block_id/children', async (c) => {
    authorize(c, 'blocks.children.append');
    const id = pathId(c, 'block_id');
    const body = parseWith(appendChildrenBody(c.get('version')), c.get('body')) as AppendChildrenBody;
    const rows = await deps.store.transaction(
      (tx) => appendChildren(tx, opEnv(c, deps), id, body),
      writeOptions(c),
    );
    return ok(
      c,
      presentList(
        rows.map((b) => block(c, b)),
        null,
        'block',
      ),
    );
  });

  return r;
}

/** Takes `in_trash` (and, before 2026-03-11, `archived`) out of a block update body. */
function readTrashFlags(body: Record<string, unknown>, allowArchived: boolean): boolean | undefined {
  const flag = z.boolean().optional();
  const inTrash = parseWith(flag, body.in_trash);
  delete body.in_trash;
  let archived: boolean | undefined;
  if ('archived' in body) {
    if (!allowArchived) throw bodyError(['archived'], 'should be not present', body.archived);
    archived = parseWith(flag, body.archived);
    delete body.archived;
  }
  if (inTrash !== undefined && archived !== undefined && inTrash !== archived) {
    throw bodyError(['archived'], 'should be not present', archived);
  }
  return inTrash ?? archived;
}
