/*
 * Octavo behind a reverse proxy that serves it under a path prefix, in a real browser (Debian's
 * Chromium via playwright-core) on both engines. The server runs with OCTAVO_PUBLIC_URL
 * `http://127.0.0.1:<proxy port>/octavo`; a small proxy in this test forwards `/octavo/…` to
 * the server with the prefix stripped (as nginx's `proxy_pass http://octavo:7400/;` does) and
 * answers 404 to anything else, recording those paths: the browser must never leave the prefix.
 * Covered: the redirect to sign-in and back, the session cookie's Path, the shell's assets, the
 * app's /v1 and /app/api calls, links and navigation inside the app, a reload of an app URL,
 * sign-out; and the official SDK through the same proxy.
 *
 * Skipped with a notice when /usr/bin/chromium is absent; under CI=true it must run.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setRole } from '../../src/ops/invitations.ts';
import { newPerson } from '../helpers/oauth.ts';
import { describeBrowser, eventually, useBrowser } from '../helpers/web-suite.ts';

const PREFIX = '/octavo';

/** A proxy on a free port: `/octavo/…` to `target` without the prefix; other paths 404, recorded. */
async function prefixProxy() {
  let target = '';
  const outside: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    if (url !== PREFIX && !url.startsWith(`${PREFIX}/`) && !url.startsWith(`${PREFIX}?`)) {
      outside.push(url);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('outside the prefix');
      return;
    }
    const to = new URL(target);
    const upstream = request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: url.slice(PREFIX.length) || '/',
        headers: { ...req.headers, 'x-forwarded-prefix': PREFIX },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    outside,
    setTarget: (url: string) => {
      target = url;
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

const proxy = await prefixProxy();
afterAll(() => proxy.close());
const publicUrl = `${proxy.url}${PREFIX}`;

describeBrowser('path prefix browser test', 'The app behind a proxy under a path prefix', (engine) => {
  const suite = useBrowser(engine, {
    env: { OCTAVO_PUBLIC_URL: publicUrl },
    setup: async ({ server }) => proxy.setTarget(server.url),
  });

  beforeAll(() => {
    suite.page.setDefaultTimeout(30_000);
  });

  it('answers redirects, cookies and asset URLs under the prefix', async () => {
    const res = await fetch(`${publicUrl}/app/integrations`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${PREFIX}/sign-in?next=%2Fapp%2Fintegrations`);
    const form = await fetch(`${publicUrl}/sign-in`);
    expect(form.headers.getSetCookie().join('\n')).toMatch(/octavo_csrf=[^;]+;.*Path=\/octavo(;|$)/);
    expect(await form.text()).toContain(`action="${PREFIX}/sign-in"`);
    // The SDK reaches /v1 through the proxy too, and the page URLs it reads carry the prefix.
    const sdk = new Client({ baseUrl: publicUrl, auth: suite.server.boot.created!.token });
    const root = (await sdk.pages.retrieve({ page_id: suite.rootPageId })) as { url: string };
    expect(root.url.startsWith(`${publicUrl}/p/`)).toBe(true);
  });

  it('signs in, browses, edits and signs out without leaving the prefix', async () => {
    const { server, page, sdk, errors } = suite;
    const person = await newPerson({ store: server.store });
    await server.store.transaction((tx) => setRole(tx, { email: person.email, role: 'admin' }));
    const notes = await sdk.pages.create({
      parent: { page_id: suite.rootPageId },
      properties: { title: { title: [{ text: { content: 'Proxy notes' } }] } },
    });

    await page.goto(`${publicUrl}/app/p/${notes.id}`);
    expect(new URL(page.url()).pathname).toBe(`${PREFIX}/sign-in`);
    await suite.signIn(person);
    await page.waitForURL(`${publicUrl}/app/p/${notes.id}`, { waitUntil: 'commit' });
    const cookies = await suite.context.cookies(publicUrl);
    expect(cookies.find((c) => c.name === 'octavo_session')?.path).toBe(PREFIX);

    // The page loaded through /octavo/v1; edit its title and read it back through the SDK.
    const title = page.getByRole('textbox', { name: 'Page title' });
    await expect.poll(() => title.inputValue(), { timeout: 30_000 }).toBe('Proxy notes');
    await title.fill('Proxy notes, edited');
    await title.press('Enter');
    const read = await eventually(
      async () =>
        (await sdk.pages.retrieve({ page_id: notes.id })) as unknown as {
          properties: { title: { title: { plain_text: string }[] } };
        },
      (p) => p.properties.title.title[0]?.plain_text === 'Proxy notes, edited',
    );
    expect(read.properties.title.title[0]?.plain_text).toBe('Proxy notes, edited');

    // Links inside the app carry the prefix; following them navigates inside it.
    const nav = page.getByRole('navigation', { name: 'Workspace' });
    const home = page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: 'Home' });
    expect(await home.getAttribute('href')).toBe(`${PREFIX}/app`);
    await nav.getByRole('link', { name: 'Integrations' }).click();
    await page.waitForURL(`${publicUrl}/app/integrations`, { waitUntil: 'commit' });
    // The admin screen's /app/api call went through the prefix: the quickstart integration is listed.
    await page.getByRole('list', { name: 'Integrations' }).getByText('Octavo Quickstart').waitFor();
    await nav.getByRole('link', { name: 'Getting started' }).click();
    await page.waitForURL(new RegExp(`${PREFIX}/app/p/`), { waitUntil: 'commit' });
    await page.reload();
    await page.getByRole('textbox', { name: 'Page title' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Page title' }).inputValue()).toBe('Getting started');

    await nav.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${publicUrl}/sign-in`, { waitUntil: 'commit' });
    expect(proxy.outside).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);
});
