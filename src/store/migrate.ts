/** Schema migrations, the same list for both engines, applied in name order. */
import type { Kysely } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import * as init from './migrations/001-init.ts';
import * as fileUploads from './migrations/002-file-uploads.ts';
import * as rateBuckets from './migrations/003-rate-buckets.ts';
import * as integrationLifecycle from './migrations/004-integration-lifecycle.ts';
import * as search from './migrations/005-search.ts';

const MIGRATIONS: Record<string, Migration> = {
  '001-init': init,
  '002-file-uploads': fileUploads,
  '003-rate-buckets': rateBuckets,
  '004-integration-lifecycle': integrationLifecycle,
  '005-search': search,
};

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

function migratorFor(
  // biome-ignore lint/suspicious/noExplicitAny: the migrator works below the typed schema
  db: Kysely<any>,
  schema: string | undefined,
): Migrator {
  // With a schema named, the migrator looks for its own tables there only: left to itself it
  // would find another schema's migration tables (parallel test runs) and skip creating them.
  return new Migrator({
    db,
    provider: new StaticProvider(),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

/** Brings the database to the newest schema; throws with the failing migration's error. */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works below the typed schema
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<void> {
  const { error } = await migratorFor(db, schema).migrateToLatest();
  if (error) throw error;
}

/** Names of the migrations this code knows that the database has not run (reads only). */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works below the typed schema
export async function pendingMigrations(db: Kysely<any>, schema?: string): Promise<string[]> {
  const all = await migratorFor(db, schema).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
