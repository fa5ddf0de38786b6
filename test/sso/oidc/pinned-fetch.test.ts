/**
 * Certificate pinning of OIDC issuers (src/sso/oidc/pinned-fetch.ts): a chain is pinned by a
 * certificate with a registered fingerprint only when every certificate below it was issued and
 * signed by the next: a server cannot borrow a pinned certificate it does not chain to.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainIsPinned, fetchPinnedJson, PinnedFetchError } from '../../../src/sso/oidc/pinned-fetch.js';
import {
  selfSignedCertificate,
  startOidcIssuer,
  type OidcIssuer,
  type TestCertificate,
} from '../idp-helpers.js';

describe('pinned HTTPS of OIDC issuers', () => {
  let a: TestCertificate;
  let b: TestCertificate;
  let idp: OidcIssuer;
  beforeAll(async () => {
    a = selfSignedCertificate();
    b = selfSignedCertificate();
    idp = await startOidcIssuer(a);
  });
  afterAll(async () => {
    await idp?.stop();
    a?.remove();
    b?.remove();
  });

  it('accepts a pinned certificate, never one that is only presented beside the leaf', () => {
    const ca = new X509Certificate(a.cert);
    const cb = new X509Certificate(b.cert);
    expect(chainIsPinned([ca], [a.fingerprint])).toBe(true);
    expect(chainIsPinned([ca], [a.fingerprint.toUpperCase()])).toBe(true);
    expect(chainIsPinned([ca], [b.fingerprint])).toBe(false);
    // b did not issue a: presenting b after a pins nothing.
    expect(chainIsPinned([ca, cb], [b.fingerprint])).toBe(false);
  });

  it('reads a self-signed issuer whose fingerprint is pinned, and refuses it otherwise', async () => {
    const url = new URL(`${idp.issuer}/.well-known/openid-configuration`);
    const doc = (await fetchPinnedJson(url, { fingerprints: [a.fingerprint] })) as { issuer: string };
    expect(doc.issuer).toBe(idp.issuer);
    const refused = await fetchPinnedJson(url, { fingerprints: [b.fingerprint] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PinnedFetchError);
    expect((refused as PinnedFetchError).failure).toBe('fingerprint');
    // The certificate names 127.0.0.1 and localhost: another name for the same server is refused.
    const other = new URL(url.toString().replace('127.0.0.1', '127.0.0.2'));
    const wrongHost = await fetchPinnedJson(other, { fingerprints: [a.fingerprint] }).catch(
      (e: unknown) => e,
    );
    expect(wrongHost).toBeInstanceOf(PinnedFetchError);
    expect((wrongHost as PinnedFetchError).failure).toBe('https');
    expect(
      await fetchPinnedJson(new URL('http://127.0.0.1/'), { fingerprints: [] }).catch(
        (e: unknown) => (e as PinnedFetchError).failure,
      ),
    ).toBe('https');
  });
});
