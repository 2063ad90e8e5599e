/**
 * A running Octavo for one test suite: a fresh database on the chosen engine, the app, and
 * official SDK clients that talk to it in process (no socket).
 */
import { Client } from '@notionhq/client';
import { createApp } from '../../src/api/app.ts';
import type { Metrics } from '../../src/api/metrics.ts';
import { DEFAULT_MAX_FILE_UPLOAD_BYTES } from '../../src/config.ts';
import type { Capability } from '../../src/domain/capabilities.ts';
import { ALL_CAPABILITIES } from '../../src/domain/capabilities.ts';
import type { FileSettings } from '../../src/domain/file-uploads.ts';
import { memoryRateLimiter, type RatePolicy } from '../../src/domain/rate-limit.ts';
import type { Emulator } from '../../src/ops/emulator.ts';
import { createIntegration, sharePage } from '../../src/ops/integrations.ts';
import { type BootstrapResult, bootstrap, createAdminPage } from '../../src/ops/workspace.ts';
import { dropPostgresSchema, openStore } from '../../src/store/connect.ts';
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import type { ApiVersion } from '../../src/wire/versions.ts';
import { checkResponse } from './conformance.ts';
import { type EngineName, PG_URL } from './engines.ts';

export const BASE_URL = 'http://octavo.test';

export interface Harness {
  engine: EngineName;
  store: KyselyStore;
  app: ReturnType<typeof createApp>;
  boot: BootstrapResult;
  /** The quickstart integration's token (all capabilities). */
  token: string;
  /** The "Getting started" page, shared with the quickstart integration. */
  rootPageId: string;
  client(options?: { version?: ApiVersion; token?: string; retries?: number }): Client;
  /** Raw HTTP through the app, for what the SDK will not send. */
  request(
    path: string,
    init?: RequestInit & { version?: string | null; token?: string | null },
  ): Promise<Response>;
  newIntegration(name: string, capabilities?: readonly Capability[]): Promise<string>;
  newRootPage(title: string, shareWith?: string[]): Promise<string>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  rateLimit?: RatePolicy;
  /** The app's clock (default: the system's); tests move time by changing what it returns. */
  clock?: () => Date;
  /** Upload settings besides the signing key (default: 100 MiB, no private imports). */
  files?: Partial<Omit<FileSettings, 'urlSecret'>>;
  /** Prometheus metrics served at /metrics (made with the store, for its pool). */
  metrics?: (store: KyselyStore) => Metrics;
  /** The public URL (default BASE_URL); requests still go to BASE_URL, as behind a proxy. */
  publicUrl?: string;
  /** The emulator controls (a test double's clock, faults, journal; /_octavo/seed, …). */
  emulator?: Emulator;
}

let counter = 0;

export async function startHarness(engine: EngineName, options: HarnessOptions = {}): Promise<Harness> {
  const schema = `octavo_t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const store =
    engine === 'postgres'
      ? await openStore({ databaseUrl: PG_URL, pgSchema: schema })
      : await openStore({ dataDir: ':memory:' });
  const now = () => (options.clock?.() ?? new Date()).toISOString();
  const boot = await store.transaction((tx) => bootstrap(tx, now()));
  const app = createApp({
    store,
    publicUrl: options.publicUrl ?? BASE_URL,
    workspace: boot.workspace,
    rateLimiter: options.rateLimit ? memoryRateLimiter(options.rateLimit) : null,
    files: {
      maxBytes: DEFAULT_MAX_FILE_UPLOAD_BYTES,
      allowPrivateImports: false,
      ...options.files,
      urlSecret: boot.fileUrlSecret,
    },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.metrics ? { metrics: options.metrics(store) } : {}),
    ...(options.emulator ? { emulator: options.emulator } : {}),
  });
  const appFetch = async (url: string | URL | Request, init?: RequestInit) => {
    const res = await app.request(url instanceof Request ? url : String(url), init);
    return checkResponse(String(url instanceof Request ? url.url : url), init, res);
  };
  const token = boot.created!.token;
  return {
    engine,
    store,
    app,
    boot,
    token,
    rootPageId: boot.created!.pageId,
    client: (o = {}) =>
      new Client({
        auth: o.token ?? token,
        baseUrl: BASE_URL,
        fetch: appFetch as typeof fetch,
        ...(o.version ? { notionVersion: o.version } : {}),
        ...(o.retries !== undefined ? { retry: { maxRetries: o.retries } } : {}),
        logLevel: 'error' as never,
      }),
    request: (path, init = {}) => {
      const { version = '2025-09-03', token: t = token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (version !== null) headers.set('Notion-Version', version);
      if (t !== null) headers.set('Authorization', `Bearer ${t}`);
      if (rest.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
      return Promise.resolve(app.request(`${BASE_URL}${path}`, { ...rest, headers }));
    },
    newIntegration: async (name, capabilities = ALL_CAPABILITIES) => {
      const { token: t } = await store.transaction((tx) =>
        createIntegration(tx, { name, capabilities, now: now() }),
      );
      return t;
    },
    newRootPage: async (title, shareWith = []) => {
      return store.transaction(async (tx) => {
        const row = await createAdminPage(tx, { title, now: now() });
        for (const name of shareWith)
          await sharePage(tx, { pageId: row.id, integrationName: name, now: now() });
        return row.id;
      });
    },
    close: async () => {
      await store.close();
      if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema);
    },
  };
}
