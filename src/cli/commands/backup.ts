/**
 * `octavo backup --to FILE` and `octavo restore FILE`: SQLite's online backup, while the server
 * runs. On Postgres the database's own tools do it (pg_dump; README, backups).
 */
import { resolve } from 'node:path';
import { loadConfig } from '../../config.ts';
import { backupSqlite, restoreSqlite } from '../../store/sqlite-backup.ts';
import { CliError, printResult, UsageError, type Values } from '../args.ts';
import { errorText } from '../errors.ts';

function sqliteOnly(values: Values, what: string): string {
  const config = loadConfig(values);
  if (config.databaseUrl) {
    const schema = config.pgSchema ?? 'public';
    throw new CliError(
      `${what} works on SQLite; on Postgres run pg_dump --format=custom --schema=${schema} --file=octavo.dump "$DATABASE_URL" (and pg_restore to restore; see the README)`,
    );
  }
  return config.dataDir;
}

export async function backupCommand(values: Values): Promise<void> {
  if (!values.to) throw new UsageError('--to is required');
  const dataDir = sqliteOnly(values, 'backup');
  const to = resolve(values.to);
  const started = performance.now();
  const result = await backupSqlite(dataDir, to).catch((e: unknown) => {
    throw new CliError(`backup failed: ${errorText(e)}`);
  });
  const seconds = (performance.now() - started) / 1000;
  printResult(
    values,
    { file: to, bytes: result.bytes, seconds: Number(seconds.toFixed(3)) },
    `Backed up ${dataDir} to ${to} (${(result.bytes / 1024 / 1024).toFixed(1)} MiB in ${seconds.toFixed(1)} s)`,
  );
}

export async function restoreCommand(values: Values, args: string[]): Promise<void> {
  const dataDir = sqliteOnly(values, 'restore');
  const from = resolve(args[0]!);
  const result = await restoreSqlite(dataDir, from).catch((e: unknown) => {
    throw new CliError(`restore failed: ${errorText(e)}`);
  });
  printResult(
    values,
    { restored: from, previous: result.replaced },
    `Restored ${from} into ${dataDir}.` +
      (result.replaced ? ` The database it replaced is kept as ${result.replaced}.` : ''),
  );
}
