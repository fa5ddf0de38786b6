import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, rootKeys, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import { STORES, authorizationCycle, call, expectFailure, popCall, uniq, xmlCall } from './ram-helpers.js';

describe.each(STORES)('RAM account settings (%s)', (store) => {
  let server: TestServer;
  let root: RamClient;

  beforeAll(async () => {
    server = await startServer({ store });
    root = ramClient(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const alias = async () => (await call(root, 'GetAccountAlias')).AccountAlias;

  it('sets, reads and clears the account alias', async () => {
    const a = uniq('corp');
    await call(root, 'SetAccountAlias', { AccountAlias: a });
    expect(await alias()).toBe(a);
    await call(root, 'SetAccountAlias', { AccountAlias: a.toUpperCase() });
    expect(await alias()).toBe(a);
    await call(root, 'ClearAccountAlias');
    expect(await alias()).toBe('');
    await call(root, 'ClearAccountAlias');
    expect(await alias()).toBe('');
    await call(root, 'SetAccountAlias', { AccountAlias: a });
  });

  it.each([
    ['ab', 'InvalidParameter.AccountAlias.Length'],
    ['a'.repeat(33), 'InvalidParameter.AccountAlias.Length'],
    ['-corp', 'InvalidParameter.AccountAlias.Format'],
    ['corp-', 'InvalidParameter.AccountAlias.Format'],
    ['co--rp', 'InvalidParameter.AccountAlias.Format'],
    ['co_rp', 'InvalidParameter.AccountAlias.Format'],
    // The Kelvin sign lower-cases to an ASCII k: still not a letter an alias may hold.
    ['\u212Aelvin-corp', 'InvalidParameter.AccountAlias.Format'],
  ])('SetAccountAlias %s: %s, alias unchanged', async (value, code) => {
    const before = await alias();
    await expectFailure(call(root, 'SetAccountAlias', { AccountAlias: value }), code, 400, '"AccountAlias"');
    expect(await alias()).toBe(before);
  });

  it('refuses MissingAccountAlias', async () => {
    await expectFailure(call(root, 'SetAccountAlias', {}), 'MissingAccountAlias', 400);
  });

  it('reads the default password policy with JSON numbers and booleans, and updates it field by field', async () => {
    const initial = (await call(root, 'GetPasswordPolicy')).PasswordPolicy;
    expect(initial).toEqual({
      MinimumPasswordLength: 8,
      RequireLowercaseCharacters: false,
      RequireUppercaseCharacters: false,
      RequireNumbers: false,
      RequireSymbols: false,
      HardExpiry: false,
      MaxLoginAttemps: 0,
      PasswordReusePrevention: 0,
      MaxPasswordAge: 0,
    });
    const raw = await popCall(server, rootKeys(server), 'GetPasswordPolicy');
    expect(raw.PasswordPolicy.MinimumPasswordLength).toBe(8);
    expect(raw.PasswordPolicy.HardExpiry).toBe(false);

    const set = (
      await call(root, 'SetPasswordPolicy', {
        MinimumPasswordLength: 12,
        RequireNumbers: true,
        MaxLoginAttemps: 5,
        PasswordReusePrevention: 3,
        MaxPasswordAge: 90,
        HardExpiry: true,
      })
    ).PasswordPolicy;
    expect(set).toEqual({
      ...initial,
      MinimumPasswordLength: 12,
      RequireNumbers: true,
      MaxLoginAttemps: 5,
      PasswordReusePrevention: 3,
      MaxPasswordAge: 90,
      HardExpiry: true,
    });
    const partial = (await call(root, 'SetPasswordPolicy', { RequireSymbols: true })).PasswordPolicy;
    expect(partial).toEqual({ ...set, RequireSymbols: true });
    expect((await call(root, 'GetPasswordPolicy')).PasswordPolicy).toEqual(partial);
  });

  it.each([
    [
      { MinimumPasswordLength: 7 },
      'InvalidParameter.MinimumPasswordLength.Range',
      'The parameter - "MinimumPasswordLength" MUST be in the range of 8 and 32.',
    ],
    [
      { MinimumPasswordLength: 33 },
      'InvalidParameter.MinimumPasswordLength.Range',
      'The parameter - "MinimumPasswordLength" MUST be in the range of 8 and 32.',
    ],
    [{ MaxLoginAttemps: 33 }, 'InvalidParameter', '"MaxLoginAttemps"'],
    [{ PasswordReusePrevention: 25 }, 'InvalidParameter', '"PasswordReusePrevention"'],
    [{ MaxPasswordAge: 1096 }, 'InvalidParameter', '"MaxPasswordAge"'],
  ])('SetPasswordPolicy %j: %s, policy unchanged', async (params, code, message) => {
    const before = (await call(root, 'GetPasswordPolicy')).PasswordPolicy;
    await expectFailure(
      call(root, 'SetPasswordPolicy', {
        RequireLowercaseCharacters: !before.RequireLowercaseCharacters,
        ...params,
      }),
      code,
      400,
      message,
    );
    expect((await call(root, 'GetPasswordPolicy')).PasswordPolicy).toEqual(before);
  });

  it('reads and updates the security preference', async () => {
    const initial = (await call(root, 'GetSecurityPreference')).SecurityPreference;
    expect(initial).toEqual({
      LoginProfilePreference: {
        EnableSaveMFATicket: false,
        AllowUserToChangePassword: true,
        LoginSessionDuration: 6,
        LoginNetworkMasks: '',
      },
      AccessKeyPreference: { AllowUserToManageAccessKeys: false },
      MFAPreference: { AllowUserToManageMFADevices: true },
      PublicKeyPreference: { AllowUserToManagePublicKeys: false },
    });
    const set = (
      await call(root, 'SetSecurityPreference', {
        EnableSaveMFATicket: true,
        AllowUserToManageAccessKeys: true,
        LoginSessionDuration: 12,
        LoginNetworkMasks: '10.0.0.0/8;192.168.1.0/24',
      })
    ).SecurityPreference;
    expect(set).toEqual({
      ...initial,
      LoginProfilePreference: {
        ...initial.LoginProfilePreference,
        EnableSaveMFATicket: true,
        LoginSessionDuration: 12,
        LoginNetworkMasks: '10.0.0.0/8;192.168.1.0/24',
      },
      AccessKeyPreference: { AllowUserToManageAccessKeys: true },
    });
    expect((await call(root, 'GetSecurityPreference')).SecurityPreference).toEqual(set);

    for (const params of [
      { LoginSessionDuration: 25 },
      { LoginSessionDuration: 0 },
      { LoginNetworkMasks: '10.0.0.300/8' },
    ]) {
      await expectFailure(
        call(root, 'SetSecurityPreference', { EnableSaveMFATicket: false, ...params }),
        'InvalidParameter',
        400,
      );
    }
    expect((await call(root, 'GetSecurityPreference')).SecurityPreference).toEqual(set);
  });

  it('XML', async () => {
    const xml = await xmlCall(server, rootKeys(server), 'GetPasswordPolicy');
    expect(xml.status).toBe(200);
    expect(xml.text).toMatch(/<MaxLoginAttemps>\d+<\/MaxLoginAttemps>/);
    const alias = await xmlCall(server, rootKeys(server), 'GetAccountAlias');
    expect(alias.text).toMatch(/<AccountAlias>/);
  });

  it('a RAM user needs ram:SetAccountAlias', async () => {
    await authorizationCycle(server, root, {
      actions: ['ram:SetAccountAlias'],
      authAction: 'ram:SetAccountAlias',
      name: () => uniq('alias'),
      attempt: (client, name) => call(client, 'SetAccountAlias', { AccountAlias: name }),
      unchanged: async (name) => expect(await alias()).not.toBe(name),
    });
  });

  it('a RAM user needs ram:SetPasswordPolicy', async () => {
    let length = 8;
    await authorizationCycle(server, root, {
      actions: ['ram:SetPasswordPolicy'],
      authAction: 'ram:SetPasswordPolicy',
      attempt: (client) => call(client, 'SetPasswordPolicy', { MinimumPasswordLength: ++length }),
      unchanged: async () =>
        expect((await call(root, 'GetPasswordPolicy')).PasswordPolicy.MinimumPasswordLength).not.toBe(length),
    });
  });
});
