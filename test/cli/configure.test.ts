/**
 * `rampart configure get` / `list` mask every secret a profile holds (the console session of
 * `rampart login` among them), and the configuration file is written 0600 in a 0700
 * directory whatever was there before: a directory open to others is tightened (or refused
 * when it belongs to another user), and the temporary file of the atomic replace is created
 * exclusively, never through a file or link already at its name.
 */
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePrivateJson } from '../../src/cli/profile.js';
import { rampart, tempDir } from '../helpers/cli.js';

let dir: string;
let remove: () => void;

beforeAll(() => {
  ({ dir, remove } = tempDir('rampart-configure-'));
});
afterAll(() => remove());

/** The environment of a child that reads no profile or credential of the machine it runs on. */
const clean = { ALIBABA_CLOUD_CONFIG_FILE: '', ALIBABA_CLOUD_PROFILE: '' };

const SESSION_ID = 'c2Vzc2lvbi1vZi1lcmluLXRoYXQtbXVzdC1ub3QtbGVhaw4f9e';
const SECRETS = {
  access_key_secret: 'sts-secret-0123456789abcdefWXYZ',
  sts_token: 'CAIS-security-token-0123456789-TOKN',
  rampart_session: `rampart_session=${SESSION_ID}`,
};
/** Fields of the aliyun CLI's other modes that hold a credential, kept in the file as they are. */
const ALIYUN_SECRETS = {
  private_key: '-----BEGIN RSA PRIVATE KEY-----MIIEowIBAAKCAQEAprivate-----END RSA PRIVATE KEY-----',
  access_token: 'cloudsso-access-token-0123456789-SSOt',
  oauth_access_token: 'oauth-access-token-0123456789-OAac',
  oauth_refresh_token: 'oauth-refresh-token-0123456789-OArf',
  bearer_token: 'bearer-token-0123456789-BEAR',
};

function writeProfiles(path: string): void {
  writeFileSync(
    path,
    JSON.stringify({
      current: 'me',
      profiles: [
        {
          // As rampart login writes it.
          name: 'me',
          mode: 'StsToken',
          access_key_id: 'STS.NUexampleKeyId',
          ...SECRETS,
          sts_expiration: '2030-01-01T00:00:00Z',
          endpoint: '127.0.0.1:8080',
          rampart_login_name: 'erin@login-cli.onaliyun.com',
        },
        { name: 'sso', mode: 'CloudSSO', region_id: 'cn-hangzhou', ...ALIYUN_SECRETS },
      ],
    }),
    { mode: 0o600 },
  );
}

describe('configure get and list', () => {
  it('mask the console session that rampart login stores in a profile', async () => {
    const path = join(dir, 'login-profile.json');
    writeProfiles(path);

    const got = await rampart(['configure', 'get', '--config-path', path, '--profile', 'me'], clean);
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout).not.toContain(SESSION_ID);
    for (const secret of Object.values(SECRETS)) expect(got.stdout).not.toContain(secret);
    expect(JSON.parse(got.stdout)).toEqual({
      name: 'me',
      mode: 'StsToken',
      access_key_id: 'STS.NUexampleKeyId',
      access_key_secret: '****WXYZ',
      sts_token: '****TOKN',
      rampart_session: `****${SESSION_ID.slice(-4)}`,
      sts_expiration: '2030-01-01T00:00:00Z',
      endpoint: '127.0.0.1:8080',
      rampart_login_name: 'erin@login-cli.onaliyun.com',
    });

    const listed = await rampart(['configure', 'list', '--config-path', path], clean);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).not.toContain(SESSION_ID);
    const me = JSON.parse(listed.stdout).profiles.find((p: { name: string }) => p.name === 'me');
    expect(me.rampart_session).toBe(`****${SESSION_ID.slice(-4)}`);
  });

  it('mask the credentials of the aliyun CLI’s other modes that the file keeps', async () => {
    const path = join(dir, 'aliyun-profile.json');
    writeProfiles(path);
    const got = await rampart(['configure', 'get', '--config-path', path, '--profile', 'sso'], clean);
    expect(got.code, got.stderr).toBe(0);
    const listed = await rampart(['configure', 'list', '--config-path', path], clean);
    expect(listed.code, listed.stderr).toBe(0);
    for (const secret of Object.values(ALIYUN_SECRETS)) {
      expect(got.stdout).not.toContain(secret);
      expect(listed.stdout).not.toContain(secret);
    }
    const sso = JSON.parse(got.stdout);
    for (const [k, v] of Object.entries(ALIYUN_SECRETS)) expect(sso[k]).toBe(`****${v.slice(-4)}`);
    expect(sso.region_id).toBe('cn-hangzhou');
  });
});

