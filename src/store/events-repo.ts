/**
 * The outbox side of the store. Each transaction gets a ChangeLog; the blocks and file-upload
 * repositories note every insert and update in it (the state before, the state after), and
 * `recordEvents` turns the net changes into events (events/derive.ts) and writes them as the
 * transaction's last statements. A write path cannot forget its events, and a transaction that
 * rolls back (or that Postgres aborts and the store runs again) leaves none.
 */
import { CompiledQuery, type Kysely, type SqlBool, sql, type Transaction } from 'kysely';
import { COMMENT_STATE, type CommentChange, type CommentState, commentEvents } from '../events/comments.ts';
import { cursorAt, parseCursor, START_CURSOR } from '../events/cursor.ts';
import {
  type BlockState,
  type Change,
  deriveEvents,
  needsParent,
  type UploadState,
} from '../events/derive.ts';
import type { EventAuthor, KnownAuthor, RecordedEvent } from '../events/types.ts';
import { VIEW_STATE, type ViewChange, type ViewState, viewEvents } from '../events/views.ts';
import { newId } from '../lib/ids.ts';
import { preparePostgresText } from './compiled.ts';
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
  readonly comments = new Map<string, CommentChange>();
  /**
   * Blocks this transaction read (`blocks.get`, `getMany`), as read: the ancestors derivation
   * climbs through (a row's data source and database, a content block's page) are usually among
   * them. Still true at commit unless this transaction wrote them, and every write of a block
   * goes through `blocks.insertMany` or `blocks.update`, which note it in `blocks` (that wins).
   */
  readonly seen = new Map<string, BlockState>();
  /** Authors the caller named (`TransactionOptions.authors`), as the list stands at the end. */
  private readonly named: readonly KnownAuthor[];
  actor: string | null = null;
  time: string | null = null;

  constructor(authors: readonly KnownAuthor[] = []) {
    this.named = authors;
  }

  /** Authors the caller named, by user id (read when the events are recorded). */
  get authors(): ReadonlyMap<string, KnownAuthor> {
    return new Map(this.named.map((a) => [a.id, a]));
  }

  /**
   * Notes blocks the transaction read: the rows as the driver returned them, which the blocks
   * repository copies before handing them out (so nothing changes them).
   */
  sawBlocks(rows: readonly BlockState[]): void {
    for (const row of rows) this.seen.set(row.id, row);
  }

  /**
   * Blocks read with their row lock held to the end of the transaction (`blocks.getForWrite`; on
   * SQLite the one writer's own reads): as read, they are their state until this transaction
   * writes them, so an update of one needs no read of its prior state.
   */
  private readonly locked = new Map<string, BlockState>();
  readForWrite(row: BlockState): void {
    this.locked.set(
      row.id,
      pick(row as unknown as Record<string, unknown>, BLOCK_STATE) as unknown as BlockState,
    );
  }

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
    const before =
      this.locked.get(id) ??
      (await db.selectFrom('blocks').select(BLOCK_STATE).where('id', '=', id).executeTakeFirst());
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

  /** Notes an inserted comment. */
  insertedComment(row: Record<string, unknown>): void {
    this.stamp(row.created_by, row.last_edited_time);
    this.comments.set(row.id as string, {
      before: null,
      after: pick(row, COMMENT_STATE) as unknown as CommentState,
    });
  }

  /** Notes an update (`patch`) or the deletion (null) of a comment, before it is written. */
  async changingComment(db: Db, id: string, patch: Record<string, unknown> | null): Promise<void> {
    if (patch) this.stamp(undefined, patch.last_edited_time);
    let known = this.comments.get(id);
    if (!known) {
      const before = await db
        .selectFrom('comments')
        .select(COMMENT_STATE)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!before) return;
      known = { before, after: before };
      this.comments.set(id, known);
    }
    if (!known.after) return;
    known.after = patch
      ? ({
          ...known.after,
          ...pick(
            patch,
            COMMENT_STATE.filter((k) => k in patch),
          ),
        } as CommentState)
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
  if (log.blocks.size === 0 && log.uploads.size === 0 && log.views.size === 0 && log.comments.size === 0)
    return;
  const known = new Map<string, BlockState>();
  for (const c of log.blocks.values()) known.set(c.after.id, c.after);
  // Climb to the parents derivation needs, level by level: from what the transaction read when
  // it has them, else in one read per level.
  let wanted = [...known.values()];
  for (let depth = 0; wanted.length > 0 && depth < 256; depth++) {
    const next: BlockState[] = [];
    const missing = new Set<string>();
    for (const state of wanted) {
      const id = state.parent_id;
      if (id === null || !needsParent(state) || known.has(id)) continue;
      const seen = log.seen.get(id);
      if (seen) {
        known.set(id, seen);
        next.push(seen);
      } else missing.add(id);
    }
    if (missing.size > 0) {
      const rows = await db
        .selectFrom('blocks')
        .select(BLOCK_STATE)
        .where('id', 'in', [...missing])
        .execute();
      for (const r of rows) {
        known.set(r.id, r);
        next.push(r);
      }
    }
    wanted = next;
  }
  const userIds = new Set<string>();
  for (const c of log.blocks.values()) userIds.add(c.after.last_edited_by);
  for (const c of log.uploads.values()) userIds.add(c.after.created_by);
  for (const c of log.views.values()) {
    const state = c.after ?? c.before;
    if (state) userIds.add(state.last_edited_by);
  }
  for (const c of log.comments.values()) {
    const state = c.after ?? c.before;
    if (state) userIds.add(state.created_by);
  }
  if (log.actor) userIds.add(log.actor);
  const kinds = new Map<string, string>();
  const integrations = new Map<string, string>();
  const unknown: string[] = [];
  const authors = log.authors;
  for (const id of userIds) {
    const named = authors.get(id);
    if (!named) {
      unknown.push(id);
      continue;
    }
    kinds.set(id, named.type);
    if (named.integrationId !== null) integrations.set(id, named.integrationId);
  }
  // The other authors' kinds and, for a bot, its integration: one read (none when the caller
  // named every author, as API requests do).
  if (unknown.length > 0) {
    const users = await db
      .selectFrom('users as u')
      .leftJoin('integrations as i', 'i.bot_user_id', 'u.id')
      .select(['u.id', 'u.type', 'i.id as integration_id'])
      .where('u.id', 'in', unknown)
      .execute();
    for (const u of users) {
      kinds.set(u.id, u.type);
      if (u.integration_id !== null) integrations.set(u.id, u.integration_id);
    }
  }
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
  )
    .concat(viewEvents([...log.views.values()], { author, integrationOf }, log.actor, time))
    .concat(
      commentEvents(
        [...log.comments.values()],
        { author, integrationOf, pageOf: await commentPages(db, log) },
        log.actor,
        time,
      ),
    );
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
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const texts = insertTexts(db);
    const text = texts.get(chunk.length);
    const parameters = chunk.flatMap((r) => [
      r.id,
      r.type,
      r.entity_id,
      r.entity_type,
      r.data,
      r.authors,
      r.integration_id,
      r.timestamp,
    ]);
    if (text !== undefined) {
      await db.executeQuery(CompiledQuery.raw(text, parameters));
      continue;
    }
    const compiled = db.insertInto('events').values(chunk).compile();
    // Kysely lays the parameters out row by row in the rows' key order, as above; kept only if so.
    if (compiled.parameters.every((p, n) => p === parameters[n])) {
      texts.set(chunk.length, compiled.sql);
      // A transaction's few events (a run's, a request's): prepared on Postgres (its placeholders
      // are numbered), parsed and planned once per connection. Larger batches are rarer.
      if (chunk.length <= 4 && compiled.sql.includes('$1')) preparePostgresText(compiled.sql);
    }
    await db.executeQuery(compiled);
  }
}

