import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, rootKeys, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import {
  ALLOW_DOC,
  STORES,
  TRUST_ACCOUNT,
  authorizationCycle,
  call,
  expectFailure,
  popCall,
  uniq,
} from './ram-helpers.js';

describe.each(STORES)('RAM tags (%s)', (store) => {
  let server: TestServer;
  let root: RamClient;

  beforeAll(async () => {
    server = await startServer({ store });
    root = ramClient(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const newRole = async () => {
    const name = uniq('tag-role');
    await call(root, 'CreateRole', {
      RoleName: name,
      AssumeRolePolicyDocument: TRUST_ACCOUNT(server.accountId),
    });
    return name;
  };
  const tagsOf = async (type: 'role' | 'policy', name: string) =>
    (await call(root, 'ListTagResources', { ResourceType: type, ResourceNames: [name] })).TagResources.map(
      (t: { TagKey: string; TagValue: string }) => `${t.TagKey}=${t.TagValue}`,
    );

  it('tags roles and policies, overwrites values, lists and removes them', async () => {
    const role = await newRole();
    const policy = uniq('tag-policy');
    await call(root, 'CreatePolicy', { PolicyName: policy, PolicyDocument: ALLOW_DOC() });

    await call(root, 'TagResources', {
      ResourceType: 'role',
      ResourceNames: [role],
      Tag: [
        { Key: 'env', Value: 'prod' },
        { Key: 'team', Value: 'core' },
      ],
    });
    await call(root, 'TagResources', {
      ResourceType: 'policy',
      ResourceNames: [policy],
      Tag: [{ Key: 'env', Value: 'dev' }],
    });
    expect((await tagsOf('role', role)).sort()).toEqual(['env=prod', 'team=core']);
    const rows = (await call(root, 'ListTagResources', { ResourceType: 'role', ResourceNames: [role] }))
      .TagResources;
    expect(rows).toContainEqual({
      ResourceType: 'role',
      ResourceName: role,
      TagKey: 'env',
      TagValue: 'prod',
    });
    expect(await tagsOf('policy', policy)).toEqual(['env=dev']);

    await call(root, 'TagResources', {
      ResourceType: 'role',
      ResourceNames: [role],
      Tag: [{ Key: 'env', Value: 'staging' }],
    });
    expect((await tagsOf('role', role)).sort()).toEqual(['env=staging', 'team=core']);
    expect((await call(root, 'GetRole', { RoleName: role })).Role).toBeDefined();
    const listed = (await call(root, 'ListRoles', { Tag: [{ Key: 'team', Value: 'core' }] })).Roles.Role;
    expect(listed.map((r: { RoleName: string }) => r.RoleName)).toEqual([role]);

    await call(root, 'UntagResources', { ResourceType: 'role', ResourceNames: [role], TagKeys: ['env'] });
    expect(await tagsOf('role', role)).toEqual(['team=core']);
    await call(root, 'UntagResources', { ResourceType: 'role', ResourceNames: [role], All: true });
    expect(await tagsOf('role', role)).toEqual([]);
    expect(await tagsOf('policy', policy)).toEqual(['env=dev']);
  });

  it('refuses bad input and unknown resources, tagging nothing', async () => {
    const role = await newRole();
    await expectFailure(
      call(root, 'TagResources', {
        ResourceType: 'user',
        ResourceNames: [role],
        Tag: [{ Key: 'k', Value: 'v' }],
      }),
      'InvalidParameter',
      400,
      '"ResourceType"',
    );
    await expectFailure(
      call(root, 'TagResources', {
        ResourceType: 'role',
        ResourceNames: [role, uniq('ghost')],
        Tag: [{ Key: 'k', Value: 'v' }],
      }),
      'EntityNotExist.Role',
      404,
    );
    await expectFailure(
      call(root, 'TagResources', {
        ResourceType: 'role',
        ResourceNames: [role],
        Tag: [{ Key: 'acs:x', Value: 'v' }],
      }),
      'InvalidParameter',
      400,
      '"Tag"',
    );
    await expectFailure(
      call(root, 'TagResources', {
        ResourceType: 'role',
        ResourceNames: [role],
        Tag: Array.from({ length: 21 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })),
      }),
      'InvalidParameter',
      400,
      '"Tag"',
    );
    await expectFailure(
      call(root, 'TagResources', { ResourceType: 'role', ResourceNames: [role] }),
      'MissingTag',
      400,
    );
    await expectFailure(
      call(root, 'UntagResources', { ResourceType: 'role', ResourceNames: [role] }),
      'MissingTagKeys',
      400,
    );
    expect(await tagsOf('role', role)).toEqual([]);

    const bad = await popCall(server, rootKeys(server), 'TagResources', {
      ResourceType: 'role',
      ResourceNames: 'not-json',
      Tag: '[{"Key":"k","Value":"v"}]',
    }).catch((e: { code: string; data: { Message: string } }) => e);
    expect(bad).toMatchObject({
      code: 'InvalidParameter',
      data: { Message: 'The parameter - "ResourceNames" MUST be a JSON array.' },
    });
    // Half a surrogate pair, by a JSON escape: text neither store can keep as given.
    for (const [param, value] of [
      ['Tag', '[{"Key":"a\\ud800b","Value":"v"}]'],
      ['Tag', '[{"Key":"k","Value":"\\udc00"}]'],
    ]) {
      const lone = await popCall(server, rootKeys(server), 'TagResources', {
        ResourceType: 'role',
        ResourceNames: JSON.stringify([role]),
        Tag: '[{"Key":"k","Value":"v"}]',
        [param!]: value,
      }).catch((e: { code: string; data: { Message: string } }) => e);
      expect(lone).toMatchObject({
        code: 'InvalidParameter',
        data: { Message: `The parameter - "${param}" MUST hold only well-formed Unicode text.` },
      });
    }
    const untag = await popCall(server, rootKeys(server), 'UntagResources', {
      ResourceType: 'role',
      ResourceNames: JSON.stringify([role]),
      TagKeys: '["\\ud800"]',
    }).catch((e: { code: string }) => e);
    expect(untag).toMatchObject({ code: 'InvalidParameter' });
    expect(await tagsOf('role', role)).toEqual([]);
    // A whole pair (an emoji) is one character, and welcome.
    await call(root, 'TagResources', {
      ResourceType: 'role',
      ResourceNames: [role],
      Tag: [{ Key: 'k😀', Value: '😀' }],
    });
    expect(await tagsOf('role', role)).toEqual(['k😀=😀']);
  });

  it('accepts tag values of up to 256 characters, as the RAM SDK documents', async () => {
    const role = await newRole();
    const value = 'v'.repeat(256);
    await call(root, 'TagResources', {
      ResourceType: 'role',
      ResourceNames: [role],
      Tag: [{ Key: 'long', Value: value }],
    });
    expect(await tagsOf('role', role)).toEqual([`long=${value}`]);
    await expectFailure(
      call(root, 'TagResources', {
        ResourceType: 'role',
        ResourceNames: [role],
        Tag: [{ Key: 'longer', Value: `${value}v` }],
      }),
      'InvalidParameter',
      400,
      '"Tag"',
    );
    expect(await tagsOf('role', role)).toEqual([`long=${value}`]);
    // Characters are code points: 128 emoji make a key, 256 a value (each two UTF-16 units).
    const wide = { Key: '😀'.repeat(128), Value: '😀'.repeat(256) };
    const other = await newRole();
    await call(root, 'TagResources', { ResourceType: 'role', ResourceNames: [other], Tag: [wide] });
    expect(await tagsOf('role', other)).toEqual([`${wide.Key}=${wide.Value}`]);
    await expectFailure(
      call(root, 'TagResources', {
        ResourceType: 'role',
        ResourceNames: [other],
        Tag: [{ Key: `${wide.Key}😀`, Value: 'v' }],
      }),
      'InvalidParameter',
      400,
      '"Tag"',
    );
  });

  it('caps a resource at 20 tags', async () => {
    const role = await newRole();
    await call(root, 'TagResources', {
      ResourceType: 'role',
      ResourceNames: [role],
      Tag: Array.from({ length: 20 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })),
    });
    const f = await expectFailure(
      call(root, 'TagResources', {
        ResourceType: 'role',
        ResourceNames: [role],
        Tag: [{ Key: 'one-more', Value: 'v' }],
      }),
      'LimitExceeded.Tag',
      409,
    );
    expect(f.message.length).toBeGreaterThan(0);
    expect(await tagsOf('role', role)).toHaveLength(20);
  });

  it('pages with NextToken', async () => {
    const role = await newRole();
    await call(root, 'TagResources', {
      ResourceType: 'role',
      ResourceNames: [role],
      Tag: Array.from({ length: 5 }, (_, i) => ({ Key: `p${i}`, Value: String(i) })),
    });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await call(root, 'ListTagResources', {
        ResourceType: 'role',
        ResourceNames: [role],
        PageSize: 2,
        ...(token ? { NextToken: token } : {}),
      });
      seen.push(...page.TagResources.map((t: { TagKey: string }) => t.TagKey));
      token = page.NextToken || undefined;
      pages++;
    } while (token && pages < 20);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    // A tag removed between two pages does not make the next page skip one.
    const first = await call(root, 'ListTagResources', {
      ResourceType: 'role',
      ResourceNames: [role],
      PageSize: 2,
    });
    expect(first.TagResources.map((t: { TagKey: string }) => t.TagKey)).toEqual(['p0', 'p1']);
    await call(root, 'UntagResources', { ResourceType: 'role', ResourceNames: [role], TagKeys: ['p0'] });
    const next = await call(root, 'ListTagResources', {
      ResourceType: 'role',
      ResourceNames: [role],
      PageSize: 2,
      NextToken: first.NextToken,
    });
    expect(next.TagResources.map((t: { TagKey: string }) => t.TagKey)).toEqual(['p2', 'p3']);
    await expectFailure(
      call(root, 'ListTagResources', { ResourceType: 'role', NextToken: 'bzoy' }),
      'InvalidParameter',
      400,
      '"NextToken"',
    );
    // A well-formed token whose keys hold control characters: refused alike on both stores
    // (PostgreSQL cannot compare with a NUL at all).
    for (const after of [
      ['\u0000', 'a'],
      [role.toLowerCase(), 'p\u0001'],
    ]) {
      await expectFailure(
        call(root, 'ListTagResources', {
          ResourceType: 'role',
          NextToken: Buffer.from(`k:${JSON.stringify(after)}`, 'utf8').toString('base64url'),
        }),
        'InvalidParameter',
        400,
        'The parameter - "NextToken" is invalid.',
      );
    }
    await expectFailure(
      call(root, 'ListTagResources', { ResourceType: 'role', PageSize: 101 }),
      'InvalidParameter',
      400,
      '"PageSize"',
    );
  });

  it('a RAM user needs ram:TagResources on the resource', async () => {
    const role = await newRole();
    await authorizationCycle(server, root, {
      actions: ['ram:TagResources'],
      authAction: 'ram:TagResources',
      name: () => uniq('k'),
      attempt: (client, name) =>
        call(client, 'TagResources', {
          ResourceType: 'role',
          ResourceNames: [role],
          Tag: [{ Key: name, Value: 'v' }],
        }),
      unchanged: async (name) =>
        expect((await tagsOf('role', role)).some((t: string) => t.startsWith(`${name}=`))).toBe(false),
    });
  });
});
