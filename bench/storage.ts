/** Where one benchmark run keeps its data: a fresh SQLite folder or Postgres schema. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../src/store/connect.ts';
import { PG_URL } from './common.ts';
import { openRawPostgres, openRawSqlite, type RawDb } from './raw-sql.ts';

const env = process.env;

/** Where one run's data lives: CLI arguments and environment, a store, a raw connection. */
export function storageFor(engine: string, size: number) {
  const dir = mkdtempSync(join(tmpdir(), 'octavo-bench-'));
  const schema = `octavo_bq_${process.pid}_${size}`;
  const base = { ...env };
  for (const key of ['DATABASE_URL', 'OCTAVO_PG_SCHEMA', 'PORT', 'OCTAVO_RATE_LIMIT']) delete base[key];
  const pgMode = engine === 'postgres';
  return {
    dir,
    args: ['--data', dir],
    env: pgMode ? { ...base, DATABASE_URL: PG_URL, OCTAVO_PG_SCHEMA: schema } : base,
    openStore: () => openStore(pgMode ? { databaseUrl: PG_URL, pgSchema: schema } : { dataDir: dir }),
    openRaw: (): RawDb => (pgMode ? openRawPostgres(PG_URL, schema) : openRawSqlite(dir)),
    cleanup: async () => {
      rmSync(dir, { recursive: true, force: true });
      if (!pgMode) return;
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}
