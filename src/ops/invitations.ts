/**
 * Workspace roles and invitation links. An admin (a person whose role is `admin`, or whoever runs
 * `octavo user invite`) makes a link for one email address; the invitee opens it, chooses a name
 * and a password, and is signed in. A link works once, expires (7 days unless asked otherwise) and
 * is stored as its SHA-256 only: the secret is shown once, to whoever made it. Used by the web
 * pages (`/invite/<token>`), the browser app's `/app/api/invitations` and the command line.
 *
 * Password hashing costs tens of milliseconds, so, as for sign-in (ops/accounts.ts), the token is
 * checked in one short transaction, the password hashed outside, and the person created, the
 * link spent and the session opened in a second one, which claims the link with one conditional
 * UPDATE: two acceptances of one link cannot both succeed.
 */
import { decide, type RatePolicy } from '../domain/rate-limit.ts';
import { randomBase62, sha256Hex } from '../lib/crypto.ts';
import { newId } from '../lib/ids.ts';
import type { InvitationRow, Store, StoreTx, UserRow } from '../store/store.ts';
import { ApiError, errors } from '../wire/errors.ts';
import { createPersonWithPassword, type NewSession, openSession } from './accounts.ts';

/** The roles a person may have; a person without a stored role is a `member`. */
export const ROLES = ['admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

/** How long a link stays open unless its maker asks otherwise. */
export const INVITATION_DAYS = 7;
/** The longest a link may stay open. */
export const MAX_INVITATION_DAYS = 90;

/**
 * Failed openings of invitation links (a token that names no open invitation): 10 at once, then
 * one a minute, for the whole server — a token is 43 random base-62 characters, so this only
 * bounds the noise of guessing; every opening spends first and a good one refunds, as sign-in.
 */
export const INVITATION_POLICY: RatePolicy = { ratePerSecond: 1 / 60, burst: 10 };
const BUCKET = 'invitation-open';

/** Whether the user is a workspace admin. */
export async function isAdmin(tx: StoreTx, userId: string): Promise<boolean> {
  return (await tx.invitations.roleOf(userId)) === 'admin';
}

/**
 * Refuses a person who is not an admin (restricted_resource, 403, as a missing capability), with
 * a message naming what they tried: `Only a workspace admin may <what>.`
 */
export async function requireAdmin(tx: StoreTx, userId: string, what = 'manage invitations'): Promise<void> {
  if (!(await isAdmin(tx, userId)))
    throw new ApiError('restricted_resource', `Only a workspace admin may ${what}.`);
}

/** Sets the role of the person with `email` (the command line). */
export async function setRole(tx: StoreTx, input: { email: string; role: Role }): Promise<UserRow> {
  const user = await tx.users.getByEmail(input.email);
  if (user?.type !== 'person') throw errors.validation(`No user with email ${input.email}.`);
  await tx.invitations.setRole(user.id, input.role);
  return user;
}

function checkEmail(email: string): string {
  const trimmed = email.trim();
  if (!/^[^@\s]+@[^@\s]+$/.test(trimmed) || trimmed.length > 320)
    throw errors.validation(`${email} is not an email address.`);
  return trimmed;
}

/** An invitation's state at `now`. */
export function invitationStatus(row: InvitationRow, now: Date): 'open' | 'used' | 'revoked' | 'expired' {
  if (row.used_time) return 'used';
  if (row.revoked_time) return 'revoked';
  return row.expires_time > now.toISOString() ? 'open' : 'expired';
}

/**
 * A new invitation link's secret for `email` with `role`. Refused when a person already has that
 * address or an open invitation names it (revoke that one first).
 */
export async function createInvitation(
  tx: StoreTx,
  input: { email: string; role?: Role; createdBy: string | null; now: Date; days?: number },
): Promise<{ invitation: InvitationRow; token: string }> {
  const email = checkEmail(input.email);
  const days = input.days ?? INVITATION_DAYS;
  if (!Number.isFinite(days) || days <= 0 || days > MAX_INVITATION_DAYS)
    throw errors.validation(`An invitation lasts more than 0 and at most ${MAX_INVITATION_DAYS} days.`);
  if (await tx.users.getByEmail(email)) throw errors.validation(`A user with email ${email} already exists.`);
  const lower = email.toLowerCase();
  const pending = (await tx.invitations.list()).find(
    (i) => i.email.toLowerCase() === lower && invitationStatus(i, input.now) === 'open',
  );
  if (pending) throw errors.validation(`An open invitation for ${email} exists; revoke it first.`);
  const token = randomBase62(43);
  const invitation: InvitationRow = {
    id: newId(),
    token_hash: sha256Hex(token),
    email,
    role: input.role ?? 'member',
    created_by: input.createdBy,
    created_time: input.now.toISOString(),
    expires_time: new Date(input.now.getTime() + days * 86_400_000).toISOString(),
    used_time: null,
    user_id: null,
    revoked_time: null,
  };
  await tx.invitations.insert(invitation);
  return { invitation, token };
}

/** Revokes an open invitation (one already used or revoked is left as it is). */
export async function revokeInvitation(tx: StoreTx, id: string, now: Date): Promise<InvitationRow> {
  const row = await tx.invitations.get(id);
  if (!row) throw new ApiError('object_not_found', `Could not find invitation with ID: ${id}.`);
  await tx.invitations.revoke(id, now.toISOString());
  return (await tx.invitations.get(id))!;
}

/** The link path of a token (the server's public URL goes in front). */
export const invitationPath = (token: string) => `/invite/${token}`;

export type OpenResult =
  | { ok: true; invitation: InvitationRow }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

/**
 * The open invitation a token names, spending one attempt of the server's budget when it names
 * none (a used, revoked or expired link is as good as unknown, and answers the same).
 */
export async function openInvitation(store: Store, token: string, now: Date): Promise<OpenResult> {
  const nowMs = now.getTime();
  return store.transaction(async (tx) => {
    const stored = await tx.rateBuckets.claim(BUCKET, { tokens: INVITATION_POLICY.burst, updatedMs: nowMs });
    const decision = decide(INVITATION_POLICY, stored, nowMs);
    if (!decision.allowed) {
      await tx.rateBuckets.put(BUCKET, decision.bucket);
      return { ok: false, reason: 'locked', retryAfterSeconds: decision.retryAfterSeconds } as const;
    }
    const row = /^[A-Za-z0-9]{43}$/.test(token)
      ? await tx.invitations.byTokenHash(sha256Hex(token))
      : undefined;
    if (!row || invitationStatus(row, now) !== 'open') {
      await tx.rateBuckets.put(BUCKET, decision.bucket);
      return { ok: false, reason: 'invalid' } as const;
    }
    return { ok: true, invitation: row } as const;
  });
}

/**
 * Accepts an open invitation: creates the person (the invitation's email and role, the chosen
 * name and password hash), spends the link and opens a session, in one transaction. Answers
 * null when the link was spent, revoked or expired meanwhile.
 */
export async function acceptInvitation(
  store: Store,
  input: { invitationId: string; name: string; passwordHash: string; now: Date },
): Promise<{ user: UserRow; session: NewSession } | null> {
  const name = input.name.trim();
  if (name === '' || name.length > 100) throw errors.validation('A name has 1 to 100 characters.');
  const spent = new Error('spent');
  try {
    return await store.transaction(async (tx) => {
      const invitation = await tx.invitations.get(input.invitationId);
      if (!invitation || invitationStatus(invitation, input.now) !== 'open') throw spent;
      const user = await createPersonWithPassword(tx, {
        name,
        email: invitation.email,
        passwordHash: input.passwordHash,
        now: input.now.toISOString(),
      });
      if (!(await tx.invitations.claim(invitation.id, user.id, input.now.toISOString()))) throw spent;
      if (invitation.role !== 'member') await tx.invitations.setRole(user.id, invitation.role);
      return { user, session: await openSession(tx, user.id, input.now) };
    });
  } catch (e) {
    if (e === spent) return null;
    throw e;
  }
}

/** The workspace's people with their role and whether they can sign in, by name. */
export async function listMembers(tx: StoreTx) {
  const people: UserRow[] = [];
  let from: string | null = null;
  do {
    const page = await tx.users.list(from, 100);
    people.push(...page.items.filter((u) => u.type === 'person'));
    from = page.next;
  } while (from);
  const admins = new Set(await tx.invitations.admins());
  return Promise.all(
    people
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(async (u) => ({
        id: u.id,
        name: u.name,
        email: u.email,
        role: (admins.has(u.id) ? 'admin' : 'member') as Role,
        can_sign_in: (await tx.accounts.passwordHash(u.id)) !== undefined,
      })),
  );
}
