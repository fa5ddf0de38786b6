/**
 * Who-can and what-can against the engine when the access depends on conditions of a trust
 * policy or a bucket policy, on sts:AssumeRole asked about a role, on wildcard actions, and on
 * a Deny whose Condition is empty. Each answer is checked against the policy engine (`evaluate`
 * over the stored policies, with the stored trust or bucket policy as the resource policy, under
 * a few request contexts) and, for roles, against a real sts:AssumeRole over HTTP. On SQLite and
 * PostgreSQL.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointUrl, signedCall } from '../../src/cli/call.js';
import { requestPrincipal } from '../../src/api/authorize.js';
import { loadSubjects, whatCan } from '../../src/analysis/access.js';
import { createCatalog } from '../../src/oss/catalog.js';
import {
  evaluate,
  type Decision,
  type RequestContext,
  type ResourcePolicyInput,
} from '../../src/policy/index.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { pgAvailable, pgSkipReason } from '../helpers/pg.js';
import { BIN } from '../helpers/server.js';

const run = promisify(execFile);
const STORES = pgAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);
if (!pgAvailable) console.warn(pgSkipReason);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Creds = { accessKeyId: string; accessKeySecret: string };

const doc = (...statements: object[]) => JSON.stringify({ Version: '1', Statement: statements });

/** Contexts the engine is asked under: none, each condition of the fixtures met, all met. */
const CONTEXTS: RequestContext[] = [
  {},
  { 'acs:MFAPresent': { type: 'Bool', values: [true] } },
  { 'acs:SourceIp': { type: 'IP', values: ['192.0.2.5'] } },
  { 'acs:SourceIp': { type: 'IP', values: ['127.0.0.1'] } },
  { 'acs:SourceIp': { type: 'IP', values: ['10.0.0.1'] } },
  {
    'acs:MFAPresent': { type: 'Bool', values: [true] },
    'acs:SourceIp': { type: 'IP', values: ['192.0.2.5'] },
  },
];

