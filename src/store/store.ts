/**
 * The Store port: what operations may ask of storage. Operations see only these types; the Kysely
 * implementation (kysely-store.ts) is the one place that writes SQL for them.
 */
import type { Selectable } from 'kysely';
import type { SearchObject } from '../domain/search.ts';
import type { EventCursor } from '../events/cursor.ts';
import type { EventPage, KnownAuthor } from '../events/types.ts';
import type { Query } from '../query/ir.ts';
import type {
  AsyncTaskTable,
  AutomationRunTable,
  AutomationTable,
  BlockTable,
  CommentDiscussionTable,
  CommentTable,
  CustomEmojiTable,
  FileUploadTable,
  IntegrationTable,
  InvitationTable,
  OauthClientTable,
  OauthCodeTable,
  OauthInstallationTable,
  PageTemplateTable,
  ScriptRunTable,
  ScriptTable,
  UserTable,
  ViewQueryTable,
  ViewTable,
  WebhookDeliveryTable,
  WebhookSubscriptionTable,
  WebSessionTable,
  WorkerRecordTable,
  WorkerRunTable,
  WorkerSyncTable,
  WorkerTable,
} from './schema.ts';

export type UserRow = Selectable<UserTable>;
export type IntegrationRow = Selectable<IntegrationTable>;
export type BlockRow = Selectable<BlockTable>;
/** A block row with its derived `has_children` flag. */
export type BlockView = BlockRow & { has_children: boolean };
export type FileUploadRow = Selectable<FileUploadTable>;
export type CommentRow = Selectable<CommentTable>;
export type DiscussionRow = Selectable<CommentDiscussionTable>;
export type ViewRow = Selectable<ViewTable>;
export type ViewQueryRow = Selectable<ViewQueryTable>;
export type PageTemplateRow = Selectable<PageTemplateTable>;
export type CustomEmojiRow = Selectable<CustomEmojiTable>;
export type AsyncTaskRow = Selectable<AsyncTaskTable>;
export type ViewPatch = Partial<Omit<ViewRow, 'id' | 'created_time' | 'created_by'>>;
export type BlockPatch = Partial<Omit<BlockRow, 'id' | 'created_time' | 'created_by'>>;

export interface Page<T> {
  items: T[];
  /** The id to resume from, or null at the end. */
  next: string | null;
}

export interface UserRepo {
  get(id: string): Promise<UserRow | undefined>;
  getByEmail(email: string): Promise<UserRow | undefined>;
  insert(row: UserRow): Promise<void>;
  /** Renames a user (an integration's bot follows its integration's name). */
  rename(id: string, name: string): Promise<void>;
  /** Ordered by id; `from` is an inclusive id cursor. */
  list(from: string | null, limit: number): Promise<Page<UserRow>>;
}

/** What may change on an integration after it was created. */
export type IntegrationPatch = Partial<
  Pick<IntegrationRow, 'name' | 'capabilities' | 'token_hash' | 'revoked_time'>
>;

export interface IntegrationRepo {
  get(id: string): Promise<IntegrationRow | undefined>;
  getByName(name: string): Promise<IntegrationRow | undefined>;
  /** The integration whose token hashes to `hash`, unless that token was revoked. */
  getByTokenHash(hash: string): Promise<IntegrationRow | undefined>;
  insert(row: IntegrationRow): Promise<void>;
  /** Oldest first. */
  list(): Promise<IntegrationRow[]>;
  update(id: string, patch: IntegrationPatch): Promise<void>;
  /**
   * Deletes the integration and its shares. Its bot user stays (authors of what it wrote), and
   * its file uploads stay with no integration (the attached ones are still served).
   */
  delete(id: string): Promise<void>;
}

