/**
 * What an id names, for the browser app, which opens any id at `/app/p/<id>` and must ask the
 * endpoint that serves it (`/app/api/kinds/{id}`, web/kinds.routes.ts). Not Notion's API: there,
 * a data source id is no block, so the block endpoints cannot tell the app what it is.
 */
import type { StoreTx } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import type { OpEnv } from './env.ts';
import { type PageRecord, pageRecordIn } from './pages.ts';

/** The objects the app opens by id. */
export type NamedKind = 'page' | 'database' | 'data_source';

const KINDS = new Map<string, NamedKind>([
  ['page', 'page'],
  ['database', 'database'],
  ['data_source', 'data_source'],
]);

export interface NamedObject {
  kind: NamedKind;
  /** A page's record, as GET /v1/pages reads it (the app shows it without asking again). */
  page?: PageRecord;
}

/**
 * What `id` names for the actor: a page (with its record), a database or a data source, trashed
 * or not. An id the actor cannot see, that does not exist or that names a content block is
 * `object_not_found`, the same answer for each, so nothing is learnt of what the actor cannot see.
 * One read of the row with its visibility (and of a row's data source), the read GET
 * /v1/pages/{id} starts with; a database row's computed values are its only further reads.
 */
export async function namedObject(tx: StoreTx, env: OpEnv, id: string): Promise<NamedObject> {
  const found = await tx.blocks.getVisibleRow(id, env.actor.seesEverything ? null : env.actor.integrationId);
  const kind = found && KINDS.get(found.row.type);
  if (!found || !kind) throw errors.notFound('page', id);
  if (kind !== 'page') return { kind };
  return { kind, page: await pageRecordIn(tx, env, found.row, found.dataSource) };
}
