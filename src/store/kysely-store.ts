/**
 * The Kysely implementation of the Store port, shared by SQLite and Postgres. Dialect
 * differences stay in connect.ts; queries here are written once for both engines.
 */
import type SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  sql,
  type Transaction,
  type UnknownRow,
} from 'kysely';
import { isPreparedStatementGone } from '../lib/constraint.ts';
import { propertyColumns, rowTableName } from '../query/columns.ts';
import {
  addPropertyColumns,
  createDataSourceTable,
  dropPropertyColumns,
  ensureDataSourceTextIndex,
} from '../query/ddl.ts';
import { type DialectHooks, dialectHooks } from '../query/dialect.ts';
import { queryRows } from '../query/execute.ts';
import { ensureTextIndex } from '../query/text-index.ts';
import { automationRepo } from './automations-repo.ts';
import { comments } from './comments-repo.ts';
import { definedEntries, executeCompiled, executeCompiledQuery, holdSqliteConnection } from './compiled.ts';
import { ChangeLog, eventRepo, recordEvents } from './events-repo.ts';
import { fileUploads } from './file-uploads-repo.ts';
import { invitationRepo } from './invitations-repo.ts';
import { pendingMigrations } from './migrate.ts';
import { accounts, oauth } from './oauth-repo.ts';
import { READ_VERSION, ReadCheck, ReadRaced } from './read-check.ts';
import type { Database } from './schema.ts';
import { scriptRepo } from './scripts-repo.ts';
import {
  reindexBlock,
  SEARCH_COLUMNS,
  SEARCH_TABLE,
  search,
  updateSearchEntry,
  writeSearchEntries,
} from './search-repo.ts';
import { readSight } from './sight.ts';
import { postgresSnapshots, type SqliteConnection, sqliteSnapshots } from './snapshots.ts';
import type {
  BlockRepo,
  BlockRow,
  BlockView,
  ColumnProperty,
  Engine,
  IntegrationRepo,
  IntegrationRow,
  MetaRepo,
  RateBucketRepo,
  ReadOptions,
  RowRepo,
  ShareRepo,
  Snapshots,
  Store,
  StoreTx,
  TokenCheck,
  TransactionOptions,
  UserRepo,
} from './store.ts';
import { asyncTasks, customEmojis, templates, viewQueries, views } from './views-repo.ts';
import { webhookRepo } from './webhooks-repo.ts';
import { workerRepo } from './workers-repo.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Ancestor walks stop here; Notion nests far less deeply than this. */
const MAX_DEPTH = 256;

/**
 * Blocks with a derived `has_children`. Written as "the first child in sort order, if any" rather
 * than EXISTS: with statistics, Postgres sees one parent (a data source) owning most rows,
 * expects any parent to have thousands of children and answers EXISTS with a sequential scan that
 * reads the whole table for a childless row (300 ms per page of 100 rows at 20,000 rows). Asking
 * for the first by `sort_key` makes the `(parent_id, sort_key)` index the only cheap plan.
 *
 * The subquery's constants are SQL literals, not parameters: with `in_trash = ?` bound beside its
 * ORDER BY, SQLite prepared the whole statement again on every run (measured: 25-60 µs per block
 * read against 3-6 µs with literals, and most of a page of 100 rows; docs/benchmarks.md, "Server
 * CPU per request").
 */
function blockSelect(db: Db) {
  return db
    .selectFrom('blocks as b')
    .selectAll('b')
    .select((eb) => {
      const firstChild = eb
        .selectFrom('blocks as c')
        .select(sql<number>`1`.as('one'))
        .whereRef('c.parent_id', '=', 'b.id')
        .where('c.in_trash', '=', sql.lit(0))
        .where('c.type', '<>', sql.lit('data_source'))
        .orderBy('c.sort_key')
        .limit(sql.lit(1));
      return sql<boolean>`(${firstChild}) is not null`.as('has_children');
    });
}

type Row = Record<string, unknown>;

/** How many times a transaction runs when the database keeps refusing it for a conflict. */
const MAX_TRANSACTION_ATTEMPTS = 5;

/**
 * Postgres's deadlock_detected (40P01) and serialization_failure (40001): the transaction was
 * rolled back because of another one, and running it again is the documented remedy. SQLite runs
 * one writer at a time and raises neither.
 */
function isTransientConflict(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  // A prepared statement that stopped fitting its table is run unnamed the next time.
  return code === '40P01' || code === '40001' || isPreparedStatementGone(e);
}

/**
 * Writes `rows` with multi-row statements of up to `size` rows each, `build` making the
 * statement for a chunk whose rows have exactly `columns`, in that order. A statement is built
 * and compiled once per chunk length; later chunks reuse its SQL with their own parameters, which
 * Kysely lays out row by row in column order (checked on the compiled one: if the count differs,
 * nothing is reused). Compiling a 500-row statement for every chunk was a fifth of a bulk import.
 */
async function writeChunks(
  db: Db,
  rows: readonly Row[],
  columns: readonly string[],
  size: number,
  build: (chunk: Row[]) => { compile(): CompiledQuery },
): Promise<void> {
  const texts = new Map<number, string>();
  for (let i = 0; i < rows.length; i += size) {
    const chunk = rows.slice(i, i + size);
    const text = texts.get(chunk.length);
    if (text !== undefined) {
      const parameters: unknown[] = [];
      for (const row of chunk) for (const c of columns) parameters.push(row[c] ?? null);
      await db.executeQuery(CompiledQuery.raw(text, parameters));
      continue;
    }
    const compiled = build(
      chunk.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null]))),
    ).compile();
    if (compiled.parameters.length === chunk.length * columns.length) texts.set(chunk.length, compiled.sql);
    await db.executeQuery(compiled);
  }
}

/**
 * A copy of a block row with exactly its columns (a joined row carries others): an object
 * literal, several times faster than a rest pattern leaving a key out (`{ page_id, ...block }`,
 * ~0.3 µs a row). Every column is required here, so a new one fails to compile until listed.
 */
