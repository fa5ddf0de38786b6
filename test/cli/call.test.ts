import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCallArgs } from '../../src/cli/call.js';
import { BIN, startServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
let server: TestServer;
let configDir: string;

beforeAll(async () => {
  server = await startServer();
  configDir = mkdtempSync(join(tmpdir(), 'rampart-cli-config-'));
});

afterAll(async () => {
  await server?.stop();
  rmSync(configDir, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string | undefined>) {
  const e: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(e)) if (k.startsWith('ALIBABA_CLOUD_') || k.startsWith('RAMPART_')) delete e[k];
  e.ALIBABA_CLOUD_CONFIG_FILE = join(configDir, 'none.json');
  for (const [k, v] of Object.entries(env)) if (v !== undefined) e[k] = v;
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: e, encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const x = err as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

const envCreds = () => ({
  ALIBABA_CLOUD_ACCESS_KEY_ID: server.rootAccessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: server.rootAccessKeySecret,
  RAMPART_ENDPOINT: server.host,
});

describe('rampart <product> <Action>', () => {
  it('calls the API with credentials from the environment and prints the result JSON', async () => {
    const r = await cli(
      ['ram', 'CreateUser', '--UserName', 'cli-bob', '--Comments', 'made by a b*c~d'],
      envCreds(),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { User: { UserName: string; Comments: string }; RequestId: string };
    expect(out.User.UserName).toBe('cli-bob');
    expect(out.User.Comments).toBe('made by a b*c~d');
    expect(out.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(r.stdout).toContain('\n  "');

    const got = await cli(['ram', 'GetUser', '--UserName=cli-bob'], envCreds());
    expect(JSON.parse(got.stdout).User.UserName).toBe('cli-bob');
  });

  it('passes RAM list parameters given as JSON strings through', async () => {
    const doc = JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: 'ram:Get*', Resource: '*' }],
    });
    const r = await cli(
      [
        'ram',
        'CreatePolicy',
        '--PolicyName',
        'cli-policy',
        '--PolicyDocument',
        doc,
        '--Tag',
        '[{"Key":"team","Value":"blue"}]',
      ],
      envCreds(),
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).Policy.PolicyName).toBe('cli-policy');
  });

  it('exits non-zero with the error JSON on stderr for an API error', async () => {
    const r = await cli(['ram', 'GetUser', '--UserName', 'nobody'], envCreds());
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr)).toMatchObject({ Code: 'EntityNotExist.User', HostId: 'ram.aliyuncs.com' });
  });

  it('reads an AK profile of the aliyun CLI configuration file with --profile', async () => {
    const file = join(configDir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        current: 'other',
        profiles: [
          { name: 'other', mode: 'AK', access_key_id: 'LTAIwrong', access_key_secret: 'wrong' },
          {
            name: 'rampart',
            mode: 'AK',
            access_key_id: server.rootAccessKeyId,
            access_key_secret: server.rootAccessKeySecret,
          },
        ],
      }),
    );
    const ok = await cli(['ram', 'GetAccountAlias', '--profile', 'rampart', '--endpoint', server.endpoint], {
      ALIBABA_CLOUD_CONFIG_FILE: file,
    });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toHaveProperty('AccountAlias');

    const current = await cli(['ram', 'GetAccountAlias', '--endpoint', server.host], {
      ALIBABA_CLOUD_CONFIG_FILE: file,
    });
    expect(current.code).toBe(1);
    expect(JSON.parse(current.stderr).Code).toBe('InvalidAccessKeyId.NotFound');

    const missing = await cli(['ram', 'GetAccountAlias', '--profile', 'nope'], {
      ALIBABA_CLOUD_CONFIG_FILE: file,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('profile nope not found');
  });

  it('says so when there are no credentials', async () => {
    const r = await cli(['ram', 'ListUsers'], { RAMPART_ENDPOINT: server.host });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no credentials');
  });
});

describe('parseCallArgs', () => {
  it('separates its own options from API parameters', () => {
    expect(
      parseCallArgs([
        'ram',
        'CreateUser',
        '--UserName',
        'bob',
        '--profile',
        'p',
        '--Comments=a=b',
        '--endpoint',
        'h:1',
      ]),
    ).toEqual({
      product: 'ram',
      action: 'CreateUser',
      params: [
        ['UserName', 'bob'],
        ['Comments', 'a=b'],
      ],
      profile: 'p',
      endpoint: 'h:1',
      dryrun: false,
      quiet: false,
      help: false,
    });
  });

  it('takes --output=..., and refuses a value for a flag and a name given twice', () => {
    expect(parseCallArgs(['ram', 'ListUsers', '--output=cols=UserName', 'rows=Users.User[]']).output).toEqual(
      {
        cols: ['UserName'],
        rows: 'Users.User[]',
      },
    );
    expect(parseCallArgs(['ram', 'ListUsers', '--pager=path=Users.User[]']).pager).toEqual({
      path: 'Users.User[]',
    });
  });

  it.each([
    [['nope', 'X'], 'unknown product: nope'],
    [['ram', 'CreateUser', '--UserName', 'u4', '--UserName', 'u5'], '--UserName is given more than once'],
    [['ram', 'GetUser', '--profile', 'a', '--profile=b'], '--profile is given more than once'],
    [['ram', 'GetUser', '--dryrun=true'], '--dryrun takes no value'],
    [['ram', 'ListUsers', '--output=rows=X[]'], '--output needs cols=A,B'],
    [['ram', 'GetUser', '--UserName'], '--UserName needs a value'],
    [['ram', 'GetUser', 'bob'], 'unexpected argument: bob'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCallArgs(argv)).toThrow(message);
  });
});
