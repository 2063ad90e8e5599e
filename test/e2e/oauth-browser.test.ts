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
import { expect, it } from 'vitest';
import { newPerson, newPublicIntegration } from '../helpers/oauth.ts';
import { describeBrowser, useBrowser } from '../helpers/web-suite.ts';

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

describeBrowser('OAuth browser test', 'OAuth install in Chromium', (engine) => {
  const suite = useBrowser(engine);

  it('signs in, shares a page, follows the redirect, and the exchanged token reads the page', async () => {
    const { server, page, sdk } = suite;
    const cb = await receiver();
    try {
      const h = { store: server.store };
      const person = await newPerson(h);
      const app = await newPublicIntegration(h, { redirectUris: [cb.url], capabilities: ['read_content'] });
      const made = await sdk.pages.create({
        parent: { page_id: server.boot.created!.pageId },
        properties: { title: { title: [{ text: { content: 'Inside the quickstart page' } }] } },
      });

      const query = new URLSearchParams({
        client_id: app.client_id,
        response_type: 'code',
        owner: 'user',
        state: 'xyz',
      });
      await page.goto(`${server.url}/v1/oauth/authorize?${query}`);
      await suite.signIn(person);
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
