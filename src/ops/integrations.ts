/** Internal integrations: creation (token shown once, stored as a hash), lookup, sharing. */

import { type Actor, type Capability, isCapability, normalizeCapabilities } from '../domain/capabilities.ts';
import { randomBase62, sha256Hex } from '../lib/crypto.ts';
import { newId } from '../lib/ids.ts';
import { ttlCache } from '../lib/ttl-cache.ts';
import type { IntegrationRow, Store, StoreTx } from '../store/store.ts';
import { errors } from '../wire/errors.ts';

/** Internal integration secrets: `ntn_` and 46 base-62 characters. */
export function newToken(): string {
  return `ntn_${randomBase62(46)}`;
}

export async function createIntegration(
  tx: StoreTx,
  input: { name: string; capabilities: readonly Capability[]; now: string },
): Promise<{ integration: IntegrationRow; token: string }> {
  const name = input.name.trim();
  if (!name) throw errors.validation('An integration needs a name.');
  if (await tx.integrations.getByName(name))
    throw errors.validation(`An integration named ${name} already exists.`);
  const botId = newId();
  await tx.users.insert({
    id: botId,
    type: 'bot',
    name,
    avatar_url: null,
    email: null,
    created_time: input.now,
  });
  const token = newToken();
  const integration: IntegrationRow = {
    id: newId(),
    name,
    bot_user_id: botId,
    token_hash: sha256Hex(token),
    capabilities: JSON.stringify(normalizeCapabilities(input.capabilities)),
    created_time: input.now,
  };
  await tx.integrations.insert(integration);
  return { integration, token };
}

export function actorOf(row: IntegrationRow): Actor {
  const caps = (JSON.parse(row.capabilities) as string[]).filter(isCapability);
  return {
    integrationId: row.id,
    integrationName: row.name,
    botUserId: row.bot_user_id,
    capabilities: new Set(caps),
  };
}

/** How long a known token's actor is reused without asking storage again. */
export const ACTOR_TTL_MS = 5_000;
/** Tokens remembered at most (the oldest is forgotten first). */
const ACTOR_CACHE_SIZE = 1_000;

/**
 * The actor behind a bearer token (null when the token is unknown) for every request, with known
 * tokens remembered for ACTOR_TTL_MS: the lookup was a transaction of its own per request (a
 * fifth of a GET on SQLite, more round trips on Postgres). Unknown tokens are always asked again, so an integration created a moment ago is accepted at
 * once. Integrations are never changed or deleted today; when revoking a token or changing
 * capabilities exists, it takes effect within ACTOR_TTL_MS on a running server. Entries are keyed
 * by the token's hash, so the cache holds no secrets.
 */
export function actorLookup(store: Store, options: { now?: () => number } = {}) {
  const actors = ttlCache<Actor>({ ttlMs: ACTOR_TTL_MS, max: ACTOR_CACHE_SIZE, ...options });
  return async (token: string): Promise<Actor | null> => {
    const hash = sha256Hex(token);
    const known = actors.get(hash);
    if (known) return known;
    const row = await store.transaction((tx) => tx.integrations.getByTokenHash(hash));
    if (!row) return null;
    const actor = actorOf(row);
    actors.set(hash, actor);
    return actor;
  };
}

/** Shares a page (and so its descendants) with an integration. */
export async function sharePage(
  tx: StoreTx,
  input: { pageId: string; integrationName: string; now: string },
) {
  const integration = await tx.integrations.getByName(input.integrationName);
  if (!integration) throw errors.validation(`No integration named ${input.integrationName}.`);
  const page = await tx.blocks.get(input.pageId);
  if (page?.type !== 'page') throw errors.notFound('page', input.pageId);
  await tx.shares.add(integration.id, page.id, input.now);
  return { integration, page };
}
