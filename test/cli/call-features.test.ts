/**
 * `rampart <product> <Action>` as the aliyun CLI users expect it: the seed tutorial's steps
 * verbatim, calls checked against the API metadata before anything is sent, tables, paging,
 * dry runs, quiet runs, and profiles written by `rampart configure` in every mode (AK,
 * StsToken, RamRoleArn with its cached session, ChainableRamRoleArn, CredentialsURI).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidates } from '../../src/cli/completion.js';
import { endpointUrl, redactedRequest, table } from '../../src/cli/call.js';
import { checkCall, didYouMean } from '../../src/cli/metadata.js';
import { BIN, startServer, type TestServer } from '../helpers/server.js';
import { rampart } from '../helpers/cli.js';
import type { Json } from '../compat/ram-helpers.js';

const run = promisify(execFile);
let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'rampart-cli-features-'));
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string> = {}) {
  const e: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(e)) if (k.startsWith('ALIBABA_CLOUD_') || k.startsWith('RAMPART_')) delete e[k];
  e.ALIBABA_CLOUD_CONFIG_FILE = join(dir, 'absent.json');
  Object.assign(e, env);
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: e, encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const x = err as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

const root = () => ({
  ALIBABA_CLOUD_ACCESS_KEY_ID: server.rootAccessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: server.rootAccessKeySecret,
  RAMPART_ENDPOINT: server.host,
});

async function ok(args: string[], env: Record<string, string> = root()) {
  const r = await cli(args, env);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout.trim() ? (JSON.parse(r.stdout) as Json) : {};
}

describe('the seed tutorial, verbatim', () => {
  it('creates a group, attaches a System policy, creates a user with a login profile, and cleans up', async () => {
    await ok(['ram', 'CreateGroup', '--GroupName', 'dev-team', '--Comments', 'Development team']);
    await ok([
      'ram',
      'AttachPolicyToGroup',
      '--PolicyType',
      'System',
      '--PolicyName',
      'AliyunOSSReadOnlyAccess',
      '--GroupName',
      'dev-team',
    ]);
    await ok(['ram', 'CreateUser', '--UserName', 'alice', '--DisplayName', 'Alice']);
    await ok([
      'ram',
      'CreateLoginProfile',
      '--UserName',
      'alice',
      '--Password',
      'Tutorial#Pass-2026',
      '--PasswordResetRequired',
      'true',
    ]);
    await ok(['ram', 'AddUserToGroup', '--UserName', 'alice', '--GroupName', 'dev-team']);
    expect((await ok(['ram', 'GetUser', '--UserName', 'alice'])).User.DisplayName).toBe('Alice');
    const groups = await ok(['ram', 'ListGroupsForUser', '--UserName', 'alice']);
    expect(groups.Groups.Group.map((g: { GroupName: string }) => g.GroupName)).toEqual(['dev-team']);
    const policies = await ok(['ram', 'ListPoliciesForGroup', '--GroupName', 'dev-team']);
    expect(policies.Policies.Policy.map((p: { PolicyName: string }) => p.PolicyName)).toEqual([
      'AliyunOSSReadOnlyAccess',
    ]);
    await ok(['ram', 'RemoveUserFromGroup', '--UserName', 'alice', '--GroupName', 'dev-team']);
    await ok(['ram', 'DeleteLoginProfile', '--UserName', 'alice']);
    await ok(['ram', 'DeleteUser', '--UserName', 'alice']);
    await ok([
      'ram',
      'DetachPolicyFromGroup',
      '--PolicyType',
      'System',
      '--PolicyName',
      'AliyunOSSReadOnlyAccess',
      '--GroupName',
      'dev-team',
    ]);
    await ok(['ram', 'DeleteGroup', '--GroupName', 'dev-team']);
  });
});

describe('calls checked before they are sent', () => {
  it('refuses an unknown action, an unknown parameter and a missing one, with the likely name, sending nothing', async () => {
    const a = await cli(['ram', 'CreateUsr', '--UserName', 'x1'], root());
    expect([a.code, a.stderr.trim()]).toEqual([
      2,
      'rampart: unknown action CreateUsr of ram; did you mean CreateUser?',
    ]);
    const b = await cli(['ram', 'CreateUser', '--UserNme', 'x1'], root());
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('unknown parameter --UserNme for ram CreateUser; did you mean --UserName?');
    expect(b.stderr).toContain('missing required parameter --UserName');
    const c = await cli(['sts', 'AssumeRole', '--RoleSessionName', 'x'], root());
    expect([c.code, c.stderr.trim()]).toEqual([2, 'rampart: missing required parameter --RoleArn']);
    const d = await cli(['rum', 'ListUsers'], root());
    expect([d.code, d.stderr.trim()]).toEqual([2, 'rampart: unknown product: rum; did you mean ram?']);
    // Nothing reached the server.
    const users = await ok(['ram', 'ListUsers']);
    expect(users.Users.User.some((u: { UserName: string }) => u.UserName === 'x1')).toBe(false);
  });

  it('lists actions and parameters with --help', async () => {
    const p = await cli(['sts', '--help']);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/AssumeRole\n\s+AssumeRoleWithOIDC/);
    const a = await cli(['ram', 'CreateUser', '--help']);
    expect(a.stdout).toMatch(/\* --UserName/);
    expect(a.stdout).toMatch(/ {3}--DisplayName/);
  });

  it('knows flattened list parameters of IMS', () => {
    expect(
      checkCall('ims', 'CreateUser', ['UserPrincipalName', 'DisplayName', 'Tag.1.Key', 'Tag.1.Value']),
    ).toEqual([]);
    expect(checkCall('ims', 'CreateUser', ['UserPrincipalName', 'DisplayName', 'Tags.1.Key'])[0]).toContain(
      'did you mean --Tag?',
    );
    expect(didYouMean('lisusers', ['ListUsers', 'ListGroups'])).toBe('ListUsers');
    expect(didYouMean('Zzzzzz', ['ListUsers'])).toBeUndefined();
  });
});

describe('output, paging, dry runs', () => {
  beforeAll(async () => {
    for (const n of ['page-a', 'page-b', 'page-c'])
      await ok(['ram', 'CreateUser', '--UserName', n, '--DisplayName', `D ${n}`]);
  });

  it('prints a table with --output cols=... rows=...', async () => {
    const r = await cli(
      ['ram', 'ListUsers', '--output', 'cols=UserName,DisplayName', 'rows=Users.User[]'],
      root(),
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^UserName\s+\| DisplayName$/);
    expect(lines[1]).toMatch(/^-+ \| -+$/);
    expect(lines).toContainEqual(expect.stringMatching(/^page-b\s+\| D page-b$/));
    expect(table({ A: { B: [{ x: 1 }, { x: 2, y: 'z' }] } }, { cols: ['x', 'y'], rows: 'A.B[]' })).toBe(
      'x | y\n- | -\n1 |\n2 | z',
    );
  });

  it('follows every page with --pager', async () => {
    const one = await ok(['ram', 'ListUsers', '--MaxItems', '1']);
    expect(one.IsTruncated).toBe(true);
    const all = await ok(['ram', 'ListUsers', '--MaxItems', '1', '--pager']);
    const names = all.Users.User.map((u: { UserName: string }) => u.UserName);
    expect(names).toEqual(expect.arrayContaining(['page-a', 'page-b', 'page-c']));
    expect(new Set(names).size).toBe(names.length);
    expect(all.IsTruncated).toBe(false);
    expect(all.Marker).toBeUndefined();
  });

  it('prints the signed request with --dryrun and sends nothing; prints nothing with --quiet', async () => {
    const r = await cli(['ram', 'CreateUser', '--UserName', 'dry-run-user', '--dryrun'], root());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/\?UserName=dry-run-user\n/);
    expect(r.stdout).toMatch(/authorization: ACS3-HMAC-SHA256 Credential=/);
    expect(r.stdout).not.toContain(server.rootAccessKeySecret);
    const users = await ok(['ram', 'ListUsers']);
    expect(users.Users.User.some((u: { UserName: string }) => u.UserName === 'dry-run-user')).toBe(false);
    const q = await cli(['ram', 'CreateUser', '--UserName', 'quiet-user', '--quiet'], root());
    expect([q.code, q.stdout]).toEqual([0, '']);
    await ok(['ram', 'GetUser', '--UserName', 'quiet-user']);
  });
});

describe('calls refused or shown safely', () => {
  it('shows a dry run that cannot be replayed: signature and security token masked', async () => {
    const r = await cli(['ram', 'CreateAccessKey', '--UserName', 'nobody', '--dryrun'], {
      ...root(),
      ALIBABA_CLOUD_SECURITY_TOKEN: 'token-of-the-session',
    });
    expect(r.code).toBe(0);
    const auth = /^authorization: (.*)$/m.exec(r.stdout)?.[1];
    expect(auth).toMatch(/^ACS3-HMAC-SHA256 Credential=\S+,SignedHeaders=\S+,Signature=<not shown>$/);
    expect(r.stdout).not.toMatch(/Signature=[0-9a-f]/i);
    expect(r.stdout).toContain('x-acs-security-token: <security token: not shown>');
    expect(r.stdout).not.toContain('token-of-the-session');
    expect(r.stderr).toBe(
      'rampart: dry run: nothing was sent; the signature and security token are not shown, so the request cannot be replayed\n',
    );
    expect(
      redactedRequest('/?Action=X&Signature=abc%2B&SecurityToken=t&Name=n', { 'x-acs-date': 'd' }),
    ).toEqual({
      path: '/?Action=X&Signature=%3Cnot%20shown%3E&SecurityToken=%3Cnot%20shown%3E&Name=n',
      headers: { 'x-acs-date': 'd' },
    });
  });

  it.each([
    [['ram', 'GetUser', '--UserName', 'u', '--pager'], 'rampart: --pager: GetUser does not page\n'],
    [
      ['ram', 'ListUsers', '--pager', 'path=Nope.Thing[]'],
      'rampart: --pager path=Nope.Thing[]: the answer of ListUsers has no list at Nope.Thing\n',
    ],
    [
      ['ram', 'ListUsers', '--pager', 'path=RequestId'],
      'rampart: --pager path=RequestId: the answer of ListUsers has no list at RequestId\n',
    ],
  ])('refuses a --pager that cannot page as a usage error: %j', async (args, message) => {
    const r = await cli(args, root());
    expect([r.code, r.stderr, r.stdout]).toEqual([2, message, '']);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'knows %s for no action, sending nothing',
    async (action) => {
      const r = await cli(['ram', action], root());
      expect([r.code, r.stderr]).toEqual([2, `rampart: unknown action ${action} of ram\n`]);
      const help = await cli(['ram', action, '--help'], root());
      expect(help.code).toBe(2);
      expect(help.stdout).toBe('');
      expect(candidates(['ram', action, '--'])).toEqual(expect.not.arrayContaining(['--UserName']));
    },
  );

  it('refuses an endpoint that is not H:P or a base URL before anything is sent', async () => {
    const bad = await cli(['ram', 'ListUsers', '--endpoint', 'not a host'], root());
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'rampart: invalid endpoint: not a host (H:P or a base URL)\n',
    ]);
    const user = await cli(['ram', 'ListUsers', '--endpoint', `http://user:pass@${server.host}`], root());
    expect([user.code, user.stderr]).toEqual([
      2,
      'rampart: invalid endpoint: it holds a user name or password (H:P or a base URL)\n',
    ]);
    expect(() => endpointUrl('http://h:1/#x')).toThrow('the endpoint must be H:P or a base URL');
  });

  it('names the missing half of the credentials in the environment', async () => {
    const { ALIBABA_CLOUD_ACCESS_KEY_ID, RAMPART_ENDPOINT } = root();
    const r = await cli(['ram', 'ListUsers'], { ALIBABA_CLOUD_ACCESS_KEY_ID, RAMPART_ENDPOINT });
    expect([r.code, r.stderr]).toEqual([
      2,
      'rampart: ALIBABA_CLOUD_ACCESS_KEY_SECRET is missing (ALIBABA_CLOUD_ACCESS_KEY_ID is set)\n',
    ]);
  });

  it('prints a control character of a value as its escape, keeping each row on one line', () => {
    const lines = table(
      { U: [{ a: 'line1\nline2 ü', b: '\u001b[31mred' }] },
      { cols: ['a', 'b'], rows: 'U[]' },
    ).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('line1\\nline2 ü | \\u001b[31mred');
  });
});

describe('profiles', () => {
  const config = () => join(dir, 'aliyun', 'config.json');

  it('writes AK profiles in the aliyun format, mode 0600, and calls with them', async () => {
    const set = await rampart([
      'configure',
      'set',
      '--config-path',
      config(),
      '--profile',
      'dev',
      '--mode',
      'AK',
      '--access-key-id',
      server.rootAccessKeyId,
      '--access-key-secret',
      server.rootAccessKeySecret,
      '--region',
      'cn-hangzhou',
      '--endpoint',
      server.host,
    ]);
    expect(set.code, set.stderr).toBe(0);
    expect(statSync(config()).mode & 0o777).toBe(0o600);
    const file = JSON.parse(readFileSync(config(), 'utf8'));
    expect(file).toMatchObject({
      current: 'dev',
      profiles: [
        {
          name: 'dev',
          mode: 'AK',
          access_key_id: server.rootAccessKeyId,
          region_id: 'cn-hangzhou',
          endpoint: server.host,
        },
      ],
    });
    const r = await cli(['ram', 'GetAccountAlias', '--config-path', config(), '--profile', 'dev']);
    expect(r.code, r.stderr).toBe(0);
    const shown = await rampart(['configure', 'get', '--config-path', config(), '--profile', 'dev']);
    expect(shown.stdout).not.toContain(server.rootAccessKeySecret);
    expect(JSON.parse(shown.stdout).access_key_secret).toMatch(/^\*{4}/);
    const bad = await rampart([
      'configure',
      'set',
      '--config-path',
      config(),
      '--profile',
      'x',
      '--mode',
      'RamRoleArn',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'mode RamRoleArn needs --access-key-id, --access-key-secret, --ram-role-arn',
    );
  });

  it('reads a profile file written by the aliyun CLI', async () => {
    const path = join(dir, 'written-by-aliyun.json');
    writeFileSync(
      path,
      JSON.stringify({
        current: 'default',
        profiles: [
          {
            name: 'default',
            mode: 'AK',
            access_key_id: server.rootAccessKeyId,
            access_key_secret: server.rootAccessKeySecret,
            sts_token: '',
            ram_role_name: '',
            ram_role_arn: '',
            ram_session_name: '',
            source_profile: '',
            private_key: '',
            key_pair_name: '',
            expired_seconds: 0,
            verified: '',
            region_id: 'cn-hangzhou',
            output_format: 'json',
            language: 'en',
            site: '',
            retry_timeout: 0,
            connect_timeout: 0,
            retry_count: 0,
            process_command: '',
            credentials_uri: '',
          },
        ],
        meta_path: '',
      }),
    );
    const r = await cli(['ram', 'GetAccountAlias'], {
      ALIBABA_CLOUD_CONFIG_FILE: path,
      RAMPART_ENDPOINT: server.host,
    });
    expect(r.code, r.stderr).toBe(0);
  });

  it('assumes a role for RamRoleArn and ChainableRamRoleArn profiles, and keeps the session until it nears its end', async () => {
    await ok([
      'ram',
      'CreateRole',
      '--RoleName',
      'CliRole',
      '--AssumeRolePolicyDocument',
      JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { RAM: [`acs:ram::${server.accountId}:root`] },
          },
        ],
      }),
    ]);
    const arn = `acs:ram::${server.accountId}:role/clirole`;
    const base = ['configure', 'set', '--config-path', config()];
    expect(
      (
        await rampart([
          ...base,
          '--profile',
          'role',
          '--mode',
          'RamRoleArn',
          '--access-key-id',
          server.rootAccessKeyId,
          '--access-key-secret',
          server.rootAccessKeySecret,
          '--ram-role-arn',
          arn,
          '--role-session-name',
          'cli',
          '--endpoint',
          server.host,
        ])
      ).code,
    ).toBe(0);
    expect(
      (
        await rampart([
          ...base,
          '--profile',
          'chain',
          '--mode',
          'ChainableRamRoleArn',
          '--source-profile',
          'dev',
          '--ram-role-arn',
          arn,
          '--role-session-name',
          'chained',
        ])
      ).code,
    ).toBe(0);
    const who = await ok(['sts', 'GetCallerIdentity', '--config-path', config(), '--profile', 'role'], {});
    expect(who).toMatchObject({
      IdentityType: 'AssumedRoleUser',
      Arn: `acs:ram::${server.accountId}:assumed-role/CliRole/cli`,
    });
    const cache = join(dir, 'aliyun', '.rampart-sts-cache.json');
    expect(statSync(cache).mode & 0o777).toBe(0o600);
    const first = JSON.parse(readFileSync(cache, 'utf8')).role.accessKeyId;
    await ok(['sts', 'GetCallerIdentity', '--config-path', config(), '--profile', 'role'], {});
    expect(JSON.parse(readFileSync(cache, 'utf8')).role.accessKeyId).toBe(first);
    const chained = await ok(
      ['sts', 'GetCallerIdentity', '--config-path', config(), '--profile', 'chain'],
      {},
    );
    expect(chained.Arn).toBe(`acs:ram::${server.accountId}:assumed-role/CliRole/chained`);
  });

  it('uses a CredentialsURI profile', async () => {
    const made = await rampart([
      'workload',
      'create',
      '--data',
      server.dataDir,
      '--name',
      'cli-uri',
      '--role',
      'CliRole',
      '--json',
    ]);
    expect(made.code, made.stderr).toBe(0);
    const uri = `${server.endpoint}${JSON.parse(made.stdout).CredentialsPath}`;
    expect(
      (
        await rampart([
          'configure',
          'set',
          '--config-path',
          config(),
          '--profile',
          'uri',
          '--mode',
          'CredentialsURI',
          '--credentials-uri',
          uri,
          '--endpoint',
          server.host,
        ])
      ).code,
    ).toBe(0);
    const who = await ok(['sts', 'GetCallerIdentity', '--config-path', config(), '--profile', 'uri'], {});
    expect(who.Arn).toBe(`acs:ram::${server.accountId}:assumed-role/CliRole/workload-cli-uri`);
    expect(existsSync(config())).toBe(true);
  });
});

describe('completion', () => {
  it('completes products, actions and parameters from the metadata', () => {
    expect(candidates(['ra'])).toEqual(['ram']);
    expect(candidates(['ram', 'ListUsersF'])).toEqual(['ListUsersForGroup']);
    expect(candidates(['ram', 'CreateUser', '--UserName', 'x', '--Di'])).toEqual(['--DisplayName']);
    expect(candidates(['ram', 'CreateUser', '--UserName', 'x', '--User'])).toEqual([]);
  });
});
