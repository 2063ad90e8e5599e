/**
 * The browser app's only way to the server: Notion's public /v1 API, sent with the session
 * cookie and the session's CSRF token (from the shell's meta tag) in `X-Octavo-CSRF`, so every
 * request acts as the signed-in person through the same operations as an integration's.
 *
 * Behind a reverse proxy that serves Octavo under a path prefix, the shell names the prefix in
 * `octavo-base` (web/app.routes.ts): every server path the app requests, links to or goes to
 * starts with it (`serverPath`).
 */

/** The API version the app speaks. */
export const NOTION_VERSION = '2025-09-03';

/** A meta tag of the shell; '' outside a browser (the conversion modules' tests load this file). */
const meta = (name: string) =>
  typeof document === 'undefined'
    ? ''
    : (document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? '');

export const session = {
  csrf: meta('octavo-csrf'),
  userName: meta('octavo-user'),
  workspace: meta('octavo-workspace'),
  /** `admin` or `member`: whether the workspace screens are the person's to manage. */
  role: meta('octavo-role'),
  /** The path prefix the server is reached under (`''`, or e.g. `/octavo`). */
  base: meta('octavo-base'),
};

/** A server path (`/v1/…`, `/app/…`, `/p/…`) as the browser reaches it: with the prefix. */
export const serverPath = (path: string) => `${session.base}${path}`;

/** The address bar's path without the prefix (what the server's routes see). */
export const pathInApp = () =>
  session.base && location.pathname.startsWith(session.base)
    ? location.pathname.slice(session.base.length) || '/'
    : location.pathname;

/** A failed API call: Notion's error code and message. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

type Json = Record<string, unknown>;

/** Calls `/v1${path}`; resolves to the JSON body, rejects with an ApiFailure. */
export function api<T = Json>(method: string, path: string, body?: unknown): Promise<T> {
  return call<T>(serverPath(`/v1${path}`), method, body);
}

/**
 * Calls `/app/api${path}`, what is not part of Notion's API (what an id names, the workspace
 * administration: integrations, connections, …); the same session, CSRF header and errors as `api`.
 */
export function adminApi<T = Json>(method: string, path: string, body?: unknown): Promise<T> {
  return call<T>(serverPath(`/app/api${path}`), method, body);
}

async function call<T>(url: string, method: string, body: unknown): Promise<T> {
  const headers: Record<string, string> = {
    'Notion-Version': NOTION_VERSION,
    'X-Octavo-CSRF': session.csrf,
  };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json().catch(() => ({}))) as Json;
  if (res.status === 401) {
    // Signed out (elsewhere, or the session expired): back to the sign-in page.
    location.assign(serverPath(`/sign-in?next=${encodeURIComponent(pathInApp())}`));
  }
  if (!res.ok) {
    throw new ApiFailure(res.status, String(json.code ?? 'error'), String(json.message ?? res.statusText));
  }
  return json as T;
}

export interface RichText {
  plain_text: string;
}

export interface Icon {
  type: 'emoji' | 'external' | 'file' | 'custom_emoji';
  emoji?: string;
  external?: { url: string };
  file?: { url: string };
  custom_emoji?: { url: string; name: string };
}

export interface Parent {
  type: 'workspace' | 'page_id' | 'block_id' | 'database_id' | 'data_source_id';
  page_id?: string;
  block_id?: string;
  database_id?: string;
  data_source_id?: string;
}

export interface Page {
  object: 'page';
  id: string;
  parent: Parent;
  in_trash: boolean;
  icon: Icon | null;
  cover: { type: 'external' | 'file'; external?: { url: string }; file?: { url: string } } | null;
  properties: Record<string, { type: string; title?: RichText[] }>;
  last_edited_time: string;
  url: string;
}

export interface Block {
  object: 'block';
  id: string;
  type: string;
  parent: Parent;
  has_children: boolean;
  in_trash?: boolean;
  [type: string]: unknown;
}

