/**
 * Opening a store on either engine. This file and the `engine` switches in kysely-store.ts are
 * the whole dialect difference.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, type SqliteDatabase as KyselySqlite, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { dialectHooks } from '../query/dialect.ts';
import { namePreparedStatements } from './compiled.ts';
import { KyselyStore } from './kysely-store.ts';
import { migrateToLatest } from './migrate.ts';
import type { Database } from './schema.ts';
import type { SqliteConnection } from './snapshots.ts';

export interface StoreOptions {
  /** postgres://… selects Postgres; otherwise SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** Folder of the SQLite file (created when missing); ':memory:' for an in-memory database. */
  dataDir?: string | undefined;
  /** Postgres schema to use (created when missing); tests use one schema each. */
  pgSchema?: string | undefined;
  /**
   * A store for one long run of large write transactions (`octavo rows import`). SQLite copies
   * its write-ahead log back into the database less often (BULK_CHECKPOINT_PAGES instead of every
   * 1,000 pages) and once more on close, so an index page written by several batches is copied
   * once instead of once per batch. No effect on Postgres.
   */
  bulk?: boolean | undefined;
}

/** Write-ahead log pages (4 KiB each) a bulk store lets accumulate before copying them back. */
const BULK_CHECKPOINT_PAGES = 32_768;

/** How long to wait for Postgres to accept a connection before failing (not hanging). */
const CONNECT_TIMEOUT_MS = 10_000;

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

/** Opens, migrates and returns the store. */
export async function openStore(options: StoreOptions): Promise<KyselyStore> {
  const store = isPostgresUrl(options.databaseUrl)
    ? await openPostgres(options.databaseUrl, options.pgSchema)
    : openSqlite(options.dataDir ?? './octavo-data', options.bulk ?? false);
  store.migrationSchema = isPostgresUrl(options.databaseUrl) ? options.pgSchema : undefined;
  try {
    await migrateToLatest(store.db, store.migrationSchema);
    if (store.engine === 'postgres') {
      store.hooks = dialectHooks('postgres', { trigramSchema: await ensurePgTrgm(store.db) });
    }
    await store.ensureTextIndexes();
  } catch (e) {
    await store.close().catch(() => {});
    throw e;
  }
  return store;
}

/**
 * The schema pg_trgm is installed in, installing it when this role may (it is a trusted
 * extension: any role with CREATE on the database can); null when it is not available, and
 * substring search then scans as before. Tried in `public` first, so that a schema dropped
 * later (one per test suite) does not take the extension, and the indexes using it, along.
 */
export async function ensurePgTrgm<DB>(db: Kysely<DB>): Promise<string | null> {
  const find = async () =>
    (
      await sql<{ schema: string }>`select n.nspname as schema from pg_extension e
        join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`.execute(db)
    ).rows[0]?.schema ?? null;
  for (const install of [
    sql`create extension if not exists pg_trgm schema public`,
    sql`create extension if not exists pg_trgm`,
  ]) {
    const found = await find();
    if (found) return found;
    try {
      await install.execute(db);
    } catch {
      // No privilege, no such schema, or another connection installing it at the same moment.
    }
  }
  return find();
}

function openSqlite(dataDir: string, bulk: boolean): KyselyStore {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    mkdirSync(dataDir, { recursive: true });
    file = join(dataDir, 'octavo.db');
  }
  const configure = (sqlite: SqliteDatabase.Database) => {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // 128 MiB of page cache (negative = KiB): the default 2 MiB makes large data sources read
    // their indexes and rows from the OS for every query.
    sqlite.pragma('cache_size = -131072');
    if (bulk) sqlite.pragma(`wal_autocheckpoint = ${BULK_CHECKPOINT_PAGES}`);
  };
  const connection: SqliteConnection = {
    file,
    dataDir,
    current: new SqliteDatabase(file),
    configure,
    replace: () => {},
  };
  configure(connection.current);
  const database = reusingStatements(connection, () => {
    // Another process (the server) may have the database open; then closing alone does not
    // checkpoint, and the log would wait for that process's next write to be copied back.
    if (bulk) connection.current.pragma('wal_checkpoint(PASSIVE)');
  });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  const store = new KyselyStore(db, 'sqlite');
  store.sqlite = connection;
  store.sqliteRun = (text, parameters) => {
    // As Kysely's SQLite connection runs a statement: rows of a reader, none otherwise.
    const statement = database.prepare(text) as SqliteDatabase.Statement;
    if (statement.reader) return statement.all(parameters as unknown[]) as unknown[];
    statement.run(parameters as unknown[]);
    return [];
  };
  return store;
}

