/** Composition root: storage, bootstrap, app and HTTP server wired together. */
import type { AddressInfo } from 'node:net';
import { createApp } from './api/app.ts';
import { drain, listen, trackConnections } from './api/node-server.ts';
import { type AutomationSettings, type RunningAutomations, startAutomations } from './automations/runtime.ts';
import type { ApiFetch } from './automations/scripts.ts';
import {
  type Config,
  DEFAULT_EVENT_AGGREGATION_MS,
  DEFAULT_MAX_FILE_UPLOAD_BYTES,
  publicUrlOf,
} from './config.ts';
import { memoryRateLimiter } from './domain/rate-limit.ts';
import { type JobConsumer, type JobQueue, openJobQueue, startConsumers } from './jobs/index.ts';
import { configureIds } from './lib/ids.ts';
import { createLogger, type Logger } from './lib/log.ts';
import { createEmulator, type Emulator } from './ops/emulator.ts';
import { importsSettled } from './ops/file-imports.ts';
import { purgeExpiredUploads } from './ops/file-uploads.ts';
import type { Fixture } from './ops/fixture.ts';
import { storeRateLimiter } from './ops/rate-limit.ts';
import { type SeedResult, seedFixture } from './ops/seed.ts';
import { type BootstrapResult, bootstrap, getWorkspace } from './ops/workspace.ts';
import { openStore } from './store/connect.ts';
import type { KyselyStore } from './store/kysely-store.ts';
import { type RunningWebhooks, startWebhooks } from './webhooks/delivery.ts';
import { type RunningWorkers, startWorkers } from './workers/runtime.ts';

export { createApp } from './api/app.ts';
export { openStore } from './store/connect.ts';

const PURGE_EVERY_MS = 10 * 60 * 1000;

type StoreConfig = Pick<Config, 'dataDir' | 'databaseUrl' | 'pgSchema'> &
  Partial<Pick<Config, 'webhooks' | 'eventAggregationMs' | 'jobLeaseMs' | 'publicUrl' | 'smtp' | 'scripts'>>;

/**
 * The job consumers this build runs, in `octavo jobs` and (OCTAVO_JOBS=inline) in `octavo serve`,
 * besides webhook delivery, which startJobs starts with its dispatcher (webhooks/delivery.ts).
 */
export const JOB_CONSUMERS: readonly JobConsumer[] = [];

/** Opens the job queue in the store's database and starts `consumers` on it. */
export async function startJobs(
  store: KyselyStore,
  config: StoreConfig,
  consumers: readonly JobConsumer[] = JOB_CONSUMERS,
  log?: Logger,
  api: ApiFetch = inProcessApi(store, config),
): Promise<JobQueue> {
  const queue = await openJobQueue(store, {
    databaseUrl: config.databaseUrl,
    pgSchema: config.pgSchema,
    leaseMs: config.jobLeaseMs,
  });
  let webhooks: RunningWebhooks | undefined;
  let automations: RunningAutomations | undefined;
  let workers: RunningWorkers | undefined;
  try {
    await startConsumers(queue, consumers);
    if (config.webhooks) {
      const settings = {
        ...config.webhooks,
        aggregationMs: config.eventAggregationMs ?? DEFAULT_EVENT_AGGREGATION_MS,
      };
      webhooks = await startWebhooks({ store, queue, settings, log });
      automations = await startAutomations({
        store,
        queue,
        settings: automationSettings({ ...config, webhooks: config.webhooks }),
        log,
        api,
      });
      workers = await startWorkers({
        store,
        queue,
        api,
        baseUrl: config.publicUrl || 'http://octavo.local',
        limits: config.scripts ?? { timeoutMs: 30_000, memoryMb: 128 },
        log,
      });
    }
  } catch (e) {
    await queue.stop(0).catch(() => {});
    throw e;
  }
  // The webhook dispatcher stops before the queue it enqueues on.
  const stopQueue = queue.stop.bind(queue);
  queue.stop = async (timeoutMs) => {
    await webhooks?.stop();
    await automations?.stop();
    await workers?.stop();
    await stopQueue(timeoutMs);
  };
  return queue;
}

