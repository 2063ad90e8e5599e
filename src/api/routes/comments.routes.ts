import { Hono } from 'hono';
import { createComment, deleteComment, getComment, listComments, updateComment } from '../../ops/comments.ts';
import { presentComment } from '../../present/comment.present.ts';
import { presentList } from '../../present/list.present.ts';
import { CreateCommentBody, ListCommentsQuery, UpdateCommentBody } from '../../wire/comments.schema.ts';
import { parseWith } from '../../wire/validation.ts';
import { authorize, opEnv, pathId, presentCtx, queryPagination, writeOptions } from '../kit.ts';
import { ok } from '../respond.ts';
import type { AppDeps, AppEnv } from '../types.ts';

/** Notion's comments endpoints (notion-api.md §4.8), the same under every API version. */
export function commentsRoutes(deps: AppDeps) {
  const r = new Hono<AppEnv>();

  r.post('/comments', async (c) => {
    authorize(c, 'comments.create');
    const body = parseWith(CreateCommentBody, c.get('body'));
    const row = await deps.store.transaction(
      (tx) => createComment(tx, opEnv(c, deps), body),
      writeOptions(c),
    );
    return ok(c, presentComment(row, presentCtx(c, deps)));
  });

  r.get('/comments', async (c) => {
    authorize(c, 'comments.list');
    const { block_id } = parseWith(ListCommentsQuery, { block_id: c.req.query('block_id') }, 'query');
    const { from, limit } = queryPagination(c);
    const page = await deps.store.transaction((tx) =>
      listComments(tx, opEnv(c, deps), block_id, from, limit),
    );
    const ctx = presentCtx(c, deps);
    return ok(
      c,
      presentList(
        page.items.map((row) => presentComment(row, ctx)),
        page.next,
        'comment',
      ),
    );
  });

  r.get('/comments/:comment_id', async (c) => {
    authorize(c, 'comments.retrieve');
    const id = pathId(c, 'comment_id');
    const row = await deps.store.transaction((tx) => getComment(tx, opEnv(c, deps), id));
    return ok(c, presentComment(row, presentCtx(c, deps)));
  });

  r.patch('/comments/:comment_id', async (c) => {
    authorize(c, 'comments.update');
    const id = pathId(c, 'comment_id');
    const body = parseWith(UpdateCommentBody, c.get('body'));
    const row = await deps.store.transaction(
      (tx) => updateComment(tx, opEnv(c, deps), id, body),
      writeOptions(c),
    );
    return ok(c, presentComment(row, presentCtx(c, deps)));
  });

  r.delete('/comments/:comment_id', async (c) => {
    authorize(c, 'comments.delete');
    const id = pathId(c, 'comment_id');
    const row = await deps.store.transaction((tx) => deleteComment(tx, opEnv(c, deps), id), writeOptions(c));
    return ok(c, presentComment(row, presentCtx(c, deps)));
  });

  return r;
}
