import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, rootKeys, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import {
  ALLOW_DOC,
  STORES,
  authorizationCycle,
  call,
  expectFailure,
  popCall,
  uniq,
  xmlCall,
} from './ram-helpers.js';

describe.each(STORES)('RAM policies and versions (%s)', (store) => {
  let server: TestServer;
  let root: RamClient;

  beforeAll(async () => {
    server = await startServer({ store });
    root = ramClient(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const customNames = async () =>
    (await call(root, 'ListPolicies', { PolicyType: 'Custom', MaxItems: 1000 })).Policies.Policy.map(
      (p: { PolicyName: string }) => p.PolicyName,
    );
  const versions = async (name: string) =>
    (await call(root, 'ListPolicyVersions', { PolicyName: name, PolicyType: 'Custom' })).PolicyVersions
      .PolicyVersion;
  const newPolicy = async (doc = ALLOW_DOC()) => {
    const name = uniq('policy');
    await call(root, 'CreatePolicy', { PolicyName: name, PolicyDocument: doc, Description: 'test' });
    return name;
  };

  it('creates a custom policy with version v1 and reads it back', async () => {
    const name = uniq('Read-Ecs');
    const created = (
      await call(root, 'CreatePolicy', {
        PolicyName: name,
        PolicyDocument: ALLOW_DOC(),
        Description: 'read ecs',
      })
    ).Policy;
    expect(created).toMatchObject({
      PolicyName: name,
      PolicyType: 'Custom',
      DefaultVersion: 'v1',
      Description: 'read ecs',
    });

    const got = await call(root, 'GetPolicy', { PolicyName: name, PolicyType: 'Custom' });
    expect(got.Policy).toMatchObject({ ...created, AttachmentCount: 0, UpdateDate: expect.any(String) });
    expect(JSON.parse(got.Policy.PolicyDocument)).toEqual(JSON.parse(ALLOW_DOC()));
    expect(got.DefaultPolicyVersion).toMatchObject({ VersionId: 'v1', IsDefaultVersion: true });

    const updated = (
      await call(root, 'UpdatePolicyDescription', { PolicyName: name, NewDescription: 'changed' })
    ).Policy;
    expect(updated).toMatchObject({ PolicyName: name, Description: 'changed', DefaultVersion: 'v1' });
    expect(await customNames()).toContain(name);
  });

  it('reads and lists system policies', async () => {
    const admin = await call(root, 'GetPolicy', { PolicyName: 'AdministratorAccess', PolicyType: 'System' });
    expect(admin.Policy).toMatchObject({
      PolicyName: 'AdministratorAccess',
      PolicyType: 'System',
      DefaultVersion: 'v1',
    });
    expect(JSON.parse(admin.DefaultPolicyVersion.PolicyDocument).Statement[0]).toMatchObject({
      Effect: 'Allow',
    });
    const system = (await call(root, 'ListPolicies', { PolicyType: 'System', MaxItems: 1000 })).Policies
      .Policy;
    const names = system.map((p: { PolicyName: string }) => p.PolicyName);
    expect(names).toEqual(expect.arrayContaining(['AdministratorAccess', 'ReadOnlyAccess']));
    expect(system.every((p: { PolicyType: string }) => p.PolicyType === 'System')).toBe(true);
    const v1 = (
      await call(root, 'GetPolicyVersion', {
        PolicyName: 'ReadOnlyAccess',
        PolicyType: 'System',
        VersionId: 'v1',
      })
    ).PolicyVersion;
    expect(v1).toMatchObject({ VersionId: 'v1', IsDefaultVersion: true });
    expect(
      (await call(root, 'ListPolicyVersions', { PolicyName: 'ReadOnlyAccess', PolicyType: 'System' }))
        .PolicyVersions.PolicyVersion,
    ).toHaveLength(1);
    await expectFailure(
      call(root, 'GetPolicy', { PolicyName: 'AdministratorAccess', PolicyType: 'Custom' }),
      'EntityNotExist.Policy',
      404,
    );
    await expectFailure(
      call(root, 'CreatePolicy', { PolicyName: 'AdministratorAccess', PolicyDocument: ALLOW_DOC() }),
      'EntityAlreadyExists.Policy',
      409,
    );
  });

  it.each([
    [{ PolicyName: 'bad.name' }, 'InvalidParameter.PolicyName.InvalidChars', 400],
    [{ PolicyName: 'p'.repeat(129) }, 'InvalidParameter.PolicyName.Length', 400],
    [
      { PolicyDocument: '{"Version":"1","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}' },
      'MalformedPolicyDocument',
      400,
    ],
    [{ PolicyDocument: 'not json' }, 'MalformedPolicyDocument', 400],
    [
      {
        PolicyDocument: JSON.stringify({
          Version: '1',
          Statement: [{ Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*', Sid: 'x'.repeat(6200) }],
        }),
      },
      'InvalidParameter.PolicyDocument.Length',
      400,
    ],
    [{ Description: 'd'.repeat(1025) }, 'InvalidParameter.Description.Length', 400],
    [{ Tag: '[{"Key":"aliyun:x","Value":"v"}]' }, 'InvalidParameter', 400],
  ])('CreatePolicy %#: %s, nothing created', async (params, code, status) => {
    const before = await customNames();
    const name = uniq('bad');
    const body = { PolicyName: name, PolicyDocument: ALLOW_DOC(), ...params };
    if ('Tag' in params) {
      // The V3 SDK builds Tag from objects; a raw JSON string goes through pop-core.
      const e = await popCall(server, rootKeys(server), 'CreatePolicy', body).catch(
        (x: { code: string }) => x,
      );
      expect((e as { code: string }).code).toBe(code);
    } else {
      await expectFailure(call(root, 'CreatePolicy', body), code, status);
    }
    expect(await customNames()).toEqual(before);
  });

  it('keeps at most five versions; the rotate strategy drops the oldest non-default one', async () => {
    const name = await newPolicy();
    const v2 = (
      await call(root, 'CreatePolicyVersion', { PolicyName: name, PolicyDocument: ALLOW_DOC('ecs:Start*') })
    ).PolicyVersion;
    expect(v2).toMatchObject({ VersionId: 'v2', IsDefaultVersion: false });
    const v3 = (
      await call(root, 'CreatePolicyVersion', {
        PolicyName: name,
        PolicyDocument: ALLOW_DOC('ecs:Stop*'),
        SetAsDefault: true,
      })
    ).PolicyVersion;
    expect(v3).toMatchObject({ VersionId: 'v3', IsDefaultVersion: true });
    expect(
      (await call(root, 'GetPolicy', { PolicyName: name, PolicyType: 'Custom' })).Policy.DefaultVersion,
    ).toBe('v3');
    await call(root, 'CreatePolicyVersion', { PolicyName: name, PolicyDocument: ALLOW_DOC('ecs:A*') });
    await call(root, 'CreatePolicyVersion', { PolicyName: name, PolicyDocument: ALLOW_DOC('ecs:B*') });

    await expectFailure(
      call(root, 'CreatePolicyVersion', { PolicyName: name, PolicyDocument: ALLOW_DOC('ecs:C*') }),
      'LimitExceeded.Policy.Version',
      409,
    );
    expect((await versions(name)).map((v: { VersionId: string }) => v.VersionId).sort()).toEqual([
      'v1',
      'v2',
      'v3',
      'v4',
      'v5',
    ]);

    await expectFailure(
      call(root, 'CreatePolicyVersion', {
        PolicyName: name,
        PolicyDocument: ALLOW_DOC('ecs:C*'),
        RotateStrategy: 'Oldest',
      }),
      'InvalidParameter',
      400,
      '"RotateStrategy"',
    );
    const v6 = (
      await call(root, 'CreatePolicyVersion', {
        PolicyName: name,
        PolicyDocument: ALLOW_DOC('ecs:C*'),
        RotateStrategy: 'DeleteOldestNonDefaultVersionWhenLimitExceeded',
      })
    ).PolicyVersion;
    expect(v6.VersionId).toBe('v6');
    const after = await versions(name);
    expect(after.map((v: { VersionId: string }) => v.VersionId).sort()).toEqual([
      'v2',
      'v3',
      'v4',
      'v5',
      'v6',
    ]);
    expect(
      after
        .filter((v: { IsDefaultVersion: boolean }) => v.IsDefaultVersion)
        .map((v: { VersionId: string }) => v.VersionId),
    ).toEqual(['v3']);

    const got = (
      await call(root, 'GetPolicyVersion', { PolicyName: name, PolicyType: 'Custom', VersionId: 'v2' })
    ).PolicyVersion;
    expect(JSON.parse(got.PolicyDocument)).toEqual(JSON.parse(ALLOW_DOC('ecs:Start*')));
    await expectFailure(
      call(root, 'GetPolicyVersion', { PolicyName: name, PolicyType: 'Custom', VersionId: 'v1' }),
      'EntityNotExist.Policy.Version',
      404,
    );
    await expectFailure(
      call(root, 'GetPolicyVersion', { PolicyName: name, PolicyType: 'Custom', VersionId: 'latest' }),
      'InvalidParameter.VersionId.Format',
      400,
    );
  });

  it('changes the default version and protects it from deletion', async () => {
    const name = await newPolicy();
    await call(root, 'CreatePolicyVersion', { PolicyName: name, PolicyDocument: ALLOW_DOC('ecs:Start*') });
    await expectFailure(
      call(root, 'DeletePolicyVersion', { PolicyName: name, VersionId: 'v1' }),
      'DeleteConflict.Policy.Version.Default',
      409,
    );
    await call(root, 'SetDefaultPolicyVersion', { PolicyName: name, VersionId: 'v2' });
    const got = await call(root, 'GetPolicy', { PolicyName: name, PolicyType: 'Custom' });
    expect(got.Policy.DefaultVersion).toBe('v2');
    expect(got.DefaultPolicyVersion.VersionId).toBe('v2');
    await expectFailure(
      call(root, 'SetDefaultPolicyVersion', { PolicyName: name, VersionId: 'v9' }),
      'EntityNotExist.Policy.Version',
      404,
    );
    await call(root, 'DeletePolicyVersion', { PolicyName: name, VersionId: 'v1' });
    expect((await versions(name)).map((v: { VersionId: string }) => v.VersionId)).toEqual(['v2']);
    await expectFailure(
      call(root, 'DeletePolicyVersion', { PolicyName: name, VersionId: 'v1' }),
      'EntityNotExist.Policy.Version',
      404,
    );
  });

  it('refuses to delete a policy with versions or attachments unless cascading', async () => {
    const name = await newPolicy();
    await call(root, 'CreatePolicyVersion', { PolicyName: name, PolicyDocument: ALLOW_DOC('ecs:Start*') });
    await expectFailure(
      call(root, 'DeletePolicy', { PolicyName: name }),
      'DeleteConflict.Policy.Version',
      409,
    );
    await call(root, 'DeletePolicyVersion', { PolicyName: name, VersionId: 'v2' });

    const user = uniq('holder');
    await call(root, 'CreateUser', { UserName: user });
    await call(root, 'AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: name, UserName: user });
    await expectFailure(call(root, 'DeletePolicy', { PolicyName: name }), 'DeleteConflict.Policy.User', 409);
    expect(await customNames()).toContain(name);
    await expectFailure(
      call(root, 'DeletePolicy', { PolicyName: name, CascadingDelete: 'sometimes' }),
      'InvalidParameter',
      400,
      '"CascadingDelete"',
    );

    await call(root, 'CreatePolicyVersion', { PolicyName: name, PolicyDocument: ALLOW_DOC('ecs:Start*') });
    await call(root, 'DeletePolicy', { PolicyName: name, CascadingDelete: true });
    expect(await customNames()).not.toContain(name);
    expect((await call(root, 'ListPoliciesForUser', { UserName: user })).Policies.Policy).toEqual([]);
    await expectFailure(call(root, 'DeletePolicy', { PolicyName: name }), 'EntityNotExist.Policy', 404);
  });

  it('validates PolicyType and names the missing parameter', async () => {
    await expectFailure(
      call(root, 'GetPolicy', { PolicyName: 'ReadOnlyAccess', PolicyType: 'Managed' }),
      'InvalidParameter.PolicyType',
      400,
      'The parameter - "PolicyType" is incorrect.',
    );
    await expectFailure(call(root, 'GetPolicy', { PolicyName: 'ReadOnlyAccess' }), 'MissingPolicyType', 400);
    await expectFailure(
      call(root, 'ListPolicies', { PolicyType: 'custom' }),
      'InvalidParameter.PolicyType',
      400,
    );
    await expectFailure(
      call(root, 'CreatePolicyVersion', { PolicyName: uniq('ghost'), PolicyDocument: ALLOW_DOC() }),
      'EntityNotExist.Policy',
      404,
    );
  });

  it('lists with tag filters and pages with Marker', async () => {
    const tagged = uniq('tagged');
    await call(root, 'CreatePolicy', {
      PolicyName: tagged,
      PolicyDocument: ALLOW_DOC(),
      Tag: [{ Key: 'owner', Value: 'alice' }],
    });
    const filtered = (
      await call(root, 'ListPolicies', { PolicyType: 'Custom', Tag: [{ Key: 'owner', Value: 'alice' }] })
    ).Policies.Policy;
    expect(filtered.map((p: { PolicyName: string }) => p.PolicyName)).toEqual([tagged]);
    expect(filtered[0].Tags.Tag).toEqual([{ TagKey: 'owner', TagValue: 'alice' }]);

    const all = (await call(root, 'ListPolicies', { MaxItems: 1000 })).Policies.Policy.map(
      (p: { PolicyName: string; PolicyType: string }) => `${p.PolicyType}:${p.PolicyName}`,
    );
    const paged: string[] = [];
    let marker: string | undefined;
    do {
      const page = await call(root, 'ListPolicies', { MaxItems: 25, ...(marker ? { Marker: marker } : {}) });
      paged.push(
        ...page.Policies.Policy.map(
          (p: { PolicyName: string; PolicyType: string }) => `${p.PolicyType}:${p.PolicyName}`,
        ),
      );
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    expect(paged).toEqual(all);
    expect(new Set(paged).size).toBe(paged.length);
  });

  it('pop-core and XML', async () => {
    const name = uniq('pop-policy');
    const created = await popCall(server, rootKeys(server), 'CreatePolicy', {
      PolicyName: name,
      PolicyDocument: ALLOW_DOC(),
    });
    expect(created.Policy.DefaultVersion).toBe('v1');
    const v = await popCall(server, rootKeys(server), 'CreatePolicyVersion', {
      PolicyName: name,
      PolicyDocument: ALLOW_DOC('ecs:Start*'),
      SetAsDefault: true,
    });
    expect(v.PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: true });
    const xml = await xmlCall(server, rootKeys(server), 'ListPolicyVersions', {
      PolicyName: name,
      PolicyType: 'Custom',
    });
    expect(xml.status).toBe(200);
    expect(xml.text).toMatch(/<PolicyVersions>\s*<PolicyVersion>/);
    expect(xml.text).toContain('<VersionId>v2</VersionId>');
  });

  it('a RAM user needs ram:CreatePolicy', async () => {
    await authorizationCycle(server, root, {
      actions: ['ram:CreatePolicy'],
      authAction: 'ram:CreatePolicy',
      attempt: (client, name) =>
        call(client, 'CreatePolicy', { PolicyName: name, PolicyDocument: ALLOW_DOC() }),
      unchanged: async (name) => expect(await customNames()).not.toContain(name),
    });
  });
});
