/**
 * Opening the job queue for a store: the embedded adapter on SQLite, pg-boss on Postgres. The
 * only place that chooses; callers see the JobQueue port.
 */
import type { KyselyStore } from '../store/kysely-store.ts';
import { embeddedQueue } from './embedded.ts';
import type { JobHandler, JobQueue, QueueSettings } from './port.ts';

export type * from './port.ts';

/** Where the jobs live: the store's own database. */
export interface JobQueueOptions extends QueueSettings {
  /** The postgres:// URL the store was opened with (unused on SQLite). */
  databaseUrl?: string | undefined;
  /** The store's Postgres schema (OCTAVO_PG_SCHEMA). */
  pgSchema?: string | undefined;
}

/** Opens the queue in the store's database (the store must stay open until the queue stops). */
export async function openJobQueue(store: KyselyStore, options: JobQueueOptions = {}): Promise<JobQueue> {
  if (store.engine === 'sqlite') return embeddedQueue(store.db, options);
  if (!options.databaseUrl) throw new Error('a Postgres job queue needs the database URL');
  // Loaded only here: pg-boss is a large module that a SQLite server (a test double started
  // with --memory, docs/benchmarks.md) need not load.
  const { pgBossQueue } = await import('./postgres.ts');
  return pgBossQueue({ ...options, connectionString: options.databaseUrl, schema: options.pgSchema });
}

/** A kind of job and how this process runs it. */
export interface JobConsumer {
  name: string;
  handler: JobHandler;
  concurrency?: number;
}

/**
 * Starts every consumer on the queue. The list is composed in main.ts; nothing is registered
 * yet (webhook delivery and event aggregation will be the first).
 */
export async function startConsumers(queue: JobQueue, consumers: readonly JobConsumer[]): Promise<void> {
  for (const c of consumers) await queue.consume(c.name, c.handler, { concurrency: c.concurrency });
}