function blockOf(r: BlockRow): BlockRow {
  const block: { [K in keyof Required<BlockRow>]: BlockRow[K] } = {
    id: r.id,
    type: r.type,
    parent_type: r.parent_type,
    parent_id: r.parent_id,
    sort_key: r.sort_key,
    data: r.data,
    properties: r.properties,
    icon: r.icon,
    cover: r.cover,
    in_trash: r.in_trash,
    is_locked: r.is_locked,
    created_time: r.created_time,
    created_by: r.created_by,
    last_edited_time: r.last_edited_time,
    last_edited_by: r.last_edited_by,
  };
  return block;
}

/**
 * Postgres: whether a live integration still has the remembered token's hash with exactly the
 * remembered id, name, bot user and capabilities (`ReadOptions.token`), as a column of the
 * statement that reads what the request asked for; its parameters are `tokenParameters`.
 */
function tokenConfirmed(check: TokenCheck) {
  return sql<boolean>`exists (select 1 from integrations i where i.token_hash = ${check.hash} and i.revoked_time is null and i.id = ${check.row.id} and i.name = ${check.row.name} and i.bot_user_id = ${check.row.bot_user_id} and i.capabilities = ${check.row.capabilities})`;
}

const tokenParameters = (check: TokenCheck) => [
  check.hash,
  check.row.id,
  check.row.name,
  check.row.bot_user_id,
  check.row.capabilities,
];

function toView(row: Omit<BlockView, 'has_children'> & { has_children: unknown }): BlockView {
  return { ...row, has_children: Boolean(Number(row.has_children)) };
}

function users(db: Db): UserRepo {
  return {
    get: (id) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
    getByEmail: (email) => db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst(),
    insert: async (row) => {
      await db.insertInto('users').values(row).execute();
    },
    rename: async (id, name) => {
      await db.updateTable('users').set({ name }).where('id', '=', id).execute();
    },
    list: async (from, limit) => {
      let q = db
        .selectFrom('users')
        .selectAll()
        .orderBy('id')
        .limit(limit + 1);
      if (from) q = q.where('id', '>=', from);
      const rows = await q.execute();
      const next = rows.length > limit ? rows[limit]!.id : null;
      return { items: rows.slice(0, limit), next };
    },
  };
}

function integrations(db: Db, engine: Engine, changed: () => void): IntegrationRepo {
  const base = () => db.selectFrom('integrations').selectAll();
  return {
    get: (id) => base().where('id', '=', id).executeTakeFirst(),
    getByName: (name) => base().where('name', '=', name).executeTakeFirst(),
    // The unique index on token_hash finds the row; revoked_time is checked on it. Every request
    // asks it, so its SQL is compiled once.
    getByTokenHash: async (hash) =>
      (
        await executeCompiled<IntegrationRow>(
          db,
          engine,
          'integration by token hash',
          () => base().where('token_hash', '=', hash).where('revoked_time', 'is', null),
          [hash],
        )
      )[0],
    // Each write changes the store's integrations stamp before it runs (Store.integrationsStamp).
    insert: async (row) => {
      changed();
      await db.insertInto('integrations').values(row).execute();
    },
    list: () => base().orderBy('created_time').orderBy('id').execute(),
    update: async (id, patch) => {
      changed();
      await db.updateTable('integrations').set(patch).where('id', '=', id).execute();
    },
    delete: async (id) => {
      changed();
      // Its uploads lose their owner through the foreign key (on delete set null, migration 004).
      await db.deleteFrom('shares').where('integration_id', '=', id).execute();
      await db.deleteFrom('integrations').where('id', '=', id).execute();
    },
  };
}

