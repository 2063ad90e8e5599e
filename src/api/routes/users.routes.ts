import { Hono } from 'hono';
import { botOwner, getSelf, getUser, listUsers } from '../../ops/users.ts';
import { presentList } from '../../present/list.present.ts';
import { fullUser, presentUser } from '../../present/user.present.ts';
import { authorize, opEnv, pathId, presentCtx, queryPagination } from '../kit.ts';
import { ok } from '../respond.ts';
import type { AppDeps, AppEnv } from '../types.ts';

export function usersRoutes(deps: AppDeps) {
  const r = new Hono<AppEnv>();

  r.get('/users/me', async (c) => {
    authorize(c, 'users.me');
    const { row, owner } = await deps.store.transaction(async (tx) => {
      const row = await getSelf(tx, opEnv(c, deps));
      return { row, owner: await botOwner(tx, row.id) };
    });
    return ok(c, fullUser(row, presentCtx(c, deps), owner));
  });

  r.get('/users', async (c) => {
    authorize(c, 'users.list');
    const { from, limit } = queryPagination(c);
    const page = await deps.store.transaction((tx) => listUsers(tx, from, limit));
    const ctx = presentCtx(c, deps);
    return ok(
      c,
      presentList(
        page.items.map((u) => presentUser(u, ctx)),
        page.next,
        'user',
      ),
    );
  });

  r.get('/users/:user_id', async (c) => {
    authorize(c, 'users.retrieve');
    const id = pathId(c, 'user_id');
    const row = await deps.store.transaction((tx) => getUser(tx, id));
    return ok(c, presentUser(row, presentCtx(c, deps)));
  });

  return r;
}
