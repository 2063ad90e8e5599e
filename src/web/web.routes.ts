/**
 * The browser pages: `GET|POST /sign-in`, `POST /sign-out`, and the OAuth consent page at
 * `GET|POST /v1/oauth/authorize` (notion-api.md §4.12). Every form POST is checked for its CSRF
 * token and origin first (web/session.ts); every page is escaped HTML (web/html.ts) with headers
 * that forbid framing, scripts and caching.
 */
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Capability } from '../domain/capabilities.ts';
import { plainText } from '../domain/rich-text.ts';
import {
  AUTHORIZE_PARAMS,
  type AuthorizeParams,
  checkAuthorize,
  issueCode,
  redirectTo,
  shareablePages,
} from '../oauth/authorize.ts';
import { clientCapabilities } from '../oauth/clients.ts';
import { signIn, signOut } from '../ops/accounts.ts';
import { pageTitle } from '../present/page.present.ts';
import { ApiError } from '../wire/errors.ts';
import { appRoutes } from './app.routes.ts';
import { appApiRoutes } from './app-api.routes.ts';
import { browseRoutes } from './browse.routes.ts';
import type { Html } from './html.ts';
import { invitationRoutes } from './invitations.routes.ts';
import { consentPage, messagePage, signedInPage, signInPage } from './pages.ts';
import { requestLogRoutes } from './requests.routes.ts';
import {
  basePath,
  clearSessionCookie,
  csrfValid,
  htmlHeaders,
  nowOf,
  preSessionCsrf,
  type SignedIn,
  safeNext,
  setSessionCookie,
  signedIn,
  type WebDeps,
} from './session.ts';

type Form = Record<string, string | File | (string | File)[]>;

function page(c: Context, body: Html, status: 200 | 400 | 401 | 403 | 429 = 200) {
  htmlHeaders(c);
  return c.html(body.text, status);
}

const text = (form: Form, key: string): string | undefined => {
  const v = form[key];
  return typeof v === 'string' ? v : undefined;
};

const csrfRefused = (c: Context) =>
  page(
    c,
    messagePage(
      'Form expired',
      'This form expired or came from another site. Go back, reload and try again.',
    ),
    403,
  );

