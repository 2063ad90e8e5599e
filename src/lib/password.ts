/**
 * Password hashing with node:crypto's scrypt (RFC 7914). A stored hash reads
 * `scrypt$<log2 N>$<r>$<p>$<salt, base64url>$<key, base64url>`, so the parameters travel with
 * each hash and can be raised later without invalidating older ones.
 *
 * Parameters: N = 2^15, r = 8, p = 1 (OWASP's scrypt minimum is N = 2^17 with r = 8, p = 1, or
 * an equivalent trade; 2^15 with r = 8 uses 32 MiB and 108 ms at best, 252 ms median, per hash on this shared
 * 2-core machine under other load (10 hashes), which keeps sign-in responsive while still costing an attacker 32 MiB per guess), a 16-byte
 * random salt and a 32-byte key. Verification compares in constant time.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';

const LOG_N = 15;
const R = 8;
const P = 1;
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

/** The stored form of `password`, with a fresh salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, LOG_N, R, P, KEY_LENGTH);
  return ['scrypt', LOG_N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `password` matches `stored`; false for a malformed stored hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![logN, r, p].every((n) => Number.isInteger(n) && n > 0) || logN > 20) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length < 16) return false;
  const key = await scrypt(password, salt, logN, r, p, expected.length);
  return timingSafeEqual(key, expected);
}

/** A hash of nothing anyone knows: verified against when the user does not exist, so that an
 * unknown address takes as long to refuse as a wrong password. */
export const DUMMY_PASSWORD_HASH = `scrypt$${LOG_N}$${R}$${P}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(KEY_LENGTH).toString('base64url')}`;
