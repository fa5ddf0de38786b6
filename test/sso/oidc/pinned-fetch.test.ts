/**
 * Certificate pinning of OIDC issuers (src/sso/oidc/pinned-fetch.ts): a chain is pinned by a
 * certificate with a registered fingerprint only when every certificate below it was issued and
 * signed by the next: a server cannot borrow a pinned certificate it does not chain to.
 */
import { X509Certificate } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chainIsPinned,
  fetchPinnedJson,
  isPrivateAddress,
  PinnedFetchError,
} from '../../../src/sso/oidc/pinned-fetch.js';
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
    const pinned = { fingerprints: [a.fingerprint], allowPrivateNetworks: true };
    const doc = (await fetchPinnedJson(url, pinned)) as { issuer: string };
    expect(doc.issuer).toBe(idp.issuer);
    const refused = await fetchPinnedJson(url, {
      fingerprints: [b.fingerprint],
      allowPrivateNetworks: true,
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PinnedFetchError);
    expect((refused as PinnedFetchError).failure).toBe('fingerprint');
    // The certificate names 127.0.0.1 and localhost: another name for the same server is refused.
    const other = new URL(url.toString().replace('127.0.0.1', '127.0.0.2'));
    const wrongHost = await fetchPinnedJson(other, pinned).catch((e: unknown) => e);
    expect(wrongHost).toBeInstanceOf(PinnedFetchError);
    expect((wrongHost as PinnedFetchError).failure).toBe('https');
    expect(
      await fetchPinnedJson(new URL('http://127.0.0.1/'), { fingerprints: [] }).catch(
        (e: unknown) => (e as PinnedFetchError).failure,
      ),
    ).toBe('https');
  });

  it('reads no issuer on a loopback, private or link-local network unless allowed', async () => {
    const failure = (url: string) =>
      fetchPinnedJson(new URL(url), { fingerprints: [a.fingerprint] }).then(
        () => 'read',
        (e: unknown) => (e as PinnedFetchError).failure,
      );
    // The test issuer listens on 127.0.0.1: by address, and by a name that resolves there.
    const port = new URL(idp.issuer).port;
    expect(await failure(`${idp.issuer}/.well-known/openid-configuration`)).toBe('network');
    expect(await failure(`https://localhost:${port}/.well-known/openid-configuration`)).toBe('network');
    for (const url of [
      'https://10.1.2.3/x',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]:1/x',
      'https://[::ffff:127.0.0.1]:1/x',
      'https://[fd00::1]/x',
      'https://0.0.0.0:1/x',
    ])
      expect([url, await failure(url)]).toEqual([url, 'network']);
    for (const address of ['8.8.8.8', '2606:4700::1111', '172.32.0.1', '100.128.0.1'])
      expect([address, isPrivateAddress(address)]).toEqual([address, false]);
    for (const address of ['172.31.255.255', '192.168.0.1', '100.64.0.1', 'fe80::1', '::'])
      expect([address, isPrivateAddress(address)]).toEqual([address, true]);
  });

  it('gives up on an issuer that trickles its answer, at the deadline', async () => {
    const slow = createHttpsServer({ key: a.key, cert: a.cert }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = slow.address() as { port: number };
      const t0 = Date.now();
      const err = await fetchPinnedJson(new URL(`https://127.0.0.1:${port}/`), {
        fingerprints: [a.fingerprint],
        allowPrivateNetworks: true,
        timeoutMs: 1000,
        deadlineMs: 800,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PinnedFetchError);
      expect((err as PinnedFetchError).message).toBe('the issuer did not answer in time');
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });
});
