/** Schema migrations, the same list for both engines, applied in name order. */
import type { Kysely } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import * as init from './migrations/001-init.ts';
import * as fileUploads from './migrations/002-file-uploads.ts';
import * as rateBuckets from './migrations/003-rate-buckets.ts';
import * as integrationLifecycle from './migrations/004-integration-lifecycle.ts';
import * as search from './migrations/005-search.ts';
import * as comments from './migrations/006-comments.ts';
import * as events from './migrations/007-events.ts';
import * as jobs from './migrations/010-jobs.ts';

const MIGRATIONS: Record<string, Migration> = {
  '001-init': init,
  '002-file-uploads': fileUploads,
  '003-rate-buckets': rateBuckets,
  '004-integration-lifecycle': integrationLifecycle,
  '005-search': search,
  '006-comments': comments,
  '007-events': events,
  '010-jobs': jobs,
};

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

/** Brings the database to the newest schema; throws with the failing migration's error. */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works below the typed schema
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<void> {
  // With a schema named, the migrator looks for its own tables there only: left to itself it
  // would find another schema's migration tables (parallel test runs) and skip creating them.
  const migrator = new Migrator({
    db,
    provider: new StaticProvider(),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}
