/**
 * The RAM 2015-05-01 contract: every operation of the official SDK has an action (and no
 * action the SDK lacks), and every response body a real server sends fits the SDK's response
 * model: no field the model does not know, every JSON type as the model reads it, and the
 * fields it reads present. Each operation runs once, through pop-core (raw JSON bodies).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramActions } from '../../src/api/ram/index.js';
import { rootKeys, startServer, type TestServer } from '../helpers/server.js';
import {
  ALLOW_DOC,
  RAM_OPERATIONS,
  STRONG_PASSWORD,
  TRUST_ACCOUNT,
  missingFields,
  popCall,
  popFailure,
  shapeProblems,
  twoCodes,
  uniq,
  type Json,
} from '../compat/ram-helpers.js';

describe('RAM actions match the SDK operations', () => {
  it('registers exactly the operations of @alicloud/ram20150501', () => {
    const sdk = RAM_OPERATIONS.map((o) => o.action).sort();
    const ours = ramActions.map((a) => a.name).sort();
    expect(sdk).toHaveLength(66);
    expect(ours).toEqual(sdk);
    expect(new Set(ramActions.map((a) => a.service))).toEqual(new Set(['ram']));
  });
});

describe('RAM response bodies fit the SDK models', () => {
  let server: TestServer;
  const seen = new Map<string, Json>();

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Calls as root (or with `keys`) and checks the body against the model of the action. */
  async function run(
    action: string,
    params: Record<string, unknown> = {},
    keys = rootKeys(server),
  ): Promise<Json> {
    const body = await popCall(server, keys, action, params);
    expect(shapeProblems(action, body), `${action} sends fields or types the SDK does not read`).toEqual([]);
    expect(missingFields(action, body), `${action} lacks fields the SDK reads`).toEqual([]);
    seen.set(action, body);
    return body;
  }

  it('every operation, once, in a full lifecycle', async () => {
    const user = uniq('contract-user');
    const group = uniq('contract-group');
    const role = uniq('contract-role');
    const policy = uniq('contract-policy');
    const device = uniq('contract-mfa');

    // Users, login profiles, access keys.
    await run('CreateUser', {
      UserName: user,
      DisplayName: 'Contract',
      Email: 'c@example.com',
      Comments: 'c',
    });
    await run('GetUser', { UserName: user });
    await run('UpdateUser', { UserName: user, NewDisplayName: 'Contract 2' });
    await run('ListUsers', { MaxItems: 10 });
    await run('CreateLoginProfile', {
      UserName: user,
      Password: STRONG_PASSWORD,
      PasswordResetRequired: false,
    });
    await run('GetLoginProfile', { UserName: user });
    await run('UpdateLoginProfile', { UserName: user, MFABindRequired: false });
    const key = (await run('CreateAccessKey', { UserName: user })).AccessKey;
    const userKeys = { accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret };
    await run('ListAccessKeys', { UserName: user });
    await run('UpdateAccessKey', { UserName: user, UserAccessKeyId: key.AccessKeyId, Status: 'Active' });

    // A refusal, then its diagnostic; then the user's own password change once allowed.
    const denied = await popFailure(popCall(server, userKeys, 'ListUsers'));
    expect(denied.code).toBe('NoPermission');
    await run('DecodeDiagnosticMessage', {
      EncodedDiagnosticMessage: denied.data.AccessDeniedDetail.EncodedDiagnosticMessage,
    });
    await run('GetAccessKeyLastUsed', { UserName: user, UserAccessKeyId: key.AccessKeyId });

    // MFA.
    const created = (await run('CreateVirtualMFADevice', { VirtualMFADeviceName: device })).VirtualMFADevice;
    const [c1, c2] = twoCodes(created.Base32StringSeed);
    await run('BindMFADevice', {
      UserName: user,
      SerialNumber: created.SerialNumber,
      AuthenticationCode1: c1,
      AuthenticationCode2: c2,
    });
    await run('GetUserMFAInfo', { UserName: user });
    await run('ListVirtualMFADevices');
    await run('UnbindMFADevice', { UserName: user });
    await run('DeleteVirtualMFADevice', { SerialNumber: created.SerialNumber });

    // Groups.
    await run('CreateGroup', { GroupName: group, Comments: 'g' });
    await run('GetGroup', { GroupName: group });
    await run('UpdateGroup', { GroupName: group, NewComments: 'g2' });
    await run('ListGroups', { MaxItems: 10 });
    await run('AddUserToGroup', { GroupName: group, UserName: user });
    await run('ListGroupsForUser', { UserName: user });
    await run('ListUsersForGroup', { GroupName: group });
    await run('RemoveUserFromGroup', { GroupName: group, UserName: user });

    // Roles.
    await run('CreateRole', {
      RoleName: role,
      AssumeRolePolicyDocument: TRUST_ACCOUNT(server.accountId),
      Description: 'r',
      Tag: JSON.stringify([{ Key: 'env', Value: 'test' }]),
    });
    await run('GetRole', { RoleName: role });
    await run('UpdateRole', { RoleName: role, NewDescription: 'r2', NewMaxSessionDuration: 7200 });
    await run('ListRoles', { MaxItems: 10 });

    // Policies and versions.
    await run('CreatePolicy', {
      PolicyName: policy,
      PolicyDocument: ALLOW_DOC(),
      Description: 'p',
      Tag: JSON.stringify([{ Key: 'env', Value: 'test' }]),
    });
    await run('GetPolicy', { PolicyName: policy, PolicyType: 'Custom' });
    await run('UpdatePolicyDescription', { PolicyName: policy, NewDescription: 'p2' });
    await run('ListPolicies', { PolicyType: 'Custom', MaxItems: 10 });
    await run('CreatePolicyVersion', { PolicyName: policy, PolicyDocument: ALLOW_DOC('ecs:Start*') });
    await run('ListPolicyVersions', { PolicyName: policy, PolicyType: 'Custom' });
    await run('GetPolicyVersion', { PolicyName: policy, PolicyType: 'Custom', VersionId: 'v2' });
    await run('SetDefaultPolicyVersion', { PolicyName: policy, VersionId: 'v2' });
    await run('DeletePolicyVersion', { PolicyName: policy, VersionId: 'v1' });

    // Attachments.
    await run('AddUserToGroup', { GroupName: group, UserName: user });
    await run('AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: policy, UserName: user });
    await run('AttachPolicyToGroup', { PolicyType: 'Custom', PolicyName: policy, GroupName: group });
    await run('AttachPolicyToRole', { PolicyType: 'Custom', PolicyName: policy, RoleName: role });
    await run('ListPoliciesForUser', { UserName: user });
    await run('ListPoliciesForGroup', { GroupName: group });
    await run('ListPoliciesForRole', { RoleName: role });
    await run('ListEntitiesForPolicy', { PolicyName: policy, PolicyType: 'Custom' });
    await run('DetachPolicyFromUser', { PolicyType: 'Custom', PolicyName: policy, UserName: user });
    await run('DetachPolicyFromGroup', { PolicyType: 'Custom', PolicyName: policy, GroupName: group });
    await run('DetachPolicyFromRole', { PolicyType: 'Custom', PolicyName: policy, RoleName: role });
    await run('RemoveUserFromGroup', { GroupName: group, UserName: user });

    // Tags.
    await run('TagResources', {
      ResourceType: 'role',
      ResourceNames: JSON.stringify([role]),
      Tag: JSON.stringify([{ Key: 'team', Value: 'core' }]),
    });
    await run('ListTagResources', { ResourceType: 'role', ResourceNames: JSON.stringify([role]) });
    await run('UntagResources', { ResourceType: 'role', ResourceNames: JSON.stringify([role]), All: true });

    // Account settings.
    await run('SetAccountAlias', { AccountAlias: uniq('alias') });
    await run('GetAccountAlias');
    await run('ClearAccountAlias');
    await run('SetPasswordPolicy', { MinimumPasswordLength: 8, RequireNumbers: false });
    await run('GetPasswordPolicy');
    await run('SetSecurityPreference', { LoginSessionDuration: 6 });
    await run('GetSecurityPreference');

    // The user changes its own password once a policy allows it.
    const allow = uniq('allow-change-password');
    await popCall(server, rootKeys(server), 'CreatePolicy', {
      PolicyName: allow,
      PolicyDocument: ALLOW_DOC('ram:ChangePassword'),
    });
    await popCall(server, rootKeys(server), 'AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: allow,
      UserName: user,
    });
    await run(
      'ChangePassword',
      { OldPassword: STRONG_PASSWORD, NewPassword: `${STRONG_PASSWORD}x` },
      userKeys,
    );
    await popCall(server, rootKeys(server), 'DetachPolicyFromUser', {
      PolicyType: 'Custom',
      PolicyName: allow,
      UserName: user,
    });

    // Deletions.
    await run('DeleteAccessKey', { UserName: user, UserAccessKeyId: key.AccessKeyId });
    await run('DeleteLoginProfile', { UserName: user });
    await run('DeleteGroup', { GroupName: group });
    await run('DeleteRole', { RoleName: role });
    await run('DeletePolicy', { PolicyName: policy });
    await run('DeleteUser', { UserName: user });

    expect([...seen.keys()].sort()).toEqual(RAM_OPERATIONS.map((o) => o.action).sort());
  });

  it('list wrappers are arrays even with one item, and wrapper objects are objects', () => {
    expect(Array.isArray(seen.get('ListAccessKeys').AccessKeys.AccessKey)).toBe(true);
    expect(seen.get('ListAccessKeys').AccessKeys.AccessKey).toHaveLength(1);
    expect(Array.isArray(seen.get('ListGroupsForUser').Groups.Group)).toBe(true);
    expect(Array.isArray(seen.get('ListTagResources').TagResources)).toBe(true);
    expect(typeof seen.get('ListEntitiesForPolicy').Users).toBe('object');
  });
});

