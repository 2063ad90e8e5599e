import { Hono } from 'hono';
import { botOwner, botOwners, getSelf, getUser, listUsers } from '../../ops/users.ts';
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
    const { page, owners } = await deps.store.transaction(async (tx) => {
      const page = await listUsers(tx, from, limit);
      return { page, owners: await botOwners(tx, page.items) };
    });
    const ctx = presentCtx(c, deps);
    return ok(
      c,
      presentList(
        page.items.map((u) => presentUser(u, ctx, owners.get(u.id))),
        page.next,
        'user',
      ),
    );
  });

  r.get('/users/:user_id', async (c) => {
    authorize(c, 'users.retrieve');
    const id = pathId(c, 'user_id');
    const { row, owner } = await deps.store.transaction(async (tx) => {
      const row = await getUser(tx, id);
      return { row, owner: await botOwner(tx, row.id) };
    });
    return ok(c, presentUser(row, presentCtx(c, deps), owner));
  });

  return r;
}
