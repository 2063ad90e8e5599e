/**
 * The read-only face in the browser: `GET /` (what this server is, its pages, its integrations
 * and what is shared with them) and `GET /p/<Title->id` (the `url` the API hands out for pages and
 * databases). Signed-in workspace people only; anyone else is sent to sign in and back. Reads go
 * through ops (ops/browse.ts), the JSON presenters make the wire objects, and web/render.ts turns
 * them into escaped HTML.
 */
import { type Context, Hono } from 'hono';
import { normalizeId } from '../lib/ids.ts';
import {
  type BlockNode,
  type Opened,
  objectTitle,
  openObject,
  overview,
  personEnv,
  resolveNames,
} from '../ops/browse.ts';
import { isAdmin } from '../ops/invitations.ts';
import { presentBlock } from '../present/block.present.ts';
import type { PresentContext } from '../present/context.ts';
import { presentDatabase, presentDataSource, presentSchema } from '../present/database.present.ts';
import { applyMentionTargets, collectMentionIds } from '../present/mentions.present.ts';
import { pageUrl, presentPage } from '../present/page.present.ts';
import { ApiError } from '../wire/errors.ts';
import { API_VERSIONS } from '../wire/versions.ts';
import { about } from './about.ts';
import { type Html, html } from './html.ts';
import {
  browseLayout,
  databaseView,
  homeView,
  type Names,
  namedIds,
  pageView,
  type WireNode,
} from './render.ts';
import {
  htmlHeaders,
  nowOf,
  personPresentContext,
  type SignedIn,
  signedIn,
  signInRedirectUrl,
  type WebDeps,
} from './session.ts';

/** The newest API version: the wire objects rendered are the ones it answers. */
const VERSION = API_VERSIONS[API_VERSIONS.length - 1]!;

/** `Title-With-Dashes-<32 hex>` or `<32 hex>` (with or without dashes): the id, or null. */
export function idOfPageRef(ref: string): string | null {
  const m = /(?:^|-)([0-9a-f]{32})$/i.exec(ref);
  return m ? normalizeId(m[1]) : normalizeId(ref);
}

