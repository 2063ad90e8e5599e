/**
 * The token endpoints' logic: client authentication, the authorization-code and refresh-token
 * grants, introspection and revocation.
 *
 * An installation (one per public integration and installing user) is an ordinary
 * `integrations` row with its own bot user, so the access token is that row's token and works on
 * every endpoint through the usual bearer lookup, with the row's capabilities and shares. Issuing
 * tokens rotates that row's token (the previous access token stops working) and replaces the
 * installation's refresh token (a used refresh token is dead). Revoking revokes the row's token,
 * as `octavo integration revoke` does; a new authorization brings it back.
 *
 * Grants that are refused for a reason that must also change something (a code used twice
 * revokes the tokens it issued) return the error instead of throwing it, so that the change
 * commits; the route throws it after the transaction.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { normalizeCapabilities } from '../domain/capabilities.ts';
import { randomBase62, sha256Hex } from '../lib/crypto.ts';
import { createIntegration, revokeIntegration, rotateIntegrationToken } from '../ops/integrations.ts';
import type { OauthClientRow, OauthInstallationRow, Store, StoreTx, UserRow } from '../store/store.ts';
import { ApiError } from '../wire/errors.ts';
import { clientCapabilities, redirectUrisOf } from './clients.ts';

/** The token response without `request_id` (OauthTokenResponse of the SDK). */
export interface TokenGrant {
  access_token: string;
  token_type: 'bearer';
  refresh_token: string;
  bot_id: string;
  workspace_icon: string | null;
  workspace_name: string | null;
  workspace_id: string;
  owner: {
    type: 'user';
    user: {
      object: 'user';
      id: string;
      name: string | null;
      avatar_url: string | null;
      type: 'person';
      person: { email: string };
    };
  };
  duplicated_template_id: null;
}

export type GrantOutcome = { grant: TokenGrant } | { refused: ApiError };

export interface Workspace {
  id: string;
  name: string;
}

const invalidGrant = (message: string) => new ApiError('invalid_grant', message);
const badClient = () => new ApiError('unauthorized', 'Invalid client credentials.');

/**
 * The client of an `Authorization: Basic base64(client_id:client_secret)` header; 401
 * unauthorized when the header is missing or the pair is wrong. Only Basic is accepted: the
 * contract (notion-api.md §1.2, §4.12) names no other way to send client credentials.
 */
export async function authenticateClient(tx: StoreTx, header: string | undefined): Promise<OauthClientRow> {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) throw badClient();
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw badClient();
  // RFC 6749 §2.3.1: both halves are form-encoded before Basic; the SDK sends them as they are.
  const id = formDecoded(decoded.slice(0, colon));
  const secret = formDecoded(decoded.slice(colon + 1));
  if (id === null || secret === null) throw badClient();
  const client = await tx.oauth.client(id);
  const given = Buffer.from(sha256Hex(secret), 'hex');
  const expected = Buffer.from(client?.secret_hash ?? '0'.repeat(64), 'hex');
  if (!client || !timingSafeEqual(given, expected)) throw badClient();
  return client;
}

/** `raw` with %-escapes and `+` decoded; null when an escape is malformed. */
function formDecoded(raw: string): string | null {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    return null;
  }
}

/** Whether `verifier` (RFC 7636: 43-128 unreserved characters) hashes to `challenge`. */
function pkceMatches(verifier: string, challenge: string): boolean {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false;
  const digest = createHash('sha256').update(verifier).digest('base64url');
  return digest.length === challenge.length && timingSafeEqual(Buffer.from(digest), Buffer.from(challenge));
}

/** Takes the installation's tokens away: access and refresh token stop working. */
async function revokeInstallation(tx: StoreTx, install: OauthInstallationRow, now: string): Promise<void> {
  const integration = await tx.integrations.get(install.integration_id);
  if (integration) await revokeIntegration(tx, { name: integration.name, now });
  await tx.oauth.updateInstallation(install.integration_id, { refresh_hash: null, issued_time: null });
}

