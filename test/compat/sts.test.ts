/**
 * STS through the official clients against a real server process, on both stores:
 * AssumeRole (its own policies AND the role's trust policy), GetCallerIdentity, temporary
 * credentials on the RAM API with V3 (@alicloud/ram20150501) and V2 (@alicloud/pop-core)
 * signatures, session policies that narrow, role chaining, and every refusal.
 */
import * as Sts from '@alicloud/sts20150401';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, rootKeys, startServer, type KeyPair, type TestServer } from '../helpers/server.js';
import { v3Call } from '../server/http.js';
import { STORES, call, expectFailure, popCall, popFailure, uniq } from './ram-helpers.js';
import { assumeRole, callerIdentity, sessionKeys, stsClient } from './sts-helpers.js';

const allow = (action: string | string[], resource = '*') =>
  JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });

describe.each(STORES)('STS on %s', (store) => {
  let server: TestServer;
  let root: KeyPair;
  let alice: KeyPair;
  let aliceId: string;
  let bob: KeyPair;
  const role = uniq('Deployer');
  let roleArn: string;
  let roleId: string;

  async function userWithKey(name: string): Promise<{ keys: KeyPair; userId: string }> {
    const rc = ramClient(server);
    const u = await call(rc, 'CreateUser', { UserName: name });
    const k = await call(rc, 'CreateAccessKey', { UserName: name });
    return {
      keys: { accessKeyId: k.AccessKey.AccessKeyId, accessKeySecret: k.AccessKey.AccessKeySecret },
      userId: u.User.UserId,
    };
  }

  /** A role trusting `principals` (RAM ARNs), with `policy` attached when given. */
  async function makeRole(
    name: string,
    principals: string[],
    opts: { policy?: string; condition?: object; maxSessionDuration?: number } = {},
  ): Promise<{ arn: string; roleId: string }> {
    const rc = ramClient(server);
    const trust = {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { RAM: principals },
          ...(opts.condition ? { Condition: opts.condition } : {}),
        },
      ],
    };
    const r = await call(rc, 'CreateRole', {
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify(trust),
      ...(opts.maxSessionDuration ? { MaxSessionDuration: opts.maxSessionDuration } : {}),
    });
    if (opts.policy) {
      const policyName = uniq('P');
      await call(rc, 'CreatePolicy', { PolicyName: policyName, PolicyDocument: opts.policy });
      await call(rc, 'AttachPolicyToRole', { PolicyType: 'Custom', PolicyName: policyName, RoleName: name });
    }
    return { arn: r.Role.Arn, roleId: r.Role.RoleId };
  }

  beforeAll(async () => {
    server = await startServer({ store });
    root = rootKeys(server);
    const a = await userWithKey(uniq('alice'));
    alice = a.keys;
    aliceId = a.userId;
    bob = (await userWithKey(uniq('bob'))).keys;
    const rc = ramClient(server);
    const aliceName = (await call(rc, 'ListUsers', {})).Users.User.find(
      (u: { UserId: string }) => u.UserId === aliceId,
    ).UserName;
    await call(rc, 'AttachPolicyToUser', {
      PolicyType: 'System',
      PolicyName: 'AliyunSTSAssumeRoleAccess',
      UserName: aliceName,
    });
    const r = await makeRole(role, [`acs:ram::${server.accountId}:root`], {
      policy: allow(['ram:ListUsers', 'ram:GetUser']),
    });
    roleArn = r.arn;
    roleId = r.roleId;
  });
  afterAll(() => server?.stop());

  it('issues temporary credentials shaped as the SDK reads them', async () => {
    const before = Date.now();
    const res = await assumeRole(server, alice, { RoleArn: roleArn, RoleSessionName: 'alice-ci' });
    const c = res.Credentials;
    expect(c.AccessKeyId).toMatch(/^STS\.[A-Za-z0-9]{20,}$/);
    expect(c.AccessKeySecret.length).toBeGreaterThanOrEqual(30);
    expect(c.SecurityToken.length).toBeGreaterThan(0);
    expect(c.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const expires = Date.parse(c.Expiration);
    expect(expires - before).toBeGreaterThan(3590_000);
    expect(expires - before).toBeLessThan(3610_000);
    expect(res.AssumedRoleUser).toEqual({
      Arn: `acs:ram::${server.accountId}:role/${role.toLowerCase()}/alice-ci`,
      AssumedRoleId: `${roleId}:alice-ci`,
    });
  });

  it('answers GetCallerIdentity for the root, a RAM user and a role session', async () => {
    expect(await callerIdentity(server, root)).toMatchObject({
      AccountId: server.accountId,
      Arn: `acs:ram::${server.accountId}:root`,
      IdentityType: 'Account',
      PrincipalId: server.accountId,
    });
    const me = await callerIdentity(server, alice);
    expect(me).toMatchObject({ AccountId: server.accountId, UserId: aliceId, PrincipalId: aliceId });
    expect(me.IdentityType).toBe('RAMUser');
    expect(me.Arn).toMatch(new RegExp(`^acs:ram::${server.accountId}:user/alice`));
    const s = sessionKeys(await assumeRole(server, alice, { RoleArn: roleArn, RoleSessionName: 'who' }));
    expect(await callerIdentity(server, s)).toMatchObject({
      AccountId: server.accountId,
      RoleId: roleId,
      PrincipalId: `${roleId}:who`,
      Arn: `acs:ram::${server.accountId}:assumed-role/${role}/who`,
      IdentityType: 'AssumedRoleUser',
    });
  });

  it("authorizes a session's calls with the role's policies, over V3 and V2", async () => {
    const s = sessionKeys(await assumeRole(server, alice, { RoleArn: roleArn, RoleSessionName: 'reader' }));
    const listed = await call(ramClient(server, s), 'ListUsers', {});
    expect(listed.Users.User.length).toBeGreaterThanOrEqual(2);
    const denied = await expectFailure(
      call(ramClient(server, s), 'CreateUser', { UserName: uniq('x') }),
      'NoPermission',
      403,
    );
    expect(denied.data.AccessDeniedDetail).toMatchObject({
      AuthAction: 'ram:CreateUser',
      AuthPrincipalType: 'AssumedRoleUser',
      AuthPrincipalDisplayName: `${role}:reader`,
      NoPermissionType: 'ImplicitDeny',
    });
    const v2 = await popCall(server, s, 'ListUsers', {});
    expect(v2.Users.User.length).toBeGreaterThanOrEqual(2);
    const v2denied = await popFailure(popCall(server, s, 'CreateUser', { UserName: uniq('x') }));
    expect(v2denied.code).toBe('NoPermission');
  });

  it('issues working credentials for a session policy of 2,048 characters, however many bytes', async () => {
    // Four-byte characters in UTF-8 fill a value up to the 2,048-character limit.
    const document = (value: string) =>
      JSON.stringify({
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'ram:ListUsers', Resource: '*' },
          {
            Effect: 'Allow',
            Action: 'ram:GetUser',
            Resource: '*',
            Condition: { StringEquals: { 'acs:UserAgent': value } },
          },
        ],
      });
    const policy = document('😀'.repeat(2048 - [...document('')].length));
    expect([...policy].length).toBe(2048);
    const s = sessionKeys(
      await assumeRole(server, alice, { RoleArn: roleArn, RoleSessionName: 'wide', Policy: policy }),
    );
    expect(s.securityToken!.length).toBeGreaterThan(8192);
    expect((await call(ramClient(server, s), 'ListUsers', {})).Users.User.length).toBeGreaterThan(0);
  });

  it("gives a session's acs:PrincipalARN as its role's ARN, without the session", async () => {
    const name = uniq('CondRole');
    const conditioned = (arn: string) =>
      JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'ram:ListUsers',
            Resource: '*',
            Condition: { StringLike: { 'acs:PrincipalARN': arn } },
          },
          {
            Effect: 'Allow',
            Action: 'ram:GetUser',
            Resource: '*',
            Condition: { StringLike: { 'acs:PrincipalARN': 'acs:ram:*:*:role/another-role' } },
          },
        ],
      });
    const r = await makeRole(name, [`acs:ram::${server.accountId}:root`], {
      policy: conditioned(`acs:ram:*:*:role/${name.toLowerCase()}`),
    });
    const s = sessionKeys(await assumeRole(server, alice, { RoleArn: r.arn, RoleSessionName: 'ops' }));
    expect((await call(ramClient(server, s), 'ListUsers', {})).Users.User.length).toBeGreaterThan(0);
    await expectFailure(call(ramClient(server, s), 'GetUser', { UserName: 'anyone' }), 'NoPermission', 403);
  });

  it('narrows a session to its session policy', async () => {
    const s = sessionKeys(
      await assumeRole(server, alice, {
        RoleArn: roleArn,
        RoleSessionName: 'narrow',
        Policy: allow('ram:GetUser'),
      }),
    );
    const f = await expectFailure(call(ramClient(server, s), 'ListUsers', {}), 'NoPermission', 403);
    expect(f.data.AccessDeniedDetail.PolicyType).toBe('SessionPolicy');
    // The session policy cannot widen: CreateUser stays refused even when it allows everything.
    const wide = sessionKeys(
      await assumeRole(server, alice, {
        RoleArn: roleArn,
        RoleSessionName: 'wide',
        Policy: allow('*'),
      }),
    );
    await expectFailure(
      call(ramClient(server, wide), 'CreateUser', { UserName: uniq('x') }),
      'NoPermission',
      403,
    );
    expect((await call(ramClient(server, wide), 'ListUsers', {})).Users.User.length).toBeGreaterThan(0);
  });

  it('needs both the caller’s own permission and the trust policy', async () => {
    // bob has no sts:AssumeRole permission, though the role trusts his account.
    const f = await expectFailure(
      assumeRole(server, bob, { RoleArn: roleArn, RoleSessionName: 'bob' }),
      'NoPermission',
      403,
    );
    expect(f.data.AccessDeniedDetail.AuthAction).toBe('sts:AssumeRole');
    // A role that trusts only bob: alice is allowed by her policies but not trusted.
    const onlyBob = await makeRole(uniq('OnlyBob'), [`acs:ram::${server.accountId}:user/nobody-else`]);
    const g = await expectFailure(
      assumeRole(server, alice, { RoleArn: onlyBob.arn, RoleSessionName: 'alice' }),
      'NoPermission',
      403,
    );
    expect(g.data.AccessDeniedDetail.PolicyType).toBe('AssumeRolePolicy');
    // The trust policy decides for the root too.
    await expectFailure(
      assumeRole(server, root, { RoleArn: onlyBob.arn, RoleSessionName: 'root' }),
      'NoPermission',
      403,
    );
    // A role that does not exist answers exactly like one that does not trust the caller.
    const missing = await expectFailure(
      assumeRole(server, alice, {
        RoleArn: `acs:ram::${server.accountId}:role/${uniq('nosuchrole')}`,
        RoleSessionName: 'alice',
      }),
      'NoPermission',
      403,
    );
    expect(missing.data.AccessDeniedDetail.PolicyType).toBe(g.data.AccessDeniedDetail.PolicyType);
    // The root is trusted by the role that trusts its account.
    const r = await assumeRole(server, root, { RoleArn: roleArn, RoleSessionName: 'root' });
    expect(r.Credentials.AccessKeyId).toMatch(/^STS\./);
  });

  it('checks sts:ExternalId and sts:SourceIdentity against the trust policy', async () => {
    for (const [key, param, right, wrong] of [
      ['sts:ExternalId', 'ExternalId', 'abc-123', 'abc-124'],
      ['sts:SourceIdentity', 'SourceIdentity', 'alice-laptop', 'bob-laptop'],
    ] as const) {
      const role = await makeRole(uniq('Partner'), [`acs:ram::${server.accountId}:root`], {
        condition: { StringEquals: { [key]: right } },
      });
      await expectFailure(
        assumeRole(server, alice, { RoleArn: role.arn, RoleSessionName: 's1' }),
        'NoPermission',
        403,
      );
      await expectFailure(
        assumeRole(server, alice, { RoleArn: role.arn, RoleSessionName: 's1', [param]: wrong }),
        'NoPermission',
        403,
      );
      const ok = await assumeRole(server, alice, {
        RoleArn: role.arn,
        RoleSessionName: 's1',
        [param]: right,
      });
      expect(ok.Credentials.AccessKeyId, key).toMatch(/^STS\./);
    }
  });

  it('tells nothing of a trust policy in a refusal: not its conditions, not that the role exists', async () => {
    const name = uniq('Vendor');
    const ext = await makeRole(name, [`acs:ram::${server.accountId}:root`], {
      condition: { StringEquals: { 'sts:ExternalId': 's3cr3t-ext-id' } },
    });
    const refusal = async (roleArn: string) => {
      const f = await expectFailure(
        assumeRole(server, alice, { RoleArn: roleArn, RoleSessionName: 's1', ExternalId: 'guess' }),
        'NoPermission',
        403,
      );
      const encoded: string = f.data.AccessDeniedDetail.EncodedDiagnosticMessage;
      const decoded = (
        await call(ramClient(server), 'DecodeDiagnosticMessage', { EncodedDiagnosticMessage: encoded })
      ).DecodedDiagnosticMessage;
      return { encoded, decoded, type: f.data.AccessDeniedDetail.NoPermissionType };
    };
    const existing = await refusal(ext.arn);
    // A role of a name of the same length that does not exist.
    const missing = await refusal(ext.arn.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x')));
    expect(JSON.stringify(existing.decoded)).not.toContain('s3cr3t');
    expect(JSON.stringify(existing.decoded)).not.toContain(name);
    expect(existing.decoded.MatchedPolicies).toEqual([]);
    expect(existing.decoded.Explanation).toBe(missing.decoded.Explanation);
    expect(existing.type).toBe(missing.type);
    // The whole message is the same but for the role named (and the time, in the conditions): its
    // length, once compressed, follows that text and nothing else.
    const bare = (d: Record<string, unknown>) => ({ ...d, AuthResource: '', AuthConditions: [] });
    expect(bare(existing.decoded)).toEqual(bare(missing.decoded));
  });

  it('refuses bad parameters with their codes', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ RoleArn: 'acs:ram::1:role/x', RoleSessionName: 'ok-name' }, 'InvalidParameter.RoleArn'],
      [{ RoleArn: `${roleArn}/extra`, RoleSessionName: 'ok-name' }, 'InvalidParameter.RoleArn'],
      [{ RoleArn: roleArn, RoleSessionName: 'a' }, 'InvalidParameter.RoleSessionName'],
      [{ RoleArn: roleArn, RoleSessionName: 'has space' }, 'InvalidParameter.RoleSessionName'],
      [{ RoleArn: roleArn, RoleSessionName: 'x'.repeat(65) }, 'InvalidParameter.RoleSessionName'],
      [
        { RoleArn: roleArn, RoleSessionName: 'ok-name', DurationSeconds: 899 },
        'InvalidParameter.DurationSeconds',
      ],
      [
        { RoleArn: roleArn, RoleSessionName: 'ok-name', DurationSeconds: 3601 },
        'InvalidParameter.DurationSeconds',
      ],
      [
        { RoleArn: roleArn, RoleSessionName: 'ok-name', Policy: 'x'.repeat(2049) },
        'InvalidParameter.PolicySize',
      ],
      [
        { RoleArn: roleArn, RoleSessionName: 'ok-name', Policy: '{"Version":"1"' },
        'InvalidParameter.PolicyGrammar',
      ],
      [
        {
          RoleArn: roleArn,
          RoleSessionName: 'ok-name',
          Policy: '{"Version":"1","Statement":[{"Effect":"Allow"}]}',
        },
        'InvalidParameter.PolicyGrammar',
      ],
      [{ RoleArn: roleArn, RoleSessionName: 'ok-name', ExternalId: 'a b' }, 'InvalidParameter.ExternalId'],
    ];
    for (const [params, code] of cases) {
      const f = await expectFailure(assumeRole(server, alice, params as never), code, 400);
      expect(f.message.length, code).toBeGreaterThan(0);
    }
  });

  it('lets a role with a longer MaxSessionDuration issue longer sessions, and chains for at most an hour', async () => {
    const longRole = await makeRole(uniq('Long'), [`acs:ram::${server.accountId}:root`], {
      maxSessionDuration: 7200,
    });
    const long = await assumeRole(server, alice, {
      RoleArn: longRole.arn,
      RoleSessionName: 'long',
      DurationSeconds: 7200,
    });
    expect(Date.parse(long.Credentials.Expiration) - Date.now()).toBeGreaterThan(7100_000);
    // A session of `role` (allowed sts:AssumeRole by a second policy) assumes longRole.
    const rc = ramClient(server);
    const name = uniq('P');
    await call(rc, 'CreatePolicy', { PolicyName: name, PolicyDocument: allow('sts:AssumeRole') });
    await call(rc, 'AttachPolicyToRole', { PolicyType: 'Custom', PolicyName: name, RoleName: role });
    const first = sessionKeys(await assumeRole(server, alice, { RoleArn: roleArn, RoleSessionName: 'hop1' }));
    await expectFailure(
      assumeRole(server, first, { RoleArn: longRole.arn, RoleSessionName: 'hop2', DurationSeconds: 3601 }),
      'InvalidParameter.DurationSeconds',
      400,
    );
    const second = await assumeRole(server, first, {
      RoleArn: longRole.arn,
      RoleSessionName: 'hop2',
      DurationSeconds: 3600,
    });
    expect(await callerIdentity(server, sessionKeys(second))).toMatchObject({
      IdentityType: 'AssumedRoleUser',
      RoleId: longRole.roleId,
    });
    await call(rc, 'DetachPolicyFromRole', { PolicyType: 'Custom', PolicyName: name, RoleName: role });
  });

  it('applies a change to the role on the next request, and ends sessions of a deleted role', async () => {
    const name = uniq('Temp');
    const temp = await makeRole(name, [`acs:ram::${server.accountId}:root`], {
      policy: allow('ram:ListUsers'),
    });
    const s = sessionKeys(await assumeRole(server, alice, { RoleArn: temp.arn, RoleSessionName: 'live' }));
    await call(ramClient(server, s), 'ListUsers', {});
    const rc = ramClient(server);
    const deny = uniq('Deny');
    await call(rc, 'CreatePolicy', {
      PolicyName: deny,
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Deny', Action: 'ram:ListUsers', Resource: '*' }],
      }),
    });
    await call(rc, 'AttachPolicyToRole', { PolicyType: 'Custom', PolicyName: deny, RoleName: name });
    const f = await expectFailure(call(ramClient(server, s), 'ListUsers', {}), 'NoPermission', 403);
    expect(f.data.AccessDeniedDetail.NoPermissionType).toBe('ExplicitDeny');
    // Delete the role (detach first), then create one of the same name: the old session stays dead.
    for (const p of (await call(rc, 'ListPoliciesForRole', { RoleName: name })).Policies.Policy) {
      await call(rc, 'DetachPolicyFromRole', {
        PolicyType: p.PolicyType,
        PolicyName: p.PolicyName,
        RoleName: name,
      });
    }
    await call(rc, 'DeleteRole', { RoleName: name });
    await makeRole(name, [`acs:ram::${server.accountId}:root`], { policy: allow('ram:ListUsers') });
    await expectFailure(call(ramClient(server, s), 'ListUsers', {}), 'InvalidSecurityToken.Expired', 400);
  });

  it('refuses tampered, foreign and missing tokens', async () => {
    const a = await assumeRole(server, alice, { RoleArn: roleArn, RoleSessionName: 'tokens' });
    const b = await assumeRole(server, alice, { RoleArn: roleArn, RoleSessionName: 'other' });
    const s = sessionKeys(a);
    const t = s.securityToken!;
    const flipped = t.slice(0, -3) + (t.at(-3) === 'A' ? 'B' : 'A') + t.slice(-2);
    await expectFailure(
      call(ramClient(server, { ...s, securityToken: flipped }), 'ListUsers', {}),
      'InvalidSecurityToken.Malformed',
      400,
    );
    await expectFailure(
      call(ramClient(server, { ...s, securityToken: 'not-a-token' }), 'ListUsers', {}),
      'InvalidSecurityToken.Malformed',
      400,
    );
    await expectFailure(
      call(ramClient(server, { ...s, securityToken: b.Credentials.SecurityToken }), 'ListUsers', {}),
      'InvalidSecurityToken.MismatchWithAccessKey',
      400,
    );
    // A token with a long-lived AccessKey: it does not belong to that key.
    await expectFailure(
      call(ramClient(server, { ...alice, securityToken: t }), 'ListUsers', {}),
      'InvalidSecurityToken.MismatchWithAccessKey',
      400,
    );
    const noToken = await v3Call(
      server,
      { accessKeyId: s.accessKeyId, accessKeySecret: s.accessKeySecret },
      'ListUsers',
    );
    expect([noToken.status, JSON.parse(noToken.text).Code]).toEqual([400, 'MissingSecurityToken']);
    // The right token with another secret: the signature does not match.
    await expectFailure(
      call(ramClient(server, { ...s, accessKeySecret: b.Credentials.AccessKeySecret }), 'ListUsers', {}),
      'SignatureDoesNotMatch',
      400,
    );
  });

  /**
   * A Deny of sts:AssumeRole on `resource` (given the role's name as created and its stored
   * ARN) refuses alice every spelling of the role's ARN, each an ExplicitDeny.
   */
  async function deniedInEveryCase(prefix: string, resource: (name: string, arn: string) => string) {
    const name = uniq(prefix);
    const role = await makeRole(name, [`acs:ram::${server.accountId}:root`]);
    expect(name).not.toBe(name.toLowerCase());
    const rc = ramClient(server);
    const aliceName = (await callerIdentity(server, alice)).Arn!.split('/')[1]!;
    const deny = uniq(`No${prefix}`);
    await call(rc, 'CreatePolicy', {
      PolicyName: deny,
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Deny', Action: 'sts:AssumeRole', Resource: resource(name, role.arn) }],
      }),
    });
    await call(rc, 'AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: deny, UserName: aliceName });
    try {
      for (const spelling of [name, name.toUpperCase(), name.toLowerCase()]) {
        const f = await expectFailure(
          assumeRole(server, alice, {
            RoleArn: `acs:ram::${server.accountId}:role/${spelling}`,
            RoleSessionName: 'case',
          }),
          'NoPermission',
          403,
        );
        expect(f.data.AccessDeniedDetail.NoPermissionType, spelling).toBe('ExplicitDeny');
      }
    } finally {
      await call(rc, 'DetachPolicyFromUser', { PolicyType: 'Custom', PolicyName: deny, UserName: aliceName });
    }
  }

  it('decides on the stored role whatever the case of the RoleArn', async () => {
    await deniedInEveryCase('Guarded', (_name, arn) => arn);
  });

  it('holds a Deny written with the role name as it was created, for every spelling of the RoleArn', async () => {
    await deniedInEveryCase('Deployer', (name) => `acs:ram:*:*:role/${name}`);
  });

  it('takes federated sign-in unsigned, even with a key the deployment does not check', async () => {
    const client = stsClient(server, alice);
    await expectFailure(
      client.assumeRoleWithSAML(new Sts.AssumeRoleWithSAMLRequest({})),
      'MissingParameter.SAMLProviderArn',
      400,
    );
    await expectFailure(
      client.assumeRoleWithOIDC(new Sts.AssumeRoleWithOIDCRequest({})),
      'MissingOIDCProviderArn',
      400,
    );
  });
});