export interface BlockRepo {
  get(id: string): Promise<BlockView | undefined>;
  /**
   * The block when integration `integrationId` may see it (it or an ancestor is shared with it),
   * else undefined, as `get` and `ShareRepo.isVisible` together; `null` sees everything. On
   * Postgres one statement (a round trip less on every read of an object by id).
   */
  getVisible(id: string, integrationId: string | null): Promise<BlockView | undefined>;
  /**
   * `getVisible`, and for a row of a data source (`parent_type` `data_source_id`) what of that
   * data source its page object needs (null when it is gone), read with it: on Postgres in the
   * same statement, on SQLite by the visibility walk's own statement when the walk passes it.
   */
  getVisibleRow(id: string, integrationId: string | null): Promise<VisibleRow | undefined>;
  getMany(ids: readonly string[]): Promise<BlockView[]>;
  insertMany(rows: readonly BlockRow[]): Promise<void>;
  update(id: string, patch: BlockPatch): Promise<void>;
  /**
   * Non-trashed children in order; `from` is an inclusive child-id cursor. A database's data
   * sources are not content and are left out unless asked for.
   */
  listChildren(
    parentId: string,
    from: string | null,
    limit: number,
    options?: { includeDataSources?: boolean },
  ): Promise<Page<BlockView>>;
  /**
   * Non-trashed children (data sources left out) of each of `parentIds`, grouped by parent and in
   * order within each; at most `limit` rows in all. Reads a whole level of a tree at once.
   */
  childrenOfMany(parentIds: readonly string[], limit: number): Promise<BlockView[]>;
  /** The sort keys around an insertion point: after `afterId`, or at the start/end when null. */
  lastChildKey(parentId: string): Promise<string | null>;
  firstChildKey(parentId: string): Promise<string | null>;
  nextSiblingKey(parentId: string, sortKey: string): Promise<string | null>;
  /** Ids of this block and its ancestors, nearest first (bounded depth). */
  ancestorIds(id: string): Promise<string[]>;
  /** Serializes concurrent writers of one parent's children (no-op where writes are serial). */
  lockChildren(parentId: string): Promise<void>;
  /**
   * The block as `get` reads it, its row locked until the transaction ends (Postgres's `FOR NO
   * KEY UPDATE`; where writes are serial, a plain read): the lock a write of the row takes, taken
   * before the row is read so that two writers of it do not overwrite each other's changes.
   */
  getForWrite(id: string): Promise<BlockView | undefined>;
  /**
   * The lock of a data source's row writers (ops/relations.ts), held until the transaction ends:
   * `share` holders go side by side; `exclusive` waits for every holder and keeps all others out.
   * Waiters are served in order (Postgres's lock manager: a shared request waits behind an
   * exclusive one already waiting), so a schema change is not starved by a stream of row writes.
   * No-op where writes are serial.
   */
  lockRowWriters(dataSourceId: string, mode: 'share' | 'exclusive'): Promise<void>;
  /** Whether locks exist here (Postgres), or writers are serial anyway (SQLite). */
  readonly rowLocks: boolean;
  /**
   * Serializes every change of a parent (page and database moves) until the transaction ends, so
   * that the ancestor check of one move sees every move committed before it: two moves can never
   * both pass the check and close a loop. Taken before reading the ancestors; no-op where writes
   * are serial already.
   */
  lockTree(): Promise<void>;
  /** Pages of a data source, trashed included, by (created_time, id) after `after`. */
  rowsOf(
    dataSourceId: string,
    after: Pick<BlockRow, 'created_time' | 'id'> | null,
    limit: number,
  ): Promise<BlockRow[]>;
  /** The workspace-level pages (parent_type = workspace). */
  listWorkspacePages(): Promise<BlockRow[]>;
  /**
   * The parent (null at the top) of each of `ids` that exists and of every ancestor of theirs,
   * read in one statement (bounded depth from each id).
   */
  parentChains(ids: readonly string[]): Promise<Map<string, string | null>>;
  /**
   * The live data sources of each database in `databaseIds`, in order (at most 100 each, as
   * `listChildren` gives them), read in one statement.
   */
  dataSourcesOfMany(databaseIds: readonly string[]): Promise<Map<string, BlockView[]>>;
}

export interface ShareRepo {
  add(integrationId: string, blockId: string, at: string): Promise<void>;
  /** Ends a direct share (what is below stays visible through any other share above it). */
  remove(integrationId: string, blockId: string): Promise<void>;
  /** The integrations `blockId` is shared with directly. */
  sharedTo(blockId: string): Promise<string[]>;
  /** True when the block or one of its ancestors is shared with the integration. */
  isVisible(integrationId: string, blockId: string): Promise<boolean>;
  /** The blocks shared with the integration directly (not their descendants). */
  sharedWith(integrationId: string): Promise<Set<string>>;
  /**
   * The blocks shared with the integration, and the first `cap` or so pages, databases and data
   * sources it can see (shared, or below something shared), read level by level down from the
   * shares (store/sight.ts). Each read is bounded by what is left of `cap`, so asking costs at
   * most that many rows however large a data source below is.
   */
  sight(integrationId: string, cap: number): Promise<Sight>;
}

/** What an integration is shown, as `ShareRepo.sight` reads it. */
export interface Sight {
  /** Every block shared with the integration directly (not their descendants). */
  shared: ReadonlySet<string>;
  /** Visible pages, databases and data sources (the shared blocks first), at most the cap. */
  objects: readonly string[];
  /** True when `objects` is every visible object (there are fewer than the cap). */
  complete: boolean;
}

/** One derived row of a data-source table: `page_id`, row columns and property columns. */
export type DerivedRow = Record<string, string | number | null>;

/** A property as the derived tables need it. */
export interface ColumnProperty {
  id: string;
  type: string;
}