/** New access and refresh tokens for an installation; the previous ones stop working. */
async function issueTokens(tx: StoreTx, install: OauthInstallationRow, now: string) {
  const integration = await tx.integrations.get(install.integration_id);
  if (!integration) throw invalidGrant('Invalid grant: the installation no longer exists.');
  const { token } = await rotateIntegrationToken(tx, { name: integration.name });
  const refresh = `nrt_${randomBase62(46)}`;
  await tx.oauth.updateInstallation(install.integration_id, {
    refresh_hash: sha256Hex(refresh),
    issued_time: now,
  });
  return { access: token, refresh };
}

async function grantFor(
  tx: StoreTx,
  install: OauthInstallationRow,
  workspace: Workspace,
  now: string,
): Promise<TokenGrant> {
  const owner = await tx.users.get(install.owner_user_id);
  if (!owner) throw invalidGrant('Invalid grant: the installing user no longer exists.');
  const { access, refresh } = await issueTokens(tx, install, now);
  return {
    access_token: access,
    token_type: 'bearer',
    refresh_token: refresh,
    bot_id: install.bot_user_id,
    workspace_icon: null,
    workspace_name: workspace.name,
    workspace_id: workspace.id,
    owner: { type: 'user', user: ownerObject(owner) },
    duplicated_template_id: null,
  };
}

/** The installing user as the token response and users.me show it. */
export function ownerObject(user: UserRow) {
  return {
    object: 'user' as const,
    id: user.id,
    name: user.name,
    avatar_url: user.avatar_url,
    type: 'person' as const,
    person: { email: user.email ?? '' },
  };
}

/** The installation of `client` by `user`, made (integration, bot user) on first install. */
async function installationFor(
  tx: StoreTx,
  client: OauthClientRow,
  user: UserRow,
  now: string,
): Promise<OauthInstallationRow> {
  const capabilities = clientCapabilities(client);
  const found = await tx.oauth.installationOf(client.id, user.id);
  if (found) {
    const integration = await tx.integrations.get(found.integration_id);
    // The installation's capabilities follow the public integration's (not through
    // updateIntegration, which refuses to change an installation).
    if (integration)
      await tx.integrations.update(integration.id, {
        capabilities: JSON.stringify(normalizeCapabilities(capabilities)),
      });
    return found;
  }
  const label = `${client.name} (${user.email ?? user.id})`;
  const { integration } = await createIntegration(tx, { name: label, capabilities, now });
  // The bot user carries the public integration's name, as users.me shows it.
  await tx.users.rename(integration.bot_user_id, client.name);
  const row: OauthInstallationRow = {
    integration_id: integration.id,
    client_id: client.id,
    owner_user_id: user.id,
    bot_user_id: integration.bot_user_id,
    refresh_hash: null,
    issued_time: null,
    created_time: now,
  };
  await tx.oauth.insertInstallation(row);
  return row;
}

/**
 * `grant_type: authorization_code`. `redirect_uri` follows Notion's rule: when the authorize URL
 * named one (always so when several are registered), the token request must repeat it exactly;
 * when it did not, the request may omit it or repeat the one registered URI. A code is good once,
 * for 10 minutes, for the client it was issued to; a second exchange is refused and revokes the
 * tokens the first one issued (RFC 6749 §4.1.2).
 */
