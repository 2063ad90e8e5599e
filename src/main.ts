/** Composition root: storage, bootstrap, app and HTTP server wired together. */
import { serve } from '@hono/node-server';
import { createApp } from './api/app.ts';
import type { Config } from './config.ts';
import { memoryRateLimiter } from './domain/rate-limit.ts';
import { type BootstrapResult, bootstrap } from './ops/workspace.ts';
import { openStore } from './store/connect.ts';
import type { KyselyStore } from './store/kysely-store.ts';

export { createApp } from './api/app.ts';
export { openStore } from './store/connect.ts';

/** Opens the configured store (migrated) and makes sure the workspace exists. */
export async function openWorkspace(config: Pick<Config, 'dataDir' | 'databaseUrl'>) {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const boot = await store.transaction((tx) => bootstrap(tx, new Date().toISOString()));
  return { store, boot };
}

export interface RunningServer {
  url: string;
  port: number;
  store: KyselyStore;
  boot: BootstrapResult;
  close(): Promise<void>;
}

/** Starts the HTTP server; resolves once it listens. */
export async function startServer(config: Config): Promise<RunningServer> {
  const { store, boot } = await openWorkspace(config);
  const app = createApp({
    store,
    publicUrl: config.publicUrl,
    workspace: boot.workspace,
    rateLimiter: config.rateLimit ? memoryRateLimiter(config.rateLimit) : null,
  });
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => {
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        store,
        boot,
        close: () => new Promise<void>((done) => server.close(() => done())).then(() => store.close()),
      });
    });
    server.once('error', reject);
  });
}
