/**
 * The Resource Directory through the official clients against a real server process, on both
 * stores: the directory, folders (five levels at most), member accounts that are full accounts
 * reached through ResourceDirectoryAccountAccessRole, control policies (deny-list and allow-list,
 * inheritance through folders, the management account exempt) enforced on the next request
 * after every change, cross-account roles, and bad input refused with nothing changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, rootKeys, startServer, type KeyPair, type TestServer } from '../helpers/server.js';
import { STORES, call, expectFailure, failure, uniq, type Json } from './ram-helpers.js';
import { rmCall, rmClient, type RmClient } from './resourcemanager-helpers.js';
import { assumeRole, callerIdentity, sessionKeys } from './sts-helpers.js';

const doc = (effect: 'Allow' | 'Deny', action: string | string[], resource = '*') =>
  JSON.stringify({ Version: '1', Statement: [{ Effect: effect, Action: action, Resource: resource }] });

const GUARDRAIL = JSON.stringify({
  Version: '1',
  Statement: [
    {
      Effect: 'Deny',
      Action: [
        'actiontrail:DeleteTrail',
        'actiontrail:StopLogging',
        'ram:UnbindMFADevice',
        'ram:DeactivateMFADevice',
      ],
      Resource: '*',
    },
  ],
});

describe.each(STORES)('Resource Directory on %s', (store) => {
  let server: TestServer;
  let rm: RmClient;
  let directory: Json;
  let prodFolder: string;
  let memberId: string;
  /** The member's administrator: a RAM user of the member with AdministratorAccess. */
  let memberAdmin: KeyPair;
  /** A RAM user of the management account with AdministratorAccess. */
  let masterAdmin: KeyPair;

  /** A RAM user with AdministratorAccess and an AccessKey, made with `keys` in their account. */
  async function adminUser(keys: KeyPair): Promise<KeyPair> {
    const client = ramClient(server, keys);
    const name = uniq('admin');
    await call(client, 'CreateUser', { UserName: name });
    await call(client, 'AttachPolicyToUser', {
      PolicyType: 'System',
      PolicyName: 'AdministratorAccess',
      UserName: name,
    });
    const k = await call(client, 'CreateAccessKey', { UserName: name });
    return { accessKeyId: k.AccessKey.AccessKeyId, accessKeySecret: k.AccessKey.AccessKeySecret };
  }

  /** The code a RAM call with `keys` answers ('OK' when it succeeds). */
  async function outcome(keys: KeyPair, action: string, params: Record<string, unknown> = {}) {
    try {
      await call(ramClient(server, keys), action, params);
      return 'OK';
    } catch (e) {
      return (e as { code?: string }).code ?? String(e);
    }
  }

  async function policyTypeOfDenial(keys: KeyPair, action: string, params: Record<string, unknown>) {
    const f = await failure(call(ramClient(server, keys), action, params));
    return { code: f.code, policyType: f.data?.AccessDeniedDetail?.PolicyType };
  }

  beforeAll(async () => {
    server = await startServer({ store });
    rm = rmClient(server, rootKeys(server));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('enables a directory: the caller is the management account, Root folder created', async () => {
    const before = await failure(rmCall(rm, 'GetResourceDirectory'));
    expect(before.code).toBe('EntityNotExists.ResourceDirectory');
    const enabled = await rmCall(rm, 'EnableResourceDirectory', { EnableMode: 'CurrentAccount' });
    expect(enabled.ResourceDirectory.MasterAccountId).toBe(server.accountId);
    expect(enabled.ResourceDirectory.ResourceDirectoryId).toMatch(/^rd-/);
    expect(enabled.ResourceDirectory.RootFolderId).toMatch(/^r-/);
    directory = (await rmCall(rm, 'GetResourceDirectory')).ResourceDirectory;
    expect(directory).toMatchObject({
      ResourceDirectoryId: enabled.ResourceDirectory.ResourceDirectoryId,
      RootFolderId: enabled.ResourceDirectory.RootFolderId,
      MasterAccountId: server.accountId,
      ControlPolicyStatus: 'Disabled',
    });
    await expectFailure(
      rmCall(rm, 'EnableResourceDirectory', { EnableMode: 'CurrentAccount' }),
      'EntityAlreadyExists.ResourceDirectory',
      409,
    );
  });

  it('nests folders five levels deep and refuses a sixth, changing nothing', async () => {
    const prod = await rmCall(rm, 'CreateFolder', { FolderName: 'Prod' });
    prodFolder = prod.Folder.FolderId;
    expect(prod.Folder).toMatchObject({ FolderName: 'Prod', ParentFolderId: directory.RootFolderId });
    let parent = prodFolder;
    const chain = [prodFolder];
    for (let level = 2; level <= 5; level++) {
      const f = await rmCall(rm, 'CreateFolder', {
        FolderName: `L${level}-${uniq('f')}`.slice(0, 24),
        ParentFolderId: parent,
      });
      parent = f.Folder.FolderId;
      chain.push(parent);
    }
    await expectFailure(
      rmCall(rm, 'CreateFolder', { FolderName: 'TooDeep', ParentFolderId: parent }),
      'LimitExceeded.FolderDepth',
      409,
    );
    const under = await rmCall(rm, 'ListFoldersForParent', { ParentFolderId: parent });
    expect(under.TotalCount).toBe(0);
    const ancestors = await rmCall(rm, 'ListAncestors', { ChildId: parent });
    expect(ancestors.Folders.Folder.map((f: Json) => f.FolderId)).toEqual([
      directory.RootFolderId,
      ...chain.slice(0, 4),
    ]);
    const got = await rmCall(rm, 'GetFolder', { FolderId: parent });
    expect(got.Folder.ResourceDirectoryPath).toBe(
      [directory.ResourceDirectoryId, directory.RootFolderId, ...chain].join('/'),
    );
    await expectFailure(
      rmCall(rm, 'CreateFolder', { FolderName: 'prod' }),
      'EntityAlreadyExists.Folder',
      409,
    );
    await expectFailure(
      rmCall(rm, 'CreateFolder', { FolderName: 'a/b' }),
      'InvalidParameter.FolderName',
      400,
    );
    await expectFailure(
      rmCall(rm, 'DeleteFolder', { FolderId: prodFolder }),
      'DeleteConflict.Folder.NotEmpty',
      409,
    );
    // The deep chain goes again, leaf first.
    for (const id of chain.slice(1).reverse()) await rmCall(rm, 'DeleteFolder', { FolderId: id });
    const top = await rmCall(rm, 'ListFoldersForParent', {});
    expect(top.Folders.Folder.map((f: Json) => f.FolderName)).toEqual(['Prod']);
  });

  it('creates a member account, a full account reached through its access role', async () => {
    const created = await rmCall(rm, 'CreateResourceAccount', {
      DisplayName: 'Prod app',
      ParentFolderId: prodFolder,
    });
    memberId = created.Account.AccountId;
    expect(memberId).toMatch(/^[0-9]{16}$/);
    expect(memberId).not.toBe(server.accountId);
    expect(created.Account).toMatchObject({
      DisplayName: 'Prod app',
      FolderId: prodFolder,
      Type: 'ResourceAccount',
      JoinMethod: 'created',
      ResourceDirectoryId: directory.ResourceDirectoryId,
    });
    const got = await rmCall(rm, 'GetAccount', { AccountId: memberId });
    expect(got.Account.ResourceDirectoryPath).toBe(
      `${directory.ResourceDirectoryId}/${directory.RootFolderId}/${prodFolder}/${memberId}`,
    );
    const inProd = await rmCall(rm, 'ListAccountsForParent', { ParentFolderId: prodFolder });
    expect(inProd.Accounts.Account.map((a: Json) => a.AccountId)).toEqual([memberId]);
    const all = await rmCall(rm, 'ListAccounts', {});
    expect(all.Accounts.Account.map((a: Json) => a.AccountId).sort()).toEqual(
      [server.accountId, memberId].sort(),
    );

    // The management account's administrators reach the member by AssumeRole.
    masterAdmin = await adminUser(rootKeys(server));
    const session = await assumeRole(server, masterAdmin, {
      RoleArn: `acs:ram::${memberId}:role/ResourceDirectoryAccountAccessRole`,
      RoleSessionName: 'landing-zone',
    });
    const id = await callerIdentity(server, sessionKeys(session));
    expect(id.AccountId).toBe(memberId);
    expect(id.Arn).toBe(`acs:ram::${memberId}:assumed-role/ResourceDirectoryAccountAccessRole/landing-zone`);
    memberAdmin = await adminUser(sessionKeys(session));
    const users = await call(ramClient(server, memberAdmin), 'ListUsers', {});
    expect(users.Users.User.length).toBe(1);
  });

  it('control policies: FullAliyunAccess by default, a deny-list guardrail holds against a member administrator', async () => {
    expect((await rmCall(rm, 'EnableControlPolicy')).EnablementStatus).toBe('PendingEnable');
    expect((await rmCall(rm, 'GetControlPolicyEnablementStatus')).EnablementStatus).toBe('Enabled');
    const onMember = await rmCall(rm, 'ListControlPolicyAttachmentsForTarget', { TargetId: memberId });
    expect(onMember.ControlPolicyAttachments.ControlPolicyAttachment.map((a: Json) => a.PolicyId)).toEqual([
      'cp-FullAliyunAccess',
    ]);

    const guard = await rmCall(rm, 'CreateControlPolicy', {
      PolicyName: 'Guardrail',
      Description: 'Keep-audit-and-MFA',
      EffectScope: 'RAM',
      PolicyDocument: GUARDRAIL,
    });
    const guardId = guard.ControlPolicy.PolicyId;
    expect(guard.ControlPolicy).toMatchObject({
      PolicyType: 'Custom',
      EffectScope: 'RAM',
      AttachmentCount: '0',
    });

    // Before: the member administrator may unbind MFA (the call reaches the handler).
    const unbind = { UserName: 'nobody-here' };
    expect(await outcome(memberAdmin, 'UnbindMFADevice', unbind)).not.toBe('NoPermission');
    await rmCall(rm, 'AttachControlPolicy', { PolicyId: guardId, TargetId: directory.RootFolderId });
    // The very next request: denied by the control policy inherited from Root.
    expect(await policyTypeOfDenial(memberAdmin, 'UnbindMFADevice', unbind)).toEqual({
      code: 'NoPermission',
      policyType: 'ControlPolicy',
    });
    // Everything else still passes FullAliyunAccess at every level.
    expect(await outcome(memberAdmin, 'ListUsers')).toBe('OK');
    // The management account is exempt.
    expect(await outcome(masterAdmin, 'UnbindMFADevice', unbind)).not.toBe('NoPermission');

    const targets = await rmCall(rm, 'ListTargetAttachmentsForControlPolicy', { PolicyId: guardId });
    expect(targets.TargetAttachments.TargetAttachment).toEqual([
      expect.objectContaining({ TargetId: directory.RootFolderId, TargetType: 'Root' }),
    ]);
    await expectFailure(
      rmCall(rm, 'DeleteControlPolicy', { PolicyId: guardId }),
      'DeleteConflict.ControlPolicy.Attachment',
      409,
    );

    await rmCall(rm, 'DetachControlPolicy', { PolicyId: guardId, TargetId: directory.RootFolderId });
    expect(await outcome(memberAdmin, 'UnbindMFADevice', unbind)).not.toBe('NoPermission');
  });

  it('allow-list: a folder without FullAliyunAccess passes only what it lists; moving the account applies at once', async () => {
    const readOnly = await rmCall(rm, 'CreateControlPolicy', {
      PolicyName: 'ReadOnlyRam',
      EffectScope: 'RAM',
      PolicyDocument: doc('Allow', ['ram:List*', 'ram:Get*']),
    });
    const id = readOnly.ControlPolicy.PolicyId;
    await rmCall(rm, 'AttachControlPolicy', { PolicyId: id, TargetId: prodFolder });
    await rmCall(rm, 'DetachControlPolicy', { PolicyId: 'cp-FullAliyunAccess', TargetId: prodFolder });
    expect(await outcome(memberAdmin, 'ListUsers')).toBe('OK');
    expect(await policyTypeOfDenial(memberAdmin, 'CreateUser', { UserName: uniq('u') })).toEqual({
      code: 'NoPermission',
      policyType: 'ControlPolicy',
    });
    // An Allow at the member level does not lift the folder's limit.
    expect(await outcome(memberAdmin, 'CreateGroup', { GroupName: uniq('g') })).toBe('NoPermission');

    // The last policy of a node cannot be detached; nothing changes.
    await expectFailure(
      rmCall(rm, 'DetachControlPolicy', { PolicyId: id, TargetId: prodFolder }),
      'ConstraintViolation.LastControlPolicy',
      409,
    );
    const still = await rmCall(rm, 'ListControlPolicyAttachmentsForTarget', { TargetId: prodFolder });
    expect(still.ControlPolicyAttachments.ControlPolicyAttachment.map((a: Json) => a.PolicyId)).toEqual([id]);

    await rmCall(rm, 'MoveAccount', { AccountId: memberId, DestinationFolderId: directory.RootFolderId });
    expect(await outcome(memberAdmin, 'CreateUser', { UserName: uniq('u') })).toBe('OK');
    await rmCall(rm, 'MoveAccount', { AccountId: memberId, DestinationFolderId: prodFolder });
    expect(await outcome(memberAdmin, 'CreateUser', { UserName: uniq('u') })).toBe('NoPermission');

    // Disabling removes every attachment: nothing bounds the member any more.
    expect((await rmCall(rm, 'DisableControlPolicy')).EnablementStatus).toBe('PendingDisable');
    expect(await outcome(memberAdmin, 'CreateUser', { UserName: uniq('u') })).toBe('OK');
    await expectFailure(
      rmCall(rm, 'AttachControlPolicy', { PolicyId: id, TargetId: prodFolder }),
      'InvalidOperation.ControlPolicyDisabled',
      409,
    );
    await rmCall(rm, 'EnableControlPolicy');
    const reattached = await rmCall(rm, 'ListControlPolicyAttachmentsForTarget', { TargetId: prodFolder });
    expect(reattached.ControlPolicyAttachments.ControlPolicyAttachment.map((a: Json) => a.PolicyId)).toEqual([
      'cp-FullAliyunAccess',
    ]);
  });

  it('bad control policies are refused with their code and nothing is created', async () => {
    const before = (await rmCall(rm, 'ListControlPolicies', { PolicyType: 'Custom' })).TotalCount;
    const big = JSON.stringify({
      Version: '1',
      Statement: [
        { Effect: 'Deny', Action: Array.from({ length: 400 }, (_, i) => `ecs:Action${i}`), Resource: '*' },
      ],
    });
    expect(big.length).toBeGreaterThan(4096);
    await expectFailure(
      rmCall(rm, 'CreateControlPolicy', { PolicyName: 'TooBig', EffectScope: 'RAM', PolicyDocument: big }),
      'InvalidParameter.PolicyDocument.Length',
      409,
    );
    const withPrincipal = JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Deny', Action: 'ecs:*', Resource: '*', Principal: { RAM: ['*'] } }],
    });
    await expectFailure(
      rmCall(rm, 'CreateControlPolicy', {
        PolicyName: 'WithPrincipal',
        EffectScope: 'RAM',
        PolicyDocument: withPrincipal,
      }),
      'MalformedPolicyDocument',
      400,
    );
    await expectFailure(
      rmCall(rm, 'CreateControlPolicy', {
        PolicyName: 'Scope',
        EffectScope: 'Everything',
        PolicyDocument: doc('Deny', 'ecs:*'),
      }),
      'InvalidParameter.EffectScope',
      400,
    );
    await expectFailure(
      rmCall(rm, 'CreateControlPolicy', {
        PolicyName: 'Guardrail',
        EffectScope: 'RAM',
        PolicyDocument: doc('Deny', 'ecs:*'),
      }),
      'EntityAlreadyExists.ControlPolicy',
      409,
    );
    await expectFailure(
      rmCall(rm, 'UpdateControlPolicy', { PolicyId: 'cp-FullAliyunAccess', NewPolicyName: 'Mine' }),
      'InvalidOperation.SystemControlPolicy',
      400,
    );
    await expectFailure(
      rmCall(rm, 'GetControlPolicy', { PolicyId: 'cp-nothing' }),
      'EntityNotExists.ControlPolicy',
      404,
    );
    expect((await rmCall(rm, 'ListControlPolicies', { PolicyType: 'Custom' })).TotalCount).toBe(before);
    const system = await rmCall(rm, 'GetControlPolicy', { PolicyId: 'cp-FullAliyunAccess' });
    expect(JSON.parse(system.ControlPolicy.PolicyDocument)).toEqual(JSON.parse(doc('Allow', '*')));
  });

  it('cross-account role: a RAM user of the management account acts in the member, bounded by its control policies', async () => {
    const memberRam = ramClient(server, memberAdmin);
    const roleName = uniq('FromMaster');
    await call(memberRam, 'CreateRole', {
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { RAM: [`acs:ram::${server.accountId}:root`] },
          },
        ],
      }),
    });
    await call(memberRam, 'AttachPolicyToRole', {
      PolicyType: 'System',
      PolicyName: 'AdministratorAccess',
      RoleName: roleName,
    });
    const otherRole = uniq('Stranger');
    await call(memberRam, 'CreateRole', {
      RoleName: otherRole,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { RAM: ['acs:ram::1111222233334444:root'] },
          },
        ],
      }),
    });

    // A RAM user of the management account allowed sts:AssumeRole only.
    const rootRam = ramClient(server, rootKeys(server));
    const dev = uniq('dev');
    await call(rootRam, 'CreateUser', { UserName: dev });
    const pol = uniq('assume');
    await call(rootRam, 'CreatePolicy', { PolicyName: pol, PolicyDocument: doc('Allow', 'sts:AssumeRole') });
    await call(rootRam, 'AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: pol, UserName: dev });
    const k = await call(rootRam, 'CreateAccessKey', { UserName: dev });
    const devKeys = { accessKeyId: k.AccessKey.AccessKeyId, accessKeySecret: k.AccessKey.AccessKeySecret };

    const session = await assumeRole(server, devKeys, {
      RoleArn: `acs:ram::${memberId}:role/${roleName}`,
      RoleSessionName: 'dev-session',
    });
    const keys = sessionKeys(session);
    const id = await callerIdentity(server, keys);
    expect(id.AccountId).toBe(memberId);
    expect(id.Arn).toBe(`acs:ram::${memberId}:assumed-role/${roleName}/dev-session`);
    expect(await outcome(keys, 'CreateGroup', { GroupName: uniq('g') })).toBe('OK');

    // The session is bounded by the member's control policies (its folder lists read-only).
    const ro = (
      await rmCall(rm, 'ListControlPolicies', { PolicyType: 'Custom' })
    ).ControlPolicies.ControlPolicy.find((p: Json) => p.PolicyName === 'ReadOnlyRam');
    await rmCall(rm, 'AttachControlPolicy', { PolicyId: ro.PolicyId, TargetId: prodFolder });
    await rmCall(rm, 'DetachControlPolicy', { PolicyId: 'cp-FullAliyunAccess', TargetId: prodFolder });
    expect(await policyTypeOfDenial(keys, 'CreateGroup', { GroupName: uniq('g') })).toEqual({
      code: 'NoPermission',
      policyType: 'ControlPolicy',
    });
    expect(await outcome(keys, 'ListGroups')).toBe('OK');
    // The refusal names the session in the member account.
    const refused = await failure(call(ramClient(server, keys), 'CreateGroup', { GroupName: uniq('g') }));
    expect(refused.data.AccessDeniedDetail).toMatchObject({
      AuthPrincipalOwnerId: memberId,
      AuthPrincipalType: 'AssumedRoleUser',
      AuthPrincipalDisplayName: `${roleName}:dev-session`,
      NoPermissionType: 'ImplicitDeny',
      PolicyType: 'ControlPolicy',
    });

    // ... and by its session policy.
    const narrowed = await assumeRole(server, devKeys, {
      RoleArn: `acs:ram::${memberId}:role/${roleName}`,
      RoleSessionName: 'narrow',
      Policy: doc('Allow', 'ram:ListUsers'),
    });
    expect(await outcome(sessionKeys(narrowed), 'ListUsers')).toBe('OK');
    expect(await outcome(sessionKeys(narrowed), 'ListGroups')).toBe('NoPermission');

    // Without a trust path, nothing in the member, whatever the user's own policies say.
    const stranger = await expectFailure(
      assumeRole(server, masterAdmin, {
        RoleArn: `acs:ram::${memberId}:role/${otherRole}`,
        RoleSessionName: 'stranger',
      }),
      'NoPermission',
      403,
    );
    // The refusal names the caller in the management account and the trust policy of the member's role.
    expect(stranger.data.AccessDeniedDetail).toMatchObject({
      AuthPrincipalOwnerId: server.accountId,
      PolicyType: 'AssumeRolePolicy',
    });
  });

  it('removing a member ends the directory\u2019s hold on it; the management account stays', async () => {
    await expectFailure(
      rmCall(rm, 'RemoveCloudAccount', { AccountId: server.accountId }),
      'InvalidOperation.ManagementAccount',
      400,
    );
    expect(await outcome(memberAdmin, 'CreateUser', { UserName: uniq('u') })).toBe('NoPermission');
    await rmCall(rm, 'RemoveCloudAccount', { AccountId: memberId });
    expect(await outcome(memberAdmin, 'CreateUser', { UserName: uniq('u') })).toBe('OK');
    await expectFailure(rmCall(rm, 'GetAccount', { AccountId: memberId }), 'EntityNotExists.Account', 404);
  });

  it('a member account is not the management account: directory operations are refused', async () => {
    await expectFailure(
      rmCall(rmClient(server, memberAdmin), 'ListAccounts', {}),
      'EntityNotExists.ResourceDirectory',
      404,
    );
    await expectFailure(rmCall(rm, 'DeleteAccount', { AccountId: memberId }), 'UnsupportedOperation', 400);
  });
});
