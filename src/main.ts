/** Composition root: storage, bootstrap, app and HTTP server wired together. */
import type { AddressInfo } from 'node:net';
import { createApp } from './api/app.ts';
import { listen } from './api/node-server.ts';
import { type Config, publicUrlOf } from './config.ts';
import { memoryRateLimiter } from './domain/rate-limit.ts';
import { type JobConsumer, type JobQueue, openJobQueue, startConsumers } from './jobs/index.ts';
import { importsSettled } from './ops/file-imports.ts';
import { purgeExpiredUploads } from './ops/file-uploads.ts';
import { storeRateLimiter } from './ops/rate-limit.ts';
import { type BootstrapResult, bootstrap } from './ops/workspace.ts';
import { openStore } from './store/connect.ts';
import type { KyselyStore } from './store/kysely-store.ts';

export { createApp } from './api/app.ts';
export { openStore } from './store/connect.ts';

const PURGE_EVERY_MS = 10 * 60 * 1000;

type StoreConfig = Pick<Config, 'dataDir' | 'databaseUrl' | 'pgSchema'>;

/**
 * The job consumers this build runs, in `octavo jobs` and (OCTAVO_JOBS=inline) in `octavo serve`.
 * None yet: webhook delivery and event aggregation will register here.
 */
export const JOB_CONSUMERS: readonly JobConsumer[] = [];

/** Opens the job queue in the store's database and starts `consumers` on it. */
export async function startJobs(
  store: KyselyStore,
  config: StoreConfig,
  consumers: readonly JobConsumer[] = JOB_CONSUMERS,
): Promise<JobQueue> {
  const queue = await openJobQueue(store, { databaseUrl: config.databaseUrl, pgSchema: config.pgSchema });
  try {
    await startConsumers(queue, consumers);
  } catch (e) {
    await queue.stop(0).catch(() => {});
    throw e;
  }
  return queue;
}

/** A job process: the store and the consumers, no HTTP listener (`octavo jobs`). */
export interface RunningJobs {
  store: KyselyStore;
  queue: JobQueue;
  /** Stops taking jobs, lets running ones finish (up to `timeoutMs`), closes the store. */
  close(timeoutMs?: number): Promise<void>;
}

/** Starts the job consumers without the HTTP listener: main.ts composed for `octavo jobs`. */
export async function startJobProcess(config: StoreConfig): Promise<RunningJobs> {
  const { store } = await openWorkspace(config);
  let queue: JobQueue;
  try {
    queue = await startJobs(store, config);
  } catch (e) {
    await store.close().catch(() => {});
    throw e;
  }
  return {
    store,
    queue,
    close: async (timeoutMs = 10_000) => {
      await queue.stop(timeoutMs);
      await store.close();
    },
  };
}

/** Opens the configured store, migrated to the latest schema (`bulk`: see StoreOptions). */
export function openConfiguredStore(
  config: StoreConfig,
  options: { bulk?: boolean } = {},
): Promise<KyselyStore> {
  return openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pgSchema: config.pgSchema,
    bulk: options.bulk,
  });
}

/**
 * Opens the store and makes sure the workspace exists; on the first start this creates the
 * quickstart integration, whose token is in `boot.created` and nowhere else.
 */
export async function openWorkspace(config: StoreConfig) {
  const store = await openConfiguredStore(config);
  try {
    const boot = await store.transaction((tx) => bootstrap(tx, new Date().toISOString()));
    return { store, boot };
  } catch (e) {
    await store.close().catch(() => {});
    throw e;
  }
}

export interface RunningServer {
  url: string;
  port: number;
  store: KyselyStore;
  boot: BootstrapResult;
  close(): Promise<void>;
}

/** Starts the HTTP server; resolves once it listens, rejects (store closed) when it cannot. */
export async function startServer(config: Config): Promise<RunningServer> {
  const { store, boot } = await openWorkspace(config);
  const policy = config.rateLimit;
  const rateLimiter = !policy
    ? null
    : config.rateLimitStore === 'database'
      ? storeRateLimiter(store, policy)
      : memoryRateLimiter(policy);
  // The app is built once the port is known, so page URLs carry the real port under --port 0.
  let handler: ((req: Request) => Response | Promise<Response>) | undefined;
  const inFlight = trackInFlight();
  const server = listen((req) => inFlight.run(() => handler!(req)), config);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (e) {
    await store.close().catch(() => {});
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const app = createApp({
    store,
    publicUrl: publicUrlOf(config, port),
    workspace: boot.workspace,
    rateLimiter,
    files: {
      maxBytes: config.maxFileUploadBytes,
      urlSecret: boot.fileUrlSecret,
      allowPrivateImports: config.allowPrivateFileImports,
    },
  });
  handler = app.fetch;
  let jobs: JobQueue | undefined;
  if (config.jobs === 'inline') {
    try {
      jobs = await startJobs(store, config);
    } catch (e) {
      await new Promise<void>((done) => server.close(() => done()));
      await store.close().catch(() => {});
      throw e;
    }
  }
  // Bytes of uploads that expired unattached are freed every few minutes (any node may do it).
  const purge = setInterval(() => {
    store
      .transaction((tx) => purgeExpiredUploads(tx, new Date().toISOString()))
      .catch((e) => console.error('octavo: freeing expired uploads failed:', e));
  }, PURGE_EVERY_MS);
  purge.unref();
  return {
    url: publicUrlOf({ ...config, publicUrl: undefined }, port),
    port,
    store,
    boot,
    close: async () => {
      clearInterval(purge);
      await new Promise<void>((done) => server.close(() => done()));
      // A client that hung up leaves its request running; let it finish before the store goes.
      await inFlight.drained(10_000);
      await importsSettled(10_000);
      await jobs?.stop(10_000);
      await store.close();
    },
  };
}

/** Counts requests being handled, so shutdown can wait for them. */
function trackInFlight() {
  let count = 0;
  let onIdle: (() => void) | undefined;
  return {
    async run<T>(fn: () => T | Promise<T>): Promise<T> {
      count++;
      try {
        return await fn();
      } finally {
        count--;
        if (count === 0) onIdle?.();
      }
    },
    /** Resolves when no request is running, or after `timeoutMs`. */
    drained(timeoutMs: number): Promise<void> {
      if (count === 0) return Promise.resolve();
      return new Promise((done) => {
        const timer = setTimeout(done, timeoutMs);
        onIdle = () => {
          clearTimeout(timer);
          done();
        };
      });
    },
  };
}
