/**
 * Password hashing with node:crypto's scrypt (RFC 7914). A stored hash reads
 * `scrypt$<log2 N>$<r>$<p>$<salt, base64url>$<key, base64url>`, so the parameters travel with
 * each hash and can be raised later without invalidating older ones.
 *
 * Parameters: N = 2^15, r = 8, p = 3, one of the settings OWASP's Password Storage Cheat Sheet
 * lists as equivalent to its scrypt minimum (N = 2^17, r = 8, p = 1): 32 MiB of memory per
 * guess, and three passes of CPU. A 16-byte random salt and a 32-byte key. Verification compares
 * in constant time. Cost measured on this shared 2-core machine: docs/ARCHITECTURE.md.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';

/** The cost of a hash: log2 of N, the block size r and the parallelization p. */
export interface ScryptCost {
  logN: number;
  r: number;
  p: number;
}

export const DEFAULT_COST: ScryptCost = { logN: 15, r: 8, p: 3 };
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, logN: number, r: number, p: number, length: number) {
  return new Promise<Buffer>((resolve, reject) => {
    // maxmem above the 128 * N * r bytes the parameters need (Node's default is 32 MiB exactly).
    const maxmem = 256 * 2 ** logN * r;
    scryptCb(password, salt, length, { N: 2 ** logN, r, p, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/**
 * The stored form of `password`, with a fresh salt. `cost` is for tests that make many users;
 * everything else uses the default.
 */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, cost.logN, cost.r, cost.p, KEY_LENGTH);
  return ['scrypt', cost.logN, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/** Whether `password` matches `stored`; false for a malformed stored hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![logN, r, p].every((n) => Number.isInteger(n) && n > 0) || logN > 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length < 16) return false;
  const key = await scrypt(password, salt, logN, r, p, expected.length);
  return timingSafeEqual(key, expected);
}

/** A hash of nothing anyone knows: verified against when the user does not exist, so that an
 * unknown address takes as long to refuse as a wrong password. */
export const DUMMY_PASSWORD_HASH = `scrypt$${DEFAULT_COST.logN}$${DEFAULT_COST.r}$${DEFAULT_COST.p}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(KEY_LENGTH).toString('base64url')}`;