/**
 * The SQL texts of inserts of n events, by n, per dialect (placeholders differ): built and
 * compiled by Kysely once and reused with each transaction's parameters.
 */
const INSERT_SQL = new WeakMap<object, Map<number, string>>();
function insertTexts(db: Db): Map<number, string> {
  const adapter = db.getExecutor().adapter;
  let texts = INSERT_SQL.get(adapter);
  if (!texts) {
    texts = new Map();
    INSERT_SQL.set(adapter, texts);
  }
  return texts;
}

/**
 * The page each noted comment is on: its parent when that is a page, else the nearest page
 * above its block (one read per level of the tree, for all the transaction's comments at once).
 */
async function commentPages(db: Db, log: ChangeLog): Promise<(state: CommentState) => string | null> {
  const page = new Map<string, string | null>();
  const climbing = new Map<string, string>();
  for (const c of log.comments.values()) {
    const state = c.after ?? c.before;
    if (!state) continue;
    if (state.parent_type === 'page_id') page.set(state.parent_id, state.parent_id);
    else climbing.set(state.parent_id, state.parent_id);
  }
  for (let depth = 0; climbing.size > 0 && depth < 64; depth++) {
    const rows = await db
      .selectFrom('blocks')
      .select(['id', 'type', 'parent_id'])
      .where('id', 'in', [...new Set(climbing.values())])
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const [start, at] of [...climbing]) {
      const row = byId.get(at);
      if (!row || row.type === 'page' || row.parent_id === null) {
        page.set(start, row?.type === 'page' ? row.id : null);
        climbing.delete(start);
      } else climbing.set(start, row.parent_id);
    }
  }
  return (state) => page.get(state.parent_id) ?? null;
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
    idAt: async (cursor) => {
      const at = parseCursor(cursor);
      if (!at) return undefined;
      const xid = engine === 'postgres' ? sql`${at.xid}::xid8` : sql`${BigInt(at.xid)}`;
      const row = await db
        .selectFrom('events')
        .select('id')
        .where(sql<SqlBool>`(xid, seq) = (${xid}, ${at.seq})`)
        .executeTakeFirst();
      return row?.id;
    },
  };
}
