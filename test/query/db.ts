/**
 * Test databases for the query engine: an in-memory SQLite and a throw-away Postgres schema,
 * each as a bare Kysely plus the dialect hooks the engine uses.
 */
import SqliteDatabase from 'better-sqlite3';
import { type Kysely, Kysely as KyselyClass, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { type DialectHooks, dialectHooks, sqliteHooks } from '../../src/query/dialect.ts';
import { ensurePgTrgm } from '../../src/store/connect.ts';
import { type EngineName, PG_URL } from '../helpers/engines.ts';

// biome-ignore lint/suspicious/noExplicitAny: data-source tables are dynamic.
export type AnyDb = Kysely<any>;

export interface TestDb {
  readonly engine: EngineName;
  readonly db: AnyDb;
  readonly hooks: DialectHooks;
  close(): Promise<void>;
}

/** Opens a fresh database for `engine`; on Postgres a schema named after `tag`, dropped on close. */
export async function openTestDb(engine: EngineName, tag: string): Promise<TestDb> {
  if (engine === 'sqlite') {
    const db = new KyselyClass({ dialect: new SqliteDialect({ database: new SqliteDatabase(':memory:') }) });
    return { engine, db, hooks: sqliteHooks, close: () => db.destroy() };
  }
  const schema = `q_${tag}_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2, options: `-c search_path=${schema}` });
  const db = new KyselyClass({ dialect: new PostgresDialect({ pool }) });
  // The store's own detection: pg_trgm's GIN indexes when the extension can be had.
  const hooks = dialectHooks('postgres', { trigramSchema: await ensurePgTrgm(db) });
  return {
    engine,
    db,
    hooks,
    close: async () => {
      await db.destroy();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}