/** The per-data-source tables of derived, typed columns that queries run on. */
export interface RowRepo {
  createTable(dataSourceId: string, properties: readonly ColumnProperty[]): Promise<void>;
  addProperty(dataSourceId: string, property: ColumnProperty): Promise<void>;
  dropProperty(dataSourceId: string, property: ColumnProperty): Promise<void>;
  /** Inserts or replaces rows (by `page_id`). */
  upsert(dataSourceId: string, rows: readonly DerivedRow[]): Promise<void>;
  /** The largest number in a number-family property column, or null when there is none. */
  maxNumber(dataSourceId: string, property: ColumnProperty): Promise<number | null>;
  /**
   * Runs a parsed query in the database: page ids in order, from the page id `from` (inclusive)
   * on, at most `limit`, and the id that starts the next page (null at the end); `unknownCursor`
   * when `from` names no row of the data source.
   */
  query(
    dataSourceId: string,
    query: Query,
    options: RowQueryOptions,
  ): Promise<Page<string> & { unknownCursor?: true }>;
  /**
   * `query`, with the blocks of the page read by the same statements (a page id whose block is
   * gone has none; without `has_children`, which page objects never show): a page of results in
   * one statement instead of two.
   */
  queryBlocks(
    dataSourceId: string,
    query: Query,
    options: RowQueryOptions,
  ): Promise<Page<string> & { blocks: BlockRow[]; unknownCursor?: true }>;
  /**
   * After a bulk write (an import): the query planner's statistics of the table read afresh.
   * Postgres: `ANALYZE` of the table, without which a table just filled is planned as nearly
   * empty (a cursor's page read by a sequential scan and a sort of every row, docs/benchmarks.md,
   * "The table view on 100,000 rows"). SQLite: nothing (its plans are steered by execute.ts).
   */
  refreshStatistics(dataSourceId: string): Promise<void>;
}

export interface RowQueryOptions {
  inTrash: boolean;
  from: string | null;
  limit: number;
  /** The instant relative dates are computed from. */
  now: Date;
}

export interface MetaRepo {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /** Writes `value` only when `key` has none (insert … on conflict do nothing). */
  setIfAbsent(key: string, value: string): Promise<void>;
}

/** Which uploads a listing asks for: an effective status, decided against `now`. */
export interface FileUploadFilter {
  /** The owner: an integration's id, or, for a person's uploads (no integration), `person`. */
  integrationId: string;
  /** A person's uploads: `integration_id` is null and `created_by` is the person's user id. */
  person?: string | undefined;
  status?: 'pending' | 'uploaded' | 'expired' | 'failed' | undefined;
  now: string;
}

export interface FileUploadRepo {
  get(id: string): Promise<FileUploadRow | undefined>;
  insert(row: FileUploadRow): Promise<void>;
  update(id: string, patch: Partial<Omit<FileUploadRow, 'id'>>): Promise<void>;
  /** Serializes concurrent writers of one upload (parts sent in parallel). */
  lock(id: string): Promise<void>;
  /** Newest first (created_time, id); `from` is an inclusive id cursor. */
  list(filter: FileUploadFilter, from: string | null, limit: number): Promise<Page<FileUploadRow>>;
  /** Inserts or replaces one part's bytes. */
  putPart(uploadId: string, partNumber: number, bytes: Uint8Array): Promise<void>;
  /** Part numbers and sizes, in order, without the bytes. */
  parts(uploadId: string): Promise<{ part_number: number; size: number }[]>;
  readPart(uploadId: string, partNumber: number): Promise<Uint8Array | undefined>;
  /** Deletes the bytes of uploads that expired unattached before `now`; answers how many parts. */
  deleteExpiredParts(now: string): Promise<number>;
}

/** Rate-limit buckets kept in the database, shared by every node. */
export interface RateBucketRepo {
  /** The bucket of `key`, created as `initial` when missing, locked until the transaction ends. */
  claim(
    key: string,
    initial: { tokens: number; updatedMs: number },
  ): Promise<{ tokens: number; updatedMs: number }>;
  put(key: string, bucket: { tokens: number; updatedMs: number }): Promise<void>;
}

/** What one search reads: words every title contains, kinds, trash, order. */
export interface SearchScan {
  /** Lowercased words; a title must contain each (none: every title). */
  words: readonly string[];
  /** When known and small: the only ids that may be returned (everything the reader can see). */
  within: readonly string[] | null;
  /** The lowercased query when results go in relevance tiers first (`sort: relevance`), else null. */
  phrase: string | null;
  objects: readonly SearchObject[];
  inTrash: boolean;
  /** Of `last_edited_time` (ties by id), within each relevance tier. */
  direction: 'ascending' | 'descending';
}

/** Where a search resumes: the item that opens the page (it is included). */
export interface SearchAnchor {
  id: string;
  lastEditedTime: string;
  /** Its relevance tier (0 without relevance). */
  tier: number;
}

/** A search match before visibility is decided. */
export interface SearchCandidate {
  id: string;
  parent_id: string | null;
  parent_type: BlockRow['parent_type'];
}

export interface SearchEntryRow {
  id: string;
  object: SearchObject;
  /** Lowercased. */
  title: string;
  last_edited_time: string;
}

/**
 * The search index: one entry per page, database and data source, written by the blocks
 * repository whenever the block's title, trash flag or last edit changes.
 */
export interface SearchRepo {
  entry(id: string): Promise<SearchEntryRow | undefined>;
  /**
   * Candidates in order from `from` (inclusive) on that `keep` accepts (it answers one verdict
   * per candidate, batch by batch): at most `limit`, and the id that opens the next page.
   */
  find(
    scan: SearchScan,
    from: SearchAnchor | null,
    limit: number,
    keep: (candidates: SearchCandidate[]) => Promise<boolean[]>,
  ): Promise<Page<SearchCandidate>>;
}

