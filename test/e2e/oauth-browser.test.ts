/*
 * The OAuth install in a real browser: Debian's Chromium driven by playwright-core opens the
 * authorize URL of a running `octavo serve`, signs in, picks a page, accepts, and is redirected to
 * a loopback receiver standing for the integration's server; the code is then exchanged with the
 * official SDK over HTTP and the new token reads the page it was given.
 *
 * Skipped with a notice when /usr/bin/chromium is absent; under CI=true it must run.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@notionhq/client';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/main.ts';
import { dropPostgresSchema } from '../../src/store/connect.ts';
import { chromiumPresent, launchChromium } from '../helpers/chromium.ts';
import { describeEngines, PG_URL } from '../helpers/engines.ts';
import { newPerson, newPublicIntegration } from '../helpers/oauth.ts';

const present = chromiumPresent('OAuth browser test');

/** A loopback HTTP server standing for the integration's callback; resolves the query it gets. */
function receiver(): Promise<{ server: Server; url: string; received: Promise<URLSearchParams> }> {
  let deliver!: (q: URLSearchParams) => void;
  const received = new Promise<URLSearchParams>((r) => {
    deliver = r;
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/callback') deliver(url.searchParams);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('Received.');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/callback`, received });
    }),
  );
}

const run = present
  ? describeEngines
  : (title: string, fn: (e: 'sqlite') => void) => describe.skip(title, () => fn('sqlite'));

run('OAuth install in Chromium', (engine) => {
  let server: RunningServer;
  let context: BrowserContext;
  let closeBrowser: (() => Promise<void>) | undefined;
  const schema = `octavo_browser_${process.pid}_${Date.now().toString(36)}`;

  beforeAll(async () => {
    const env: Record<string, string> = { OCTAVO_JOBS: 'off' };
    if (engine === 'postgres') Object.assign(env, { DATABASE_URL: PG_URL, OCTAVO_PG_SCHEMA: schema });
    server = await startServer(loadConfig({ port: '0', data: ':memory:', 'rate-limit': 'off' }, env));
    const browser = await launchChromium();
    context = browser.context;
    closeBrowser = browser.close;
  }, 60_000);

  afterAll(async () => {
    await closeBrowser?.();
    await server?.close();
    if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema);
  });

  it('signs in, shares a page, follows the redirect, and the exchanged token reads the page', async () => {
    const cb = await receiver();
    try {
      const h = { store: server.store };
      const person = await newPerson(h);
      const app = await newPublicIntegration(h, { redirectUris: [cb.url], capabilities: ['read_content'] });
      const sdk = new Client({ baseUrl: server.url, auth: server.boot.created!.token });
      const made = await sdk.pages.create({
        parent: { page_id: server.boot.created!.pageId },
        properties: { title: { title: [{ text: { content: 'Inside the quickstart page' } }] } },
      });

      const page = await context.newPage();
      const query = new URLSearchParams({
        client_id: app.client_id,
        response_type: 'code',
        owner: 'user',
        state: 'xyz',
      });
      await page.goto(`${server.url}/v1/oauth/authorize?${query}`);
      await page.getByLabel('Email').fill(person.email);
      await page.getByLabel('Password').fill(person.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: new RegExp(`${app.name} wants to connect`) }).waitFor();
      await page.getByRole('checkbox', { name: /Getting started/ }).check();
      await Promise.all([
        page.waitForURL(/\/callback\?/),
        page.getByRole('button', { name: 'Allow access' }).click(),
      ]);
      const params = await cb.received;
      expect(params.get('state')).toBe('xyz');
      const code = params.get('code');
      expect(code).toBeTruthy();
      expect(new URL(page.url()).searchParams.get('code')).toBe(code);

      const grant = await new Client({ baseUrl: server.url }).oauth.token({
        client_id: app.client_id,
        client_secret: app.client_secret,
        grant_type: 'authorization_code',
        code: code!,
      });
      const bot = new Client({ baseUrl: server.url, auth: grant.access_token });
      const read = await bot.pages.retrieve({ page_id: server.boot.created!.pageId });
      expect(read.id).toBe(server.boot.created!.pageId);
      // Access is inherited by the page's descendants.
      expect((await bot.pages.retrieve({ page_id: made.id })).id).toBe(made.id);
      const me = await bot.users.me({});
      expect(me).toMatchObject({
        type: 'bot',
        bot: { owner: { type: 'user', user: { id: person.user.id } } },
      });
    } finally {
      cb.server.close();
    }
  }, 60_000);
});
