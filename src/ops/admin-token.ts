/**
 * The admin token: the one secret of the admin HTTP API (`/_octavo`, src/admin/), which the
 * command line and, later, the web UI use to manage the server. Stored only as its SHA-256 digest
 * in `octavo_meta`; made on first start and printed once, and made again (the old one stops
 * working) by `octavo admin token`.
 */
import { timingSafeEqual } from 'node:crypto';
import { randomBase62, sha256Hex } from '../lib/crypto.ts';
import type { Store, StoreTx } from '../store/store.ts';

const KEY = 'admin_token_hash';

/** Admin tokens: `oat_` and 46 base-62 characters (integration tokens start with `ntn_`). */
export function newAdminToken(): string {
  return `oat_${randomBase62(46)}`;
}

/** Makes a new admin token (returned once) and forgets the previous one. */
export async function issueAdminToken(tx: StoreTx): Promise<string> {
  const token = newAdminToken();
  await tx.meta.set(KEY, sha256Hex(token));
  return token;
}

/** Makes the admin token when the workspace has none yet; null when it already has one. */
export async function ensureAdminToken(tx: StoreTx): Promise<string | null> {
  if ((await tx.meta.get(KEY)) !== undefined) return null;
  return issueAdminToken(tx);
}

/** Whether `token` is the admin token (compared as digests, in constant time). */
export async function isAdminToken(store: Store, token: string): Promise<boolean> {
  const stored = await store.transaction((tx) => tx.meta.get(KEY));
  if (stored === undefined) return false;
  const want = Buffer.from(stored, 'hex');
  const got = Buffer.from(sha256Hex(token), 'hex');
  return want.length === got.length && timingSafeEqual(want, got);
}
