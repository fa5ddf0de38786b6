/**
 * AccessKey-free workloads and @alicloud/credentials: a workload bound to a role by
 * `rampart workload create` gets, uses and renews the role's temporary credentials through the
 * official credentials-URI provider, in a child process that holds no AccessKey; the
 * environment-variable provider carries a security token. Refusals: a wrong secret, an address
 * outside the binding's networks, a revoked binding (its credentials end at once), a role that
 * no longer trusts the account.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, rampart } from '../helpers/cli.js';
import { ramClient, rootKeys, startServer, type TestServer } from '../helpers/server.js';
import { STORES, TRUST_ACCOUNT, call, expectFailure, uniq } from './ram-helpers.js';
import { assumeRole, callerIdentity, sessionKeys } from './sts-helpers.js';
import { attributes, eventually, lookup } from '../audit/helpers.js';

const run = promisify(execFile);

/**
 * A workload program: the default credential chain of @alicloud/credentials (no key of its
 * own), a RAM client using it, `calls` ListUsers calls; prints the AccessKeyIds it used.
 */
const WORKLOAD = `
const Credential = require('@alicloud/credentials').default;
const OpenApi = require('@alicloud/openapi-client');
const Ram = require('@alicloud/ram20150501');
(async () => {
  const credential = new Credential();
  const client = new Ram.default(new OpenApi.Config({ credential, endpoint: process.argv[1], protocol: 'http', regionId: 'cn-hangzhou' }));
  const used = [];
  for (let i = 0; i < Number(process.argv[2]); i++) {
    const c = await credential.getCredential();
    used.push(c.accessKeyId);
    const r = await client.listUsers(new Ram.ListUsersRequest({}));
    if (r.statusCode !== 200) throw new Error('status ' + r.statusCode);
  }
  console.log(JSON.stringify({ used, provider: (await credential.getCredential()).providerName }));
})().catch((e) => { console.error(e.code || '', e.message); process.exit(1); });
`;

