import { describe, expect, it } from 'vitest';
import { findTotpStep, generateTotpSecret, otpauthUrl, totpCode, totpStep } from '../../src/crypto/totp.js';

// RFC 6238 appendix B, SHA1 secret "12345678901234567890"; 6-digit truncations of the 8-digit values.
// base32 of the ASCII text 12345678901234567890
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const vectors: [number, string][] = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
  [20000000000, '353130'],
];

describe('TOTP', () => {
  it.each(vectors)('matches RFC 6238 at T=%i', (t, code) => {
    expect(totpCode(RFC_SECRET, totpStep(new Date(t * 1000)))).toBe(code);
  });

  it('generates 160-bit secrets', () => {
    const s = generateTotpSecret();
    expect(s).toMatch(/^[A-Z2-7]{32}$/);
    expect(generateTotpSecret()).not.toBe(s);
  });

  it('finds the step of a code within the window only', () => {
    const at = new Date(1_700_000_000_000);
    const now = totpStep(at);
    expect(findTotpStep(RFC_SECRET, totpCode(RFC_SECRET, now), at)).toBe(now);
    expect(findTotpStep(RFC_SECRET, totpCode(RFC_SECRET, now - 1), at)).toBe(now - 1);
    expect(findTotpStep(RFC_SECRET, totpCode(RFC_SECRET, now + 1), at)).toBe(now + 1);
    expect(findTotpStep(RFC_SECRET, totpCode(RFC_SECRET, now - 2), at)).toBeUndefined();
  });

  it('builds otpauth URLs that authenticator apps read', () => {
    const url = new URL(otpauthUrl({ secret: 'ABC', label: 'dev@acme.onaliyun.com', issuer: 'Rampart' }));
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/Rampart:dev@acme.onaliyun.com');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      secret: 'ABC',
      issuer: 'Rampart',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