describe('a configuration file that is not valid', () => {
  it('is refused with exit 2 by every subcommand', async () => {
    const path = join(dir, 'corrupt.json');
    writeFileSync(path, '{not json', { mode: 0o600 });
    const message = `rampart configure: ${path} is not a valid configuration file (a JSON object)\n`;
    for (const args of [
      ['configure', 'set', '--profile', 'p', '--access-key-id', 'a', '--access-key-secret', 'b'],
      ['configure', 'list'],
      ['configure', 'get', '--profile', 'p'],
      ['configure', 'delete', '--profile', 'p'],
    ]) {
      const r = await rampart([...args, '--config-path', path], clean);
      expect([args.join(' '), r.code, r.stderr]).toEqual([args.join(' '), 2, message]);
    }
    expect(readFileSync(path, 'utf8')).toBe('{not json');
  });
});

describe('the configuration directory and file', () => {
  const SET = [
    'configure',
    'set',
    '--profile',
    'dev',
    '--mode',
    'AK',
    '--access-key-id',
    'LTAIexampleKeyId',
    '--access-key-secret',
    'example-secret-0123456789',
  ];
  const set = (path: string) => rampart([...SET, '--config-path', path], clean);

  it('tightens ~/.aliyun when it is open to others, and leaves a directory given with --config-path that others may only list', async () => {
    // The default directory, made earlier by another tool with 0755.
    const home = join(dir, 'home');
    const aliyun = join(home, '.aliyun');
    mkdirSync(aliyun, { recursive: true });
    chmodSync(aliyun, 0o755);
    const r = await rampart(SET, { ...clean, HOME: home });
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(aliyun).mode & 0o777).toBe(0o700);
    expect(statSync(join(aliyun, 'config.json')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(aliyun, 'config.json'), 'utf8')).profiles[0].name).toBe('dev');
    // A project directory: its mode is the user's business; the file is 0600.
    const project = join(dir, 'project');
    mkdirSync(project);
    chmodSync(project, 0o755);
    expect((await set(join(project, 'config.json'))).code).toBe(0);
    expect(statSync(project).mode & 0o777).toBe(0o755);
    expect(statSync(join(project, 'config.json')).mode & 0o777).toBe(0o600);
    // One its group may write to: refused, nothing written.
    const team = join(dir, 'team');
    mkdirSync(team);
    chmodSync(team, 0o775);
    const refused = await set(join(team, 'config.json'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('writable by its group');
    expect(existsSync(join(team, 'config.json'))).toBe(false);
    expect(statSync(team).mode & 0o777).toBe(0o775);
  });

  /** A directory open to others that belongs to another user, or undefined when none can be had. */
  function foreignOpenDirectory(): string | undefined {
    if (process.getuid?.() === 0) {
      const d = join(dir, 'someone-elses');
      mkdirSync(d);
      chownSync(d, 65534, 65534);
      chmodSync(d, 0o777);
      return d;
    }
    const t = statSync(tmpdir());
    return t.uid !== process.getuid?.() && (t.mode & 0o002) !== 0 ? tmpdir() : undefined;
  }

  it('refuses to write credentials in a directory open to others that belongs to another user', async (ctx) => {
    const foreign = foreignOpenDirectory();
    if (!foreign)
      return ctx.skip(
        'no directory open to others that belongs to another user: the tests run as neither root nor beside such a tmpdir',
      );
    const path = join(foreign, `rampart-configure-${process.pid}-${Date.now()}.json`);
    const before = statSync(foreign).mode & 0o7777;
    try {
      const r = await set(path);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('belongs to another user');
      expect(existsSync(path)).toBe(false);
      expect(statSync(foreign).mode & 0o7777).toBe(before);
    } finally {
      rmSync(path, { force: true });
    }
  });

  it('refuses a shared directory of its own (writable by every user, or sticky like /tmp) and leaves its mode', async () => {
    for (const mode of [0o1777, 0o0777, 0o1755]) {
      const shared = join(dir, `shared-${mode.toString(8)}`);
      mkdirSync(shared);
      chmodSync(shared, mode);
      const path = join(shared, 'config.json');
      const r = await set(path);
      expect(r.code, `mode ${mode.toString(8)}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toContain('is a shared directory');
      expect(existsSync(path)).toBe(false);
      expect(statSync(shared).mode & 0o7777).toBe(mode);
    }
  });

  it('never follows a file or link already at the temporary file’s name', () => {
    const home = join(dir, 'planted');
    mkdirSync(home, { mode: 0o700 });
    const path = join(home, 'config.json');
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'not yours\n');
    chmodSync(victim, 0o644);
    const planted = `${path}.${process.pid}.tmp`;
    symlinkSync(victim, planted);

    writePrivateJson(path, { current: 'dev', profiles: [] });

    expect(readFileSync(victim, 'utf8')).toBe('not yours\n');
    expect(statSync(victim).mode & 0o777).toBe(0o644);
    expect(lstatSync(path).isFile()).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ current: 'dev', profiles: [] });
    // What was planted is left as it was, and no temporary file is left behind.
    expect(readlinkSync(planted)).toBe(victim);
    expect(readdirSync(home).sort()).toEqual(['config.json', `config.json.${process.pid}.tmp`]);
  });
});
