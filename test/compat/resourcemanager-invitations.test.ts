/**
 * Resource Directory invitations and delegated administrators, through the official client
 * (@alicloud/resourcemanager20200331) against a real server on both stores: an existing
 * account is invited, sees the invitation, accepts it, and from its next request on its RAM
 * users and role sessions are bounded by the control policy at Root; declined, cancelled and
 * refused invitations change nothing; a delegated administrator of resourcemanager.aliyuncs.com
 * reads the directory and nothing more; an invited member leaves the directory, a created one
 * cannot. The accounts to invite exist outside any directory, which no API makes (a member the
 * directory created never leaves it), so the server runs in-process and the test makes them.
 * Expiry, races and the atomic CreateResourceAccount: resourcemanager-invitations-clock.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, type KeyPair } from '../helpers/server.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { STORES, TRUST_ACCOUNT, call, expectFailure, failure, uniq, type Json } from './ram-helpers.js';
import { rmCall, rmClient, type RmClient } from './resourcemanager-helpers.js';
import { assumeRole, sessionKeys } from './sts-helpers.js';

const ACCESS_ROLE = 'ResourceDirectoryAccountAccessRole';

describe.each(STORES)('Resource Directory invitations on %s', (store) => {
  let server: InProcessServer;
  let root: KeyPair;
  let rm: RmClient;
  let directory: Json;
  /** Standalone accounts (outside any directory) and their administrators. */
  const standalone: { id: string; alias: string; admin: KeyPair }[] = [];
  /** A member created in the directory and its administrator. */
  let memberId: string;
  let memberAdmin: KeyPair;
  let guardrailId: string;

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

  /** An administrator of a member, made through its access role. */
  async function adminOf(accountId: string): Promise<KeyPair> {
    const session = sessionKeys(
      await assumeRole(server, root, {
        RoleArn: `acs:ram::${accountId}:role/${ACCESS_ROLE}`,
        RoleSessionName: 'setup',
      }),
    );
    return adminUser(session);
  }

  async function outcome(keys: KeyPair, action: string, params: Record<string, unknown> = {}) {
    try {
      await call(ramClient(server, keys), action, params);
      return 'OK';
    } catch (e) {
      return (e as { code?: string }).code ?? String(e);
    }
  }

  const handshakesOfDirectory = async () =>
    (await rmCall(rm, 'ListHandshakesForResourceDirectory', { PageSize: 100 })).Handshakes
      .Handshake as Json[];

  beforeAll(async () => {
    server = await startInProcessServer({ store });
    root = { accessKeyId: server.rootAccessKeyId, accessKeySecret: server.rootAccessKeySecret };
    rm = rmClient(server, root);
    directory = (await rmCall(rm, 'EnableResourceDirectory', { EnableMode: 'CurrentAccount' }))
      .ResourceDirectory;
    await rmCall(rm, 'EnableControlPolicy');
    guardrailId = (
      await rmCall(rm, 'CreateControlPolicy', {
        PolicyName: 'NoNewGroups',
        EffectScope: 'RAM',
        PolicyDocument: JSON.stringify({
          Version: '1',
          Statement: [{ Effect: 'Deny', Action: 'ram:CreateGroup', Resource: '*' }],
        }),
      })
    ).ControlPolicy.PolicyId;
    await rmCall(rm, 'AttachControlPolicy', { PolicyId: guardrailId, TargetId: directory.RootFolderId });
    for (let i = 0; i < 3; i++) {
      const alias = uniq('acct').toLowerCase();
      const accounts = server.deployment.domain.accounts;
      const { accountId: id } = await accounts.create({ alias, rootPassword: 'Standalone#Account-2026' });
      const admin = await adminUser(await accounts.createRootAccessKey(id));
      standalone.push({ id, alias, admin });
    }
    memberId = (await rmCall(rm, 'CreateResourceAccount', { DisplayName: 'Member one' })).Account.AccountId;
    memberAdmin = await adminOf(memberId);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('invites by account id; both sides see the pending invitation; accepting binds the account on its next request', async () => {
    const [a] = standalone;
    const asA = rmClient(server, a!.admin);
    // Not yet in any directory: its administrator, and a role session it opens now, may create groups.
    expect(await outcome(a!.admin, 'CreateGroup', { GroupName: uniq('g') })).toBe('OK');
    const ramA = ramClient(server, a!.admin);
    await call(ramA, 'CreateRole', { RoleName: 'Operator', AssumeRolePolicyDocument: TRUST_ACCOUNT(a!.id) });
    await call(ramA, 'AttachPolicyToRole', {
      PolicyType: 'System',
      PolicyName: 'AdministratorAccess',
      RoleName: 'Operator',
    });
    const operator = sessionKeys(
      await assumeRole(server, a!.admin, {
        RoleArn: `acs:ram::${a!.id}:role/Operator`,
        RoleSessionName: 'before-joining',
      }),
    );
    expect(await outcome(operator, 'CreateGroup', { GroupName: uniq('g') })).toBe('OK');
    const invited = (
      await rmCall(rm, 'InviteAccountToResourceDirectory', {
        TargetType: 'Account',
        TargetEntity: a!.id,
        Note: 'Welcome aboard',
      })
    ).Handshake;
    expect(invited).toMatchObject({
      Status: 'Pending',
      TargetType: 'Account',
      TargetEntity: a!.id,
      Note: 'Welcome aboard',
      MasterAccountId: server.accountId,
      ResourceDirectoryId: directory.ResourceDirectoryId,
    });
    expect(invited.HandshakeId).toMatch(/^h-/);
    expect(Date.parse(invited.ExpireTime) - Date.parse(invited.CreateTime)).toBe(14 * 24 * 3600 * 1000);

    const mine = (await rmCall(asA, 'ListHandshakesForAccount')).Handshakes.Handshake as Json[];
    expect(mine.map((h) => [h.HandshakeId, h.Status])).toEqual([[invited.HandshakeId, 'Pending']]);
    expect((await handshakesOfDirectory()).map((h) => h.HandshakeId)).toContain(invited.HandshakeId);
    const got = (await rmCall(asA, 'GetHandshake', { HandshakeId: invited.HandshakeId })).Handshake;
    expect(got).toMatchObject({ Status: 'Pending', MasterAccountRealName: expect.any(String) });

    const accepted = (await rmCall(asA, 'AcceptHandshake', { HandshakeId: invited.HandshakeId })).Handshake;
    expect(accepted.Status).toBe('Accepted');
    const member = (await rmCall(rm, 'GetAccount', { AccountId: a!.id })).Account;
    expect(member).toMatchObject({
      AccountId: a!.id,
      FolderId: directory.RootFolderId,
      JoinMethod: 'invited',
      Type: 'CloudAccount',
      Status: 'InviteSuccess',
      DisplayName: a!.alias,
    });
    // FullAliyunAccess is attached to the new member; the deny at Root now holds.
    const attached = await rmCall(rm, 'ListControlPolicyAttachmentsForTarget', { TargetId: a!.id });
    expect(attached.ControlPolicyAttachments.ControlPolicyAttachment.map((p: Json) => p.PolicyId)).toEqual([
      'cp-FullAliyunAccess',
    ]);
    const denied = await failure(call(ramClient(server, a!.admin), 'CreateGroup', { GroupName: uniq('g') }));
    expect([denied.code, denied.data?.AccessDeniedDetail?.PolicyType]).toEqual([
      'NoPermission',
      'ControlPolicy',
    ]);
    expect(await outcome(a!.admin, 'CreateUser', { UserName: uniq('u') })).toBe('OK');
    // The role session opened before the account joined is bounded too, from its next request.
    expect(await outcome(operator, 'CreateGroup', { GroupName: uniq('g') })).toBe('NoPermission');
    expect(await outcome(operator, 'ListGroups')).toBe('OK');
    // Accepted is final.
    await expectFailure(
      rmCall(asA, 'DeclineHandshake', { HandshakeId: invited.HandshakeId }),
      'HandshakeStatusMismatch',
      409,
    );
    await expectFailure(
      rmCall(rm, 'CancelHandshake', { HandshakeId: invited.HandshakeId }),
      'HandshakeStatusMismatch',
      409,
    );
  });

  it('invites by root logon name (any case); declining leaves the account outside', async () => {
    const b = standalone[1]!;
    const asB = rmClient(server, b.admin);
    const h = (
      await rmCall(rm, 'InviteAccountToResourceDirectory', {
        TargetType: 'Email',
        TargetEntity: `ROOT@${b.alias.toUpperCase()}.onaliyun.com`,
      })
    ).Handshake;
    expect(h).toMatchObject({ Status: 'Pending', TargetType: 'Email', Note: '' });
    const declined = (await rmCall(asB, 'DeclineHandshake', { HandshakeId: h.HandshakeId })).Handshake;
    expect(declined.Status).toBe('Declined');
    await expectFailure(rmCall(rm, 'GetAccount', { AccountId: b.id }), 'EntityNotExists.Account', 404);
    await expectFailure(
      rmCall(asB, 'AcceptHandshake', { HandshakeId: h.HandshakeId }),
      'HandshakeStatusMismatch',
      409,
    );
    expect(await outcome(b.admin, 'CreateGroup', { GroupName: uniq('g') })).toBe('OK');
    const seen = (await rmCall(rm, 'GetHandshake', { HandshakeId: h.HandshakeId })).Handshake;
    expect(seen.Status).toBe('Declined');
  });

  it('a cancelled invitation can no longer be accepted; a new one can', async () => {
    const b = standalone[1]!;
    const asB = rmClient(server, b.admin);
    const h = (
      await rmCall(rm, 'InviteAccountToResourceDirectory', { TargetType: 'Account', TargetEntity: b.id })
    ).Handshake;
    // The invited account cannot cancel it; only the management account can.
    await expectFailure(
      rmCall(asB, 'CancelHandshake', { HandshakeId: h.HandshakeId }),
      'EntityNotExists.Handshake',
      404,
    );
    const cancelled = (await rmCall(rm, 'CancelHandshake', { HandshakeId: h.HandshakeId })).Handshake;
    expect(cancelled.Status).toBe('Cancelled');
    await expectFailure(
      rmCall(asB, 'AcceptHandshake', { HandshakeId: h.HandshakeId }),
      'HandshakeStatusMismatch',
      409,
    );
    await expectFailure(rmCall(rm, 'GetAccount', { AccountId: b.id }), 'EntityNotExists.Account', 404);
    const statuses = (await rmCall(asB, 'ListHandshakesForAccount')).Handshakes.Handshake.map(
      (x: Json) => x.Status,
    );
    expect(statuses.sort()).toEqual(['Cancelled', 'Declined']);
  });

  it('refuses bad invitations with their codes, creating nothing', async () => {
    const before = (await handshakesOfDirectory()).length;
    const c = standalone[2]!;
    const cases: [Record<string, unknown>, string, number][] = [
      [{ TargetType: 'Account', TargetEntity: '1234567890123456' }, 'InvalidParameter.TargetEntity', 400],
      [{ TargetType: 'Account', TargetEntity: 'not-an-id' }, 'InvalidParameter.TargetEntity', 400],
      [
        { TargetType: 'Email', TargetEntity: 'root@nobody-here.onaliyun.com' },
        'InvalidParameter.TargetEntity',
        400,
      ],
      [{ TargetType: 'Email', TargetEntity: 'someone@example.com' }, 'InvalidParameter.TargetEntity', 400],
      [{ TargetType: 'Phone', TargetEntity: c.id }, 'InvalidParameter.TargetType', 400],
      [{ TargetType: 'Account', TargetEntity: server.accountId }, 'InvalidOperation.ManagementAccount', 400],
      [{ TargetType: 'Account', TargetEntity: memberId }, 'EntityAlreadyExists.ResourceDirectory', 409],
      [
        { TargetType: 'Account', TargetEntity: standalone[0]!.id },
        'EntityAlreadyExists.ResourceDirectory',
        409,
      ],
      [{ TargetType: 'Account', TargetEntity: c.id, Note: 'x'.repeat(1025) }, 'InvalidParameter', 400],
      [
        { TargetType: 'Account', TargetEntity: c.id, Note: 'a\u0000b' },
        'InvalidParameter.Note.InvalidChars',
        400,
      ],
    ];
    for (const [params, code, status] of cases) {
      const f = await failure(rmCall(rm, 'InviteAccountToResourceDirectory', params));
      expect([params, f.code, f.status]).toEqual([params, code, status]);
    }
    // A member is not a management account.
    await expectFailure(
      rmCall(rmClient(server, memberAdmin), 'InviteAccountToResourceDirectory', {
        TargetType: 'Account',
        TargetEntity: c.id,
      }),
      'EntityNotExists.ResourceDirectory',
      404,
    );
    expect((await handshakesOfDirectory()).length).toBe(before);

    // One pending invitation per account.
    const h = (
      await rmCall(rm, 'InviteAccountToResourceDirectory', { TargetType: 'Account', TargetEntity: c.id })
    ).Handshake;
    await expectFailure(
      rmCall(rm, 'InviteAccountToResourceDirectory', { TargetType: 'Account', TargetEntity: c.id }),
      'EntityAlreadyExists.Handshake',
      409,
    );
    // Addressed to C: no other account reads, accepts or declines it.
    for (const action of ['GetHandshake', 'AcceptHandshake', 'DeclineHandshake']) {
      await expectFailure(
        rmCall(rmClient(server, standalone[1]!.admin), action, { HandshakeId: h.HandshakeId }),
        'EntityNotExists.Handshake',
        404,
      );
    }
    await expectFailure(
      rmCall(rm, 'GetHandshake', { HandshakeId: 'h-doesnotexist0000' }),
      'EntityNotExists.Handshake',
      404,
    );
    expect((await rmCall(rm, 'GetHandshake', { HandshakeId: h.HandshakeId })).Handshake.Status).toBe(
      'Pending',
    );

    // C makes its own directory meanwhile: it can no longer join, and the invitation stays pending.
    const asC = rmClient(server, c.admin);
    await rmCall(asC, 'EnableResourceDirectory', { EnableMode: 'CurrentAccount' });
    await expectFailure(
      rmCall(asC, 'AcceptHandshake', { HandshakeId: h.HandshakeId }),
      'EntityAlreadyExists.ResourceDirectory',
      409,
    );
    expect((await rmCall(asC, 'GetHandshake', { HandshakeId: h.HandshakeId })).Handshake.Status).toBe(
      'Pending',
    );
    await expectFailure(rmCall(rm, 'GetAccount', { AccountId: c.id }), 'EntityNotExists.Account', 404);
    await rmCall(rm, 'CancelHandshake', { HandshakeId: h.HandshakeId });
  });

  it('a delegated administrator of resourcemanager.aliyuncs.com reads the directory, and writes nothing', async () => {
    const asMember = rmClient(server, memberAdmin);
    await expectFailure(rmCall(asMember, 'ListAccounts'), 'EntityNotExists.ResourceDirectory', 404);
    await rmCall(rm, 'RegisterDelegatedAdministrator', {
      AccountId: memberId,
      ServicePrincipal: 'ResourceManager.aliyuncs.com',
    });
    const listed = await rmCall(rm, 'ListDelegatedAdministrators');
    expect(listed.TotalCount).toBe(1);
    expect(listed.Accounts.Account[0]).toMatchObject({
      AccountId: memberId,
      DisplayName: 'Member one',
      JoinMethod: 'created',
      ServicePrincipal: 'resourcemanager.aliyuncs.com',
    });
    const services = await rmCall(rm, 'ListDelegatedServicesForAccount', { AccountId: memberId });
    expect(services.DelegatedServices.DelegatedService).toEqual([
      expect.objectContaining({ ServicePrincipal: 'resourcemanager.aliyuncs.com', Status: 'ENABLED' }),
    ]);

    // From its next request on, the member reads the directory as the management account does.
    const accounts = await rmCall(asMember, 'ListAccounts', { PageSize: 100 });
    expect(accounts.Accounts.Account.map((a: Json) => a.AccountId)).toEqual(
      expect.arrayContaining([server.accountId, memberId, standalone[0]!.id]),
    );
    expect((await rmCall(asMember, 'GetAccount', { AccountId: standalone[0]!.id })).Account.JoinMethod).toBe(
      'invited',
    );
    expect((await rmCall(asMember, 'GetFolder', { FolderId: directory.RootFolderId })).Folder.FolderId).toBe(
      directory.RootFolderId,
    );
    await rmCall(asMember, 'ListFoldersForParent');
    expect((await rmCall(asMember, 'ListAncestors', { ChildId: memberId })).Folders.Folder).toHaveLength(1);
    const policies = await rmCall(asMember, 'ListControlPolicies', { PolicyType: 'Custom' });
    expect(policies.ControlPolicies.ControlPolicy.map((p: Json) => p.PolicyId)).toEqual([guardrailId]);
    expect(
      (await rmCall(asMember, 'GetControlPolicy', { PolicyId: guardrailId })).ControlPolicy.PolicyDocument,
    ).toContain('ram:CreateGroup');
    expect((await rmCall(asMember, 'GetControlPolicyEnablementStatus')).EnablementStatus).toBe('Enabled');
    await rmCall(asMember, 'ListControlPolicyAttachmentsForTarget', { TargetId: directory.RootFolderId });
    await rmCall(asMember, 'ListTargetAttachmentsForControlPolicy', { PolicyId: guardrailId });
    const seenByMember = (await rmCall(asMember, 'ListHandshakesForResourceDirectory')).Handshakes
      .Handshake as Json[];
    expect(seenByMember.length).toBeGreaterThan(0);
    const one = seenByMember[0]!.HandshakeId;
    expect((await rmCall(asMember, 'GetHandshake', { HandshakeId: one })).Handshake.HandshakeId).toBe(one);
    await rmCall(asMember, 'ListDelegatedAdministrators');

    // Writes stay with the management account.
    const writes: [string, Record<string, unknown>][] = [
      ['CreateFolder', { FolderName: 'Sneaky' }],
      ['DetachControlPolicy', { PolicyId: guardrailId, TargetId: directory.RootFolderId }],
      ['DisableControlPolicy', {}],
      ['InviteAccountToResourceDirectory', { TargetType: 'Account', TargetEntity: standalone[1]!.id }],
      ['RegisterDelegatedAdministrator', { AccountId: memberId, ServicePrincipal: 'cloudfw.aliyuncs.com' }],
      ['RemoveCloudAccount', { AccountId: standalone[0]!.id }],
    ];
    for (const [action, params] of writes) {
      const f = await failure(rmCall(asMember, action, params));
      expect([action, f.code]).toEqual([action, 'EntityNotExists.ResourceDirectory']);
    }
    expect((await rmCall(rm, 'GetAccount', { AccountId: standalone[0]!.id })).Account.AccountId).toBe(
      standalone[0]!.id,
    );

    // Its own RAM policies still decide: a user of the member without resourcemanager:* gets nothing.
    const client = ramClient(server, memberAdmin);
    const plain = uniq('plain');
    await call(client, 'CreateUser', { UserName: plain });
    const k = await call(client, 'CreateAccessKey', { UserName: plain });
    await expectFailure(
      rmCall(
        rmClient(server, {
          accessKeyId: k.AccessKey.AccessKeyId,
          accessKeySecret: k.AccessKey.AccessKeySecret,
        }),
        'ListAccounts',
      ),
      'NoPermission',
      403,
    );

    // Deregistered: the next request is refused again.
    await rmCall(rm, 'DeregisterDelegatedAdministrator', {
      AccountId: memberId,
      ServicePrincipal: 'resourcemanager.aliyuncs.com',
    });
    await expectFailure(rmCall(asMember, 'ListAccounts'), 'EntityNotExists.ResourceDirectory', 404);
    expect((await rmCall(rm, 'ListDelegatedAdministrators')).TotalCount).toBe(0);

    // Another trusted service is recorded but opens nothing here.
    await rmCall(rm, 'RegisterDelegatedAdministrator', {
      AccountId: memberId,
      ServicePrincipal: 'cloudfw.aliyuncs.com',
    });
    await expectFailure(rmCall(asMember, 'ListAccounts'), 'EntityNotExists.ResourceDirectory', 404);
    const filtered = await rmCall(rm, 'ListDelegatedAdministrators', {
      ServicePrincipal: 'resourcemanager.aliyuncs.com',
    });
    expect(filtered.TotalCount).toBe(0);
    expect(
      (await rmCall(rm, 'ListDelegatedAdministrators', { ServicePrincipal: 'cloudfw.aliyuncs.com' }))
        .TotalCount,
    ).toBe(1);
  });

  it('refuses bad delegated-administrator requests with their codes, changing nothing', async () => {
    const cases: [string, Record<string, unknown>, string, number][] = [
      [
        'RegisterDelegatedAdministrator',
        { AccountId: memberId, ServicePrincipal: 'nope.aliyuncs.com' },
        'InvalidParameter.ServicePrincipal',
        409,
      ],
      [
        'RegisterDelegatedAdministrator',
        { AccountId: standalone[1]!.id, ServicePrincipal: 'resourcemanager.aliyuncs.com' },
        'EntityNotExists.Account',
        404,
      ],
      [
        'RegisterDelegatedAdministrator',
        { AccountId: server.accountId, ServicePrincipal: 'resourcemanager.aliyuncs.com' },
        'InvalidOperation.ManagementAccount',
        400,
      ],
      [
        'RegisterDelegatedAdministrator',
        { AccountId: memberId, ServicePrincipal: 'CLOUDFW.aliyuncs.com' },
        'AccountAlreadyRegistered',
        409,
      ],
      [
        'DeregisterDelegatedAdministrator',
        { AccountId: memberId, ServicePrincipal: 'resourcemanager.aliyuncs.com' },
        'EntityNotExists.DelegatedAdministrator',
        404,
      ],
      [
        'DeregisterDelegatedAdministrator',
        { AccountId: memberId, ServicePrincipal: 'nope.aliyuncs.com' },
        'InvalidParameter.ServicePrincipal',
        409,
      ],
      ['ListDelegatedServicesForAccount', { AccountId: standalone[1]!.id }, 'EntityNotExists.Account', 404],
    ];
    for (const [action, params, code, status] of cases) {
      const f = await failure(rmCall(rm, action, params));
      expect([action, params, f.code, f.status]).toEqual([action, params, code, status]);
    }
    const all = await rmCall(rm, 'ListDelegatedAdministrators');
    expect(all.Accounts.Account.map((a: Json) => [a.AccountId, a.ServicePrincipal])).toEqual([
      [memberId, 'cloudfw.aliyuncs.com'],
    ]);
  });

  it('an invited member leaves the directory, its guardrails and its registrations; a created one cannot', async () => {
    const [a] = standalone;
    expect((await rmCall(rm, 'GetAccount', { AccountId: a!.id })).Account.Type).toBe('CloudAccount');
    await rmCall(rm, 'RegisterDelegatedAdministrator', {
      AccountId: a!.id,
      ServicePrincipal: 'cloudfw.aliyuncs.com',
    });
    expect(await outcome(a!.admin, 'CreateGroup', { GroupName: uniq('g') })).toBe('NoPermission');

    // Created by the directory (ResourceAccount): it stays, bound and registered.
    await expectFailure(
      rmCall(rm, 'RemoveCloudAccount', { AccountId: memberId }),
      'AccountTypeOrStatusMismatch',
      409,
      /ResourceAccount/,
    );
    expect((await rmCall(rm, 'GetAccount', { AccountId: memberId })).Account.Type).toBe('ResourceAccount');
    expect(await outcome(memberAdmin, 'CreateGroup', { GroupName: uniq('g') })).toBe('NoPermission');

    // Invited (CloudAccount): it leaves, no longer bound, no longer a delegated administrator.
    await rmCall(rm, 'RemoveCloudAccount', { AccountId: a!.id });
    await expectFailure(rmCall(rm, 'GetAccount', { AccountId: a!.id }), 'EntityNotExists.Account', 404);
    expect(await outcome(a!.admin, 'CreateGroup', { GroupName: uniq('g') })).toBe('OK');
    const all = await rmCall(rm, 'ListDelegatedAdministrators');
    expect(all.Accounts.Account.map((x: Json) => [x.AccountId, x.ServicePrincipal])).toEqual([
      [memberId, 'cloudfw.aliyuncs.com'],
    ]);
  });
});
