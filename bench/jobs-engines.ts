/**
 * The engines `npm run bench:jobs` compares, behind one small shape: Octavo's adapters (pg-boss,
 * embedded SQLite) through the job port, and graphile-worker through its own API.
 */
import { Logger, makeWorkerUtils, type Runner, run } from 'graphile-worker';
import { openJobQueue } from '../src/jobs/index.ts';
import { openStore } from '../src/store/connect.ts';
import { PG_URL } from './common.ts';

/** Lease of the crash measurement: a killed consumer's job is due again after this. */
export const BENCH_LEASE_MS = 2000;

/** Enqueue a job whose payload is its key; consume calls `handler(key)`. */
export interface BenchQueue {
  enqueue(name: string, key: string): Promise<void>;
  consume(name: string, handler: (key: string) => Promise<void>, concurrency?: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens `engine` at `where` (a Postgres schema, or a SQLite folder for `embedded`). */
export async function openBenchQueue(engine: string, where: string): Promise<BenchQueue> {
  if (engine === 'graphile-worker') return graphile(where);
  const store =
    engine === 'embedded'
      ? await openStore({ dataDir: where })
      : await openStore({ databaseUrl: PG_URL, pgSchema: where });
  const queue = await openJobQueue(store, {
    databaseUrl: PG_URL,
    pgSchema: where,
    leaseMs: BENCH_LEASE_MS,
    pollMs: engine === 'embedded' ? 100 : 500,
  });
  return {
    enqueue: async (name, key) => {
      await queue.enqueue(name, key);
    },
    consume: (name, handler, concurrency = 10) =>
      queue.consume<string>(name, (key) => handler(key), { concurrency }),
    close: async () => {
      await queue.stop(1000);
      await store.close();
    },
  };
}

async function graphile(schema: string): Promise<BenchQueue> {
  const utils = await makeWorkerUtils({ connectionString: PG_URL, schema });
  await utils.migrate();
  const runners: Runner[] = [];
  return {
    enqueue: async (name, key) => {
      await utils.addJob(name, { key });
    },
    consume: async (name, handler, concurrency = 10) => {
      runners.push(
        await run({
          connectionString: PG_URL,
          schema,
          concurrency,
          noHandleSignals: true,
          pollInterval: 500,
          logger: quietLogger(),
          taskList: { [name]: async (payload) => handler((payload as { key: string }).key) },
        }),
      );
    },
    close: async () => {
      await Promise.all(runners.map((r) => r.stop()));
      await utils.release();
    },
  };
}

function quietLogger(): Logger {
  return new Logger(() => () => {});
}
