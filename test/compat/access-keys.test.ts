import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, rootKeys, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import {
  STORES,
  authorizationCycle,
  call,
  expectFailure,
  grant,
  popCall,
  ramUserWithKey,
  uniq,
  xmlCall,
} from './ram-helpers.js';

describe.each(STORES)('RAM access keys (%s)', (store) => {
  let server: TestServer;
  let root: RamClient;

  beforeAll(async () => {
    server = await startServer({ store });
    root = ramClient(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const keyIds = async (userName: string) =>
    (await call(root, 'ListAccessKeys', { UserName: userName })).AccessKeys.AccessKey.map(
      (k: { AccessKeyId: string }) => k.AccessKeyId,
    );

  it('creates a key whose secret is shown once and which signs requests', async () => {
    const user = uniq('keys');
    await call(root, 'CreateUser', { UserName: user });
    const created = (await call(root, 'CreateAccessKey', { UserName: user })).AccessKey;
    expect(created).toMatchObject({ Status: 'Active' });
    expect(created.AccessKeyId).toMatch(/^LTAI[A-Za-z0-9]{20}$/);
    expect(created.AccessKeySecret).toMatch(/^[A-Za-z0-9]{30}$/);
    expect(created.CreateDate).toMatch(/Z$/);

    const listed = (await call(root, 'ListAccessKeys', { UserName: user })).AccessKeys.AccessKey;
    expect(listed).toEqual([
      { AccessKeyId: created.AccessKeyId, Status: 'Active', CreateDate: created.CreateDate },
    ]);
    const raw = await popCall(server, rootKeys(server), 'ListAccessKeys', { UserName: user });
    expect(JSON.stringify(raw)).not.toContain(created.AccessKeySecret);

    const own = ramClient(server, {
      accessKeyId: created.AccessKeyId,
      accessKeySecret: created.AccessKeySecret,
    });
    await expectFailure(call(own, 'GetUser', { UserName: user }), 'NoPermission', 403);
    const wrong = ramClient(server, { accessKeyId: created.AccessKeyId, accessKeySecret: 'x'.repeat(30) });
    await expectFailure(call(wrong, 'GetUser', { UserName: user }), 'SignatureDoesNotMatch', 400);
  });

  it('allows two keys per user and refuses a third', async () => {
    const user = uniq('two');
    await call(root, 'CreateUser', { UserName: user });
    await call(root, 'CreateAccessKey', { UserName: user });
    await call(root, 'CreateAccessKey', { UserName: user });
    await expectFailure(
      call(root, 'CreateAccessKey', { UserName: user }),
      'LimitExceeded.User.AccessKey',
      409,
    );
    expect(await keyIds(user)).toHaveLength(2);
  });

  it('disables, re-enables and deletes a key; the change applies to the next request', async () => {
    const caller = await ramUserWithKey(server, root);
    await grant(root, caller.userName, ['ram:GetUser']);
    const id = caller.keys.accessKeyId;
    await call(caller.client, 'GetUser', { UserName: caller.userName });

    await call(root, 'UpdateAccessKey', {
      UserName: caller.userName,
      UserAccessKeyId: id,
      Status: 'Inactive',
    });
    expect(
      (await call(root, 'ListAccessKeys', { UserName: caller.userName })).AccessKeys.AccessKey[0].Status,
    ).toBe('Inactive');
    await expectFailure(
      call(caller.client, 'GetUser', { UserName: caller.userName }),
      'InvalidAccessKeyId.Inactive',
      400,
    );

    await expectFailure(
      call(root, 'UpdateAccessKey', { UserName: caller.userName, UserAccessKeyId: id, Status: 'Disabled' }),
      'InvalidParameter',
      400,
      '"Status"',
    );
    expect(
      (await call(root, 'ListAccessKeys', { UserName: caller.userName })).AccessKeys.AccessKey[0].Status,
    ).toBe('Inactive');

    await call(root, 'UpdateAccessKey', { UserName: caller.userName, UserAccessKeyId: id, Status: 'Active' });
    await call(caller.client, 'GetUser', { UserName: caller.userName });

    await call(root, 'DeleteAccessKey', { UserName: caller.userName, UserAccessKeyId: id });
    expect(await keyIds(caller.userName)).toEqual([]);
    await expectFailure(
      call(caller.client, 'GetUser', { UserName: caller.userName }),
      'InvalidAccessKeyId.NotFound',
      404,
    );
  });

  it('answers EntityNotExist for unknown users and keys, and changes nothing', async () => {
    const user = uniq('nokey');
    await call(root, 'CreateUser', { UserName: user });
    const key = (await call(root, 'CreateAccessKey', { UserName: user })).AccessKey.AccessKeyId;
    const ghost = 'LTAI' + '0'.repeat(20);
    await expectFailure(
      call(root, 'DeleteAccessKey', { UserName: user, UserAccessKeyId: ghost }),
      'EntityNotExist.User.AccessKey',
      404,
    );
    await expectFailure(
      call(root, 'UpdateAccessKey', { UserName: user, UserAccessKeyId: ghost, Status: 'Inactive' }),
      'EntityNotExist.User.AccessKey',
      404,
    );
    await expectFailure(
      call(root, 'GetAccessKeyLastUsed', { UserName: user, UserAccessKeyId: ghost }),
      'EntityNotExist.User.AccessKey',
      404,
    );
    await expectFailure(
      call(root, 'ListAccessKeys', { UserName: uniq('ghost') }),
      'EntityNotExist.User',
      404,
    );
    await expectFailure(
      call(root, 'CreateAccessKey', { UserName: uniq('ghost') }),
      'EntityNotExist.User',
      404,
    );

    // Another user's key is not this user's key.
    const other = uniq('other');
    await call(root, 'CreateUser', { UserName: other });
    await expectFailure(
      call(root, 'DeleteAccessKey', { UserName: other, UserAccessKeyId: key }),
      'EntityNotExist.User.AccessKey',
      404,
    );
    expect(await keyIds(user)).toEqual([key]);
    await expectFailure(call(root, 'DeleteAccessKey', { UserName: user }), 'MissingUserAccessKeyId', 400);
  });

  it('records when a key was last used', async () => {
    const caller = await ramUserWithKey(server, root);
    const before = await call(root, 'GetAccessKeyLastUsed', {
      UserName: caller.userName,
      UserAccessKeyId: caller.keys.accessKeyId,
    });
    expect(before.AccessKeyLastUsed.LastUsedDate).toBeUndefined();
    await expectFailure(call(caller.client, 'ListUsers'), 'NoPermission', 403);
    const after = await call(root, 'GetAccessKeyLastUsed', {
      UserName: caller.userName,
      UserAccessKeyId: caller.keys.accessKeyId,
    });
    expect(after.AccessKeyLastUsed.LastUsedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('a RAM user manages its own keys without naming itself', async () => {
    const caller = await ramUserWithKey(server, root);
    const self = `acs:ram:*:${server.accountId}:user/${caller.userName}`;
    await grant(
      root,
      caller.userName,
      ['ram:ListAccessKeys', 'ram:CreateAccessKey', 'ram:DeleteAccessKey'],
      self,
    );
    const second = (await call(caller.client, 'CreateAccessKey')).AccessKey;
    const mine = (await call(caller.client, 'ListAccessKeys')).AccessKeys.AccessKey.map(
      (k: { AccessKeyId: string }) => k.AccessKeyId,
    );
    expect(mine.sort()).toEqual([caller.keys.accessKeyId, second.AccessKeyId].sort());
    await call(caller.client, 'DeleteAccessKey', { UserAccessKeyId: second.AccessKeyId });
    expect(await keyIds(caller.userName)).toEqual([caller.keys.accessKeyId]);
    // Someone else's keys stay out of reach.
    await expectFailure(call(caller.client, 'ListAccessKeys', { UserName: uniq('x') }), 'NoPermission', 403);
  });

  it('the root manages its own keys without UserName', async () => {
    const before = (await call(root, 'ListAccessKeys')).AccessKeys.AccessKey;
    expect(before.map((k: { AccessKeyId: string }) => k.AccessKeyId)).toContain(server.rootAccessKeyId);
    const created = (await call(root, 'CreateAccessKey')).AccessKey;
    expect(created.AccessKeySecret).toMatch(/^[A-Za-z0-9]{30}$/);
    const second = ramClient(server, {
      accessKeyId: created.AccessKeyId,
      accessKeySecret: created.AccessKeySecret,
    });
    expect(typeof (await call(second, 'GetAccountAlias')).AccountAlias).toBe('string');
    await expectFailure(call(root, 'CreateAccessKey'), 'LimitExceeded.User.AccessKey', 409);
    const used = await call(root, 'GetAccessKeyLastUsed', { UserAccessKeyId: created.AccessKeyId });
    expect(used.AccessKeyLastUsed.LastUsedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await expectFailure(
      call(root, 'GetAccessKeyLastUsed', { UserAccessKeyId: 'LTAI' + '1'.repeat(20) }),
      'EntityNotExist.User.AccessKey',
      404,
    );
    await call(root, 'UpdateAccessKey', { UserAccessKeyId: created.AccessKeyId, Status: 'Inactive' });
    await expectFailure(call(second, 'GetAccountAlias'), 'InvalidAccessKeyId.Inactive', 400);
    await call(root, 'DeleteAccessKey', { UserAccessKeyId: created.AccessKeyId });
    expect((await call(root, 'ListAccessKeys')).AccessKeys.AccessKey).toEqual(before);
  });

  it('pop-core and XML', async () => {
    const user = uniq('popkey');
    await popCall(server, rootKeys(server), 'CreateUser', { UserName: user });
    const created = await popCall(server, rootKeys(server), 'CreateAccessKey', { UserName: user });
    expect(created.AccessKey.Status).toBe('Active');
    const xml = await xmlCall(server, rootKeys(server), 'ListAccessKeys', { UserName: user });
    expect(xml.status).toBe(200);
    expect(xml.text).toContain(`<AccessKeyId>${created.AccessKey.AccessKeyId}</AccessKeyId>`);
    expect(xml.text).not.toContain(created.AccessKey.AccessKeySecret);
  });

  it('a RAM user needs ram:CreateAccessKey for another user', async () => {
    const target = uniq('target');
    await call(root, 'CreateUser', { UserName: target });
    let tries = 0;
    await authorizationCycle(server, root, {
      actions: ['ram:CreateAccessKey'],
      authAction: 'ram:CreateAccessKey',
      attempt: async (client) => {
        tries++;
        const k = (await call(client, 'CreateAccessKey', { UserName: target })).AccessKey;
        await call(root, 'DeleteAccessKey', { UserName: target, UserAccessKeyId: k.AccessKeyId });
      },
      unchanged: async () => expect(await keyIds(target)).toEqual([]),
    });
    expect(tries).toBe(3);
  });
});
