/**
 * The browser side of OAuth without a browser: a cookie jar over the app's in-process fetch, and
 * the sign-in and consent forms filled as a person would (their CSRF tokens read from the HTML).
 * The Chromium test (test/e2e/oauth-browser.test.ts) does the same in a real browser.
 */
import type { Client } from '@notionhq/client';
import type { Capability } from '../../src/domain/capabilities.ts';
import { hashPassword } from '../../src/lib/password.ts';
import { createPublicIntegration } from '../../src/oauth/clients.ts';
import { createPersonWithPassword } from '../../src/ops/accounts.ts';
import { BASE_URL, type Harness } from './harness.ts';

export class Jar {
  readonly cookies = new Map<string, string>();
  private readonly h: Harness;
  constructor(h: Harness) {
    this.h = h;
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await this.h.app.request(`${BASE_URL}${path}`, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** POSTs a form (urlencoded, repeated keys for arrays). */
  post(path: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: body.toString(),
    });
  }
}

/** The CSRF token of the first form in `html`. */
export function csrfOf(html: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no csrf field in:\n${html.slice(0, 500)}`);
  return m[1]!;
}

let people = 0;

/**
 * A person with a password. Hashed at a low scrypt cost so that suites making dozens of people
 * stay fast (the stored hash carries its cost; test/lib/password.test.ts and the CLI tests use
 * the default one).
 */
export async function newPerson(h: Pick<Harness, 'store'>, password = 'correct horse battery') {
  const email = `person${++people}-${Date.now()}@example.com`;
  const passwordHash = await hashPassword(password, { logN: 10, r: 8, p: 1 });
  const user = await h.store.transaction((tx) =>
    createPersonWithPassword(tx, {
      name: `Person ${people}`,
      email,
      passwordHash,
      now: new Date().toISOString(),
    }),
  );
  return { user, email, password };
}

/** A person with a password who is a workspace admin (may manage integrations, webhooks, …). */
export async function newAdmin(h: Pick<Harness, 'store'>, password?: string) {
  const made = await newPerson(h, password);
  await h.store.transaction((tx) => tx.invitations.setRole(made.user.id, 'admin'));
  return made;
}

let clients = 0;

export async function newPublicIntegration(
  h: Pick<Harness, 'store'>,
  options: { redirectUris?: string[]; capabilities?: Capability[] } = {},
) {
  const redirectUris = options.redirectUris ?? ['https://client.example/callback'];
  const { client, secret } = await h.store.transaction((tx) =>
    createPublicIntegration(tx, {
      name: `Public app ${++clients}`,
      redirectUris,
      capabilities: options.capabilities ?? [
        'read_content',
        'update_content',
        'insert_content',
        'read_users',
      ],
      now: new Date().toISOString(),
    }),
  );
  return { client_id: client.id, client_secret: secret, name: client.name, redirectUris };
}

/** Signs in through the form; answers the response to the POST. */
export async function signInWith(jar: Jar, email: string, password: string, next?: string) {
  const form = await jar.fetch(`/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  const csrf = csrfOf(await form.text());
  return jar.post('/sign-in', { csrf, email, password, ...(next ? { next } : {}) });
}

export type AuthorizeQuery = Record<string, string>;

/** Opens the consent page for `query` (signed in) and submits it; answers the redirect. */
export async function consent(
  jar: Jar,
  query: AuthorizeQuery,
  choice: { pages: string[]; decision: 'allow' | 'deny' },
): Promise<Response> {
  const qs = new URLSearchParams(query).toString();
  const page = await jar.fetch(`/v1/oauth/authorize?${qs}`);
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${await page.text()}`);
  const csrf = csrfOf(await page.text());
  return jar.post('/v1/oauth/authorize', { ...query, csrf, pages: choice.pages, decision: choice.decision });
}

/** The query parameters of a redirect's Location. */
export function redirectParams(res: Response): URLSearchParams {
  const location = res.headers.get('location');
  if (!location) throw new Error(`no redirect (status ${res.status})`);
  return new URL(location).searchParams;
}

/** Signs a new person in, has them accept `pages` for the client, and answers the code. */
export async function authorizeCode(
  h: Harness,
  app: { client_id: string },
  pages: string[],
  query: Partial<AuthorizeQuery> = {},
) {
  const person = await newPerson(h);
  const jar = new Jar(h);
  await signInWith(jar, person.email, person.password);
  const res = await consent(
    jar,
    {
      client_id: app.client_id,
      response_type: 'code',
      owner: 'user',
      state: 'st-1',
      ...query,
    } as AuthorizeQuery,
    { pages, decision: 'allow' },
  );
  const params = redirectParams(res);
  const code = params.get('code');
  if (!code) throw new Error(`no code: ${res.headers.get('location')}`);
  return { code, state: params.get('state'), person, jar };
}

/** An SDK client without a token, for client.oauth.* calls. */
export function oauthClient(h: Harness): Client {
  return h.client({ token: '' });
}
