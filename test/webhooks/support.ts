/**
 * A webhook test bench: a real HTTP receiver on loopback, and an Octavo on a fresh database of
 * either engine with its app (the official SDK talks to it in process), a job queue and the
 * webhook runtime with short back-off.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@notionhq/client';
import { createApp } from '../../src/api/app.ts';
import { DEFAULT_MAX_FILE_UPLOAD_BYTES } from '../../src/config.ts';
import { issueAdminToken } from '../../src/ops/admin-token.ts';
import { type BootstrapResult, bootstrap } from '../../src/ops/workspace.ts';
import { dropPostgresSchema } from '../../src/store/connect.ts';
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import { type RunningWebhooks, startWebhooks, type WebhookSettings } from '../../src/webhooks/delivery.ts';
import { BIN } from '../e2e/cli-process.ts';
import type { EngineName } from '../helpers/engines.ts';
import { BASE_URL } from '../helpers/harness.ts';
import { newLocation, openAt, PG_URL } from '../jobs/support.ts';

export interface Received {
  /** The path and query the request was sent to. */
  path: string;
  headers: IncomingMessage['headers'];
  /** The body exactly as it arrived. */
  raw: string;
  json: Record<string, unknown>;
  at: number;
}

/** How the receiver answers one request: a status, or 'hang' (never answers). */
export type Answer = number | 'hang';

export interface Receiver {
  url: string;
  received: Received[];
  /** Decides each answer; default 200. */
  answer: (r: Received) => Answer;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  const rec: Receiver = { url: '', received, answer: () => 200, close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const r: Received = {
        path: req.url ?? '',
        headers: req.headers,
        raw,
        json: JSON.parse(raw),
        at: Date.now(),
      };
      received.push(r);
      const a = rec.answer(r);
      if (a === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(a, { 'content-type': 'text/plain' }).end(a >= 300 ? `refused with ${a}` : 'ok');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  rec.close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  };
  return rec;
}

/** Short back-off (pg-boss rounds up to whole seconds), three attempts, no aggregation. */
export const TEST_WEBHOOKS: WebhookSettings = {
  allowPrivate: true,
  timeoutMs: 2000,
  backoffMs: 200,
  maxAttempts: 3,
  pollMs: 20,
  aggregationMs: 0,
};

export interface Bench {
  store: KyselyStore;
  boot: BootstrapResult;
  app: ReturnType<typeof createApp>;
  client(token?: string): Client;
  // biome-ignore lint/suspicious/noExplicitAny: the admin API's JSON, read loosely by the tests
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startBench(engine: EngineName, settings = TEST_WEBHOOKS): Promise<Bench> {
  const where = newLocation(engine);
  const { store, queue, close } = await openAt(engine, where);
  const boot = await store.transaction((tx) => bootstrap(tx, new Date().toISOString()));
  const app = createApp({
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
  const webhooks: RunningWebhooks = await startWebhooks({ store, queue, settings });
  const adminToken = await store.transaction((tx) => issueAdminToken(tx));
  const fetchApp = (url: string | URL | Request, init?: RequestInit) =>
    Promise.resolve(app.request(url instanceof Request ? url : String(url), init));
  return {
    store,
    boot,
    app,
    client: (token = boot.created!.token) =>
      new Client({
        auth: token,
        baseUrl: BASE_URL,
        fetch: fetchApp as typeof fetch,
        logLevel: 'error' as never,
      }),
    admin: async (method, path, body) => {
      const res = await app.request(`${BASE_URL}/_octavo${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: await res.json() };
    },
    close: async () => {
      await webhooks.stop();
      await close();
      if (engine === 'postgres') await dropPostgresSchema(PG_URL, where);
    },
  };
}

/** Resolves once `check` returns a truthy value (polled), or rejects after `ms`. */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  ms = 15_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Spawns `octavo jobs ARGS` with `env` and resolves with the process once it runs its consumers. */
export async function startJobsProcess(args: string[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [BIN, 'jobs', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  await waitFor(() => out.includes('running jobs'), 45_000, `octavo jobs to start (got: ${out})`);
  return proc;
}