/** Comments and their discussions (store/comments-repo.ts). */
export interface CommentRepo {
  get(id: string): Promise<CommentRow | undefined>;
  discussion(id: string): Promise<DiscussionRow | undefined>;
  insertDiscussion(row: DiscussionRow): Promise<void>;
  insert(row: CommentRow): Promise<void>;
  update(id: string, patch: Pick<CommentRow, 'rich_text' | 'last_edited_time'>): Promise<void>;
  /** Deletes a comment, and its discussion when no comment is left in it. */
  delete(id: string): Promise<void>;
  /** Resolves a discussion (`at`) or opens it again (null). */
  setResolved(discussionId: string, at: string | null): Promise<void>;
  /**
   * Comments of the open discussions on a page or block: discussions in the order they were
   * started, each one's comments oldest first, from the comment `from` (inclusive) on.
   */
  listOpen(parentId: string, from: CommentRow | null, limit: number): Promise<Page<CommentRow>>;
}

/**
 * The change-event outbox, read side. Events are written by the store itself at the end of every
 * transaction that changed something (store/events-repo.ts), never by operations.
 */
export interface EventRepo {
  /**
   * At most `limit` events after `cursor` (START_CURSOR reads from the start), in read order, and
   * the cursor to resume from. A consumer that keeps `next` misses nothing committed and reads
   * nothing twice; on Postgres an event may wait until every older transaction has ended.
   */
  readAfter(cursor: EventCursor, limit: number): Promise<EventPage>;
  /**
   * The cursor after the last event a read could return now (on Postgres: below the readable
   * horizon, as `readAfter`). With `committed`, after the last event committed, horizon or not:
   * where a new consumer starts when it wants only what happens from now on (a webhook
   * subscription once verified); events of transactions still running then may be skipped.
   */
  endCursor(options?: { committed?: boolean }): Promise<EventCursor>;
  /**
   * The id of the event `cursor` stands just after, if it is there: a reader that remembers a
   * position outside the store checks it still names the same event (a SQLite snapshot restore
   * numbers events again from where the snapshot was taken).
   */
  idAt(cursor: EventCursor): Promise<string | undefined>;
}

export type WebhookSubscriptionRow = Selectable<WebhookSubscriptionTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveryTable>;
export type WebhookSubscriptionPatch = Partial<
  Pick<
    WebhookSubscriptionRow,
    'status' | 'status_reason' | 'cursor' | 'consecutive_failures' | 'verified_time' | 'event_types'
  >
>;
export type WebhookDeliveryPatch = Partial<Omit<WebhookDeliveryRow, 'id' | 'subscription_id'>>;

export type AutomationRow = Selectable<AutomationTable>;
export type AutomationRunRow = Selectable<AutomationRunTable>;

export type ScriptRow = Selectable<ScriptTable>;
export type ScriptRunRow = Selectable<ScriptRunTable>;

export type WorkerRow = Selectable<WorkerTable>;
export type WorkerSyncRow = Selectable<WorkerSyncTable>;
export type WorkerRecordRow = Selectable<WorkerRecordTable>;
export type WorkerRunRow = Selectable<WorkerRunTable>;

/** Deployed Notion Workers, their syncs' state, records and runs (workers/, migration 020). */
export interface WorkerRepo {
  get(name: string): Promise<WorkerRow | undefined>;
  list(): Promise<WorkerRow[]>;
  insert(row: WorkerRow): Promise<void>;
  update(name: string, patch: Partial<Omit<WorkerRow, 'name'>>): Promise<void>;
  delete(name: string): Promise<void>;
  syncs(name: string | null): Promise<WorkerSyncRow[]>;
  sync(name: string, capability: string): Promise<WorkerSyncRow | undefined>;
  putSync(row: WorkerSyncRow): Promise<void>;
  updateSync(
    name: string,
    capability: string,
    patch: Partial<Omit<WorkerSyncRow, 'worker_name' | 'capability'>>,
  ): Promise<void>;
  /** Moves next_run_time from `from` to `to` when it is still `from`; whether it moved. */
  advanceSync(name: string, capability: string, from: string, to: string | null): Promise<boolean>;
  deleteSync(name: string, capability: string): Promise<void>;
  /** Takes the sync's lease until `until` when it is free (or expired at `now`); whether it was taken. */
  leaseSync(name: string, capability: string, now: string, until: string): Promise<boolean>;
  record(
    name: string,
    capability: string,
    databaseKey: string,
    key: string,
  ): Promise<WorkerRecordRow | undefined>;
  putRecord(row: WorkerRecordRow): Promise<void>;
  deleteRecord(name: string, capability: string, databaseKey: string, key: string): Promise<void>;
  /** The records of a sync last seen before `cycle`. */
  staleRecords(name: string, capability: string, cycle: number): Promise<WorkerRecordRow[]>;
  insertRun(row: WorkerRunRow): Promise<void>;
  updateRun(id: string, patch: Partial<Omit<WorkerRunRow, 'id' | 'worker_name'>>): Promise<void>;
  getRun(id: string): Promise<WorkerRunRow | undefined>;
  /** Newest first; one worker's, or every one's. */
  listRuns(name: string | null, limit: number): Promise<WorkerRunRow[]>;
  /** A webhook capability's finished executions (kind `webhook`) started at or after `since`, newest first. */
  finishedHookRuns(name: string, capability: string, since: string, limit: number): Promise<WorkerRunRow[]>;
  /**
   * Applies `patch` to the run when its status is one of `from`, in one statement; whether it did
   * (a queued webhook delivery is claimed by one job this way).
   */
  moveRun(
    id: string,
    from: readonly WorkerRunRow['status'][],
    patch: Partial<Omit<WorkerRunRow, 'id' | 'worker_name'>>,
  ): Promise<boolean>;
  /** Webhook deliveries still queued, oldest first. */
  queuedHooks(limit: number): Promise<WorkerRunRow[]>;
  /**
   * Hands out the pacer's next request slot: the later of the last slot plus `paceMs` and
   * `nowMs`, stored and returned in one statement, so concurrent callers (any process) get
   * slots at least `paceMs` apart.
   */
  reservePacer(name: string, pacer: string, paceMs: number, nowMs: number): Promise<number>;
  /** The last slot handed out per pacer of the worker. */
  pacerSlots(name: string): Promise<Record<string, number>>;
}

