import { describe, expect, it } from 'vitest';
import {
  createTokenReader,
  issueCredentials,
  MAX_SECURITY_TOKEN_LENGTH,
  stsTime,
} from '../../src/auth/sts-token.js';
import { createSealer } from '../../src/crypto/seal.js';

const key = (id: string, fill: number) => ({ id, key: new Uint8Array(32).fill(fill) });
const sealer = createSealer([key('k1', 1)]);
const NOW = Date.UTC(2026, 11, 3, 12, 0, 0) / 1000;

const claims = {
  kind: 'role' as const,
  acct: '1234567890123456',
  rid: '300000000000000001',
  rn: 'Deployer',
  sn: 'ci',
  iat: NOW,
  exp: NOW + 900,
  mfa: true,
  by: 'acs:ram::1234567890123456:user/alice',
};

describe('security tokens', () => {
  it('issues an STS key, a secret and a token that carries every claim', () => {
    const c = issueCredentials(sealer, claims);
    expect(c.accessKeyId).toMatch(/^STS\.[A-Za-z0-9]{25}$/);
    expect(c.expiration).toBe('2026-12-03T12:15:00Z');
    expect(c.securityToken.startsWith('v1.k1.')).toBe(true);
    expect(c.securityToken).not.toContain(c.accessKeySecret);
    const r = createTokenReader(sealer).check(c.securityToken, c.accessKeyId, new Date(NOW * 1000));
    expect(r).toEqual({ ok: true, claims: { v: 1, ak: c.accessKeyId, sk: c.accessKeySecret, ...claims } });
  });

  it('refuses tampered, foreign, oversized and expired tokens, and tokens of another key', () => {
    const c = issueCredentials(sealer, claims);
    const reader = createTokenReader(sealer);
    const at = new Date(NOW * 1000);
    const t = c.securityToken;
    const flipped = `${t.slice(0, -5)}${t.at(-5) === 'A' ? 'B' : 'A'}${t.slice(-4)}`;
    expect(reader.check(flipped, c.accessKeyId, at)).toEqual({ ok: false, problem: 'Malformed' });
    expect(reader.check('garbage', c.accessKeyId, at)).toEqual({ ok: false, problem: 'Malformed' });
    expect(reader.check(`${t}${'A'.repeat(MAX_SECURITY_TOKEN_LENGTH)}`, c.accessKeyId, at).ok).toBe(false);
    const other = createSealer([key('k2', 2)]);
    expect(createTokenReader(other).check(t, c.accessKeyId, at)).toEqual({ ok: false, problem: 'Malformed' });
    // Sealed by this key but not as a token (another purpose): refused.
    expect(
      reader.check(
        sealer.seal(JSON.stringify({ v: 1, ...claims, ak: c.accessKeyId, sk: 'x' })),
        c.accessKeyId,
        at,
      ),
    ).toEqual({
      ok: false,
      problem: 'Malformed',
    });
    // A token that opened names its account even when refused (the authorization point needs it).
    expect(reader.check(t, 'STS.someoneelse', at)).toEqual({
      ok: false,
      problem: 'MismatchWithAccessKey',
      claims: expect.objectContaining({ acct: claims.acct }),
    });
    expect(reader.check(t, c.accessKeyId, new Date((NOW + 899) * 1000)).ok).toBe(true);
    expect(reader.check(t, c.accessKeyId, new Date((NOW + 900) * 1000))).toEqual({
      ok: false,
      problem: 'Expired',
      claims: expect.objectContaining({ acct: claims.acct }),
    });
  });

  it('opens tokens sealed under an older master key while that key is kept', () => {
    const c = issueCredentials(sealer, claims);
    const rotated = createSealer([key('k2', 2), key('k1', 1)]);
    expect(createTokenReader(rotated).check(c.securityToken, c.accessKeyId, new Date(NOW * 1000)).ok).toBe(
      true,
    );
  });

  it('refuses well-sealed claims of the wrong shape', () => {
    const reader = createTokenReader(sealer);
    const bad = sealer.seal(
      JSON.stringify({
        v: 1,
        kind: 'role',
        ak: 'STS.x',
        sk: 's',
        acct: '1',
        iat: 1,
        exp: 2e10,
        mfa: false,
        by: 'x',
      }),
      'sts-security-token',
    );
    expect(reader.check(bad, 'STS.x', new Date(NOW * 1000))).toEqual({ ok: false, problem: 'Malformed' });
  });

  it('writes expiry times as the clients parse them', () => {
    expect(stsTime(0)).toBe('1970-01-01T00:00:00Z');
  });
});