function blocks(
  db: Db,
  engine: Engine,
  log: ChangeLog,
  token?: TokenCheck,
  readCheck?: ReadCheck,
): BlockRepo {
  const childKey = (parentId: string, dir: 'asc' | 'desc') =>
    db
      .selectFrom('blocks')
      .select('sort_key')
      .where('parent_id', '=', parentId)
      .orderBy('sort_key', dir)
      .limit(1)
      .executeTakeFirst()
      .then((r) => r?.sort_key ?? null);
  const get = async (id: string) => {
    const [row] = await executeCompiled<Parameters<typeof toView>[0]>(
      db,
      engine,
      'block by id',
      () => blockSelect(db).where('b.id', '=', id),
      [id],
    );
    if (!row) return undefined;
    log.sawBlocks([row]);
    return toView(row);
  };
  return {
    get,
    getVisible: async (id, integrationId) => {
      if (integrationId === null) return get(id);
      if (engine === 'sqlite') {
        // The block with whether it is itself shared (the walk's first level) in one statement;
        // the walk goes on from its parent only when it is not.
        const [found] = await executeCompiled<Parameters<typeof toView>[0] & { shared?: number }>(
          db,
          engine,
          'block by id and its own share',
          () =>
            blockSelect(db)
              .select((eb) =>
                eb
                  .exists(
                    eb
                      .selectFrom('shares as s')
                      .select(sql.lit(1).as('one'))
                      .where('s.integration_id', '=', integrationId)
                      .whereRef('s.block_id', '=', 'b.id'),
                  )
                  .as('shared'),
              )
              .where('b.id', '=', id),
          [integrationId, id],
        );
        if (!found) return undefined;
        const shared = found.shared;
        delete found.shared;
        if (
          !shared &&
          (found.parent_id === null || !(await walkToShare(db, integrationId, found.parent_id, 1)))
        )
          return undefined;
        log.sawBlocks([found]);
        return toView(found);
      }
      // Postgres: the block and its visibility (the walk of shares.isVisible) in one round trip,
      // and a remembered bearer token confirmed in it (ReadOptions.token), the first time only.
      const check = token && token.ok === undefined ? token : undefined;
      // A checked read's first statement: the row's version too (store/read-check.ts).
      const anchor = readCheck && readCheck.statements === 0 && !readCheck.anchor ? readCheck : undefined;
      const [found] = await executeCompiled<
        Parameters<typeof toView>[0] & { visible?: boolean; token_ok?: boolean; [READ_VERSION]?: string }
      >(
        db,
        engine,
        `block by id if visible${check ? ', token' : ''}${anchor ? ', version' : ''}`,
        () => {
          let q = blockSelect(db).select(visibleTo(integrationId, id).as('visible'));
          if (check) q = q.select(tokenConfirmed(check).as('token_ok'));
          if (anchor) q = q.select(sql<string>`b.xmin::text`.as(READ_VERSION));
          return q.where('b.id', '=', id);
        },
        [id, integrationId, ...(check ? tokenParameters(check) : []), id],
      );
      if (check && found) check.ok = found.token_ok === true;
      if (anchor && found?.[READ_VERSION] !== undefined) anchor.anchor = { id, version: found[READ_VERSION] };
      if (!found?.visible) return undefined;
      delete found.visible;
      delete found.token_ok;
      delete found[READ_VERSION];
      log.sawBlocks([found]);
      return toView(found);
    },
    getVisibleRow: async (id, integrationId) => {
      // The block, its data source's columns (when it is a row) and, for an integration, its own
      // share (SQLite: the walk's first level) or its visibility (Postgres: the whole walk).
      const who = integrationId === null ? 'all' : engine === 'sqlite' ? 'shared' : 'visible';
      // Postgres: a remembered bearer token confirmed in the same statement (ReadOptions.token),
      // the first time only (a read that goes on runs as before).
      const check = engine === 'postgres' && token && token.ok === undefined ? token : undefined;
      const [found] = await executeCompiled<
        Parameters<typeof toView>[0] & {
          ds_id: string | null;
          ds_parent_id: string | null;
          ds_properties: string | null;
          shared?: number | boolean;
          token_ok?: boolean;
        }
      >(
        db,
        engine,
        `block by id with its data source (${who}${check ? ', token' : ''})`,
        () => {
          // Scalar subqueries by primary key, not a join: SQLite ran the self-join of `blocks`
          // about ten times slower (~40 µs against ~5 µs for the whole statement).
          const q = blockSelect(db).select((eb) =>
            (['id', 'parent_id', 'properties'] as const).map((column) =>
              eb
                .selectFrom('blocks as ds')
                .select(`ds.${column}`)
                .whereRef('ds.id', '=', 'b.parent_id')
                .where(sql<boolean>`${sql.ref('b.parent_type')} = ${sql.lit('data_source_id')}`)
                .as(`ds_${column}`),
            ),
          );
          const withWho =
            integrationId === null
              ? q
              : engine === 'sqlite'
                ? q.select((eb) =>
                    eb
                      .exists(
                        eb
                          .selectFrom('shares as s')
                          .select(sql.lit(1).as('one'))
                          .where('s.integration_id', '=', integrationId)
                          .whereRef('s.block_id', '=', 'b.id'),
                      )
                      .as('shared'),
                  )
                : q.select(visibleTo(integrationId, id).as('shared'));
          const withToken = check ? withWho.select(tokenConfirmed(check).as('token_ok')) : withWho;
          return withToken.where('b.id', '=', id);
        },
        [
          // In the order of the statement: the select list's (visibility, token), then the id.
          ...(integrationId === null ? [] : engine === 'sqlite' ? [integrationId] : [id, integrationId]),
          ...(check ? tokenParameters(check) : []),
          id,
        ],
      );
      if (!found) return undefined;
      const { ds_id, ds_parent_id, ds_properties, shared, token_ok, ...row } = found;
      if (check) check.ok = token_ok === true;
      if (integrationId !== null && !shared) {
        if (engine === 'postgres' || row.parent_id === null) return undefined;
        if (!(await walkToShare(db, integrationId, row.parent_id, 1))) return undefined;
      }
      log.sawBlocks([row]);
      return {
        row: toView(row),
        dataSource: ds_id === null ? null : { id: ds_id, parent_id: ds_parent_id, properties: ds_properties },
      };
    },
    getMany: async (ids) => {
      if (ids.length === 0) return [];
      const build = () => blockSelect(db).where('b.id', 'in', [...ids]);
      // A page of results (up to 100 ids) reuses the statement compiled for its length.
      const rows =
        ids.length <= 100
          ? await executeCompiled<Parameters<typeof toView>[0]>(
              db,
              engine,
              `blocks by ${ids.length} ids`,
              build,
              ids,
            )
          : await build().execute();
      log.sawBlocks(rows);
      return rows.map(toView);
    },
    insertMany: async (rows) => {
      const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
      // Postgres caps bind parameters at 65535 per statement; 15 columns x 500 rows stays below.
      await writeChunks(db, rows, columns, 500, (chunk) =>
        db.insertInto('blocks').values(chunk as unknown as BlockRow[]),
      );
      await writeSearchEntries(db, rows);
      log.insertedBlocks(rows as unknown as Record<string, unknown>[]);
    },
    update: async (id, patch) => {
      await log.updatingBlock(db, id, patch);
      // Compiled once per set of columns written (updatePage writes the whole row every time).
      const entries = definedEntries(patch);
      const done = await executeCompiledQuery(
        db,
        engine,
        `block update (${entries.map(([k]) => k).join(',')})`,
        () => db.updateTable('blocks').set(patch).where('id', '=', id),
        [...entries.map(([, v]) => v), id],
      );
      // What the search index holds of a block: its title (properties or data), trash, last edit.
      // A new title is derived from the stored row; trash and edit time are copied as they are,
      // without reading the block (most updates are the edit stamps of a content change).
      // A patch of every column the entry is made of (updatePage writes the whole row) is the
      // row as it now is: not read back.
      if (SEARCH_COLUMNS.every((c) => patch[c] !== undefined)) {
        if (Number(done.numAffectedRows ?? 0) > 0)
          await writeSearchEntries(
            db,
            [{ ...(patch as Pick<BlockRow, (typeof SEARCH_COLUMNS)[number]>), id }],
            engine,
          );
      } else if (patch.properties !== undefined || patch.data !== undefined) await reindexBlock(db, id);
      else if (patch.in_trash !== undefined || patch.last_edited_time !== undefined) {
        await updateSearchEntry(db, id, {
          in_trash: patch.in_trash,
          last_edited_time: patch.last_edited_time,
        });
      }
    },
    listChildren: async (parentId, from, limit, options = {}) => {
      let q = blockSelect(db)
        .where('b.parent_id', '=', parentId)
        .where('b.in_trash', '=', sql.lit(0))
        .orderBy('b.sort_key')
        .limit(limit + 1);
      if (!options.includeDataSources) q = q.where('b.type', '<>', sql.lit('data_source'));
      if (from) {
        q = q.where('b.sort_key', '>=', (eb) =>
          eb.selectFrom('blocks').select('sort_key').where('id', '=', from),
        );
      }
      const rows = (await q.execute()).map(toView);
      const next = rows.length > limit ? rows[limit]!.id : null;
      return { items: rows.slice(0, limit), next };
    },
    childrenOfMany: async (parentIds, limit) => {
      if (parentIds.length === 0) return [];
      const rows = await blockSelect(db)
        .where('b.parent_id', 'in', [...parentIds])
        .where('b.in_trash', '=', sql.lit(0))
        .where('b.type', '<>', sql.lit('data_source'))
        .orderBy('b.parent_id')
        .orderBy('b.sort_key')
        .limit(limit)
        .execute();
      return rows.map(toView);
    },
    lastChildKey: (parentId) => childKey(parentId, 'desc'),
    firstChildKey: (parentId) => childKey(parentId, 'asc'),
    nextSiblingKey: async (parentId, sortKey) => {
      const row = await db
        .selectFrom('blocks')
        .select('sort_key')
        .where('parent_id', '=', parentId)
        .where('sort_key', '>', sortKey)
        .orderBy('sort_key')
        .limit(1)
        .executeTakeFirst();
      return row?.sort_key ?? null;
    },
    ancestorIds: async (id) => {
      const result = await sql<{ id: string }>`
        with recursive anc(id, parent_id, depth) as (
          select id, parent_id, 0 from blocks where id = ${id}
          union all
          select b.id, b.parent_id, anc.depth + 1 from blocks b join anc on b.id = anc.parent_id
          where anc.depth < ${MAX_DEPTH}
        )
        select id from anc order by depth`.execute(db);
      return result.rows.map((r) => r.id);
    },
    lockChildren: async (parentId) => {
      // SQLite runs one writer at a time already; Postgres needs a row lock on the parent.
      if (engine === 'postgres') {
        await sql`select id from blocks where id = ${parentId} for update`.execute(db);
      }
    },
    rowLocks: engine === 'postgres',
    getForWrite: async (id) => {
      if (engine !== 'postgres') {
        const row = await get(id);
        if (row) log.readForWrite(row);
        return row;
      }
      const [row] = await executeCompiled<Parameters<typeof toView>[0]>(
        db,
        engine,
        'block by id, for write',
        () => blockSelect(db).where('b.id', '=', id).forNoKeyUpdate('b'),
        [id],
      );
      if (!row) return undefined;
      log.sawBlocks([row]);
      log.readForWrite(row);
      return toView(row);
    },
    lockRowWriters: async (dataSourceId, mode) => {
      if (engine !== 'postgres') return;
      // A transaction-level advisory lock per (schema, data source): Postgres's lock manager
      // queues requests in order, where row locks let shared lockers pass a waiting exclusive one.
      // Prepared (compiled once): every row write of a data source takes one.
      if (mode === 'share')
        await executeCompiled(
          db,
          engine,
          'row writers lock, shared',
          () => ({
            compile: () =>
              sql`select pg_advisory_xact_lock_shared(hashtext(current_schema() || '/row-writers'), hashtext(${dataSourceId}))`.compile(
                db,
              ),
          }),
          [dataSourceId],
        );
      else
        await executeCompiled(
          db,
          engine,
          'row writers lock',
          () => ({
            compile: () =>
              sql`select pg_advisory_xact_lock(hashtext(current_schema() || '/row-writers'), hashtext(${dataSourceId}))`.compile(
                db,
              ),
          }),
          [dataSourceId],
        );
    },
    lockTree: async () => {
      // One lock per schema (tests and some deployments keep several workspaces in one database):
      // the two-key form of the transaction-level advisory lock, released at commit or rollback.
      if (engine === 'postgres') {
        await sql`select pg_advisory_xact_lock(hashtext(current_schema()), hashtext('octavo.page_tree'))`.execute(
          db,
        );
      }
    },
    rowsOf: async (dataSourceId, after, limit) => {
      let q = db
        .selectFrom('blocks')
        .selectAll()
        .where('parent_id', '=', dataSourceId)
        .where('parent_type', '=', 'data_source_id')
        .orderBy('created_time')
        .orderBy('id')
        .limit(limit);
      if (after) {
        q = q.where((eb) =>
          eb.or([
            eb('created_time', '>', after.created_time),
            eb.and([eb('created_time', '=', after.created_time), eb('id', '>', after.id)]),
          ]),
        );
      }
      return q.execute();
    },
    parentChains: async (ids) => {
      if (ids.length === 0) return new Map();
      // UNION (not ALL): chains that meet are read once from where they meet, at each depth.
      const result = await sql<{ id: string; parent_id: string | null }>`
        with recursive up(id, parent_id, depth) as (
          select id, parent_id, 0 from blocks where id in (${sql.join([...ids])})
          union
          select b.id, b.parent_id, up.depth + 1 from up join blocks b on b.id = up.parent_id
          where up.depth < ${MAX_DEPTH}
        )
        select id, parent_id from up`.execute(db);
      return new Map(result.rows.map((r) => [r.id, r.parent_id]));
    },
    dataSourcesOfMany: async (databaseIds) => {
      const out = new Map<string, BlockView[]>(databaseIds.map((id) => [id, []]));
      if (databaseIds.length === 0) return out;
      const rows = await blockSelect(db)
        .where('b.parent_id', 'in', [...databaseIds])
        .where('b.in_trash', '=', 0)
        .where('b.type', '=', 'data_source')
        .orderBy('b.parent_id')
        .orderBy('b.sort_key')
        .execute();
      for (const row of rows.map(toView)) {
        const list = out.get(row.parent_id!);
        if (list && list.length < 100) list.push(row);
      }
      return out;
    },
    listWorkspacePages: () =>
      db
        .selectFrom('blocks')
        .selectAll()
        .where('parent_type', '=', 'workspace')
        .orderBy('sort_key')
        .execute(),
  };
}

