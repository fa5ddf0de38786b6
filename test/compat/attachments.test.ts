import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, rootKeys, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import {
  ALLOW_DOC,
  STORES,
  TRUST_ACCOUNT,
  call,
  expectFailure,
  grant,
  popCall,
  ramUserWithKey,
  uniq,
} from './ram-helpers.js';

type Kind = 'User' | 'Group' | 'Role';
const key = { User: 'UserName', Group: 'GroupName', Role: 'RoleName' } as const;

describe.each(STORES)('RAM policy attachments (%s)', (store) => {
  let server: TestServer;
  let root: RamClient;

  beforeAll(async () => {
    server = await startServer({ store });
    root = ramClient(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const create = async (kind: Kind): Promise<string> => {
    const name = uniq(kind.toLowerCase());
    if (kind === 'User') await call(root, 'CreateUser', { UserName: name });
    if (kind === 'Group') await call(root, 'CreateGroup', { GroupName: name });
    if (kind === 'Role') {
      await call(root, 'CreateRole', {
        RoleName: name,
        AssumeRolePolicyDocument: TRUST_ACCOUNT(server.accountId),
      });
    }
    return name;
  };
  const attached = async (kind: Kind, name: string) =>
    (await call(root, `ListPoliciesFor${kind}`, { [key[kind]]: name })).Policies.Policy.map(
      (p: { PolicyType: string; PolicyName: string }) => `${p.PolicyType}:${p.PolicyName}`,
    );

  it.each<Kind>(['User', 'Group', 'Role'])(
    'attaches and detaches system and custom policies to a %s',
    async (kind) => {
      const target = await create(kind);
      const custom = uniq('custom');
      await call(root, 'CreatePolicy', { PolicyName: custom, PolicyDocument: ALLOW_DOC(), Description: 'c' });

      await call(root, `AttachPolicyTo${kind}`, {
        PolicyType: 'System',
        PolicyName: 'ReadOnlyAccess',
        [key[kind]]: target,
      });
      await call(root, `AttachPolicyTo${kind}`, {
        PolicyType: 'Custom',
        PolicyName: custom,
        [key[kind]]: target,
      });
      expect((await attached(kind, target)).sort()).toEqual([`Custom:${custom}`, 'System:ReadOnlyAccess']);
      const item = (await call(root, `ListPoliciesFor${kind}`, { [key[kind]]: target })).Policies.Policy.find(
        (p: { PolicyName: string }) => p.PolicyName === custom,
      );
      expect(item).toEqual({
        PolicyName: custom,
        PolicyType: 'Custom',
        Description: 'c',
        DefaultVersion: 'v1',
        AttachDate: expect.stringMatching(/Z$/),
      });
      expect(
        (await call(root, 'GetPolicy', { PolicyName: custom, PolicyType: 'Custom' })).Policy.AttachmentCount,
      ).toBe(1);

      await expectFailure(
        call(root, `AttachPolicyTo${kind}`, {
          PolicyType: 'Custom',
          PolicyName: custom,
          [key[kind]]: target,
        }),
        `EntityAlreadyExists.${kind}.Policy`,
        409,
      );
      await expectFailure(
        call(root, `AttachPolicyTo${kind}`, {
          PolicyType: 'Custom',
          PolicyName: uniq('ghost'),
          [key[kind]]: target,
        }),
        'EntityNotExist.Policy',
        404,
      );
      await expectFailure(
        call(root, `AttachPolicyTo${kind}`, {
          PolicyType: 'Custom',
          PolicyName: custom,
          [key[kind]]: uniq('ghost'),
        }),
        `EntityNotExist.${kind}`,
        404,
      );
      await expectFailure(
        call(root, `AttachPolicyTo${kind}`, { PolicyType: 'Other', PolicyName: custom, [key[kind]]: target }),
        'InvalidParameter.PolicyType',
        400,
      );
      await expectFailure(
        call(root, `AttachPolicyTo${kind}`, {
          PolicyType: 'System',
          PolicyName: 'AdministratorAccess',
          [key[kind]]: target,
          ResourceGroupId: 'rg-acfm000000',
        }),
        'InvalidParameter',
        400,
        '"ResourceGroupId"',
      );
      expect((await attached(kind, target)).sort()).toEqual([`Custom:${custom}`, 'System:ReadOnlyAccess']);

      await call(root, `DetachPolicyFrom${kind}`, {
        PolicyType: 'Custom',
        PolicyName: custom,
        [key[kind]]: target,
      });
      await expectFailure(
        call(root, `DetachPolicyFrom${kind}`, {
          PolicyType: 'Custom',
          PolicyName: custom,
          [key[kind]]: target,
        }),
        `EntityNotExist.${kind}.Policy`,
        404,
      );
      expect(await attached(kind, target)).toEqual(['System:ReadOnlyAccess']);
      await call(root, `DetachPolicyFrom${kind}`, {
        PolicyType: 'System',
        PolicyName: 'ReadOnlyAccess',
        [key[kind]]: target,
      });
      expect(await attached(kind, target)).toEqual([]);
    },
  );

  it('lists the users, groups and roles a policy is attached to', async () => {
    const [user, group, role] = [await create('User'), await create('Group'), await create('Role')];
    const policy = uniq('shared');
    await call(root, 'CreatePolicy', { PolicyName: policy, PolicyDocument: ALLOW_DOC() });
    expect(
      await call(root, 'ListEntitiesForPolicy', { PolicyName: policy, PolicyType: 'Custom' }),
    ).toMatchObject({
      Users: { User: [] },
      Groups: { Group: [] },
      Roles: { Role: [] },
    });
    await call(root, 'AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: policy, UserName: user });
    await call(root, 'AttachPolicyToGroup', { PolicyType: 'Custom', PolicyName: policy, GroupName: group });
    await call(root, 'AttachPolicyToRole', { PolicyType: 'Custom', PolicyName: policy, RoleName: role });
    const entities = await call(root, 'ListEntitiesForPolicy', { PolicyName: policy, PolicyType: 'Custom' });
    expect(entities.Users.User).toEqual([
      {
        UserName: user,
        UserId: expect.stringMatching(/^\d{16}$/),
        DisplayName: '',
        AttachDate: expect.any(String),
      },
    ]);
    expect(entities.Groups.Group).toEqual([
      { GroupName: group, Comments: '', AttachDate: expect.any(String) },
    ]);
    expect(entities.Roles.Role).toEqual([
      {
        RoleName: role,
        RoleId: expect.any(String),
        Arn: `acs:ram::${server.accountId}:role/${role}`,
        Description: '',
        AttachDate: expect.any(String),
      },
    ]);
    expect(
      (await call(root, 'GetPolicy', { PolicyName: policy, PolicyType: 'Custom' })).Policy.AttachmentCount,
    ).toBe(3);
    await expectFailure(
      call(root, 'ListEntitiesForPolicy', { PolicyName: uniq('ghost'), PolicyType: 'Custom' }),
      'EntityNotExist.Policy',
      404,
    );
    await expectFailure(
      call(root, 'ListPoliciesForUser', { UserName: uniq('ghost') }),
      'EntityNotExist.User',
      404,
    );
    await expectFailure(
      call(root, 'ListPoliciesForGroup', { GroupName: uniq('ghost') }),
      'EntityNotExist.Group',
      404,
    );
    await expectFailure(
      call(root, 'ListPoliciesForRole', { RoleName: uniq('ghost') }),
      'EntityNotExist.Role',
      404,
    );
  });

  it('a policy reaches a user through its group, and stops when the user leaves', async () => {
    const caller = await ramUserWithKey(server, root);
    const group = await create('Group');
    const policy = uniq('via-group');
    await call(root, 'CreatePolicy', { PolicyName: policy, PolicyDocument: ALLOW_DOC('ram:ListGroups') });
    await call(root, 'AttachPolicyToGroup', { PolicyType: 'Custom', PolicyName: policy, GroupName: group });
    await expectFailure(call(caller.client, 'ListGroups'), 'NoPermission', 403);
    await call(root, 'AddUserToGroup', { GroupName: group, UserName: caller.userName });
    await call(caller.client, 'ListGroups');
    await call(root, 'RemoveUserFromGroup', { GroupName: group, UserName: caller.userName });
    await expectFailure(call(caller.client, 'ListGroups'), 'NoPermission', 403);
  });

  it('a new default version applies to the very next request', async () => {
    const caller = await ramUserWithKey(server, root);
    const policy = uniq('versioned');
    await call(root, 'CreatePolicy', { PolicyName: policy, PolicyDocument: ALLOW_DOC('ram:ListGroups') });
    await call(root, 'AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: policy,
      UserName: caller.userName,
    });
    await call(caller.client, 'ListGroups');
    await expectFailure(call(caller.client, 'ListRoles'), 'NoPermission', 403);
    await call(root, 'CreatePolicyVersion', {
      PolicyName: policy,
      PolicyDocument: ALLOW_DOC('ram:ListRoles'),
      SetAsDefault: true,
    });
    await call(caller.client, 'ListRoles');
    await expectFailure(call(caller.client, 'ListGroups'), 'NoPermission', 403);
  });

  it('attaching needs the right on both the principal and the policy', async () => {
    const caller = await ramUserWithKey(server, root);
    const target = await create('User');
    const acct = server.accountId;
    await grant(root, caller.userName, ['ram:AttachPolicyToUser'], `acs:ram:*:${acct}:user/${target}`);
    await expectFailure(
      call(caller.client, 'AttachPolicyToUser', {
        PolicyType: 'System',
        PolicyName: 'ReadOnlyAccess',
        UserName: target,
      }),
      'NoPermission',
      403,
    );
    expect(await attached('User', target)).toEqual([]);
    await grant(root, caller.userName, ['ram:AttachPolicyToUser'], 'acs:ram:*:system:policy/ReadOnlyAccess');
    await call(caller.client, 'AttachPolicyToUser', {
      PolicyType: 'System',
      PolicyName: 'ReadOnlyAccess',
      UserName: target,
    });
    expect(await attached('User', target)).toEqual(['System:ReadOnlyAccess']);
    await expectFailure(
      call(caller.client, 'AttachPolicyToUser', {
        PolicyType: 'System',
        PolicyName: 'AdministratorAccess',
        UserName: target,
      }),
      'NoPermission',
      403,
    );
    expect(await attached('User', target)).toEqual(['System:ReadOnlyAccess']);
  });

  it('pop-core', async () => {
    const user = await create('User');
    await popCall(server, rootKeys(server), 'AttachPolicyToUser', {
      PolicyType: 'System',
      PolicyName: 'ReadOnlyAccess',
      UserName: user,
    });
    const listed = await popCall(server, rootKeys(server), 'ListPoliciesForUser', { UserName: user });
    expect(listed.Policies.Policy.map((p: { PolicyName: string }) => p.PolicyName)).toEqual([
      'ReadOnlyAccess',
    ]);
  });
});
