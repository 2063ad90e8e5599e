/** Internal integrations: creation (token shown once, stored as a hash), lookup, sharing. */

import { type Actor, type Capability, isCapability, normalizeCapabilities } from '../domain/capabilities.ts';
import { randomBase62, sha256Hex } from '../lib/crypto.ts';
import { newId } from '../lib/ids.ts';
import type { IntegrationRow, StoreTx } from '../store/store.ts';
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

/** The actor behind a bearer token, or null when the token is unknown. */
export async function authenticate(tx: StoreTx, token: string): Promise<Actor | null> {
  const row = await tx.integrations.getByTokenHash(sha256Hex(token));
  return row ? actorOf(row) : null;
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
