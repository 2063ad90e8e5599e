/**
 * Workspace users who sign in: passwords, browser sessions and the limit on failed sign-ins.
 * Hashing (scrypt, lib/password.ts) costs tens of milliseconds of CPU, so it happens outside
 * transactions: callers hash first and hand the hash in, and `signIn` verifies between its two
 * short transactions. The web pages (src/web/) and the command line use these; later web
 * features (issue 14) reuse the same sessions.
 */
import { timingSafeEqual } from 'node:crypto';
import { type Actor, ALL_CAPABILITIES } from '../domain/capabilities.ts';
import { type Bucket, decide, type RatePolicy } from '../domain/rate-limit.ts';
import { randomBase62, sha256Hex } from '../lib/crypto.ts';
import { DUMMY_PASSWORD_HASH, verifyPassword } from '../lib/password.ts';
import type { Store, StoreTx, UserRow } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import { createPerson } from './users.ts';

/** How long a session lasts after sign-in. */
export const SESSION_DAYS = 14;

/**
 * Failed sign-ins per email address: 5 at once, then one more every 3 minutes (a token bucket
 * that only failed attempts spend). Every attempt spends one token first and a successful one
 * gets it back, so parallel guesses cannot pass the limit either. While the bucket is empty even
 * the right password is refused, so guessing cannot go on behind a lockout.
 */
export const SIGN_IN_POLICY: RatePolicy = { ratePerSecond: 1 / 180, burst: 5 };

/** The shortest password accepted. */
export const MIN_PASSWORD_LENGTH = 8;

/** Refuses a password too short to keep (validation_error). */
export function checkPasswordStrength(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw errors.validation(`A password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  if (password.length > 1024) throw errors.validation('A password may have at most 1024 characters.');
}

/** Creates a person who can sign in with the (already hashed) password. */
export async function createPersonWithPassword(
  tx: StoreTx,
  input: { name: string; email: string; passwordHash: string; now: string },
): Promise<UserRow> {
  const user = await createPerson(tx, input);
  await tx.accounts.setPassword(user.id, input.passwordHash, input.now);
  return user;
}

/** Sets a person's password (hashed) and signs out their browsers. */
export async function setPassword(
  tx: StoreTx,
  input: { email: string; passwordHash: string; now: string },
): Promise<UserRow> {
  const user = await tx.users.getByEmail(input.email);
  if (user?.type !== 'person') throw errors.validation(`No user with email ${input.email}.`);
  await tx.accounts.setPassword(user.id, input.passwordHash, input.now);
  await tx.accounts.deleteSessionsOf(user.id);
  return user;
}

export type SignInResult =
  | { ok: true; user: UserRow; session: NewSession }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

export interface NewSession {
  /** The cookie's value (the table keeps its SHA-256). */
  id: string;
  csrf: string;
  expires: Date;
}

const bucketKey = (email: string) => `sign-in:${email.trim().toLowerCase()}`;

/** Spends one attempt of `email`'s budget, or says how long until there is one. */
async function spendAttempt(tx: StoreTx, email: string, nowMs: number) {
  const key = bucketKey(email);
  const stored = await tx.rateBuckets.claim(key, { tokens: SIGN_IN_POLICY.burst, updatedMs: nowMs });
  const decision = decide(SIGN_IN_POLICY, stored, nowMs);
  await tx.rateBuckets.put(key, decision.bucket);
  return decision;
}

/** Gives back the attempt a successful sign-in spent. */
async function refundAttempt(tx: StoreTx, email: string, nowMs: number) {
  const key = bucketKey(email);
  const stored: Bucket = await tx.rateBuckets.claim(key, { tokens: SIGN_IN_POLICY.burst, updatedMs: nowMs });
  await tx.rateBuckets.put(key, {
    tokens: Math.min(SIGN_IN_POLICY.burst, stored.tokens + 1),
    updatedMs: stored.updatedMs,
  });
}

/**
 * Checks an email and password and opens a session. Unknown addresses, people without a
 * password and bots take as long as a wrong password and answer the same `invalid`.
 */
export async function signIn(
  store: Store,
  input: { email: string; password: string; now: Date },
): Promise<SignInResult> {
  const nowMs = input.now.getTime();
  const email = input.email.trim();
  const first = await store.transaction(async (tx) => {
    const decision = await spendAttempt(tx, email, nowMs);
    if (!decision.allowed) return { locked: true, wait: decision.retryAfterSeconds } as const;
    const user = await tx.users.getByEmail(email);
    const hash = user?.type === 'person' ? await tx.accounts.passwordHash(user.id) : undefined;
    return { locked: false, user, hash } as const;
  });
  if (first.locked) return { ok: false, reason: 'locked', retryAfterSeconds: first.wait };
  const matches = await verifyPassword(input.password, first.hash ?? DUMMY_PASSWORD_HASH);
  if (!matches || !first.hash || !first.user) return { ok: false, reason: 'invalid' };
  const user = first.user;
  const session = await store.transaction(async (tx) => {
    await refundAttempt(tx, email, nowMs);
    return openSession(tx, user.id, input.now);
  });
  return { ok: true, user, session };
}

/** A new session for `userId`, valid SESSION_DAYS. */
export async function openSession(tx: StoreTx, userId: string, now: Date): Promise<NewSession> {
  const id = randomBase62(43);
  const csrf = randomBase62(32);
  const expires = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
  // Expired sessions are swept per user as they sign in again (nothing else reads them).
  await tx.accounts.deleteExpiredSessionsOf(userId, now.toISOString());
  await tx.accounts.insertSession({
    id_hash: sha256Hex(id),
    user_id: userId,
    csrf,
    created_time: now.toISOString(),
    expires_time: expires.toISOString(),
  });
  return { id, csrf, expires };
}

/** The signed-in user and the session's CSRF token, or null for a missing or expired session. */
export async function sessionUser(
  tx: StoreTx,
  sessionId: string,
  now: Date,
): Promise<{ user: UserRow; csrf: string } | null> {
  const session = await tx.accounts.session(sha256Hex(sessionId), now.toISOString());
  if (!session) return null;
  const user = await tx.users.get(session.user_id);
  return user ? { user, csrf: session.csrf } : null;
}

/**
 * A workspace member acting through the API from the browser app: sees every page (sharing rules
 * apply to integrations, not to members), holds every capability, and authors what it writes.
 */
export function personActor(user: Pick<UserRow, 'id' | 'name'>): Actor {
  return {
    integrationId: '',
    integrationName: user.name,
    botUserId: user.id,
    capabilities: new Set(ALL_CAPABILITIES),
    seesEverything: true,
    person: true,
  };
}

/**
 * The person behind a browser app's API request: the session cookie's user, when the request
 * repeats the session's CSRF token (`csrf`, from the `X-Octavo-CSRF` header). A page of another
 * site can make the browser send the cookie but cannot read or set that header (no CORS is
 * answered), so a request without it is refused. Null for a missing, expired or signed-out
 * session, or a wrong token.
 */
export async function actorForSession(
  store: Store,
  sessionId: string,
  csrf: string,
  now: Date,
): Promise<Actor | null> {
  if (sessionId.length > 100 || csrf === '') return null;
  const found = await store.transaction((tx) => sessionUser(tx, sessionId, now));
  if (found?.user.type !== 'person') return null;
  const a = Buffer.from(csrf);
  const b = Buffer.from(found.csrf);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
  return personActor(found.user);
}

/** Ends the session (sign-out). */
export async function signOut(tx: StoreTx, sessionId: string): Promise<void> {
  await tx.accounts.deleteSession(sha256Hex(sessionId));
}
