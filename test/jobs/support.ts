/** Opening a job queue on a fresh database of either engine, for the job tests and their children. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJobQueue } from '../../src/jobs/index.ts';
import type { JobQueue, QueueSettings } from '../../src/jobs/port.ts';
import { openStore } from '../../src/store/connect.ts';
import type { EngineName } from '../helpers/engines.ts';

export const PG_URL = process.env.OCTAVO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Short leases and polls, so crash recovery and retries fit in a test. */
export const TEST_SETTINGS: QueueSettings = { leaseMs: 1000, pollMs: 100 };

/** A new place for jobs: a SQLite folder, or a Postgres schema. */
export function newLocation(engine: EngineName): string {
  if (engine === 'sqlite') return mkdtempSync(join(tmpdir(), 'octavo-jobs-'));
  return `jobs_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

/** The store and queue at `where` (a folder or a schema); close the queue before the store. */
export async function openAt(engine: EngineName, where: string, settings = TEST_SETTINGS) {
  const store =
    engine === 'sqlite'
      ? await openStore({ dataDir: where })
      : await openStore({ databaseUrl: PG_URL, pgSchema: where });
  const queue: JobQueue = await openJobQueue(store, { ...settings, databaseUrl: PG_URL, pgSchema: where });
  return {
    store,
    queue,
    async close() {
      await queue.stop(2000);
      await store.close();
    },
  };
}

/** Resolves once `check` returns a truthy value (polled), or rejects after `ms`. */
export async function waitFor<T>(check: () => Promise<T> | T, ms = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
