/**
 * Public integrations (OAuth clients): created with a client id and a client secret (shown once,
 * stored as SHA-256: it is 46 random base-62 characters, so a slow hash would add nothing),
 * redirect URIs and the capabilities every installation gets. Used by `octavo integration create
 * --public` and the admin API.
 */
import { type Capability, normalizeCapabilities } from '../domain/capabilities.ts';
import { randomBase62, sha256Hex } from '../lib/crypto.ts';
import { newId } from '../lib/ids.ts';
import { deleteIntegration } from '../ops/integrations.ts';
import type { OauthClientRow, StoreTx } from '../store/store.ts';
import { ApiError, errors } from '../wire/errors.ts';

/** Client secrets: `secret_` and 46 base-62 characters (Notion's OAuth secrets start so). */
export function newClientSecret(): string {
  return `secret_${randomBase62(46)}`;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A redirect URI as registered: absolute, without a fragment, https — or http on a loopback host
 * (an integration developer's machine, RFC 8252 §7.3). Compared later by exact string.
 */
export function checkRedirectUri(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw errors.validation(`Redirect URI ${raw} is not an absolute URL.`);
  }
  if (url.hash !== '' || raw.includes('#'))
    throw errors.validation(`Redirect URI ${raw} must not have a fragment.`);
  const ok = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  if (!ok) throw errors.validation(`Redirect URI ${raw} must use https (http only on a loopback host).`);
  return raw;
}

export const redirectUrisOf = (row: OauthClientRow) => JSON.parse(row.redirect_uris) as string[];
export const clientCapabilities = (row: OauthClientRow) => JSON.parse(row.capabilities) as Capability[];

/** Creates a public integration; the secret is returned once. */
export async function createPublicIntegration(
  tx: StoreTx,
  input: { name: string; redirectUris: readonly string[]; capabilities: readonly Capability[]; now: string },
): Promise<{ client: OauthClientRow; secret: string }> {
  const name = input.name.trim();
  if (!name) throw errors.validation('A public integration needs a name.');
  if (input.redirectUris.length === 0) throw errors.validation('A public integration needs a redirect URI.');
  const uris = [...new Set(input.redirectUris.map(checkRedirectUri))];
  if (await tx.oauth.clientByName(name))
    throw errors.validation(`A public integration named ${name} already exists.`);
  const secret = newClientSecret();
  const client: OauthClientRow = {
    id: newId(),
    name,
    secret_hash: sha256Hex(secret),
    redirect_uris: JSON.stringify(uris),
    capabilities: JSON.stringify(normalizeCapabilities(input.capabilities)),
    created_time: input.now,
  };
  await tx.oauth.insertClient(client);
  return { client, secret };
}

/** The public integration named or identified by `key`; 404 object_not_found when none. */
export async function publicIntegration(tx: StoreTx, key: string): Promise<OauthClientRow> {
  const row = (await tx.oauth.client(key)) ?? (await tx.oauth.clientByName(key));
  if (!row) throw new ApiError('object_not_found', `Could not find public integration: ${key}.`);
  return row;
}

export function listPublicIntegrations(tx: StoreTx): Promise<OauthClientRow[]> {
  return tx.oauth.clients();
}

/** A new client secret (returned once); the old one stops authenticating. Tokens stay valid. */
export async function rotateClientSecret(tx: StoreTx, key: string) {
  const client = await publicIntegration(tx, key);
  const secret = newClientSecret();
  await tx.oauth.updateClient(client.id, { secret_hash: sha256Hex(secret) });
  return { client, secret };
}

/**
 * Deletes a public integration with every installation: their tokens and shares go, their bot
 * users stay as authors of what they wrote (as `octavo integration delete` does).
 */
export async function deletePublicIntegration(tx: StoreTx, key: string): Promise<OauthClientRow> {
  const client = await publicIntegration(tx, key);
  const installs = await tx.oauth.installations(client.id);
  await tx.oauth.deleteClient(client.id);
  for (const install of installs) {
    const integration = await tx.integrations.get(install.integration_id);
    if (integration) await deleteIntegration(tx, { name: integration.name });
  }
  return client;
}
