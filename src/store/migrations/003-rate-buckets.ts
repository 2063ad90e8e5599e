import type { Kysely } from 'kysely';

/**
 * Rate-limit buckets shared by every node of a deployment (OCTAVO_RATE_LIMIT_STORE=database):
 * one row per integration, the bucket's tokens and when they were counted.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the database before types apply
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_buckets')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('tokens', 'double precision', (c) => c.notNull())
    .addColumn('updated_ms', 'bigint', (c) => c.notNull())
    .execute();
}
