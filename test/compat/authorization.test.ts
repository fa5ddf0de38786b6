import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import {
  ALLOW_DOC,
  RAM_OPERATIONS,
  STORES,
  call,
  expectFailure,
  grant,
  popCall,
  popFailure,
  ramUserWithKey,
  uniq,
  xmlCall,
} from './ram-helpers.js';

const KEY = 'LTAI00000000000000000000';
const P = { PolicyType: 'Custom', PolicyName: 'p-1' };

/** Valid parameters of every operation: authorization comes after validation, before the entity is looked up. */
const VALID: Record<string, Record<string, string | number | boolean>> = {
  AddUserToGroup: { GroupName: 'g', UserName: 'u' },
  AttachPolicyToGroup: { ...P, GroupName: 'g' },
  AttachPolicyToRole: { ...P, RoleName: 'r' },
  AttachPolicyToUser: { ...P, UserName: 'u' },
  BindMFADevice: {
    UserName: 'u',
    SerialNumber: 's',
    AuthenticationCode1: '123456',
    AuthenticationCode2: '234567',
  },
  ChangePassword: { OldPassword: 'a', NewPassword: 'b' },
  ClearAccountAlias: {},
  CreateAccessKey: { UserName: 'u' },
  CreateGroup: { GroupName: 'g' },
  CreateLoginProfile: { UserName: 'u', Password: 'Abcdefgh1!' },
  CreatePolicy: { PolicyName: 'p', PolicyDocument: ALLOW_DOC() },
  CreatePolicyVersion: { PolicyName: 'p', PolicyDocument: ALLOW_DOC() },
  CreateRole: { RoleName: 'r', AssumeRolePolicyDocument: '{}' },
  CreateUser: { UserName: 'u' },
  CreateVirtualMFADevice: { VirtualMFADeviceName: 'd' },
  DecodeDiagnosticMessage: { EncodedDiagnosticMessage: 'AAAA' },
  DeleteAccessKey: { UserName: 'u', UserAccessKeyId: KEY },
  DeleteGroup: { GroupName: 'g' },
  DeleteLoginProfile: { UserName: 'u' },
  DeletePolicy: { PolicyName: 'p' },
  DeletePolicyVersion: { PolicyName: 'p', VersionId: 'v2' },
  DeleteRole: { RoleName: 'r' },
  DeleteUser: { UserName: 'u' },
  DeleteVirtualMFADevice: { SerialNumber: 'acs:ram::1:mfa/d' },
  DetachPolicyFromGroup: { ...P, GroupName: 'g' },
  DetachPolicyFromRole: { ...P, RoleName: 'r' },
  DetachPolicyFromUser: { ...P, UserName: 'u' },
  GetAccessKeyLastUsed: { UserName: 'u', UserAccessKeyId: KEY },
  GetAccountAlias: {},
  GetGroup: { GroupName: 'g' },
  GetLoginProfile: { UserName: 'u' },
  GetPasswordPolicy: {},
  GetPolicy: P,
  GetPolicyVersion: { ...P, VersionId: 'v1' },
  GetRole: { RoleName: 'r' },
  GetSecurityPreference: {},
  GetUser: { UserName: 'u' },
  GetUserMFAInfo: { UserName: 'u' },
  ListAccessKeys: { UserName: 'u' },
  ListEntitiesForPolicy: P,
  ListGroups: {},
  ListGroupsForUser: { UserName: 'u' },
  ListPolicies: {},
  ListPoliciesForGroup: { GroupName: 'g' },
  ListPoliciesForRole: { RoleName: 'r' },
  ListPoliciesForUser: { UserName: 'u' },
  ListPolicyVersions: P,
  ListRoles: {},
  ListTagResources: { ResourceType: 'role' },
  ListUsers: {},
  ListUsersForGroup: { GroupName: 'g' },
  ListVirtualMFADevices: {},
  RemoveUserFromGroup: { GroupName: 'g', UserName: 'u' },
  SetAccountAlias: { AccountAlias: 'abc' },
  SetDefaultPolicyVersion: { PolicyName: 'p', VersionId: 'v1' },
  SetPasswordPolicy: { MinimumPasswordLength: 8 },
  SetSecurityPreference: { LoginSessionDuration: 6 },
  TagResources: { ResourceType: 'role', ResourceNames: '["r"]', Tag: '[{"Key":"k","Value":"v"}]' },
  UnbindMFADevice: { UserName: 'u' },
  UntagResources: { ResourceType: 'role', ResourceNames: '["r"]', All: true },
  UpdateAccessKey: { UserName: 'u', UserAccessKeyId: KEY, Status: 'Active' },
  UpdateGroup: { GroupName: 'g', NewComments: 'c' },
  UpdateLoginProfile: { UserName: 'u', PasswordResetRequired: true },
  UpdatePolicyDescription: { PolicyName: 'p', NewDescription: 'd' },
  UpdateRole: { RoleName: 'r', NewDescription: 'd' },
  UpdateUser: { UserName: 'u', NewDisplayName: 'd' },
};