/**
 * SQLite: whether `blockId` (at `from` levels below the block asked about) or an ancestor is
 * shared with the integration, one level per statement (a primary-key read of the block with a probe of the shares key), stopping at the
 * first share. The same answer as Postgres's recursive query, but a SQLite statement is a call
 * in this process costing a few µs, while the recursive query (which materialises the walk and
 * indexes it to join the shares) cost ~0.2 ms of CPU per request amid a request's other work
 * (half of a GET; docs/benchmarks.md, "Server CPU per request"), though ~30 µs in a tight loop.
 */
async function walkToShare(db: Db, integrationId: string, blockId: string, from = 0): Promise<boolean> {
  let id: string | null = blockId;
  for (let depth = from; id !== null && depth <= MAX_DEPTH; depth++) {
    const level: string = id;
    const [row] = await executeCompiled<{ parent_id: string | null; shared: number }>(
      db,
      'sqlite',
      'block parent and share',
      () =>
        db
          .selectFrom('blocks as b')
          .select((eb) => [
            'b.parent_id',
            eb
              .exists(
                eb
                  .selectFrom('shares as s')
                  .select(sql.lit(1).as('one'))
                  .where('s.integration_id', '=', integrationId)
                  .whereRef('s.block_id', '=', 'b.id'),
              )
              .as('shared'),
          ])
          .where('b.id', '=', level),
      [integrationId, level],
    );
    if (!row) return false;
    if (row.shared) return true;
    id = row.parent_id;
  }
  return false;
}

