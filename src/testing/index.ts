/**
 * Octavo in process, for an integration's tests (Vitest, Jest, node:test): one call starts a
 * server without a socket, with a ready official client, fixtures, reset and snapshots, the
 * clock, fault rules and the request journal.
 *
 *   const octavo = await startOctavo({ fixture: 'test/fixture.yaml' });
 *   const notion = octavo.client();               // the fixture's first integration
 *   beforeEach(() => octavo.rewind());            // back to the fixture before each test
 *   await octavo.snapshot('base');  …  await octavo.restore('base');
 *
 * SQLite in memory by default; `databaseUrl` (postgres://…) with `pgSchema` for Postgres.
 */
import { readFileSync } from 'node:fs';
import { Client } from '@notionhq/client';
import { createApp } from '../api/app.ts';
import { DROPPED_HEADER } from '../api/middleware/emulator.ts';
import { DEFAULT_MAX_FILE_UPLOAD_BYTES } from '../config.ts';
import { configureIds } from '../lib/ids.ts';
import { createEmulator, type Emulator } from '../ops/emulator.ts';
import { checkFixture, type Fixture, readFixture } from '../ops/fixture.ts';
import { type SeedResult, seedFixture } from '../ops/seed.ts';
import { resetWorkspace, restoreSnapshot, saveSnapshot } from '../ops/snapshots.ts';
import { bootstrap } from '../ops/workspace.ts';
import { dropPostgresSchema, openStore } from '../store/connect.ts';
import type { Store } from '../store/store.ts';

export type { Fixture } from '../ops/fixture.ts';
export type { SeedResult } from '../ops/seed.ts';

export interface OctavoTestOptions {
  /** A fixture to seed at start: an object, fixture text (JSON or YAML), or a file path. */
  fixture?: Fixture | string;
  /** Start the clock frozen at this ISO time (as OCTAVO_CLOCK). */
  clock?: string;
  /**
   * Reproducible ids (as OCTAVO_ID_SEED); with `clock`, the same ids on every run. Id generation
   * is per process: use it in one Octavo at a time (test files run in separate workers).
   */
  idSeed?: string;
  /** postgres://… for Postgres; default SQLite in memory. */
  databaseUrl?: string;
  /** The Postgres schema (made, and dropped on close); default a fresh name. */
  pgSchema?: string;
  /** How many requests the journal keeps (as OCTAVO_REQUEST_LOG_SIZE); default 1,000. */
  requestLogSize?: number;
  /** The base URL clients use and page URLs show (no socket is opened). */
  baseUrl?: string;
}

export interface OctavoTest {
  baseUrl: string;
  /** The quickstart integration's token (made on start, all capabilities). */
  quickstartToken: string;
  /** The admin API's token. */
  adminToken: string;
  /** What the start-up fixture made (its integrations' ids first). */
  seeded: SeedResult | null;
  store: Store;
  emulator: Emulator;
  /**
   * An official client talking to this Octavo in process: with `token`, else the start-up
   * fixture's first integration, else the quickstart integration. Retries as the SDK does by
   * default; `retries: 0` turns them off.
   */
  client(options?: ClientOptions): Client;
  /** A `fetch` that reaches this Octavo in process (a dropped connection throws, like a real one). */
  fetch: typeof fetch;
  /** The admin API (`/_octavo/…`) with the admin token. */
  admin(path: string, init?: { method?: string; body?: unknown }): Promise<Response>;
  seed(fixture: Fixture | string): Promise<SeedResult>;
  snapshot(name: string): Promise<void>;
  restore(name: string): Promise<void>;
  /** An empty workspace (the start-up fixture is gone too; restore a snapshot to get it back). */
  reset(): Promise<void>;
  /**
   * Back to the workspace as it was right after start (the start-up fixture seeded), and the
   * fault rules and request journal emptied: what a test suite calls before each test. The clock
   * is left alone.
   */
  rewind(): Promise<void>;
  close(): Promise<void>;
}

export interface ClientOptions {
  token?: string;
  /** Shorthand for `retry: { maxRetries }`; 0 turns retries off. */
  retries?: number;
  /** The SDK's retry settings, as `new Client({ retry })` takes them (`false`: none). */
  retry?: false | { maxRetries?: number; initialRetryDelayMs?: number; maxRetryDelayMs?: number };
  notionVersion?: string;
}

