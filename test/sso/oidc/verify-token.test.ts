/**
 * The OIDC token verifier (src/sso/oidc/verify-token.ts) with a JWKS served by a function the
 * test controls: keys are cached, fetched again when a token names an unknown key id (a key
 * rotation), and not more often than the cooldown; the discovery document must name its issuer.
 */
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOidcVerifier } from '../../../src/sso/oidc/verify-token.js';
import { PinnedFetchError } from '../../../src/sso/oidc/pinned-fetch.js';
import { ApiError } from '../../../src/errors.js';

const ISSUER = 'https://issuer.example.test';
const anchor = {
  issuerUrl: ISSUER,
  fingerprints: ['a'.repeat(40)],
  clientIds: ['sts'],
  issuanceLimitTime: 1,
};

async function key(kid: string): Promise<{ priv: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { priv: privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

const token = (k: CryptoKey, kid: string, now: Date, claims: Record<string, unknown> = {}) =>
  new SignJWT({ sub: 'ci', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer(ISSUER)
    .setAudience('sts')
    .setIssuedAt(Math.floor(now.getTime() / 1000) - 5)
    .setExpirationTime(Math.floor(now.getTime() / 1000) + 300)
    .sign(k);

/** A token with exactly these claims (iss and aud as given, whatever their form). */
const rawToken = (k: CryptoKey, kid: string, now: Date, claims: Record<string, unknown>) =>
  new SignJWT({
    sub: 'ci',
    iat: Math.floor(now.getTime() / 1000) - 5,
    exp: Math.floor(now.getTime() / 1000) + 300,
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', kid })
    .sign(k);

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
}

describe('OIDC token verification', () => {
  let a: Awaited<ReturnType<typeof key>>;
  let b: Awaited<ReturnType<typeof key>>;
  beforeAll(async () => {
    a = await key('a');
    b = await key('b');
  });

  function issuer(keys: () => JWK[], discoveryIssuer = ISSUER) {
    const fetched: string[] = [];
    const verifier = createOidcVerifier({
      fetchJson: async (url, fingerprints) => {
        expect(fingerprints).toEqual(anchor.fingerprints);
        fetched.push(url.pathname);
        if (url.pathname === '/.well-known/openid-configuration') {
          return { issuer: discoveryIssuer, jwks_uri: `${ISSUER}/jwks` };
        }
        return { keys: keys() };
      },
    });
    return { verifier, jwksFetches: () => fetched.filter((p) => p === '/jwks').length };
  }

  it('caches the keys, and reads them again for a rotated key id (not more often than the cooldown)', async () => {
    let served = [a.jwk];
    const { verifier, jwksFetches } = issuer(() => served);
    const now = new Date('2026-12-03T10:00:00Z');
    const t = await verifier.verify(await token(a.priv, 'a', now), anchor, now);
    expect(t).toMatchObject({ subject: 'ci', issuer: ISSUER, audiences: ['sts'] });
    await verifier.verify(await token(a.priv, 'a', now), anchor, now);
    expect(jwksFetches()).toBe(1);
    // The issuer rotates to key b: a token of b makes the verifier read the keys again.
    served = [b.jwk];
    const later = new Date(now.getTime() + 60_000);
    await verifier.verify(await token(b.priv, 'b', later), anchor, later);
    expect(jwksFetches()).toBe(2);
    // Unknown key ids within the cooldown do not hammer the issuer.
    expect(await code(verifier.verify(await token(a.priv, 'zzz', later), anchor, later))).toBe(
      'AuthenticationFail.OIDCToken.InvalidSignature',
    );
    expect(jwksFetches()).toBe(2);
  });

  it('refuses a discovery document of another issuer, and tokens outside their life', async () => {
    const now = new Date('2026-12-03T10:00:00Z');
    const wrong = issuer(() => [a.jwk], 'https://elsewhere.example.test');
    expect(await code(wrong.verifier.verify(await token(a.priv, 'a', now), anchor, now))).toBe(
      'AuthenticationFail.OIDCToken.HttpsUrlInvalid',
    );
    const ok = issuer(() => [a.jwk]);
    const old = new Date(now.getTime() - 2 * 3600_000);
    expect(
      await code(
        ok.verifier.verify(
          await token(a.priv, 'a', old, { exp: Math.floor(now.getTime() / 1000) + 60 }),
          anchor,
          now,
        ),
      ),
    ).toBe('AuthenticationFail.OIDCToken.Expired');
    expect(await code(ok.verifier.verify(await token(a.priv, 'a', now, { sub: '' }), anchor, now))).toBe(
      'AuthenticationFail.OIDCToken.Invalid',
    );
  });

  it('refuses iat, exp or nbf that is no time a clock shows, before any key is read', async () => {
    const now = new Date('2026-12-03T10:00:00Z');
    const ok = issuer(() => [a.jwk]);
    for (const claims of [{ exp: 8_640_000_000_001 }, { exp: 1e20 }, { iat: -1 }, { nbf: 1e300 }]) {
      const t = await rawToken(a.priv, 'a', now, { iss: ISSUER, aud: 'sts', ...claims });
      const err = await ok.verifier.verify(t, anchor, now).catch((e: unknown) => e);
      expect([claims, err instanceof ApiError && err.code]).toEqual([
        claims,
        'AuthenticationFail.OIDCToken.Invalid',
      ]);
    }
    expect(ok.jwksFetches()).toBe(0);
    // The latest time taken still verifies.
    const late = await rawToken(a.priv, 'a', now, { iss: ISSUER, aud: 'sts', exp: 253_402_300_799 });
    expect(await code(ok.verifier.verify(late, anchor, now))).toBe('ok');
  });

  it('answers every failure to reach the issuer alike, naming no network detail', async () => {
    const now = new Date('2026-12-03T10:00:00Z');
    const messages = new Set<string>();
    for (const detail of [
      'the issuer could not be reached: connect ECONNREFUSED 127.0.0.1:5432',
      'the issuer could not be reached: getaddrinfo ENOTFOUND nonexistent.invalid',
      'the issuer answered HTTP 404',
      'the issuer did not answer in time',
    ]) {
      const verifier = createOidcVerifier({
        fetchJson: () => Promise.reject(new PinnedFetchError('https', detail)),
      });
      const err = await verifier.verify(await token(a.priv, 'a', now), anchor, now).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('AuthenticationFail.OIDCToken.HttpsUrlInvalid');
      messages.add((err as ApiError).message);
    }
    expect([...messages]).toEqual(['The OIDC issuer could not be read over HTTPS.']);
    const privateNet = createOidcVerifier({
      fetchJson: () => Promise.reject(new PinnedFetchError('network', 'private')),
    });
    const err = await privateNet.verify(await token(a.priv, 'a', now), anchor, now).catch((e: unknown) => e);
    expect((err as ApiError).message).toMatch(/private or link-local network.*RAMPART_OIDC_PRIVATE_ISSUERS/);
  });

  it('takes the iss of the IssuerUrl exactly: a trailing slash is another issuer', async () => {
    const now = new Date('2026-12-03T10:00:00Z');
    const { verifier } = issuer(() => [a.jwk]);
    expect(
      await code(
        verifier.verify(await rawToken(a.priv, 'a', now, { iss: `${ISSUER}/`, aud: 'sts' }), anchor, now),
      ),
    ).toBe('AuthenticationFail.OIDCToken.Invalid');
    expect(
      await code(
        verifier.verify(await rawToken(a.priv, 'a', now, { iss: `${ISSUER}//`, aud: 'sts' }), anchor, now),
      ),
    ).toBe('AuthenticationFail.OIDCToken.Invalid');
    // A provider registered with the slash takes tokens of that form only, and echoes it; its
    // discovery document must name it in that form too.
    const slashed = { ...anchor, issuerUrl: `${ISSUER}/` };
    const slashedToken = await rawToken(a.priv, 'a', now, { iss: `${ISSUER}/`, aud: 'sts' });
    expect(await code(verifier.verify(slashedToken, slashed, now))).toBe(
      'AuthenticationFail.OIDCToken.HttpsUrlInvalid',
    );
    const slashedIssuer = issuer(() => [a.jwk], `${ISSUER}/`).verifier;
    expect(
      await code(
        slashedIssuer.verify(await rawToken(a.priv, 'a', now, { iss: ISSUER, aud: 'sts' }), slashed, now),
      ),
    ).toBe('AuthenticationFail.OIDCToken.Invalid');
    const t = await slashedIssuer.verify(
      await rawToken(a.priv, 'a', now, { iss: `${ISSUER}/`, aud: 'sts' }),
      slashed,
      now,
    );
    expect(t.issuer).toBe(`${ISSUER}/`);
    expect(
      (await verifier.verify(await rawToken(a.priv, 'a', now, { iss: ISSUER, aud: 'sts' }), anchor, now))
        .issuer,
    ).toBe(ISSUER);
  });

  it('takes aud as a string or an array of strings, and refuses any other entry', async () => {
    const now = new Date('2026-12-03T10:00:00Z');
    const { verifier } = issuer(() => [a.jwk]);
    const t = await verifier.verify(
      await rawToken(a.priv, 'a', now, { iss: ISSUER, aud: ['other', 'sts'] }),
      anchor,
      now,
    );
    expect(t.audiences).toEqual(['other', 'sts']);
    for (const aud of [
      ['sts', 42],
      ['sts', null],
      ['sts', { id: 'x' }],
      ['sts', ['sts']],
      ['sts', true],
      42,
      { sts: true },
      [],
      null,
    ]) {
      expect(
        await code(verifier.verify(await rawToken(a.priv, 'a', now, { iss: ISSUER, aud }), anchor, now)),
        JSON.stringify(aud),
      ).toBe('AuthenticationFail.OIDCToken.AudienceNotMatch');
    }
  });
});
