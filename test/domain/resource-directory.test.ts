/**
 * The control layer as the authorizer applies it, on both stores: decision tables over a live
 * directory (deny-list and allow-list styles, inheritance through folders, the management
 * account and every root exempt, role sessions bounded), and each change (attach, detach, move,
 * disable, remove) enforced on the very next decision of one long-lived authorizer, whose
 * compiled cache is keyed on the permissions version. Only an invited member can be removed.
 */
import { expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { createAuthorizer } from '../../src/api/authorize.js';
import { ApiError } from '../../src/errors.js';
import { expectApiError, forEachBackend, type World } from './harness.js';

type Outcome = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

const deny = (...actions: string[]) =>
  JSON.stringify({ Version: '1', Statement: [{ Effect: 'Deny', Action: actions, Resource: '*' }] });
const allow = (...actions: string[]) =>
  JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

forEachBackend('control policies in decisions', (w) => {
  async function setup(world: World) {
    const d = world.domain;
    const master = world.accountId;
    const dir = await d.resourceDirectory.enable(master);
    const dev = await d.resourceDirectory.createFolder(master, `Dev${Date.now() % 100000}`);
    const team = await d.resourceDirectory.createFolder(master, `Team${Date.now() % 100000}`, dev.folderId);
    const inTeam = await d.resourceDirectory.createAccount(master, {
      displayName: 'team-app',
      parentFolderId: team.folderId,
    });
    // An existing account invited into Root (CloudAccount): a member that can leave.
    const invited = await d.accounts.create({ rootPassword: 'Invited#Account-2026' });
    const h = await d.resourceDirectory.invite(master, {
      targetType: 'Account',
      targetEntity: invited.accountId,
    });
    await d.resourceDirectory.acceptHandshake(invited.accountId, h.handshakeId);
    const inRoot = await d.resourceDirectory.getAccount(master, invited.accountId);

    async function admin(accountId: string): Promise<Principal> {
      const u = await d.users.create(accountId, { userName: 'admin' });
      await d.attachments.attach(
        accountId,
        { kind: 'user', userName: 'admin' },
        'System',
        'AdministratorAccess',
      );
      return { type: 'RAMUser', accountId, userId: u.userId, userName: u.userName };
    }
    const role = await d.roles.get(inTeam.accountId, 'ResourceDirectoryAccountAccessRole');
    // A role of the member's own, named like a service-linked role: still the member's role.
    const lookalike = await d.roles.create(inTeam.accountId, {
      roleName: 'AliyunServiceRoleForAnything',
      assumeRolePolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { RAM: [`acs:ram::${inTeam.accountId}:root`] },
          },
        ],
      }),
    });
    await d.attachments.attach(
      inTeam.accountId,
      { kind: 'role', roleName: lookalike.roleName },
      'System',
      'AdministratorAccess',
    );
    const principals = {
      masterAdmin: await admin(master),
      teamAdmin: await admin(inTeam.accountId),
      rootAdmin: await admin(inRoot.accountId),
      teamRoot: { type: 'Root', accountId: inTeam.accountId } as Principal,
      teamSession: {
        type: 'AssumedRole',
        accountId: inTeam.accountId,
        roleId: role.roleId,
        roleName: role.roleName,
        sessionName: 'ops',
        accessKeyId: 'STS.test',
      } as Principal,
      lookalikeSession: {
        type: 'AssumedRole',
        accountId: inTeam.accountId,
        roleId: lookalike.roleId,
        roleName: lookalike.roleName,
        sessionName: 'escape',
        accessKeyId: 'STS.lookalike',
      } as Principal,
    };
    const authorizer = createAuthorizer(world.services.policies, world.sealer);
    async function decide(who: keyof typeof principals, action: string): Promise<Outcome> {
      const p = principals[who];
      try {
        await authorizer.authorize(
          p,
          [{ action, resource: `acs:ecs:cn-hangzhou:${p.accountId}:instance/i-1` }],
          {},
        );
        return 'Allow';
      } catch (e) {
        if (!(e instanceof ApiError) || e.code !== 'NoPermission') throw e;
        expect(e.detail?.PolicyType).toBe('ControlPolicy');
        return e.detail!.NoPermissionType;
      }
    }
    /** An allow-list at Dev: FullAliyunAccess detached there, only ecs:Describe* listed. */
    async function describeOnlyAtDev() {
      await d.controlPolicies.enable(master);
      const readOnly = await d.controlPolicies.create(master, {
        policyName: 'ReadOnly',
        effectScope: 'RAM',
        policyDocument: allow('ecs:Describe*'),
      });
      await d.controlPolicies.attach(master, readOnly.policyId, dev.folderId);
      await d.controlPolicies.detach(master, 'cp-FullAliyunAccess', dev.folderId);
      return readOnly;
    }
    return { master, dir, dev, team, inTeam, inRoot, decide, d, describeOnlyAtDev };
  }

  it('deny-list: FullAliyunAccess everywhere and a Deny at Root', async () => {
    const { master, dir, decide, d } = await setup(w());
    // Control policies disabled: nothing bounds anyone.
    expect(await decide('teamAdmin', 'ecs:DeleteInstance')).toBe('Allow');
    await d.controlPolicies.enable(master);
    const guard = await d.controlPolicies.create(master, {
      policyName: 'NoDelete',
      effectScope: 'RAM',
      policyDocument: deny('ecs:DeleteInstance'),
    });
    await d.controlPolicies.attach(master, guard.policyId, dir.rootFolderId);
    const table: [Parameters<typeof decide>[0], string, Outcome][] = [
      ['teamAdmin', 'ecs:DescribeInstances', 'Allow'],
      ['teamAdmin', 'ecs:DeleteInstance', 'ExplicitDeny'],
      ['teamAdmin', 'ECS:deleteinstance', 'ExplicitDeny'],
      ['teamSession', 'ecs:DeleteInstance', 'ExplicitDeny'],
      ['teamSession', 'ecs:DescribeInstances', 'Allow'],
      ['lookalikeSession', 'ecs:DeleteInstance', 'ExplicitDeny'],
      ['lookalikeSession', 'ecs:DescribeInstances', 'Allow'],
      ['rootAdmin', 'ecs:DeleteInstance', 'ExplicitDeny'],
      ['masterAdmin', 'ecs:DeleteInstance', 'Allow'],
      ['teamRoot', 'ecs:DeleteInstance', 'Allow'],
    ];
    for (const [who, action, expected] of table)
      expect([who, action, await decide(who, action)]).toEqual([who, action, expected]);
    await d.controlPolicies.detach(master, guard.policyId, dir.rootFolderId);
    expect(await decide('teamAdmin', 'ecs:DeleteInstance')).toBe('Allow');
  });

  it('allow-list: a folder that lists actions bounds every folder and member below it', async () => {
    const { master, team, inTeam, inRoot, decide, d, describeOnlyAtDev } = await setup(w());
    const readOnly = await describeOnlyAtDev();
    const run = await d.controlPolicies.create(master, {
      policyName: 'Run',
      effectScope: 'RAM',
      policyDocument: allow('ecs:RunInstances'),
    });
    // An Allow below does not lift the limit of a level above.
    await d.controlPolicies.attach(master, run.policyId, team.folderId);
    await d.controlPolicies.attach(master, run.policyId, inTeam.accountId);
    const table: [Parameters<typeof decide>[0], string, Outcome][] = [
      ['teamAdmin', 'ecs:DescribeInstances', 'Allow'],
      ['teamAdmin', 'ecs:RunInstances', 'ImplicitDeny'],
      ['teamSession', 'ecs:RunInstances', 'ImplicitDeny'],
      ['rootAdmin', 'ecs:RunInstances', 'Allow'],
      ['masterAdmin', 'ecs:RunInstances', 'Allow'],
    ];
    for (const [who, action, expected] of table)
      expect([who, action, await decide(who, action)]).toEqual([who, action, expected]);

    // Moves apply on the next decision, both ways.
    await d.resourceDirectory.moveAccount(master, inRoot.accountId, team.folderId);
    expect(await decide('rootAdmin', 'ecs:RunInstances')).toBe('ImplicitDeny');
    await d.resourceDirectory.moveAccount(
      master,
      inTeam.accountId,
      (await d.resourceDirectory.get(master)).rootFolderId,
    );
    expect(await decide('teamAdmin', 'ecs:RunInstances')).toBe('Allow');

    // Updating an attached policy's document applies at once too.
    await d.controlPolicies.update(master, readOnly.policyId, { newPolicyDocument: allow('ecs:*') });
    expect(await decide('rootAdmin', 'ecs:RunInstances')).toBe('Allow');

    // Disabling drops every attachment; removing an invited member frees it; a created one stays.
    await d.controlPolicies.update(master, readOnly.policyId, { newPolicyDocument: allow('ecs:Describe*') });
    expect(await decide('rootAdmin', 'ecs:RunInstances')).toBe('ImplicitDeny');
    await d.resourceDirectory.moveAccount(master, inTeam.accountId, team.folderId);
    await expectApiError(
      d.resourceDirectory.removeAccount(master, inTeam.accountId),
      'AccountTypeOrStatusMismatch',
      /ResourceAccount/,
    );
    expect(await decide('teamAdmin', 'ecs:RunInstances')).toBe('ImplicitDeny');
    expect((await d.resourceDirectory.getAccount(master, inTeam.accountId)).type).toBe('ResourceAccount');
    expect(inRoot.type).toBe('CloudAccount');
    await d.resourceDirectory.removeAccount(master, inRoot.accountId);
    expect(await decide('rootAdmin', 'ecs:RunInstances')).toBe('Allow');
    await d.controlPolicies.disable(master);
    expect(await decide('teamAdmin', 'ecs:RunInstances')).toBe('Allow');
  });

  it('self-service lifts a missing Allow of the identity policies only, never of a control policy', async () => {
    const world = w();
    const { inTeam, inRoot, d, describeOnlyAtDev } = await setup(world);
    await describeOnlyAtDev();
    // Users with no policy, each managing its own AccessKeys, MFA devices and password, which
    // the security preference lets them do.
    const authorizer = createAuthorizer(world.services.policies, world.sealer, {
      selfServiceAllowed: async () => true,
    });
    const own = async (accountId: string, kind: 'AccessKeys' | 'MFADevices' | 'Password', action: string) => {
      const u = await d.users.create(accountId, { userName: `self-${kind.toLowerCase()}` });
      const who: Principal = { type: 'RAMUser', accountId, userId: u.userId, userName: u.userName };
      return authorizer.authorize(
        who,
        [{ action, resource: `acs:ram:*:${accountId}:user/${u.userName}`, selfService: kind }],
        {},
      );
    };
    for (const [kind, action] of [
      ['AccessKeys', 'ram:CreateAccessKey'],
      ['MFADevices', 'ram:CreateVirtualMFADevice'],
      ['Password', 'ram:ChangePassword'],
    ] as const) {
      // Outside the allow-list: self-service, as without a directory.
      expect(await own(inRoot.accountId, kind, action)).toEqual([kind]);
      // Below it: the control policy's ImplicitDeny stands.
      const refused = await own(inTeam.accountId, kind, action).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(ApiError);
      expect((refused as ApiError).code).toBe('NoPermission');
      expect((refused as ApiError).detail).toMatchObject({
        PolicyType: 'ControlPolicy',
        NoPermissionType: 'ImplicitDeny',
      });
    }
  });

  it('refuses bad input and changes nothing', async () => {
    const { master, dev, team, d } = await setup(w());
    let parent = team.folderId;
    for (let level = 3; level <= 5; level++)
      parent = (await d.resourceDirectory.createFolder(master, `L${level}x${Date.now() % 1000}`, parent))
        .folderId;
    await expectApiError(
      d.resourceDirectory.createFolder(master, 'Sixth', parent),
      'LimitExceeded.FolderDepth',
    );
    const sixth = await d.resourceDirectory.listFolders(master, parent, undefined, {
      pageNumber: 1,
      pageSize: 10,
    });
    expect(sixth.total).toBe(0);

    await expectApiError(
      d.controlPolicies.create(master, {
        policyName: '9lives',
        effectScope: 'RAM',
        policyDocument: deny('ecs:*'),
      }),
      'InvalidParameter.PolicyName',
    );
    await expectApiError(
      d.controlPolicies.attach(master, 'cp-FullAliyunAccess', dev.folderId),
      'InvalidOperation.ControlPolicyDisabled',
    );
    await d.controlPolicies.enable(master);
    await expectApiError(
      d.controlPolicies.detach(master, 'cp-FullAliyunAccess', dev.folderId),
      'ConstraintViolation.LastControlPolicy',
    );
    expect((await d.controlPolicies.listForTarget(master, dev.folderId)).map((a) => a.policyId)).toEqual([
      'cp-FullAliyunAccess',
    ]);
    await expectApiError(
      d.controlPolicies.attach(master, 'cp-FullAliyunAccess', master),
      'InvalidOperation.ManagementAccount',
    );
    const big = deny(...Array.from({ length: 300 }, (_, i) => `ecs:Action${i}`));
    await expectApiError(
      d.controlPolicies.create(master, { policyName: 'Big', effectScope: 'RAM', policyDocument: big }),
      'InvalidParameter.PolicyDocument.Length',
    );
    await expectApiError(
      d.controlPolicies.create(master, {
        policyName: 'WithPrincipal',
        effectScope: 'RAM',
        policyDocument:
          '{"Version":"1","Statement":[{"Effect":"Deny","Action":"ecs:*","Resource":"*","Principal":"*"}]}',
      }),
      'MalformedPolicyDocument',
    );
    expect((await d.controlPolicies.list(master, 'Custom', { pageNumber: 1, pageSize: 10 })).total).toBe(0);
    // A member account cannot run the directory.
    const member = (
      await d.resourceDirectory.listAccounts(master, undefined, undefined, { pageNumber: 1, pageSize: 10 })
    ).items.find((a) => a.accountId !== master)!;
    await expectApiError(
      d.resourceDirectory.createFolder(member.accountId, 'Mine'),
      'EntityNotExists.ResourceDirectory',
    );
    await expectApiError(
      d.resourceDirectory.enable(member.accountId),
      'EntityAlreadyExists.ResourceDirectory',
    );
  });

  it('parallel writes of one directory are serialized: one attach, one folder of a name', async () => {
    const { master, dev, d } = await setup(w());
    await d.controlPolicies.enable(master);
    const p = await d.controlPolicies.create(master, {
      policyName: 'Parallel',
      effectScope: 'RAM',
      policyDocument: deny('ecs:DeleteInstance'),
    });
    const attaches = await Promise.allSettled(
      Array.from({ length: 6 }, () => d.controlPolicies.attach(master, p.policyId, dev.folderId)),
    );
    expect(attaches.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of attaches) {
      if (r.status === 'rejected') {
        expect((r.reason as ApiError).code).toBe('EntityAlreadyExists.ControlPolicyAttachment');
      }
    }
    const folders = await Promise.allSettled(
      Array.from({ length: 6 }, () => d.resourceDirectory.createFolder(master, 'Same', dev.folderId)),
    );
    expect(folders.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of folders) {
      if (r.status === 'rejected') expect((r.reason as ApiError).code).toBe('EntityAlreadyExists.Folder');
    }
    expect(
      (await d.controlPolicies.listTargets(master, p.policyId, { pageNumber: 1, pageSize: 10 })).total,
    ).toBe(1);
  });
});