/**
 * Postgres: whether `blockId` or an ancestor is shared with the integration, one recursive query
 * (a boolean expression, so it can also be a column of the block's own select).
 */
function visibleTo(integrationId: string, blockId: string) {
  return sql<boolean>`exists (
    with recursive anc(id, parent_id, depth) as (
      select id, parent_id, 0 from blocks where id = ${blockId}
      union all
      select up.id, up.parent_id, anc.depth + 1 from blocks up join anc on up.id = anc.parent_id
      where anc.depth < ${sql.lit(MAX_DEPTH)}
    )
    select 1 from shares s join anc on s.block_id = anc.id where s.integration_id = ${integrationId})`;
}

function shares(db: Db, engine: Engine): ShareRepo {
  return {
    add: async (integrationId, blockId, at) => {
      await db
        .insertInto('shares')
        .values({ integration_id: integrationId, block_id: blockId, created_time: at })
        .onConflict((oc) => oc.columns(['integration_id', 'block_id']).doNothing())
        .execute();
    },
    isVisible: async (integrationId, blockId) => {
      if (engine === 'sqlite') return walkToShare(db, integrationId, blockId);
      // Postgres: the whole walk in one round trip, prepared (compiled once).
      const [row] = await executeCompiled<{ visible: boolean }>(
        db,
        engine,
        'block visible to integration',
        () => ({ compile: () => sql`select ${visibleTo(integrationId, blockId)} as visible`.compile(db) }),
        [blockId, integrationId],
      );
      return row?.visible === true;
    },
    remove: async (integrationId, blockId) => {
      await db
        .deleteFrom('shares')
        .where('integration_id', '=', integrationId)
        .where('block_id', '=', blockId)
        .execute();
    },
    sharedTo: async (blockId) => {
      const rows = await db
        .selectFrom('shares')
        .select('integration_id')
        .where('block_id', '=', blockId)
        .execute();
      return rows.map((r) => r.integration_id);
    },
    sight: (integrationId, cap) => readSight(db, integrationId, cap),
    sharedWith: async (integrationId) => {
      const rows = await db
        .selectFrom('shares')
        .select('block_id')
        .where('integration_id', '=', integrationId)
        .execute();
      return new Set(rows.map((r) => r.block_id));
    },
  };
}

export { rowTableName };

