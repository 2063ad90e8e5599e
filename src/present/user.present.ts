/** Users on the wire: full objects with the user-information capability, partial ones without. */
import { can } from '../domain/capabilities.ts';
import type { UserRow } from '../store/store.ts';
import type { PartialUserObjectResponse, UserObjectResponse } from '../wire/responses.ts';
import type { PresentContext } from './context.ts';

export function partialUser(id: string): PartialUserObjectResponse {
  return { object: 'user', id };
}

/**
 * The owner of a public integration's bot: the installing person, with their email only for
 * readers allowed to see emails.
 */
function ownerBlock(owner: UserRow | null | undefined, ctx: PresentContext) {
  if (!owner) return { type: 'workspace' as const, workspace: true as const };
  const email = can(ctx.actor, 'read_user_emails') && owner.email ? { email: owner.email } : {};
  return {
    type: 'user' as const,
    user: {
      object: 'user' as const,
      id: owner.id,
      name: owner.name,
      avatar_url: owner.avatar_url,
      type: 'person' as const,
      person: email,
    },
  };
}

/** The bot block of a bot user; the workspace details appear for integration bots. */
function botBlock(ctx: PresentContext, owner?: UserRow | null) {
  return {
    owner: ownerBlock(owner, ctx),
    workspace_name: ctx.workspace.name,
    workspace_id: ctx.workspace.id,
    workspace_limits: { max_file_upload_size_in_bytes: ctx.maxFileUploadBytes },
  };
}

/**
 * A full user object, ignoring capabilities (used for users.me); `owner` is the installing
 * person of a public integration's bot.
 */
export function fullUser(row: UserRow, ctx: PresentContext, owner?: UserRow | null): UserObjectResponse {
  const common = { object: 'user' as const, id: row.id, name: row.name, avatar_url: row.avatar_url };
  if (row.type === 'bot') return { ...common, type: 'bot', bot: botBlock(ctx, owner) };
  // Octavo does not verify addresses; Notion's key is kept, truthfully false.
  const person =
    can(ctx.actor, 'read_user_emails') && row.email ? { email: row.email, email_verified: false } : {};
  return { ...common, type: 'person', person };
}

/** A user as the actor may see it; `owner` as in `fullUser`. */
export function presentUser(
  row: UserRow,
  ctx: PresentContext,
  owner?: UserRow | null,
): UserObjectResponse | PartialUserObjectResponse {
  return can(ctx.actor, 'read_users') ? fullUser(row, ctx, owner) : partialUser(row.id);
}