/** Scripts, their integrations' tokens and their runs (automations/scripts.ts, migration 021). */
export interface ScriptRepo {
  get(name: string): Promise<ScriptRow | undefined>;
  insert(row: ScriptRow): Promise<void>;
  setToken(name: string, token: string): Promise<void>;
  insertRun(row: ScriptRunRow): Promise<void>;
  updateRun(id: string, patch: Partial<Omit<ScriptRunRow, 'id' | 'script_name'>>): Promise<void>;
  getRun(id: string): Promise<ScriptRunRow | undefined>;
  /** Newest first; one script's, or every one's. */
  listRuns(scriptName: string | null, limit: number): Promise<ScriptRunRow[]>;
}

/** Automations and their runs (automations/, migration 016). */
export interface AutomationRepo {
  insert(row: AutomationRow): Promise<void>;
  get(id: string): Promise<AutomationRow | undefined>;
  getByName(name: string): Promise<AutomationRow | undefined>;
  /** Oldest first. */
  list(): Promise<AutomationRow[]>;
  /** `list` without the definitions, oldest first (the dispatcher keeps those by id and `updated_time`). */
  listHeads(): Promise<Omit<AutomationRow, 'definition'>[]>;
  /** The definitions of `ids` (a statement per 500). */
  definitions(ids: readonly string[]): Promise<Pick<AutomationRow, 'id' | 'definition' | 'updated_time'>[]>;
  update(
    id: string,
    patch: Partial<
      Pick<AutomationRow, 'definition' | 'enabled' | 'cursor' | 'next_run_time' | 'updated_time'>
    >,
  ): Promise<void>;
  /** Deletes the automation and its runs. */
  delete(id: string): Promise<void>;
  /** Takes the leases of those of `ids` enabled, at `cursor` and free; answers the ids taken. */
  claimDispatchMany(
    ids: readonly string[],
    cursor: string,
    token: string,
    nowMs: number,
    untilMs: number,
  ): Promise<string[]>;
  /** Moves the cursor of those of `ids` that `token` still holds and gives their leases back. */
  finishDispatchMany(ids: readonly string[], token: string, cursor: string): Promise<void>;
  /**
   * Moves those of `ids` enabled and still at `from` to `to` where `token` holds the lease or none
   * is held, and gives `token`'s leases back (store/dispatch-lease.ts `moveMany`).
   */
  moveDispatchMany(
    ids: readonly string[],
    from: string,
    to: string,
    token: string,
    nowMs: number,
  ): Promise<void>;
  /** Moves `next_run_time` from `from` to `to`; true when it was `from` (one process claims a due run). */
  advanceSchedule(id: string, from: string, to: string | null): Promise<boolean>;
  insertRun(row: AutomationRunRow): Promise<void>;
  /** Records many runs at once (a statement per 500). */
  insertRuns(rows: readonly AutomationRunRow[]): Promise<void>;
  /** A run with its automation and that automation's integration, in one statement. */
  loadRun(id: string): Promise<
    | {
        run: AutomationRunRow;
        automation: AutomationRow | undefined;
        integration: IntegrationRow | undefined;
      }
    | undefined
  >;
  updateRun(id: string, patch: Partial<Omit<AutomationRunRow, 'id' | 'automation_id'>>): Promise<void>;
  getRun(id: string): Promise<AutomationRunRow | undefined>;
  /** Newest first; one automation's, or every one's. */
  listRuns(automationId: string | null, limit: number): Promise<AutomationRunRow[]>;
  /** What the automation last saw of a page (JSON), or undefined. */
  pageState(automationId: string, pageId: string): Promise<string | undefined>;
  setPageState(automationId: string, pageId: string, state: string): Promise<void>;
  /** The newest run of `automationId` created at or before `time` (ISO), for chain depth. */
  lastRunBefore(automationId: string, time: string): Promise<AutomationRunRow | undefined>;
}