describe.each(STORES)('access analysis under trust and bucket policy conditions (%s)', (store) => {
  let s: InProcessServer;
  let A: string;
  const keys: Record<string, Creds> = {};
  const userIds: Record<string, string> = {};

  const root = (): Creds => ({ accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret });
  async function api(product: string, action: string, params: Record<string, string> = {}, creds = root()) {
    const r = await signedCall(endpointUrl(s.host), creds, product, action, Object.entries(params));
    return { status: r.status, body: JSON.parse(r.body) as Json };
  }
  const ok = async (product: string, action: string, params: Record<string, string> = {}) => {
    const r = await api(product, action, params);
    expect(r.status, `${action} ${JSON.stringify(r.body)}`).toBe(200);
    return r.body;
  };
  const trust = (principal: string, condition?: object, ...more: object[]) =>
    doc(
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { RAM: [principal] },
        ...(condition ? { Condition: condition } : {}),
      },
      ...more,
    );

  beforeAll(async () => {
    s = await startInProcessServer({ store });
    A = s.accountId;
    for (const u of ['alice', 'bob', 'carol', 'frank']) {
      userIds[u] = ((await ok('ram', 'CreateUser', { UserName: u })).User as Json).UserId as string;
      const key = (await ok('ram', 'CreateAccessKey', { UserName: u })).AccessKey as Json;
      keys[u] = { accessKeyId: key.AccessKeyId as string, accessKeySecret: key.AccessKeySecret as string };
    }
    for (const u of ['alice', 'bob'])
      await ok('ram', 'AttachPolicyToUser', {
        PolicyType: 'System',
        PolicyName: 'AliyunSTSAssumeRoleAccess',
        UserName: u,
      });
    await ok('ram', 'CreatePolicy', {
      PolicyName: 'OssAll',
      PolicyDocument: doc({ Effect: 'Allow', Action: 'oss:*', Resource: '*' }),
    });
    await ok('ram', 'AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: 'OssAll', UserName: 'carol' });
    // frank: everything on OSS, but never GetObject ("Condition": {} is no condition).
    await ok('ram', 'CreatePolicy', {
      PolicyName: 'OssNoGet',
      PolicyDocument: doc(
        { Effect: 'Allow', Action: 'oss:*', Resource: '*' },
        { Effect: 'Deny', Action: 'oss:GetObject', Resource: '*', Condition: {} },
      ),
    });
    await ok('ram', 'AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: 'OssNoGet',
      UserName: 'frank',
    });
    const roles: [string, string][] = [
      ['mfa-admin', trust(`acs:ram::${A}:user/alice`, { Bool: { 'acs:MFAPresent': 'true' } })],
      ['ip-ops', trust(`acs:ram::${A}:user/bob`, { IpAddress: { 'acs:SourceIp': '127.0.0.0/8' } })],
      ['Plain', trust(`acs:ram::${A}:user/alice`)],
      // Trusts bob, but refuses him outside 127.0.0.0/8: assumable once the Deny's condition fails.
      [
        'guarded',
        trust(`acs:ram::${A}:user/bob`, undefined, {
          Effect: 'Deny',
          Action: 'sts:AssumeRole',
          Principal: { RAM: [`acs:ram::${A}:user/bob`] },
          Condition: { NotIpAddress: { 'acs:SourceIp': '127.0.0.0/8' } },
        }),
      ],
    ];
    for (const [RoleName, AssumeRolePolicyDocument] of roles) {
      await ok('ram', 'CreateRole', { RoleName, AssumeRolePolicyDocument });
      await ok('ram', 'AttachPolicyToRole', {
        PolicyType: 'System',
        PolicyName: 'AdministratorAccess',
        RoleName,
      });
    }
    const catalog = createCatalog(s.deployment.store);
    const bucket = async (name: string, policy: string) => {
      await catalog.createBucket({
        name,
        accountId: A,
        acl: 'private',
        storageClass: 'Standard',
        redundancy: 'LRS',
        createDate: new Date().toISOString(),
      });
      await catalog.setPolicy(name, policy);
    };
    // corpdata: nothing from outside 192.0.2.0/24; shared2: anyone reads from inside it.
    await bucket(
      `corpdata-${store}`,
      doc({
        Effect: 'Deny',
        Action: ['oss:*'],
        Principal: ['*'],
        Resource: [`acs:oss:*:${A}:corpdata-${store}`, `acs:oss:*:${A}:corpdata-${store}/*`],
        Condition: { NotIpAddress: { 'acs:SourceIp': '192.0.2.0/24' } },
      }),
    );
    await bucket(
      `shared2-${store}`,
      doc({
        Effect: 'Allow',
        Action: ['oss:GetObject'],
        Principal: ['*'],
        Resource: [`acs:oss:*:${A}:shared2-${store}/*`],
        Condition: { IpAddress: { 'acs:SourceIp': '192.0.2.0/24' } },
      }),
    );
  }, 120_000);
  afterAll(async () => {
    await s?.stop();
  });

  /** The stored resource policy the server decides a request on, read apart from the analysis. */
  async function resourcePolicyOf(
    action: string,
    resource: string,
  ): Promise<ResourcePolicyInput | undefined> {
    const role = /^acs:ram::([0-9]{16}):role\/(.+)$/.exec(resource);
    if (action === 'sts:AssumeRole' && role) {
      const r = await s.deployment.services.roles.findRole(role[1]!, role[2]!);
      return r && { kind: 'trust-policy', ownerAccountId: r.accountId, document: r.trustPolicy };
    }
    const bucket = /^acs:oss:[^:]*:[^:]*:([^/]+)/.exec(resource)?.[1];
    const b = bucket ? (await createCatalog(s.deployment.store).find(bucket))?.bucket : undefined;
    return b?.policy
      ? { kind: 'oss-bucket-policy', ownerAccountId: b.accountId, document: b.policy }
      : undefined;
  }

  /** The engine's decisions for every user and role of the account, under each of CONTEXTS. */
  async function engine(action: string, resource: string): Promise<Map<string, Decision['decision'][]>> {
    const rp = await resourcePolicyOf(action, resource);
    const out = new Map<string, Decision['decision'][]>();
    for (const subject of await loadSubjects(s.deployment.services, A)) {
      const set = rp ? { ...subject.set, resource: rp } : subject.set;
      out.set(
        subject.name,
        CONTEXTS.map(
          (context) =>
            evaluate(set, {
              principal: requestPrincipal(subject.principal),
              action,
              resource,
              ...(rp ? { resourceOwnerAccountId: rp.ownerAccountId } : {}),
              context,
            }).decision,
        ),
      );
    }
    return out;
  }

  /** who-can's answer, checked against the engine: Allowed, Conditional or absent as it decides. */
  async function whoCanAgrees(action: string, resource: string): Promise<Record<string, Json>> {
    const body = await ok('rampart', 'WhoCan', { AuthAction: action, AuthResource: resource });
    const got = Object.fromEntries((body.Principals as Json[]).map((p) => [p.name as string, p]));
    for (const [name, decisions] of await engine(action, resource)) {
      const expected =
        decisions[0] === 'Allow' ? 'Allowed' : decisions.includes('Allow') ? 'Conditional' : undefined;
      expect(got[name]?.access, `${name} ${action} ${resource}: engine ${decisions.join(',')}`).toBe(
        expected,
      );
    }
    return got;
  }

  it('lists roles whose trust policy allows under a condition (MFA, source IP), and what-can sees them', async () => {
    const got = await whoCanAgrees('ram:DeleteUser', `acs:ram:*:${A}:user/carol`);
    expect(got['mfa-admin']!.assumableBy).toEqual([
      { path: ['user/alice', 'role/mfa-admin'], access: 'Conditional' },
    ]);
    expect(got['ip-ops']!.assumableBy).toEqual([
      { path: ['user/bob', 'role/ip-ops'], access: 'Conditional' },
    ]);
    expect(got['guarded']!.assumableBy).toEqual([
      { path: ['user/bob', 'role/guarded'], access: 'Conditional' },
    ]);
    expect(got['Plain']!.assumableBy).toEqual([{ path: ['user/alice', 'role/Plain'], access: 'Allowed' }]);
    const alice = await whatCan(s.deployment.services, A, 'RAMUser', 'alice');
    expect(alice?.assumableRoles).toEqual([
      { path: ['user/alice', 'role/mfa-admin'], access: 'Conditional' },
      { path: ['user/alice', 'role/Plain'], access: 'Allowed' },
    ]);
    const bob = await whatCan(s.deployment.services, A, 'RAMUser', 'bob');
    expect(bob?.assumableRoles.map((p) => p.path[1]).sort()).toEqual(['role/guarded', 'role/ip-ops']);
  });

  it('who-can sts:AssumeRole on a role decides with its trust policy, as a real AssumeRole does', async () => {
    const mfa = await whoCanAgrees('sts:AssumeRole', `acs:ram::${A}:role/mfa-admin`);
    expect(Object.keys(mfa)).toEqual(['alice']);
    expect(mfa.alice!.allowedBy).toContainEqual({
      policyName: 'mfa-admin',
      attachedTo: 'trust',
      statement: 0,
      conditions: ['Bool acs:MFAPresent true'],
    });
    // The role's name in any case, the ARN with a region wildcard: the stored role.
    const plain = await whoCanAgrees('sts:AssumeRole', `acs:ram::${A}:role/PLAIN`);
    expect(Object.entries(plain).map(([n, p]) => [n, p.access])).toEqual([['alice', 'Allowed']]);
    const star = await ok('rampart', 'WhoCan', {
      AuthAction: 'sts:AssumeRole',
      AuthResource: `acs:ram:*:${A}:role/plain`,
    });
    expect((star.Principals as Json[]).map((p) => p.name)).toEqual(['alice']);
    const guarded = await whoCanAgrees('sts:AssumeRole', `acs:ram::${A}:role/guarded`);
    expect(guarded.bob!.deniedWhen).toEqual(['NotIpAddress acs:SourceIp 127.0.0.0/8']);
    const ip = await whoCanAgrees('sts:AssumeRole', `acs:ram::${A}:role/ip-ops`);
    expect(Object.entries(ip).map(([n, p]) => [n, p.access])).toEqual([['bob', 'Conditional']]);
    expect(await whoCanAgrees('sts:AssumeRole', `acs:ram::${A}:role/nosuchrole`)).toEqual({});
    // The server agrees: from 127.0.0.1, bob assumes ip-ops and guarded, alice Plain; carol nothing.
    const assume = (who: string, role: string) =>
      api(
        'sts',
        'AssumeRole',
        { RoleArn: `acs:ram::${A}:role/${role}`, RoleSessionName: 'analysis' },
        keys[who],
      );
    expect((await assume('bob', 'ip-ops')).status).toBe(200);
    expect((await assume('bob', 'guarded')).status).toBe(200);
    expect((await assume('alice', 'plain')).status).toBe(200);
    expect((await assume('carol', 'plain')).status).toBe(403);
    expect((await assume('bob', 'plain')).status).toBe(403);
  });

  it('a bucket Deny under a condition does not hide principals, a bucket Allow under one lists them', async () => {
    const corp = await whoCanAgrees('oss:GetObject', `acs:oss:*:${A}:corpdata-${store}/a.txt`);
    expect(corp.carol!.access).toBe('Conditional');
    expect(corp.carol!.deniedWhen).toEqual(['NotIpAddress acs:SourceIp 192.0.2.0/24']);
    expect(Object.keys(corp)).toContain('mfa-admin');
    const shared = await whoCanAgrees('oss:GetObject', `acs:oss:*:${A}:shared2-${store}/a.txt`);
    expect(shared.bob!.access).toBe('Conditional');
    expect(shared.bob!.allowedBy).toEqual([
      {
        policyName: `shared2-${store}`,
        attachedTo: 'bucket',
        statement: 0,
        conditions: ['IpAddress acs:SourceIp 192.0.2.0/24'],
      },
    ]);
    expect(shared.carol!.access).toBe('Allowed');
    expect(shared.frank).toBeUndefined();
  });

  it('a Deny with an empty Condition always refuses', async () => {
    const got = await whoCanAgrees('oss:GetObject', `acs:oss:*:${A}:nobucket/x`);
    expect(got.frank).toBeUndefined();
    expect(got.carol!.access).toBe('Allowed');
    expect((await whoCanAgrees('oss:PutObject', `acs:oss:*:${A}:nobucket/x`)).frank!.access).toBe('Allowed');
  });

  it('refuses wildcard actions: the engine decides one action at a time', async () => {
    for (const action of ['*', 'oss:*', 'ecs:Delete*', 'oss:GetObjec?']) {
      const r = await api('rampart', 'WhoCan', { AuthAction: action, AuthResource: '*' });
      expect([r.status, r.body.Code], action).toEqual([400, 'InvalidParameter']);
      expect(r.body.Message).toMatch(/exact action name/);
    }
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      ALIBABA_CLOUD_ACCESS_KEY_ID: s.rootAccessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: s.rootAccessKeySecret,
      RAMPART_ENDPOINT: s.host,
      ALIBABA_CLOUD_CONFIG_FILE: '/nonexistent/rampart-none.json',
    };
    const failed = await run(
      process.execPath,
      [BIN, 'analyze', 'who-can', '--action', '*', '--resource', '*'],
      { env, timeout: 60_000 },
    ).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/InvalidParameter/);
    expect(failed?.stderr).toMatch(/exact action name/);
  });

  it('external access: an own user id is internal, an upper-case or sts ARN of another account external', async () => {
    const other = await s.deployment.services.domain.accounts.create({ rootPassword: 'Other-pass-123' });
    const stranger = await s.deployment.services.domain.users.create(other.accountId, {
      userName: 'stranger',
    });
    await ok('ram', 'CreateRole', {
      RoleName: 'xacct-upper',
      AssumeRolePolicyDocument: trust('ACS:RAM::1234567890123456:root'),
    });
    const catalog = createCatalog(s.deployment.store);
    await catalog.createBucket({
      name: `ids-${store}`,
      accountId: A,
      acl: 'private',
      storageClass: 'Standard',
      redundancy: 'LRS',
      createDate: new Date().toISOString(),
    });
    await catalog.setPolicy(
      `ids-${store}`,
      doc({
        Effect: 'Allow',
        Action: ['oss:GetObject'],
        Principal: [
          userIds.alice!,
          stranger.userId,
          'arn:sts::1234567890123456:assumed-role/reader/*',
          `arn:sts::${A}:assumed-role/reader/*`,
        ],
        Resource: [`acs:oss:*:${A}:ids-${store}/*`],
      }),
    );
    const grants = (await ok('rampart', 'ListExternalAccess')).Grants as Json[];
    const mine = grants.filter(
      (g) => g.resource === 'role/xacct-upper' || g.resource === `bucket/ids-${store}`,
    );
    expect(mine.map((g) => [g.resource, g.kind, g.principal, g.accountId])).toEqual([
      ['role/xacct-upper', 'Account', 'ACS:RAM::1234567890123456:root', '1234567890123456'],
      // Another account's user: listed as its id reads, never with the account it belongs to.
      [`bucket/ids-${store}`, 'Account', stranger.userId, stranger.userId],
      [
        `bucket/ids-${store}`,
        'Account',
        'arn:sts::1234567890123456:assumed-role/reader/*',
        '1234567890123456',
      ],
    ]);
    await ok('ram', 'DeleteRole', { RoleName: 'xacct-upper' });
  });
});
