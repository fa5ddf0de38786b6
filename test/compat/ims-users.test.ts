/**
 * IMS users through @alicloud/ims20190815 against a real server: named by UserPrincipalName,
 * UserId or AccessKey id, the same users RAM sees, tags as flattened lists, and authorization
 * on the stored user whatever name form the caller used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import { STORES, call, expectFailure, grant, ramUserWithKey, revoke, uniq } from './ram-helpers.js';
import { imsCall, imsClient, imsRaw, type ImsClient } from './ims-helpers.js';

describe.each(STORES)('IMS users (%s)', (store) => {
  let server: TestServer;
  let ims: ImsClient;
  let ram: RamClient;
  let domain: string;

  beforeAll(async () => {
    server = await startServer({ store });
    ims = imsClient(server);
    ram = ramClient(server);
    domain = (await imsCall(ims, 'GetDefaultDomain')).DefaultDomainName;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers the default domain of the account', () => {
    expect(domain).toBe(`${server.accountAlias || server.accountId}.onaliyun.com`);
  });

  it('creates a user by principal name with tags, reads it three ways, updates and deletes it', async () => {
    const name = uniq('alice');
    const upn = `${name}@${domain}`;
    const created = await imsCall(ims, 'CreateUser', {
      UserPrincipalName: upn,
      DisplayName: 'Alice',
      Email: 'alice@example.com',
      MobilePhone: '86-18600000000',
      Comments: 'first',
      Tag: [
        { Key: 'team', Value: 'core' },
        { Key: 'env', Value: 'dev' },
      ],
    });
    expect(created.User).toMatchObject({
      UserPrincipalName: upn,
      DisplayName: 'Alice',
      Email: 'alice@example.com',
      MobilePhone: '86-18600000000',
      Comments: 'first',
      ProvisionType: 'Manual',
    });
    expect(created.User.UserId).toMatch(/^\d{16}$/);
    expect(created.User.Tags.Tag).toEqual([
      { TagKey: 'team', TagValue: 'core' },
      { TagKey: 'env', TagValue: 'dev' },
    ]);

    const byUpn = (await imsCall(ims, 'GetUser', { UserPrincipalName: upn })).User;
    expect(byUpn).toMatchObject({ UserName: name, UserId: created.User.UserId, UserPrincipalName: upn });
    expect(byUpn.Tags.Tag).toEqual([
      { TagKey: 'env', TagValue: 'dev' },
      { TagKey: 'team', TagValue: 'core' },
    ]);
    const byId = (await imsCall(ims, 'GetUser', { UserId: created.User.UserId })).User;
    expect(byId.UserPrincipalName).toBe(upn);
    const key = (await imsCall(ims, 'CreateAccessKey', { UserPrincipalName: upn })).AccessKey;
    const byKey = (await imsCall(ims, 'GetUser', { UserAccessKeyId: key.AccessKeyId })).User;
    expect(byKey.UserId).toBe(created.User.UserId);

    // Case variants of the name and the domain find the stored user.
    const shout = `${name.toUpperCase()}@${domain.toUpperCase()}`;
    expect((await imsCall(ims, 'GetUser', { UserPrincipalName: shout })).User.UserName).toBe(name);

    const updated = await imsCall(ims, 'UpdateUser', {
      UserId: created.User.UserId,
      NewUserPrincipalName: `${name}-2@${domain}`,
      NewDisplayName: 'Alice Two',
      NewComments: '',
    });
    expect(updated.User).toMatchObject({
      UserPrincipalName: `${name}-2@${domain}`,
      DisplayName: 'Alice Two',
      Comments: '',
      UserId: created.User.UserId,
    });
    // RAM sees the rename, and the key still belongs to the user.
    expect((await call(ram, 'GetUser', { UserName: `${name}-2` })).User.DisplayName).toBe('Alice Two');
    await expectFailure(call(ram, 'GetUser', { UserName: name }), 'EntityNotExist.User', 404);

    await expectFailure(
      imsCall(ims, 'DeleteUser', { UserPrincipalName: `${name}-2@${domain}` }),
      'DeleteConflict.User.AccessKey',
      409,
    );
    await imsCall(ims, 'DeleteAccessKey', {
      UserPrincipalName: `${name}-2@${domain}`,
      UserAccessKeyId: key.AccessKeyId,
    });
    await imsCall(ims, 'DeleteUser', { UserId: created.User.UserId });
    await expectFailure(imsCall(ims, 'GetUser', { UserId: created.User.UserId }), 'EntityNotExist.User', 404);
    // Its tags went with it: a new user of the same name starts without tags.
    await imsCall(ims, 'CreateUser', { UserPrincipalName: upn, DisplayName: 'Again' });
    expect((await imsCall(ims, 'GetUser', { UserPrincipalName: upn })).User.Tags.Tag).toEqual([]);
    await imsCall(ims, 'DeleteUser', { UserPrincipalName: upn });
  });

  it('shares users with RAM both ways', async () => {
    const name = uniq('shared');
    await call(ram, 'CreateUser', { UserName: name, DisplayName: 'From RAM' });
    const got = (await imsCall(ims, 'GetUser', { UserPrincipalName: `${name}@${domain}` })).User;
    expect(got).toMatchObject({
      UserName: name,
      DisplayName: 'From RAM',
      UserPrincipalName: `${name}@${domain}`,
    });
    await imsCall(ims, 'UpdateUser', { UserPrincipalName: `${name}@${domain}`, NewEmail: 'x@example.com' });
    expect((await call(ram, 'GetUser', { UserName: name })).User.Email).toBe('x@example.com');
    await expectFailure(
      imsCall(ims, 'CreateUser', {
        UserPrincipalName: `${name.toUpperCase()}@${domain}`,
        DisplayName: 'Dup',
      }),
      'EntityAlreadyExists.User',
      409,
    );
    await call(ram, 'DeleteUser', { UserName: name });
    await expectFailure(
      imsCall(ims, 'GetUser', { UserPrincipalName: `${name}@${domain}` }),
      'EntityNotExist.User',
      404,
    );
  });

  it('refuses a principal name outside the account, a bad form, and nothing changes', async () => {
    const name = uniq('outsider');
    const f = await expectFailure(
      imsCall(ims, 'CreateUser', { UserPrincipalName: `${name}@other.onaliyun.com`, DisplayName: 'X' }),
      'InvalidParameter',
      400,
      /account's domain/,
    );
    expect(f.message).toContain(domain);
    await expectFailure(
      imsCall(ims, 'GetUser', { UserPrincipalName: `${name}@other.onaliyun.com` }),
      'EntityNotExist.User',
      404,
    );
    await expectFailure(call(ram, 'GetUser', { UserName: name }), 'EntityNotExist.User', 404);
    for (const bad of ['no-at-sign', '@only.domain', `a b@${domain}`, `${'x'.repeat(65)}@${domain}`]) {
      await expectFailure(
        imsCall(ims, 'CreateUser', { UserPrincipalName: bad, DisplayName: 'X' }),
        'InvalidParameter.UserPrincipalName.Format',
        400,
      );
    }
    await expectFailure(
      imsCall(ims, 'CreateUser', {
        UserPrincipalName: `${'x'.repeat(64)}@${'d'.repeat(64)}.com`,
        DisplayName: 'X',
      }),
      'InvalidParameter.UserPrincipalName.Length',
      400,
    );
    // IMS limits DisplayName to 24 characters.
    await expectFailure(
      imsCall(ims, 'CreateUser', { UserPrincipalName: `${name}@${domain}`, DisplayName: 'd'.repeat(25) }),
      'InvalidParameter.DisplayName.Length',
      400,
    );
    await expectFailure(call(ram, 'GetUser', { UserName: name }), 'EntityNotExist.User', 404);
    await expectFailure(imsCall(ims, 'GetUser', {}), 'MissingUserPrincipalName', 400);
  });

  it('lists users and basic infos with paging, status and tag filters', async () => {
    const prefix = uniq('lst');
    const names = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`];
    for (const [i, n] of names.entries()) {
      await imsCall(ims, 'CreateUser', {
        UserPrincipalName: `${n}@${domain}`,
        DisplayName: `U${i}`,
        Tag: i < 2 ? [{ Key: prefix, Value: i === 0 ? 'x' : 'y' }] : [],
      });
    }
    const tagged = await imsCall(ims, 'ListUsers', { Tag: [{ Key: prefix }] });
    expect(tagged.Users.User.map((u: { UserPrincipalName: string }) => u.UserPrincipalName)).toEqual(
      names.slice(0, 2).map((n) => `${n}@${domain}`),
    );
    expect(tagged.Users.User[0]).toMatchObject({
      Status: 'Active',
      Tags: { Tag: [{ TagKey: prefix, TagValue: 'x' }] },
    });
    const valued = await imsCall(ims, 'ListUserBasicInfos', { Tag: [{ Key: prefix, Value: 'y' }] });
    expect(valued.UserBasicInfos.UserBasicInfo).toEqual([
      {
        UserPrincipalName: `${names[1]}@${domain}`,
        DisplayName: 'U1',
        Status: 'Active',
        UserId: expect.any(String),
      },
    ]);
    expect((await imsCall(ims, 'ListUsers', { Status: 'freeze' })).Users.User).toEqual([]);

    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await imsCall(ims, 'ListUsers', { MaxItems: 1, ...(marker ? { Marker: marker } : {}) });
      expect(page.Users.User.length).toBeLessThanOrEqual(1);
      seen.push(...page.Users.User.map((u: { UserPrincipalName: string }) => u.UserPrincipalName));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    for (const n of names) expect(seen).toContain(`${n}@${domain}`);
    await expectFailure(imsCall(ims, 'ListUsers', { MaxItems: 1001 }), 'InvalidParameter', 400);
    await expectFailure(imsCall(ims, 'ListUsers', { Status: 'sleeping' }), 'InvalidParameter', 400);
  });

  it('tags users through TagResources / UntagResources / ListTagResources by principal name or id', async () => {
    const upn = `${uniq('tagged')}@${domain}`;
    const id = (await imsCall(ims, 'CreateUser', { UserPrincipalName: upn, DisplayName: 'T' })).User.UserId;
    await imsCall(ims, 'TagResources', {
      ResourceType: 'user',
      ResourcePrincipalName: [upn],
      Tag: [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
      ],
    });
    await imsCall(ims, 'TagResources', {
      ResourceType: 'user',
      ResourceId: [id],
      Tag: [{ Key: 'a', Value: '3' }],
    });
    const listed = await imsCall(ims, 'ListTagResources', { ResourceType: 'user', ResourceId: [id] });
    expect(listed.TagResources.TagResource).toEqual([
      { ResourceType: 'user', ResourceId: id, TagKey: 'a', TagValue: '3' },
      { ResourceType: 'user', ResourceId: id, TagKey: 'b', TagValue: '2' },
    ]);
    expect(listed.IsTruncated).toBe(false);
    const paged = await imsCall(ims, 'ListTagResources', {
      ResourceType: 'user',
      ResourceId: [id],
      PageSize: 1,
    });
    expect(paged.TagResources.TagResource).toHaveLength(1);
    expect(paged.IsTruncated).toBe(true);
    const rest = await imsCall(ims, 'ListTagResources', {
      ResourceType: 'user',
      ResourceId: [id],
      PageSize: 1,
      NextToken: paged.NextToken,
    });
    expect(rest.TagResources.TagResource[0].TagKey).toBe('b');

    await imsCall(ims, 'UntagResources', {
      ResourceType: 'user',
      ResourcePrincipalName: [upn],
      TagKey: ['a'],
    });
    expect((await imsCall(ims, 'GetUser', { UserId: id })).User.Tags.Tag).toEqual([
      { TagKey: 'b', TagValue: '2' },
    ]);
    await imsCall(ims, 'UntagResources', { ResourceType: 'user', ResourceId: [id], All: true });
    expect((await imsCall(ims, 'GetUser', { UserId: id })).User.Tags.Tag).toEqual([]);

    await expectFailure(
      imsCall(ims, 'TagResources', {
        ResourceType: 'user',
        ResourceId: ['1234'],
        Tag: [{ Key: 'a', Value: '1' }],
      }),
      'EntityNotExist.User',
      404,
    );
    await expectFailure(
      imsCall(ims, 'TagResources', {
        ResourceType: 'user',
        ResourceId: [id],
        Tag: [{ Key: 'acs:x', Value: '1' }],
      }),
      'InvalidParameter',
      400,
    );
    await expectFailure(
      imsCall(ims, 'TagResources', {
        ResourceType: 'role',
        ResourceId: [id],
        Tag: [{ Key: 'a', Value: '1' }],
      }),
      'InvalidParameter',
      400,
    );
    const tooMany = Array.from({ length: 21 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await expectFailure(
      imsCall(ims, 'TagResources', { ResourceType: 'user', ResourceId: [id], Tag: tooMany }),
      'InvalidParameter',
      400,
    );
    expect((await imsCall(ims, 'GetUser', { UserId: id })).User.Tags.Tag).toEqual([]);
  });

  it('refuses control characters in tag filters and tag keys to remove, as RAM does, on both stores', async () => {
    const upn = `${uniq('filtered')}@${domain}`;
    const id = (await imsCall(ims, 'CreateUser', { UserPrincipalName: upn, DisplayName: 'F' })).User.UserId;
    await imsCall(ims, 'TagResources', {
      ResourceType: 'user',
      ResourceId: [id],
      Tag: [{ Key: 'k', Value: 'v' }],
    });
    for (const c of ['\u0000', '\u0001', '\u001b', '\u007f']) {
      for (const Tag of [[{ Key: `k${c}` }], [{ Key: 'k', Value: `v${c}` }]]) {
        await expectFailure(
          imsCall(ims, 'ListTagResources', { ResourceType: 'user', Tag }),
          'InvalidParameter',
          400,
          'contains invalid chars',
        );
        await expectFailure(
          imsCall(ims, 'ListUsers', { Tag }),
          'InvalidParameter',
          400,
          'contains invalid chars',
        );
      }
      await expectFailure(
        imsCall(ims, 'UntagResources', { ResourceType: 'user', ResourceId: [id], TagKey: ['k', `k${c}`] }),
        'InvalidParameter',
        400,
        'The parameter - "TagKey.N" contains invalid chars.',
      );
    }
    expect((await imsCall(ims, 'GetUser', { UserId: id })).User.Tags.Tag).toEqual([
      { TagKey: 'k', TagValue: 'v' },
    ]);
    // A NextToken this service did not give is named as such (the request has no Marker).
    await expectFailure(
      imsCall(ims, 'ListTagResources', { ResourceType: 'user', NextToken: 'bzoy' }),
      'InvalidParameter',
      400,
      'The parameter - "NextToken" is invalid.',
    );
  });

  it('refuses malformed flattened lists with InvalidParameter', async () => {
    const upn = `${uniq('flat')}@${domain}`;
    const root = { accessKeyId: server.rootAccessKeyId, accessKeySecret: server.rootAccessKeySecret };
    for (const params of [
      { 'Tag.0.Key': 'a' },
      { 'Tag.1.Colour': 'a' },
      { 'Tag.1.Value': 'v' },
      { 'Tag.x.Key': 'a' },
      { 'Tag.21.Key': 'a' },
      { 'Tag.1.Key': 'a', 'Tag.2.Key': 'a' },
    ]) {
      const f = await imsRaw(server, root, 'CreateUser', {
        UserPrincipalName: upn,
        DisplayName: 'F',
        ...params,
      }).then(
        () => undefined,
        (e: { code?: string }) => e.code,
      );
      expect({ params, code: f }).toEqual({ params, code: 'InvalidParameter' });
    }
    await expectFailure(imsCall(ims, 'GetUser', { UserPrincipalName: upn }), 'EntityNotExist.User', 404);
  });

  it('authorizes on the stored user whatever form names it', async () => {
    const target = uniq('target');
    const other = uniq('other');
    const t = await imsCall(ims, 'CreateUser', {
      UserPrincipalName: `${target}@${domain}`,
      DisplayName: 'T',
    });
    const o = await imsCall(ims, 'CreateUser', { UserPrincipalName: `${other}@${domain}`, DisplayName: 'O' });
    const otherKey = (await imsCall(ims, 'CreateAccessKey', { UserPrincipalName: `${other}@${domain}` }))
      .AccessKey;
    const caller = await ramUserWithKey(server, ram);
    const mine = imsClient(server, caller.keys);

    await expectFailure(
      imsCall(mine, 'GetUser', { UserPrincipalName: `${target}@${domain}` }),
      'NoPermission',
      403,
    );
    const policy = await grant(
      ram,
      caller.userName,
      ['ram:GetUser'],
      `acs:ram:*:${server.accountId}:user/${target}`,
    );
    expect(
      (await imsCall(mine, 'GetUser', { UserPrincipalName: `${target.toUpperCase()}@${domain}` })).User
        .UserName,
    ).toBe(target);
    expect((await imsCall(mine, 'GetUser', { UserId: t.User.UserId })).User.UserName).toBe(target);
    const denied = await expectFailure(
      imsCall(mine, 'GetUser', { UserId: o.User.UserId }),
      'NoPermission',
      403,
    );
    expect(denied.data.AccessDeniedDetail.AuthAction).toBe('ram:GetUser');
    await expectFailure(
      imsCall(mine, 'GetUser', { UserAccessKeyId: otherKey.AccessKeyId }),
      'NoPermission',
      403,
    );
    // An id that names no user is authorized as given: the narrow policy does not cover it.
    await expectFailure(imsCall(mine, 'GetUser', { UserId: '1111111111111111' }), 'NoPermission', 403);
    await revoke(ram, caller.userName, policy);
    await expectFailure(imsCall(mine, 'GetUser', { UserId: t.User.UserId }), 'NoPermission', 403);

    const all = await grant(ram, caller.userName, ['ram:GetUser']);
    await expectFailure(imsCall(mine, 'GetUser', { UserId: '1111111111111111' }), 'EntityNotExist.User', 404);
    await revoke(ram, caller.userName, all);
  });
});

describe.each(STORES)('IMS users under a lower tag quota (%s)', (store) => {
  let server: TestServer;
  let ims: ImsClient;

  beforeAll(async () => {
    server = await startServer({ store, env: { RAMPART_QUOTAS: '{"tagsPerResource":2}' } });
    ims = imsClient(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses CreateUser with more tags than the quota, leaving no user behind', async () => {
    const domain = (await imsCall(ims, 'GetDefaultDomain')).DefaultDomainName;
    const upn = `${uniq('quota')}@${domain}`;
    const tags = ['a', 'b', 'c'].map((k) => ({ Key: k, Value: 'v' }));
    await expectFailure(
      imsCall(ims, 'CreateUser', { UserPrincipalName: upn, DisplayName: 'Q', Tag: tags }),
      'LimitExceeded.Tag',
      409,
    );
    await expectFailure(imsCall(ims, 'GetUser', { UserPrincipalName: upn }), 'EntityNotExist.User', 404);
    await imsCall(ims, 'CreateUser', { UserPrincipalName: upn, DisplayName: 'Q', Tag: tags.slice(0, 2) });
    await expectFailure(
      imsCall(ims, 'TagResources', { ResourceType: 'user', ResourcePrincipalName: [upn], Tag: [tags[2]] }),
      'LimitExceeded.Tag',
      409,
    );
    expect((await imsCall(ims, 'GetUser', { UserPrincipalName: upn })).User.Tags.Tag).toHaveLength(2);
  });
});
