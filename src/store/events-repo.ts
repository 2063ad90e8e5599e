/**
 * The outbox side of the store. Each transaction gets a ChangeLog; the blocks and file-upload
 * repositories note every insert and update in it (the state before, the state after), and
 * `recordEvents` turns the net changes into events (events/derive.ts) and writes them as the
 * transaction's last statements. A write path cannot forget its events, and a transaction that
 * rolls back (or that Postgres aborts and the store runs again) leaves none.
 */
import { type Kysely, type SqlBool, sql, type Transaction } from 'kysely';
import { cursorAt, parseCursor, START_CURSOR } from '../events/cursor.ts';
import {
  type BlockState,
  type Change,
  deriveEvents,
  needsParent,
  type UploadState,
} from '../events/derive.ts';
import type { EventAuthor, RecordedEvent } from '../events/types.ts';
import { VIEW_STATE, type ViewChange, type ViewState, viewEvents } from '../events/views.ts';
import { newId } from '../lib/ids.ts';
import type { Database } from './schema.ts';
import type { Engine, EventRepo } from './store.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The block columns events are derived from (a subset read before an update). */
export const BLOCK_STATE = [
  'id',
  'type',
  'parent_type',
  'parent_id',
  'in_trash',
  'is_locked',
  'properties',
  'data',
  'last_edited_by',
  'last_edited_time',
] as const;
const UPLOAD_STATE = [
  'id',
  'integration_id',
  'created_by',
  'status',
  'import_result',
  'last_edited_time',
] as const;
const STAMP_ONLY = new Set(['last_edited_time', 'last_edited_by']);

function pick<K extends string>(row: Record<string, unknown>, keys: readonly K[]): Record<K, unknown> {
  return Object.fromEntries(keys.map((k) => [k, row[k]])) as Record<K, unknown>;
}

/** One transaction's net changes, merged per object (first `before`, latest `after`). */
export class ChangeLog {
  readonly blocks = new Map<string, Change<BlockState>>();
  readonly uploads = new Map<string, Change<UploadState>>();
  readonly views = new Map<string, ViewChange>();
  actor: string | null = null;
  time: string | null = null;

  private stamp(by: unknown, at: unknown): void {
    if (typeof by === 'string') this.actor ??= by;
    if (typeof at === 'string' && (this.time === null || at > this.time)) this.time = at;
  }

  /** Notes inserted blocks. */
  insertedBlocks(rows: readonly Record<string, unknown>[]): void {
    for (const row of rows) {
      this.stamp(row.last_edited_by, row.last_edited_time);
      this.blocks.set(row.id as string, {
        before: null,
        after: pick(row, BLOCK_STATE) as unknown as BlockState,
      });
    }
  }

  /**
   * Notes an update of a block, before it is written; reads the block's prior state when this
   * transaction has not touched it yet. A patch of the edit stamp alone (ancestors of an edited
   * block) changes nothing events report, so it costs no read.
   */
  async updatingBlock(db: Db, id: string, patch: Record<string, unknown>): Promise<void> {
    this.stamp(patch.last_edited_by, patch.last_edited_time);
    const known = this.blocks.get(id);
    if (known) {
      known.after = {
        ...known.after,
        ...pick(
          patch,
          BLOCK_STATE.filter((k) => k in patch),
        ),
      } as BlockState;
      return;
    }
    if (Object.keys(patch).every((k) => STAMP_ONLY.has(k))) return;
    const before = await db.selectFrom('blocks').select(BLOCK_STATE).where('id', '=', id).executeTakeFirst();
    if (!before) return;
    const after = {
      ...before,
      ...pick(
        patch,
        BLOCK_STATE.filter((k) => k in patch),
      ),
    } as BlockState;
    this.blocks.set(id, { before, after });
  }

  /** Notes an inserted view. */
  insertedView(row: Record<string, unknown>): void {
    this.stamp(row.last_edited_by, row.last_edited_time);
    this.views.set(row.id as string, { before: null, after: pick(row, VIEW_STATE) as unknown as ViewState });
  }

  /** Notes an update (`patch`) or the deletion (null) of a view, before it is written. */
  async changingView(db: Db, id: string, patch: Record<string, unknown> | null): Promise<void> {
    if (patch) this.stamp(patch.last_edited_by, patch.last_edited_time);
    let known = this.views.get(id);
    if (!known) {
      const before = await db.selectFrom('views').select(VIEW_STATE).where('id', '=', id).executeTakeFirst();
      if (!before) return;
      known = { before, after: before };
      this.views.set(id, known);
    }
    if (!known.after) return;
    known.after = patch
      ? ({
          ...known.after,
          ...pick(
            patch,
            VIEW_STATE.filter((k) => k in patch),
          ),
        } as ViewState)
      : null;
  }

  /** Notes an inserted upload. */
  insertedUpload(row: Record<string, unknown>): void {
    this.uploads.set(row.id as string, {
      before: null,
      after: pick(row, UPLOAD_STATE) as unknown as UploadState,
    });
  }

  /** Notes an update of an upload, before it is written. */
  async updatingUpload(db: Db, id: string, patch: Record<string, unknown>): Promise<void> {
    const known = this.uploads.get(id);
    const fields = pick(
      patch,
      UPLOAD_STATE.filter((k) => k in patch),
    );
    if (known) {
      known.after = { ...known.after, ...fields } as UploadState;
      return;
    }
    const before = await db
      .selectFrom('file_uploads')
      .select(UPLOAD_STATE)
      .where('id', '=', id)
      .executeTakeFirst();
    if (before) this.uploads.set(id, { before, after: { ...before, ...fields } as UploadState });
  }
}

