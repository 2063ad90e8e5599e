/**
 * How a change becomes events: a pure function from the net changes of one transaction (each
 * block's state before and after it, each upload's) to the events that transaction records.
 * The store collects the changes at its two block writes and its upload writes and calls this
 * before commit (store/events-repo.ts), so no write path can leave its events out.
 * Views and comments, which are not blocks, have their own derivations (views.ts, comments.ts).
 */
import type {
  EventAuthor,
  EventParent,
  EventType,
  NewEvent,
  UpdatedBlock,
  UpdatedProperty,
} from './types.ts';

/** The columns of a block that events are derived from. */
export interface BlockState {
  id: string;
  type: string;
  parent_type: string;
  parent_id: string | null;
  in_trash: number;
  is_locked: number;
  properties: string | null;
  data: string;
  last_edited_by: string;
  last_edited_time: string;
}

/** The columns of a file upload that events are derived from. */
export interface UploadState {
  id: string;
  integration_id: string | null;
  created_by: string;
  status: string;
  import_result: string | null;
  last_edited_time: string;
}

/** One object's net change within a transaction; `before` is null for an insert. */
export interface Change<S> {
  before: S | null;
  after: S;
}

/** Everything one transaction changed, in the order first touched. */
export interface ChangeSet {
  blocks: Change<BlockState>[];
  uploads: Change<UploadState>[];
  /** Whose edit stamp the transaction wrote (the acting bot or person), if it wrote one. */
  actor: string | null;
  /** The latest edit time the transaction wrote, or the clock's when it wrote none. */
  time: string;
}

/** What derivation may look up: blocks around the changed ones, users, integrations. */
export interface DeriveContext {
  /** A changed block's state after the change, or an ancestor the store read for it. */
  block(id: string): BlockState | undefined;
  author(userId: string): EventAuthor;
  integrationOf(userId: string): string | null;
}

const CONTAINERS = new Set(['page', 'database', 'data_source']);

/**
 * Whether deriving events about `state` needs its parent's state: a content block names its
 * page, a row its data source's database, a data source its database.
 */
export function needsParent(state: BlockState): boolean {
  if (!CONTAINERS.has(state.type)) return true;
  return state.type === 'data_source' || state.parent_type === 'data_source_id';
}

/** The webhook parent of a page, database or data source. */
export function parentOf(state: BlockState, ctx: Pick<DeriveContext, 'block'>): EventParent {
  const id = state.parent_id;
  switch (state.parent_type) {
    case 'page_id':
      return { id, type: 'page' };
    case 'block_id':
      return { id, type: 'block' };
    case 'database_id':
      return { id, type: 'database' };
    case 'data_source_id': {
      const database = id ? ctx.block(id)?.parent_id : undefined;
      return { id: database ?? id, type: 'database', ...(id ? { data_source_id: id } : {}) };
    }
    default:
      return { id: null, type: 'space' };
  }
}