/** The authorize parameters of a query or a form, only the known ones, strings only. */
function authorizeParams(get: (k: string) => string | undefined): AuthorizeParams {
  const out: AuthorizeParams = {};
  for (const k of AUTHORIZE_PARAMS) {
    const v = get(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export function webRoutes(deps: WebDeps) {
  const r = new Hono();
  /** What links and redirects sent to browsers start with (a proxy's prefix, or ''). */
  const base = basePath(deps.publicUrl);
  const forms = bodyLimit({
    maxSize: 64 * 1024,
    onError: (c) => page(c, messagePage('Too large', 'The form sent was too large.'), 400),
  });
  /** The form's fields; a body that is not a form reads as no fields (and so fails the CSRF check). */
  const readForm = async (c: Context): Promise<Form> =>
    ((await c.req.parseBody({ all: true }).catch(() => ({}))) as Form) ?? {};

  const signInForm = (c: Context, next: string | null, extra: { email?: string; error?: string } = {}) =>
    signInPage({ base, csrf: preSessionCsrf(c, deps), next, workspaceName: deps.workspace.name, ...extra });

  r.get('/sign-in', async (c) => {
    const me = await signedIn(c, deps);
    const next = safeNext(c.req.query('next'));
    if (me && next) return c.redirect(`${base}${next}`, 303);
    if (me)
      return page(c, signedInPage({ base, name: me.user.name, email: me.user.email ?? '', csrf: me.csrf }));
    return page(c, signInForm(c, next));
  });

  r.post('/sign-in', forms, async (c) => {
    const form = await readForm(c);
    if (!csrfValid(c, deps, form.csrf, null)) return csrfRefused(c);
    const email = text(form, 'email') ?? '';
    const password = text(form, 'password') ?? '';
    const next = safeNext(form.next);
    const result = await signIn(deps.store, { email, password, now: nowOf(deps) });
    if (!result.ok && result.reason === 'locked') {
      c.header('Retry-After', String(result.retryAfterSeconds));
      const minutes = Math.ceil(result.retryAfterSeconds / 60);
      return page(
        c,
        signInForm(c, next, { email, error: `Too many failed attempts. Try again in ${minutes} minute(s).` }),
        429,
      );
    }
    if (!result.ok) return page(c, signInForm(c, next, { email, error: 'Wrong email or password.' }), 401);
    setSessionCookie(c, deps, result.session);
    return c.redirect(`${base}${next ?? '/'}`, 303);
  });

  r.post('/sign-out', forms, async (c) => {
    const me = await signedIn(c, deps);
    const form = await readForm(c);
    if (me && !csrfValid(c, deps, form.csrf, me)) return csrfRefused(c);
    if (me) await deps.store.transaction((tx) => signOut(tx, me.sessionId));
    clearSessionCookie(c, deps);
    return c.redirect(`${base}/sign-in`, 303);
  });

  /** The consent page for a checked request, or what to answer instead. */
  async function consent(c: Context, params: AuthorizeParams, me: SignedIn | null, error?: string) {
    const check = await deps.store.transaction((tx) => checkAuthorize(tx, params));
    if (check.kind === 'fatal') return page(c, messagePage('Cannot connect', check.message), 400);
    if (check.kind === 'redirect') return c.redirect(check.location, 302);
    if (!me) {
      const url = new URL(c.req.url);
      return page(c, signInForm(c, `${url.pathname}${url.search}`));
    }
    const pages = await deps.store.transaction((tx) => shareablePages(tx));
    return page(
      c,
      consentPage({
        base,
        integrationName: check.request.client.name,
        workspaceName: deps.workspace.name,
        user: { name: me.user.name, email: me.user.email ?? '' },
        capabilities: clientCapabilities(check.request.client) as Capability[],
        pages: pages.map((p) => ({ id: p.id, title: plainText(pageTitle(p)) })),
        params: params as Record<string, string>,
        csrf: me.csrf,
        ...(error ? { error } : {}),
      }),
      error ? 400 : 200,
    );
  }

  r.get('/v1/oauth/authorize', async (c) => {
    const params = authorizeParams((k) => c.req.query(k));
    return consent(c, params, await signedIn(c, deps));
  });

  r.post('/v1/oauth/authorize', forms, async (c) => {
    const me = await signedIn(c, deps);
    const form = await readForm(c);
    const params = authorizeParams((k) => text(form, k));
    if (!me) return consent(c, params, null);
    if (!csrfValid(c, deps, form.csrf, me)) return csrfRefused(c);
    const check = await deps.store.transaction((tx) => checkAuthorize(tx, params));
    if (check.kind !== 'ok') return consent(c, params, me);
    const { request } = check;
    if (text(form, 'decision') !== 'allow')
      return c.redirect(
        redirectTo(request.redirectUri, { error: 'access_denied', state: request.state }),
        303,
      );
    const picked = form.pages;
    const pageIds = (Array.isArray(picked) ? picked : picked === undefined ? [] : [picked]).filter(
      (v): v is string => typeof v === 'string',
    );
    try {
      const code = await deps.store.transaction((tx) =>
        issueCode(tx, { request, userId: me.user.id, pageIds, now: nowOf(deps) }),
      );
      return c.redirect(redirectTo(request.redirectUri, { code, state: request.state }), 303);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'validation_error') return consent(c, params, me, e.message);
      throw e;
    }
  });

  // The browser app's shell and its bundle (web/app.routes.ts).
  // Before the app's shell, which answers every other /app/* path.
  r.route('/', invitationRoutes(deps));
  r.route('/app/api', appApiRoutes(deps));
  r.route('/', appRoutes(deps));
  // The read-only browser view: the home page and page/database URLs (web/browse.routes.ts).
  r.route('/', browseRoutes(deps));
  if (deps.emulator) r.route('/', requestLogRoutes(deps, deps.emulator.journal));
  return r;
}
