/**
 * Snapshots and reset of a whole workspace, for Octavo as a test double (`octavo snapshot …`,
 * `/_octavo/snapshots`). Each engine its own way, measured in docs/benchmarks.md:
 *
 * - SQLite: a snapshot is the database image (`serialize`), kept in process memory for an
 *   in-memory store and as `<data>/snapshots/NAME.db` for a file store. Restoring opens the
 *   image as a new connection and puts it in place of the old one while holding Kysely's
 *   connection lock, so a request sees the old workspace or the new one, never a mix; a file
 *   store's file is rewritten while the lock is held. (Restoring a file store assumes no other
 *   process has the file open: the command line beside a running server should use the admin API.)
 * - Postgres: a snapshot is a schema beside the store's (`<schema>__snap_<name>`) holding copies
 *   of its tables; restoring locks every table, empties them, drops and re-creates the
 *   data-source tables, and copies the rows back, all in one transaction: concurrent requests
 *   wait for it and then see the restored workspace.
 *
 * Reset empties every table except the migrator's and `octavo_meta` (workspace id, signing key,
 * admin token), dropping every data-source table, in one transaction.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { Snapshots } from './store.ts';

/** The SQLite connection a store runs on, replaceable by a restored image (connect.ts). */
export interface SqliteConnection {
  /** ':memory:' or the database file. */
  file: string;
  dataDir: string;
  current: SqliteDatabase.Database;
  /** Applies the store's pragmas to a connection. */
  configure(db: SqliteDatabase.Database): void;
  /** Puts `next` in place of the current connection (closing it) and forgets prepared statements. */
  replace(next: SqliteDatabase.Database): void;
}

/** Tables a reset or snapshot leaves alone: the migrator's own. */
const MIGRATOR = new Set(['kysely_migration', 'kysely_migration_lock']);
/** Tables pg-boss keeps in the same schema (jobs/postgres.ts), with its per-queue partitions. */
const PG_BOSS = new Set(['job', 'queue', 'schedule', 'version', 'subscription', 'archive', 'bam', 'warning']);
const isPgBoss = (t: string) => PG_BOSS.has(t) || /^j[0-9a-f]{40,}$/.test(t);
const isRowTable = (t: string) => t.startsWith('ds_');

/** Runs `fn` while holding the store's one SQLite connection (Kysely's lock). */
function holding<T>(db: Kysely<Database>, fn: () => T | Promise<T>): Promise<T> {
  return db.connection().execute(async () => fn());
}

/** A SQLite image opened as a database: written in WAL mode, it must say "rollback journal". */
function openImage(image: Buffer): SqliteDatabase.Database {
  const copy = Buffer.from(image);
  copy[18] = 1;
  copy[19] = 1;
  return new SqliteDatabase(copy);
}