/** Ids of the properties whose stored values differ (page property JSON keyed by id). */
function changedValues(before: string | null, after: string | null): string[] {
  const a = JSON.parse(before ?? '{}') as Record<string, unknown>;
  const b = JSON.parse(after ?? '{}') as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

type SchemaProperty = { id: string; name?: string };

/** A data source's schema change, property by property. */
export function schemaDiff(before: string | null, after: string | null): UpdatedProperty[] {
  const a = new Map((JSON.parse(before ?? '[]') as SchemaProperty[]).map((p) => [p.id, p]));
  const b = new Map((JSON.parse(after ?? '[]') as SchemaProperty[]).map((p) => [p.id, p]));
  const out: UpdatedProperty[] = [];
  for (const [id, p] of b) {
    const old = a.get(id);
    if (!old) out.push({ id, name: p.name ?? null, action: 'created' });
    else if (JSON.stringify(old) !== JSON.stringify(p))
      out.push({ id, name: p.name ?? null, action: 'updated' });
  }
  for (const [id, p] of a) if (!b.has(id)) out.push({ id, name: p.name ?? null, action: 'deleted' });
  return out;
}

/** The nearest page holding a content block. */
function pageOf(state: BlockState, ctx: DeriveContext): string | null {
  let at = state.parent_id ? ctx.block(state.parent_id) : undefined;
  for (let depth = 0; at && depth < 256; depth++) {
    if (at.type === 'page') return at.id;
    if (CONTAINERS.has(at.type)) return null;
    at = at.parent_id ? ctx.block(at.parent_id) : undefined;
  }
  return null;
}

/** A content block's change that is more than its edit stamp (ancestors are stamped on edits). */
function contentChanged(c: Change<BlockState>): boolean {
  const { before: b, after: a } = c;
  if (!b) return true;
  return (
    b.data !== a.data ||
    b.in_trash !== a.in_trash ||
    b.parent_id !== a.parent_id ||
    b.properties !== a.properties
  );
}

/** The events of one transaction's changes, in the order the changes were first made. */
export function deriveEvents(set: ChangeSet, ctx: DeriveContext): NewEvent[] {
  const events: NewEvent[] = [];
  const created = new Set(set.blocks.filter((c) => c.before === null).map((c) => c.after.id));
  // Content edits and row changes are gathered per page / data source: one event each.
  const grouped = new Map<string, { event: NewEvent; blocks: UpdatedBlock[] }>();
  const emit = (
    c: Change<BlockState>,
    type: EventType,
    entityType: NewEvent['entity']['type'],
    extra = {},
  ) => {
    const author = authorOf(c, set);
    events.push({
      type,
      entity: { id: c.after.id, type: entityType },
      data: { parent: parentOf(c.after, ctx), ...extra },
      authors: [ctx.author(author)],
      integrationId: ctx.integrationOf(author),
      timestamp: set.time,
    });
  };
  const group = (key: string, make: () => NewEvent | null, block: UpdatedBlock) => {
    let g = grouped.get(key);
    if (!g) {
      const event = make();
      if (!event) return;
      g = { event, blocks: [] };
      grouped.set(key, g);
      events.push(event);
    }
    if (!g.blocks.some((b) => b.id === block.id)) g.blocks.push(block);
    g.event.data.updated_blocks = g.blocks;
  };
  for (const c of set.blocks) {
    const { before: b, after: a } = c;
    const kind =
      a.type === 'page'
        ? 'page'
        : a.type === 'database'
          ? 'database'
          : a.type === 'data_source'
            ? 'data_source'
            : null;
    if (kind === null) {
      const page = contentChanged(c) ? pageOf(a, ctx) : null;
      if (page && !created.has(page)) {
        const state = ctx.block(page)!;
        group(page, () => contentEvent('page.content_updated', state, 'page', c, set, ctx), {
          id: a.id,
          type: 'block',
        });
      }
      continue;
    }
    if (!b) emit(c, `${kind}.created`, kind);
    else {
      if (b.in_trash !== a.in_trash) emit(c, a.in_trash ? `${kind}.deleted` : `${kind}.undeleted`, kind);
      if (b.parent_id !== a.parent_id) emit(c, `${kind}.moved`, kind);
      if (kind === 'page' && b.is_locked !== a.is_locked)
        emit(c, a.is_locked ? 'page.locked' : 'page.unlocked', kind);
      if (kind === 'page' && b.properties !== a.properties) {
        const ids = changedValues(b.properties, a.properties);
        if (ids.length > 0) emit(c, 'page.properties_updated', kind, { updated_properties: ids });
      }
      if (kind === 'data_source' && b.properties !== a.properties) {
        const diff = schemaDiff(b.properties, a.properties);
        if (diff.length > 0) emit(c, 'data_source.schema_updated', kind, { updated_properties: diff });
      }
    }
    const rowOf = kind === 'page' && a.parent_type === 'data_source_id' ? a.parent_id : null;
    const rowCountChanged = !b || b.in_trash !== a.in_trash;
    if (rowOf && rowCountChanged && !created.has(rowOf)) {
      const ds = ctx.block(rowOf);
      if (ds)
        group(rowOf, () => contentEvent('data_source.content_updated', ds, 'data_source', c, set, ctx), {
          id: a.id,
          type: 'page',
        });
    }
  }
  for (const e of events) if (e.entity.type === 'data_source') e.data.database = databaseOf(e.entity.id, ctx);
  return [...events, ...uploadEvents(set, ctx)];
}

function contentEvent(
  type: EventType,
  entity: BlockState,
  entityType: 'page' | 'data_source',
  c: Change<BlockState>,
  set: ChangeSet,
  ctx: DeriveContext,
): NewEvent {
  const author = authorOf(c, set);
  return {
    type,
    entity: { id: entity.id, type: entityType },
    data: { parent: parentOf(entity, ctx), updated_blocks: [] },
    authors: [ctx.author(author)],
    integrationId: ctx.integrationOf(author),
    timestamp: set.time,
  };
}

/** The database a data source belongs to, with its parent (what 2022-06-28 subscribers see). */
function databaseOf(
  dataSourceId: string,
  ctx: DeriveContext,
): { id: string; parent: EventParent } | undefined {
  const ds = ctx.block(dataSourceId);
  const db = ds?.parent_id ? ctx.block(ds.parent_id) : undefined;
  return db ? { id: db.id, parent: parentOf(db, ctx) } : undefined;
}

/**
 * Who made a change: the stamp the change wrote, else the transaction's (a data source whose
 * options grew because a row named a new one is changed by whoever wrote the row).
 */
function authorOf(c: Change<BlockState>, set: ChangeSet): string {
  const stamped = c.before === null || c.before.last_edited_time !== c.after.last_edited_time;
  return stamped ? c.after.last_edited_by : (set.actor ?? c.after.last_edited_by);
}

function uploadEvents(set: ChangeSet, ctx: DeriveContext): NewEvent[] {
  const out: NewEvent[] = [];
  for (const { before, after } of set.uploads) {
    const type: EventType | null = !before
      ? 'file_upload.created'
      : before.status !== after.status && after.status === 'uploaded'
        ? 'file_upload.completed'
        : before.status !== after.status && after.status === 'failed'
          ? 'file_upload.upload_failed'
          : null;
    if (!type) continue;
    const result =
      type === 'file_upload.upload_failed' && after.import_result
        ? JSON.parse(after.import_result)
        : undefined;
    out.push({
      type,
      entity: { id: after.id, type: 'file_upload' },
      data: result ? { file_import_result: result } : {},
      authors: [ctx.author(after.created_by)],
      integrationId: after.integration_id,
      timestamp: after.last_edited_time,
    });
  }
  return out;
}