function rows(db: Db, hooks: DialectHooks, engine: Engine, log: ChangeLog, check?: ReadCheck): RowRepo {
  // Data-source tables are created at run time, so they are outside the typed schema.
  // biome-ignore lint/suspicious/noExplicitAny: dynamic tables
  const anyDb = db as unknown as Kysely<any>;
  return {
    createTable: (id, properties) => createDataSourceTable(anyDb, hooks, rowTableName(id), properties),
    addProperty: (id, property) => addPropertyColumns(anyDb, hooks, rowTableName(id), property),
    dropProperty: (id, property) => dropPropertyColumns(anyDb, hooks, rowTableName(id), property),
    upsert: async (id, list) => {
      // Last write wins for a page named twice: one statement may not update a row twice (Postgres).
      const unique = [...new Map(list.map((r) => [r.page_id, r])).values()];
      const columns = [...new Set(unique.flatMap((r) => Object.keys(r)))];
      const updated = columns.filter((c) => c !== 'page_id');
      // Multi-row statements, each under both engines' bind-parameter caps (SQLite 32766, PG 65535).
      const size = Math.max(1, Math.floor(30_000 / Math.max(1, columns.length)));
      const build = (chunk: Row[]) =>
        anyDb
          .insertInto(rowTableName(id))
          .values(chunk)
          .onConflict((oc) =>
            oc
              .column('page_id')
              .doUpdateSet((eb) => Object.fromEntries(updated.map((c) => [c, eb.ref(`excluded.${c}`)]))),
          );
      const [one] = unique;
      // One row (a page written): its statement compiled once per table and columns.
      if (unique.length === 1 && one) {
        const row = Object.fromEntries(columns.map((c) => [c, (one as Row)[c] ?? null]));
        await executeCompiled(
          anyDb,
          engine,
          `row upsert ${rowTableName(id)} (${columns.join(',')})`,
          () => build([row]),
          Object.values(row),
          // Not prepared: a property's column may change type (a retyped property).
          false,
        );
      } else await writeChunks(anyDb, unique, columns, size, build);
    },
    query: (id, query, options) => queryRows(anyDb, hooks, rowTableName(id), query, options),
    queryBlocks: async (id, query, options) => {
      // A checked read (Postgres) reads its first row's version again with the rows, from a
      // table put first: `blocks` locked before the row table, in the order a snapshot restore
      // locks them (by name), else the two could deadlock.
      const anchor = check?.anchor;
      const page = await queryRows(anyDb, hooks, rowTableName(id), query, {
        ...options,
        ...(anchor
          ? {
              leading: anyDb
                .selectFrom('blocks')
                .select(sql<string>`xmin::text`.as(READ_VERSION))
                .where('id', '=', anchor.id)
                .as('octavo_v'),
            }
          : {}),
        // A left join keeps the row table the outer loop on SQLite, whose index gives the order.
        withColumns: (q) => {
          const joined = q.leftJoin('blocks as b', 'b.id', 'r.page_id').selectAll('b');
          return anchor ? joined.select(`octavo_v.${READ_VERSION}`) : joined;
        },
      });
      // A version that changed: the read is run again (its last look at the version, if this
      // was not it, comes from `KyselyStore.read`).
      if (check?.raced) throw new ReadRaced('Store.read: the first row changed while the read ran');
      const found: BlockRow[] = [];
      const seen: BlockRow[] = [];
      for (const r of page.rows ?? []) {
        if (r.id === null) continue;
        // Handed out as a copy (without the row table's page_id); the log keeps the driver's.
        seen.push(r as BlockRow);
        found.push(blockOf(r as BlockRow));
      }
      log.sawBlocks(seen);
      return {
        items: page.items,
        next: page.next,
        blocks: found,
        ...(page.unknownCursor ? { unknownCursor: true as const } : {}),
      };
    },
    refreshStatistics: async (id) => {
      if (engine === 'postgres') await sql`analyze ${sql.table(rowTableName(id))}`.execute(anyDb);
    },
    maxNumber: async (id, property) => {
      const col = propertyColumns(property)[0]?.name;
      if (!col) return null;
      const r = await anyDb
        .selectFrom(rowTableName(id))
        .select((eb) => eb.fn.max(col).as('m'))
        .executeTakeFirst();
      return r?.m === null || r?.m === undefined ? null : Number(r.m);
    },
  };
}

async function tableExists(db: Db, engine: Engine, table: string): Promise<boolean> {
  const { rows } =
    engine === 'sqlite'
      ? await sql`select 1 from sqlite_master where type = 'table' and name = ${table}`.execute(db)
      : await sql`select 1 from information_schema.tables where table_schema = current_schema() and table_name = ${table}`.execute(
          db,
        );
  return rows.length > 0;
}