/** Webhook subscriptions and their delivery log (webhooks/, migration 010). */
export interface WebhookRepo {
  insert(row: WebhookSubscriptionRow): Promise<void>;
  get(id: string): Promise<WebhookSubscriptionRow | undefined>;
  /** Oldest first; only one integration's when `integrationId` is given. */
  list(integrationId?: string): Promise<WebhookSubscriptionRow[]>;
  update(id: string, patch: WebhookSubscriptionPatch): Promise<void>;
  /** Deletes the subscription and its delivery log. */
  delete(id: string): Promise<void>;
  /**
   * Takes the dispatch lease of an active subscription still at `cursor`, until `untilMs`, unless
   * another process holds an unexpired one; true when taken.
   */
  claimDispatch(id: string, cursor: string, token: string, nowMs: number, untilMs: number): Promise<boolean>;
  /** Moves the cursor and gives the lease back, if `token` still holds it; true when it did. */
  finishDispatch(id: string, token: string, cursor: string): Promise<boolean>;
  insertDeliveries(rows: readonly WebhookDeliveryRow[]): Promise<void>;
  updateDelivery(id: string, patch: WebhookDeliveryPatch): Promise<void>;
  /** Moves a delivery from status `from` to `to`; true when it was in `from` (a claim). */
  moveDelivery(
    id: string,
    from: WebhookDeliveryRow['status'],
    to: WebhookDeliveryRow['status'],
  ): Promise<boolean>;
  getDelivery(id: string): Promise<WebhookDeliveryRow | undefined>;
  /** Newest first; one subscription's, or every one's. */
  listDeliveries(subscriptionId: string | null, limit: number): Promise<WebhookDeliveryRow[]>;
  /**
   * Deletes logged attempts (succeeded, failed, enqueued) whose id sorts before `beforeId`
   * (ids are time-ordered); held and queued rows stay.
   */
  pruneDeliveries(beforeId: string): Promise<void>;
  /** Oldest first, of one status (and one subscription when given). */
  deliveriesIn(
    status: WebhookDeliveryRow['status'],
    limit: number,
    subscriptionId?: string,
  ): Promise<WebhookDeliveryRow[]>;
}

/** Views of databases (store/views-repo.ts); writes record `view.*` events like block writes. */
export interface ViewRepo {
  get(id: string): Promise<ViewRow | undefined>;
  insert(row: ViewRow): Promise<void>;
  update(id: string, patch: ViewPatch): Promise<void>;
  /** Deletes a view and the queries kept for it. */
  delete(id: string): Promise<void>;
  /**
   * A database's tabs in order (by `sort_key`), or the views showing a data source (by id), or
   * both conditions; `from` is an inclusive view-id cursor.
   */
  list(
    where: { databaseId?: string; dataSourceId?: string },
    from: string | null,
    limit: number,
  ): Promise<Page<ViewRow>>;
  /** The sort keys of a database's tabs, in order (a database has a handful). */
  tabKeys(databaseId: string): Promise<{ id: string; sort_key: string }[]>;
  /** The widgets of a dashboard view. */
  widgets(dashboardViewId: string): Promise<ViewRow[]>;
  /** The manual order of a board view's cards (page ids), or null when none was set. */
  cardOrder(viewId: string): Promise<string[] | null>;
  /** Replaces the manual order of a view's cards. */
  setCardOrder(viewId: string, pageIds: readonly string[], at: { now: string; by: string }): Promise<void>;
}

/** Kept results of view queries. */
export interface ViewQueryRepo {
  get(id: string): Promise<ViewQueryRow | undefined>;
  insert(row: ViewQueryRow): Promise<void>;
  delete(id: string): Promise<void>;
  /** Deletes the queries that expired before `now`; answers how many. */
  deleteExpired(now: string): Promise<number>;
}

/** Templates of data sources. */
export interface TemplateRepo {
  get(id: string): Promise<PageTemplateRow | undefined>;
  insert(row: PageTemplateRow): Promise<void>;
  delete(id: string): Promise<void>;
  /** Makes no template of the data source the default. */
  clearDefault(dataSourceId: string): Promise<void>;
  /** The data source's default template, if it has one. */
  defaultOf(dataSourceId: string): Promise<PageTemplateRow | undefined>;
  /** By id; `name` is a case-insensitive substring; `from` is an inclusive id cursor. */
  list(
    dataSourceId: string,
    name: string | null,
    from: string | null,
    limit: number,
  ): Promise<Page<PageTemplateRow>>;
}

/** The workspace's custom emojis. */
export interface CustomEmojiRepo {
  get(id: string): Promise<CustomEmojiRow | undefined>;
  insert(row: CustomEmojiRow): Promise<void>;
  /** By id; `name` is an exact match; `from` is an inclusive id cursor. */
  list(name: string | null, from: string | null, limit: number): Promise<Page<CustomEmojiRow>>;
}

