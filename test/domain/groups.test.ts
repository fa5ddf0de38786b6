import { expect, it } from 'vitest';
import { expectApiError, forEachBackend } from './harness.js';

forEachBackend('groups', (w) => {
  it('creates, reads, renames and deletes a group', async () => {
    const { domain, accountId, clock } = w();
    const g = await domain.groups.create(accountId, { groupName: 'Dev-Team', comments: 'devs' });
    expect(g.groupId).toMatch(/^g-[A-Za-z0-9]{16}$/);
    expect(g).toMatchObject({ groupName: 'Dev-Team', comments: 'devs', createDate: '2026-01-15T10:00:00Z' });
    expect(await domain.groups.get(accountId, 'dev-team')).toEqual(g);
    await expectApiError(
      domain.groups.create(accountId, { groupName: 'DEV-TEAM' }),
      'EntityAlreadyExists.Group',
      'The group already exists: DEV-TEAM.',
    );
    await domain.users.create(accountId, { userName: 'u' });
    await domain.groups.addUser(accountId, 'dev-team', 'u');
    clock.advance(1000);
    const r = await domain.groups.update(accountId, 'Dev-Team', { newGroupName: 'Ops', newComments: 'ops' });
    expect(r).toMatchObject({
      groupId: g.groupId,
      groupName: 'Ops',
      comments: 'ops',
      updateDate: '2026-01-15T10:00:01Z',
    });
    expect((await domain.groups.listUsers(accountId, 'ops')).items.map((u) => u.userName)).toEqual(['u']);
    await expectApiError(
      domain.groups.get(accountId, 'Dev-Team'),
      'EntityNotExist.Group',
      'The group does not exist: Dev-Team.',
    );
    await expectApiError(
      domain.groups.delete(accountId, 'Ops'),
      'DeleteConflict.Group.User',
      'The group has members, remove them first: Ops.',
    );
    await domain.groups.removeUser(accountId, 'Ops', 'u');
    await domain.attachments.attach(
      accountId,
      { kind: 'group', groupName: 'Ops' },
      'System',
      'AdministratorAccess',
    );
    await expectApiError(
      domain.groups.delete(accountId, 'Ops'),
      'DeleteConflict.Group.Policy',
      'The group has policies attached, detach them first: Ops.',
    );
    await domain.attachments.detach(
      accountId,
      { kind: 'group', groupName: 'Ops' },
      'System',
      'AdministratorAccess',
    );
    await domain.groups.delete(accountId, 'ops');
    await expectApiError(domain.groups.delete(accountId, 'ops'), 'EntityNotExist.Group');
  });

  const invalid: [string, string, string][] = [
    ['', 'InvalidParameter.GroupName.Length', 'The parameter - "GroupName" beyond the length limit.'],
    [
      'g'.repeat(65),
      'InvalidParameter.GroupName.Length',
      'The parameter - "GroupName" beyond the length limit.',
    ],
    ['a b', 'InvalidParameter.GroupName.InvalidChars', 'The parameter - "GroupName" contains invalid chars.'],
    ['a@b', 'InvalidParameter.GroupName.InvalidChars', 'The parameter - "GroupName" contains invalid chars.'],
  ];
  it.each(invalid)('refuses group name %j', async (name, code, message) => {
    const { domain, accountId } = w();
    await expectApiError(domain.groups.create(accountId, { groupName: name }), code, message);
    expect((await domain.groups.list(accountId)).items).toEqual([]);
  });

  it('accepts . and _ in group names, and checks comments', async () => {
    const { domain, accountId } = w();
    await domain.groups.create(accountId, { groupName: 'a.b_c-d' });
    await expectApiError(
      domain.groups.create(accountId, { groupName: 'x', comments: 'c'.repeat(129) }),
      'InvalidParameter.Comments.Length',
    );
    await expectApiError(
      domain.groups.update(accountId, 'a.b_c-d', { newComments: 'c'.repeat(129) }),
      'InvalidParameter.NewComments.Length',
    );
    await expectApiError(
      domain.groups.update(accountId, 'a.b_c-d', { newGroupName: 'x y' }),
      'InvalidParameter.NewGroupName.InvalidChars',
    );
  });

  it('manages membership: a user in several groups, duplicates and missing members', async () => {
    const { domain, accountId, clock } = w();
    await domain.users.create(accountId, { userName: 'u' });
    for (const g of ['b', 'a', 'c']) await domain.groups.create(accountId, { groupName: g });
    for (const g of ['b', 'a', 'c']) {
      await domain.groups.addUser(accountId, g, 'U');
      clock.advance(1000);
    }
    const of = await domain.groups.listForUser(accountId, 'u');
    expect(of.map((g) => [g.groupName, g.joinDate])).toEqual([
      ['a', '2026-01-15T10:00:01Z'],
      ['b', '2026-01-15T10:00:00Z'],
      ['c', '2026-01-15T10:00:02Z'],
    ]);
    await expectApiError(
      domain.groups.addUser(accountId, 'a', 'u'),
      'EntityAlreadyExists.User.Group',
      'The user is already a member of the group: u, a.',
    );
    await expectApiError(domain.groups.addUser(accountId, 'zz', 'u'), 'EntityNotExist.Group');
    await expectApiError(domain.groups.addUser(accountId, 'a', 'zz'), 'EntityNotExist.User');
    await domain.groups.removeUser(accountId, 'a', 'u');
    await expectApiError(
      domain.groups.removeUser(accountId, 'a', 'u'),
      'EntityNotExist.User.Group',
      'The user is not a member of the group: u, a.',
    );
    expect((await domain.groups.listForUser(accountId, 'u')).map((g) => g.groupName)).toEqual(['b', 'c']);
    await expectApiError(domain.groups.listForUser(accountId, 'zz'), 'EntityNotExist.User');
  });

  it('limits the groups of a user and the groups of an account', async () => {
    const { domain, accountId } = w();
    await domain.accounts.setQuotas(accountId, { groupsPerUser: 2, groupsPerAccount: 3 });
    await domain.users.create(accountId, { userName: 'u' });
    for (const g of ['g1', 'g2', 'g3']) await domain.groups.create(accountId, { groupName: g });
    await expectApiError(
      domain.groups.create(accountId, { groupName: 'g4' }),
      'LimitExceeded.Group',
      'The count of groups beyond the current limits: 3.',
    );
    await domain.groups.addUser(accountId, 'g1', 'u');
    await domain.groups.addUser(accountId, 'g2', 'u');
    await expectApiError(
      domain.groups.addUser(accountId, 'g3', 'u'),
      'LimitExceeded.User.Group',
      'The count of groups of the user beyond the current limits: 2.',
    );
  });

  it('pages groups (MaxItems 1..100) and members', async () => {
    const { domain, accountId } = w();
    for (const g of ['g3', 'g1', 'g2']) await domain.groups.create(accountId, { groupName: g });
    const p1 = await domain.groups.list(accountId, { maxItems: 2 });
    expect(p1.items.map((g) => g.groupName)).toEqual(['g1', 'g2']);
    expect(p1.isTruncated).toBe(true);
    const p2 = await domain.groups.list(accountId, { maxItems: 2, marker: p1.marker });
    expect(p2.items.map((g) => g.groupName)).toEqual(['g3']);
    expect(p2.isTruncated).toBe(false);
    await expectApiError(domain.groups.list(accountId, { maxItems: 101 }), 'InvalidParameter');
    for (const u of ['u2', 'u1', 'u3']) {
      await domain.users.create(accountId, { userName: u });
      await domain.groups.addUser(accountId, 'g1', u);
    }
    const m1 = await domain.groups.listUsers(accountId, 'g1', { maxItems: 2 });
    expect(m1.items.map((u) => u.userName)).toEqual(['u1', 'u2']);
    const m2 = await domain.groups.listUsers(accountId, 'g1', { maxItems: 2, marker: m1.marker });
    expect(m2.items.map((u) => u.userName)).toEqual(['u3']);
    expect(m2.items[0]!.joinDate).toBe('2026-01-15T10:00:00Z');
    await expectApiError(domain.groups.listUsers(accountId, 'none'), 'EntityNotExist.Group');
  });
});
