/**
 * The browser app: `GET /app` and `/app/*` answer the HTML shell (signed in; otherwise a redirect
 * to sign-in), `GET /assets/<file>` the bundle's content-hashed files (web/bundle.ts).
 *
 * Behind a reverse proxy that serves Octavo under a path prefix (OCTAVO_PUBLIC_URL with a path,
 * the proxy stripping it), the shell's asset URLs and the redirect to sign-in carry the prefix,
 * and the shell names it in `octavo-base`: the app puts it before every path it requests or
 * shows (api.ts, router.ts). `octavo-role` says whether the person is a workspace admin, so the
 * app shows the admin screens only to admins (the server refuses others: app-api.routes.ts).
 *
 * The shell carries the session's CSRF token in a meta tag; the app sends it back in
 * `X-Octavo-CSRF` with every /v1 request, which then acts as the signed-in person
 * (api/middleware/core.ts). The shell is `no-cache` (it names the current hashed files and
 * the token); hashed files are immutable for a year.
 */
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { type Context, Hono } from 'hono';
import { isAdmin } from '../ops/invitations.ts';
import { readManifest, WEB_DIST, type WebManifest } from './bundle.ts';
import { escapeHtml } from './html.ts';
import { basePath, signedIn, signInRedirectUrl, type WebDeps } from './session.ts';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

/** A file name esbuild could have written: a name, a hash, a known extension; no path. */
const HASHED = /^[A-Za-z0-9_.-]+-[A-Z0-9]{8}\.[a-z0-9]+$/;

export interface AppRouteDeps extends WebDeps {
  /** The bundle's directory (default dist-web/ of this checkout or package). */
  webDist?: string;
}

function shellHeaders(c: Context): void {
  c.header('Cache-Control', 'private, no-cache');
  c.header('X-Frame-Options', 'DENY');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'same-origin');
  // Mantine sets CSS variables in style attributes and one style element: inline styles allowed,
  // inline scripts not. Covers and icons may be images from anywhere (as in Notion).
  c.header(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https: http:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  );
}

function shell(
  manifest: WebManifest,
  input: { base: string; csrf: string; name: string; workspace: string; role: 'admin' | 'member' },
): string {
  const assets = `${escapeHtml(input.base)}/assets`;
  const style = manifest.style ? `<link rel="stylesheet" href="${assets}/${manifest.style}">` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, interactive-widget=resizes-content">
<link rel="icon" href="data:,">
<meta name="octavo-csrf" content="${escapeHtml(input.csrf)}">
<meta name="octavo-user" content="${escapeHtml(input.name)}">
<meta name="octavo-workspace" content="${escapeHtml(input.workspace)}">
<meta name="octavo-role" content="${input.role}">
<meta name="octavo-base" content="${escapeHtml(input.base)}">
<title>${escapeHtml(input.workspace)} · Octavo</title>
${style}
<script type="module" src="${assets}/${manifest.script}"></script>
</head>
<body>
<div id="root"><p style="padding:1rem">Loading…</p></div>
<noscript>The Octavo app needs JavaScript. The read-only pages are at <a href="${escapeHtml(input.base)}/">${escapeHtml(input.base)}/</a>.</noscript>
</body>
</html>
`;
}

export function appRoutes(deps: AppRouteDeps) {
  const r = new Hono();
  const dist = deps.webDist ?? WEB_DIST;
  const base = basePath(deps.publicUrl);

  const app = async (c: Context) => {
    const me = await signedIn(c, deps);
    if (!me) {
      return c.redirect(signInRedirectUrl(deps, new URL(c.req.url).pathname), 303);
    }
    // Read per request (a few hundred bytes): a rebuild while serving is picked up at once.
    const manifest = readManifest(dist);
    shellHeaders(c);
    if (!manifest) {
      return c.text('The browser app is not built: run `npm run build:web`.', 503);
    }
    const admin = await deps.store.transaction((tx) => isAdmin(tx, me.user.id));
    return c.html(
      shell(manifest, {
        base,
        csrf: me.csrf,
        name: me.user.name,
        workspace: deps.workspace.name,
        role: admin ? 'admin' : 'member',
      }),
    );
  };
  r.get('/app', app);
  r.get('/app/*', app);

  r.get('/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = TYPES[extname(file)];
    if (!HASHED.test(file) || !type) return c.text('Not found', 404);
    // The script and style sheet have a gzipped copy made at build time (web/bundle.ts).
    const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    let bytes: Buffer | null = gzip ? await readFile(join(dist, `${file}.gz`)).catch(() => null) : null;
    if (bytes) c.header('Content-Encoding', 'gzip');
    bytes ??= await readFile(join(dist, file)).catch(() => null);
    if (!bytes) return c.text('Not found', 404);
    c.header('Vary', 'Accept-Encoding');
    c.header('Content-Type', type);
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    c.header('X-Content-Type-Options', 'nosniff');
    return c.body(new Uint8Array(bytes));
  });
  return r;
}
