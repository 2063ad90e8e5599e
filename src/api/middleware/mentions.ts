/**
 * Mentions as the reader sees them. A success body that holds page, database or user mentions
 * (marked by `ok()`) gets their text decided again for the integration reading it, whatever
 * endpoint presented it: current titles of what it can see, "Untitled" for what it cannot (the
 * same as for an id that does not exist), user names only with a user-information capability.
 */
import type { MiddlewareHandler } from 'hono';
import { resolveMentionTargets } from '../../ops/mentions.ts';
import { applyMentionTargets, collectMentionIds } from '../../present/mentions.present.ts';
import { opEnv } from '../kit.ts';
import { jsonBytes } from '../respond.ts';
import type { AppDeps, AppEnv } from '../types.ts';

export function readerMentions(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const body = c.get('mentioned');
    if (!body || c.res.status !== 200) return;
    const ids = collectMentionIds(body);
    if (ids.objects.size === 0 && ids.users.size === 0) return;
    const env = opEnv(c, deps);
    const targets = await deps.store.read((tx) => resolveMentionTargets(tx, env, ids));
    applyMentionTargets(body, targets, deps.publicUrl);
    c.res = jsonBytes(c, JSON.stringify(body));
  };
}
