/**
 * How a view's change becomes an event (`view.created`, `view.updated`, `view.deleted`; entity
 * `view`, parent the view's database). Pure, like derive.ts: the store notes each view's state
 * before and after the transaction's writes (store/events-repo.ts) and calls this at commit.
 */
import type { EventAuthor, NewEvent } from './types.ts';

/** The columns of a view that events are derived from. */
export interface ViewState {
  id: string;
  database_id: string;
  type: string;
  name: string;
  filter: string | null;
  sorts: string | null;
  configuration: string | null;
  last_edited_by: string;
  last_edited_time: string;
}

/** A view's net change in a transaction: null before for an insert, null after for a delete. */
export interface ViewChange {
  before: ViewState | null;
  after: ViewState | null;
}

export const VIEW_STATE = [
  'id',
  'database_id',
  'type',
  'name',
  'filter',
  'sorts',
  'configuration',
  'last_edited_by',
  'last_edited_time',
] as const;

/** The fields a `view.updated` event names, in Notion's order. */
const UPDATABLE = ['name', 'filter', 'sorts', 'configuration'] as const;

export function viewEvents(
  changes: readonly ViewChange[],
  ctx: { author(userId: string): EventAuthor; integrationOf(userId: string): string | null },
  deletedBy: string | null,
  time: string,
): NewEvent[] {
  const out: NewEvent[] = [];
  for (const { before, after } of changes) {
    const state = after ?? before;
    if (!state) continue;
    // Created and deleted in one transaction: nothing anyone could have seen.
    if (!before && !after) continue;
    const author = after ? after.last_edited_by : (deletedBy ?? state.last_edited_by);
    const base = {
      entity: { id: state.id, type: 'view' as const },
      authors: [ctx.author(author)],
      integrationId: ctx.integrationOf(author),
      timestamp: after?.last_edited_time ?? time,
    };
    const parent = { id: state.database_id, type: 'database' as const };
    if (!before && after) {
      out.push({ ...base, type: 'view.created', data: { parent, view_type: after.type } });
    } else if (before && !after) {
      out.push({ ...base, type: 'view.deleted', data: { parent } });
    } else if (before && after) {
      const fields = UPDATABLE.filter((k) => before[k] !== after[k]);
      if (fields.length > 0)
        out.push({ ...base, type: 'view.updated', data: { parent, updated_fields: fields } });
    }
  }
  return out;
}
