/**
 * IMS AccessKeys, login profiles, MFA and groups through @alicloud/ims20190815 against a real
 * server, on the same entities RAM manages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import {
  STORES,
  STRONG_PASSWORD,
  call,
  expectFailure,
  grant,
  ramUserWithKey,
  revoke,
  twoCodes,
  uniq,
} from './ram-helpers.js';
import { imsCall, imsClient, type ImsClient } from './ims-helpers.js';

describe.each(STORES)('IMS credentials and groups (%s)', (store) => {
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

  const newUser = async (prefix: string) => {
    const name = uniq(prefix);
    await imsCall(ims, 'CreateUser', { UserPrincipalName: `${name}@${domain}`, DisplayName: prefix });
    return { name, upn: `${name}@${domain}` };
  };

  it('manages a user AccessKey: create, list, disable, last used, delete; RAM sees the same keys', async () => {
    const { name, upn } = await newUser('keys');
    const created = (await imsCall(ims, 'CreateAccessKey', { UserPrincipalName: upn })).AccessKey;
    expect(created).toMatchObject({ Status: 'Active', AccessKeyId: expect.any(String) });
    expect(created.AccessKeySecret).toHaveLength(30);
    const listed = (await imsCall(ims, 'ListAccessKeys', { UserPrincipalName: upn })).AccessKeys.AccessKey;
    expect(listed).toEqual([
      { AccessKeyId: created.AccessKeyId, Status: 'Active', CreateDate: created.CreateDate },
    ]);
    expect(listed[0]).not.toHaveProperty('AccessKeySecret');
    expect((await call(ram, 'ListAccessKeys', { UserName: name })).AccessKeys.AccessKey[0].AccessKeyId).toBe(
      created.AccessKeyId,
    );

    expect(
      (
        await imsCall(ims, 'GetAccessKeyLastUsed', {
          UserPrincipalName: upn,
          UserAccessKeyId: created.AccessKeyId,
        })
      ).AccessKeyLastUsed,
    ).toEqual({});
    // The key signs a call (refused: no policy), which records its use.
    const own = imsClient(server, {
      accessKeyId: created.AccessKeyId,
      accessKeySecret: created.AccessKeySecret,
    });
    await expectFailure(imsCall(own, 'ListUsers'), 'NoPermission', 403);
    const used = (
      await imsCall(ims, 'GetAccessKeyLastUsed', {
        UserPrincipalName: upn,
        UserAccessKeyId: created.AccessKeyId,
      })
    ).AccessKeyLastUsed;
    expect(used.LastUsedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    await imsCall(ims, 'UpdateAccessKey', {
      UserPrincipalName: upn,
      UserAccessKeyId: created.AccessKeyId,
      Status: 'Inactive',
    });
    expect((await call(ram, 'ListAccessKeys', { UserName: name })).AccessKeys.AccessKey[0].Status).toBe(
      'Inactive',
    );
    await expectFailure(imsCall(own, 'ListUsers'), 'InvalidAccessKeyId.Inactive', 400);

    await expectFailure(
      imsCall(ims, 'UpdateAccessKey', {
        UserPrincipalName: upn,
        UserAccessKeyId: 'LTAI0000000000000000',
        Status: 'Active',
      }),
      'EntityNotExist.User.AccessKey',
      404,
    );
    await expectFailure(
      imsCall(ims, 'UpdateAccessKey', {
        UserPrincipalName: upn,
        UserAccessKeyId: created.AccessKeyId,
        Status: 'On',
      }),
      'InvalidParameter',
      400,
    );
    await imsCall(ims, 'CreateAccessKey', { UserPrincipalName: upn });
    await expectFailure(
      imsCall(ims, 'CreateAccessKey', { UserPrincipalName: upn }),
      'LimitExceeded.User.AccessKey',
      409,
    );
    for (const k of (await imsCall(ims, 'ListAccessKeys', { UserPrincipalName: upn })).AccessKeys.AccessKey) {
      await imsCall(ims, 'DeleteAccessKey', { UserPrincipalName: upn, UserAccessKeyId: k.AccessKeyId });
    }
    expect((await imsCall(ims, 'ListAccessKeys', { UserPrincipalName: upn })).AccessKeys.AccessKey).toEqual(
      [],
    );
  });

  it('lets a RAM user manage its own keys without a principal name when the security preference allows it', async () => {
    const caller = await ramUserWithKey(server, ram);
    const mine = imsClient(server, caller.keys);
    await expectFailure(imsCall(mine, 'ListAccessKeys'), 'NoPermission', 403);
    await imsCall(ims, 'SetSecurityPreference', { AllowUserToManageAccessKeys: true });
    const keys = (await imsCall(mine, 'ListAccessKeys')).AccessKeys.AccessKey;
    expect(keys.map((k: { AccessKeyId: string }) => k.AccessKeyId)).toEqual([caller.keys.accessKeyId]);
    // Another user's keys: no policy, no self-service.
    const { upn } = await newUser('victim');
    await expectFailure(imsCall(mine, 'ListAccessKeys', { UserPrincipalName: upn }), 'NoPermission', 403);
    await imsCall(ims, 'SetSecurityPreference', { AllowUserToManageAccessKeys: false });
    await expectFailure(imsCall(mine, 'CreateAccessKey'), 'NoPermission', 403);
  });

  it('lists the root keys for the root without a principal name', async () => {
    const keys = (await imsCall(ims, 'ListAccessKeys')).AccessKeys.AccessKey;
    expect(keys.map((k: { AccessKeyId: string }) => k.AccessKeyId)).toContain(server.rootAccessKeyId);
  });

  it('manages a login profile with its status, and the password policy applies', async () => {
    const { name, upn } = await newUser('logon');
    const created = (
      await imsCall(ims, 'CreateLoginProfile', {
        UserPrincipalName: upn,
        Password: STRONG_PASSWORD,
        PasswordResetRequired: true,
        Status: 'Inactive',
      })
    ).LoginProfile;
    expect(created).toMatchObject({
      UserPrincipalName: upn,
      Status: 'Inactive',
      PasswordResetRequired: true,
      MFABindRequired: false,
    });
    const got = (await imsCall(ims, 'GetLoginProfile', { UserPrincipalName: upn })).LoginProfile;
    expect(got).toMatchObject({ UserPrincipalName: upn, Status: 'Inactive', AutoDisableLoginStatus: 'true' });
    expect((await call(ram, 'GetLoginProfile', { UserName: name })).LoginProfile.PasswordResetRequired).toBe(
      true,
    );
    const updated = (
      await imsCall(ims, 'UpdateLoginProfile', {
        UserPrincipalName: upn,
        Status: 'Active',
        PasswordResetRequired: false,
      })
    ).LoginProfile;
    expect(updated).toMatchObject({ Status: 'Active', PasswordResetRequired: false });
    await expectFailure(
      imsCall(ims, 'UpdateLoginProfile', { UserPrincipalName: upn, Password: 'short' }),
      'InvalidParameter.Password.TooWeak',
      400,
    );
    await expectFailure(
      imsCall(ims, 'CreateLoginProfile', { UserPrincipalName: upn, Password: STRONG_PASSWORD }),
      'EntityAlreadyExists.User.LoginProfile',
      409,
    );
    await imsCall(ims, 'DeleteLoginProfile', { UserPrincipalName: upn });
    await expectFailure(
      imsCall(ims, 'GetLoginProfile', { UserPrincipalName: upn }),
      'EntityNotExist.User.LoginProfile',
      404,
    );
    await expectFailure(
      imsCall(ims, 'CreateLoginProfile', {
        UserPrincipalName: `${name}@elsewhere.example`,
        Password: STRONG_PASSWORD,
      }),
      'EntityNotExist.User',
      404,
    );
  });

  it('changes the password of the calling user only, and refuses the root', async () => {
    const caller = await ramUserWithKey(server, ram);
    await imsCall(ims, 'CreateLoginProfile', {
      UserPrincipalName: `${caller.userName}@${domain}`,
      Password: STRONG_PASSWORD,
    });
    const mine = imsClient(server, caller.keys);
    await expectFailure(
      imsCall(mine, 'ChangePassword', {
        OldPassword: 'wrong-password-1A!',
        NewPassword: `${STRONG_PASSWORD}x`,
      }),
      'InvalidParameter.OldPassword.Incorrect',
      400,
    );
    await imsCall(mine, 'ChangePassword', {
      OldPassword: STRONG_PASSWORD,
      NewPassword: `${STRONG_PASSWORD}x`,
    });
    await expectFailure(
      imsCall(ims, 'ChangePassword', { OldPassword: STRONG_PASSWORD, NewPassword: `${STRONG_PASSWORD}y` }),
      'NotSupport.Account',
      400,
    );
  });

  it('binds, reads, unbinds and disables virtual MFA by principal name', async () => {
    const { name, upn } = await newUser('mfa');
    expect(await imsCall(ims, 'GetUserMFAInfo', { UserPrincipalName: upn })).toMatchObject({
      IsMFAEnable: false,
    });
    const device = uniq('dev');
    const created = (await imsCall(ims, 'CreateVirtualMFADevice', { VirtualMFADeviceName: device }))
      .VirtualMFADevice;
    expect(created.SerialNumber).toBe(`acs:ram::${server.accountId}:mfa/${device}`);
    const [c1, c2] = twoCodes(created.Base32StringSeed);
    await expectFailure(
      imsCall(ims, 'BindMFADevice', {
        UserPrincipalName: upn,
        SerialNumber: created.SerialNumber,
        AuthenticationCode1: '12345',
        AuthenticationCode2: c2,
      }),
      'InvalidParameter.AuthenticationCode.Format',
      400,
    );
    await imsCall(ims, 'BindMFADevice', {
      UserPrincipalName: upn,
      SerialNumber: created.SerialNumber,
      AuthenticationCode1: c1,
      AuthenticationCode2: c2,
    });
    expect(await imsCall(ims, 'GetUserMFAInfo', { UserPrincipalName: upn })).toMatchObject({
      IsMFAEnable: true,
      MFADevice: { SerialNumber: created.SerialNumber, Type: 'VMFA' },
    });
    expect((await call(ram, 'GetUserMFAInfo', { UserName: name })).MFADevice.SerialNumber).toBe(
      created.SerialNumber,
    );
    const listed = (await imsCall(ims, 'ListVirtualMFADevices')).VirtualMFADevices.VirtualMFADevice.find(
      (d: { SerialNumber: string }) => d.SerialNumber === created.SerialNumber,
    );
    expect(listed.User).toMatchObject({ UserPrincipalName: upn, DisplayName: 'mfa' });
    expect(listed.ActivateDate).toMatch(/Z$/);
    await expectFailure(
      imsCall(ims, 'DeleteUser', { UserPrincipalName: upn }),
      'DeleteConflict.User.MFADevice',
      409,
    );

    const unbound = await imsCall(ims, 'UnbindMFADevice', { UserPrincipalName: upn });
    expect(unbound.MFADevice.SerialNumber).toBe(created.SerialNumber);
    await expectFailure(
      imsCall(ims, 'UnbindMFADevice', { UserPrincipalName: upn }),
      'EntityNotExist.User.MFADevice',
      404,
    );

    // DisableVirtualMFA unbinds and deletes the device.
    const again = (await imsCall(ims, 'CreateVirtualMFADevice', { VirtualMFADeviceName: uniq('dev2') }))
      .VirtualMFADevice;
    const [e1, e2] = twoCodes(again.Base32StringSeed);
    await imsCall(ims, 'BindMFADevice', {
      UserPrincipalName: upn,
      SerialNumber: again.SerialNumber,
      AuthenticationCode1: e1,
      AuthenticationCode2: e2,
    });
    await imsCall(ims, 'DisableVirtualMFA', { UserPrincipalName: upn });
    const serials = (await imsCall(ims, 'ListVirtualMFADevices')).VirtualMFADevices.VirtualMFADevice.map(
      (d: { SerialNumber: string }) => d.SerialNumber,
    );
    expect(serials).not.toContain(again.SerialNumber);
    expect(serials).toContain(created.SerialNumber);
    await imsCall(ims, 'DeleteVirtualMFADevice', { SerialNumber: created.SerialNumber });
    await imsCall(ims, 'DeleteUser', { UserPrincipalName: upn });
  });

  it('pages virtual MFA devices', async () => {
    for (let i = 0; i < 3; i++)
      await imsCall(ims, 'CreateVirtualMFADevice', { VirtualMFADeviceName: uniq('pg') });
    const all = (await imsCall(ims, 'ListVirtualMFADevices')).VirtualMFADevices.VirtualMFADevice;
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await imsCall(ims, 'ListVirtualMFADevices', {
        MaxItems: 2,
        ...(marker ? { Marker: marker } : {}),
      });
      seen.push(
        ...page.VirtualMFADevices.VirtualMFADevice.map((d: { SerialNumber: string }) => d.SerialNumber),
      );
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    expect(seen).toEqual(all.map((d: { SerialNumber: string }) => d.SerialNumber));
  });

  it('manages groups with display names and members by principal name', async () => {
    const { name, upn } = await newUser('member');
    const group = uniq('grp');
    const created = (
      await imsCall(ims, 'CreateGroup', { GroupName: group, DisplayName: 'Team', Comments: 'c' })
    ).Group;
    expect(created).toMatchObject({ GroupName: group, DisplayName: 'Team', Comments: 'c' });
    expect((await imsCall(ims, 'GetGroup', { GroupName: group.toUpperCase() })).Group.GroupId).toBe(
      created.GroupId,
    );
    const updated = (
      await imsCall(ims, 'UpdateGroup', { GroupName: group, NewDisplayName: 'Team 2', NewComments: '' })
    ).Group;
    expect(updated).toMatchObject({ DisplayName: 'Team 2', Comments: '' });
    await imsCall(ims, 'AddUserToGroup', { GroupName: group, UserPrincipalName: upn });
    await expectFailure(
      imsCall(ims, 'AddUserToGroup', { GroupName: group, UserPrincipalName: upn }),
      'EntityAlreadyExists.User.Group',
      409,
    );
    expect((await imsCall(ims, 'ListGroupsForUser', { UserPrincipalName: upn })).Groups.Group).toEqual([
      expect.objectContaining({ GroupName: group, DisplayName: 'Team 2', JoinDate: expect.any(String) }),
    ]);
    expect((await imsCall(ims, 'ListUsersForGroup', { GroupName: group })).Users.User).toEqual([
      expect.objectContaining({
        UserPrincipalName: upn,
        DisplayName: 'member',
        JoinDate: expect.any(String),
      }),
    ]);
    expect((await call(ram, 'ListGroupsForUser', { UserName: name })).Groups.Group[0].GroupName).toBe(group);
    await expectFailure(imsCall(ims, 'DeleteGroup', { GroupName: group }), 'DeleteConflict.Group.User', 409);
    await imsCall(ims, 'RemoveUserFromGroup', { GroupName: group, UserPrincipalName: upn });
    await expectFailure(
      imsCall(ims, 'RemoveUserFromGroup', { GroupName: group, UserPrincipalName: upn }),
      'EntityNotExist.User.Group',
      404,
    );
    expect(
      (await imsCall(ims, 'ListGroups', { MaxItems: 100 })).Groups.Group.map(
        (g: { GroupName: string }) => g.GroupName,
      ),
    ).toContain(group);
    await expectFailure(imsCall(ims, 'ListGroups', { MaxItems: 101 }), 'InvalidParameter', 400);
    await imsCall(ims, 'DeleteGroup', { GroupName: group });
    await expectFailure(imsCall(ims, 'GetGroup', { GroupName: group }), 'EntityNotExist.Group', 404);
  });

  it('authorizes membership changes on the group, as RAM does', async () => {
    const { upn } = await newUser('m2');
    const group = uniq('g2');
    await imsCall(ims, 'CreateGroup', { GroupName: group });
    const caller = await ramUserWithKey(server, ram);
    const mine = imsClient(server, caller.keys);
    await expectFailure(
      imsCall(mine, 'AddUserToGroup', { GroupName: group, UserPrincipalName: upn }),
      'NoPermission',
      403,
    );
    expect((await imsCall(ims, 'ListUsersForGroup', { GroupName: group })).Users.User).toEqual([]);
    const policy = await grant(
      ram,
      caller.userName,
      ['ram:AddUserToGroup'],
      `acs:ram:*:${server.accountId}:group/${group}`,
    );
    await imsCall(mine, 'AddUserToGroup', { GroupName: group, UserPrincipalName: upn });
    await revoke(ram, caller.userName, policy);
    await expectFailure(
      imsCall(mine, 'AddUserToGroup', { GroupName: group, UserPrincipalName: upn }),
      'NoPermission',
      403,
    );
  });
});
