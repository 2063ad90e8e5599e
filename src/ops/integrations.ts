/**
 * Internal integrations: creation (token shown once, stored as a hash), the bearer-token lookup,
 * changes (rename, capabilities), revoking, rotating and deleting, and sharing. Each operation
 * takes the transaction first; the CLI calls them today, the admin API will.
 *
 * Semantics:
 * - revoke: the token stops working at once; the integration, its bot user and its shares stay,
 *   and `rotate` gives it a working token again. Revoking a revoked integration changes nothing.
 * - rotate: a new token (shown once), the old one stops working; clears a revocation.
 * - update: a new name (its bot user is renamed with it; names stay unique) and/or a new set of
 *   capabilities, in force from the next request.
 * - delete: the integration, its token and its shares go. Its bot user stays, so `created_by` and
 *   `last_edited_by` of what it wrote still resolve; its file uploads stay, owned by nobody, so
 *   attached files are still served.
 */

import { type Actor, type Capability, isCapability, normalizeCapabilities } from '../domain/capabilities.ts';
import type { KnownAuthor } from '../events/types.ts';
import { isUniqueViolation } from '../lib/constraint.ts';
import { randomBase62, sha256Hex } from '../lib/crypto.ts';
import { newId } from '../lib/ids.ts';
import type { IntegrationPatch, IntegrationRow, Store, StoreTx, TokenCheck } from '../store/store.ts';
import { errors } from '../wire/errors.ts';

/** Internal integration secrets: `ntn_` and 46 base-62 characters. */
export function newToken(): string {
  return `ntn_${randomBase62(46)}`;
}

/** Creates an internal integration, its bot user and its token; names are unique. */
export async function createIntegration(
  tx: StoreTx,
  input: { name: string; capabilities: readonly Capability[]; now: string },
): Promise<{ integration: IntegrationRow; token: string }> {
  const name = await freeName(tx, input.name);
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
    revoked_time: null,
  };
  await nameTaken(name, () => tx.integrations.insert(integration));
  return { integration, token };
}

/** The acting integration as requests see it: ids, name and capabilities. */
export function actorOf(row: IntegrationRow): Actor {
  const caps = (JSON.parse(row.capabilities) as string[]).filter(isCapability);
  return {
    integrationId: row.id,
    integrationName: row.name,
    botUserId: row.bot_user_id,
    capabilities: new Set(caps),
  };
}

/**
 * What change events record of an integration's writes: its bot user, a bot, of that integration.
 * True of every actor `actorOf` makes (each integration gets a bot user of its own at creation),
 * so a request's transaction can name it (`TransactionOptions.authors`) instead of having it read.
 * Not for actors made up elsewhere (the command line's administration acts as a person).
 */
export function integrationAuthor(actor: Actor): KnownAuthor {
  // A person signed in to the browser app writes as themselves; no integration acts.
  if (actor.person) return { id: actor.botUserId, type: 'person', integrationId: null };
  return { id: actor.botUserId, type: 'bot', integrationId: actor.integrationId };
}

/**
 * The actor behind a bearer token, or null when no live integration has it: asked of storage
 * (`Store.integrationByTokenHash`, one indexed statement outside any explicit transaction). A
 * token revoked, rotated or deleted, or capabilities changed, by any process (the CLI beside a
 * running server, another node) count from the next request on. A request already past this
 * check finishes with the actor it had.
 */
export async function actorForToken(store: Store, token: string): Promise<Actor | null> {
  const row = await store.integrationByTokenHash(sha256Hex(token));
  return row ? actorOf(row) : null;
}

/** What a token stood for when last looked up. */
interface KnownToken {
  hash: string;
  row: IntegrationRow;
  actor: Actor;
  /** `Store.integrationsStamp()` taken before that look-up (null: none to compare). */
  stamp: string | null;
}

/**
 * `actorForToken` for bearer auth on every request, remembering what each recent token stood for
 * (`size` tokens, the least recently used forgotten first) without ever trusting it past a change:
 * - where the store has an integrations stamp (SQLite) and it is unchanged since the look-up, no
 *   integration was written by anyone since, so the remembered actor is the answer (no statement);
 * - otherwise (Postgres, or the stamp moved) the token is looked up again by its remembered hash,
 *   and the remembered actor is reused when the row still says the same (no hashing, no parsing).
 * Only live tokens are remembered: an unknown or revoked one is asked of storage each time, so a
 * token created or rotated elsewhere works at once. docs/benchmarks.md has what it saves.
 */
export interface TokenActors {
  (token: string): Promise<Actor | null>;
  /**
   * What `token` stood for when last looked up, not confirmed since (null when not remembered):
   * for a caller that confirms it itself in a statement it runs anyway (`ReadOptions.token`),
   * and calls the function when that statement did not say the row is unchanged.
   */
  remembered(token: string): { actor: Actor; check: TokenCheck } | null;
}

