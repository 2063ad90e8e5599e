/** What every storage command shares: config, opening the store, and naming where it lives. */
import { type Config, loadConfig } from '../config.ts';
import { openConfiguredStore } from '../main.ts';
import type { KyselyStore } from '../store/kysely-store.ts';
import { CliError, type Values } from './args.ts';
import { errorText } from './errors.ts';

/** Where the data lives, for messages; never shows a password. */
export function storageLabel(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'pgSchema'>): string {
  if (!config.databaseUrl) return `SQLite in ${config.dataDir}`;
  const url = new URL(config.databaseUrl);
  const schema = config.pgSchema ? ` (schema ${config.pgSchema})` : '';
  return `Postgres at ${url.hostname}:${url.port || '5432'}${url.pathname}${schema}`;
}

/** The failure to open storage, as a CliError naming the storage. */
export function storageFailure(config: Config, e: unknown): CliError {
  return new CliError(`cannot open ${storageLabel(config)}: ${errorText(e)}`);
}

/** Runs `fn` on the configured store (opened and migrated), closing it afterwards. */
export async function withStore<T>(
  values: Values,
  fn: (store: KyselyStore, config: Config) => Promise<T>,
  options: { bulk?: boolean } = {},
): Promise<T> {
  const config = loadConfig(values);
  let store: KyselyStore;
  try {
    store = await openConfiguredStore(config, options);
  } catch (e) {
    throw storageFailure(config, e);
  }
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}

/** The moment a command acts, for created/edited times. */
export function nowIso(): string {
  return new Date().toISOString();
}
