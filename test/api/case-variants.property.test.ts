/**
 * Property: for every RAM action and every parameter that names an entity, any letter-case
 * variant of an existing name gets the same decision as the name's stored spelling. Run on
 * the real store (SQLite and PostgreSQL), the real resolver and the real authorizer.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeEach, expect, it } from 'vitest';
import type { AuthorizationTarget } from '../../src/api/action.js';
import { createAuthorizer } from '../../src/api/authorize.js';
import { ramActions } from '../../src/api/ram/index.js';
import { buildRequestContext } from '../../src/api/request-context.js';
import { resolveTargets } from '../../src/api/steps/authorize.js';
import type { Principal } from '../../src/auth/principal.js';
import { ApiError } from '../../src/errors.js';
import { forEachBackend, TRUST } from '../domain/harness.js';

/** Stored spellings, in mixed case on purpose. */
const N = {
  user: 'Boss',
  group: 'Admins',
  role: 'OpsRole',
  policy: 'DataPolicy',
  system: 'AdministratorAccess',
  mfa: 'PhoneDev',
};
type Names = typeof N;

const KEY = 'LTAI00000000000000000000';
const DOC = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}';

/** Every action that names an entity, with its parameters built from (possibly case-varied) names. */
const CASES: Record<string, (n: Names, accountId: string) => Record<string, string>> = {
  GetUser: (n) => ({ UserName: n.user }),
  UpdateUser: (n) => ({ UserName: n.user, NewDisplayName: 'x' }),
  DeleteUser: (n) => ({ UserName: n.user }),
  CreateUser: (n) => ({ UserName: n.user }),
  CreateLoginProfile: (n) => ({ UserName: n.user, Password: 'Abcdefgh1!x' }),
  GetLoginProfile: (n) => ({ UserName: n.user }),
  UpdateLoginProfile: (n) => ({ UserName: n.user, PasswordResetRequired: 'true' }),
  DeleteLoginProfile: (n) => ({ UserName: n.user }),
  CreateAccessKey: (n) => ({ UserName: n.user }),
  ListAccessKeys: (n) => ({ UserName: n.user }),
  UpdateAccessKey: (n) => ({ UserName: n.user, UserAccessKeyId: KEY, Status: 'Inactive' }),
  DeleteAccessKey: (n) => ({ UserName: n.user, UserAccessKeyId: KEY }),
  GetAccessKeyLastUsed: (n) => ({ UserName: n.user, UserAccessKeyId: KEY }),
  BindMFADevice: (n, a) => ({
    UserName: n.user,
    SerialNumber: `acs:ram::${a}:mfa/${n.mfa}`,
    AuthenticationCode1: '123456',
    AuthenticationCode2: '234567',
  }),
  UnbindMFADevice: (n) => ({ UserName: n.user }),
  GetUserMFAInfo: (n) => ({ UserName: n.user }),
  CreateVirtualMFADevice: (n) => ({ VirtualMFADeviceName: n.mfa }),
  DeleteVirtualMFADevice: (n, a) => ({ SerialNumber: `acs:ram::${a}:mfa/${n.mfa}` }),
  ListGroupsForUser: (n) => ({ UserName: n.user }),
  CreateGroup: (n) => ({ GroupName: n.group }),
  GetGroup: (n) => ({ GroupName: n.group }),
  UpdateGroup: (n) => ({ GroupName: n.group, NewComments: 'x' }),
  DeleteGroup: (n) => ({ GroupName: n.group }),
  ListUsersForGroup: (n) => ({ GroupName: n.group }),
  AddUserToGroup: (n) => ({ GroupName: n.group, UserName: n.user }),
  RemoveUserFromGroup: (n) => ({ GroupName: n.group, UserName: n.user }),
  CreateRole: (n) => ({ RoleName: n.role, AssumeRolePolicyDocument: DOC }),
  GetRole: (n) => ({ RoleName: n.role }),
  UpdateRole: (n) => ({ RoleName: n.role, NewDescription: 'x' }),
  DeleteRole: (n) => ({ RoleName: n.role }),
  CreatePolicy: (n) => ({ PolicyName: n.policy, PolicyDocument: DOC }),
  GetPolicy: (n) => ({ PolicyType: 'Custom', PolicyName: n.policy }),
  DeletePolicy: (n) => ({ PolicyName: n.policy }),
  UpdatePolicyDescription: (n) => ({ PolicyName: n.policy, NewDescription: 'x' }),
  CreatePolicyVersion: (n) => ({ PolicyName: n.policy, PolicyDocument: DOC }),
  GetPolicyVersion: (n) => ({ PolicyType: 'Custom', PolicyName: n.policy, VersionId: 'v1' }),
  DeletePolicyVersion: (n) => ({ PolicyName: n.policy, VersionId: 'v2' }),
  ListPolicyVersions: (n) => ({ PolicyType: 'Custom', PolicyName: n.policy }),
  SetDefaultPolicyVersion: (n) => ({ PolicyName: n.policy, VersionId: 'v1' }),
  ListEntitiesForPolicy: (n) => ({ PolicyType: 'System', PolicyName: n.system }),
  AttachPolicyToUser: (n) => ({ PolicyType: 'System', PolicyName: n.system, UserName: n.user }),
  DetachPolicyFromUser: (n) => ({ PolicyType: 'Custom', PolicyName: n.policy, UserName: n.user }),
  AttachPolicyToGroup: (n) => ({ PolicyType: 'Custom', PolicyName: n.policy, GroupName: n.group }),
  DetachPolicyFromGroup: (n) => ({ PolicyType: 'System', PolicyName: n.system, GroupName: n.group }),
  AttachPolicyToRole: (n) => ({ PolicyType: 'System', PolicyName: n.system, RoleName: n.role }),
  DetachPolicyFromRole: (n) => ({ PolicyType: 'Custom', PolicyName: n.policy, RoleName: n.role }),
  ListPoliciesForUser: (n) => ({ UserName: n.user }),
  ListPoliciesForGroup: (n) => ({ GroupName: n.group }),
  ListPoliciesForRole: (n) => ({ RoleName: n.role }),
  TagResources: (n) => ({
    ResourceType: 'role',
    ResourceNames: JSON.stringify([n.role]),
    Tag: '[{"Key":"k","Value":"v"}]',
  }),
  UntagResources: (n) => ({ ResourceType: 'policy', ResourceNames: JSON.stringify([n.policy]), All: 'true' }),
  ListTagResources: (n) => ({ ResourceType: 'role', ResourceNames: JSON.stringify([n.role]) }),
};