let counter = 0;

/** The snapshot `rewind()` restores, saved at start. */
const START_SNAPSHOT = 'octavo_start';

/** Reads a fixture given as an object, as text, or as a path to a .json/.yaml/.yml file. */
export function loadFixture(fixture: Fixture | string): Fixture {
  if (typeof fixture !== 'string') return checkFixture(fixture);
  if (/\.(json|ya?ml)$/i.test(fixture) && !fixture.includes('\n'))
    return readFixture(readFileSync(fixture, 'utf8'), /\.json$/i.test(fixture) ? 'json' : 'yaml');
  return readFixture(fixture);
}

/** Starts Octavo in process; resolves once it answers. */
export async function startOctavo(options: OctavoTestOptions = {}): Promise<OctavoTest> {
  const baseUrl = options.baseUrl ?? 'http://octavo.test';
  const pgSchema = options.pgSchema ?? `octavo_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const postgres = options.databaseUrl !== undefined;
  const store = postgres
    ? await openStore({ databaseUrl: options.databaseUrl, pgSchema })
    : await openStore({ dataDir: ':memory:' });
  const emulator = createEmulator({ clock: options.clock, journalSize: options.requestLogSize });
  if (options.idSeed !== undefined)
    configureIds({ seed: options.idSeed, clock: () => emulator.clock.now().getTime() });
  const now = () => emulator.clock.now().toISOString();
  const boot = await store.transaction((tx) => bootstrap(tx, now()));
  const app = createApp({
    store,
    publicUrl: baseUrl,
    workspace: boot.workspace,
    rateLimiter: null,
    files: {
      maxBytes: DEFAULT_MAX_FILE_UPLOAD_BYTES,
      allowPrivateImports: false,
      urlSecret: boot.fileUrlSecret,
    },
    emulator,
  });
  const fetchIn = (async (input: string | URL | Request, init?: RequestInit) => {
    const res = await app.request(input instanceof Request ? input : String(input), init);
    if (res.headers.get(DROPPED_HEADER))
      throw new TypeError('fetch failed: the connection was closed (octavo fault)');
    return res;
  }) as typeof fetch;
  const seed = (fixture: Fixture | string) => {
    const parsed = loadFixture(fixture);
    return store.transaction((tx) => seedFixture(tx, parsed, { now: now(), publicUrl: baseUrl }));
  };
  const seeded = options.fixture !== undefined ? await seed(options.fixture) : null;
  const firstToken = (() => {
    if (options.fixture === undefined) return undefined;
    return loadFixture(options.fixture).integrations?.[0]?.token;
  })();
  const adminToken = boot.created!.adminToken;
  await saveSnapshot(store, START_SNAPSHOT, now());
  return {
    baseUrl,
    quickstartToken: boot.created!.token,
    adminToken,
    seeded,
    store,
    emulator,
    fetch: fetchIn,
    client: (o = {}) =>
      new Client({
        auth: o.token ?? firstToken ?? boot.created!.token,
        baseUrl,
        fetch: fetchIn,
        ...(o.notionVersion ? { notionVersion: o.notionVersion } : {}),
        ...(o.retries !== undefined ? { retry: o.retries === 0 ? false : { maxRetries: o.retries } } : {}),
        ...(o.retry !== undefined ? { retry: o.retry } : {}),
      }),
    admin: (path, init = {}) =>
      Promise.resolve(
        app.request(`${baseUrl}/_octavo${path}`, {
          method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        }),
      ),
    seed,
    snapshot: async (name) => {
      await saveSnapshot(store, name, now());
    },
    restore: (name) => restoreSnapshot(store, name),
    reset: () => resetWorkspace(store),
    rewind: async () => {
      await restoreSnapshot(store, START_SNAPSHOT);
      emulator.faults.clear();
      emulator.journal.clear();
    },
    close: async () => {
      if (options.idSeed !== undefined) configureIds({ seed: null, clock: null });
      if (postgres) for (const snap of await store.snapshots.list()) await store.snapshots.delete(snap.name);
      await store.close();
      if (postgres && options.pgSchema === undefined)
        await dropPostgresSchema(options.databaseUrl!, pgSchema);
    },
  };
}
