/** scrypt password hashes: the stored format, verification, and what is refused. */
import { describe, expect, it } from 'vitest';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../../src/lib/password.ts';

describe('hashPassword / verifyPassword', () => {
  it('stores scrypt with its parameters and a fresh salt, and verifies only the right password', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).toMatch(/^scrypt\$15\$8\$3\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsE', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('verifies a hash made with other parameters (they travel with the hash)', async () => {
    const { scryptSync } = await import('node:crypto');
    const salt = Buffer.from('0123456789abcdef');
    const key = scryptSync('pw', salt, 32, { N: 2 ** 10, r: 4, p: 2 });
    const stored = `scrypt$10$4$2$${salt.toString('base64url')}$${key.toString('base64url')}`;
    expect(await verifyPassword('pw', stored)).toBe(true);
  });

  it('answers false for malformed hashes and the dummy hash', async () => {
    for (const stored of [
      '',
      'plain',
      'scrypt$15$8$1$x',
      'bcrypt$15$8$1$a$b',
      'scrypt$99$8$1$AAAA$AAAAAAAAAAAAAAAAAAAAAA',
    ])
      expect(await verifyPassword('pw', stored)).toBe(false);
    expect(await verifyPassword('', DUMMY_PASSWORD_HASH)).toBe(false);
  });
});
