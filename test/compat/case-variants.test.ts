/**
 * An explicit Deny on an entity holds whatever letter case the caller writes its name in:
 * the resource ARN is built from the stored entity, never from the caller's spelling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import { STORES, STRONG_PASSWORD, call, expectFailure, ramUserWithKey } from './ram-helpers.js';

describe.each(STORES)('case variants of existing names (%s)', (store) => {
  let server: TestServer;
  let root: RamClient;
  let caller: Awaited<ReturnType<typeof ramUserWithKey>>;

  beforeAll(async () => {
    server = await startServer({ store });
    root = ramClient(server);
    const a = server.accountId;
    await call(root, 'CreateUser', { UserName: 'Boss' });
    await call(root, 'CreateLoginProfile', { UserName: 'Boss', Password: STRONG_PASSWORD });
    await call(root, 'CreateUser', { UserName: 'Intern' });
    await call(root, 'CreateGroup', { GroupName: 'admins' });
    await call(root, 'CreateRole', {
      RoleName: 'OpsRole',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${a}:root`] } },
        ],
      }),
    });
    caller = await ramUserWithKey(server, root, 'operator');
    await call(root, 'CreatePolicy', {
      PolicyName: 'ram-all-but-the-crown-jewels',
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'ram:*', Resource: '*' },
          {
            Effect: 'Deny',
            Action: 'ram:*',
            Resource: [
              `acs:ram:*:${a}:user/Boss`,
              `acs:ram:*:${a}:group/admins`,
              `acs:ram:*:${a}:role/OpsRole`,
              'acs:ram:*:system:policy/AdministratorAccess',
            ],
          },
        ],
      }),
    });
    await call(root, 'AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: 'ram-all-but-the-crown-jewels',
      UserName: 'operator',
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const denied = async (action: string, params: Record<string, string>) => {
    const f = await expectFailure(call(caller.client, action, params), 'NoPermission', 403);
    expect(f.data.AccessDeniedDetail.NoPermissionType).toBe('ExplicitDeny');
  };

  it('UpdateLoginProfile UserName=boss is refused like Boss', async () => {
    await denied('UpdateLoginProfile', { UserName: 'Boss', PasswordResetRequired: 'true' });
    await denied('UpdateLoginProfile', { UserName: 'boss', PasswordResetRequired: 'true' });
    const profile = await call(root, 'GetLoginProfile', { UserName: 'Boss' });
    expect(profile.LoginProfile.PasswordResetRequired).toBe(false);
  });

  it('CreateAccessKey UserName=BOSS is refused and creates no key', async () => {
    await denied('CreateAccessKey', { UserName: 'BOSS' });
    const keys = await call(root, 'ListAccessKeys', { UserName: 'Boss' });
    expect(keys.AccessKeys.AccessKey).toEqual([]);
  });

  it('AddUserToGroup GroupName=ADMINS is refused and adds nobody', async () => {
    await denied('AddUserToGroup', { GroupName: 'ADMINS', UserName: 'operator' });
    const members = await call(root, 'ListUsersForGroup', { GroupName: 'admins' });
    expect(members.Users.User).toEqual([]);
  });

  it('AttachPolicyToUser PolicyName=administratoraccess is refused and attaches nothing', async () => {
    await denied('AttachPolicyToUser', {
      PolicyType: 'System',
      PolicyName: 'administratoraccess',
      UserName: 'operator',
    });
    await denied('AttachPolicyToUser', {
      PolicyType: 'System',
      PolicyName: 'ADMINISTRATORACCESS',
      UserName: 'Intern',
    });
    const attached = await call(root, 'ListPoliciesForUser', { UserName: 'operator' });
    expect(attached.Policies.Policy.map((p: { PolicyName: string }) => p.PolicyName)).toEqual([
      'ram-all-but-the-crown-jewels',
    ]);
  });

  it('a role is one resource whatever the case', async () => {
    await denied('UpdateRole', { RoleName: 'opsrole', NewDescription: 'mine now' });
    await denied('DeleteRole', { RoleName: 'OPSROLE' });
  });

  it('the diagnostic names the stored spelling', async () => {
    const f = await expectFailure(call(caller.client, 'GetUser', { UserName: 'bOsS' }), 'NoPermission', 403);
    const decoded = await call(root, 'DecodeDiagnosticMessage', {
      EncodedDiagnosticMessage: f.data.AccessDeniedDetail.EncodedDiagnosticMessage,
    });
    expect(decoded.DecodedDiagnosticMessage.AuthResource).toBe(`acs:ram:*:${server.accountId}:user/Boss`);
  });

  it('what the Deny does not name still works, in any case', async () => {
    await call(caller.client, 'UpdateUser', { UserName: 'INTERN', NewDisplayName: 'Summer intern' });
    const u = await call(root, 'GetUser', { UserName: 'Intern' });
    expect(u.User.DisplayName).toBe('Summer intern');
    // A name that does not exist yet is authorized as given.
    await call(caller.client, 'CreateUser', { UserName: 'NewHire' });
  });
});
