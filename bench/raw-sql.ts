/**
 * The database under Octavo, reached directly (better-sqlite3 or pg, no Octavo code): the same
 * queries as plain SQL on a data source's `ds_` table, timed for the ratio in bench/query.ts.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

type Row = Record<string, unknown>;

export interface RawDb {
  readonly engine: 'sqlite' | 'postgres';
  /** Runs SQL written with `$1, $2, …` placeholders, each used once and in order. */
  all(text: string, params?: unknown[]): Promise<Row[]>;
  /** Inserts rows (same keys) into `table` in one transaction, as multi-row statements. */
  insert(writes: { table: string; rows: Row[] }[]): Promise<void>;
  close(): Promise<void>;
}

export function openRawSqlite(dataDir: string): RawDb {
  const db = new Database(join(dataDir, 'octavo.db'));
  db.pragma('busy_timeout = 5000');
  const statements = new Map<string, Database.Statement>();
  const prepare = (text: string) => {
    const sqliteText = text.replace(/\$\d+/g, '?');
    let st = statements.get(sqliteText);
    if (!st) {
      st = db.prepare(sqliteText);
      statements.set(sqliteText, st);
    }
    return st;
  };
  return {
    engine: 'sqlite',
    all: async (text, params = []) => prepare(text).all(...params) as Row[],
    insert: async (writes) => {
      db.transaction(() => {
        for (const { table, rows } of writes) {
          const cols = Object.keys(rows[0] ?? {});
          if (cols.length === 0) continue;
          const st = prepare(
            `insert into ${table} (${cols.join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
          );
          for (const r of rows) st.run(...cols.map((c) => r[c]));
        }
      })();
    },
    close: async () => {
      db.close();
    },
  };
}

export function openRawPostgres(url: string, schema: string): RawDb {
  const pool = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` });
  return {
    engine: 'postgres',
    all: async (text, params = []) => (await pool.query(text, params)).rows as Row[],
    insert: async (writes) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        for (const { table, rows } of writes) {
          const cols = Object.keys(rows[0] ?? {});
          const per = Math.max(1, Math.floor(30_000 / Math.max(1, cols.length)));
          for (let i = 0; i < rows.length; i += per) {
            const chunk = rows.slice(i, i + per);
            const tuples = chunk.map(
              (_, r) => `(${cols.map((_c, c) => `$${r * cols.length + c + 1}`).join(', ')})`,
            );
            await client.query(
              `insert into ${table} (${cols.join(', ')}) values ${tuples.join(', ')}`,
              chunk.flatMap((row) => cols.map((c) => row[c])),
            );
          }
        }
        await client.query('commit');
      } catch (e) {
        await client.query('rollback');
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
