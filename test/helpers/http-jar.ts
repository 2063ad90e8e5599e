/**
 * A signed-in person over real HTTP: a cookie jar on `fetch` against a running server, signed in
 * through the sign-in form, with the session's CSRF token for `/v1` and `/app/api` requests.
 */
import { expect } from 'vitest';
import { csrfOf } from './oauth.ts';

export class HttpJar {
  readonly cookies = new Map<string, string>();
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(`${this.base}${path}`, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const value = pair!.slice(eq + 1);
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(pair!.slice(0, eq));
      else this.cookies.set(pair!.slice(0, eq), value);
    }
    return res;
  }
  form(path: string, fields: Record<string, string>) {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

/** A person signed in through the form; `call` sends JSON with the CSRF header. */
export async function signedInJar(base: string, email: string, password: string) {
  const jar = new HttpJar(base);
  const form = await jar.fetch('/sign-in');
  const res = await jar.form('/sign-in', { csrf: csrfOf(await form.text()), email, password });
  expect(res.status).toBe(303);
  const csrf = csrfOf(await (await jar.fetch('/sign-in')).text());
  /** A JSON request as the person (`/v1/…` with Notion-Version, or `/app/api/…`). */
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }> => {
    const headers: Record<string, string> = { 'x-octavo-csrf': csrf, 'notion-version': '2025-09-03' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await jar.fetch(path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as T };
  };
  return { jar, csrf, call };
}