/**
 * Derives the transaction's events from its ChangeLog and inserts them. Reads what derivation
 * needs (ancestors of changed blocks, authors' kinds and integrations) in a few batched reads.
 * Takes no lock: on Postgres each row gets its transaction's id (column default, migration 008)
 * and readers order by it (`eventRepo`; docs/ARCHITECTURE.md, "Change events").
 */
export async function recordEvents(db: Db, log: ChangeLog): Promise<void> {
  if (log.blocks.size === 0 && log.uploads.size === 0 && log.views.size === 0) return;
  const known = new Map<string, BlockState>();
  for (const c of log.blocks.values()) known.set(c.after.id, c.after);
  let wanted = [...known.values()];
  for (let depth = 0; wanted.length > 0 && depth < 256; depth++) {
    const ids = [...new Set(wanted.filter(needsParent).map((s) => s.parent_id))].filter(
      (id): id is string => id !== null && !known.has(id),
    );
    if (ids.length === 0) break;
    const rows = await db.selectFrom('blocks').select(BLOCK_STATE).where('id', 'in', ids).execute();
    for (const r of rows) known.set(r.id, r);
    wanted = rows;
  }
  const userIds = new Set<string>();
  for (const c of log.blocks.values()) userIds.add(c.after.last_edited_by);
  for (const c of log.uploads.values()) userIds.add(c.after.created_by);
  for (const c of log.views.values()) {
    const state = c.after ?? c.before;
    if (state) userIds.add(state.last_edited_by);
  }
  if (log.actor) userIds.add(log.actor);
  const ids = [...userIds];
  // Each author's kind and, for a bot, its integration: one read (a round trip less per write).
  const users = await db
    .selectFrom('users as u')
    .leftJoin('integrations as i', 'i.bot_user_id', 'u.id')
    .select(['u.id', 'u.type', 'i.id as integration_id'])
    .where('u.id', 'in', ids)
    .execute();
  const kinds = new Map(users.map((u) => [u.id, u.type]));
  const integrations = new Map(
    users.flatMap((u) => (u.integration_id === null ? [] : [[u.id, u.integration_id] as const])),
  );
  const author = (id: string): EventAuthor => ({ id, type: kinds.get(id) === 'person' ? 'person' : 'bot' });
  const integrationOf = (id: string) => integrations.get(id) ?? null;
  const time = log.time ?? new Date().toISOString();
  const events = deriveEvents(
    {
      blocks: [...log.blocks.values()],
      uploads: [...log.uploads.values()],
      actor: log.actor,
      time,
    },
    { block: (id) => known.get(id), author, integrationOf },
  ).concat(viewEvents([...log.views.values()], { author, integrationOf }, log.actor, time));
  if (events.length === 0) return;
  const rows = events.map((e) => ({
    id: newId(),
    type: e.type,
    entity_id: e.entity.id,
    entity_type: e.entity.type,
    data: JSON.stringify(e.data),
    authors: JSON.stringify(e.authors),
    integration_id: e.integrationId,
    timestamp: e.timestamp,
  }));
  // 8 columns: 500 rows stay far below both engines' bind-parameter caps.
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('events')
      .values(rows.slice(i, i + 500))
      .execute();
}

/**
 * Reading the outbox: the consumers' side of the store port. Events come in (xid, seq) order
 * after the cursor's pair. On Postgres, only events of transactions older than the oldest one
 * still running, as of this statement's own snapshot: every such transaction has ended, so its
 * events, if committed, are visible to this very statement, and no event can later commit
 * before the returned cursor. SQLite records xid 0 (one writer at a time: seq is commit order).
 */
export function eventRepo(db: Db, engine: Engine): EventRepo {
  return {
    readAfter: async (cursor, limit) => {
      const at = parseCursor(cursor);
      if (!at) throw new Error(`not an event cursor: ${cursor}`);
      let q = db.selectFrom('events').selectAll();
      if (engine === 'postgres') {
        // One statement: the bound and the visibility of the rows come from the same snapshot.
        q = q
          .where(sql<SqlBool>`(xid, seq) > (${at.xid}::xid8, ${at.seq})`)
          .where(sql<SqlBool>`xid < pg_snapshot_xmin(pg_current_snapshot())`);
      } else {
        q = q.where(sql<SqlBool>`(xid, seq) > (${BigInt(at.xid)}, ${at.seq})`);
      }
      const rows = await q.orderBy('xid').orderBy('seq').limit(limit).execute();
      const events = rows.map(
        (r): RecordedEvent => ({
          seq: Number(r.seq),
          cursor: cursorAt(r.xid, Number(r.seq)),
          id: r.id,
          type: r.type as RecordedEvent['type'],
          entity: { id: r.entity_id, type: r.entity_type as RecordedEvent['entity']['type'] },
          data: JSON.parse(r.data),
          authors: JSON.parse(r.authors),
          integrationId: r.integration_id,
          timestamp: r.timestamp,
        }),
      );
      return { events, next: events.at(-1)?.cursor ?? cursor };
    },
    endCursor: async (options = {}) => {
      let q = db.selectFrom('events').select(['xid', 'seq']);
      // As readAfter: on Postgres only what is below the readable horizon counts (unless asked
      // for the last committed event).
      if (engine === 'postgres' && !options.committed)
        q = q.where(sql<SqlBool>`xid < pg_snapshot_xmin(pg_current_snapshot())`);
      const last = await q.orderBy('xid', 'desc').orderBy('seq', 'desc').limit(1).executeTakeFirst();
      return last ? cursorAt(last.xid, Number(last.seq)) : START_CURSOR;
    },
  };
}
