/**
 * The smaller endpoints of the newer surface (notion-api.md §3.2): custom emojis, async tasks,
 * and the AI-product endpoints Octavo does not serve (meeting notes, agents, sessions), which
 * answer a clear `invalid_request` naming what is missing instead of an unknown-URL error.
 */
import { Hono } from 'hono';
import { getTask } from '../../ops/async-tasks.ts';
import { listCustomEmojis } from '../../ops/custom-emojis.ts';
import { presentAsyncTask } from '../../present/async-task.present.ts';
import { presentCustomEmoji } from '../../present/custom-emoji.present.ts';
import { errors } from '../../wire/errors.ts';
import { settled } from '../async-tasks.ts';
import { authorize, opEnv, presentCtx, queryPagination } from '../kit.ts';
import { ok } from '../respond.ts';
import type { AppDeps, AppEnv } from '../types.ts';

/** Endpoints of Notion's AI products, by path prefix, and why Octavo has none. */
export const NOT_SERVED: ReadonlyArray<{ prefix: string; what: string }> = [
  { prefix: '/blocks/meeting_notes', what: 'meeting notes (Octavo records and transcribes no meetings)' },
  { prefix: '/agents', what: 'custom agents (Octavo runs no Notion AI agents)' },
  { prefix: '/threads', what: 'agent threads (Octavo runs no Notion AI agents)' },
  { prefix: '/sessions', what: 'agent sessions (Octavo runs no Notion AI agents)' },
  { prefix: '/external_agent_stub', what: 'external agents (Octavo runs no Notion AI agents)' },
];

export function workspaceExtrasRoutes(deps: AppDeps) {
  const r = new Hono<AppEnv>();

  r.get('/custom_emojis', async (c) => {
    authorize(c, 'custom_emojis.list');
    const { from, limit } = queryPagination(c);
    const name = c.req.query('name') ?? null;
    const ctx = presentCtx(c, deps);
    const page = await deps.store.transaction((tx) => listCustomEmojis(tx, name, from, limit));
    // Notion's list of emojis has no `custom_emoji: {}` key (SDK ListCustomEmojisResponse).
    return ok(c, {
      object: 'list',
      type: 'custom_emoji',
      results: page.items.map((e) => presentCustomEmoji(e, ctx)),
      has_more: page.next !== null,
      next_cursor: page.next,
    });
  });

  r.get('/async_tasks/:task_id', async (c) => {
    authorize(c, 'async_tasks.retrieve');
    const id = c.req.param('task_id');
    await settled(id);
    const row = await deps.store.transaction((tx) => getTask(tx, opEnv(c, deps), id));
    return ok(c, presentAsyncTask(row, deps.publicUrl));
  });

  for (const { prefix, what } of NOT_SERVED) {
    const refuse = () => {
      throw errors.unsupported(`${what}; see docs/compatibility.md`);
    };
    r.all(prefix, refuse);
    r.all(`${prefix}/*`, refuse);
  }
  return r;
}
