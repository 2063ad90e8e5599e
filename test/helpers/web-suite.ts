/**
 * The set-up the web tests share: a real `octavo serve` composition per suite on the engine under
 * test (a fresh Postgres schema, dropped afterwards), the official SDK with the quickstart
 * integration's token, people signed in through the sign-in form — in Chromium (playwright-core)
 * or over HTTP with a cookie jar — and `eventually` for reads that wait on the app's saves.
 *
 * `useWebServer` and `useBrowser` register their own `beforeAll`/`afterAll` in the calling
 * `describe`; the objects they answer are filled once those hooks have run, so read their fields
 * inside hooks and tests, not at collection time.
 */
import { Client } from '@notionhq/client';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/main.ts';
import { dropPostgresSchema } from '../../src/store/connect.ts';
import { chromiumPresent, launchChromium } from './chromium.ts';
import { describeEngines, type EngineName, PG_URL } from './engines.ts';
import { csrfOf, newAdmin, newPerson } from './oauth.ts';

/** A person made by `newPerson`: what the sign-in form needs. */
export interface Person {
  email: string;
  password: string;
}

export interface WebSuite {
  readonly engine: EngineName;
  /** The running server (`server.url`, `server.store`, `server.boot`). */
  readonly server: RunningServer;
  /** The official SDK over HTTP with the quickstart integration's token. */
  readonly sdk: Client;
  /** The "Getting started" page, shared with the quickstart integration. */
  readonly rootPageId: string;
}

let suites = 0;

/** Starts a server like `octavo serve --port 0 --memory --rate-limit off`, jobs off. */
export async function startWebServer(
  engine: EngineName,
  options: { flags?: Record<string, string>; env?: Record<string, string> } = {},
): Promise<RunningServer> {
  const schema = `octavo_web_${process.pid}_${Date.now().toString(36)}_${suites++}`;
  const env: Record<string, string> = { OCTAVO_JOBS: 'off', ...options.env };
  if (engine === 'postgres') Object.assign(env, { DATABASE_URL: PG_URL, OCTAVO_PG_SCHEMA: schema });
  const server = await startServer(
    loadConfig({ port: '0', data: ':memory:', 'rate-limit': 'off', ...options.flags }, env),
  );
  const close = server.close.bind(server);
  server.close = async () => {
    await close();
    if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema);
  };
  return server;
}

/** A server for the enclosing `describe`, started before its tests and closed after them. */
export function useWebServer(
  engine: EngineName,
  options: Parameters<typeof startWebServer>[1] = {},
): WebSuite {
  let server: RunningServer | undefined;
  let sdk: Client | undefined;
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the web suite is not started yet (read it inside hooks and tests)');
    return v;
  };
  beforeAll(async () => {
    server = await startWebServer(engine, options);
    sdk = new Client({ baseUrl: server.url, auth: server.boot.created!.token });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });
  return {
    engine,
    get server() {
      return ready(server);
    },
    get sdk() {
      return ready(sdk);
    },
    get rootPageId() {
      return ready(server).boot.created!.pageId;
    },
  };
}

/**
 * `describeEngines` for a Chromium test; where /usr/bin/chromium is absent the suite is skipped
 * with a notice naming `what` (under CI=true it must run).
 */
export function describeBrowser(what: string, title: string, fn: (engine: EngineName) => void): void {
  if (chromiumPresent(what)) describeEngines(title, fn);
  else describe.skip(title, () => fn('sqlite'));
}

export interface BrowserSuite extends WebSuite {
  readonly context: BrowserContext;
  /** One tab, opened before the tests; its uncaught errors are collected in `errors`. */
  readonly page: Page;
  readonly errors: string[];
  /** Fills the sign-in form the page shows and submits it. */
  signIn(person: Person, page?: Page): Promise<void>;
}

/**
 * A server and a headless Chromium (fresh profile) for the enclosing `describe`. `setup` runs
 * once the server is up and before the browser starts (data the tests need).
 */
export function useBrowser(
  engine: EngineName,
  options: Parameters<typeof startWebServer>[1] & {
    permissions?: string[];
    setup?: (suite: WebSuite) => Promise<void>;
    setupTimeout?: number;
  } = {},
): BrowserSuite {
  const web = useWebServer(engine, options);
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let closeBrowser: (() => Promise<void>) | undefined;
  const errors: string[] = [];
  beforeAll(async () => {
    await options.setup?.(web);
    const browser = await launchChromium();
    context = browser.context;
    closeBrowser = browser.close;
    if (options.permissions) await context.grantPermissions(options.permissions);
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
  }, options.setupTimeout ?? 60_000);
  afterAll(async () => {
    await closeBrowser?.();
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the browser is not started yet (read it inside hooks and tests)');
    return v;
  };
  return {
    engine,
    get server() {
      return web.server;
    },
    get sdk() {
      return web.sdk;
    },
    get rootPageId() {
      return web.rootPageId;
    },
    get context() {
      return started(context);
    },
    get page() {
      return started(page);
    },
    errors,
    signIn: (person, on) => signInPage(on ?? started(page), person),
  };
}

/** Fills the sign-in form shown on `page` and submits it. */
export async function signInPage(page: Page, person: Person): Promise<void> {
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Reads until `ok` holds or `ms` pass; answers the last value read (assert on it). */
export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  let last = await read();
  while (!ok(last) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    last = await read();
  }
  return last;
}

/** A cookie jar over real fetch against a running server (redirects not followed). */
export class HttpJar {
  readonly cookies = new Map<string, string>();
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(`${this.base}${path}`, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const value = pair!.slice(eq + 1);
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(pair!.slice(0, eq));
      else this.cookies.set(pair!.slice(0, eq), value);
    }
    return res;
  }
  /** POSTs a urlencoded form. */
  form(path: string, fields: Record<string, string>) {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }
  /**
   * A JSON request as the browser app makes it: `csrf` goes in `X-Octavo-CSRF` (left out when
   * undefined), a body is sent as JSON, and `version` (when given) as Notion-Version.
   */
  json(path: string, init: RequestInit & { csrf?: string; version?: string } = {}) {
    const { csrf, version, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (version !== undefined) headers.set('notion-version', version);
    if (csrf !== undefined) headers.set('x-octavo-csrf', csrf);
    if (rest.body) headers.set('content-type', 'application/json');
    return this.fetch(path, { ...rest, headers });
  }
}

/** Signs `person` in through the form over HTTP; answers the jar and the session's CSRF token. */
export async function signedInJar(base: string, person: Person) {
  const jar = new HttpJar(base);
  const form = await jar.fetch('/sign-in');
  const res = await jar.form('/sign-in', {
    csrf: csrfOf(await form.text()),
    email: person.email,
    password: person.password,
  });
  expect(res.status).toBe(303);
  // Signed in, the sign-in page shows the sign-out form with the session's CSRF token.
  const csrf = csrfOf(await (await jar.fetch('/sign-in')).text());
  /** A JSON request as the person (`/v1/…` with Notion-Version, or `/app/api/…`). */
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }> => {
    const res = await jar.json(path, {
      method,
      csrf,
      version: '2025-09-03',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as T };
  };
  return { jar, csrf, call };
}

/** A new person with a password (a workspace admin with `admin`), signed in over HTTP. */
export async function newSignedInPerson(
  server: Pick<RunningServer, 'url' | 'store'>,
  options: { admin?: boolean } = {},
) {
  const person = await (options.admin ? newAdmin : newPerson)({ store: server.store });
  return { person, ...(await signedInJar(server.url, person)) };
}
