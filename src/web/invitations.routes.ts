/**
 * Invitation links (ops/invitations.ts).
 *
 * - `GET|POST /invite/<token>`: the invitee's page, server-rendered like sign-in (escaped HTML,
 *   the pre-session double-submit CSRF token and the origin check of web/session.ts, form bodies
 *   capped at 64 KB): name, password twice; accepted, the person is signed in and sent to `/app`.
 *   Openings of unknown, used, revoked or expired links are rate limited for the whole server
 *   (`INVITATION_POLICY`: 429 with `Retry-After`).
 * - `/app/api/members` and `/app/api/invitations`: the browser app's admin screen, authenticated
 *   as the app's other /app/api routes (session cookie and the session's CSRF token in
 *   `X-Octavo-CSRF`, else 401); only an admin may (403 `restricted_resource`). List the members
 *   (GET), list invitations (GET), invite (POST `{email, role?, days?}`: answers the link once),
 *   revoke (POST `/invitations/{id}/revoke`). Errors have Notion's shape.
 */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
import { hashPassword } from '../lib/password.ts';
import { actorForSession, checkPasswordStrength } from '../ops/accounts.ts';
import {
  acceptInvitation,
  createInvitation,
  INVITATION_DAYS,
  invitationPath,
  invitationStatus,
  listMembers,
  MAX_INVITATION_DAYS,
  openInvitation,
  ROLES,
  requireAdmin,
  revokeInvitation,
} from '../ops/invitations.ts';
import type { InvitationRow, StoreTx } from '../store/store.ts';
import { ApiError, errors } from '../wire/errors.ts';
import { parseWith } from '../wire/validation.ts';
import { type Html, html } from './html.ts';
import { layout, messagePage } from './pages.ts';
import {
  basePath,
  csrfValid,
  htmlHeaders,
  nowOf,
  preSessionCsrf,
  SESSION_COOKIE,
  setSessionCookie,
  type WebDeps,
} from './session.ts';

const CSRF_HEADER = 'x-octavo-csrf';

const InviteBody = z.strictObject({
  email: z.string().min(1),
  role: z.enum(ROLES).optional(),
  days: z.number().positive().max(MAX_INVITATION_DAYS).optional(),
});

function invitePage(input: {
  base: string;
  token: string;
  csrf: string;
  email: string;
  workspaceName: string;
  name?: string;
  error?: string;
}): Html {
  return layout(
    'Join',
    html`<h1>Join ${input.workspaceName}</h1>
<p>You were invited as <strong>${input.email}</strong>. Choose your name and a password (at least 8 characters).</p>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : null}
<form method="post" action="${input.base}${invitationPath(input.token)}">
<input type="hidden" name="csrf" value="${input.csrf}">
<label for="name">Name</label>
<input id="name" name="name" type="text" autocomplete="name" required maxlength="100" value="${input.name ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="8">
<label for="password2">Password again</label>
<input id="password2" name="password2" type="password" autocomplete="new-password" required minlength="8">
<button type="submit">Join</button>
</form>`,
  );
}

/** An invitation as the admin screen shows it: never the token's hash. */
function present(row: InvitationRow, now: Date) {
  return {
    object: 'invitation',
    id: row.id,
    email: row.email,
    role: row.role,
    status: invitationStatus(row, now),
    created_time: row.created_time,
    expires_time: row.expires_time,
    used_time: row.used_time,
    revoked_time: row.revoked_time,
  };
}

type Vars = { Variables: { adminId: string } };

