/**
 * The manual order of a board view's cards (migration 028). Notion's public API has no field for
 * it, so Octavo keeps it beside the view, not in the view object: a list of page ids, the order
 * people dragged the cards into. A card not in the list comes after the listed ones, in the
 * view's query order; within a column only the relative order of its cards matters, so one list
 * serves every column. Read and written by the browser app (web/views.routes.ts) as the person;
 * any person may (arranging cards is editing the view, which every member does).
 */
import { normalizeId } from '../lib/ids.ts';
import type { StoreTx } from '../store/store.ts';
import { errors } from '../wire/errors.ts';

/** The most ids an order keeps (a board shows the pages of its first few query pages). */
export const MAX_CARD_ORDER = 10_000;

async function boardView(tx: StoreTx, rawId: string) {
  const id = normalizeId(rawId);
  const view = id ? await tx.views.get(id) : undefined;
  if (!view || view.type === 'dashboard') throw errors.notFound('view', rawId);
  return view;
}

/** The view's card order (page ids), `[]` when none was set. */
export async function cardOrder(tx: StoreTx, viewId: string): Promise<string[]> {
  const view = await boardView(tx, viewId);
  return (await tx.views.cardOrder(view.id)) ?? [];
}

/** Replaces the view's card order; ids are checked and deduplicated; answers the stored order. */
export async function setCardOrder(
  tx: StoreTx,
  input: { viewId: string; pageIds: unknown; now: string; userId: string },
): Promise<string[]> {
  const view = await boardView(tx, input.viewId);
  if (!Array.isArray(input.pageIds)) throw errors.validation('body.page_ids should be an array of page ids.');
  if (input.pageIds.length > MAX_CARD_ORDER)
    throw errors.validation(`body.page_ids should have at most ${MAX_CARD_ORDER} ids.`);
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of input.pageIds.entries()) {
    const id = normalizeId(raw);
    if (!id)
      throw errors.validation(`body.page_ids[${i}] should be a page id, instead was ${JSON.stringify(raw)}.`);
    if (!seen.has(id)) ids.push(id);
    seen.add(id);
  }
  await tx.views.setCardOrder(view.id, ids, { now: input.now, by: input.userId });
  return ids;
}
