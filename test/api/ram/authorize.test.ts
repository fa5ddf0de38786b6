import { describe, expect, it } from 'vitest';
import type { AuthorizationTarget } from '../../../src/api/action.js';
import { ramActions } from '../../../src/api/ram/index.js';
import { resolveTargets } from '../../../src/api/steps/authorize.js';
import type { Principal } from '../../../src/auth/principal.js';

const A = '1234567890123456';
const root: Principal = { type: 'Root', accountId: A };
const alice: Principal = { type: 'RAMUser', accountId: A, userId: '2000000000000001', userName: 'alice' };
const session: Principal = {
  type: 'AssumedRole',
  accountId: A,
  roleId: '300000000000000001',
  roleName: 'ops',
  sessionName: 's',
  accessKeyId: 'STS.x',
};

const u = (n: string) => `acs:ram:*:${A}:user/${n}`;
const KEY = 'LTAI00000000000000000000';
const DOC = '{"Version":"1","Statement":[]}';

/** Operation, raw parameters, caller, and the resources (and self-service) it is authorized on. */
const rows: [string, Record<string, string>, Principal, (string | [string, string])[]][] = [
  ['CreateUser', { UserName: 'bob' }, alice, [u('bob')]],
  ['GetUser', { UserName: 'bob' }, alice, [u('bob')]],
  ['UpdateUser', { UserName: 'bob', NewUserName: 'carol' }, alice, [u('bob')]],
  ['DeleteUser', { UserName: 'bob' }, alice, [u('bob')]],
  ['ListUsers', {}, alice, [`acs:ram:*:${A}:user/*`]],
  ['CreateLoginProfile', { UserName: 'bob', Password: 'x' }, alice, [u('bob')]],
  ['ChangePassword', { OldPassword: 'a', NewPassword: 'b' }, alice, [[u('alice'), 'Password']]],
  ['ChangePassword', { OldPassword: 'a', NewPassword: 'b' }, root, [`acs:ram:*:${A}:*`]],
  ['CreateAccessKey', {}, alice, [[u('alice'), 'AccessKeys']]],
  ['CreateAccessKey', { UserName: 'ALICE' }, alice, [[u('ALICE'), 'AccessKeys']]],
  ['CreateAccessKey', { UserName: 'bob' }, alice, [u('bob')]],
  ['CreateAccessKey', {}, root, [`acs:ram:*:${A}:*`]],
  ['ListAccessKeys', {}, alice, [[u('alice'), 'AccessKeys']]],
  ['UpdateAccessKey', { UserAccessKeyId: KEY, Status: 'Active' }, alice, [[u('alice'), 'AccessKeys']]],
  ['DeleteAccessKey', { UserName: 'bob', UserAccessKeyId: KEY }, alice, [u('bob')]],
  ['GetAccessKeyLastUsed', { UserAccessKeyId: KEY }, alice, [[u('alice'), 'AccessKeys']]],
  [
    'CreateVirtualMFADevice',
    { VirtualMFADeviceName: 'phone' },
    alice,
    [[`acs:ram:*:${A}:mfa/phone`, 'MFADevices']],
  ],
  ['CreateVirtualMFADevice', { VirtualMFADeviceName: 'phone' }, session, [`acs:ram:*:${A}:mfa/phone`]],
  [
    'DeleteVirtualMFADevice',
    { SerialNumber: `acs:ram::${A}:mfa/phone` },
    alice,
    [[`acs:ram:*:${A}:mfa/phone`, 'MFADevices']],
  ],
  ['ListVirtualMFADevices', {}, alice, [`acs:ram:*:${A}:mfa/*`]],
  [
    'BindMFADevice',
    { UserName: 'alice', SerialNumber: 's', AuthenticationCode1: '123456', AuthenticationCode2: '654321' },
    alice,
    [[u('alice'), 'MFADevices']],
  ],
  [
    'BindMFADevice',
    { UserName: 'bob', SerialNumber: 's', AuthenticationCode1: '123456', AuthenticationCode2: '654321' },
    alice,
    [u('bob')],
  ],
  ['UnbindMFADevice', { UserName: 'alice' }, alice, [[u('alice'), 'MFADevices']]],
  ['GetUserMFAInfo', { UserName: 'bob' }, alice, [u('bob')]],
  ['CreateGroup', { GroupName: 'dev' }, alice, [`acs:ram:*:${A}:group/dev`]],
  ['AddUserToGroup', { GroupName: 'dev', UserName: 'bob' }, alice, [`acs:ram:*:${A}:group/dev`]],
  ['ListGroups', {}, alice, [`acs:ram:*:${A}:group/*`]],
  ['ListGroupsForUser', { UserName: 'bob' }, alice, [u('bob')]],
  ['ListUsersForGroup', { GroupName: 'dev' }, alice, [`acs:ram:*:${A}:group/dev`]],
  ['CreateRole', { RoleName: 'ops', AssumeRolePolicyDocument: DOC }, alice, [`acs:ram:*:${A}:role/ops`]],
  ['ListRoles', {}, alice, [`acs:ram:*:${A}:role/*`]],
  ['CreatePolicy', { PolicyName: 'p', PolicyDocument: DOC }, alice, [`acs:ram:*:${A}:policy/p`]],
  [
    'GetPolicy',
    { PolicyName: 'ReadOnlyAccess', PolicyType: 'System' },
    alice,
    ['acs:ram:*:system:policy/ReadOnlyAccess'],
  ],
  ['ListPolicies', {}, alice, [`acs:ram:*:${A}:policy/*`]],
  [
    'AttachPolicyToUser',
    { PolicyType: 'System', PolicyName: 'ReadOnlyAccess', UserName: 'bob' },
    alice,
    [u('bob'), 'acs:ram:*:system:policy/ReadOnlyAccess'],
  ],
  [
    'DetachPolicyFromRole',
    { PolicyType: 'Custom', PolicyName: 'p', RoleName: 'ops' },
    alice,
    [`acs:ram:*:${A}:role/ops`, `acs:ram:*:${A}:policy/p`],
  ],
  ['ListPoliciesForGroup', { GroupName: 'dev' }, alice, [`acs:ram:*:${A}:group/dev`]],
  ['ListEntitiesForPolicy', { PolicyType: 'Custom', PolicyName: 'p' }, alice, [`acs:ram:*:${A}:policy/p`]],
  [
    'TagResources',
    { ResourceType: 'role', ResourceNames: '["a","b"]', Tag: '[{"Key":"k","Value":"v"}]' },
    alice,
    [`acs:ram:*:${A}:role/a`, `acs:ram:*:${A}:role/b`],
  ],
  ['ListTagResources', { ResourceType: 'policy' }, alice, [`acs:ram:*:${A}:policy/*`]],
  ['SetAccountAlias', { AccountAlias: 'corp' }, alice, [`acs:ram:*:${A}:*`]],
  ['GetPasswordPolicy', {}, alice, [`acs:ram:*:${A}:*`]],
  ['SetSecurityPreference', {}, alice, [`acs:ram:*:${A}:*`]],
  ['DecodeDiagnosticMessage', { EncodedDiagnosticMessage: 'x' }, alice, ['*']],
];