function meta(db: Db): MetaRepo {
  return {
    get: async (key) =>
      (await db.selectFrom('octavo_meta').select('value').where('key', '=', key).executeTakeFirst())?.value,
    set: async (key, value) => {
      await db
        .insertInto('octavo_meta')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
    setIfAbsent: async (key, value) => {
      await db
        .insertInto('octavo_meta')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
    },
  };
}

function rateBuckets(db: Db, engine: Engine): RateBucketRepo {
  return {
    claim: async (key, initial) => {
      await db
        .insertInto('rate_buckets')
        .values({ key, tokens: initial.tokens, updated_ms: initial.updatedMs })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      // SQLite runs one writer at a time already (the insert made this one); Postgres locks the row.
      let q = db.selectFrom('rate_buckets').select(['tokens', 'updated_ms']).where('key', '=', key);
      if (engine === 'postgres') q = q.forUpdate();
      const row = await q.executeTakeFirstOrThrow();
      return { tokens: Number(row.tokens), updatedMs: Number(row.updated_ms) };
    },
    put: async (key, bucket) => {
      await db
        .updateTable('rate_buckets')
        .set({ tokens: bucket.tokens, updated_ms: bucket.updatedMs })
        .where('key', '=', key)
        .execute();
    },
  };
}

/**
 * The repositories over one connection or transaction, each made on first use: a request touches
 * two or three of the twenty, and making all of them (a few hundred closures) for every
 * transaction showed in a GET's profile.
 */
class BoundRepos implements StoreTx {
  private readonly made: Partial<StoreTx> = {};
  private readonly db: Db;
  private readonly engine: Engine;
  private readonly hooks: DialectHooks;
  private readonly log: ChangeLog;
  private readonly changed: () => void;
  private readonly token: TokenCheck | undefined;
  private readonly check: ReadCheck | undefined;
  constructor(
    db: Db,
    engine: Engine,
    hooks: DialectHooks,
    log: ChangeLog,
    changed: () => void,
    token?: TokenCheck,
    check?: ReadCheck,
  ) {
    this.db = db;
    this.engine = engine;
    this.hooks = hooks;
    this.log = log;
    this.changed = changed;
    this.token = token;
    this.check = check;
  }
  private repo<K extends keyof StoreTx>(key: K, make: () => StoreTx[K]): StoreTx[K] {
    let made = this.made[key];
    if (made === undefined) {
      made = make();
      this.made[key] = made;
    }
    return made as StoreTx[K];
  }
  get users() {
    return this.repo('users', () => users(this.db));
  }
  get integrations() {
    return this.repo('integrations', () => integrations(this.db, this.engine, this.changed));
  }
  get blocks() {
    return this.repo('blocks', () => blocks(this.db, this.engine, this.log, this.token, this.check));
  }
  get shares() {
    return this.repo('shares', () => shares(this.db, this.engine));
  }
  get rows() {
    return this.repo('rows', () => rows(this.db, this.hooks, this.engine, this.log, this.check));
  }
  get meta() {
    return this.repo('meta', () => meta(this.db));
  }
  get fileUploads() {
    return this.repo('fileUploads', () => fileUploads(this.db, this.engine, this.log));
  }
  get rateBuckets() {
    return this.repo('rateBuckets', () => rateBuckets(this.db, this.engine));
  }
  get search() {
    return this.repo('search', () => search(this.db, this.hooks));
  }
  get comments() {
    return this.repo('comments', () => comments(this.db, this.log));
  }
  get events() {
    return this.repo('events', () => eventRepo(this.db, this.engine));
  }
  get webhooks() {
    return this.repo('webhooks', () => webhookRepo(this.db));
  }
  get automations() {
    return this.repo('automations', () => automationRepo(this.db, this.engine));
  }
  get scripts() {
    return this.repo('scripts', () => scriptRepo(this.db));
  }
  get workers() {
    return this.repo('workers', () => workerRepo(this.db));
  }
  get accounts() {
    return this.repo('accounts', () => accounts(this.db));
  }
  get invitations() {
    return this.repo('invitations', () => invitationRepo(this.db));
  }
  get oauth() {
    return this.repo('oauth', () => oauth(this.db, this.engine));
  }
  get views() {
    return this.repo('views', () => views(this.db, this.log));
  }
  get viewQueries() {
    return this.repo('viewQueries', () => viewQueries(this.db));
  }
  get templates() {
    return this.repo('templates', () => templates(this.db));
  }
  get customEmojis() {
    return this.repo('customEmojis', () => customEmojis(this.db));
  }
  get asyncTasks() {
    return this.repo('asyncTasks', () => asyncTasks(this.db));
  }
}

function bind(
  db: Db,
  engine: Engine,
  hooks: DialectHooks,
  log: ChangeLog,
  changed: () => void,
  token?: TokenCheck,
  check?: ReadCheck,
): StoreTx {
  return new BoundRepos(db, engine, hooks, log, changed, token, check);
}

/** Thrown into a read from its second statement on (`Store.read`'s `oneStatement`). */
class SecondStatement extends Error {}

/** Counts the statements run through it; stops the run at the second (`oneStatement` reads). */
class StatementCounter implements KyselyPlugin {
  statements = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (++this.statements > 1) throw new SecondStatement('Store.read: more than one statement');
    return args.result;
  }
}

export class KyselyStore implements Store {
  readonly engine: Engine;
  readonly db: Kysely<Database>;
  /** The query engine's dialect hooks, with what this database offers (pg_trgm or not). */
  hooks: DialectHooks;
  private readonly onClose: () => Promise<void>;
  /** The SQLite connection (connect.ts), which a restored snapshot replaces. */
  sqlite?: SqliteConnection;
  /**
   * SQLite: runs a statement on the connection, prepared once (connect.ts's statement cache);
   * for `executeCompiled` inside a read or transaction, which holds the connection.
   */
  sqliteRun?: (text: string, parameters: readonly unknown[]) => unknown[];
  private snaps?: Snapshots;

  constructor(db: Kysely<Database>, engine: Engine, onClose: () => Promise<void> = async () => {}) {
    this.db = db;
    this.engine = engine;
    this.hooks = dialectHooks(engine);
    this.onClose = onClose;
  }

  /** Snapshots and reset of the whole workspace (store/snapshots.ts). */
  get snapshots(): Snapshots {
    if (!this.snaps) {
      const made = this.sqlite ? sqliteSnapshots(this.db, this.sqlite) : postgresSnapshots(this.db);
      // Restore and reset rewrite the integrations: the stamp changes before and after each.
      const around =
        <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
        async (...args: A): Promise<R> => {
          this.integrationsChanged();
          try {
            return await fn(...args);
          } finally {
            this.integrationsChanged();
          }
        };
      this.snaps = { ...made, restore: around(made.restore), reset: around(made.reset) };
    }
    return this.snaps;
  }

  /** Writes of integrations by this store so far (Store.integrationsStamp). */
  private integrationWrites = 0;
  private readonly integrationsChanged = () => {
    this.integrationWrites++;
  };
  /** SQLite's `pragma data_version` on the store's current connection, prepared once per connection. */
  private dataVersion?: { on: SqliteDatabase.Database; statement: SqliteDatabase.Statement };

