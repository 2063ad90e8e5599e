/**
 * Backing up and restoring the SQLite database with SQLite's online backup API (better-sqlite3's
 * `backup`), which reads a consistent snapshot while other connections, a running server's
 * included, keep writing (WAL lets readers and one writer proceed together).
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';

/** The database file in a data folder (connect.ts opens the same). */
export function sqliteFileOf(dataDir: string): string {
  return join(dataDir, 'octavo.db');
}

/**
 * Copies every page in one step. The API copies in steps of 100 pages by default and starts
 * over whenever another connection writes between two steps, so under steady writes a backup in
 * small steps might never finish; one step is one read transaction: a snapshot as of its start.
 */
const ALL_PAGES = () => 0x7fffffff;

/** Backup of `source` (a database file) to `target`, written beside it and renamed into place. */
async function copyDatabase(source: string, target: string): Promise<{ pages: number }> {
  const partial = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  rmSync(partial, { force: true });
  const db = new SqliteDatabase(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const result = await db.backup(partial, { progress: ALL_PAGES });
    renameSync(partial, target);
    return { pages: result.totalPages };
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  } finally {
    db.close();
  }
}

/** A consistent copy of the data folder's database in `to` (a file replaced when present). */
export async function backupSqlite(dataDir: string, to: string): Promise<{ pages: number; bytes: number }> {
  const source = sqliteFileOf(dataDir);
  if (!existsSync(source)) throw new Error(`no database at ${source}`);
  const { pages } = await copyDatabase(source, to);
  const check = checkBackup(to);
  return { pages, bytes: check.bytes };
}

/** Opens a file as an Octavo database and checks it: integrity, and that it has Octavo's tables. */
export function checkBackup(file: string): { bytes: number; migrations: number } {
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`${file} is damaged (integrity_check: ${String(integrity)})`);
    const table = db
      .prepare("select name from sqlite_master where type = 'table' and name = 'kysely_migration'")
      .get();
    if (!table) throw new Error(`${file} is not an Octavo database (no migration table)`);
    const { n } = db.prepare('select count(*) as n from kysely_migration').get() as { n: number };
    const { size } = db
      .prepare('select page_count * page_size as size from pragma_page_count(), pragma_page_size()')
      .get() as {
      size: number;
    };
    return { bytes: size, migrations: n };
  } catch (e) {
    if (e instanceof Error && /file is not a database/.test(e.message))
      throw new Error(`${file} is not a SQLite database`);
    throw e;
  } finally {
    db.close();
  }
}

/**
 * Replaces the data folder's database with the backup `from` (checked first). The database it
 * replaces is kept as `octavo.db.before-restore`. The server must be stopped: it would keep
 * serving what it has cached (the workspace, signing keys) from the old one.
 */
export async function restoreSqlite(dataDir: string, from: string): Promise<{ replaced: string | null }> {
  checkBackup(from);
  const target = sqliteFileOf(dataDir);
  let replaced: string | null = null;
  if (existsSync(target)) {
    replaced = `${target}.before-restore`;
    await copyDatabase(target, replaced);
  }
  // Copying into the database file with the same API (rather than renaming files) keeps its
  // write-ahead log consistent with it.
  const source = new SqliteDatabase(from, { readonly: true, fileMustExist: true });
  try {
    await source.backup(target, { progress: ALL_PAGES });
  } finally {
    source.close();
  }
  return { replaced };
}
