/**
 * Access analysis over a real server holding the seed organization (test/fixtures/company-x.yaml,
 * applied with `rampart apply`): who-can and what-can decision tables, roles reached through
 * trust policies, external access, unused access after moving the clock, and a least-privilege
 * policy generated from the trail and replayed against it. On SQLite and PostgreSQL.
 * Requires a build (`npm run build`): the seed is applied by the CLI.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointUrl, signedCall } from '../../src/cli/call.js';
import { evaluate } from '../../src/policy/index.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { pgAvailable, pgSkipReason } from '../helpers/pg.js';
import { BIN } from '../helpers/server.js';
import { createCatalog } from '../../src/oss/catalog.js';
import { readCalls } from '../../src/api/rampart/trail.js';
import { unusedAccess } from '../../src/analysis/unused.js';
import { decideAccess } from '../../src/analysis/access.js';
import type { Principal } from '../../src/auth/principal.js';
import type { PolicySetInput } from '../../src/policy/index.js';

const run = promisify(execFile);
const SEED = new URL('../fixtures/company-x.yaml', import.meta.url).pathname;
const STORES = pgAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);
if (!pgAvailable) console.warn(pgSkipReason);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.each(STORES)('access analysis on the seed organization (%s)', (store) => {
  let s: InProcessServer;
  let dir: string;
  let ops: { id: string; secret: string };

  async function api(
    product: string,
    action: string,
    params: Record<string, string> = {},
    creds = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret },
  ): Promise<{ status: number; body: Json }> {
    const r = await signedCall(endpointUrl(s.host), creds, product, action, Object.entries(params));
    return { status: r.status, body: JSON.parse(r.body) as Json };
  }
  const ok = async (product: string, action: string, params: Record<string, string> = {}) => {
    const r = await api(product, action, params);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const doc = (...statements: object[]) => JSON.stringify({ Version: '1', Statement: statements });

  beforeAll(async () => {
    s = await startInProcessServer({ store });
    dir = mkdtempSync(join(tmpdir(), 'rampart-analysis-'));
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '' };
    Object.assign(env, {
      ALIBABA_CLOUD_ACCESS_KEY_ID: s.rootAccessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: s.rootAccessKeySecret,
      RAMPART_ENDPOINT: s.host,
      ALIBABA_CLOUD_CONFIG_FILE: join(dir, 'none.json'),
    });
    await run(process.execPath, [BIN, 'apply', '-f', SEED, '--secrets-file', join(dir, 's.json')], {
      env,
      timeout: 120_000,
    });
    // A role the R&D lead carol may assume, one a partner account may assume, and a user
    // whose calls the trail records.
    const A = s.accountId;
    await ok('ram', 'CreateRole', {
      RoleName: 'Auditor',
      AssumeRolePolicyDocument: doc({
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { RAM: [`acs:ram::${A}:root`] },
      }),
    });
    await ok('ram', 'AttachPolicyToRole', {
      PolicyType: 'System',
      PolicyName: 'AliyunRAMReadOnlyAccess',
      RoleName: 'Auditor',
    });
    await ok('ram', 'CreatePolicy', {
      PolicyName: 'AssumeAuditor',
      PolicyDocument: doc({
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: `acs:ram::${A}:role/auditor`,
      }),
    });
    await ok('ram', 'AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: 'AssumeAuditor',
      UserName: 'carol',
    });
    await ok('ram', 'CreateRole', {
      RoleName: 'PartnerRead',
      AssumeRolePolicyDocument: doc({
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { RAM: ['acs:ram::1111222233334444:root'] },
        Condition: { StringEquals: { 'sts:ExternalId': 'abc' } },
      }),
    });
    await ok('ram', 'CreateUser', { UserName: 'ops' });
    await ok('ram', 'CreatePolicy', {
      PolicyName: 'OpsPeople',
      PolicyDocument: doc({
        Effect: 'Allow',
        Action: ['ram:GetUser', 'ram:ListUsers', 'ram:ListGroups', 'ram:CreateGroup', 'ram:DeleteUser'],
        Resource: '*',
      }),
    });
    await ok('ram', 'AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: 'OpsPeople', UserName: 'ops' });
    const key = (await ok('ram', 'CreateAccessKey', { UserName: 'ops' })).AccessKey as Json;
    // The R&D bucket, its public/ folder readable by anyone, deletes refused to carol.
    const catalog = createCatalog(s.deployment.store);
    await catalog.createBucket({
      name: 'rnd-data',
      accountId: A,
      acl: 'private',
      storageClass: 'Standard',
      redundancy: 'LRS',
      createDate: new Date().toISOString(),
    });
    await catalog.setPolicy(
      'rnd-data',
      doc(
        {
          Effect: 'Allow',
          Action: ['oss:GetObject'],
          Principal: ['*'],
          Resource: [`acs:oss:*:${A}:rnd-data/public/*`],
        },
        {
          Effect: 'Deny',
          Action: ['oss:GetObject'],
          Principal: ['*'],
          Resource: [`acs:oss:*:${A}:rnd-data/secret/*`],
        },
      ),
    );
    ops = { id: key.AccessKeyId as string, secret: key.AccessKeySecret as string };
  }, 180_000);
  afterAll(async () => {
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('who-can: a decision table on the seed', async () => {
    const A = s.accountId;
    const table: {
      action: string;
      resource: string;
      expect: Record<string, 'Allowed' | 'Conditional'>;
    }[] = [
      { action: 'ram:CreateUser', resource: `acs:ram:*:${A}:user/zed`, expect: { alice: 'Allowed' } },
      {
        action: 'oss:GetObject',
        resource: `acs:oss:*:${A}:rnd-data/plan.txt`,
        expect: {
          bob: 'Conditional',
          carol: 'Conditional',
          'billing-app': 'Allowed',
          BillingOnEcs: 'Allowed',
        },
      },
      {
        action: 'oss:PutObject',
        resource: `acs:oss:*:${A}:rnd-data/plan.txt`,
        expect: { bob: 'Conditional', carol: 'Conditional' },
      },
      { action: 'ecs:StartInstance', resource: `acs:ecs:*:${A}:instance/i-1`, expect: { bob: 'Allowed' } },
      {
        action: 'ecs:DescribeInstances',
        resource: `acs:ecs:*:${A}:instance/i-1`,
        expect: { bob: 'Allowed', carol: 'Allowed' },
      },
      {
        action: 'ram:ListUsers',
        resource: `acs:ram:*:${A}:user/*`,
        expect: { alice: 'Allowed', ops: 'Allowed', Auditor: 'Allowed' },
      },
      { action: 'ram:DeleteRole', resource: `acs:ram:*:${A}:role/auditor`, expect: {} },
      // The bucket policy joins: everyone reads public/, nobody reads secret/.
      {
        action: 'oss:GetObject',
        resource: `acs:oss:*:${A}:rnd-data/public/a.txt`,
        expect: {
          alice: 'Allowed',
          bob: 'Allowed',
          carol: 'Allowed',
          'billing-app': 'Allowed',
          ops: 'Allowed',
          BillingOnEcs: 'Allowed',
          Auditor: 'Allowed',
          PartnerRead: 'Allowed',
        },
      },
      { action: 'oss:GetObject', resource: `acs:oss:*:${A}:rnd-data/secret/a.txt`, expect: {} },
    ];
    for (const row of table) {
      const body = await ok('rampart', 'WhoCan', { AuthAction: row.action, AuthResource: row.resource });
      const got = Object.fromEntries((body.Principals as Json[]).map((p) => [p.name, p.access]));
      expect(got, `${row.action} ${row.resource}`).toEqual(row.expect);
    }
  });

  it('who-can: the statements that allow, the conditions that remain, the assume paths', async () => {
    const A = s.accountId;
    const body = await ok('rampart', 'WhoCan', {
      AuthAction: 'oss:GetObject',
      AuthResource: `acs:oss:*:${A}:rnd-data/plan.txt`,
    });
    const by = (n: string) => (body.Principals as Json[]).find((p) => p.name === n) as Json;
    expect(by('carol').allowedBy).toEqual([
      {
        policyName: 'RnD-OSS-OfficeHours',
        policyType: 'Custom',
        attachedTo: 'group:RnD',
        statement: 0,
        conditions: [
          'IpAddress acs:SourceIp 192.0.2.0/24',
          'DateGreaterThan acs:CurrentTime 2026-01-01T09:00:00+08:00',
          'DateLessThan acs:CurrentTime 2026-12-31T18:00:00+08:00',
        ],
      },
    ]);
    expect(by('bob').deniedWhen).toEqual(['Bool acs:MFAPresent false']);
    expect(by('carol').deniedWhen).toEqual([]);
    expect(by('BillingOnEcs').principalType).toBe('Role');
    expect(by('BillingOnEcs').assumableBy).toEqual([]);
    const ram = await ok('rampart', 'WhoCan', {
      AuthAction: 'ram:GetUser',
      AuthResource: `acs:ram:*:${A}:user/alice`,
    });
    const auditor = (ram.Principals as Json[]).find((p) => p.name === 'Auditor') as Json;
    expect(auditor.assumableBy).toEqual([{ path: ['user/carol', 'role/Auditor'], access: 'Allowed' }]);
  });

  it('what-can: by service, with the roles a user can assume', async () => {
    const carol = (await ok('rampart', 'WhatCan', { UserName: 'CAROL' })).Principal as Json;
    expect(carol.name).toBe('carol');
    expect((carol.services as Json[]).map((x) => x.service)).toEqual(['ecs', 'oss', 'sts', 'vpc']);
    expect(carol.assumableRoles).toEqual([{ path: ['user/carol', 'role/Auditor'], access: 'Allowed' }]);
    const oss = (carol.services as Json[]).find((x) => x.service === 'oss') as Json;
    expect(oss.allow[0].resources).toEqual(['acs:oss:*:*:rnd-*', 'acs:oss:*:*:rnd-*/*']);
    const bob = (await ok('rampart', 'WhatCan', { UserName: 'bob' })).Principal as Json;
    const star = (bob.services as Json[]).find((x) => x.service === '*') as Json;
    expect(star.deny[0].conditions).toEqual(['Bool acs:MFAPresent false']);
    const role = (await ok('rampart', 'WhatCan', { RoleName: 'BillingOnEcs' })).Principal as Json;
    expect((role.services as Json[]).map((x) => x.service)).toEqual(['oss']);
    const missing = await api('rampart', 'WhatCan', { UserName: 'nobody' });
    expect([missing.status, missing.body.Code]).toEqual([404, 'EntityNotExist.User']);
    const both = await api('rampart', 'WhatCan', { UserName: 'bob', RoleName: 'x' });
    expect([both.status, both.body.Code]).toEqual([400, 'InvalidParameter']);
  });

  it('rampart analyze who-can prints the answer', async () => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      ALIBABA_CLOUD_ACCESS_KEY_ID: s.rootAccessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: s.rootAccessKeySecret,
      RAMPART_ENDPOINT: s.host,
      ALIBABA_CLOUD_CONFIG_FILE: join(dir, 'none.json'),
    };
    const args = [
      'analyze',
      'who-can',
      '--action',
      'ram:CreateUser',
      '--resource',
      `acs:ram:*:${s.accountId}:user/zed`,
    ];
    const r = await run(process.execPath, [BIN, ...args], { env, timeout: 60_000 }).catch(
      (e: { stderr: string }) => {
        throw new Error(e.stderr);
      },
    );
    const body = JSON.parse(r.stdout) as Json;
    expect((body.Principals as Json[]).map((p) => [p.name, p.access])).toEqual([['alice', 'Allowed']]);
    const ext = await run(process.execPath, [BIN, 'analyze', 'external'], { env, timeout: 60_000 });
    expect((JSON.parse(ext.stdout) as Json).Grants).toHaveLength(3);
  });

  it('compares two policy documents over the API, with a witness', async () => {
    const before = doc({ Effect: 'Allow', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:rnd-data/*' });
    const after = doc({ Effect: 'Allow', Action: 'oss:Get*', Resource: 'acs:oss:*:*:rnd-data/*' });
    const r = await ok('rampart', 'ComparePolicyDocuments', { OldDocument: before, NewDocument: after });
    expect(r.Verdict).toBe('widens');
    expect((r.Widening as Json).confirmed).toBe(true);
    expect((r.Widening as Json).newDecision).toBe('Allow');
    expect(r.Approximations).toEqual([]);
    const same = await ok('rampart', 'ComparePolicyDocuments', { OldDocument: after, NewDocument: after });
    expect(same.Verdict).toBe('equivalent');
    const bad = await api('rampart', 'ComparePolicyDocuments', { OldDocument: '{}', NewDocument: after });
    expect([bad.status, bad.body.Code]).toEqual([400, 'MalformedPolicyDocument']);
    const kind = await api('rampart', 'ComparePolicyDocuments', {
      OldDocument: after,
      NewDocument: after,
      Kind: 'trust',
    });
    expect([kind.status, kind.body.Code]).toEqual([400, 'InvalidParameter']);
  });

  it('refuses a caller not allowed the rampart action, and bad input', async () => {
    const denied = await api(
      'rampart',
      'WhoCan',
      { AuthAction: 'ram:GetUser', AuthResource: '*' },
      {
        accessKeyId: ops.id,
        accessKeySecret: ops.secret,
      },
    );
    expect(denied.status).toBe(403);
    expect(denied.body.Code).toBe('NoPermission');
    const bad = await api('rampart', 'WhoCan', { AuthAction: 'no action', AuthResource: '*' });
    expect([bad.status, bad.body.Code]).toEqual([400, 'InvalidParameter']);
    const badArn = await api('rampart', 'WhoCan', { AuthAction: 'ram:GetUser', AuthResource: 'user/alice' });
    expect([badArn.status, badArn.body.Code]).toEqual([400, 'InvalidParameter']);
  });

  it('external access: a role trusted by another account, and a cloud service', async () => {
    const grants = (await ok('rampart', 'ListExternalAccess')).Grants as Json[];
    expect(grants.map((g) => [g.resource, g.kind, g.principal, g.conditions])).toEqual([
      ['role/BillingOnEcs', 'Service', 'ecs.aliyuncs.com', []],
      ['role/PartnerRead', 'Account', 'acs:ram::1111222233334444:root', ['StringEquals sts:ExternalId abc']],
      ['bucket/rnd-data', 'Anyone', '*', []],
    ]);
  });

  it('generates a least-privilege policy from the trail: every call allowed, nothing else', async () => {
    const opsKey = { accessKeyId: ops.id, accessKeySecret: ops.secret };
    for (const [action, params] of [
      ['ListUsers', {}],
      ['GetUser', { UserName: 'ALICE' }],
      ['GetUser', { UserName: 'bob' }],
      ['ListGroups', {}],
    ] as const) {
      expect((await api('ram', action, params, opsKey)).status).toBe(200);
    }
    await s.deployment.audit.flush();
    const gen = await ok('rampart', 'GenerateLeastPrivilegePolicy', { UserName: 'ops', Days: '7' });
    expect(gen.CallCount).toBe(4);
    const policy = JSON.parse(gen.PolicyDocument as string) as object;
    const A = s.accountId;
    const decide = (action: string, resource: string) =>
      evaluate(
        { identity: [{ name: 'generated', document: policy }] },
        { principal: { type: 'RAMUser', accountId: A }, action, resource, context: {} },
      ).decision;
    // Replay: the resources are the stored names (alice, not ALICE).
    expect(decide('ram:ListUsers', `acs:ram:*:${A}:user/*`)).toBe('Allow');
    expect(decide('ram:GetUser', `acs:ram:*:${A}:user/alice`)).toBe('Allow');
    expect(decide('ram:GetUser', `acs:ram:*:${A}:user/bob`)).toBe('Allow');
    expect(decide('ram:ListGroups', `acs:ram:*:${A}:group/*`)).toBe('Allow');
    expect(decide('ram:GetUser', `acs:ram:*:${A}:user/carol`)).toBe('ImplicitDeny');
    expect(decide('ram:CreateGroup', `acs:ram:*:${A}:group/x`)).toBe('ImplicitDeny');
    expect(decide('ram:DeleteUser', `acs:ram:*:${A}:user/bob`)).toBe('ImplicitDeny');
    // Attached to ops in place of OpsPeople, the generated policy lets ops repeat its calls.
    await ok('ram', 'CreatePolicy', {
      PolicyName: 'OpsGenerated',
      PolicyDocument: gen.PolicyDocument as string,
    });
    await ok('ram', 'AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: 'OpsGenerated',
      UserName: 'ops',
    });
    await ok('ram', 'DetachPolicyFromUser', {
      PolicyType: 'Custom',
      PolicyName: 'OpsPeople',
      UserName: 'ops',
    });
    expect((await api('ram', 'GetUser', { UserName: 'alice' }, opsKey)).status).toBe(200);
    expect((await api('ram', 'ListGroups', {}, opsKey)).status).toBe(200);
    expect((await api('ram', 'GetUser', { UserName: 'carol' }, opsKey)).status).toBe(403);
    expect((await api('ram', 'CreateGroup', { GroupName: 'x' }, opsKey)).status).toBe(403);
    await ok('ram', 'AttachPolicyToUser', { PolicyType: 'Custom', PolicyName: 'OpsPeople', UserName: 'ops' });
    await ok('ram', 'DetachPolicyFromUser', {
      PolicyType: 'Custom',
      PolicyName: 'OpsGenerated',
      UserName: 'ops',
    });
  });

  it('unused access: permissions, users and keys idle for N days, console users without MFA', async () => {
    const now = (await ok('rampart', 'ListUnusedAccess', { Days: '30' })).Report as Json;
    expect(now.users).toEqual([]);
    expect((now.consoleUsersWithoutMfa as string[]).sort()).toEqual(['alice', 'bob', 'carol']);
    const opsNow = (now.principals as Json[]).find((p) => p.name === 'ops') as Json;
    expect((opsNow.unused as Json[]).map((u) => u.action).sort()).toEqual([
      'ram:CreateGroup',
      'ram:DeleteUser',
    ]);
    // Forty days on (the analysis read at a later instant: signed calls keep the real clock).
    const later = new Date(s.clock().getTime() + 40 * 86_400_000);
    const calls = await readCalls(s.deployment.services, s.accountId, new Date(0), later);
    expect(calls.filter((c) => c.principalName === 'ops').map((c) => c.action)).toContain('ram:GetUser');
    const report = await unusedAccess(s.deployment.services, s.accountId, calls, { days: 30, now: later });
    expect(report.users.map((u) => u.userName).sort()).toEqual([
      'alice',
      'billing-app',
      'bob',
      'carol',
      'ops',
    ]);
    expect(report.accessKeys.map((k) => k.userName).sort()).toEqual(['billing-app', 'ops']);
    const opsLater = report.principals.find((p) => p.name === 'ops')!;
    expect(opsLater.unusedServices).toEqual(['ram']);
    expect(opsLater.unused.map((u) => u.action)).toContain('ram:GetUser');
  });
});

describe('who-can in a member account of a resource directory', () => {
  it("names a control policy's conditional Deny, never its conditions (the management account's)", () => {
    const member = '1111222233334444';
    const principal: Principal = { type: 'RAMUser', accountId: member, userId: 'u-1', userName: 'ops' };
    const doc = (statement: object) => JSON.stringify({ Version: '1', Statement: [statement] });
    const allowAll = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
    const set: PolicySetInput = {
      identity: [
        { name: 'Admin', type: 'Custom', attachedTo: 'user', document: allowAll },
        {
          name: 'NeedsMfa',
          type: 'Custom',
          attachedTo: 'user',
          document: doc({
            Effect: 'Deny',
            Action: 'ram:DeleteRole',
            Resource: '*',
            Condition: { Bool: { 'acs:MFAPresent': 'false' } },
          }),
        },
      ],
      control: [
        {
          node: 'member',
          policies: [{ name: 'FullAliyunAccess', attachedTo: 'member', document: allowAll }],
        },
        {
          node: 'root',
          policies: [
            { name: 'FullAliyunAccess', attachedTo: 'root', document: allowAll },
            {
              name: 'ProtectRoles',
              type: 'Custom',
              attachedTo: 'root',
              document: doc({
                Sid: 'ExemptBreakGlass',
                Effect: 'Deny',
                Action: 'ram:DeleteRole',
                Resource: '*',
                Condition: { StringNotLike: { 'acs:PrincipalARN': 'acs:ram:*:*:role/BreakGlass' } },
              }),
            },
          ],
        },
      ],
    };
    const d = decideAccess(set, principal, 'ram:DeleteRole', `acs:ram:*:${member}:role/app`);
    expect(d?.access).toBe('Conditional');
    expect(d?.deniedWhen).toEqual([
      'Bool acs:MFAPresent false',
      'conditions of control policy "ProtectRoles" (control:root), not shown',
    ]);
    expect(JSON.stringify(d)).not.toMatch(/BreakGlass|PrincipalARN/);
  });
});
