import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, rootKeys, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import {
  STORES,
  STRONG_PASSWORD,
  authorizationCycle,
  call,
  expectFailure,
  grant,
  popCall,
  ramUserWithKey,
  uniq,
} from './ram-helpers.js';

describe.each(STORES)('RAM login profiles and passwords (%s)', (store) => {
  let server: TestServer;
  let root: RamClient;

  beforeAll(async () => {
    server = await startServer({ store });
    root = ramClient(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const newUser = async () => {
    const name = uniq('login');
    await call(root, 'CreateUser', { UserName: name });
    return name;
  };

  it('creates, reads, updates and deletes a login profile', async () => {
    const user = await newUser();
    const created = await call(root, 'CreateLoginProfile', {
      UserName: user,
      Password: STRONG_PASSWORD,
      PasswordResetRequired: true,
    });
    expect(created.LoginProfile).toMatchObject({
      UserName: user,
      PasswordResetRequired: true,
      MFABindRequired: false,
    });
    expect(created.LoginProfile.CreateDate).toMatch(/Z$/);
    expect(JSON.stringify(created)).not.toContain(STRONG_PASSWORD);

    expect((await call(root, 'GetLoginProfile', { UserName: user })).LoginProfile).toEqual(
      created.LoginProfile,
    );

    await call(root, 'UpdateLoginProfile', {
      UserName: user,
      PasswordResetRequired: false,
      MFABindRequired: true,
    });
    expect((await call(root, 'GetLoginProfile', { UserName: user })).LoginProfile).toMatchObject({
      PasswordResetRequired: false,
      MFABindRequired: true,
    });

    await expectFailure(
      call(root, 'CreateLoginProfile', { UserName: user, Password: STRONG_PASSWORD }),
      'EntityAlreadyExists.User.LoginProfile',
      409,
    );

    await call(root, 'DeleteLoginProfile', { UserName: user });
    await expectFailure(
      call(root, 'GetLoginProfile', { UserName: user }),
      'EntityNotExist.User.LoginProfile',
      404,
    );
    await expectFailure(
      call(root, 'DeleteLoginProfile', { UserName: user }),
      'EntityNotExist.User.LoginProfile',
      404,
    );
    await expectFailure(
      call(root, 'UpdateLoginProfile', { UserName: user, MFABindRequired: false }),
      'EntityNotExist.User.LoginProfile',
      404,
    );
  });

  it('refuses weak passwords and unknown users, creating nothing', async () => {
    const user = await newUser();
    await expectFailure(
      call(root, 'CreateLoginProfile', { UserName: user, Password: 'short' }),
      'InvalidParameter.Password.TooWeak',
      400,
    );
    await expectFailure(
      call(root, 'GetLoginProfile', { UserName: user }),
      'EntityNotExist.User.LoginProfile',
      404,
    );
    await expectFailure(
      call(root, 'CreateLoginProfile', { UserName: uniq('ghost'), Password: STRONG_PASSWORD }),
      'EntityNotExist.User',
      404,
    );
    await expectFailure(call(root, 'CreateLoginProfile', { UserName: user }), 'MissingPassword', 400);
    await expectFailure(
      call(root, 'CreateLoginProfile', {
        UserName: user,
        Password: STRONG_PASSWORD,
        PasswordResetRequired: 'maybe',
      }),
      'InvalidParameter',
      400,
      '"PasswordResetRequired"',
    );
    await expectFailure(
      call(root, 'GetLoginProfile', { UserName: user }),
      'EntityNotExist.User.LoginProfile',
      404,
    );
  });

  it('applies the password policy to new passwords', async () => {
    const user = await newUser();
    await call(root, 'SetPasswordPolicy', { MinimumPasswordLength: 24 });
    try {
      await expectFailure(
        call(root, 'CreateLoginProfile', { UserName: user, Password: STRONG_PASSWORD }),
        'InvalidParameter.Password.TooWeak',
        400,
      );
      await call(root, 'CreateLoginProfile', { UserName: user, Password: `${STRONG_PASSWORD}-longer-one` });
      await expectFailure(
        call(root, 'UpdateLoginProfile', {
          UserName: user,
          Password: STRONG_PASSWORD,
          PasswordResetRequired: true,
        }),
        'InvalidParameter.Password.TooWeak',
        400,
      );
      expect(
        (await call(root, 'GetLoginProfile', { UserName: user })).LoginProfile.PasswordResetRequired,
      ).toBe(false);
    } finally {
      await call(root, 'SetPasswordPolicy', { MinimumPasswordLength: 8 });
    }
  });

  it('a RAM user changes its own password as the preference or a policy allows; the root cannot', async () => {
    const caller = await ramUserWithKey(server, root);
    await call(root, 'CreateLoginProfile', { UserName: caller.userName, Password: STRONG_PASSWORD });
    const change = (from: string, to: string) =>
      call(caller.client, 'ChangePassword', { OldPassword: from, NewPassword: to });

    // AllowUserToChangePassword is on by default: no policy needed.
    await expectFailure(
      change('Wrong#Password1', `${STRONG_PASSWORD}1`),
      'InvalidParameter.OldPassword.Incorrect',
      400,
    );
    await expectFailure(change(STRONG_PASSWORD, 'weak'), 'InvalidParameter.NewPassword.TooWeak', 400);
    await change(STRONG_PASSWORD, `${STRONG_PASSWORD}1`);
    // The old password no longer works, the new one does.
    await expectFailure(
      change(STRONG_PASSWORD, `${STRONG_PASSWORD}2`),
      'InvalidParameter.OldPassword.Incorrect',
      400,
    );
    await change(`${STRONG_PASSWORD}1`, `${STRONG_PASSWORD}2`);

    // With the preference off, only a policy allows it.
    await call(root, 'SetSecurityPreference', { AllowUserToChangePassword: false });
    try {
      await expectFailure(change(`${STRONG_PASSWORD}2`, `${STRONG_PASSWORD}3`), 'NoPermission', 403);
      await grant(
        root,
        caller.userName,
        ['ram:ChangePassword'],
        `acs:ram:*:${server.accountId}:user/${caller.userName}`,
      );
      await change(`${STRONG_PASSWORD}2`, `${STRONG_PASSWORD}3`);
    } finally {
      await call(root, 'SetSecurityPreference', { AllowUserToChangePassword: true });
    }

    await expectFailure(
      call(root, 'ChangePassword', { OldPassword: STRONG_PASSWORD, NewPassword: `${STRONG_PASSWORD}1` }),
      'NotSupport.Account',
      400,
      'This method can be only invoked by sub user.',
    );
  });

  it('ChangePassword counts wrong old passwords against MaxLoginAttemps and then refuses even the right one', async () => {
    const caller = await ramUserWithKey(server, root);
    await call(root, 'CreateLoginProfile', { UserName: caller.userName, Password: STRONG_PASSWORD });
    const change = (from: string) =>
      call(caller.client, 'ChangePassword', { OldPassword: from, NewPassword: `${STRONG_PASSWORD}9` });
    await call(root, 'SetPasswordPolicy', { MaxLoginAttemps: 2 });
    try {
      for (let i = 0; i < 2; i++) {
        await expectFailure(change('Wrong#Password1'), 'InvalidParameter.OldPassword.Incorrect', 400);
      }
      await expectFailure(
        change(STRONG_PASSWORD),
        'Throttling.User',
        400,
        `Request was denied due to user flow control: too many wrong passwords, the login profile is locked for an hour: ${caller.userName}.`,
      );
    } finally {
      await call(root, 'SetPasswordPolicy', { MaxLoginAttemps: 0 });
    }
    // The lock outlives a policy change: it lasts its hour.
    await expectFailure(change(STRONG_PASSWORD), 'Throttling.User', 400);
  });

  it('pop-core', async () => {
    const user = await newUser();
    const created = await popCall(server, rootKeys(server), 'CreateLoginProfile', {
      UserName: user,
      Password: STRONG_PASSWORD,
      MFABindRequired: true,
    });
    expect(created.LoginProfile).toMatchObject({
      UserName: user,
      MFABindRequired: true,
      PasswordResetRequired: false,
    });
    const got = await popCall(server, rootKeys(server), 'GetLoginProfile', { UserName: user });
    expect(got.LoginProfile.MFABindRequired).toBe(true);
  });

  it('a RAM user needs ram:CreateLoginProfile', async () => {
    await authorizationCycle(server, root, {
      actions: ['ram:CreateLoginProfile'],
      authAction: 'ram:CreateLoginProfile',
      name: () => uniq('lp'),
      attempt: async (client, name) => {
        await call(root, 'CreateUser', { UserName: name }).catch(() => undefined);
        return call(client, 'CreateLoginProfile', { UserName: name, Password: STRONG_PASSWORD });
      },
      unchanged: async (name) =>
        void (await expectFailure(
          call(root, 'GetLoginProfile', { UserName: name }),
          'EntityNotExist.User.LoginProfile',
          404,
        )),
    });
  });
});