/** What automations run with: the webhooks' outbound policy and poll, SMTP and script limits. */
export function automationSettings(
  config: Pick<Config, 'webhooks'> & Partial<Pick<Config, 'publicUrl' | 'smtp' | 'scripts'>>,
): AutomationSettings {
  const { allowPrivate, timeoutMs, pollMs } = config.webhooks;
  return {
    allowPrivate,
    timeoutMs,
    pollMs,
    aggregationMs: 0,
    publicUrl: config.publicUrl ?? '',
    smtp: config.smtp,
    scripts: config.scripts,
  };
}

/**
 * The /v1 API answered in this process, without a listener: what scripts' SDK clients reach
 * (automations/scripts.ts) in `octavo jobs` and `octavo script run`. Built on first use from the
 * workspace the store holds (no rate limit: the script runs on this machine).
 */
export function inProcessApi(
  store: KyselyStore,
  config: Partial<Pick<Config, 'publicUrl' | 'maxFileUploadBytes'>>,
): ApiFetch {
  let app: Promise<ReturnType<typeof createApp>> | undefined;
  const build = async () => {
    const { workspace, secret } = await store.transaction(async (tx) => ({
      workspace: await getWorkspace(tx),
      secret: await tx.meta.get('file_url_secret'),
    }));
    if (!workspace || !secret)
      throw new Error('the workspace does not exist yet: start `octavo serve` once first');
    return createApp({
      store,
      publicUrl: config.publicUrl ?? 'http://octavo.local',
      workspace,
      rateLimiter: null,
      files: {
        maxBytes: config.maxFileUploadBytes ?? DEFAULT_MAX_FILE_UPLOAD_BYTES,
        urlSecret: secret,
        allowPrivateImports: false,
      },
    });
  };
  return async (req) => {
    app ??= build();
    return (await app).fetch(req);
  };
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
  // No bootstrap here: the first `octavo serve` makes the workspace and shows its tokens.
  const store = await openConfiguredStore(config);
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

export interface RunningServer {
  url: string;
  port: number;
  store: KyselyStore;
  boot: BootstrapResult;
  /** The emulator controls (clock, faults, request journal) of this server. */
  emulator: Emulator;
  /** What `fixture` made at start, if one was given. */
  seeded: SeedResult | null;
  close(): Promise<void>;
}

/**
 * Starts the HTTP server; resolves once it listens, rejects (store closed) when it cannot.
 *
 * The order matters on a first start: the store is opened and migrated, then the port is bound,
 * and only then is the workspace bootstrapped. Bootstrap creates the quickstart integration,
 * whose token exists only in the result (the database keeps its hash), so a start that fails to
 * listen must not have run it: the next start does, and prints the token.
 */
export async function startServer(
  config: Config,
  options: { logger?: Logger; fixture?: Fixture } = {},
): Promise<RunningServer> {
  const emulator = createEmulator({
    clock: config.emulator.clock,
    faults: config.emulator.faults,
    journalSize: config.emulator.requestLogSize,
  });
  const clock = emulator.clock.now;
  if (config.emulator.idSeed !== undefined)
    configureIds({ seed: config.emulator.idSeed, clock: () => clock().getTime() });
  const log =
    options.logger ?? createLogger({ format: 'pretty', level: 'error', destination: process.stderr });
  const store = await openConfiguredStore(config);
  log.info({ engine: store.engine }, 'storage open and migrated');
  const policy = config.rateLimit;
  const rateLimiter = !policy
    ? null
    : config.rateLimitStore === 'database'
      ? storeRateLimiter(store, policy)
      : memoryRateLimiter(policy);
  // The app is built once the port is known (page URLs carry the real port under --port 0) and
  // the workspace exists; a request arriving before that is told to come back.
  let handler: (req: Request) => Response | Promise<Response> = notReady;
  const inFlight = trackInFlight();
  let draining = false;
  const server = listen(
    (req) => inFlight.run(() => handler(req)),
    config,
    () => draining,
  );
  const connections = trackConnections(server);
  let boot: BootstrapResult;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    log.info({ address: server.address() }, 'listening');
    boot = await store.transaction((tx) => bootstrap(tx, clock().toISOString()));
    log.info(
      { workspace: boot.workspace.id, first_start: boot.created !== null },
      boot.created ? 'workspace created with the quickstart integration' : 'workspace found',
    );
  } catch (e) {
    if (server.listening) await new Promise((done) => server.close(done));
    await store.close().catch(() => {});
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  let seeded: SeedResult | null = null;
  if (options.fixture) {
    const fixture = options.fixture;
    try {
      seeded = await store.transaction((tx) =>
        seedFixture(tx, fixture, { now: clock().toISOString(), publicUrl: publicUrlOf(config, port) }),
      );
    } catch (e) {
      await new Promise((done) => server.close(done));
      await store.close().catch(() => {});
      throw e;
    }
  }
  // prom-client (and the OpenTelemetry API it pulls in) is loaded only when metrics are on.
  const metrics = config.metrics
    ? (await import('./api/metrics.ts')).createMetrics({ pool: store.poolUse })
    : undefined;
  const app = createApp({
    emulator,
    appEmulatorControls: config.emulator.appControls,
    store,
    publicUrl: publicUrlOf(config, port),
    workspace: boot.workspace,
    rateLimiter,
    logger: log,
    ...(metrics ? { metrics } : {}),
    accepting: () => !draining,
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
      jobs = await startJobs(store, config, JOB_CONSUMERS, log, async (req) => app.fetch(req));
    } catch (e) {
      await new Promise<void>((done) => server.close(() => done()));
      await store.close().catch(() => {});
      throw e;
    }
  }
  // Bytes of uploads that expired unattached are freed every few minutes (any node may do it).
  const purge = setInterval(() => {
    store
      .transaction((tx) => purgeExpiredUploads(tx, clock().toISOString()))
      .catch((err) => log.error({ err }, 'freeing expired uploads failed'));
  }, PURGE_EVERY_MS);
  purge.unref();
  return {
    url: publicUrlOf({ ...config, publicUrl: undefined }, port),
    port,
    store,
    boot,
    emulator,
    seeded,
    close: async () => {
      clearInterval(purge);
      // Drain: /readyz answers 503 from now on and every response closes its connection.
      draining = true;
      if (config.drainDelayMs > 0) {
        log.info({ ms: config.drainDelayMs }, 'not ready; serving on while load balancers notice');
        await new Promise((done) => setTimeout(done, config.drainDelayMs));
      }
      log.info({ in_flight: inFlight.count() }, 'closing the listener; waiting for requests in flight');
      // Stops accepting; idle keep-alive connections close now, busy ones after their response.
      await drain(server, connections, 10_000);
      // A client that hung up leaves its request running; let it finish before the store goes.
      await inFlight.drained(10_000);
      log.info('waiting for file imports in progress');
      await importsSettled(10_000);
      await jobs?.stop(10_000);
      await store.close();
      log.info('storage closed');
    },
  };
}

/**
 * The answer to a request that arrives while the server is still starting: the process is alive
 * (`/healthz` says so) but serves nothing yet, `/readyz` included.
 */
function notReady(req: Request): Response {
  const live = new URL(req.url).pathname === '/healthz';
  const body = live
    ? { status: 'ok' }
    : { object: 'error', status: 503, code: 'service_unavailable', message: 'Octavo is starting.' };
  return new Response(JSON.stringify(body), {
    status: live ? 200 : 503,
    headers: { 'content-type': 'application/json; charset=utf-8', ...(live ? {} : { 'retry-after': '1' }) },
  });
}

/** Counts requests being handled, so shutdown can wait for them. */
function trackInFlight() {
  let count = 0;
  let onIdle: (() => void) | undefined;
  return {
    count: () => count,
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
