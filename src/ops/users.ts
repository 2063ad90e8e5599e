/** Users: the integration's own bot, listing and retrieval. */
import { newId } from '../lib/ids.ts';
import type { Page, StoreTx, UserRow } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import type { OpEnv } from './env.ts';

export async function getSelf(tx: StoreTx, env: OpEnv): Promise<UserRow> {
  const row = await tx.users.get(env.actor.botUserId);
  if (!row) throw errors.internal();
  return row;
}

export function listUsers(tx: StoreTx, from: string | null, limit: number): Promise<Page<UserRow>> {
  return tx.users.list(from, limit);
}

export async function getUser(tx: StoreTx, id: string): Promise<UserRow> {
  const row = await tx.users.get(id);
  if (!row) throw errors.notFound('user', id);
  return row;
}

/** Adds a person to the workspace (CLI and bootstrap). */
export async function createPerson(
  tx: StoreTx,
  input: { name: string; email: string; now: string },
): Promise<UserRow> {
  if (await tx.users.getByEmail(input.email)) {
    throw errors.validation(`A user with email ${input.email} already exists.`);
  }
  const row: UserRow = {
    id: newId(),
    type: 'person',
    name: input.name,
    avatar_url: null,
    email: input.email,
    created_time: input.now,
  };
  await tx.users.insert(row);
  return row;
}

/**
 * The person who installed the public integration `botUserId` belongs to (users.me shows them as
 * the bot's owner); null for internal integrations, which the workspace owns.
 */
export async function botOwner(tx: StoreTx, botUserId: string): Promise<UserRow | null> {
  const install = await tx.oauth.installationByBot(botUserId);
  return install ? ((await tx.users.get(install.owner_user_id)) ?? null) : null;
}

/** The installing person of each public-integration bot among `rows` (by bot id). */
export async function botOwners(tx: StoreTx, rows: readonly UserRow[]): Promise<Map<string, UserRow>> {
  const owners = new Map<string, UserRow>();
  for (const row of rows) {
    if (row.type !== 'bot') continue;
    const owner = await botOwner(tx, row.id);
    if (owner) owners.set(row.id, owner);
  }
  return owners;
}
