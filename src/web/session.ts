/**
 * Browser sessions and CSRF protection for the server-rendered pages.
 *
 * - The session cookie (`octavo_session`) holds 43 random base-62 characters; the database keeps
 *   only their SHA-256 (ops/accounts.ts). HttpOnly, SameSite=Lax (a link from the integration's
 *   site to the consent page must arrive signed in), Path the public URL's path (`/`, or the
 *   prefix a reverse proxy serves Octavo under: `basePath`), and Secure whenever the server is
 *   reached over https (its public URL or the request): a browser drops Secure cookies set over
 *   plain http, which a server on a developer's loopback address serves.
 * - CSRF: every form carries a token. Signed in, it is the session's own token (stored with the
 *   session); before sign-in, a random value also set in the `octavo_csrf` cookie (SameSite=Strict,
 *   HttpOnly) that the form must repeat (double submit). Besides, a POST whose `Origin` is another
 *   origin, or that the browser marks `Sec-Fetch-Site: cross-site`, is refused.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Actor } from '../domain/capabilities.ts';
import { type FileSettings, hostedFileUrl } from '../domain/file-uploads.ts';
import { randomBase62 } from '../lib/crypto.ts';
import { type NewSession, sessionUser } from '../ops/accounts.ts';
import type { Emulator } from '../ops/emulator.ts';
import type { PresentContext } from '../present/context.ts';
import type { Store, UserRow } from '../store/store.ts';
import type { ApiVersion } from '../wire/versions.ts';

export const SESSION_COOKIE = 'octavo_session';
export const CSRF_COOKIE = 'octavo_csrf';

export interface WebDeps {
  store: Store;
  /** The server's public base URL (decides Secure cookies and the trusted origin). */
  publicUrl: string;
  workspace: { id: string; name: string };
  clock?: () => Date;
  /** Upload settings: the key that signs hosted-file URLs shown in pages. */
  files?: FileSettings;
  /**
   * The emulator, on a server that has one: its request journal (the page `/requests`, the app's
   * request log) and, with `appEmulatorControls`, its controls in the browser app.
   */
  emulator?: Emulator;
  /** The browser app may use the emulator controls (OCTAVO_APP_EMULATOR_CONTROLS). */
  appEmulatorControls?: boolean;
  /** The app's own `fetch`: scripts of automations run from the browser reach /v1 through it. */
  api?: (req: Request) => Promise<Response>;
}

export interface SignedIn {
  user: UserRow;
  csrf: string;
  sessionId: string;
}

export const nowOf = (deps: WebDeps) => deps.clock?.() ?? new Date();

/**
 * What the presenters need to show objects to a signed-in person at `version`: hosted files get
 * URLs signed at `now()` (asked at each file), or empty ones on a server without uploads.
 */
export function personPresentContext(
  deps: WebDeps,
  actor: Actor,
  version: ApiVersion,
  now: () => Date = () => nowOf(deps),
): PresentContext {
  return {
    version,
    actor,
    publicUrl: deps.publicUrl,
    workspace: deps.workspace,
    maxFileUploadBytes: deps.files?.maxBytes ?? 0,
    hostedFile: (ref) =>
      deps.files
        ? hostedFileUrl(deps.publicUrl, deps.files.urlSecret, ref, now())
        : { url: '', expiry_time: '' },
  };
}

/**
 * The path prefix under which browsers reach this server: the public URL's path without its
 * trailing slash (`''` at the root, `/octavo` for `https://example.com/octavo`). A reverse proxy
 * serving Octavo under a prefix forwards requests with the prefix stripped (the server's routes
 * stay `/app`, `/sign-in`, …); what the server sends back to browsers — links, form actions,
 * redirects, asset URLs, cookie paths — carries the prefix.
 */
export function basePath(publicUrl: string): string {
  if (!URL.canParse(publicUrl)) return '';
  return new URL(publicUrl).pathname.replace(/\/+$/, '');
}

/** The cookie path for this server: the prefix, or `/`. */
const cookiePath = (deps: Pick<WebDeps, 'publicUrl'>) => basePath(deps.publicUrl) || '/';

/** The redirect to the sign-in page that comes back to `path` (a server path, without the prefix). */
export function signInRedirectUrl(deps: Pick<WebDeps, 'publicUrl'>, path: string): string {
  return `${basePath(deps.publicUrl)}/sign-in?next=${encodeURIComponent(path)}`;
}

function secure(c: Context, deps: WebDeps): boolean {
  return deps.publicUrl.startsWith('https:') || new URL(c.req.url).protocol === 'https:';
}

/** The signed-in user of this request, or null. */
export async function signedIn(c: Context, deps: WebDeps): Promise<SignedIn | null> {
  const sessionId = getCookie(c, SESSION_COOKIE);
  if (!sessionId || sessionId.length > 100) return null;
  const found = await deps.store.transaction((tx) => sessionUser(tx, sessionId, nowOf(deps)));
  return found ? { ...found, sessionId } : null;
}

export function setSessionCookie(c: Context, deps: WebDeps, session: NewSession): void {
  setCookie(c, SESSION_COOKIE, session.id, {
    path: cookiePath(deps),
    httpOnly: true,
    sameSite: 'Lax',
    secure: secure(c, deps),
    expires: session.expires,
  });
}

export function clearSessionCookie(c: Context, deps: Pick<WebDeps, 'publicUrl'>): void {
  deleteCookie(c, SESSION_COOKIE, { path: cookiePath(deps) });
}

/** The pre-sign-in CSRF token: the cookie's, or a new one set now. */
export function preSessionCsrf(c: Context, deps: WebDeps): string {
  const existing = getCookie(c, CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9]{32}$/.test(existing)) return existing;
  const token = randomBase62(32);
  setCookie(c, CSRF_COOKIE, token, {
    path: cookiePath(deps),
    httpOnly: true,
    sameSite: 'Strict',
    secure: secure(c, deps),
  });
  return token;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether the browser says the POST came from another site. */
function crossSite(c: Context, deps: WebDeps): boolean {
  if (c.req.header('sec-fetch-site') === 'cross-site') return true;
  const origin = c.req.header('origin');
  if (origin === undefined || origin === '') return false;
  const allowed = new Set([new URL(c.req.url).origin, new URL(deps.publicUrl).origin]);
  return !allowed.has(origin);
}

/** Whether a form POST carries the right CSRF token: the session's, or the pre-session cookie's. */
export function csrfValid(c: Context, deps: WebDeps, given: unknown, session: SignedIn | null): boolean {
  if (typeof given !== 'string' || given === '' || crossSite(c, deps)) return false;
  if (session) return same(given, session.csrf);
  const cookie = getCookie(c, CSRF_COOKIE);
  return cookie !== undefined && same(given, cookie);
}

/** Headers of every HTML response: no caching, no framing, no scripts, no referrer to other sites. */
export function htmlHeaders(c: Context): void {
  c.header('Cache-Control', 'no-store');
  c.header('X-Frame-Options', 'DENY');
  c.header('X-Content-Type-Options', 'nosniff');
  // same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with the
  // page's own form posts, which the origin check must refuse (sandboxed frames send it too).
  // Cross-origin requests (the redirect to the integration) still carry no referrer.
  c.header('Referrer-Policy', 'same-origin');
  c.header(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  );
}

/**
 * A `next` path that stays on this server (no open redirect): relative, one leading slash. It is
 * a server path, without the prefix (`basePath`): redirect to `basePath(…) + next`.
 */
export function safeNext(raw: unknown): string | null {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\'))
    return null;
  return raw;
}
