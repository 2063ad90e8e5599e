/**
 * The set-up the browser-app tests share: a running `octavo serve` on an engine (in memory on
 * SQLite; a schema of its own on Postgres), the official SDK with the bootstrap integration's
 * token, Debian's Chromium with one tab (page errors collected), and signing a new person in.
 *
 * `runInChromium` is `describeEngines` when Chromium is present, else a skipped suite (with the
 * notice `chromiumPresent` prints; under CI=true a missing Chromium is an error).
 */
import { Client } from '@notionhq/client';
import type { BrowserContext, Page } from 'playwright-core';
import { describe } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/main.ts';
import { dropPostgresSchema } from '../../src/store/connect.ts';
import { chromiumPresent, launchChromium } from './chromium.ts';
import { describeEngines, type EngineName, PG_URL } from './engines.ts';
import { newPerson } from './oauth.ts';

/** `describe` per engine in Chromium, or skipped with a notice naming `what`. */
export function runInChromium(what: string): (title: string, fn: (engine: EngineName) => void) => void {
  return chromiumPresent(what) ? describeEngines : (title, fn) => describe.skip(title, () => fn('sqlite'));
}

export interface BrowserApp {
  server: RunningServer;
  sdk: Client;
  context: BrowserContext;
  page: Page;
  /** Messages of uncaught errors in the tab. */
  errors: string[];
  /** The workspace page the bootstrap integration can write under. */
  rootPageId: string;
  close(): Promise<void>;
}

/** Starts a server on `engine` and a browser tab; `close` ends both and drops the schema. */
export async function startBrowserApp(engine: EngineName, name: string): Promise<BrowserApp> {
  const schema = `octavo_${name}_${process.pid}_${Date.now().toString(36)}`;
  const env: Record<string, string> = { OCTAVO_JOBS: 'off' };
  if (engine === 'postgres') Object.assign(env, { DATABASE_URL: PG_URL, OCTAVO_PG_SCHEMA: schema });
  const server = await startServer(loadConfig({ port: '0', data: ':memory:', 'rate-limit': 'off' }, env));
  const sdk = new Client({ baseUrl: server.url, auth: server.boot.created!.token });
  const browser = await launchChromium();
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    server,
    sdk,
    context: browser.context,
    page,
    errors,
    rootPageId: server.boot.created!.pageId,
    close: async () => {
      await browser.close();
      await server.close();
      if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema);
    },
  };
}

/** Makes a new person and signs them in from `path` (the sign-in page sends them back there). */
export async function signIn(app: BrowserApp, path: string) {
  const person = await newPerson({ store: app.server.store });
  await app.page.goto(`${app.server.url}/sign-in?next=${encodeURIComponent(path)}`);
  await app.page.getByLabel('Email').fill(person.email);
  await app.page.getByLabel('Password').fill(person.password);
  await app.page.getByRole('button', { name: 'Sign in' }).click();
  await app.page.waitForURL(`**${path}`);
  return person;
}

/** Reads until `ok` holds or `ms` pass; answers the last value read. */
export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  let last = await read();
  while (!ok(last) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    last = await read();
  }
  return last;
}
