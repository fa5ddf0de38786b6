import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, rootKeys, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import {
  STORES,
  authorizationCycle,
  call,
  expectFailure,
  popCall,
  uniq,
  xmlCall,
  type Json,
} from './ram-helpers.js';

describe.each(STORES)('RAM groups (%s)', (store) => {
  let server: TestServer;
  let root: RamClient;

  beforeAll(async () => {
    server = await startServer({ store });
    root = ramClient(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const groupNames = async () =>
    (await call(root, 'ListGroups', { MaxItems: 100 })).Groups.Group.map(
      (g: { GroupName: string }) => g.GroupName,
    );
  const members = async (group: string) =>
    (await call(root, 'ListUsersForGroup', { GroupName: group })).Users.User.map(
      (u: { UserName: string }) => u.UserName,
    );
  const newUser = async () => {
    const name = uniq('member');
    await call(root, 'CreateUser', { UserName: name, DisplayName: 'Member' });
    return name;
  };

  it('creates, reads, renames and deletes a group; a rename keeps members and policies', async () => {
    const name = uniq('dev.team_1');
    const created = (await call(root, 'CreateGroup', { GroupName: name, Comments: 'developers' })).Group;
    expect(created).toMatchObject({ GroupName: name, Comments: 'developers' });
    expect(created.GroupId).toMatch(/^g-[A-Za-z0-9]{16}$/);
    expect((await call(root, 'GetGroup', { GroupName: name })).Group).toMatchObject({
      ...created,
      UpdateDate: expect.stringMatching(/Z$/),
    });

    const user = await newUser();
    await call(root, 'AddUserToGroup', { GroupName: name, UserName: user });
    await call(root, 'AttachPolicyToGroup', {
      PolicyType: 'System',
      PolicyName: 'ReadOnlyAccess',
      GroupName: name,
    });

    const renamed = uniq('ops');
    const updated = (
      await call(root, 'UpdateGroup', { GroupName: name, NewGroupName: renamed, NewComments: 'ops' })
    ).Group;
    expect(updated).toMatchObject({ GroupId: created.GroupId, GroupName: renamed, Comments: 'ops' });
    await expectFailure(call(root, 'GetGroup', { GroupName: name }), 'EntityNotExist.Group', 404);
    expect(await members(renamed)).toEqual([user]);
    expect(
      (await call(root, 'ListPoliciesForGroup', { GroupName: renamed })).Policies.Policy.map(
        (p: { PolicyName: string }) => p.PolicyName,
      ),
    ).toEqual(['ReadOnlyAccess']);
    expect(await groupNames()).toContain(renamed);

    await expectFailure(call(root, 'DeleteGroup', { GroupName: renamed }), 'DeleteConflict.Group.User', 409);
    await call(root, 'RemoveUserFromGroup', { GroupName: renamed, UserName: user });
    await expectFailure(
      call(root, 'DeleteGroup', { GroupName: renamed }),
      'DeleteConflict.Group.Policy',
      409,
    );
    expect(await groupNames()).toContain(renamed);
    await call(root, 'DetachPolicyFromGroup', {
      PolicyType: 'System',
      PolicyName: 'ReadOnlyAccess',
      GroupName: renamed,
    });
    await call(root, 'DeleteGroup', { GroupName: renamed });
    expect(await groupNames()).not.toContain(renamed);
    await expectFailure(call(root, 'DeleteGroup', { GroupName: renamed }), 'EntityNotExist.Group', 404);
  });

  it('refuses duplicates and bad names, creating nothing', async () => {
    const name = uniq('dup');
    await call(root, 'CreateGroup', { GroupName: name, Comments: 'first' });
    await expectFailure(
      call(root, 'CreateGroup', { GroupName: name.toUpperCase() }),
      'EntityAlreadyExists.Group',
      409,
    );
    const other = uniq('dup2');
    await call(root, 'CreateGroup', { GroupName: other });
    await expectFailure(
      call(root, 'UpdateGroup', { GroupName: other, NewGroupName: name }),
      'EntityAlreadyExists.Group',
      409,
    );
    expect((await call(root, 'GetGroup', { GroupName: name })).Group.Comments).toBe('first');

    const before = await groupNames();
    await expectFailure(
      call(root, 'CreateGroup', { GroupName: 'has space' }),
      'InvalidParameter.GroupName.InvalidChars',
      400,
      'The parameter - "GroupName" contains invalid chars.',
    );
    await expectFailure(
      call(root, 'CreateGroup', { GroupName: 'g'.repeat(65) }),
      'InvalidParameter.GroupName.Length',
      400,
    );
    await expectFailure(
      call(root, 'CreateGroup', { GroupName: uniq('c'), Comments: 'c'.repeat(129) }),
      'InvalidParameter.Comments.Length',
      400,
    );
    await expectFailure(call(root, 'CreateGroup', {}), 'MissingGroupName', 400);
    await expectFailure(
      call(root, 'UpdateGroup', { GroupName: name, NewGroupName: 'bad/name' }),
      'InvalidParameter.NewGroupName.InvalidChars',
      400,
    );
    expect(await groupNames()).toEqual(before);
  });

  it('manages membership with the real conflict codes', async () => {
    const group = uniq('members');
    await call(root, 'CreateGroup', { GroupName: group });
    const a = await newUser();
    const b = await newUser();
    await call(root, 'AddUserToGroup', { GroupName: group, UserName: a });
    await call(root, 'AddUserToGroup', { GroupName: group, UserName: b });
    await expectFailure(
      call(root, 'AddUserToGroup', { GroupName: group, UserName: a }),
      'EntityAlreadyExists.User.Group',
      409,
    );
    await expectFailure(
      call(root, 'AddUserToGroup', { GroupName: group, UserName: uniq('ghost') }),
      'EntityNotExist.User',
      404,
    );
    await expectFailure(
      call(root, 'AddUserToGroup', { GroupName: uniq('ghost'), UserName: a }),
      'EntityNotExist.Group',
      404,
    );
    expect((await members(group)).sort()).toEqual([a, b].sort());

    const listed = (await call(root, 'ListUsersForGroup', { GroupName: group })).Users.User;
    expect(listed[0]).toEqual({
      UserName: expect.any(String),
      DisplayName: 'Member',
      JoinDate: expect.stringMatching(/Z$/),
    });

    const ofUser = (await call(root, 'ListGroupsForUser', { UserName: a })).Groups.Group;
    expect(ofUser).toEqual([
      {
        GroupName: group,
        GroupId: expect.stringMatching(/^g-/),
        Comments: '',
        JoinDate: expect.stringMatching(/Z$/),
      },
    ]);

    await call(root, 'RemoveUserFromGroup', { GroupName: group, UserName: a });
    await expectFailure(
      call(root, 'RemoveUserFromGroup', { GroupName: group, UserName: a }),
      'EntityNotExist.User.Group',
      404,
    );
    expect(await members(group)).toEqual([b]);
    expect((await call(root, 'ListGroupsForUser', { UserName: a })).Groups.Group).toEqual([]);
    await expectFailure(
      call(root, 'ListUsersForGroup', { GroupName: uniq('ghost') }),
      'EntityNotExist.Group',
      404,
    );
    await expectFailure(
      call(root, 'ListGroupsForUser', { UserName: uniq('ghost') }),
      'EntityNotExist.User',
      404,
    );
  });

  it('limits a user to 10 groups', async () => {
    const user = await newUser();
    for (let i = 0; i < 10; i++) {
      const g = uniq(`limit${i}`);
      await call(root, 'CreateGroup', { GroupName: g });
      await call(root, 'AddUserToGroup', { GroupName: g, UserName: user });
    }
    const eleventh = uniq('limit10');
    await call(root, 'CreateGroup', { GroupName: eleventh });
    await expectFailure(
      call(root, 'AddUserToGroup', { GroupName: eleventh, UserName: user }),
      'LimitExceeded.User.Group',
      409,
    );
    expect(await members(eleventh)).toEqual([]);
    expect((await call(root, 'ListGroupsForUser', { UserName: user })).Groups.Group).toHaveLength(10);
  });

  it('pages through ListGroups and ListUsersForGroup with Marker', async () => {
    const group = uniq('paged');
    await call(root, 'CreateGroup', { GroupName: group });
    for (let i = 0; i < 5; i++)
      await call(root, 'AddUserToGroup', { GroupName: group, UserName: await newUser() });

    const walk = async (action: string, params: Record<string, unknown>, pick: (b: Json) => string[]) => {
      const out: string[] = [];
      let marker: string | undefined;
      let pages = 0;
      do {
        const body = await call(root, action, {
          ...params,
          MaxItems: 2,
          ...(marker ? { Marker: marker } : {}),
        });
        out.push(...pick(body));
        marker = body.IsTruncated ? body.Marker : undefined;
        pages++;
      } while (marker && pages < 100);
      return { out, pages };
    };
    const users = await walk('ListUsersForGroup', { GroupName: group }, (b) =>
      b.Users.User.map((u: { UserName: string }) => u.UserName),
    );
    expect(users.pages).toBe(3);
    expect(users.out).toEqual(await members(group));
    const groups = await walk('ListGroups', {}, (b) =>
      b.Groups.Group.map((g: { GroupName: string }) => g.GroupName),
    );
    expect(groups.out).toEqual(await groupNames());
    await expectFailure(call(root, 'ListGroups', { MaxItems: 101 }), 'InvalidParameter', 400, '"MaxItems"');
  });

  it('pop-core and XML', async () => {
    const group = uniq('popgroup');
    const created = await popCall(server, rootKeys(server), 'CreateGroup', {
      GroupName: group,
      Comments: 'pop',
    });
    expect(created.Group).toMatchObject({ GroupName: group, Comments: 'pop' });
    const xml = await xmlCall(server, rootKeys(server), 'GetGroup', { GroupName: group });
    expect(xml.text).toContain(`<GroupName>${group}</GroupName>`);
    const missing = await xmlCall(server, rootKeys(server), 'GetGroup', { GroupName: uniq('none') });
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('<Code>EntityNotExist.Group</Code>');
  });

  it('a RAM user needs ram:CreateGroup', async () => {
    await authorizationCycle(server, root, {
      actions: ['ram:CreateGroup'],
      authAction: 'ram:CreateGroup',
      attempt: (client, name) => call(client, 'CreateGroup', { GroupName: name }),
      unchanged: async (name) => expect(await groupNames()).not.toContain(name),
    });
  });
});