/** Parameters that name an existing entity (NewUserName and the like name one that is to be). */
const NAME_PARAMS = new Set([
  'UserName',
  'GroupName',
  'RoleName',
  'PolicyName',
  'VirtualMFADeviceName',
  'SerialNumber',
  'ResourceNames',
]);

it('the table covers every RAM operation with a name parameter', () => {
  const surface = JSON.parse(
    readFileSync(new URL('../fixtures/api-surface.json', import.meta.url), 'utf8'),
  ) as {
    products: {
      package: string;
      operations: { action: string; request: { params: { name: string }[] } }[];
    }[];
  };
  const ops = surface.products.find((p) => p.package === '@alicloud/ram20150501')!.operations;
  const naming = ops
    .filter((o) => o.request.params.some((p) => NAME_PARAMS.has(p.name)))
    .map((o) => o.action);
  expect(naming.filter((a) => !(a in CASES))).toEqual([]);
});

/** A random upper/lower choice for every letter of s. */
const caseOf = (s: string) =>
  fc
    .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map((up) => [...s].map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

const variants = fc.record({
  user: caseOf(N.user),
  group: caseOf(N.group),
  role: caseOf(N.role),
  policy: caseOf(N.policy),
  system: caseOf(N.system),
  mfa: caseOf(N.mfa),
});

forEachBackend('case variants decide like the stored spelling', (world) => {
  let denier: Principal;
  let allower: Principal;

  beforeEach(async () => {
    const { domain, accountId: a } = world();
    await domain.users.create(a, { userName: N.user });
    await domain.groups.create(a, { groupName: N.group });
    await domain.roles.create(a, { roleName: N.role, assumeRolePolicyDocument: TRUST(a) });
    await domain.policies.create(a, { policyName: N.policy, policyDocument: DOC });
    await domain.mfa.createVirtual(a, N.mfa);
    const stored = [
      `acs:ram:*:${a}:user/${N.user}`,
      `acs:ram:*:${a}:group/${N.group}`,
      `acs:ram:*:${a}:role/${N.role}`,
      `acs:ram:*:${a}:policy/${N.policy}`,
      `acs:ram:*:${a}:mfa/${N.mfa}`,
      `acs:ram:*:system:policy/${N.system}`,
    ];
    const principal = async (userName: string, statements: object[]): Promise<Principal> => {
      const u = await domain.users.create(a, { userName });
      await domain.policies.create(a, {
        policyName: `${userName}-policy`,
        policyDocument: JSON.stringify({ Version: '1', Statement: statements }),
      });
      await domain.attachments.attach(a, { kind: 'user', userName }, 'Custom', `${userName}-policy`);
      return { type: 'RAMUser', accountId: a, userId: u.userId, userName };
    };
    // Everything except the stored entities, and only the stored entities.
    denier = await principal('denier', [
      { Effect: 'Allow', Action: 'ram:*', Resource: '*' },
      { Effect: 'Deny', Action: 'ram:*', Resource: stored },
    ]);
    allower = await principal('allower', [{ Effect: 'Allow', Action: 'ram:*', Resource: stored }]);
  });

  async function decide(principal: Principal, action: string, names: Names): Promise<string> {
    const w = world();
    const def = ramActions.find((d) => d.name === action)!;
    const req = {
      requestId: 'r',
      accountId: w.accountId,
      principal,
      params: def.params.parse(CASES[action]!(names, w.accountId)),
    };
    const raw = def.authorize!(req);
    const targets = await resolveTargets(
      Array.isArray(raw) ? raw : [raw as AuthorizationTarget],
      w.services.names,
    );
    const authorizer = createAuthorizer(w.services.policies, w.sealer);
    const context = buildRequestContext({
      sourceIp: '127.0.0.1',
      now: new Date(),
      secure: false,
      principal,
      accessKeyId: undefined,
      userAgent: undefined,
      referer: undefined,
    });
    try {
      await authorizer.authorize(principal, targets, context);
      return 'Allow';
    } catch (e) {
      if (e instanceof ApiError && e.detail) return e.detail.NoPermissionType;
      throw e;
    }
  }

  it('for every action, every case variant of every name', async () => {
    for (const action of Object.keys(CASES)) {
      // The stored spelling is denied to the denier and allowed to the allower: not a vacuous check.
      expect([action, await decide(denier, action, N)]).toEqual([action, 'ExplicitDeny']);
      expect([action, await decide(allower, action, N)]).toEqual([action, 'Allow']);
      await fc.assert(
        fc.asyncProperty(variants, async (v) => {
          expect([action, await decide(denier, action, v)]).toEqual([action, 'ExplicitDeny']);
          expect([action, await decide(allower, action, v)]).toEqual([action, 'Allow']);
        }),
        { numRuns: Number(process.env.FC_RUNS ?? 15) },
      );
    }
  });
});
