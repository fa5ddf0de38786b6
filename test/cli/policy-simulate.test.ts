/**
 * `rampart policy simulate`: offline with policy files, and live through the server's
 * authorization point (a real server process, both stores), where the principal's stored
 * policies and groups decide, a change holds on the next question, and bad input is refused.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseContextFlags } from '../../src/cli/policy-simulate.js';
import { BIN, pgAvailable, ramClient, startServer, type TestServer } from '../helpers/server.js';
import { call, uniq } from '../compat/ram-helpers.js';

const run = promisify(execFile);
const STORES = pgAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

const dir = mkdtempSync(join(tmpdir(), 'rampart-simulate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[], extra: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env))
    if (k.startsWith('ALIBABA_CLOUD_') || k.startsWith('RAMPART_')) delete env[k];
  Object.assign(env, { ALIBABA_CLOUD_CONFIG_FILE: join(dir, 'none.json') }, extra);
  try {
    const r = await run(process.execPath, [BIN, 'policy', 'simulate', ...args], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const x = err as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

function policyFile(name: string, doc: object): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

describe('context flags', () => {
  it('types values and makes a repeated key multi-valued, whatever its case', () => {
    expect(
      parseContextFlags(['acs:SourceIp=10.0.0.1', 'oss:Prefix=a', 'OSS:prefix=b', 'x:n=3', 'x:b=true']),
    ).toEqual({
      'acs:SourceIp': ['10.0.0.1'],
      'oss:Prefix': ['a', 'b'],
      'x:n': [3],
      'x:b': [true],
    });
    expect(() => parseContextFlags(['novalue'])).toThrow(/KEY=VALUE/);
    expect(() => parseContextFlags(['=x'])).toThrow(/KEY=VALUE/);
  });
});

describe('offline', () => {
  const officeOnly = {
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'oss:GetObject',
        Resource: 'acs:oss:*:*:lab/*',
        Condition: { IpAddress: { 'acs:SourceIp': '10.0.0.0/8' } },
      },
    ],
  };

  it('allows inside the condition and explains the near miss outside it', async () => {
    const file = policyFile('office.json', officeOnly);
    const inside = await cli([
      '--policy',
      file,
      '--action',
      'oss:GetObject',
      '--resource',
      'acs:oss:*:*:lab/a.txt',
      '--context',
      'acs:SourceIp=10.1.2.3',
      '--format',
      'json',
    ]);
    expect(inside.code, inside.stderr).toBe(0);
    expect(JSON.parse(inside.stdout)).toMatchObject({ Decision: 'Allow', Action: 'oss:GetObject' });

    const outside = await cli([
      '--policy',
      file,
      '--action',
      'oss:GetObject',
      '--resource',
      'acs:oss:*:*:lab/a.txt',
      '--context',
      'acs:SourceIp=192.0.2.1',
    ]);
    expect(outside.code, outside.stderr).toBe(0);
    expect(outside.stdout).toMatch(/^Decision:\s+ImplicitDeny/m);
    expect(outside.stdout).toContain('IpAddress');

    const otherAction = await cli([
      '--policy',
      file,
      '--action',
      'oss:PutObject',
      '--resource',
      'acs:oss:*:*:lab/a.txt',
    ]);
    expect(otherAction.stdout).toMatch(/^Decision:\s+ImplicitDeny/m);
  });

  it('reads a condition key named __proto__ as any other key', async () => {
    const file = policyFile(
      'proto.json',
      JSON.parse(
        '{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"*",' +
          '"Condition":{"StringEquals":{"__proto__":"yes"}}}]}',
      ) as object,
    );
    const ask = (value: string) =>
      cli([
        '--policy',
        file,
        '--action',
        'oss:GetObject',
        '--resource',
        'acs:oss:*:*:lab/a.txt',
        '--context',
        `__proto__=${value}`,
      ]);
    const yes = await ask('yes');
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toMatch(/^Decision:\s+Allow/m);
    expect((await ask('no')).stdout).toMatch(/^Decision:\s+ImplicitDeny/m);
  });

  it('lets an explicit Deny win, and refuses bad input with exit 2', async () => {
    const deny = policyFile('deny.json', {
      Version: '1',
      Statement: [{ Effect: 'Deny', Action: 'oss:*', Resource: '*' }],
    });
    const both = await cli([
      '--policy',
      policyFile('office2.json', officeOnly),
      '--policy',
      deny,
      '--action',
      'oss:GetObject',
      '--resource',
      'acs:oss:*:*:lab/a.txt',
      '--context',
      'acs:SourceIp=10.0.0.1',
    ]);
    expect(both.stdout).toMatch(/^Decision:\s+ExplicitDeny/m);

    const invalid = policyFile('bad.json', {
      Version: '1',
      Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }],
    });
    const r1 = await cli(['--policy', invalid, '--action', 'ram:GetUser', '--resource', '*']);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/bad\.json/);
    const r2 = await cli(['--action', 'ram:GetUser', '--resource', '*']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/name one principal/);
    const r3 = await cli([
      '--policy',
      deny,
      '--action',
      'ram:GetUser',
      '--resource',
      '*',
      '--principal',
      'bob',
    ]);
    expect(r3.code).toBe(2);
    const r4 = await cli(['--policy', deny, '--action', 'ram:GetUser', '--resource', '*', '--format', 'xml']);
    expect(r4.code).toBe(2);
  });
});

describe.each(STORES)('live through the authorization point (%s)', (store) => {
  let server: TestServer;
  const root = (): NodeJS.ProcessEnv => ({
    ALIBABA_CLOUD_ACCESS_KEY_ID: server.rootAccessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: server.rootAccessKeySecret,
    RAMPART_ENDPOINT: server.host,
  });

  beforeAll(async () => {
    server = await startServer({ store });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("decides with the principal's stored policies and groups, and a change holds on the next question", async () => {
    const ram = ramClient(server);
    const user = uniq('sim');
    const group = uniq('readers');
    await call(ram, 'CreateUser', { UserName: user });
    await call(ram, 'CreateGroup', { GroupName: group });
    await call(ram, 'AddUserToGroup', { UserName: user, GroupName: group });
    await call(ram, 'AttachPolicyToGroup', {
      PolicyType: 'System',
      PolicyName: 'AliyunOSSReadOnlyAccess',
      GroupName: group,
    });
    // The stored spelling decides, whatever case the question uses.
    const principal = `acs:ram::${server.accountId}:user/${user.toUpperCase()}`;
    const ask = (action: string) =>
      cli(
        [
          '--principal',
          principal,
          '--action',
          action,
          '--resource',
          'acs:oss:*:*:lab/a.txt',
          '--format',
          'json',
        ],
        root(),
      );

    const read = await ask('oss:GetObject');
    expect(read.code, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({
      Decision: 'Allow',
      Principal: `acs:ram::${server.accountId}:user/${user}`,
    });
    expect(JSON.parse(await ask('oss:PutObject').then((r) => r.stdout))).toMatchObject({
      Decision: 'ImplicitDeny',
    });

    // --user names a user of the caller's account; --group decides with the group's policies.
    const byName = await cli(
      ['--user', user, '--action', 'oss:ListObjects', '--resource', 'acs:oss:*:*:lab', '--format', 'json'],
      root(),
    );
    expect(JSON.parse(byName.stdout)).toMatchObject({ Decision: 'Allow' });
    const byGroup = await cli(
      ['--group', group, '--action', 'oss:GetObject', '--resource', 'acs:oss:*:*:lab/a'],
      root(),
    );
    expect(byGroup.code, byGroup.stderr).toBe(0);
    expect(byGroup.stdout).toMatch(/^Decision:\s+Allow/m);
    expect(byGroup.stdout).toContain('AliyunOSSReadOnlyAccess');

    await call(ram, 'RemoveUserFromGroup', { UserName: user, GroupName: group });
    expect(JSON.parse(await ask('oss:GetObject').then((r) => r.stdout))).toMatchObject({
      Decision: 'ImplicitDeny',
    });
    await call(ram, 'DetachPolicyFromGroup', {
      PolicyType: 'System',
      PolicyName: 'AliyunOSSReadOnlyAccess',
      GroupName: group,
    });
    const emptied = await cli(
      ['--group', group, '--action', 'oss:GetObject', '--resource', 'acs:oss:*:*:lab/a'],
      root(),
    );
    expect(emptied.stdout).toMatch(/^Decision:\s+ImplicitDeny/m);
  });

  it("decides for a role's sessions with --role", async () => {
    const ram = ramClient(server);
    const role = uniq('simrole');
    await call(ram, 'CreateRole', {
      RoleName: role,
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
    const ask = () =>
      cli(
        ['--role', role, '--action', 'ram:ListUsers', '--resource', `acs:ram:*:${server.accountId}:user/*`],
        root(),
      );
    expect((await ask()).stdout).toMatch(/^Decision:\s+ImplicitDeny/m);
    await call(ram, 'AttachPolicyToRole', {
      PolicyType: 'System',
      PolicyName: 'ReadOnlyAccess',
      RoleName: role,
    });
    expect((await ask()).stdout).toMatch(/^Decision:\s+Allow/m);
  });

  it("decides sts:AssumeRole with the role's trust policy, as AssumeRole does", async () => {
    const ram = ramClient(server);
    const user = uniq('assumer');
    const open = uniq('openrole');
    const gated = uniq('mfarole');
    await call(ram, 'CreateUser', { UserName: user });
    await call(ram, 'AttachPolicyToUser', {
      PolicyType: 'System',
      PolicyName: 'AliyunSTSAssumeRoleAccess',
      UserName: user,
    });
    const trusting = (condition?: object) =>
      JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { RAM: [`acs:ram::${server.accountId}:user/${user}`] },
            ...(condition ? { Condition: condition } : {}),
          },
        ],
      });
    await call(ram, 'CreateRole', { RoleName: open, AssumeRolePolicyDocument: trusting() });
    await call(ram, 'CreateRole', {
      RoleName: gated,
      AssumeRolePolicyDocument: trusting({ Bool: { 'acs:MFAPresent': 'true' } }),
    });
    const ask = (role: string, ...extra: string[]) =>
      cli(
        [
          '--user',
          user,
          '--action',
          'sts:AssumeRole',
          '--resource',
          `acs:ram::${server.accountId}:role/${role}`,
          '--format',
          'json',
          ...extra,
        ],
        root(),
      ).then((r) => JSON.parse(r.stdout) as { Decision: string });
    expect(await ask(open)).toMatchObject({ Decision: 'Allow' });
    expect(await ask(open.toUpperCase())).toMatchObject({ Decision: 'Allow' });
    expect(await ask(gated)).toMatchObject({ Decision: 'ImplicitDeny' });
    expect(await ask(gated, '--context', 'acs:MFAPresent=true')).toMatchObject({ Decision: 'Allow' });
    // A role that does not exist trusts no one.
    expect(await ask(uniq('norole'))).toMatchObject({ Decision: 'ImplicitDeny' });
  });

  it('passes the server refusal through with exit 1, and needs credentials', async () => {
    const unknown = await cli(
      [
        '--principal',
        `acs:ram::${server.accountId}:user/nobody-here`,
        '--action',
        'ram:GetUser',
        '--resource',
        '*',
      ],
      root(),
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/"Code"/);
    const missingGroup = await cli(
      ['--group', 'no-such-group', '--action', 'ram:GetUser', '--resource', '*'],
      root(),
    );
    expect(missingGroup.code).toBe(1);
    expect(missingGroup.stderr).toContain('EntityNotExist.Group');
    const two = await cli(
      ['--user', 'a', '--role', 'b', '--action', 'ram:GetUser', '--resource', '*'],
      root(),
    );
    expect(two.code).toBe(2);
    const noCreds = await cli(
      ['--principal', `acs:ram::${server.accountId}:root`, '--action', 'ram:GetUser', '--resource', '*'],
      { RAMPART_ENDPOINT: server.host },
    );
    expect(noCreds.code).not.toBe(0);
  });
});