describe.each(STORES)('workload credentials on %s', (store) => {
  let server: TestServer;
  let home: string;
  const roleName = uniq('Builder');

  const cliStore = () => [
    '--data',
    server.dataDir,
    ...(server.databaseUrl ? ['--database-url', server.databaseUrl] : []),
  ];

  async function bind(name: string, extra: string[] = []): Promise<{ uri: string; path: string }> {
    const r = await rampart([
      'workload',
      'create',
      ...cliStore(),
      '--name',
      name,
      '--role',
      roleName,
      '--json',
      ...extra,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { CredentialsPath: string; RoleName: string };
    expect(out.RoleName).toBe(roleName);
    return { uri: `${server.endpoint}${out.CredentialsPath}`, path: out.CredentialsPath };
  }

  /** Runs the workload program with only the given credential variables. */
  async function workload(env: Record<string, string>, calls: number) {
    const r = await run(process.execPath, ['-e', WORKLOAD, server.host, String(calls)], {
      cwd: process.cwd(),
      env: childEnv({
        HOME: home,
        ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
        ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true',
        ALIBABA_CLOUD_ACCESS_KEY_ID: '',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: '',
        ...env,
      }),
      encoding: 'utf8',
      timeout: 30_000,
    });
    return JSON.parse(r.stdout) as { used: string[]; provider: string };
  }

  beforeAll(async () => {
    server = await startServer({ store });
    home = mkdtempSync(join(tmpdir(), 'rampart-home-'));
    const rc = ramClient(server);
    await call(rc, 'CreateRole', {
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { RAM: [`acs:ram::${server.accountId}:root`] },
          },
        ],
      }),
    });
    const policy = uniq('List');
    await call(rc, 'CreatePolicy', {
      PolicyName: policy,
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: 'ram:ListUsers', Resource: '*' }],
      }),
    });
    await call(rc, 'AttachPolicyToRole', { PolicyType: 'Custom', PolicyName: policy, RoleName: roleName });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('serves role credentials to the credentials-URI provider, renewing them', async () => {
    // 900 s credentials are inside the provider's 15-minute refresh window: it fetches anew
    // before every call, so three calls use three sets of credentials.
    const { uri } = await bind(uniq('ci'), ['--duration', '900']);
    const out = await workload({ ALIBABA_CLOUD_CREDENTIALS_URI: uri }, 3);
    expect(out.provider).toMatch(/credential_uri/);
    expect(out.used).toHaveLength(3);
    for (const id of out.used) expect(id).toMatch(/^STS\./);
    expect(new Set(out.used).size).toBe(3);
    const list = await rampart(['workload', 'list', ...cliStore(), '--json']);
    const found = (JSON.parse(list.stdout) as { Workloads: { LastUsedDate?: string }[] }).Workloads;
    expect(found.some((w) => w.LastUsedDate !== undefined)).toBe(true);
  });

  it('answers the endpoint in the provider’s shape, and refuses what it must', async () => {
    const name = uniq('svc');
    const { uri } = await bind(name);
    const ok = await fetch(uri);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, string>;
    expect(body.Code).toBe('Success');
    expect(body.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(body.Expiration!) - Date.now()).toBeGreaterThan(3500_000);
    const keys = {
      accessKeyId: body.AccessKeyId!,
      accessKeySecret: body.AccessKeySecret!,
      securityToken: body.SecurityToken!,
    };
    await call(ramClient(server, keys), 'ListUsers', {});

    const refused = async (u: string, init?: RequestInit) => {
      const r = await fetch(u, init);
      const b = (await r.json()) as { Code: string };
      return [r.status, b.Code];
    };
    const wrongSecret = uri.slice(0, -4) + (uri.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(await refused(wrongSecret)).toEqual([403, 'Forbidden.WorkloadIdentity']);
    expect(await refused(`${server.endpoint}/workload/credentials/rwi.123.x`)).toEqual([
      403,
      'Forbidden.WorkloadIdentity',
    ]);
    expect(await refused(uri, { method: 'POST' })).toEqual([405, 'UnsupportedHTTPMethod']);

    // Each request of a known binding is in the trail, the refusal too; the token never is.
    const events = await eventually(async () => {
      const r = await lookup(server, rootKeys(server), {
        ...attributes(['EventName', 'GetWorkloadCredentials']),
        MaxResults: '50',
      });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const mine = r.Events.filter((e: any) => e.requestParameters.WorkloadName === name);
      expect(mine.length).toBeGreaterThanOrEqual(2);
      return mine as {
        errorCode: string;
        eventSource: string;
        resourceName?: string;
        additionalEventData: Record<string, string>;
      }[];
    });
    const issued = events.find((e) => e.errorCode === '');
    expect(issued).toMatchObject({
      eventSource: 'sts.aliyuncs.com',
      resourceName: `acs:ram::${server.accountId}:role/${roleName.toLowerCase()}`,
    });
    expect(issued!.additionalEventData.RoleSessionName).toBe(`workload-${name}`);
    expect(events.some((e) => e.errorCode === 'Forbidden.WorkloadIdentity')).toBe(true);
    const secret = new URL(uri).pathname.split('.').pop()!;
    expect(JSON.stringify(events)).not.toContain(secret);

    // Revoked: the URI stops working and the credentials it gave end on their next use.
    const r = await rampart(['workload', 'revoke', ...cliStore(), '--name', name.toUpperCase(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    // Named as stored, whatever case it was asked in (in the operator log too, with its id).
    expect(JSON.parse(r.stdout)).toEqual({ Revoked: name });
    expect(await refused(uri)).toEqual([403, 'Forbidden.WorkloadIdentity']);
    await expectFailure(call(ramClient(server, keys), 'ListUsers', {}), 'InvalidSecurityToken.Expired', 400);
  });

  it('ends role sessions chained from its credentials when the binding is revoked', async () => {
    const rc = ramClient(server);
    const chainer = uniq('Chainer');
    await call(rc, 'CreateRole', {
      RoleName: chainer,
      AssumeRolePolicyDocument: TRUST_ACCOUNT(server.accountId),
    });
    await call(rc, 'AttachPolicyToRole', {
      PolicyType: 'System',
      PolicyName: 'AliyunSTSAssumeRoleAccess',
      RoleName: chainer,
    });
    const name = uniq('chain');
    const created = await rampart([
      'workload',
      'create',
      ...cliStore(),
      '--name',
      name,
      '--role',
      chainer,
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const body = (await (
      await fetch(
        `${server.endpoint}${(JSON.parse(created.stdout) as { CredentialsPath: string }).CredentialsPath}`,
      )
    ).json()) as Record<string, string>;
    const keys = {
      accessKeyId: body.AccessKeyId!,
      accessKeySecret: body.AccessKeySecret!,
      securityToken: body.SecurityToken!,
    };
    const arn = `acs:ram::${server.accountId}:role/${chainer.toLowerCase()}`;
    const chained = sessionKeys(await assumeRole(server, keys, { RoleArn: arn, RoleSessionName: 'chained' }));
    const twice = sessionKeys(await assumeRole(server, chained, { RoleArn: arn, RoleSessionName: 'again' }));
    await callerIdentity(server, twice);
    const r = await rampart(['workload', 'revoke', ...cliStore(), '--name', name, '--json']);
    expect(r.code, r.stderr).toBe(0);
    for (const k of [keys, chained, twice])
      await expectFailure(callerIdentity(server, k), 'InvalidSecurityToken.Expired', 400);
  });

  it('refuses a duration that is no whole number of seconds, and networks that name none', async () => {
    for (const duration of ['0x384', '1e3', '900.0', ' 900']) {
      const r = await rampart([
        'workload',
        'create',
        ...cliStore(),
        '--name',
        uniq('bad'),
        '--role',
        roleName,
        '--duration',
        duration,
      ]);
      expect([duration, r.code, r.stderr]).toEqual([
        duration,
        2,
        expect.stringContaining('--duration must be a whole number'),
      ]);
    }
    for (const networks of [';', ' , ', '']) {
      const r = await rampart([
        'workload',
        'create',
        ...cliStore(),
        '--name',
        uniq('open'),
        '--role',
        roleName,
        '--networks',
        networks,
      ]);
      expect([networks, r.code, r.stderr]).toEqual([
        networks,
        1,
        expect.stringContaining('InvalidParameter.Networks'),
      ]);
    }
    const list = await rampart(['workload', 'list', ...cliStore(), '--json']);
    const names = (JSON.parse(list.stdout) as { Workloads: { Name: string }[] }).Workloads.map((w) => w.Name);
    expect(names.filter((n) => n.startsWith('bad-') || n.startsWith('open-'))).toEqual([]);
  });

  it('holds a workload to its networks', async () => {
    const { uri } = await bind(uniq('net'), ['--networks', '192.0.2.0/24']);
    const r = await fetch(uri);
    expect(r.status).toBe(403);
    const { uri: local } = await bind(uniq('net'), ['--networks', '10.0.0.0/8;127.0.0.1']);
    expect((await fetch(local)).status).toBe(200);
    const bad = await rampart([
      'workload',
      'create',
      ...cliStore(),
      '--name',
      uniq('x'),
      '--role',
      roleName,
      '--networks',
      'nowhere',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('InvalidParameter.Networks');
  });

  it('follows the role’s trust policy', async () => {
    const other = uniq('Closed');
    const rc = ramClient(server);
    await call(rc, 'CreateRole', {
      RoleName: other,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { RAM: [`acs:ram::${server.accountId}:user/someone`] },
          },
        ],
      }),
    });
    const r = await rampart([
      'workload',
      'create',
      ...cliStore(),
      '--name',
      uniq('w'),
      '--role',
      other,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const path = (JSON.parse(r.stdout) as { CredentialsPath: string }).CredentialsPath;
    expect((await fetch(`${server.endpoint}${path}`)).status).toBe(403);
  });

  it('reads a security token from the environment provider', async () => {
    const s = sessionKeys(
      await assumeRole(server, rootKeys(server), {
        RoleArn: `acs:ram::${server.accountId}:role/${roleName.toLowerCase()}`,
        RoleSessionName: 'env',
      }),
    );
    const out = await workload(
      {
        ALIBABA_CLOUD_ACCESS_KEY_ID: s.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: s.accessKeySecret,
        ALIBABA_CLOUD_SECURITY_TOKEN: s.securityToken!,
      },
      1,
    );
    expect(out.used).toEqual([s.accessKeyId]);
    expect(out.provider).toMatch(/env/);
  });
});
