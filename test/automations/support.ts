/**
 * An automations test bench: an Octavo on a fresh database of either engine with its app (the
 * official SDK talks to it in process), its admin API, a job queue and the automation runtime
 * (dispatcher polling every 20 ms, no aggregation, loopback allowed).
 */

import { rmSync } from 'node:fs';
import { Client } from '@notionhq/client';
import { createApp } from '../../src/api/app.ts';
import {
  type AutomationRuntime,
  type RunningAutomations,
  startAutomations,
} from '../../src/automations/runtime.ts';
import { DEFAULT_MAX_FILE_UPLOAD_BYTES } from '../../src/config.ts';
import type { JobQueue } from '../../src/jobs/index.ts';
import { issueAdminToken } from '../../src/ops/admin-token.ts';
import { type BootstrapResult, bootstrap } from '../../src/ops/workspace.ts';
import { dropPostgresSchema, openStore } from '../../src/store/connect.ts';
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import type { EngineName } from '../helpers/engines.ts';
import { BASE_URL } from '../helpers/harness.ts';
import { newLocation, openAt, PG_URL, waitFor } from '../jobs/support.ts';

export interface AutoBench {
  store: KyselyStore;
  queue: JobQueue;
  boot: BootstrapResult;
  rt: AutomationRuntime;
  client(token?: string): Client;
  // biome-ignore lint/suspicious/noExplicitAny: the admin API's JSON, read loosely by the tests
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** The app as `octavo serve` composes it for the bootstrapped workspace (no rate limit). */
function appFor(store: KyselyStore, boot: BootstrapResult) {
  return createApp({
    store,
    publicUrl: BASE_URL,
    workspace: boot.workspace,
    rateLimiter: null,
    files: {
      maxBytes: DEFAULT_MAX_FILE_UPLOAD_BYTES,
      allowPrivateImports: false,
      urlSecret: boot.fileUrlSecret,
    },
  });
}

/** The official SDK talking to `app` in process with `token`. */
function sdkFor(app: ReturnType<typeof createApp>, token: string): Client {
  const fetchApp = (url: string | URL | Request, init?: RequestInit) =>
    Promise.resolve(app.request(url instanceof Request ? url : String(url), init));
  return new Client({
    auth: token,
    baseUrl: BASE_URL,
    fetch: fetchApp as typeof fetch,
    logLevel: 'error' as never,
  });
}

/**
 * The outbox's end once every event before it can be read: on Postgres the outbox is read below
 * the oldest running transaction of the whole server (shared with other tests), so a look run
 * after this sees every event written before it.
 */
export async function readableEnd(store: KyselyStore): Promise<string> {
  await waitFor(
    () =>
      store.read(
        async (tx) => (await tx.events.endCursor()) === (await tx.events.endCursor({ committed: true })),
      ),
    30_000,
    'the events to be readable',
  );
  return store.read((tx) => tx.events.endCursor());
}

export async function startAutoBench(engine: EngineName): Promise<AutoBench> {
  const where = newLocation(engine);
  const { store, queue, close } = await openAt(engine, where);
  const boot = await store.transaction((tx) => bootstrap(tx, new Date().toISOString()));
  const app = appFor(store, boot);
  const rt: AutomationRuntime = {
    store,
    queue,
    // Scripts' SDK calls reach the app in process.
    api: async (req: Request) => app.request(req),
    settings: {
      allowPrivate: true,
      timeoutMs: 2000,
      pollMs: 20,
      aggregationMs: 0,
      publicUrl: BASE_URL,
      retryBackoffMs: 200,
      scripts: { timeoutMs: 10_000, memoryMb: 64 },
    },
  };
  const running: RunningAutomations = await startAutomations({ ...rt, queue });
  const adminToken = await store.transaction((tx) => issueAdminToken(tx));
  return {
    store,
    queue,
    boot,
    rt,
    client: (token = boot.created!.token) => sdkFor(app, token),
    admin: async (method, path, body) => {
      const res = await app.request(`${BASE_URL}/_octavo${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: await res.json() };
    },
    close: async () => {
      await running.stop();
      await close();
      if (engine === 'postgres') await dropPostgresSchema(PG_URL, where);
    },
  };
}

/**
 * A store of either engine with its app and the official SDK in process, and an automation
 * runtime without a queue: a look (`dispatchOnce`, driven by the test) performs its runs itself,
 * so nothing polls between the test's steps.
 */
export interface LookBench {
  /** The SQLite folder or the Postgres schema. */
  where: string;
  store: KyselyStore;
  boot: BootstrapResult;
  sdk: Client;
  rt: AutomationRuntime;
  close(): Promise<void>;
}

export async function startLookBench(engine: EngineName): Promise<LookBench> {
  const where = newLocation(engine);
  const store =
    engine === 'sqlite'
      ? await openStore({ dataDir: where })
      : await openStore({ databaseUrl: PG_URL, pgSchema: where });
  const boot = await store.transaction((tx) => bootstrap(tx, new Date().toISOString()));
  const app = appFor(store, boot);
  const sdk = sdkFor(app, boot.created!.token);
  const rt: AutomationRuntime = {
    store,
    settings: { allowPrivate: true, timeoutMs: 2000, pollMs: 20, aggregationMs: 0, publicUrl: BASE_URL },
  };
  return {
    where,
    store,
    boot,
    sdk,
    rt,
    close: async () => {
      await store.close();
      if (engine === 'postgres') await dropPostgresSchema(PG_URL, where);
      else rmSync(where, { recursive: true, force: true });
    },
  };
}
