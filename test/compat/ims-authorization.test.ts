/**
 * Every implemented IMS operation is authorized as `ram:<Action>`: a RAM user without a policy
 * is refused with NoPermission naming that action, and nothing changes; an allowing policy
 * lets it through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import { STORES, expectFailure, grant, ramUserWithKey, revoke, uniq } from './ram-helpers.js';
import { imsCall, imsClient, type ImsClient } from './ims-helpers.js';

describe.each(STORES)('IMS authorization (%s)', (store) => {
  let server: TestServer;
  let ims: ImsClient;
  let ram: RamClient;
  let domain: string;

  beforeAll(async () => {
    server = await startServer({ store });
    ims = imsClient(server);
    ram = ramClient(server);
    domain = (await imsCall(ims, 'GetDefaultDomain')).DefaultDomainName;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses account-wide writes without a policy, changing nothing, and allows them with one', async () => {
    const caller = await ramUserWithKey(server, ram);
    const mine = imsClient(server, caller.keys);
    const before = {
      domain: (await imsCall(ims, 'GetDefaultDomain')).DefaultDomainName,
      sso: (await imsCall(ims, 'GetUserSsoSettings')).UserSsoSettings,
      pref: (await imsCall(ims, 'GetSecurityPreference')).SecurityPreference,
      policy: (await imsCall(ims, 'GetPasswordPolicy')).PasswordPolicy,
      oidc: (await imsCall(ims, 'ListOIDCProviders')).OIDCProviders.OIDCProvider,
    };
    const attempts: [string, Record<string, unknown>][] = [
      ['SetDefaultDomain', { DefaultDomainName: `${uniq('dd')}.onaliyun.com` }],
      ['SetUserSsoSettings', { AuxiliaryDomain: 'denied.example.com' }],
      ['SetSecurityPreference', { LoginSessionDuration: 2 }],
      ['SetPasswordPolicy', { MinimumPasswordLength: 20 }],
      ['CreateOIDCProvider', { OIDCProviderName: uniq('o'), IssuerUrl: 'https://denied.example.com' }],
      ['GenerateCredentialReport', {}],
      ['GetAccountSummary', {}],
      ['GetAccountSecurityPracticeReport', {}],
      ['GetAccountMFAInfo', {}],
      ['ListUserBasicInfos', {}],
      ['GetUserSsoSettings', {}],
      ['ListSAMLProviders', {}],
      ['DisableVirtualMFA', { UserPrincipalName: `${caller.userName}-x@${domain}` }],
    ];
    for (const [action, params] of attempts) {
      const f = await expectFailure(imsCall(mine, action, params), 'NoPermission', 403);
      expect(f.data.AccessDeniedDetail.AuthAction, action).toBe(`ram:${action}`);
    }
    expect({
      domain: (await imsCall(ims, 'GetDefaultDomain')).DefaultDomainName,
      sso: (await imsCall(ims, 'GetUserSsoSettings')).UserSsoSettings,
      pref: (await imsCall(ims, 'GetSecurityPreference')).SecurityPreference,
      policy: (await imsCall(ims, 'GetPasswordPolicy')).PasswordPolicy,
      oidc: (await imsCall(ims, 'ListOIDCProviders')).OIDCProviders.OIDCProvider,
    }).toEqual(before);

    const policy = await grant(ram, caller.userName, ['ram:GetAccountSummary', 'ram:SetUserSsoSettings']);
    expect((await imsCall(mine, 'GetAccountSummary')).SummaryMap.Users).toBeGreaterThan(0);
    await imsCall(mine, 'SetUserSsoSettings', { AuxiliaryDomain: 'allowed.example.com' });
    await revoke(ram, caller.userName, policy);
    await expectFailure(imsCall(mine, 'GetAccountSummary'), 'NoPermission', 403);
    await imsCall(ims, 'SetUserSsoSettings', { AuxiliaryDomain: '' });
  });

  it('acts on the calling RAM user when no principal name is given', async () => {
    const caller = await ramUserWithKey(server, ram);
    const mine = imsClient(server, caller.keys);
    const policy = await grant(ram, caller.userName, ['ram:ListAccessKeys', 'ram:GetUserMFAInfo']);
    expect((await imsCall(mine, 'ListAccessKeys')).AccessKeys.AccessKey).toHaveLength(1);
    expect((await imsCall(mine, 'GetUserMFAInfo')).IsMFAEnable).toBe(false);
    await revoke(ram, caller.userName, policy);
  });
});
