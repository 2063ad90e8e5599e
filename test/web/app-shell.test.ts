/*
 * The browser app's shell and assets (web/app.routes.ts): /app needs a session and carries its
 * CSRF token; the shell is not cached; the bundle's content-hashed files are immutable; nothing
 * but a hashed file of the bundle is served from /assets.
 */
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readManifest } from '../../src/web/bundle.ts';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { csrfOf, Jar, newPerson, signInWith } from '../helpers/oauth.ts';

describeEngines('GET /app and /assets', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  it('sends a signed-out visitor to sign in, and back to /app after', async () => {
    const jar = new Jar(h);
    const res = await jar.fetch('/app/p/0b5f8a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(
      '/sign-in?next=%2Fapp%2Fp%2F0b5f8a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
    );
    const person = await newPerson(h);
    const signedIn = await signInWith(jar, person.email, person.password, '/app');
    expect(signedIn.headers.get('location')).toBe('/app');
  });

  it('serves the shell signed in: no-cache, the session CSRF token, the hashed bundle', async () => {
    const person = await newPerson(h);
    const jar = new Jar(h);
    await signInWith(jar, person.email, person.password);
    const csrf = csrfOf(await (await jar.fetch('/sign-in')).text());
    const res = await jar.fetch('/app');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain(`<meta name="octavo-csrf" content="${csrf}">`);
    const manifest = readManifest()!;
    expect(html).toContain(`<script type="module" src="/assets/${manifest.script}"></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="/assets/${manifest.style}">`);
    // The token works against /v1 from the same session.
    const me = await jar.fetch('/v1/users/me', {
      headers: { 'notion-version': '2025-09-03', 'x-octavo-csrf': csrf },
    });
    expect(((await me.json()) as { id: string }).id).toBe(person.user.id);
  });

  it('serves hashed files as immutable, and nothing else', async () => {
    const manifest = readManifest()!;
    const js = await h.app.request(`/assets/${manifest.script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    const zipped = await h.app.request(`/assets/${manifest.script}`, {
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    const unzipped = new Uint8Array(gunzipSync(new Uint8Array(await zipped.arrayBuffer())));
    expect(unzipped.byteLength).toBe(
      (await (await h.app.request(`/assets/${manifest.script}`)).arrayBuffer()).byteLength,
    );
    const css = await h.app.request(`/assets/${manifest.style}`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    for (const path of [
      '/assets/manifest.json',
      '/assets/app-ZZZZZZZZ.js',
      '/assets/..%2Fpackage.json',
      '/assets/%2E%2E%2Fsrc%2Fmain.ts',
    ]) {
      expect((await h.app.request(path)).status, path).toBe(404);
    }
  });
});
