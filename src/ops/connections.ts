/**
 * Connections: which internal integrations a page is shared with, sharing and unsharing it, and
 * what each integration can reach (its direct shares). The browser app's Integrations screen and
 * a page's Connections control call these (web/integrations.routes.ts); `octavo page share`
 * calls `sharePage` (ops/integrations.ts) for the same share.
 */
import { plainText } from '../domain/rich-text.ts';
import { pageTitle } from '../present/page.present.ts';
import type { BlockView, IntegrationRow, StoreTx } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import { titleOf } from './databases.ts';
import { integrationNamed } from './integrations.ts';

/** A shared page or database as the screens list it. */
export interface Reachable {
  id: string;
  type: 'page' | 'database';
  title: string;
}

function reachable(row: BlockView): Reachable | null {
  if (row.in_trash) return null;
  if (row.type === 'page') return { id: row.id, type: 'page', title: plainText(pageTitle(row)) };
  if (row.type === 'database') return { id: row.id, type: 'database', title: plainText(titleOf(row)) };
  return null;
}

/** The live pages and databases shared directly with the integration (their descendants too are reachable). */
export async function integrationReach(tx: StoreTx, integrationId: string): Promise<Reachable[]> {
  const ids = [...(await tx.shares.sharedWith(integrationId))];
  const rows = ids.length === 0 ? [] : await tx.blocks.getMany(ids);
  return rows.map(reachable).filter((r): r is Reachable => r !== null);
}

/** The page `pageId` (live or trashed), or Notion's not-found error. */
async function pageOf(tx: StoreTx, pageId: string): Promise<BlockView> {
  const page = await tx.blocks.get(pageId);
  if (page?.type !== 'page') throw errors.notFound('page', pageId);
  return page;
}

/** The integrations a page is shared with directly, oldest integration first. */
export async function pageConnections(tx: StoreTx, pageId: string): Promise<IntegrationRow[]> {
  await pageOf(tx, pageId);
  const ids = new Set(await tx.shares.sharedTo(pageId));
  return (await tx.integrations.list()).filter((i) => ids.has(i.id));
}

/** Ends the direct share of a page with the integration `integrationName` (nothing when there is none). */
export async function unsharePage(tx: StoreTx, input: { pageId: string; integrationName: string }) {
  const integration = await integrationNamed(tx, input.integrationName);
  const page = await pageOf(tx, input.pageId);
  await tx.shares.remove(integration.id, page.id);
  return { integration, page };
}