export function browseRoutes(deps: WebDeps) {
  const r = new Hono();
  /**
   * Links between these pages go to paths (with the public URL's path, for a proxy that adds
   * one), so they work whichever host name the browser used to get here.
   */
  const base = new URL(deps.publicUrl).pathname.replace(/\/+$/, '');

  /** Headers of a browsing page: those of every HTML page, with images and media allowed. */
  const headers = (c: Context) => {
    htmlHeaders(c);
    const origins = new Set(["'self'", new URL(deps.publicUrl).origin, 'https:', 'data:']);
    const sources = [...origins].join(' ');
    c.header(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'unsafe-inline'; img-src ${sources}; media-src ${sources}; ` +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
  };

  const send = (c: Context, me: SignedIn, title: string, body: Html, status: 200 | 400 | 404 = 200) => {
    headers(c);
    const user = { name: me.user.name, email: me.user.email ?? '' };
    return c.html(
      browseLayout({ base, title, workspaceName: deps.workspace.name, user, csrf: me.csrf, body }).text,
      status,
    );
  };

  /** The signed-in person, or a redirect to the sign-in page that comes back here. */
  const person = async (c: Context): Promise<SignedIn | Response> => {
    const me = await signedIn(c, deps);
    if (me) return me;
    const url = new URL(c.req.url);
    htmlHeaders(c);
    return c.redirect(signInRedirectUrl(deps, url.pathname + url.search), 303);
  };

  const presentCtx = (env: ReturnType<typeof personEnv>): PresentContext =>
    personPresentContext(deps, env.actor, VERSION);

  const envOf = (me: SignedIn) =>
    personEnv(me.user, { now: nowOf(deps).toISOString(), publicUrl: deps.publicUrl, files: deps.files });

  const link = (row: Parameters<typeof objectTitle>[0]) => {
    const title = objectTitle(row);
    return { title, url: pageUrl(base, row.id, title), kind: row.type };
  };

  r.get('/', async (c) => {
    const me = await person(c);
    if (me instanceof Response) return me;
    const [info, admin] = await deps.store.transaction(async (tx) => [
      await overview(tx),
      await isAdmin(tx, me.user.id),
    ]);
    // The request log is for admins (requests.routes.ts): linked for them only.
    const log = deps.emulator && admin;
    const { version, homepage } = about();
    return send(
      c,
      me,
      deps.workspace.name,
      homeView({
        base,
        workspaceName: deps.workspace.name,
        version,
        engine: deps.store.engine,
        homepage,
        pages: info.workspacePages.map(link),
        integrations: info.integrations.map((i) => ({
          name: i.row.name,
          kind: i.installedByOauth ? 'public (installed with OAuth)' : 'internal',
          revoked: i.row.revoked_time !== null,
          capabilities: JSON.parse(i.row.capabilities) as string[],
          shared: i.shared.map(link),
          ...(log ? { requests: `${base}/requests?integration=${encodeURIComponent(i.row.id)}` } : {}),
        })),
        ...(log ? { requestLog: `${base}/requests` } : {}),
      }),
    );
  });

  r.get('/p/:ref', async (c) => {
    const me = await person(c);
    if (me instanceof Response) return me;
    const id = idOfPageRef(c.req.param('ref'));
    const notFound = () =>
      send(c, me, 'Not found', messageBody('Not found', 'There is no page here, or it was deleted.'), 404);
    if (!id) return notFound();
    const sourceId = normalizeId(c.req.query('source')) ?? undefined;
    const rawCursor = c.req.query('cursor');
    const cursor = rawCursor === undefined ? null : normalizeId(rawCursor);
    if (rawCursor !== undefined && !cursor) return notFound();
    const env = envOf(me);
    const ctx = presentCtx(env);
    try {
      const shown = await deps.store.transaction(async (tx) => {
        const opened = await openObject(tx, env, id, { version: VERSION, sourceId, cursor });
        const wire = toWire(opened, ctx);
        const ids = collectMentionIds(wire);
        namedIds(wire, ids);
        const targets = await resolveNames(tx, env, ids);
        applyMentionTargets(wire, targets, deps.publicUrl);
        localUrls(wire, deps.publicUrl, base);
        const names: Names = { publicUrl: base, ...targets };
        return { opened, wire, names };
      });
      const trail = shown.opened.ancestors.map(link);
      const path = new URL(c.req.url).pathname;
      if (shown.wire.kind === 'page' && shown.opened.kind === 'page') {
        const self = link(shown.opened.page.row);
        return send(
          c,
          me,
          self.title,
          pageView({
            page: shown.wire.page,
            content: shown.wire.content,
            truncated: shown.opened.truncated,
            trail: [...trail, self],
            names: shown.names,
            ...(shown.wire.schema ? { schema: shown.wire.schema } : {}),
          }),
        );
      }
      if (shown.wire.kind === 'database' && shown.opened.kind === 'database') {
        const self = link(shown.opened.database.row);
        return send(
          c,
          me,
          self.title,
          databaseView({
            database: shown.wire.database,
            sources: shown.wire.sources.map((s) => ({
              source: s.source,
              rows: s.rows,
              nextHref: s.next ? `${path}?${new URLSearchParams({ source: s.id, cursor: s.next })}` : null,
            })),
            trail: [...trail, self],
            names: shown.names,
          }),
        );
      }
      return notFound();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'object_not_found') return notFound();
      if (e instanceof ApiError && e.code === 'validation_error')
        return send(c, me, 'Cannot show this', messageBody('Cannot show this', e.message), 400);
      throw e;
    }
  });

  return r;
}

const messageBody = (title: string, message: string): Html =>
  html`<h1>${title}</h1><p role="alert">${message}</p>`;

/** Every `url`/`href` of this server in `value` (in place) as a path under `base`. */
function localUrls(value: unknown, publicUrl: string, base: string): void {
  if (typeof value !== 'object' || value === null) return;
  const o = value as Record<string, unknown>;
  for (const key in o) {
    const v = o[key];
    if ((key === 'url' || key === 'href') && typeof v === 'string' && v.startsWith(`${publicUrl}/`))
      o[key] = base + v.slice(publicUrl.length);
    else localUrls(v, publicUrl, base);
  }
}

type Wire = Record<string, unknown>;
type WireView =
  | { kind: 'page'; page: Wire; content: WireNode[]; schema?: Wire }
  | {
      kind: 'database';
      database: Wire;
      sources: { id: string; source: Wire; rows: Wire[]; next: string | null }[];
    };

/** The JSON presenters' objects for what was opened (mentions still to be resolved). */
function toWire(opened: Opened, ctx: PresentContext): WireView {
  const node = (n: BlockNode): WireNode => ({
    block: presentBlock(n.row, ctx) as unknown as Wire,
    children: n.children.map(node),
  });
  if (opened.kind === 'page') {
    const { source } = opened.page;
    return {
      kind: 'page',
      page: presentPage(opened.page.row, ctx, source) as unknown as Wire,
      content: opened.blocks.map(node),
      ...(source ? { schema: presentSchema(source.schema, ctx) as Wire } : {}),
    };
  }
  const db = opened.database;
  return {
    kind: 'database',
    database: presentDatabase(db.row, db.dataSources, ctx) as unknown as Wire,
    sources: opened.sources.map((s) => ({
      id: s.row.id,
      source: presentDataSource(s.row, db.row, ctx) as unknown as Wire,
      rows: s.records.map((rec) => presentPage(rec.row, ctx, rec.source) as unknown as Wire),
      next: s.next,
    })),
  };
}
