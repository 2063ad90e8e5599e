/**
 * Statements built and compiled by the query builder once, then run again with other
 * parameters: for the statements of every request or automation run, where building and
 * compiling with Kysely cost more than running the statement.
 */
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import { PreparedNames, runPrepared } from '../lib/prepared.ts';
import type { Database } from './schema.ts';
import type { Engine } from './store.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** SQL text compiled once per engine and key. */
const compiledText = new Map<string, string>();
/** Keys are made by code (a statement's shape), but some name a data source's table: bounded. */
const MAX_TEXTS = 5000;

/**
 * Runs the statement `build` makes, compiled once per engine and `key`: later calls reuse its text
 * with their own `parameters` (which must be the builder's, in the same order; `key` must name
 * everything that shapes the SQL). A count that differs from the compiled one is refused.
 */
export function executeCompiled<R>(
  db: Db,
  engine: Engine,
  key: string,
  build: () => { compile(): CompiledQuery },
  parameters: readonly unknown[],
  /**
   * False for a statement on a table whose columns may change type while the process runs (a
   * data source's rows): a prepared statement keeps the parameter types of its first parse.
   */
  prepare = true,
): Promise<R[]> {
  const direct = engine === 'sqlite' ? sqliteHeld.get(db) : undefined;
  if (direct) {
    try {
      return Promise.resolve(
        direct(compiledTextOf(engine, key, build, parameters, prepare), parameters) as R[],
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }
  return executeCompiledQuery<R>(db, engine, key, build, parameters, prepare).then((r) => r.rows);
}

/** `executeCompiled` answering the driver's result (rows and the count of rows written). */
export function executeCompiledQuery<R>(
  db: Db,
  engine: Engine,
  key: string,
  build: () => { compile(): CompiledQuery },
  parameters: readonly unknown[],
  prepare = true,
) {
  const text = compiledTextOf(engine, key, build, parameters, prepare);
  return db.executeQuery<R>(CompiledQuery.raw(text, [...parameters]));
}

function compiledTextOf(
  engine: Engine,
  key: string,
  build: () => { compile(): CompiledQuery },
  parameters: readonly unknown[],
  prepare: boolean,
): string {
  const cacheKey = `${engine}:${key}`;
  let text = compiledText.get(cacheKey);
  if (text === undefined) {
    const compiled = build().compile();
    if (compiled.parameters.length !== parameters.length) throw new Error(`${key}: parameters differ`);
    text = compiled.sql;
    if (compiledText.size >= MAX_TEXTS) compiledText.clear();
    compiledText.set(cacheKey, text);
    if (prepare && engine === 'postgres') preparedNames.add(text);
  }
  return text;
}

/**
 * Postgres: runs `text` (a statement made once by code, with its parameters as placeholders) as a
 * named prepared statement on the store's connections from now on, as `executeCompiled` does.
 * Not for a data source's rows (see `executeCompiled`'s `prepare`).
 */
export function preparePostgresText(text: string): void {
  preparedNames.add(text);
}

/** Runs a statement on a held SQLite connection: the rows of a reader, none otherwise. */
export type SqliteRunner = (text: string, parameters: readonly unknown[]) => unknown[];

/**
 * SQLite: the Kysely instances that hold the store's one connection (a read's or a transaction's;
 * Kysely's mutex keeps every other user of the connection waiting until they are done), with a
 * runner of statements on that connection. `executeCompiled` runs its statements through it, as
 * one synchronous call of the prepared statement, instead of Kysely's asynchronous executor
 * (connection provider, mutex, result handling: a few µs per statement, which on a GET of a
 * database row was more than SQLite's own time for its four statements). `executeCompiledQuery`
 * (which answers the count of rows written) still goes through Kysely.
 */
const sqliteHeld = new WeakMap<Db, SqliteRunner>();

/** Marks `db` as holding the SQLite connection `run` runs statements on (see `sqliteHeld`). */
export function holdSqliteConnection(db: Db, run: SqliteRunner): void {
  sqliteHeld.set(db, run);
}

/** The entries of `patch` a builder's `set` writes (Kysely leaves undefined values out). */
export function definedEntries(patch: object): [string, unknown][] {
  return Object.entries(patch).filter(([, v]) => v !== undefined);
}

/**
 * Postgres: the texts `executeCompiled` runs, each with the name it is prepared under on every
 * connection of the store's pool (`namePreparedStatements`), so the server parses and plans it
 * once per connection rather than for every run (half of a short statement's server time).
 */
const preparedNames = new PreparedNames('octavo_');

/**
 * Makes a node-postgres client of the store's pool run the texts of `executeCompiled` as named
 * (prepared) statements; anything else goes as before (lib/prepared.ts `runPrepared`). A
 * statement whose table changed shape under it (a migration by another process) fails once and
 * is run unnamed from then on: at once when it ran on its own (a read on the pool, the token
 * look-up), else by running its transaction again (`isPreparedStatementGone` in
 * Store.transaction).
 */
export function namePreparedStatements(client: Parameters<typeof runPrepared>[0]): void {
  runPrepared(client, preparedNames);
}