function targets(action: string, raw: Record<string, string>, principal: Principal): AuthorizationTarget[] {
  const def = ramActions.find((a) => a.name === action)!;
  const out = def.authorize!({ requestId: 'r', accountId: A, principal, params: def.params.parse(raw) });
  return Array.isArray(out) ? [...out] : [out as AuthorizationTarget];
}

/** No entity exists: every name is authorized as given. */
const nothingStored = {
  storedName: async () => undefined,
  systemPolicyName: async () => undefined,
  userNameBy: async () => undefined,
};

describe('RAM authorization targets', () => {
  it('every operation declares one', () => {
    expect(ramActions.filter((a) => a.authorize === undefined).map((a) => a.name)).toEqual([]);
  });

  it.each(rows)('%s %j', async (action, raw, principal, expected) => {
    const got = await resolveTargets(targets(action, raw, principal), nothingStored);
    expect(got.map((t) => t.action)).toEqual(expected.map(() => `ram:${action}`));
    expect(got.map((t) => (t.selfService ? [t.resource, t.selfService] : t.resource))).toEqual(expected);
  });

  it('a role session must name the user of an access-key operation', () => {
    expect(() => targets('ListAccessKeys', {}, session)).toThrow(
      expect.objectContaining({ code: 'MissingUserName', status: 400 }),
    );
  });
});
