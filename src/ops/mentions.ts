/**
 * What the objects and users that mentions name look like to one integration: the titles of the
 * pages, databases and data sources it can see, and the names of users when it may read users.
 * Used when a mention is written (its stored text is the writer's view) and again for every
 * response that carries mentions (the reader's view, api/middleware/mentions.ts).
 */
import { can } from '../domain/capabilities.ts';
import { plainText, type RichText } from '../domain/rich-text.ts';
import type { MentionIds, MentionTargets } from '../present/mentions.present.ts';
import { pageTitle } from '../present/page.present.ts';
import type { BlockView, StoreTx } from '../store/store.ts';
import { canSee, type OpEnv } from './env.ts';

/** The title a mention of `row` shows, or null when `row` is not a mentionable object. */
function titleOf(row: BlockView): string | null {
  if (row.type === 'page') return plainText(pageTitle(row));
  if (row.type === 'database' || row.type === 'data_source') {
    const data = JSON.parse(row.data) as { title?: RichText };
    return plainText(data.title ?? []);
  }
  return null;
}

/**
 * Titles of the objects in `ids.objects` that the acting integration can see, and names of the
 * users in `ids.users` when it has a user-information capability. Anything else is left out, so
 * a missing object and an unshared one are told apart by nothing.
 */
export async function resolveMentionTargets(
  tx: StoreTx,
  env: OpEnv,
  ids: MentionIds,
): Promise<MentionTargets> {
  const titles = new Map<string, string>();
  const rows = await tx.blocks.getMany([...ids.objects]);
  for (const row of rows) {
    const title = titleOf(row);
    if (title === null) continue;
    if (await canSee(tx, env, row.id)) titles.set(row.id, title);
  }
  const userNames = new Map<string, string>();
  if (env.actor.seesEverything || can(env.actor, 'read_users')) {
    for (const id of ids.users) {
      const user = await tx.users.get(id);
      if (user?.name) userNames.set(id, user.name);
    }
  }
  return { titles, userNames };
}
