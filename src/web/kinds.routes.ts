/**
 * `GET /app/api/kinds/{id}` (mounted by app-api.routes.ts, which authenticates the person): what
 * an id names — `{object: "kind", id, kind}` with `kind` one of `page`, `database`,
 * `data_source` — or 404 `object_not_found` (no such id, an id the person cannot see, a content
 * block). The browser app opens any id at `/app/p/<id>` and asks this first, so that each id goes
 * to the /v1 endpoint that serves it: in Notion's API a data source's id is not a block, so
 * `GET /v1/blocks/{id}` cannot say. A page comes with its page object (`page`, as
 * `GET /v1/pages/{id}` answers it at the request's Notion-Version, by default the app's), so
 * opening a page by its address costs one request before its content, not two. Any signed-in
 * person may: the answer is what the person's /v1 requests would show them.
 */
import { Hono } from 'hono';
import { normalizeId } from '../lib/ids.ts';
import type { OpEnv } from '../ops/env.ts';
import { resolveMentionTargets } from '../ops/mentions.ts';
import { namedObject } from '../ops/object-kind.ts';
import { applyMentionTargets, collectMentionIds } from '../present/mentions.present.ts';
import { presentPage } from '../present/page.present.ts';
import { validationError } from '../wire/validation.ts';
import { type ApiVersion, isApiVersion } from '../wire/versions.ts';
import type { AppApiEnv } from './app-api.ts';
import { nowOf, personPresentContext, type WebDeps } from './session.ts';

/** The version the app speaks (web/client/api.ts `NOTION_VERSION`), when the request names none. */
const APP_VERSION: ApiVersion = '2025-09-03';

export function kindAppRoutes(deps: WebDeps) {
  const r = new Hono<AppApiEnv>();
  r.get('/kinds/:id', async (c) => {
    const raw = c.req.param('id');
    const id = normalizeId(raw);
    if (!id)
      throw validationError('path', { path: ['id'], expectation: 'should be a valid uuid', value: raw });
    const asked = c.req.header('notion-version') ?? '';
    const version = isApiVersion(asked) ? asked : APP_VERSION;
    const now = nowOf(deps);
    const env: OpEnv = {
      actor: c.get('person'),
      now: now.toISOString(),
      publicUrl: deps.publicUrl,
      ...(deps.files ? { files: deps.files } : {}),
    };
    const ctx = personPresentContext(deps, env.actor, version, () => now);
    const answer = await deps.store.read(async (tx) => {
      const named = await namedObject(tx, env, id);
      if (!named.page) return { object: 'kind', id, kind: named.kind };
      const page = presentPage(named.page.row, ctx, named.page.source);
      // Mentions in the page's properties read as the person sees them, as on /v1.
      const ids = collectMentionIds(page);
      if (ids.objects.size > 0 || ids.users.size > 0) {
        applyMentionTargets(page, await resolveMentionTargets(tx, env, ids), deps.publicUrl);
      }
      return { object: 'kind', id, kind: named.kind, page };
    });
    return c.json(answer);
  });
  return r;
}
