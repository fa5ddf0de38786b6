import { expect, it } from 'vitest';
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