export function tokenActors(store: Store, size = 1000): TokenActors {
  const known = new Map<string, KnownToken>();
  const remembered = (token: string) => {
    const entry = known.get(token);
    if (!entry) return null;
    const { id, name, bot_user_id, capabilities } = entry.row;
    return { actor: entry.actor, check: { hash: entry.hash, row: { id, name, bot_user_id, capabilities } } };
  };
  const actorFor = async (token: string) => {
    const stamp = store.integrationsStamp();
    const entry = known.get(token);
    if (entry) {
      // Least recently used last out: a hit moves to the end.
      known.delete(token);
      if (stamp !== null && stamp === entry.stamp) {
        known.set(token, entry);
        return entry.actor;
      }
    }
    const hash = entry?.hash ?? sha256Hex(token);
    const row = await store.integrationByTokenHash(hash);
    if (!row) return null;
    const actor = entry && sameActor(entry.row, row) ? entry.actor : actorOf(row);
    if (known.size >= size) known.delete(known.keys().next().value!);
    known.set(token, { hash, row, actor, stamp });
    return actor;
  };
  return Object.assign(actorFor, { remembered });
}

/** Whether two rows of one token make the same actor (`actorOf` reads these columns only). */
function sameActor(a: IntegrationRow, b: IntegrationRow): boolean {
  return (
    a.id === b.id && a.name === b.name && a.bot_user_id === b.bot_user_id && a.capabilities === b.capabilities
  );
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

/**
 * Runs `write`, which stores the integration name `name`: a writer racing past freeName's check
 * with the same name is refused by the unique index, and answered as the check would have.
 */
async function nameTaken(name: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (e) {
    if (isUniqueViolation(e)) throw errors.validation(`An integration named ${name} already exists.`);
    throw e;
  }
}

/** `raw` trimmed, when it is not empty and no integration has it yet. */
async function freeName(tx: StoreTx, raw: string): Promise<string> {
  const name = raw.trim();
  if (!name) throw errors.validation('An integration needs a name.');
  if (await tx.integrations.getByName(name))
    throw errors.validation(`An integration named ${name} already exists.`);
  return name;
}

/** The integration called `name`; a validation error names it when there is none. */
export async function integrationNamed(tx: StoreTx, name: string): Promise<IntegrationRow> {
  const row = await tx.integrations.getByName(name);
  if (!row) throw errors.validation(`No integration named ${name}.`);
  return row;
}

/** Every integration, oldest first, revoked ones included. */
export function listIntegrations(tx: StoreTx): Promise<IntegrationRow[]> {
  return tx.integrations.list();
}

/** Revokes the token of `name`: it authenticates nothing from the next request on. */
export async function revokeIntegration(
  tx: StoreTx,
  input: { name: string; now: string },
): Promise<IntegrationRow> {
  const row = await integrationNamed(tx, input.name);
  if (row.revoked_time !== null) return row;
  await tx.integrations.update(row.id, { revoked_time: input.now });
  return { ...row, revoked_time: input.now };
}

/** A new token for `name` (returned once, stored as a hash); the old one stops working. */
export async function rotateIntegrationToken(
  tx: StoreTx,
  input: { name: string },
): Promise<{ integration: IntegrationRow; token: string }> {
  const row = await integrationNamed(tx, input.name);
  const token = newToken();
  const patch = { token_hash: sha256Hex(token), revoked_time: null };
  await tx.integrations.update(row.id, patch);
  return { integration: { ...row, ...patch }, token };
}

/** Renames `name` (and its bot user) and/or replaces its capabilities. */
export async function updateIntegration(
  tx: StoreTx,
  input: { name: string; newName?: string | undefined; capabilities?: readonly Capability[] | undefined },
): Promise<IntegrationRow> {
  const row = await integrationNamed(tx, input.name);
  const patch: IntegrationPatch = {};
  const renamed = input.newName !== undefined && input.newName.trim() !== row.name;
  if ((renamed || input.capabilities !== undefined) && (await tx.oauth.installation(row.id)))
    throw errors.validation(
      `${row.name} is an installation of a public integration: its name and capabilities are the public integration's.`,
    );
  if (renamed && input.newName !== undefined) {
    patch.name = await freeName(tx, input.newName);
    await tx.users.rename(row.bot_user_id, patch.name);
  }
  if (input.capabilities !== undefined)
    patch.capabilities = JSON.stringify(normalizeCapabilities(input.capabilities));
  const name = patch.name;
  if (name !== undefined) await nameTaken(name, () => tx.integrations.update(row.id, patch));
  else if (Object.keys(patch).length > 0) await tx.integrations.update(row.id, patch);
  return { ...row, ...patch };
}

/** Deletes `name`, its token and its shares; its bot user and its uploads stay (see above). */
export async function deleteIntegration(tx: StoreTx, input: { name: string }): Promise<IntegrationRow> {
  const row = await integrationNamed(tx, input.name);
  await tx.integrations.delete(row.id);
  return row;
}