/** Tasks of `allow_async` writes. */
export interface AsyncTaskRepo {
  get(id: string): Promise<AsyncTaskRow | undefined>;
  insert(row: AsyncTaskRow): Promise<void>;
  update(id: string, patch: Partial<Pick<AsyncTaskRow, 'status' | 'result' | 'error'>>): Promise<void>;
}

export type WebSessionRow = Selectable<WebSessionTable>;
export type InvitationRow = Selectable<InvitationTable>;
export type OauthClientRow = Selectable<OauthClientTable>;
export type OauthInstallationRow = Selectable<OauthInstallationTable>;
export type OauthCodeRow = Selectable<OauthCodeTable>;

/** Passwords and browser sessions of workspace users (store/accounts-repo.ts). */
export interface AccountRepo {
  passwordHash(userId: string): Promise<string | undefined>;
  setPassword(userId: string, hash: string, at: string): Promise<void>;
  insertSession(row: WebSessionRow): Promise<void>;
  /** The session whose id hashes to `idHash`, if it has not expired at `now`. */
  session(idHash: string, now: string): Promise<WebSessionRow | undefined>;
  deleteSession(idHash: string): Promise<void>;
  /** Deletes every session of `userId` (a password change). */
  deleteSessionsOf(userId: string): Promise<void>;
  /** Deletes the sessions of `userId` that expired before `now`. */
  deleteExpiredSessionsOf(userId: string, now: string): Promise<void>;
}

/** Workspace roles and invitation links (store/invitations-repo.ts, migration 018). */
export interface InvitationRepo {
  /** The person's role: `admin`, or `member` when none is stored. */
  roleOf(userId: string): Promise<string>;
  setRole(userId: string, role: string): Promise<void>;
  /** The user ids of every admin. */
  admins(): Promise<string[]>;
  insert(row: InvitationRow): Promise<void>;
  get(id: string): Promise<InvitationRow | undefined>;
  byTokenHash(tokenHash: string): Promise<InvitationRow | undefined>;
  /** Every invitation, newest first. */
  list(): Promise<InvitationRow[]>;
  /**
   * Marks the invitation used by `userId` if it is still open at `now` (not used, not revoked,
   * not expired); answers whether it was. One statement, so two acceptances cannot both win.
   */
  claim(id: string, userId: string, now: string): Promise<boolean>;
  revoke(id: string, now: string): Promise<void>;
}

/** Public integrations, their installations and authorization codes (store/oauth-repo.ts). */
export interface OauthRepo {
  client(id: string): Promise<OauthClientRow | undefined>;
  clientByName(name: string): Promise<OauthClientRow | undefined>;
  clients(): Promise<OauthClientRow[]>;
  insertClient(row: OauthClientRow): Promise<void>;
  updateClient(
    id: string,
    patch: Partial<Pick<OauthClientRow, 'secret_hash' | 'redirect_uris'>>,
  ): Promise<void>;
  /** Deletes the client, its codes and its installations (not their integrations: the caller does). */
  deleteClient(id: string): Promise<void>;
  installations(clientId: string): Promise<OauthInstallationRow[]>;
  installation(integrationId: string): Promise<OauthInstallationRow | undefined>;
  installationOf(clientId: string, ownerUserId: string): Promise<OauthInstallationRow | undefined>;
  installationByBot(botUserId: string): Promise<OauthInstallationRow | undefined>;
  installationByRefresh(refreshHash: string): Promise<OauthInstallationRow | undefined>;
  insertInstallation(row: OauthInstallationRow): Promise<void>;
  updateInstallation(
    integrationId: string,
    patch: Partial<Pick<OauthInstallationRow, 'refresh_hash' | 'issued_time'>>,
  ): Promise<void>;
  insertCode(row: OauthCodeRow): Promise<void>;
  /** The code, locked until the transaction ends (two exchanges of one code run one after the other). */
  claimCode(codeHash: string): Promise<OauthCodeRow | undefined>;
  updateCode(
    codeHash: string,
    patch: Partial<Pick<OauthCodeRow, 'used_time' | 'installation_id'>>,
  ): Promise<void>;
  /** Deletes the client's codes that expired before `before`. */
  deleteCodesExpiredBefore(clientId: string, before: string): Promise<void>;
}

export interface StoreTx {
  users: UserRepo;
  integrations: IntegrationRepo;
  blocks: BlockRepo;
  shares: ShareRepo;
  rows: RowRepo;
  meta: MetaRepo;
  fileUploads: FileUploadRepo;
  rateBuckets: RateBucketRepo;
  search: SearchRepo;
  comments: CommentRepo;
  events: EventRepo;
  webhooks: WebhookRepo;
  views: ViewRepo;
  viewQueries: ViewQueryRepo;
  templates: TemplateRepo;
  customEmojis: CustomEmojiRepo;
  asyncTasks: AsyncTaskRepo;
  automations: AutomationRepo;
  scripts: ScriptRepo;
  workers: WorkerRepo;
  accounts: AccountRepo;
  invitations: InvitationRepo;
  oauth: OauthRepo;
}

/** A snapshot as listed. */
export interface SnapshotInfo {
  name: string;
  created_time: string;
  /** Size of the stored image (SQLite); null on Postgres. */
  bytes: number | null;
}

