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
import * as eventXid from './migrations/008-event-xid.ts';
import * as jobs from './migrations/009-jobs.ts';
import * as webhooks from './migrations/010-webhooks.ts';
import * as oauth from './migrations/011-oauth.ts';
import * as views from './migrations/012-views.ts';
import * as automations from './migrations/016-automations.ts';
import * as invitations from './migrations/018-invitations.ts';
import * as workers from './migrations/020-workers.ts';
import * as scripts from './migrations/021-scripts.ts';
import * as workerPacers from './migrations/023-worker-pacers.ts';
import * as viewCardOrders from './migrations/028-view-card-orders.ts';

const MIGRATIONS: Record<string, Migration> = {
  '001-init': init,
  '002-file-uploads': fileUploads,
  '003-rate-buckets': rateBuckets,
  '004-integration-lifecycle': integrationLifecycle,
  '005-search': search,
  '006-comments': comments,
  '007-events': events,
  '008-event-xid': eventXid,
  '009-jobs': jobs,
  '010-webhooks': webhooks,
  '011-oauth': oauth,
  '012-views': views,
  '016-automations': automations,
  '018-invitations': invitations,
  '020-workers': workers,
  '021-scripts': scripts,
  '023-worker-pacers': workerPacers,
  '028-view-card-orders': viewCardOrders,
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
    // Numbers are handed out to work done in parallel, so one may land after a higher one was
    // applied (010-webhooks after 011-oauth): run the missing one rather than refuse to open.
    // Migrations must therefore not depend on a higher-numbered one.
    allowUnorderedMigrations: true,
  });
}

/** Brings the database to the newest schema; throws with the failing migration's error. */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works below the typed schema
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<void> {
  await askedAgain(schema, async () => {
    const { error } = await migratorFor(db, schema).migrateToLatest();
    if (error) throw error;
  });
}

/** Names of the migrations this code knows that the database has not run (reads only). */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works below the typed schema
export async function pendingMigrations(db: Kysely<any>, schema?: string): Promise<string[]> {
  const all = await askedAgain(schema, () => migratorFor(db, schema).getMigrations());
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/**
 * Kysely's migrator asks whether its tables exist by listing the tables of every schema of the
 * database, calling name-based catalog functions on each; a schema that another connection drops
 * during that listing fails the whole call with `invalid_schema_name` (3F000), a table or column
 * dropped during it with 42P01 or 42703. Nothing was
 * migrated then (the listing comes before any change), so `fn` is run again, up to 10 times (1 of
 * 40 stores still failed with 5 under a schema dropped every few milliseconds). It happens where
 * schemas come and go beside ours (test suites, one schema each), never for our own schema.
 */
async function askedAgain<T>(ours: string | undefined, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= 10 || !isOtherSchemaVanished(error, ours)) throw error;
      await new Promise((r) => setTimeout(r, 25 * attempt));
    }
  }
}

function isOtherSchemaVanished(error: unknown, ours: string | undefined): boolean {
  const e = error as { code?: unknown; message?: unknown; stack?: unknown };
  if (typeof e?.message !== 'string') return false;
  if (e.code === '3F000') return ours === undefined || !e.message.includes(`"${ours}"`);
  // The same listing also fails when a table or column of another schema is dropped while it
  // runs (42P01, 42703: a test altering a data source's table). Only during the listing itself,
  // told by its frame in the async stack: a migration of ours failing so is a real error.
  return (
    (e.code === '42P01' || e.code === '42703') && typeof e.stack === 'string' && e.stack.includes('getTables')
  );
}