describe('the shape check itself', () => {
  it('reports unknown fields, wrong JSON types and missing fields', () => {
    expect(shapeProblems('ListUsers', { Users: { User: { UserName: 'a' } }, IsTruncated: 'false' })).toEqual([
      'ListUsers.Users.User: expected an array',
      'ListUsers.IsTruncated: expected a boolean, got "false"',
    ]);
    expect(shapeProblems('GetUser', { User: { UserName: 'a', Secret: 'x' } })).toEqual([
      'GetUser.User.Secret: not in the SDK model',
    ]);
    expect(shapeProblems('GetRole', { Role: { MaxSessionDuration: '3600' } })).toEqual([
      'GetRole.Role.MaxSessionDuration: expected a number, got "3600"',
    ]);
    expect(missingFields('GetUser', { RequestId: 'r' })).toEqual(['GetUser.User']);
    expect(missingFields('ListUsers', { RequestId: 'r', Users: { User: [] }, IsTruncated: true })).toEqual(
      [],
    );
    expect(
      missingFields('ListVirtualMFADevices', {
        RequestId: 'r',
        VirtualMFADevices: { VirtualMFADevice: [{ SerialNumber: 's' }] },
      }),
    ).toEqual([]);
    expect(
      missingFields('ListUsers', {
        RequestId: 'r',
        Users: { User: [{ UserName: 'a' }] },
        IsTruncated: false,
      }),
    ).toEqual([
      'ListUsers.Users.User[0].Comments',
      'ListUsers.Users.User[0].CreateDate',
      'ListUsers.Users.User[0].DisplayName',
      'ListUsers.Users.User[0].Email',
      'ListUsers.Users.User[0].MobilePhone',
      'ListUsers.Users.User[0].UpdateDate',
      'ListUsers.Users.User[0].UserId',
    ]);
  });
});
