/**
 * Statements built and compiled by the query builder once, then run again with other
 * parameters: for the statements of every request or automation run, where building and
 * compiling with Kysely cost more than running the statement.
 */
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
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
): Promise<R[]> {
  return executeCompiledQuery<R>(db, engine, key, build, parameters).then((r) => r.rows);
}

/** `executeCompiled` answering the driver's result (rows and the count of rows written). */
export function executeCompiledQuery<R>(
  db: Db,
  engine: Engine,
  key: string,
  build: () => { compile(): CompiledQuery },
  parameters: readonly unknown[],
) {
  const cacheKey = `${engine}:${key}`;
  let text = compiledText.get(cacheKey);
  if (text === undefined) {
    const compiled = build().compile();
    if (compiled.parameters.length !== parameters.length) throw new Error(`${key}: parameters differ`);
    text = compiled.sql;
    if (compiledText.size >= MAX_TEXTS) compiledText.clear();
    compiledText.set(cacheKey, text);
  }
  return db.executeQuery<R>(CompiledQuery.raw(text, [...parameters]));
}

/** The entries of `patch` a builder's `set` writes (Kysely leaves undefined values out). */
export function definedEntries(patch: object): [string, unknown][] {
  return Object.entries(patch).filter(([, v]) => v !== undefined);
}