export function sqliteSnapshots(db: Kysely<Database>, conn: SqliteConnection): Snapshots {
  const inMemory = conn.file === ':memory:';
  const images = new Map<string, { image: Buffer; created: string }>();
  const dir = join(conn.dataDir, 'snapshots');
  const fileOf = (name: string) => join(dir, `${name}.db`);
  return {
    save: (name, now) =>
      holding(db, () => {
        const image = conn.current.serialize();
        if (inMemory) images.set(name, { image, created: now });
        else {
          mkdirSync(dir, { recursive: true });
          writeFileSync(fileOf(name), image);
        }
        return { name, created_time: now, bytes: image.length };
      }),
    restore: (name) =>
      holding(db, () => {
        const image = inMemory
          ? images.get(name)?.image
          : existsSync(fileOf(name))
            ? readFileSync(fileOf(name))
            : undefined;
        if (!image) return false;
        if (inMemory) {
          const next = openImage(image);
          conn.configure(next);
          conn.replace(next);
          return true;
        }
        conn.current.close();
        for (const suffix of ['-wal', '-shm']) rmSync(conn.file + suffix, { force: true });
        writeFileSync(conn.file, image);
        const next = new SqliteDatabase(conn.file);
        conn.configure(next);
        conn.replace(next);
        return true;
      }),
    list: async () => {
      if (inMemory)
        return [...images].map(([name, s]) => ({ name, created_time: s.created, bytes: s.image.length }));
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .filter((f) => f.endsWith('.db'))
        .map((f) => {
          const st = statSync(join(dir, f));
          return { name: f.slice(0, -3), created_time: st.mtime.toISOString(), bytes: st.size };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
    },
    delete: async (name) => {
      if (inMemory) return images.delete(name);
      if (!existsSync(fileOf(name))) return false;
      rmSync(fileOf(name));
      return true;
    },
    reset: () =>
      db.transaction().execute(async (trx) => {
        await sql`pragma defer_foreign_keys = on`.execute(trx);
        const tables = (
          await sql<{ name: string; sql: string | null }>`select name, sql from sqlite_master
            where type = 'table' and name not like 'sqlite_%'`.execute(trx)
        ).rows;
        // Full-text tables first: dropping one drops its shadow tables with it.
        const virtual = tables.filter((t) => /^create virtual table/i.test(t.sql ?? ''));
        for (const t of virtual.filter((v) => isRowTable(v.name))) await dropTable(trx, t.name);
        const shadows = new Set(
          virtual.flatMap((v) => tables.filter((t) => t.name.startsWith(`${v.name}_`)).map((t) => t.name)),
        );
        for (const t of tables) {
          if (MIGRATOR.has(t.name) || t.name === 'octavo_meta' || shadows.has(t.name)) continue;
          if (virtual.some((v) => v.name === t.name)) continue;
          if (isRowTable(t.name)) await dropTable(trx, t.name);
          else await sql`delete from ${sql.table(t.name)}`.execute(trx);
        }
        // The search table's full-text index (kept by triggers) is emptied with it.
        for (const v of virtual.filter((x) => !isRowTable(x.name)))
          await sql`delete from ${sql.table(v.name)}`.execute(trx);
      }),
  };
}

async function dropTable(trx: Transaction<Database>, name: string): Promise<void> {
  await sql`drop table if exists ${sql.table(name)}`.execute(trx);
}

/** The Postgres schema of a snapshot: beside the store's, named after it. */
function snapSchema(base: string, name: string): string {
  return `${base}__snap_${name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
}

/**
 * Runs a transaction again when Postgres broke a deadlock by aborting it: a restore locks every
 * table, and a request holding one of them while waiting for another it holds is such a cycle.
 */
async function again<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const code = (e as { code?: unknown } | null)?.code;
      if (attempt >= 5 || (code !== '40P01' && code !== '40001')) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
    }
  }
}

export function postgresSnapshots(db: Kysely<Database>): Snapshots {
  const base = async (q: Kysely<Database> | Transaction<Database>) =>
    (await sql<{ s: string }>`select current_schema() as s`.execute(q)).rows[0]!.s;
  const tablesIn = async (q: Transaction<Database>, schema: string) =>
    (
      await sql<{ name: string }>`select c.relname as name from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and c.relkind in ('r', 'p') and not c.relispartition
        order by c.relname`.execute(q)
    ).rows
      .map((r) => r.name)
      .filter((t) => !MIGRATOR.has(t) && !isPgBoss(t));
  const columnsOf = async (q: Transaction<Database>, schema: string, table: string) =>
    (
      await sql<{ c: string }>`select column_name as c from information_schema.columns
        where table_schema = ${schema} and table_name = ${table} and is_generated = 'NEVER'
        order by ordinal_position`.execute(q)
    ).rows.map((r) => r.c);
  const copy = async (q: Transaction<Database>, from: string, to: string, table: string) => {
    const cols = await columnsOf(q, from, table);
    const list = sql.join(cols.map((c) => sql.ref(c)));
    await sql`insert into ${sql.table(`${to}.${table}`)} (${list}) overriding system value
      select ${list} from ${sql.table(`${from}.${table}`)}`.execute(q);
  };
  /** `tables` with every table after the tables its foreign keys point to, so copies can follow. */
  const inKeyOrder = async (q: Transaction<Database>, schema: string, tables: string[]) => {
    const edges = (
      await sql<{ child: string; parent: string }>`select c.relname as child, p.relname as parent
        from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid
        join pg_namespace n on n.oid = k.connamespace
        where k.contype = 'f' and n.nspname = ${schema}`.execute(q)
    ).rows;
    const out: string[] = [];
    const visit = (t: string, path: Set<string>) => {
      if (out.includes(t) || path.has(t)) return;
      path.add(t);
      for (const e of edges)
        if (e.child === t && e.parent !== t && tables.includes(e.parent)) visit(e.parent, path);
      out.push(t);
    };
    for (const t of tables) visit(t, new Set());
    return out;
  };
  const exists = async (q: Kysely<Database> | Transaction<Database>, schema: string) =>
    (await sql`select 1 from pg_namespace where nspname = ${schema}`.execute(q)).rows.length > 0;
  return {
    save: async (name, now) => {
      await db.transaction().execute(async (trx) => {
        const main = await base(trx);
        const snap = snapSchema(main, name);
        await sql`drop schema if exists ${sql.id(snap)} cascade`.execute(trx);
        await sql`create schema ${sql.id(snap)}`.execute(trx);
        for (const t of await tablesIn(trx, main)) {
          await sql`create table ${sql.table(`${snap}.${t}`)} (like ${sql.table(`${main}.${t}`)} including all)`.execute(
            trx,
          );
          await copy(trx, main, snap, t);
        }
        await sql`comment on schema ${sql.id(snap)} is ${sql.lit(JSON.stringify({ name, created_time: now }))}`.execute(
          trx,
        );
      });
      return { name, created_time: now, bytes: null };
    },
    restore: (name) =>
      again(() =>
        db.transaction().execute(async (trx) => {
          const main = await base(trx);
          const snap = snapSchema(main, name);
          if (!(await exists(trx, snap))) return false;
          const current = await tablesIn(trx, main);
          const saved = await tablesIn(trx, snap);
          // Every table locked first, in name order, so requests wait for the whole restore.
          for (const t of current)
            await sql`lock table ${sql.table(`${main}.${t}`)} in access exclusive mode`.execute(trx);
          for (const t of current.filter(isRowTable))
            await sql`drop table ${sql.table(`${main}.${t}`)}`.execute(trx);
          const fixed = current.filter((t) => !isRowTable(t));
          if (fixed.length > 0)
            await sql`truncate ${sql.join(fixed.map((t) => sql.table(`${main}.${t}`)))}`.execute(trx);
          for (const t of await inKeyOrder(trx, main, saved)) {
            if (isRowTable(t) || !fixed.includes(t))
              await sql`create table ${sql.table(`${main}.${t}`)} (like ${sql.table(`${snap}.${t}`)} including all)`.execute(
                trx,
              );
            await copy(trx, snap, main, t);
          }
          await sql`select setval(pg_get_serial_sequence(${`${main}.events`}, 'seq'),
          coalesce((select max(seq) from ${sql.table(`${main}.events`)}), 0) + 1, false)`.execute(trx);
          return true;
        }),
      ),
    list: async () => {
      const main = await base(db);
      const rows = (
        await sql<{ d: string | null }>`select obj_description(oid, 'pg_namespace') as d from pg_namespace
          where nspname like ${`${main}\\_\\_snap\\_%`}`.execute(db)
      ).rows;
      return rows
        .map((r) => JSON.parse(r.d ?? '{}') as { name?: string; created_time?: string })
        .filter((r) => r.name)
        .map((r) => ({ name: r.name!, created_time: r.created_time ?? '', bytes: null }))
        .sort((a, b) => a.name.localeCompare(b.name));
    },
    delete: async (name) => {
      const snap = snapSchema(await base(db), name);
      if (!(await exists(db, snap))) return false;
      await sql`drop schema ${sql.id(snap)} cascade`.execute(db);
      return true;
    },
    reset: () =>
      again(() =>
        db.transaction().execute(async (trx) => {
          const main = await base(trx);
          const current = (await tablesIn(trx, main)).filter((t) => t !== 'octavo_meta');
          // Every table locked first, in name order, as a restore does: dropping a data source's
          // rows first (locking them) and then emptying `blocks` could deadlock with a query's
          // page statement, which locks `blocks` before the rows (store/read-check.ts).
          for (const t of current)
            await sql`lock table ${sql.table(`${main}.${t}`)} in access exclusive mode`.execute(trx);
          for (const t of current.filter(isRowTable))
            await sql`drop table ${sql.table(`${main}.${t}`)}`.execute(trx);
          const fixed = current.filter((t) => !isRowTable(t));
          if (fixed.length > 0)
            await sql`truncate ${sql.join(fixed.map((t) => sql.table(`${main}.${t}`)))} restart identity`.execute(
              trx,
            );
        }),
      ),
  };
}
