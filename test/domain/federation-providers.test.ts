import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSamlMetadata } from '../../src/domain/federation-providers.js';
import { expectApiError, forEachBackend } from './harness.js';

forEachBackend('OIDC provider lists under parallel changes', (w) => {
  it('keeps every client id and fingerprint added in parallel, within the limits', async () => {
    const { domain, accountId } = w();
    const oidc = domain.federationProviders;
    await oidc.createOidc(accountId, { oidcProviderName: 'par', issuerUrl: 'https://par.example.com' });
    const ids = Array.from({ length: 12 }, (_, i) => `client-${i}`);
    await Promise.all(ids.map((id) => oidc.addClientId(accountId, 'par', id)));
    expect([...(await oidc.getOidc(accountId, 'par')).clientIds].sort()).toEqual([...ids].sort());

    const fps = Array.from({ length: 7 }, (_, i) => String(i).repeat(40));
    const results = await Promise.allSettled(fps.map((fp) => oidc.addFingerprint(accountId, 'par', fp)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    for (const r of results.filter((x) => x.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason.code).toBe('LimitExceeded.OIDCProvider.Fingerprint');
    }
    expect((await oidc.getOidc(accountId, 'par')).fingerprints).toHaveLength(5);
  });

  it('creates one provider for parallel creates of one issuer', async () => {
    const { domain, accountId } = w();
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        domain.federationProviders.createOidc(accountId, {
          oidcProviderName: `same-${i}`,
          issuerUrl: 'https://same.example.com',
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await domain.federationProviders.listOidc(accountId)).items).toHaveLength(1);
    await expectApiError(
      domain.federationProviders.createOidc(accountId, {
        oidcProviderName: 'late',
        issuerUrl: 'https://SAME.example.com/',
      }),
      'EntityAlreadyExists.OIDCProvider.IssuerUrl',
    );
  });
});

forEachBackend('OIDC provider IssuerUrl characters', (w) => {
  it('refuses control characters and white space in IssuerUrl, writing nothing', async () => {
    const { domain, accountId } = w();
    const oidc = domain.federationProviders;
    const refused = [
      'https://issuer.example.com/\u0000',
      'https://issuer.example.com/\u001b[2J\u0007',
      'https://ac\tcounts.goo\ngle.com',
      'https://issuer.example.com/a\rb',
      'https://issuer.example.com/a b',
      'https://issuer.example.com/\u007f',
      'https://issuer.example.com/\u00a0',
      'https://issuer.example.com/\u2028',
      ' https://issuer.example.com',
      'https://issuer.example.com/\u000b',
    ];
    for (const issuerUrl of refused) {
      await expectApiError(
        oidc.createOidc(accountId, { oidcProviderName: 'p', issuerUrl }),
        'InvalidParameter.IssuerUrl',
        'The parameter - "IssuerUrl" MUST NOT contain control characters or white space.',
      );
    }
    expect((await oidc.listOidc(accountId)).items).toEqual([]);
    // The issuer the TAB/LF form would have read as stays free for its own provider.
    const p = await oidc.createOidc(accountId, {
      oidcProviderName: 'google',
      issuerUrl: 'https://accounts.google.com',
    });
    expect(p.issuerUrl).toBe('https://accounts.google.com');
  });
});

describe('SAML metadata values', () => {
  const FIXTURE = readFileSync(new URL('../fixtures/saml-idp-metadata.xml', import.meta.url), 'utf8');
  /** The fixture with its entityID and HTTP-Redirect Location written as given (XML text). */
  const metadata = (entityId: string, location: string, use = 'signing'): string =>
    Buffer.from(
      FIXTURE.replace('entityID="https://idp.example.com/saml"', `entityID="${entityId}"`)
        .replace('Location="https://idp.example.com/sso"', `Location="${location}"`)
        .replace('use="signing"', `use="${use}"`),
    ).toString('base64');

  it.each([
    ['&amp;', 'https://idp.example.com/saml?a=1&amp;b=2', 'https://idp.example.com/saml?a=1&b=2'],
    ['&lt; &gt; &quot; &apos;', 'urn:idp:&lt;x&gt;:&quot;y&quot;:&apos;z&apos;', `urn:idp:<x>:"y":'z'`],
    [
      'character references',
      'https://idp.example.com/&#x41;&#66;&#x1F600;',
      'https://idp.example.com/AB\u{1F600}',
    ],
    ['once only', 'https://idp.example.com/?q=&amp;amp;&#38;lt;', 'https://idp.example.com/?q=&amp;&lt;'],
    [
      'no reference XML defines',
      'https://idp.example.com/&nbsp;&#0;&#xD800;&x',
      'https://idp.example.com/&nbsp;&#0;&#xD800;&x',
    ],
  ])('decodes the references of the entityID and SSO URL once (%s)', (_what, written, read) => {
    const idp = checkSamlMetadata(metadata(written, written), 'MetadataDocument');
    expect(idp.entityId).toBe(read);
    // The SSO URL is kept only when it is an http(s) URL.
    expect(idp.ssoRedirectUrl).toBe(/^https?:/.test(read) ? read : undefined);
  });

  it('reads KeyDescriptor use decoded, and keeps no SSO URL that is not a URL', () => {
    const idp = checkSamlMetadata(
      metadata('https://idp.example.com/saml', 'https://', '&#115;igning'),
      'MetadataDocument',
    );
    expect(idp.signingCertificates).toHaveLength(1);
    expect(idp.ssoRedirectUrl).toBeUndefined();
  });
});