interface List<T> {
  results: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/** The plain title of a page. */
export function pageTitle(page: Page): string {
  const prop = Object.values(page.properties).find((p) => p.type === 'title');
  return (prop?.title ?? []).map((t) => t.plain_text).join('');
}

export const titleProperty = (text: string) => ({
  title: { title: text ? [{ type: 'text', text: { content: text } }] : [] },
});

/** Every page of a listing, following cursors (at most `max` items). */
async function all<T>(fetchPage: (cursor: string | null) => Promise<List<T>>, max = 10_000): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page: List<T> = await fetchPage(cursor);
    out.push(...page.results);
    cursor = page.has_more ? page.next_cursor : null;
  } while (cursor && out.length < max);
  return out;
}

/** A block's direct children, every page of them. */
export function listChildren(id: string): Promise<Block[]> {
  return all((cursor) =>
    api<List<Block>>('GET', `/blocks/${id}/children?page_size=100${cursor ? `&start_cursor=${cursor}` : ''}`),
  );
}

/** A block's children with their own children nested under `children`, depth first. */
export async function loadTree(id: string): Promise<(Block & { children?: Block[] })[]> {
  const blocks = await listChildren(id);
  return Promise.all(
    blocks.map(async (b) =>
      // A child page's or database's content is its own, not this page's.
      b.has_children && b.type !== 'child_page' && b.type !== 'child_database'
        ? { ...b, children: await loadTree(b.id) }
        : b,
    ),
  );
}

/** Pages whose title matches `query` (POST /v1/search), most recently edited first. */
export function searchPages(query: string, max = 10_000): Promise<Page[]> {
  return all(
    (cursor) =>
      api<List<Page>>('POST', '/search', {
        query,
        filter: { property: 'object', value: 'page' },
        sort: { timestamp: 'last_edited_time', direction: 'descending' },
        page_size: 100,
        ...(cursor ? { start_cursor: cursor } : {}),
      }),
    max,
  );
}

export const getPage = (id: string) => api<Page>('GET', `/pages/${id}`);
export const getBlock = (id: string) => api<Block>('GET', `/blocks/${id}`);

/** What an id names, so the app asks the endpoint that serves it (and no 404 is logged). */
export type ObjectKind = 'page' | 'database' | 'data_source';
const kinds = new Map<string, ObjectKind>();
const bareId = (id: string) => id.replaceAll('-', '').toLowerCase();

/** Notes what `id` names, learnt where the app met it (the sidebar, a block, a parent). */
export function rememberKind(id: string, kind: ObjectKind): void {
  kinds.set(bareId(id), kind);
}

/** What an id names, and for a page, the page (when it was asked for just now). */
export interface Named {
  kind: ObjectKind;
  page?: Page;
}

/**
 * What `id` names: known from where the app met it (no request), else `GET /app/api/kinds/{id}`,
 * which answers a page together with its page object (so opening a page by its address costs
 * one request before its content). Null when the id names nothing the person can open (not
 * found, or a content block). Not `GET /v1/blocks/{id}`: a data source's id is not a block
 * there, as in Notion.
 */
export async function objectKind(id: string): Promise<Named | null> {
  const known = kinds.get(bareId(id));
  if (known) return { kind: known };
  let named: { kind: ObjectKind; page?: Page };
  try {
    named = await adminApi<{ kind: ObjectKind; page?: Page }>('GET', `/kinds/${encodeURIComponent(id)}`);
  } catch (e) {
    if (e instanceof ApiFailure && (e.status === 404 || e.status === 400)) return null;
    throw e;
  }
  rememberKind(id, named.kind);
  return named.page ? { kind: named.kind, page: named.page } : { kind: named.kind };
}

export function createPage(parentId: string | null, title: string): Promise<Page> {
  return api<Page>('POST', '/pages', {
    parent: parentId ? { page_id: parentId } : { workspace: true },
    properties: titleProperty(title),
  });
}

export const renamePage = (id: string, title: string) =>
  api<Page>('PATCH', `/pages/${id}`, { properties: titleProperty(title) });

export const setTrashed = (id: string, inTrash: boolean) =>
  api<Page>('PATCH', `/pages/${id}`, { in_trash: inTrash });

export const movePage = (id: string, parentId: string) =>
  api<Page>('POST', `/pages/${id}/move`, { parent: { type: 'page_id', page_id: parentId } });