/**
 * The store's snapshot port. `restore` and `delete` answer false for an unknown name. Declared
 * here with the rest of the port (implementations in snapshots.ts), so that the published types
 * of `octavo/testing` reach no SQLite driver types.
 */
export interface Snapshots {
  save(name: string, now: string): Promise<SnapshotInfo>;
  restore(name: string): Promise<boolean>;
  list(): Promise<SnapshotInfo[]>;
  delete(name: string): Promise<boolean>;
  reset(): Promise<void>;
}

export type Engine = 'sqlite' | 'postgres';

/** What the caller of `Store.transaction` knows that the store would otherwise read. */
export interface TransactionOptions {
  /**
   * Who writes, as the caller knows it (an API request's integration and its bot): the change
   * events of their writes are recorded without reading their kind and integration. Must be
   * true of the stored users; authors not named here are read as before. Read when the
   * transaction's events are recorded, at its end: a caller that learns who writes inside the
   * transaction (an automation run, once its integration is loaded) may add to the list then.
   */
  authors?: readonly KnownAuthor[];
}

/** What the caller of `Store.read` knows of the read. */
export interface ReadOptions {
  /**
   * The read is most often one statement (a page by id). On Postgres it then runs first as that
   * statement alone, without BEGIN and COMMIT: one statement sees one snapshot and holds its
   * tables' locks while it runs, so a snapshot restore cannot land inside it. When `fn` turns out
   * to need a second statement, it is stopped there and run again in a transaction.
   */
  oneStatement?: boolean;
  /**
   * Postgres: the read's statements run on their own, without BEGIN and COMMIT, and its answer is
   * kept only when its last statement confirmed that the row its first statement read (a block by
   * id, `BlockRepo.getVisible`) is unchanged (`RowRepo.queryBlocks` does): no snapshot restore
   * committed in between (store/read-check.ts). Otherwise `fn` runs again in a transaction, so
   * it must be safe to run twice. For reads that end with `queryBlocks` (a data source's query).
   */
  checked?: boolean;
  /**
   * Postgres: a bearer token to confirm in the read's first statement of a block by id
   * (`BlockRepo.getVisibleRow`), saving the token's own round trip: the statement also says
   * whether a live integration has this token hash with exactly these columns, and sets `ok`.
   * Left unset when no such statement ran (the caller then looks the token up itself).
   */
  token?: TokenCheck;
}

/** A remembered token's integration row, to be confirmed unchanged (`ReadOptions.token`). */
export interface TokenCheck {
  hash: string;
  row: Pick<IntegrationRow, 'id' | 'name' | 'bot_user_id' | 'capabilities'>;
  /** Set by the statement that confirmed it: true when the row still says the same. */
  ok?: boolean;
}

/** A block as `BlockRepo.getVisibleRow` reads it, with its data source's id, database and schema. */
export interface VisibleRow {
  row: BlockView;
  dataSource: Pick<BlockRow, 'id' | 'parent_id' | 'properties'> | null;
}

export interface Store {
  readonly engine: Engine;
  /** Saving, restoring and listing snapshots of the whole workspace, and reset (Octavo as a test double). */
  readonly snapshots: Snapshots;
  /**
   * Runs `fn` in one transaction: everything it wrote commits together or not at all. When the
   * database gives up on the transaction because of a conflict with another one (a deadlock, a
   * serialization failure), it is rolled back and `fn` runs again, a few times: `fn` must not act
   * outside the transaction. An error `fn` throws with such a code (`code: '40001'`) is taken the
   * same way: operations use it to start over (ops/relations.ts `TransactionConflict`).
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Runs `fn`, which only reads. On SQLite: on one connection in a DEFERRED transaction (no write
   * lock taken for a read; its statements see one snapshot). On Postgres: in a READ COMMITTED
   * transaction, whose table locks keep a concurrent snapshot restore from landing between two
   * of its statements (or as one statement without one: `ReadOptions.oneStatement`). No change
   * log, no events.
   * `fn` must not write: a write it records fails the call.
   */
  read<T>(fn: (tx: StoreTx) => Promise<T>, options?: ReadOptions): Promise<T>;
  /**
   * `integrations.getByTokenHash` as one statement outside any explicit transaction, for bearer
   * auth on every request: it sees every committed change, whichever process made it, and costs
   * one indexed read (no BEGIN/COMMIT around it).
   */
  integrationByTokenHash(hash: string): Promise<IntegrationRow | undefined>;
  /**
   * A stamp that changes whenever an integration may have been written since it was last read:
   * by this store (its transactions, snapshot restore and reset) or by any other connection to
   * the database. Equal stamps mean no integration changed in between, so an actor found by
   * token under a stamp is still what the token stands for. Taken before the look-up whose
   * answer it vouches for. `null` where no stamp is cheaper than the look-up itself (Postgres,
   * where other nodes write: every request asks storage).
   */
  integrationsStamp(): string | null;
  /**
   * Whether the database answers and has run every migration this code knows: null when ready,
   * else why not (one line, no connection details). Never throws.
   */
  notReadyReason(): Promise<string | null>;
  close(): Promise<void>;
}
