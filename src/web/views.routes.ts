/**
 * `/app/api/views/{id}/card_order` (mounted by app-api.routes.ts, which authenticates the
 * person): the manual order of a board view's cards (ops/card-order.ts), which Notion's API has
 * no field for. `GET` answers `{object: "card_order", view_id, page_ids}`; `PUT {page_ids}`
 * replaces it. Any signed-in person may, as they may edit the view itself through /v1.
 */
import { Hono } from 'hono';
import { cardOrder, setCardOrder } from '../ops/card-order.ts';
import type { AppApiEnv } from './app-api.ts';
import { readJson } from './app-api.ts';
import { nowOf, type WebDeps } from './session.ts';

const present = (viewId: string, pageIds: string[]) => ({
  object: 'card_order',
  view_id: viewId,
  page_ids: pageIds,
});

export function viewAppRoutes(deps: WebDeps) {
  const r = new Hono<AppApiEnv>();
  r.get('/views/:id/card_order', async (c) => {
    const id = c.req.param('id');
    const ids = await deps.store.transaction((tx) => cardOrder(tx, id));
    return c.json(present(id, ids));
  });
  r.put('/views/:id/card_order', async (c) => {
    const id = c.req.param('id');
    const body = (await readJson(c)) as { page_ids?: unknown };
    const ids = await deps.store.transaction((tx) =>
      setCardOrder(tx, {
        viewId: id,
        pageIds: body?.page_ids,
        now: nowOf(deps).toISOString(),
        userId: c.get('person').botUserId,
      }),
    );
    return c.json(present(id, ids));
  });
  return r;
}
