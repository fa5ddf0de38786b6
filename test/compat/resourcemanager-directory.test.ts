/**
 * The Resource Directory through the official clients against a real server process, on both
 * stores: the directory, folders (five levels at most), member accounts that are full accounts
 * reached through ResourceDirectoryAccountAccessRole, control policies (deny-list and allow-list,
 * inheritance through folders, the management account exempt) enforced on the next request
 * after every change, cross-account roles, and bad input refused with nothing changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  popClient,
  ramClient,
  rootKeys,
  startServer,
  type KeyPair,
  type TestServer,
} from '../helpers/server.js';
import { STORES, call, expectFailure, failure, popCall, popFailure, uniq, type Json } from './ram-helpers.js';
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

  it('attaching, detaching and moving are authorized on both resources they join', async () => {
    const root = ramClient(server, rootKeys(server));
    const guard = await rmCall(rm, 'CreateControlPolicy', {
      PolicyName: uniq('Guard'),
      EffectScope: 'RAM',
      PolicyDocument: GUARDRAIL,
    });
    const guardId: string = guard.ControlPolicy.PolicyId;
    const arn = (r: string) => `acs:resourcemanager::${server.accountId}:${r}`;
    const name = uniq('ops');
    await call(root, 'CreateUser', { UserName: name });
    const grant = async (resources: string[]) => {
      const policyName = uniq('rd-ops');
      const statement = (action: string) => ({ Effect: 'Allow', Action: action, Resource: resources });
      await call(root, 'CreatePolicy', {
        PolicyName: policyName,
        PolicyDocument: JSON.stringify({
          Version: '1',
          Statement: ['AttachControlPolicy', 'DetachControlPolicy', 'MoveAccount'].map((a) =>
            statement(`resourcemanager:${a}`),
          ),
        }),
      });
      await call(root, 'AttachPolicyToUser', {
        PolicyType: 'Custom',
        PolicyName: policyName,
        UserName: name,
      });
    };
    const key = (await call(root, 'CreateAccessKey', { UserName: name })).AccessKey;
    const ops = rmClient(server, { accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret });
    const attached = async () =>
      (
        await rmCall(rm, 'ListControlPolicyAttachmentsForTarget', { TargetId: prodFolder })
      ).ControlPolicyAttachments.ControlPolicyAttachment.map((a: Json) => a.PolicyId);
    const before = await attached();

    // Allowed on the folder and the account only: no policy may be attached there, and the
    // account may not be moved to a folder the grant does not name.
    await grant([arn(`folder/${prodFolder}`), arn(`account/${memberId}`)]);
    await expectFailure(
      rmCall(ops, 'AttachControlPolicy', { PolicyId: guardId, TargetId: prodFolder }),
      'NoPermission',
      403,
    );
    await expectFailure(
      rmCall(ops, 'MoveAccount', { AccountId: memberId, DestinationFolderId: directory.RootFolderId }),
      'NoPermission',
      403,
    );
    expect(await attached()).toEqual(before);
    expect((await rmCall(rm, 'GetAccount', { AccountId: memberId })).Account.FolderId).toBe(prodFolder);

    // Allowed on the policy and the destination as well: both go through.
    await grant([arn(`controlpolicy/${guardId}`), arn(`folder/${directory.RootFolderId}`)]);
    await rmCall(ops, 'AttachControlPolicy', { PolicyId: guardId, TargetId: prodFolder });
    expect(await attached()).toEqual([...before, guardId].sort());
    await rmCall(ops, 'DetachControlPolicy', { PolicyId: guardId, TargetId: prodFolder });
    expect(await attached()).toEqual(before);
    await rmCall(ops, 'MoveAccount', { AccountId: memberId, DestinationFolderId: directory.RootFolderId });
    // Back to Prod: allowed, the grant names both.
    await rmCall(ops, 'MoveAccount', { AccountId: memberId, DestinationFolderId: prodFolder });
    expect((await rmCall(rm, 'GetAccount', { AccountId: memberId })).Account.FolderId).toBe(prodFolder);
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

  it('RemoveCloudAccount refuses the management account and a member the directory created, which stays bound', async () => {
    await expectFailure(
      rmCall(rm, 'RemoveCloudAccount', { AccountId: server.accountId }),
      'InvalidOperation.ManagementAccount',
      400,
    );
    expect(await outcome(memberAdmin, 'CreateUser', { UserName: uniq('u') })).toBe('NoPermission');
    // Only invited members (CloudAccount) leave (resourcemanager-invitations.test.ts): a created
    // one has no owner of its own, and out of the directory nothing would bound it.
    await expectFailure(
      rmCall(rm, 'RemoveCloudAccount', { AccountId: memberId }),
      'AccountTypeOrStatusMismatch',
      409,
      /ResourceAccount/,
    );
    expect((await rmCall(rm, 'GetAccount', { AccountId: memberId })).Account).toMatchObject({
      Type: 'ResourceAccount',
      FolderId: prodFolder,
    });
    expect(await outcome(memberAdmin, 'CreateUser', { UserName: uniq('u') })).toBe('NoPermission');
    const attached = await rmCall(rm, 'ListControlPolicyAttachmentsForTarget', { TargetId: memberId });
    expect(attached.ControlPolicyAttachments.ControlPolicyAttachment.map((a: Json) => a.PolicyId)).toEqual([
      'cp-FullAliyunAccess',
    ]);
  });

  it('a member account is not the management account: directory operations are refused', async () => {
    // Out of the read-only folder, so that its administrator's requests reach the directory.
    await rmCall(rm, 'MoveAccount', { AccountId: memberId, DestinationFolderId: directory.RootFolderId });
    await expectFailure(
      rmCall(rmClient(server, memberAdmin), 'ListAccounts', {}),
      'EntityNotExists.ResourceDirectory',
      404,
    );
    await expectFailure(rmCall(rm, 'DeleteAccount', { AccountId: memberId }), 'UnsupportedOperation', 400);
  });

  it('a member decodes a refusal by a control policy: the policy and its node, never its statements or conditions', async () => {
    const diag = (await rmCall(rm, 'CreateFolder', { FolderName: 'Diag' })).Folder.FolderId;
    await rmCall(rm, 'MoveAccount', { AccountId: memberId, DestinationFolderId: diag });
    const guard = await rmCall(rm, 'CreateControlPolicy', {
      PolicyName: 'NoGroupsUnlessExempt',
      EffectScope: 'RAM',
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Sid: 'SecretGuardSid',
            Effect: 'Deny',
            Action: 'ram:CreateGroup',
            Resource: '*',
            Condition: { StringNotLike: { 'acs:PrincipalARN': 'acs:ram:*:*:role/ExemptOpsRole' } },
          },
        ],
      }),
    });
    await rmCall(rm, 'AttachControlPolicy', { PolicyId: guard.ControlPolicy.PolicyId, TargetId: diag });
    const decode = async (refused: Json) =>
      (
        await popCall(server, memberAdmin, 'DecodeDiagnosticMessage', {
          EncodedDiagnosticMessage: refused.data.AccessDeniedDetail.EncodedDiagnosticMessage,
          IncludeExplanation: 'true',
        })
      ).DecodedDiagnosticMessage;

    const denied = await failure(
      call(ramClient(server, memberAdmin), 'CreateGroup', { GroupName: uniq('g') }),
    );
    expect(denied.data.AccessDeniedDetail).toMatchObject({
      NoPermissionType: 'ExplicitDeny',
      PolicyType: 'ControlPolicy',
    });
    const explicit = await decode(denied);
    expect(explicit.MatchedPolicies).toEqual([
      {
        PolicyIdentifier: 'NoGroupsUnlessExempt',
        PolicyType: 'Custom',
        PolicyVersion: '',
        Effect: 'Deny',
        AttachedEntityType: 'ResourceDirectory',
        AttachedScope: `folder:${diag}`,
        Matched: true,
        Explanation: explicit.Explanation,
      },
    ]);
    expect(explicit.Explanation).toContain(
      `control policy "NoGroupsUnlessExempt" (Custom) attached to folder ${diag}`,
    );
    expect(JSON.stringify(explicit)).not.toMatch(/SecretGuardSid|ExemptOpsRole/);

    // An allow-list with a condition: the level that did not allow is named, not its condition.
    const office = await rmCall(rm, 'CreateControlPolicy', {
      PolicyName: 'OfficeNetworkOnly',
      EffectScope: 'RAM',
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Sid: 'SecretOfficeSid',
            Effect: 'Allow',
            Action: '*',
            Resource: '*',
            Condition: { IpAddress: { 'acs:SourceIp': '10.88.0.0/16' } },
          },
          // The member may still read why it was refused.
          { Effect: 'Allow', Action: 'ram:DecodeDiagnosticMessage', Resource: '*' },
        ],
      }),
    });
    await rmCall(rm, 'AttachControlPolicy', { PolicyId: office.ControlPolicy.PolicyId, TargetId: diag });
    await rmCall(rm, 'DetachControlPolicy', { PolicyId: 'cp-FullAliyunAccess', TargetId: diag });
    const implicit = await decode(await failure(call(ramClient(server, memberAdmin), 'ListUsers', {})));
    expect(implicit).toMatchObject({ ExplicitDeny: false, NoPermissionPolicyType: 'ControlPolicy' });
    expect(implicit.MatchedPolicies).toEqual([
      expect.objectContaining({
        PolicyIdentifier: 'OfficeNetworkOnly',
        AttachedEntityType: 'ResourceDirectory',
        AttachedScope: `folder:${diag}`,
        Matched: false,
      }),
    ]);
    expect(implicit.MatchedPolicies[0]).not.toHaveProperty('StatementIndex');
    expect(implicit.MatchedPolicies[0]).not.toHaveProperty('StatementSid');
    expect(implicit.Explanation).toContain(`no control policy attached to folder ${diag} allowed it`);
    expect(JSON.stringify(implicit)).not.toMatch(/SecretOfficeSid|10\.88/);
    // Without IncludeExplanation the policy is named with its node too.
    const plain = (
      await popCall(server, memberAdmin, 'DecodeDiagnosticMessage', {
        EncodedDiagnosticMessage: (await failure(call(ramClient(server, memberAdmin), 'ListUsers', {}))).data
          .AccessDeniedDetail.EncodedDiagnosticMessage,
      })
    ).DecodedDiagnosticMessage;
    expect(JSON.stringify(plain)).not.toMatch(/SecretOfficeSid|10\.88/);

    await rmCall(rm, 'MoveAccount', { AccountId: memberId, DestinationFolderId: directory.RootFolderId });
  });

  it('an id that no id can be (a control character, NUL included) is InvalidParameter.<Name> on every store', async () => {
    const badIds = [
      'fd-\u0000abc',
      `${memberId}\u0000`,
      'r-\tabc',
      'cp-\u0085x',
      'fd- abc',
      'fd-\u00e9t\u00e9',
    ];
    const cases: [string, (id: string) => Record<string, unknown>, string][] = [
      ['GetFolder', (id) => ({ FolderId: id }), 'FolderId'],
      ['UpdateFolder', (id) => ({ FolderId: id, NewFolderName: 'Renamed' }), 'FolderId'],
      ['ListFoldersForParent', (id) => ({ ParentFolderId: id }), 'ParentFolderId'],
      ['ListAccountsForParent', (id) => ({ ParentFolderId: id }), 'ParentFolderId'],
      ['ListAncestors', (id) => ({ ChildId: id }), 'ChildId'],
      ['GetAccount', (id) => ({ AccountId: id }), 'AccountId'],
      ['RemoveCloudAccount', (id) => ({ AccountId: id }), 'AccountId'],
      ['MoveAccount', (id) => ({ AccountId: memberId, DestinationFolderId: id }), 'DestinationFolderId'],
      ['GetControlPolicy', (id) => ({ PolicyId: id }), 'PolicyId'],
      ['AttachControlPolicy', (id) => ({ PolicyId: 'cp-FullAliyunAccess', TargetId: id }), 'TargetId'],
      ['GetHandshake', (id) => ({ HandshakeId: id }), 'HandshakeId'],
    ];
    for (const id of badIds) {
      for (const [action, params, name] of cases) {
        const f = await failure(rmCall(rm, action, params(id)));
        expect([action, JSON.stringify(id), f.code, f.status]).toEqual([
          action,
          JSON.stringify(id),
          `InvalidParameter.${name}`,
          400,
        ]);
      }
    }
    // A well-formed id that names nothing is still the entity's 404.
    await expectFailure(
      rmCall(rm, 'GetFolder', { FolderId: 'fd-nothing000' }),
      'EntityNotExists.Folder',
      404,
    );
    await expectFailure(
      rmCall(rm, 'GetAccount', { AccountId: '1234567890123456' }),
      'EntityNotExists.Account',
      404,
    );
    expect((await rmCall(rm, 'GetAccount', { AccountId: memberId })).Account.FolderId).toBe(
      directory.RootFolderId,
    );
  });

  it('display names with a control or format character are refused, on creation and update', async () => {
    const count = async () => (await rmCall(rm, 'ListAccounts', { PageSize: 100 })).TotalCount;
    const before = await count();
    const bad = ['a\nb', 'a\tb', 'a\rb', 'a\u0085b', 'ab\u202e', '\u200bab', 'a\u2066b\u2069', 'a\u0000b'];
    for (const name of bad) {
      const created = await failure(rmCall(rm, 'CreateResourceAccount', { DisplayName: name }));
      expect([JSON.stringify(name), created.code, created.status]).toEqual([
        JSON.stringify(name),
        'InvalidParameter.DisplayName',
        400,
      ]);
      const updated = await failure(
        rmCall(rm, 'UpdateAccount', { AccountId: memberId, NewDisplayName: name }),
      );
      expect([JSON.stringify(name), updated.code, updated.status]).toEqual([
        JSON.stringify(name),
        'InvalidParameter.NewDisplayName',
        400,
      ]);
    }
    expect(await count()).toBe(before);
    expect((await rmCall(rm, 'GetAccount', { AccountId: memberId })).Account.DisplayName).toBe('Prod app');
    // Letters of any script and inner spaces are fine.
    await rmCall(rm, 'UpdateAccount', { AccountId: memberId, NewDisplayName: 'Équipe prod 1' });
    await rmCall(rm, 'UpdateAccount', { AccountId: memberId, NewDisplayName: 'Prod app' });
  });

  it('ListAccounts and ListAccountsForParent apply a Tag.N filter: members carry no tags, so it matches none', async () => {
    const all = await rmCall(rm, 'ListAccounts', { PageSize: 100 });
    expect(all.TotalCount).toBeGreaterThan(1);
    const inProd = await rmCall(rm, 'ListAccountsForParent', { ParentFolderId: prodFolder });
    expect(inProd.TotalCount).toBe(0);
    await rmCall(rm, 'MoveAccount', { AccountId: memberId, DestinationFolderId: prodFolder });
    expect((await rmCall(rm, 'ListAccountsForParent', { ParentFolderId: prodFolder })).TotalCount).toBe(1);
    for (const Tag of [[{ Key: 'nope' }], [{ Key: 'env', Value: 'prod' }, { Key: 'team' }]]) {
      const listed = await rmCall(rm, 'ListAccounts', { PageSize: 100, Tag });
      expect([Tag, listed.TotalCount, listed.Accounts.Account]).toEqual([Tag, 0, []]);
      const under = await rmCall(rm, 'ListAccountsForParent', { ParentFolderId: prodFolder, Tag });
      expect([Tag, under.TotalCount, under.Accounts.Account]).toEqual([Tag, 0, []]);
    }
    // The folder is still checked; a malformed filter is refused, not ignored.
    await expectFailure(
      rmCall(rm, 'ListAccountsForParent', { ParentFolderId: 'fd-nothing000', Tag: [{ Key: 'env' }] }),
      'EntityNotExists.Folder',
      404,
    );
    const rmPop = popClient(server, rootKeys(server), '2020-03-31');
    for (const params of [{ 'Tag.1.Value': 'prod' }, { Tag: '[{"Key":"env"}]' }, { 'Tag.x.Key': 'env' }]) {
      const f = await popFailure(rmPop.request('ListAccounts', params, { method: 'POST' }));
      expect([params, f.code, f.status]).toEqual([params, 'InvalidParameter', 400]);
    }
  });

  it('AccountNamePrefix is taken lower-case, as SetAccountAlias does; a bad one is refused by its own name', async () => {
    const count = async () => (await rmCall(rm, 'ListAccounts', { PageSize: 100 })).TotalCount;
    const before = await count();
    const cases: [string, string][] = [
      ['a', 'InvalidParameter.AccountNamePrefix.Length'],
      ['x'.repeat(33), 'InvalidParameter.AccountNamePrefix.Length'],
      ['my_prefix', 'InvalidParameter.AccountNamePrefix.Format'],
      ['my.prefix', 'InvalidParameter.AccountNamePrefix.Format'],
      ['-prefix', 'InvalidParameter.AccountNamePrefix.Format'],
      ['my--prefix', 'InvalidParameter.AccountNamePrefix.Format'],
    ];
    for (const [prefix, code] of cases) {
      const f = await failure(
        rmCall(rm, 'CreateResourceAccount', { DisplayName: 'Prefixed', AccountNamePrefix: prefix }),
      );
      expect([prefix, f.code, f.status]).toEqual([prefix, code, 400]);
      expect(f.message).toContain('"AccountNamePrefix"');
    }
    expect(await count()).toBe(before);
    const prefix = `Team-${uniq('Pay').slice(4)}`;
    const created = await rmCall(rm, 'CreateResourceAccount', {
      DisplayName: 'Prefixed',
      AccountNamePrefix: prefix,
    });
    expect(created.Account.AccountName).toBe(`root@${prefix.toLowerCase()}.onaliyun.com`);
    expect(await count()).toBe(before + 1);
    // The alias is the prefix: in any case, a second account cannot have it.
    await expectFailure(
      rmCall(rm, 'CreateResourceAccount', { DisplayName: 'Again', AccountNamePrefix: prefix.toUpperCase() }),
      'EntityAlreadyExists.AccountAlias',
      409,
    );
  });
});
