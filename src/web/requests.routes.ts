/**
 * `GET /requests`: the request journal (ops/emulator.ts) in the browser, for workspace admins
 * (a member is answered 403, as the app's request log: app-api.routes.ts), newest first, filtered like `octavo requests` (`integration`, a name or id; `status`,
 * `404` or `4xx`). The home page links to it, and each integration to its own requests. What an
 * entry shows is what `GET /_octavo/requests` answers: bodies cut at the journal's limit, the
 * Authorization header with the token hidden.
 */
import { Hono } from 'hono';
import type { JournalEntry, RequestJournal } from '../ops/emulator.ts';
import { isAdmin } from '../ops/invitations.ts';
import { type Html, html } from './html.ts';
import { messagePage } from './pages.ts';
import { browseLayout } from './render.ts';
import { basePath, htmlHeaders, signedIn, signInRedirectUrl, type WebDeps } from './session.ts';

/** At most this many entries on the page (the newest). */
const SHOWN = 200;

export function requestLogRoutes(deps: WebDeps, journal: RequestJournal) {
  const r = new Hono();
  const base = basePath(deps.publicUrl);

  r.get('/requests', async (c) => {
    const me = await signedIn(c, deps);
    htmlHeaders(c);
    if (!me) {
      const url = new URL(c.req.url);
      return c.redirect(signInRedirectUrl(deps, url.pathname + url.search), 303);
    }
    if (!(await deps.store.transaction((tx) => isAdmin(tx, me.user.id))))
      return c.html(messagePage('Request log', 'Only a workspace admin may read the request log.').text, 403);
    const integration = c.req.query('integration')?.trim() || undefined;
    const status = c.req.query('status')?.trim() || undefined;
    const valid = status === undefined || /^[1-5](xx|\d\d)$/i.test(status);
    const found = valid ? journal.list({ integration, status }) : [];
    const body = requestLogView({ base, journal, integration, status, valid, found });
    const user = { name: me.user.name, email: me.user.email ?? '' };
    return c.html(
      browseLayout({
        base,
        title: 'Request log',
        workspaceName: deps.workspace.name,
        user,
        csrf: me.csrf,
        body,
      }).text,
      valid ? 200 : 400,
    );
  });
  return r;
}

export function requestLogView(input: {
  base: string;
  journal: RequestJournal;
  integration: string | undefined;
  status: string | undefined;
  valid: boolean;
  found: JournalEntry[];
}): Html {
  const { journal, found } = input;
  const shown = found.slice(-SHOWN).reverse();
  const filtered = input.integration !== undefined || input.status !== undefined;
  return html`<h1>Request log</h1>
<p class="muted">The last ${journal.size} requests to <code>/v1</code> this server answered, newest first, kept in
its memory: bodies cut at ${Math.round(journal.bodyLimit / 1024)} KiB, tokens hidden. The same as
<code>octavo requests</code> and <code>GET /_octavo/requests</code>.</p>
<form method="get" action="${input.base}/requests" class="filters">
<label>Integration (name or id) <input name="integration" value="${input.integration ?? ''}"></label>
<label>Status <input name="status" value="${input.status ?? ''}" placeholder="4xx" size="5"></label>
<button type="submit">Filter</button>${filtered ? html` <a href="${input.base}/requests">all requests</a>` : null}
</form>
${input.valid ? null : html`<p class="notice">The status should be like 404 or 4xx.</p>`}
${
  shown.length === 0
    ? html`<p class="muted">${filtered ? 'No request matches.' : 'No requests yet.'}</p>`
    : html`<p class="muted">${found.length > SHOWN ? `The newest ${SHOWN} of ${found.length}.` : `${found.length} shown.`}</p>
<style>table.requests pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: .25rem 0; }
table.requests tr.more td { border-top: none; } table.requests { font-size: .9rem; }</style>
<div class="table-wrap"><table class="requests">
<tr><th>#</th><th>Request</th><th>Status</th><th>Took</th><th>Integration</th><th>Time (UTC)</th></tr>
${shown.map((e) => entryRow(input.base, e))}
</table></div>`
}`;
}

function entryRow(base: string, e: JournalEntry): Html {
  const who = e.integration
    ? html`<a href="${base}/requests?integration=${encodeURIComponent(e.integration.id)}">${e.integration.name}</a>`
    : html`<span class="muted">none</span>`;
  const status = e.status === 599 ? html`599 <span class="muted">(dropped)</span>` : e.status;
  return html`<tr id="r${e.seq}"><td>${e.seq}</td><td><code>${e.method} ${e.path}${e.query}</code></td>
<td>${status}</td><td>${e.latency_ms} ms</td><td>${who}</td><td>${e.time.replace('T', ' ')}</td></tr>
<tr class="more"><td></td><td colspan="5"><details><summary>details</summary>
<dl class="facts">
<dt>Request id</dt><dd>${e.request_id ?? '—'}</dd>
<dt>Authorization</dt><dd><code>${e.authorization ?? '—'}</code></dd>
${e.fault ? html`<dt>Fault rule</dt><dd>${e.fault}</dd>` : null}
</dl>
${bodyOf('Request body', e.request_body)}${bodyOf('Response body', e.response_body)}
</details></td></tr>`;
}

/** A body as kept, indented when it is whole JSON. */
function bodyOf(label: string, text: string | null): Html | null {
  if (!text) return null;
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // cut at the limit, or not JSON: as it is
  }
  return html`<p class="muted">${label}</p><pre><code>${shown}</code></pre>`;
}
