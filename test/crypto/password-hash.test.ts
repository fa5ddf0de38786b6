import { describe, expect, it } from 'vitest';
import { defaultScryptParams, hashPassword, verifyPassword } from '../../src/crypto/password-hash.js';

const fast = { logN: 10, r: 8, p: 1 };

describe('password hashing (scrypt)', () => {
  it('encodes parameters and a fresh salt, and verifies only the right password', async () => {
    const a = await hashPassword('correct horse', fast);
    const b = await hashPassword('correct horse', fast);
    expect(a).toMatch(/^scrypt\$10\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horse', b)).toBe(true);
    expect(await verifyPassword('correct horsE', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('uses a memory-hard default (N = 2^15)', async () => {
    expect(defaultScryptParams).toEqual({ logN: 15, r: 8, p: 1 });
    const h = await hashPassword('pw');
    expect(h.startsWith('scrypt$15$8$1$')).toBe(true);
    expect(await verifyPassword('pw', h)).toBe(true);
  });

  it('treats Unicode forms alike (NFC)', async () => {
    const h = await hashPassword('caf\u00e9', fast);
    expect(await verifyPassword('cafe\u0301', h)).toBe(true);
  });

  const malformed = [
    '',
    'scrypt',
    'bcrypt$10$8$1$aa$bb',
    'scrypt$x$8$1$aa$bb',
    'scrypt$40$8$1$aa$bb',
    'scrypt$10$8$1$aa',
  ];
  it.each(malformed)('refuses the malformed hash %j', async (h) => {
    expect(await verifyPassword('pw', h)).toBe(false);
  });
});
