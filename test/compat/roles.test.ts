import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, rootKeys, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import {
  STORES,
  TRUST_ACCOUNT,
  authorizationCycle,
  call,
  expectFailure,
  popCall,
  uniq,
} from './ram-helpers.js';

describe.each(STORES)('RAM roles (%s)', (store) => {
  let server: TestServer;
  let root: RamClient;

  beforeAll(async () => {
    server = await startServer({ store });
    root = ramClient(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const roleNames = async () =>
    (await call(root, 'ListRoles', { MaxItems: 1000 })).Roles.Role.map(
      (r: { RoleName: string }) => r.RoleName,
    );
  const trustService = JSON.stringify({
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['ecs.aliyuncs.com'] } }],
  });

  it('creates, reads, updates, lists and deletes a role', async () => {
    const name = uniq('Ops-Role');
    const created = (
      await call(root, 'CreateRole', {
        RoleName: name,
        AssumeRolePolicyDocument: TRUST_ACCOUNT(server.accountId),
        Description: 'operators',
      })
    ).Role;
    expect(created).toMatchObject({
      RoleName: name,
      Description: 'operators',
      MaxSessionDuration: 3600,
      Arn: `acs:ram::${server.accountId}:role/${name.toLowerCase()}`,
    });
    expect(JSON.parse(created.AssumeRolePolicyDocument)).toEqual(JSON.parse(TRUST_ACCOUNT(server.accountId)));
    expect(created.RoleId).toMatch(/^\d{16,19}$/);

    expect((await call(root, 'GetRole', { RoleName: name })).Role).toMatchObject({
      ...created,
      UpdateDate: expect.any(String),
    });

    const updated = (
      await call(root, 'UpdateRole', {
        RoleName: name,
        NewAssumeRolePolicyDocument: trustService,
        NewDescription: 'ecs',
        NewMaxSessionDuration: 7200,
      })
    ).Role;
    expect(updated).toMatchObject({ RoleId: created.RoleId, Description: 'ecs', MaxSessionDuration: 7200 });
    expect(JSON.parse(updated.AssumeRolePolicyDocument)).toEqual(JSON.parse(trustService));

    const item = (await call(root, 'ListRoles', { MaxItems: 1000 })).Roles.Role.find(
      (r: { RoleName: string }) => r.RoleName === name,
    );
    expect(item).toMatchObject({ RoleId: created.RoleId, MaxSessionDuration: 7200, Tags: { Tag: [] } });
    expect(item).not.toHaveProperty('AssumeRolePolicyDocument');

    await call(root, 'AttachPolicyToRole', {
      PolicyType: 'System',
      PolicyName: 'ReadOnlyAccess',
      RoleName: name,
    });
    await expectFailure(call(root, 'DeleteRole', { RoleName: name }), 'DeleteConflict.Role.Policy', 409);
    expect(await roleNames()).toContain(name);
    await call(root, 'DetachPolicyFromRole', {
      PolicyType: 'System',
      PolicyName: 'ReadOnlyAccess',
      RoleName: name,
    });
    await call(root, 'DeleteRole', { RoleName: name });
    await expectFailure(call(root, 'GetRole', { RoleName: name }), 'EntityNotExist.Role', 404);
    await expectFailure(call(root, 'DeleteRole', { RoleName: name }), 'EntityNotExist.Role', 404);
  });

  it.each([
    [
      { RoleName: 'no_underscore' },
      'InvalidParameter.RoleName.InvalidChars',
      'The parameter - "RoleName" contains invalid chars.',
    ],
    [
      { RoleName: 'r'.repeat(65) },
      'InvalidParameter.RoleName.Length',
      'The parameter - "RoleName" beyond the length limit.',
    ],
    [{}, 'MissingRoleName', 'RoleName is mandatory for this action.'],
    [{ RoleName: 'ok', AssumeRolePolicyDocument: undefined }, 'MissingAssumeRolePolicyDocument', 'mandatory'],
    [{ RoleName: 'ok', AssumeRolePolicyDocument: '{not json' }, 'MalformedPolicyDocument', /./],
    [
      {
        RoleName: 'ok',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow' }] }),
      },
      'MalformedPolicyDocument',
      /./,
    ],
    [{ RoleName: 'ok', MaxSessionDuration: 3599 }, 'InvalidParameter', '"MaxSessionDuration"'],
    [{ RoleName: 'ok', MaxSessionDuration: 43201 }, 'InvalidParameter', '"MaxSessionDuration"'],
    [
      { RoleName: 'ok', Description: 'd'.repeat(1025) },
      'InvalidParameter.Description.Length',
      '"Description"',
    ],
  ])('CreateRole %j: %s, nothing created', async (params, code, message) => {
    const before = await roleNames();
    const full: Record<string, unknown> = {
      AssumeRolePolicyDocument: TRUST_ACCOUNT(server.accountId),
      ...params,
    };
    if ('AssumeRolePolicyDocument' in params && params.AssumeRolePolicyDocument === undefined) {
      delete full.AssumeRolePolicyDocument;
    }
    await expectFailure(call(root, 'CreateRole', full), code, 400, message);
    expect(await roleNames()).toEqual(before);
  });

  it('refuses a duplicate name and bad updates, changing nothing', async () => {
    const name = uniq('dup-role');
    await call(root, 'CreateRole', {
      RoleName: name,
      AssumeRolePolicyDocument: TRUST_ACCOUNT(server.accountId),
    });
    await expectFailure(
      call(root, 'CreateRole', {
        RoleName: name.toUpperCase(),
        AssumeRolePolicyDocument: TRUST_ACCOUNT(server.accountId),
      }),
      'EntityAlreadyExists.Role',
      409,
    );
    await expectFailure(
      call(root, 'UpdateRole', {
        RoleName: name,
        NewAssumeRolePolicyDocument: '[]',
        NewDescription: 'changed',
      }),
      'MalformedPolicyDocument',
      400,
    );
    await expectFailure(
      call(root, 'UpdateRole', { RoleName: name, NewMaxSessionDuration: 100, NewDescription: 'changed' }),
      'InvalidParameter',
      400,
    );
    await expectFailure(
      call(root, 'UpdateRole', { RoleName: uniq('ghost'), NewDescription: 'x' }),
      'EntityNotExist.Role',
      404,
    );
    const role = (await call(root, 'GetRole', { RoleName: name })).Role;
    expect(role).toMatchObject({ Description: '', MaxSessionDuration: 3600 });
  });

  it('lists with tags, filters by tag, and pages with Marker', async () => {
    const tagged = uniq('tagged');
    await call(root, 'CreateRole', {
      RoleName: tagged,
      AssumeRolePolicyDocument: TRUST_ACCOUNT(server.accountId),
      Tag: [
        { Key: 'env', Value: 'prod' },
        { Key: 'team', Value: 'core' },
      ],
    });
    for (let i = 0; i < 3; i++) {
      await call(root, 'CreateRole', {
        RoleName: uniq(`plain${i}`),
        AssumeRolePolicyDocument: TRUST_ACCOUNT(server.accountId),
      });
    }
    const filtered = (await call(root, 'ListRoles', { Tag: [{ Key: 'env', Value: 'prod' }] })).Roles.Role;
    expect(filtered.map((r: { RoleName: string }) => r.RoleName)).toEqual([tagged]);
    expect(filtered[0].Tags.Tag).toEqual(
      expect.arrayContaining([
        { TagKey: 'env', TagValue: 'prod' },
        { TagKey: 'team', TagValue: 'core' },
      ]),
    );
    expect((await call(root, 'ListRoles', { Tag: [{ Key: 'env', Value: 'dev' }] })).Roles.Role).toEqual([]);

    const all = await roleNames();
    const paged: string[] = [];
    let marker: string | undefined;
    do {
      const page = await call(root, 'ListRoles', { MaxItems: 2, ...(marker ? { Marker: marker } : {}) });
      paged.push(...page.Roles.Role.map((r: { RoleName: string }) => r.RoleName));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    expect(paged).toEqual(all);
  });

  it('pop-core with a JSON-string Tag', async () => {
    const name = uniq('pop-role');
    const created = await popCall(server, rootKeys(server), 'CreateRole', {
      RoleName: name,
      AssumeRolePolicyDocument: TRUST_ACCOUNT(server.accountId),
      MaxSessionDuration: 43200,
      Tag: JSON.stringify([{ Key: 'k', Value: 'v' }]),
    });
    expect(created.Role).toMatchObject({ RoleName: name, MaxSessionDuration: 43200 });
    const bad = await popCall(server, rootKeys(server), 'CreateRole', {
      RoleName: uniq('pop-bad'),
      AssumeRolePolicyDocument: TRUST_ACCOUNT(server.accountId),
      Tag: '[{"Key":"acs:reserved","Value":"v"}]',
    }).catch((e: { code: string }) => e);
    expect((bad as { code: string }).code).toBe('InvalidParameter');
  });

  it('a RAM user needs ram:CreateRole', async () => {
    await authorizationCycle(server, root, {
      actions: ['ram:CreateRole'],
      authAction: 'ram:CreateRole',
      attempt: (client, name) =>
        call(client, 'CreateRole', {
          RoleName: name,
          AssumeRolePolicyDocument: TRUST_ACCOUNT(server.accountId),
        }),
      unchanged: async (name) => expect(await roleNames()).not.toContain(name),
    });
  });
});
