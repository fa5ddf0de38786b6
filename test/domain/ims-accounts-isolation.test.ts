import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { expectApiError, forEachBackend } from './harness.js';

const METADATA = readFileSync(new URL('../fixtures/saml-idp-metadata.xml', import.meta.url)).toString(
  'base64',
);

/** The IMS reads and records of one account never reach another's. */
forEachBackend('IMS records are scoped by account', (w) => {
  it('finds users by AccessKey id and by id only in their own account', async () => {
    const { domain, services, accountId } = w();
    const other = (await domain.accounts.create({ rootPassword: 'root-password-2' })).accountId;
    await domain.users.create(other, { userName: 'stranger' });
    const key = await domain.accessKeys.create(other, 'stranger');
    const stranger = await domain.users.get(other, 'stranger');

    expect(await domain.accountSummary.userByAccessKeyId(accountId, key.accessKeyId)).toBeUndefined();
    expect((await domain.accountSummary.userByAccessKeyId(other, key.accessKeyId))?.userName).toBe(
      'stranger',
    );
    expect(await services.names.userNameBy(accountId, 'accessKeyId', key.accessKeyId)).toBeUndefined();
    expect(await services.names.userNameBy(accountId, 'userId', stranger.userId)).toBeUndefined();
    expect(await services.names.userNameBy(other, 'userId', stranger.userId)).toBe('stranger');
    expect(await domain.users.findById(accountId, stranger.userId)).toBeUndefined();

    await expectApiError(
      domain.userTags.tag(accountId, [stranger.userId], [{ tagKey: 'k', tagValue: 'v' }]),
      'EntityNotExist.User',
    );
    expect((await domain.userTags.tagsOf(other, [stranger.userId])).get(stranger.userId)).toEqual([]);
    // A root key names no user.
    const root = await domain.accounts.createRootAccessKey(accountId);
    expect(await domain.accountSummary.userByAccessKeyId(accountId, root.accessKeyId)).toBeUndefined();
  });

  it('keeps identity providers, SSO settings and reports per account', async () => {
    const { domain, accountId } = w();
    const other = (await domain.accounts.create({ rootPassword: 'root-password-2' })).accountId;
    await domain.federationProviders.createSaml(other, {
      samlProviderName: 'idp',
      encodedSAMLMetadataDocument: METADATA,
    });
    await domain.federationProviders.createOidc(other, {
      oidcProviderName: 'k8s',
      issuerUrl: 'https://k8s.example.com',
    });
    await expectApiError(domain.federationProviders.getSaml(accountId, 'idp'), 'EntityNotExist.SAMLProvider');
    await expectApiError(domain.federationProviders.getOidc(accountId, 'k8s'), 'EntityNotExist.OIDCProvider');
    // The same issuer and names are free in this account.
    await domain.federationProviders.createOidc(accountId, {
      oidcProviderName: 'k8s',
      issuerUrl: 'https://k8s.example.com',
    });
    expect((await domain.federationProviders.listSaml(accountId)).items).toEqual([]);

    await domain.ssoSettings.set(other, { auxiliaryDomain: 'corp.example.com' });
    expect(await domain.ssoSettings.principalDomains(accountId)).toEqual([`${accountId}.onaliyun.com`]);
    expect(await domain.ssoSettings.principalDomains(other)).toEqual([
      `${other}.onaliyun.com`,
      'corp.example.com',
    ]);

    await domain.credentialReports.generate(other);
    await expectApiError(domain.credentialReports.get(accountId), 'EntityNotExist.CredentialReport');
  });

  it('counts the summary of each account alone', async () => {
    const { domain, accountId } = w();
    const other = (await domain.accounts.create({ rootPassword: 'root-password-2' })).accountId;
    await domain.users.create(other, { userName: 'x' });
    await domain.groups.create(other, { groupName: 'g' });
    const mine = await domain.accountSummary.summary(accountId);
    expect(mine).toMatchObject({
      users: 0,
      groups: 0,
      roles: 0,
      policies: 0,
      mfaDevices: 0,
      mfaDevicesInUse: 0,
    });
    expect((await domain.accountSummary.summary(other)).users).toBe(1);
    expect(await domain.accountSummary.rootMfaEnabled(accountId)).toBe(false);
    await domain.accounts.createRootAccessKey(accountId);
    expect((await domain.accountSummary.securityPractice(accountId)).rootAccessKeys).toBe(1);
    expect((await domain.accountSummary.securityPractice(other)).rootAccessKeys).toBe(0);
  });
});
