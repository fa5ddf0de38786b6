import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createSealer,
  parseMasterKey,
  parseMasterKeys,
  SealError,
  sealedKeyId,
} from '../../src/crypto/seal.js';
import { constantTimeEqual, equalSignatures } from '../../src/crypto/constant-time.js';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };

describe('seal', () => {
  it('round-trips and never repeats a sealed form', () => {
    const s = createSealer([k1]);
    const a = s.seal('secret', 'ak:LTAI1');
    const b = s.seal('secret', 'ak:LTAI1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('secret');
    expect(s.unsealText(a, 'ak:LTAI1')).toBe('secret');
  });

  it('refuses another context, a tampered value and an unknown key', () => {
    const s = createSealer([k1]);
    const a = s.seal('secret', 'ak:LTAI1');
    expect(() => s.unseal(a, 'ak:LTAI2')).toThrow(SealError);
    const last = a.at(-2) === 'A' ? 'B' : 'A';
    expect(() => s.unseal(a.slice(0, -2) + last + a.at(-1), 'ak:LTAI1')).toThrow(SealError);
    expect(() => createSealer([k2]).unseal(a, 'ak:LTAI1')).toThrow('unknown key');
    expect(() => s.unseal('plain', '')).toThrow('not a sealed value');
  });

  it('has one spelling of a sealed value: characters added, padding or the other alphabet are refused', () => {
    const s = createSealer([k1]);
    const a = s.seal('secret', 'ak:LTAI1');
    const body = a.split('.')[2]!;
    const middle = Math.floor(a.length / 2);
    const variants = [
      `${a.slice(0, middle)}*!~${a.slice(middle)}`,
      `${a.slice(0, middle)} ${a.slice(middle)}`,
      `${a.slice(0, middle)}\n${a.slice(middle)}`,
      `${a}=`,
      a.replace(/-/g, '+').replace(/_/g, '/'),
    ].filter((v) => v !== a);
    // The last character's low bits are padding when the length is not a multiple of 4 bytes.
    if (body.length % 4 !== 0) {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const i = alphabet.indexOf(a.at(-1)!);
      variants.push(a.slice(0, -1) + alphabet[i ^ 1]!);
    }
    for (const v of variants) expect(() => s.unseal(v, 'ak:LTAI1'), v).toThrow(SealError);
    expect(s.unsealText(a, 'ak:LTAI1')).toBe('secret');
  });

  it('reads values sealed under an older key after rotation', () => {
    const old = createSealer([k1]).seal('x');
    const rotated = createSealer([k2, k1]);
    expect(rotated.unsealText(old)).toBe('x');
    expect(rotated.seal('y')).toMatch(/^v1\.k2\./);
  });

  it('parses master keys in hex and base64 and rejects other lengths', () => {
    const raw = randomBytes(32);
    expect(Buffer.from(parseMasterKey(raw.toString('hex')))).toEqual(raw);
    expect(Buffer.from(parseMasterKey(raw.toString('base64')))).toEqual(raw);
    expect(() => parseMasterKey('abcd')).toThrow(SealError);
  });
});

describe('constantTimeEqual', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['abc', 'abcd', false],
    ['', '', true],
  ])('%s vs %s -> %s', (a, b, want) => {
    expect(constantTimeEqual(a, b)).toBe(want);
  });
});

describe('equalSignatures', () => {
  it.each([
    ['9f86d081', '9f86d081', true],
    ['9f86d081', '9f86d082', false],
    ['9f86d081', '9F86D081', false],
    ['9f86d081', '9f86d08', false],
    ['9f86d081', '9f86d0811', false],
    // Same length in characters, not in UTF-8 bytes.
    ['9f86d081', '9f86d08é', false],
    ['', '', true],
  ])('%s vs %s -> %s', (a, b, want) => {
    expect(equalSignatures(a, b)).toBe(want);
  });
});

describe('master key lists and sealed key ids', () => {
  it('reads one key per line or comma-separated, skipping comment lines', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    const text = `# first seals\n${a.toString('hex')}\n\n${b.toString('base64')}\n`;
    expect(parseMasterKeys(text).map((k) => Buffer.from(k))).toEqual([a, b]);
    expect(parseMasterKeys(`${a.toString('hex')},${b.toString('hex')}`).map((k) => Buffer.from(k))).toEqual([
      a,
      b,
    ]);
    expect(() => parseMasterKeys('# nothing\n')).toThrow('no master key');
    expect(() => parseMasterKeys(`${a.toString('hex')},abcd`)).toThrow(SealError);
  });

  it('names the key a value was sealed under', () => {
    expect(sealedKeyId(createSealer([k1, k2]).seal('x'))).toBe('k1');
    expect(sealedKeyId('plain')).toBeUndefined();
  });
});
