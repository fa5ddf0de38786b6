import { expect, it } from 'vitest';
import { ALLOW_ALL, TRUST, expectApiError, forEachBackend } from './harness.js';
import type { AttachmentTarget } from '../../src/domain/index.js';

forEachBackend('policy attachments', (w) => {
  const targets: [string, 'User' | 'Group' | 'Role', AttachmentTarget][] = [
    ['user', 'User', { kind: 'user', userName: 'T' }],
    ['group', 'Group', { kind: 'group', groupName: 'T' }],
    ['role', 'Role', { kind: 'role', roleName: 'T' }],
  ];

  async function makeTarget(kind: string): Promise<void> {
    const { domain, accountId } = w();
    if (kind === 'user') await domain.users.create(accountId, { userName: 'T' });
    else if (kind === 'group') await domain.groups.create(accountId, { groupName: 'T' });
    else await domain.roles.create(accountId, { roleName: 'T', assumeRolePolicyDocument: TRUST(accountId) });
  }

  it.each(targets)(
    'attaches and detaches System and Custom policies to a %s',
    async (kind, label, target) => {
      const { domain, accountId, clock } = w();
      await makeTarget(kind);
      await domain.policies.create(accountId, {
        policyName: 'Mine',
        policyDocument: ALLOW_ALL,
        description: 'd',
      });
      await domain.attachments.attach(accountId, target, 'System', 'ReadOnlyAccess');
      clock.advance(1000);
      await domain.attachments.attach(accountId, target, 'Custom', 'mine');
      expect(await domain.attachments.listForTarget(accountId, target)).toEqual([
        expect.objectContaining({
          policyName: 'ReadOnlyAccess',
          policyType: 'System',
          defaultVersion: 'v1',
          attachDate: '2026-01-15T10:00:00Z',
        }),
        {
          policyName: 'Mine',
          policyType: 'Custom',
          description: 'd',
          defaultVersion: 'v1',
          attachDate: '2026-01-15T10:00:01Z',
        },
      ]);
      await expectApiError(
        domain.attachments.attach(accountId, target, 'Custom', 'Mine'),
        `EntityAlreadyExists.${label}.Policy`,
        `The policy is already attached to the ${kind}: Mine, T.`,
      );
      await expectApiError(
        domain.attachments.attach(accountId, target, 'Custom', 'ReadOnlyAccess'),
        'EntityNotExist.Policy',
      );
      await expectApiError(
        domain.attachments.attach(accountId, target, 'System', 'NoSuch'),
        'EntityNotExist.Policy',
        'The policy does not exist: NoSuch.',
      );
      await expectApiError(
        domain.attachments.attach(accountId, target, 'Bad' as 'System', 'Mine'),
        'InvalidParameter.PolicyType',
      );
      const entities = await domain.attachments.listEntities(accountId, 'Custom', 'Mine');
      const count = entities.users.length + entities.groups.length + entities.roles.length;
      expect(count).toBe(1);
      expect((await domain.policies.get(accountId, 'Custom', 'Mine')).policy.attachmentCount).toBe(1);
      await domain.attachments.detach(accountId, target, 'Custom', 'Mine');
      await expectApiError(
        domain.attachments.detach(accountId, target, 'Custom', 'Mine'),
        `EntityNotExist.${label}.Policy`,
        `The policy is not attached to the ${kind}: Mine, T.`,
      );
      await domain.attachments.detach(accountId, target, 'System', 'ReadOnlyAccess');
      expect(await domain.attachments.listForTarget(accountId, target)).toEqual([]);
    },
  );

  it.each(targets)(
    'counts System and Custom attachments of a %s separately against their limits',
    async (kind, label, target) => {
      const { domain, accountId } = w();
      await domain.accounts.setQuotas(accountId, {
        systemPoliciesPerIdentity: 1,
        customPoliciesPerIdentity: 2,
      });
      await makeTarget(kind);
      for (const n of ['c1', 'c2', 'c3'])
        await domain.policies.create(accountId, { policyName: n, policyDocument: ALLOW_ALL });
      await domain.attachments.attach(accountId, target, 'System', 'ReadOnlyAccess');
      await expectApiError(
        domain.attachments.attach(accountId, target, 'System', 'AdministratorAccess'),
        `LimitExceeded.${label}.Policy`,
        `The count of System policies attached to the ${kind} beyond the current limits: 1.`,
      );
      await domain.attachments.attach(accountId, target, 'Custom', 'c1');
      await domain.attachments.attach(accountId, target, 'Custom', 'c2');
      await expectApiError(
        domain.attachments.attach(accountId, target, 'Custom', 'c3'),
        `LimitExceeded.${label}.Policy`,
        `The count of Custom policies attached to the ${kind} beyond the current limits: 2.`,
      );
    },
  );

  it('lists the entities a policy is attached to', async () => {
    const { domain, accountId } = w();
    const u = await domain.users.create(accountId, { userName: 'u', displayName: 'U' });
    await domain.groups.create(accountId, { groupName: 'g', comments: 'c' });
    const r = await domain.roles.create(accountId, {
      roleName: 'R',
      assumeRolePolicyDocument: TRUST(accountId),
      description: 'rd',
    });
    for (const t of [
      { kind: 'user', userName: 'u' },
      { kind: 'group', groupName: 'g' },
      { kind: 'role', roleName: 'R' },
    ] as AttachmentTarget[]) {
      await domain.attachments.attach(accountId, t, 'System', 'AdministratorAccess');
    }
    const at = '2026-01-15T10:00:00Z';
    expect(await domain.attachments.listEntities(accountId, 'System', 'AdministratorAccess')).toEqual({
      users: [{ userId: u.userId, userName: 'u', displayName: 'U', attachDate: at }],
      groups: [{ groupName: 'g', comments: 'c', attachDate: at }],
      roles: [
        {
          roleId: r.roleId,
          roleName: 'R',
          arn: `acs:ram::${accountId}:role/r`,
          description: 'rd',
          attachDate: at,
        },
      ],
    });
    expect(
      (await domain.policies.get(accountId, 'System', 'AdministratorAccess')).policy.attachmentCount,
    ).toBe(3);
    await expectApiError(
      domain.attachments.listForTarget(accountId, { kind: 'role', roleName: 'none' }),
      'EntityNotExist.Role',
    );
  });
});