/** How many prepared SQLite statements a store keeps for reuse. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The SQLite database as Kysely sees it, with prepared statements kept by SQL text. Kysely
 * prepares every statement it runs; a request asks the same few shapes each time (a block by id,
 * the visibility walk, a page of rows), and preparing them again was 12% of a GET's CPU profile.
 * Reuse is safe: Kysely runs statements to completion (`all`/`run`) and never iterates them, and
 * SQLite re-prepares a statement by itself when the schema under it has changed. The least
 * recently used statement is dropped beyond the cap (ad-hoc filters make many shapes).
 *
 * Transactions begin IMMEDIATE (Kysely sends a plain `begin`, which SQLite makes DEFERRED): a
 * deferred transaction that read first and then writes fails at once with "database is locked"
 * when another process (the command line beside a running server) committed in between, and no
 * busy timeout helps it; an immediate one waits (busy_timeout) for the other writer's turn. In
 * one process nothing changes: Kysely already runs one transaction at a time per connection.
 */
function reusingStatements(connection: SqliteConnection, beforeClose: () => void): KyselySqlite {
  const cache = new Map<string, SqliteDatabase.Statement>();
  // Statements belong to one connection: a snapshot restored in place of it forgets them.
  connection.replace = (next) => {
    cache.clear();
    const previous = connection.current;
    connection.current = next;
    previous.close();
  };
  return {
    prepare(sqlText) {
      const text = sqlText === 'begin' ? 'begin immediate' : sqlText;
      let statement = cache.get(text);
      if (statement) {
        cache.delete(text);
      } else {
        statement = connection.current.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, statement);
      return statement;
    },
    close: () => {
      try {
        beforeClose();
      } finally {
        connection.current.close();
      }
    },
  };
}

/** The Postgres driver, loaded on first use: a SQLite server (`serve --memory`) starts without it. */
async function loadPg(): Promise<typeof import('pg').default> {
  return (await import('pg')).default;
}

async function openPostgres(url: string, schema: string | undefined): Promise<KyselyStore> {
  const pg = await loadPg();
  if (schema) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    await client.connect();
    try {
      await client.query(`create schema if not exists ${schema}`);
    } finally {
      await client.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it would end the
  // process. The pool replaces the client on next use, so a log line is enough.
  pool.on('error', (err) => console.error(`[octavo] Postgres connection lost: ${err.message}`));
  // The hot statements (store/compiled.ts) prepared once per connection.
  pool.on('connect', (client) => namePreparedStatements(client as never));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const store = new KyselyStore(db, 'postgres');
  store.poolUse = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
  return store;
}

/** Drops a Postgres schema made for a test run. */
export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  const pg = await loadPg();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // A process that has just let go of the schema (a job process stopping) can still hold locks
    // that make the drop a deadlock victim: it is tried again.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`drop schema if exists ${schema} cascade`);
        break;
      } catch (e) {
        if ((e as { code?: string }).code !== '40P01' || attempt >= 5) throw e;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
    // Its snapshots (store/snapshots.ts) are schemas beside it, `<schema>__snap_<name>`.
    const snaps = await client.query<{ nspname: string }>(
      `select nspname from pg_namespace where starts_with(nspname, $1)`,
      [`${schema}__snap_`],
    );
    for (const { nspname } of snaps.rows) await client.query(`drop schema if exists "${nspname}" cascade`);
  } finally {
    await client.end();
  }
}