export function invitationRoutes(deps: WebDeps) {
  const r = new Hono<Vars>();
  const now = () => nowOf(deps);
  const page = (c: Context, body: Html, status: 200 | 400 | 403 | 404 | 429 = 200) => {
    htmlHeaders(c);
    return c.html(body.text, status);
  };
  const forms = bodyLimit({
    maxSize: 64 * 1024,
    onError: (c) => page(c, messagePage('Too large', 'The form sent was too large.'), 400),
  });
  const notOpen = (c: Context, result: Awaited<ReturnType<typeof openInvitation>>) => {
    if (result.ok) throw new Error('open');
    if (result.reason === 'locked') {
      c.header('Retry-After', String(result.retryAfterSeconds));
      return page(
        c,
        messagePage('Too many attempts', 'Too many invalid invitation links. Try again later.'),
        429,
      );
    }
    return page(
      c,
      messagePage(
        'Invitation not valid',
        'This invitation link was already used, was revoked, or has expired. Ask an admin for a new one.',
      ),
      404,
    );
  };

  r.get('/invite/:token', async (c) => {
    const token = c.req.param('token');
    const opened = await openInvitation(deps.store, token, now());
    if (!opened.ok) return notOpen(c, opened);
    const csrf = preSessionCsrf(c, deps);
    return page(
      c,
      invitePage({
        base: basePath(deps.publicUrl),
        token,
        csrf,
        email: opened.invitation.email,
        workspaceName: deps.workspace.name,
      }),
    );
  });

  r.post('/invite/:token', forms, async (c) => {
    const token = c.req.param('token');
    const form = (await c.req.parseBody().catch(() => ({}))) as Record<string, unknown>;
    if (!csrfValid(c, deps, form.csrf as string | undefined, null))
      return page(
        c,
        messagePage(
          'Form expired',
          'This form expired or came from another site. Go back, reload and try again.',
        ),
        403,
      );
    const opened = await openInvitation(deps.store, token, now());
    if (!opened.ok) return notOpen(c, opened);
    const name = typeof form.name === 'string' ? form.name : '';
    const password = typeof form.password === 'string' ? form.password : '';
    const again = (error: string) =>
      page(
        c,
        invitePage({
          base: basePath(deps.publicUrl),
          token,
          csrf: preSessionCsrf(c, deps),
          email: opened.invitation.email,
          workspaceName: deps.workspace.name,
          name,
          error,
        }),
        400,
      );
    if (name.trim() === '' || name.trim().length > 100) return again('A name has 1 to 100 characters.');
    try {
      checkPasswordStrength(password);
    } catch (e) {
      if (e instanceof ApiError) return again(e.message);
      throw e;
    }
    if (form.password2 !== password) return again('The two passwords differ.');
    const passwordHash = await hashPassword(password);
    const accepted = await acceptInvitation(deps.store, {
      invitationId: opened.invitation.id,
      name,
      passwordHash,
      now: now(),
    }).catch((e: unknown) => {
      if (e instanceof ApiError && e.code === 'validation_error') return e;
      throw e;
    });
    if (accepted instanceof ApiError) return again(accepted.message);
    if (!accepted) return notOpen(c, { ok: false, reason: 'invalid' });
    setSessionCookie(c, deps, accepted.session);
    return c.redirect(`${basePath(deps.publicUrl)}/app`, 303);
  });

  // The admin screen's API.
  const adminAuth: MiddlewareHandler<Vars> = async (c, next) => {
    const session = getCookie(c, SESSION_COOKIE);
    const csrf = c.req.header(CSRF_HEADER);
    if (!session || !csrf) throw errors.unauthorized();
    const actor = await actorForSession(deps.store, session, csrf, now());
    if (!actor) throw errors.unauthorized();
    await deps.store.transaction((tx) => requireAdmin(tx, actor.botUserId));
    c.set('adminId', actor.botUserId);
    await next();
  };
  const limit = bodyLimit({
    maxSize: 64 * 1024,
    onError: () => {
      throw errors.validation('The request body is too large.');
    },
  });
  const tx = <T>(fn: (tx: StoreTx) => Promise<T>) => deps.store.transaction(fn);
  const json = async (c: Context) => {
    const text = await c.req.text();
    try {
      return text === '' ? {} : (JSON.parse(text) as unknown);
    } catch {
      throw errors.invalidJson();
    }
  };
  for (const path of ['/app/api/members', '/app/api/invitations', '/app/api/invitations/*'])
    r.use(path, adminAuth, limit);

  r.get('/app/api/members', async (c) => c.json({ object: 'list', results: await tx(listMembers) }));

  r.get('/app/api/invitations', async (c) => {
    const at = now();
    const rows = await tx((t) => t.invitations.list());
    return c.json({ object: 'list', results: rows.map((row) => present(row, at)) });
  });

  r.post('/app/api/invitations', async (c) => {
    const body = parseWith(InviteBody, await json(c));
    const at = now();
    const made = await tx((t) =>
      createInvitation(t, {
        email: body.email,
        role: body.role ?? 'member',
        days: body.days ?? INVITATION_DAYS,
        createdBy: c.get('adminId'),
        now: at,
      }),
    );
    return c.json({
      ...present(made.invitation, at),
      url: `${deps.publicUrl.replace(/\/$/, '')}${invitationPath(made.token)}`,
    });
  });

  r.post('/app/api/invitations/:id/revoke', async (c) => {
    const at = now();
    const row = await tx((t) => revokeInvitation(t, c.req.param('id'), at));
    return c.json(present(row, at));
  });
  return r;
}