describe.each(STORES)('RAM authorization (%s)', (store) => {
  let server: TestServer;
  let root: RamClient;
  let nobody: Awaited<ReturnType<typeof ramUserWithKey>>;

  beforeAll(async () => {
    server = await startServer({ store });
    root = ramClient(server);
    nobody = await ramUserWithKey(server, root);
    // No self-service: every operation below goes through the policies.
    await call(root, 'SetSecurityPreference', {
      AllowUserToChangePassword: false,
      AllowUserToManageAccessKeys: false,
      AllowUserToManageMFADevices: false,
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('the table covers every operation', () => {
    expect(Object.keys(VALID).sort()).toEqual(RAM_OPERATIONS.map((o) => o.action).sort());
  });

  it.each(Object.keys(VALID))('%s is authorized as ram:%s', async (action) => {
    const refused = await popFailure(popCall(server, nobody.keys, action, VALID[action]));
    expect(refused.code).toBe('NoPermission');
    expect(refused.status).toBe(403);
    expect(refused.data.Message).toBe(
      'You are not authorized to do this action. You should be authorized by RAM.',
    );
    expect(refused.data.AccessDeniedDetail).toMatchObject({
      AuthAction: `ram:${action}`,
      AuthPrincipalType: 'SubUser',
      AuthPrincipalOwnerId: server.accountId,
      NoPermissionType: 'ImplicitDeny',
    });
  });

  it('an explicit Deny wins over AdministratorAccess', async () => {
    const caller = await ramUserWithKey(server, root);
    await call(root, 'AttachPolicyToUser', {
      PolicyType: 'System',
      PolicyName: 'AdministratorAccess',
      UserName: caller.userName,
    });
    const name = uniq('admin-made');
    await call(caller.client, 'CreateUser', { UserName: name });
    const deny = uniq('deny');
    await call(root, 'CreatePolicy', {
      PolicyName: deny,
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Deny', Action: 'ram:CreateUser', Resource: '*' }],
      }),
    });
    await call(root, 'AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: deny,
      UserName: caller.userName,
    });
    const f = await expectFailure(
      call(caller.client, 'CreateUser', { UserName: uniq('blocked') }),
      'NoPermission',
      403,
    );
    expect(f.data.AccessDeniedDetail.NoPermissionType).toBe('ExplicitDeny');
    await call(caller.client, 'GetUser', { UserName: name });
  });

  it('ReadOnlyAccess reads but does not write', async () => {
    const caller = await ramUserWithKey(server, root);
    await call(root, 'AttachPolicyToUser', {
      PolicyType: 'System',
      PolicyName: 'ReadOnlyAccess',
      UserName: caller.userName,
    });
    await call(caller.client, 'ListUsers');
    await call(caller.client, 'GetUser', { UserName: caller.userName });
    const name = uniq('ro');
    await expectFailure(call(caller.client, 'CreateUser', { UserName: name }), 'NoPermission', 403);
    await expectFailure(call(root, 'GetUser', { UserName: name }), 'EntityNotExist.User', 404);
  });

  it('resource patterns and conditions are honoured', async () => {
    const caller = await ramUserWithKey(server, root);
    await grant(root, caller.userName, ['ram:CreateGroup'], `acs:ram:*:${server.accountId}:group/team-*`);
    await call(caller.client, 'CreateGroup', { GroupName: uniq('team') });
    await expectFailure(
      call(caller.client, 'CreateGroup', { GroupName: uniq('other') }),
      'NoPermission',
      403,
    );

    const ip = uniq('ip');
    await call(root, 'CreatePolicy', {
      PolicyName: ip,
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'ram:ListRoles',
            Resource: '*',
            Condition: { IpAddress: { 'acs:SourceIp': '10.0.0.0/8' } },
          },
          {
            Effect: 'Allow',
            Action: 'ram:ListGroups',
            Resource: '*',
            Condition: { IpAddress: { 'acs:SourceIp': '127.0.0.0/8' } },
          },
        ],
      }),
    });
    await call(root, 'AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: ip,
      UserName: caller.userName,
    });
    await expectFailure(call(caller.client, 'ListRoles'), 'NoPermission', 403);
    await call(caller.client, 'ListGroups');
  });

  it('a refusal reads the same in XML', async () => {
    const xml = await xmlCall(server, nobody.keys, 'ListUsers');
    expect(xml.status).toBe(403);
    expect(xml.text).toContain('<Code>NoPermission</Code>');
    expect(xml.text).toContain('<AccessDeniedDetail>');
    expect(xml.text).toContain('<AuthAction>ram:ListUsers</AuthAction>');
  });

  it('self-service: the security preference lets a RAM user manage its own credentials only', async () => {
    const caller = await ramUserWithKey(server, root);
    const other = uniq('someone');
    await call(root, 'CreateUser', { UserName: other });
    await expectFailure(call(caller.client, 'ListAccessKeys'), 'NoPermission', 403);
    await call(root, 'SetSecurityPreference', { AllowUserToManageAccessKeys: true });
    try {
      expect((await call(caller.client, 'ListAccessKeys')).AccessKeys.AccessKey).toHaveLength(1);
      const second = (await call(caller.client, 'CreateAccessKey', { UserName: caller.userName })).AccessKey;
      await call(caller.client, 'UpdateAccessKey', {
        UserAccessKeyId: second.AccessKeyId,
        Status: 'Inactive',
      });
      await call(caller.client, 'DeleteAccessKey', { UserAccessKeyId: second.AccessKeyId });
      await expectFailure(call(caller.client, 'ListAccessKeys', { UserName: other }), 'NoPermission', 403);
      await expectFailure(call(caller.client, 'CreateAccessKey', { UserName: other }), 'NoPermission', 403);
      expect((await call(root, 'ListAccessKeys', { UserName: other })).AccessKeys.AccessKey).toEqual([]);
      // An explicit Deny still wins over the preference.
      const deny = uniq('deny-keys');
      await call(root, 'CreatePolicy', {
        PolicyName: deny,
        PolicyDocument: JSON.stringify({
          Version: '1',
          Statement: [{ Effect: 'Deny', Action: 'ram:*AccessKey*', Resource: '*' }],
        }),
      });
      await call(root, 'AttachPolicyToUser', {
        PolicyType: 'Custom',
        PolicyName: deny,
        UserName: caller.userName,
      });
      await expectFailure(call(caller.client, 'ListAccessKeys'), 'NoPermission', 403);
    } finally {
      await call(root, 'SetSecurityPreference', { AllowUserToManageAccessKeys: false });
    }
    await expectFailure(call(caller.client, 'CreateAccessKey'), 'NoPermission', 403);
  });

  it('bad parameters are answered before authorization', async () => {
    await expectFailure(
      call(nobody.client, 'CreateUser', { UserName: 'bad name' }),
      'InvalidParameter.UserName.InvalidChars',
      400,
    );
  });
});