export async function exchangeCode(
  tx: StoreTx,
  input: {
    client: OauthClientRow;
    code: string;
    redirectUri: string | undefined;
    codeVerifier: string | undefined;
    workspace: Workspace;
    now: string;
  },
): Promise<GrantOutcome> {
  const row = await tx.oauth.claimCode(sha256Hex(input.code));
  if (!row || row.client_id !== input.client.id) return { refused: invalidGrant('Invalid code.') };
  if (row.used_time !== null) {
    const install = row.installation_id ? await tx.oauth.installation(row.installation_id) : undefined;
    if (install) await revokeInstallation(tx, install, input.now);
    return { refused: invalidGrant('Invalid code: this code has been revoked.') };
  }
  if (row.expires_time <= input.now) return { refused: invalidGrant('Invalid code: this code has expired.') };
  const registered = redirectUrisOf(input.client);
  if (row.redirect_uri !== null) {
    if (input.redirectUri === undefined)
      return {
        refused: invalidGrant('Invalid grant: redirect_uri is required, as it was given at authorization.'),
      };
    if (input.redirectUri !== row.redirect_uri)
      return {
        refused: invalidGrant('Invalid grant: redirect_uri does not match the one given at authorization.'),
      };
  } else if (
    input.redirectUri !== undefined &&
    !(registered.length === 1 && registered[0] === input.redirectUri)
  ) {
    return { refused: invalidGrant('Invalid grant: redirect_uri does not match the registered one.') };
  }
  if (row.code_challenge !== null) {
    if (input.codeVerifier === undefined || !pkceMatches(input.codeVerifier, row.code_challenge))
      return { refused: invalidGrant('Invalid grant: code_verifier does not match the code_challenge.') };
  } else if (input.codeVerifier !== undefined) {
    return {
      refused: invalidGrant('Invalid grant: code_verifier given for a code issued without code_challenge.'),
    };
  }
  const user = await tx.users.get(row.user_id);
  if (!user) return { refused: invalidGrant('Invalid code.') };
  const install = await installationFor(tx, input.client, user, input.now);
  for (const pageId of JSON.parse(row.pages) as string[]) {
    const page = await tx.blocks.get(pageId);
    if (page) await tx.shares.add(install.integration_id, pageId, input.now);
  }
  await tx.oauth.updateCode(row.code_hash, { used_time: input.now, installation_id: install.integration_id });
  return { grant: await grantFor(tx, install, input.workspace, input.now) };
}

/** `grant_type: refresh_token`: new access and refresh tokens; the used refresh token is dead. */
export async function refreshTokens(
  tx: StoreTx,
  input: { client: OauthClientRow; refreshToken: string; workspace: Workspace; now: string },
): Promise<GrantOutcome> {
  const install = await tx.oauth.installationByRefresh(sha256Hex(input.refreshToken));
  if (!install || install.client_id !== input.client.id)
    return { refused: invalidGrant('Invalid refresh token.') };
  return { grant: await grantFor(tx, install, input.workspace, input.now) };
}

/** The installation a live access or refresh token of `client` belongs to. */
async function installationOfToken(tx: StoreTx, client: OauthClientRow, token: string) {
  const hash = sha256Hex(token);
  const integration = await tx.integrations.getByTokenHash(hash);
  const install = integration
    ? await tx.oauth.installation(integration.id)
    : await tx.oauth.installationByRefresh(hash);
  return install && install.client_id === client.id && install.issued_time !== null ? install : undefined;
}

/**
 * `{active, scope, iat}` for a token of this client: scope is the installation's capabilities
 * separated by spaces, iat when the current tokens were issued (seconds). Another client's token,
 * a dead or an unknown one is `{active: false}` (RFC 7662 §2.2).
 */
export async function introspectToken(tx: StoreTx, client: OauthClientRow, token: string) {
  const install = await installationOfToken(tx, client, token);
  if (!install) return { active: false };
  const integration = await tx.integrations.get(install.integration_id);
  if (!integration) return { active: false };
  const scope = (JSON.parse(integration.capabilities) as string[]).join(' ');
  return { active: true, scope, iat: Math.floor(Date.parse(install.issued_time!) / 1000) };
}

/**
 * Revokes the installation's tokens (access and refresh) when `token` is one of them. An unknown
 * token, or another client's, changes nothing and is not an error (RFC 7009 §2.2).
 */
export async function revokeToken(tx: StoreTx, client: OauthClientRow, token: string, now: string) {
  const install = await installationOfToken(tx, client, token);
  if (install) await revokeInstallation(tx, install, now);
}

/** Whether `secret` authenticates `clientId` (Basic authentication, as the token endpoints do it). */
export async function clientAuthenticates(store: Store, clientId: string, secret: string): Promise<boolean> {
  const header = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
  return store
    .transaction((tx) => authenticateClient(tx, header))
    .then(
      () => true,
      (e) => {
        if (e instanceof ApiError && e.code === 'unauthorized') return false;
        throw e;
      },
    );
}
