/** The server-rendered pages: a layout, the sign-in form, the consent form, a message page. */
import type { Capability } from '../domain/capabilities.ts';
import { type Html, html, trusted } from './html.ts';

const STYLE = trusted(`
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f7f6f3; color: #37352f; }
  main { max-width: 28rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 8px;
         box-shadow: 0 1px 3px rgba(0,0,0,.15); }
  h1 { font-size: 1.4rem; margin-top: 0; }
  label { display: block; margin: .75rem 0 .25rem; }
  input[type=email], input[type=password] { width: 100%; box-sizing: border-box; padding: .5rem;
         font: inherit; border: 1px solid #ccc; border-radius: 4px; }
  fieldset { border: 1px solid #ddd; border-radius: 4px; margin: 1rem 0; }
  fieldset label { display: flex; gap: .5rem; align-items: center; margin: .25rem 0; }
  button { font: inherit; padding: .5rem 1rem; margin: 1rem .5rem 0 0; border-radius: 4px;
           border: 1px solid #2383e2; background: #2383e2; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #37352f; border-color: #ccc; }
  button:focus-visible, input:focus-visible { outline: 3px solid #9ac7f5; outline-offset: 2px; }
  .error { color: #b3261e; } .muted { color: #6b6b6b; font-size: .9rem; }
`);

export function layout(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Octavo</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

export function messagePage(title: string, message: string): Html {
  return layout(title, html`<h1>${title}</h1><p role="alert">${message}</p>`);
}

export function signInPage(input: {
  /** The path prefix of a server behind a proxy (web/session.ts basePath), or ''. */
  base: string;
  csrf: string;
  next: string | null;
  email?: string;
  error?: string;
  workspaceName: string;
}): Html {
  return layout(
    'Sign in',
    html`<h1>Sign in to ${input.workspaceName}</h1>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : null}
<form method="post" action="${input.base}/sign-in">
<input type="hidden" name="csrf" value="${input.csrf}">
${input.next ? html`<input type="hidden" name="next" value="${input.next}">` : null}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${input.email ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function signedInPage(input: { base: string; name: string; email: string; csrf: string }): Html {
  return layout(
    'Signed in',
    html`<h1>Signed in</h1><p>You are signed in as ${input.name} (${input.email}).</p>
<p><a href="${input.base}/app">Open the editor</a> · <a href="${input.base}/">Browse the workspace (read-only)</a></p>
<form method="post" action="${input.base}/sign-out"><input type="hidden" name="csrf" value="${input.csrf}">
<button type="submit" class="secondary">Sign out</button></form>`,
  );
}

const CAPABILITY_TEXT: Record<Capability, string> = {
  read_content: 'Read the content of the pages you pick',
  update_content: 'Edit the content of those pages',
  insert_content: 'Add content to those pages',
  read_comments: 'Read comments',
  insert_comments: 'Write comments',
  read_users: 'See the workspace’s people',
  read_user_emails: 'See the email addresses of the workspace’s people',
};

export function consentPage(input: {
  base: string;
  integrationName: string;
  workspaceName: string;
  user: { name: string; email: string };
  capabilities: readonly Capability[];
  pages: { id: string; title: string }[];
  /** The authorize parameters, repeated as hidden fields. */
  params: Record<string, string>;
  csrf: string;
  error?: string;
}): Html {
  const hidden = Object.entries(input.params).map(
    ([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`,
  );
  const pages = input.pages.map(
    (p) => html`<label><input type="checkbox" name="pages" value="${p.id}"> ${p.title || 'Untitled'}</label>`,
  );
  return layout(
    `Connect ${input.integrationName}`,
    html`<h1>${input.integrationName} wants to connect to ${input.workspaceName}</h1>
<p class="muted">Signed in as ${input.user.name} (${input.user.email}).</p>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : null}
<p>It will be able to:</p>
<ul>${input.capabilities.map((c) => html`<li>${CAPABILITY_TEXT[c]}</li>`)}</ul>
<form method="post" action="${input.base}/v1/oauth/authorize">
<input type="hidden" name="csrf" value="${input.csrf}">
${hidden}
<fieldset><legend>Pages it may access (and everything inside them)</legend>
${pages.length > 0 ? pages : html`<p class="muted">The workspace has no pages yet.</p>`}
</fieldset>
<button type="submit" name="decision" value="allow">Allow access</button>
<button type="submit" name="decision" value="deny" class="secondary">Cancel</button>
</form>`,
  );
}