  /**
   * SQLite: this store's own writes of integrations (counted as they are made, so a look-up that
   * runs after a write began is vouched for by a newer stamp), with `pragma data_version`, which
   * changes when any other connection (the command line beside the server) commits. A call in
   * this process, no statement through the query builder. Postgres: null.
   */
  integrationsStamp(): string | null {
    const connection = this.sqlite?.current;
    if (!connection) return null;
    if (this.dataVersion?.on !== connection) {
      // A snapshot restored in place of the connection starts a new count.
      this.integrationsChanged();
      this.dataVersion = { on: connection, statement: connection.prepare('pragma data_version').pluck() };
    }
    return `${this.integrationWrites}:${this.dataVersion.statement.get() as number}`;
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        // A fresh change log per attempt: a transaction run again records its events once.
        return await this.db.transaction().execute(async (trx) => {
          if (this.sqliteRun) holdSqliteConnection(trx, this.sqliteRun);
          const log = new ChangeLog(options.authors);
          const result = await fn(bind(trx, this.engine, this.hooks, log, this.integrationsChanged));
          await recordEvents(trx, log);
          return result;
        });
      } catch (e) {
        if (attempt >= MAX_TRANSACTION_ATTEMPTS || !isTransientConflict(e)) throw e;
        // A short random pause, longer each time, so that the two sides do not meet again.
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  async read<T>(fn: (tx: StoreTx) => Promise<T>, options?: ReadOptions): Promise<T> {
    const run = async (db: Db, check?: ReadCheck) => {
      if (this.sqliteRun) holdSqliteConnection(db, this.sqliteRun);
      const log = new ChangeLog();
      const result = await fn(
        bind(db, this.engine, this.hooks, log, this.integrationsChanged, options?.token, check),
      );
      if (log.blocks.size + log.uploads.size + log.views.size + log.comments.size > 0)
        throw new Error('Store.read: the operation wrote; writes belong in Store.transaction');
      return result;
    };
    // Postgres: a transaction still, for its locks. Each table a statement read stays locked
    // (ACCESS SHARE) until COMMIT, so a snapshot restore (TRUNCATE and copy in one transaction)
    // waits for the read to end instead of committing between two of its statements, which
    // showed a data source with no rows (test/testdouble/snapshots.test.ts).
    if (this.engine === 'postgres') {
      if (options?.checked) {
        // Its statements on the pool, each on its own; the answer (or error) kept when the last
        // look at the first row's version found it unchanged, else the read runs again in a
        // transaction (store/read-check.ts).
        const check = new ReadCheck();
        const db = this.db.withPlugin(check);
        let outcome: { result: T } | { error: unknown };
        try {
          outcome = { result: await run(db, check) };
        } catch (error) {
          // Before any statement completed there is nothing to mix: the error stands.
          if (check.statements === 0) throw error;
          outcome = { error };
          // A statement that failed may have seen a restore: the version is read again.
          check.confirmed = false;
        }
        if (!check.confirmed && !check.raced && check.anchor) {
          // The last statement did not read the version (an empty page, a formula's reads after
          // the page, an error): one more does. Unchanged, nothing committed in between.
          try {
            await sql`select xmin::text as ${sql.ref(READ_VERSION)} from blocks where id = ${check.anchor.id}`.execute(
              db,
            );
          } catch {
            check.confirmed = false;
          }
        }
        if (check.confirmed && !check.raced) {
          if ('result' in outcome) return outcome.result;
          throw outcome.error;
        }
      } else if (options?.oneStatement) {
        // Optimistic: the read as one statement on the pool, without BEGIN and COMMIT (two round
        // trips). A single statement holds its tables' locks while it runs and sees one snapshot,
        // so a restore cannot land inside it; a read that needs a second statement is stopped
        // when it comes (its answer unused) and run again below, in a transaction.
        const counter = new StatementCounter();
        try {
          const result = await run(this.db.withPlugin(counter));
          if (counter.statements <= 1) return result;
        } catch (e) {
          if (counter.statements <= 1) throw e;
        }
      }
      try {
        return await this.db.transaction().execute(run);
      } catch (e) {
        // A prepared statement whose table changed shape under it aborted the transaction; the
        // statement is unnamed from now on, so the read runs again once (store/compiled.ts).
        if (!isPreparedStatementGone(e)) throw e;
        return this.db.transaction().execute(run);
      }
    }
    // SQLite: one connection for the whole read (no transaction of this process interleaves:
    // Kysely's connection is held until `fn` settles), each statement committed on its own. Not
    // in a DEFERRED transaction, though it would save each statement its own read of the log's
    // index (~2.5 µs): inside one, `pragma data_version` (the integrations stamp, asked by
    // bearer auth of other requests meanwhile) cannot see another process's commits, so a token
    // revoked by the CLI would stay accepted while reads overlap.
    return this.db.connection().execute(run);
  }

  integrationByTokenHash(hash: string): Promise<IntegrationRow | undefined> {
    return integrations(this.db, this.engine, this.integrationsChanged).getByTokenHash(hash);
  }

  /**
   * Builds the trigram index of the search table and of every data-source table that lacks it (databases from before
   * the index; a Postgres where pg_trgm became available), one transaction per table. Cheap
   * when every index is in place: one catalog look-up per data source.
   */
  async ensureTextIndexes(): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      // biome-ignore lint/suspicious/noExplicitAny: the FTS5 table is outside the typed schema
      await ensureTextIndex(trx as unknown as Kysely<any>, this.hooks, SEARCH_TABLE, ['title'], 'id');
    });
    const sources = await this.db
      .selectFrom('blocks')
      .select(['id', 'properties'])
      .where('type', '=', 'data_source')
      .execute();
    for (const ds of sources) {
      const table = rowTableName(ds.id);
      const properties = JSON.parse(ds.properties ?? '[]') as ColumnProperty[];
      await this.db.transaction().execute(async (trx) => {
        if (!(await tableExists(trx, this.engine, table))) return;
        // biome-ignore lint/suspicious/noExplicitAny: dynamic tables
        await ensureDataSourceTextIndex(trx as unknown as Kysely<any>, this.hooks, table, properties);
      });
    }
  }

  /** The Postgres pool's connections now (connect.ts sets it; SQLite has no pool). */
  poolUse: (() => { total: number; idle: number; waiting: number }) | undefined;

  /** The Postgres schema the migrator keeps its tables in (connect.ts sets it). */
  migrationSchema: string | undefined;

  async notReadyReason(): Promise<string | null> {
    try {
      const pending = await pendingMigrations(this.db, this.migrationSchema);
      return pending.length === 0 ? null : `migrations not applied: ${pending.join(', ')}`;
    } catch (e) {
      return `storage unreachable (${e instanceof Error ? e.message : String(e)})`;
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.onClose();
  }
}
