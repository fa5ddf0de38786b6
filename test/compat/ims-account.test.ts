/**
 * IMS account-wide operations through @alicloud/ims20190815 against a real server: password
 * policy and security preference in the IMS shapes (the same settings RAM reads), the account
 * summary, the root's MFA and AccessKeys, the security practice report and the default domain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import { STORES, call, expectFailure, uniq } from './ram-helpers.js';
import { imsCall, imsClient, type ImsClient } from './ims-helpers.js';

describe.each(STORES)('IMS account settings (%s)', (store) => {
  let server: TestServer;
  let ims: ImsClient;
  let ram: RamClient;

  beforeAll(async () => {
    server = await startServer({ store });
    ims = imsClient(server);
    ram = ramClient(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reads and writes the password policy in the IMS spelling, shared with RAM', async () => {
    const set = (
      await imsCall(ims, 'SetPasswordPolicy', {
        MinimumPasswordLength: 12,
        HardExpire: true,
        MaxPasswordAge: 90,
        MinimumPasswordDifferentCharacter: 4,
        PasswordNotContainUserName: true,
        RequireSymbols: true,
      })
    ).PasswordPolicy;
    expect(set).toMatchObject({
      MinimumPasswordLength: 12,
      HardExpire: true,
      MaxPasswordAge: 90,
      MinimumPasswordDifferentCharacter: 4,
      PasswordNotContainUserName: true,
      RequireSymbols: true,
    });
    expect((await imsCall(ims, 'GetPasswordPolicy')).PasswordPolicy).toEqual(set);
    expect((await call(ram, 'GetPasswordPolicy')).PasswordPolicy).toMatchObject({
      MinimumPasswordLength: 12,
      HardExpiry: true,
      MaxPasswordAge: 90,
    });
    await call(ram, 'SetPasswordPolicy', { HardExpiry: false, MinimumPasswordLength: 8 });
    expect((await imsCall(ims, 'GetPasswordPolicy')).PasswordPolicy).toMatchObject({
      HardExpire: false,
      MinimumPasswordLength: 8,
      MinimumPasswordDifferentCharacter: 4,
    });
    await expectFailure(
      imsCall(ims, 'SetPasswordPolicy', { MinimumPasswordLength: 7 }),
      'InvalidParameter.MinimumPasswordLength.Range',
      400,
    );
    await expectFailure(
      imsCall(ims, 'SetPasswordPolicy', { MinimumPasswordDifferentCharacter: 9 }),
      'InvalidParameter',
      400,
    );
    expect((await imsCall(ims, 'GetPasswordPolicy')).PasswordPolicy.MinimumPasswordLength).toBe(8);
  });

  it('reads and writes the grouped security preference, shared with RAM', async () => {
    const pref = (
      await imsCall(ims, 'SetSecurityPreference', {
        AllowUserToManageAccessKeys: true,
        AllowUserToLoginWithPasskey: false,
        AllowUserToManagePersonalDingTalk: false,
        MFAOperationForLogin: 'adaptive',
        OperationForRiskLogin: 'enforceVerify',
        LoginNetworkMasks: '10.0.0.0/8;192.168.1.1',
        LoginSessionDuration: 8,
        VerificationTypes: ['sms', 'email'],
      })
    ).SecurityPreference;
    expect(pref).toMatchObject({
      AccessKeyPreference: { AllowUserToManageAccessKeys: true },
      LoginProfilePreference: {
        AllowUserToLoginWithPasskey: false,
        MFAOperationForLogin: 'adaptive',
        OperationForRiskLogin: 'enforceVerify',
        LoginNetworkMasks: '10.0.0.0/8;192.168.1.1',
        LoginSessionDuration: 8,
      },
      PersonalInfoPreference: { AllowUserToManagePersonalDingTalk: false },
      VerificationPreference: { VerificationTypes: ['sms', 'email'] },
      MaxIdleDays: { MaxIdleDaysForAccessKeys: 0, MaxIdleDaysForUsers: 0 },
    });
    expect((await imsCall(ims, 'GetSecurityPreference')).SecurityPreference).toEqual(pref);
    expect((await call(ram, 'GetSecurityPreference')).SecurityPreference).toMatchObject({
      AccessKeyPreference: { AllowUserToManageAccessKeys: true },
      LoginProfilePreference: { LoginSessionDuration: 8 },
    });
    await call(ram, 'SetSecurityPreference', { LoginSessionDuration: 3 });
    expect(
      (await imsCall(ims, 'GetSecurityPreference')).SecurityPreference.LoginProfilePreference
        .LoginSessionDuration,
    ).toBe(3);
    for (const bad of [
      { MFAOperationForLogin: 'sometimes' },
      { LoginSessionDuration: 25 },
      { LoginNetworkMasks: '10.0.0.300/8' },
      { VerificationTypes: ['fax'] },
    ]) {
      await expectFailure(imsCall(ims, 'SetSecurityPreference', bad), 'InvalidParameter', 400);
    }
    expect(
      (await imsCall(ims, 'GetSecurityPreference')).SecurityPreference.LoginProfilePreference
        .MFAOperationForLogin,
    ).toBe('adaptive');
  });

  it('counts the entities of the account in the summary, with the quotas in force', async () => {
    const before = (await imsCall(ims, 'GetAccountSummary')).SummaryMap;
    expect(before).toMatchObject({
      UsersQuota: 5000,
      GroupsQuota: 300,
      RolesQuota: 1000,
      PoliciesQuota: 1500,
      AccessKeysPerUserQuota: 2,
      GroupsPerUserQuota: 10,
      VersionsPerPolicyQuota: 5,
      PolicySizeQuota: 6144,
    });
    const user = uniq('counted');
    await call(ram, 'CreateUser', { UserName: user });
    await call(ram, 'CreateGroup', { GroupName: user });
    await imsCall(ims, 'CreateVirtualMFADevice', { VirtualMFADeviceName: user });
    const after = (await imsCall(ims, 'GetAccountSummary')).SummaryMap;
    expect(after.Users).toBe(before.Users + 1);
    expect(after.Groups).toBe(before.Groups + 1);
    expect(after.MFADevices).toBe(before.MFADevices + 1);
    expect(after.MFADevicesInUse).toBe(before.MFADevicesInUse);
  });

  it('shows the root with an AccessKey and without MFA, from the real state', async () => {
    expect((await imsCall(ims, 'GetAccountMFAInfo')).IsMFAEnable).toBe(false);
    const report = (await imsCall(ims, 'GetAccountSecurityPracticeReport')).AccountSecurityPracticeInfo;
    const rootKeys = (await imsCall(ims, 'ListAccessKeys')).AccessKeys.AccessKey.length;
    expect(rootKeys).toBeGreaterThan(0);
    expect(report.AccountSecurityPracticeUserInfo).toMatchObject({
      BindMfa: false,
      RootWithAccessKey: rootKeys,
    });
    expect(report.Score).toBeLessThanOrEqual(60);

    const created = (await imsCall(ims, 'CreateAccessKey')).AccessKey;
    const more = (await imsCall(ims, 'GetAccountSecurityPracticeReport')).AccountSecurityPracticeInfo;
    expect(more.AccountSecurityPracticeUserInfo.RootWithAccessKey).toBe(rootKeys + 1);
    await imsCall(ims, 'DeleteAccessKey', { UserAccessKeyId: created.AccessKeyId });
    const users = (await imsCall(ims, 'GetAccountSummary')).SummaryMap.Users;
    expect(
      (await imsCall(ims, 'GetAccountSecurityPracticeReport')).AccountSecurityPracticeInfo
        .AccountSecurityPracticeUserInfo.SubUser,
    ).toBe(users);
  });

  it('sets the default domain, which is the account alias RAM sees, and user principal names follow it', async () => {
    const alias = uniq('dom').toLowerCase();
    const user = uniq('follows');
    await call(ram, 'CreateUser', { UserName: user });
    const set = await imsCall(ims, 'SetDefaultDomain', {
      DefaultDomainName: `${alias.toUpperCase()}.onaliyun.com`,
    });
    expect(set.DefaultDomainName).toBe(`${alias}.onaliyun.com`);
    expect((await imsCall(ims, 'GetDefaultDomain')).DefaultDomainName).toBe(`${alias}.onaliyun.com`);
    expect((await call(ram, 'GetAccountAlias')).AccountAlias).toBe(alias);
    expect(
      (await imsCall(ims, 'GetUser', { UserPrincipalName: `${user}@${alias}.onaliyun.com` })).User.UserName,
    ).toBe(user);

    for (const bad of [
      'example.com',
      'a.onaliyun.com',
      '-x-.onaliyun.com',
      'a--b.onaliyun.com',
      'x_y.onaliyun.com',
      '\u212Aelvin-corp.onaliyun.com',
    ]) {
      await expectFailure(
        imsCall(ims, 'SetDefaultDomain', { DefaultDomainName: bad }),
        'InvalidParameter.DefaultDomainName.Format',
        400,
      );
    }
    await expectFailure(
      imsCall(ims, 'SetDefaultDomain', { DefaultDomainName: `${'a'.repeat(60)}.onaliyun.com` }),
      'InvalidParameter.DefaultDomainName.Length',
      400,
    );
    expect((await imsCall(ims, 'GetDefaultDomain')).DefaultDomainName).toBe(`${alias}.onaliyun.com`);

    await imsCall(ims, 'SetDefaultDomain', { DefaultDomainName: `${server.accountId}.onaliyun.com` });
    expect((await call(ram, 'GetAccountAlias')).AccountAlias).toBe('');
    expect((await imsCall(ims, 'GetDefaultDomain')).DefaultDomainName).toBe(
      `${server.accountId}.onaliyun.com`,
    );
    await expectFailure(
      imsCall(ims, 'GetUser', { UserPrincipalName: `${user}@${alias}.onaliyun.com` }),
      'EntityNotExist.User',
      404,
    );
    if (server.accountAlias) await call(ram, 'SetAccountAlias', { AccountAlias: server.accountAlias });
  });
});
