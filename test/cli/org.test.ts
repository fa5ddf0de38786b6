/**
 * The organization as code against a real server, on both stores: plan, apply and export of
 * the case-study file (examples/company-x.yaml, copied into test/fixtures), idempotence, a
 * change and --prune, secrets only in the secrets file, and bad files refused with their line
 * and column before anything changes. The secrets file is checked before any change, written
 * as each secret is created, and holds every secret created when an interrupt stops the apply.
 */
import { execFile, spawn } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOrgFile, OrgFileError } from '../../src/cli/org/model.js';
import { plan } from '../../src/cli/org/plan.js';
import { twoCodes } from '../compat/ram-helpers.js';
import { childEnv } from '../helpers/cli.js';
import { BIN, pgAvailable, startServer, type TestServer } from '../helpers/server.js';
import { v3Call } from '../server/http.js';

const run = promisify(execFile);
const EXAMPLE = new URL('../fixtures/company-x.yaml', import.meta.url).pathname;
const STORES = pgAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

describe.each(STORES)('plan, apply, export on %s', (store) => {
  let server: TestServer;
  let dir: string;

  async function cli(args: string[]) {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of Object.keys(env))
      if (k.startsWith('ALIBABA_CLOUD_') || k.startsWith('RAMPART_')) delete env[k];
    Object.assign(env, {
      ALIBABA_CLOUD_ACCESS_KEY_ID: server.rootAccessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: server.rootAccessKeySecret,
      RAMPART_ENDPOINT: server.host,
      ALIBABA_CLOUD_CONFIG_FILE: join(dir, 'none.json'),
    });
    try {
      const r = await run(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 120_000 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      const x = err as { code: number; stdout: string; stderr: string };
      return { code: x.code, stdout: x.stdout, stderr: x.stderr };
    }
  }

  beforeAll(async () => {
    server = await startServer({ store });
    dir = mkdtempSync(join(tmpdir(), 'rampart-org-'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plans, applies, and then has nothing left to do; export plans no change', async () => {
    const planned = await cli(['plan', '-f', EXAMPLE]);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toContain('  + user bob');
    expect(planned.stdout).toContain('  + membership bob -> OaM');
    expect(planned.stdout).toContain('  + attachment System AdministratorAccess'.slice(0, 20));
    expect(planned.stdout).toMatch(/Plan: \d+ to create, 2 to change, 0 to delete\./);

    const refused = await cli(['apply', '-f', EXAMPLE]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--secrets-file');
    expect((await cli(['ram', 'ListUsers'])).stdout).not.toContain('"bob"');

    const secrets = join(dir, 'secrets.json');
    const applied = await cli(['apply', '-f', EXAMPLE, '--secrets-file', secrets]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(/\[1\/\d+\] \+ policy RnD-OSS-OfficeHours/);
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    const written = JSON.parse(readFileSync(secrets, 'utf8')) as Record<string, string>[];
    expect(
      written
        .filter((s) => s.Password)
        .map((s) => s.UserName)
        .sort(),
    ).toEqual(['alice', 'bob', 'carol']);
    const key = written.find((s) => s.AccessKeyId)!;
    expect(key.UserName).toBe('billing-app');
    // No secret reaches the terminal.
    for (const s of written) {
      for (const v of [s.Password, s.AccessKeySecret])
        if (v) expect(applied.stdout + applied.stderr).not.toContain(v);
    }
    const groups = JSON.parse((await cli(['ram', 'ListGroupsForUser', '--UserName', 'bob'])).stdout);
    expect(groups.Groups.Group.map((g: { GroupName: string }) => g.GroupName).sort()).toEqual(['OaM', 'RnD']);
    const profile = JSON.parse((await cli(['ram', 'GetLoginProfile', '--UserName', 'carol'])).stdout);
    expect(profile.LoginProfile).toMatchObject({ PasswordResetRequired: true, MFABindRequired: false });

    const again = await cli(['plan', '-f', EXAMPLE]);
    expect(again.stdout.trim()).toBe('No changes. The account matches the file.');
    const reapplied = await cli(['apply', '-f', EXAMPLE]);
    expect([reapplied.code, reapplied.stdout.trim()]).toEqual([
      0,
      'No changes. The account matches the file.',
    ]);

    const exported = await cli(['export']);
    expect(exported.code, exported.stderr).toBe(0);
    const file = join(dir, 'exported.yaml');
    writeFileSync(file, exported.stdout);
    const replan = await cli(['plan', '-f', file, '--prune']);
    expect(replan.stdout.trim()).toBe('No changes. The account matches the file.');
  });

  it('asks a new password of a new logon only: a password the user changed since is no change', async () => {
    // The user changed the initial password: the service cleared PasswordResetRequired.
    const cleared = await cli([
      'ram',
      'UpdateLoginProfile',
      '--UserName',
      'carol',
      '--PasswordResetRequired',
      'false',
    ]);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect((await cli(['plan', '-f', EXAMPLE])).stdout.trim()).toBe(
      'No changes. The account matches the file.',
    );
    // A file that says false where the logon still asks for a change does clear it.
    const text = readFileSync(EXAMPLE, 'utf8').replace(
      '    console: { passwordResetRequired: true, mfaBindRequired: false }',
      '    console: { passwordResetRequired: false, mfaBindRequired: false }',
    );
    const file = join(dir, 'no-reset.yaml');
    writeFileSync(file, text);
    await cli(['ram', 'UpdateLoginProfile', '--UserName', 'carol', '--PasswordResetRequired', 'true']);
    expect((await cli(['plan', '-f', file])).stdout).toContain(
      '  ~ console logon of carol (passwordResetRequired true -> false',
    );
    expect((await cli(['plan', '-f', EXAMPLE])).stdout.trim()).toBe(
      'No changes. The account matches the file.',
    );
  });

  it("prunes a group the file no longer names once, with each of its members' memberships once", async () => {
    expect((await cli(['ram', 'CreateGroup', '--GroupName', 'Temp'])).code).toBe(0);
    expect((await cli(['ram', 'AddUserToGroup', '--UserName', 'carol', '--GroupName', 'Temp'])).code).toBe(0);
    const p = await cli(['plan', '-f', EXAMPLE, '--prune']);
    expect(p.stdout.split('\n').filter((l) => l.includes('membership carol -> Temp'))).toHaveLength(1);
    expect(p.stdout).toContain('Plan: 0 to create, 0 to change, 2 to delete.');
    const a = await cli(['apply', '-f', EXAMPLE, '--prune']);
    expect(a.code, a.stderr).toBe(0);
    expect((await cli(['plan', '-f', EXAMPLE, '--prune'])).stdout.trim()).toBe(
      'No changes. The account matches the file.',
    );
  });

  it('prunes a user with an MFA device: the device is unbound and deleted first', async () => {
    expect((await cli(['ram', 'CreateUser', '--UserName', 'mfa-leaver'])).code).toBe(0);
    const created = JSON.parse(
      (await cli(['ram', 'CreateVirtualMFADevice', '--VirtualMFADeviceName', 'mfa-leaver-dev'])).stdout,
    ) as { VirtualMFADevice: { SerialNumber: string; Base32StringSeed: string } };
    const [code1, code2] = twoCodes(created.VirtualMFADevice.Base32StringSeed);
    const bound = await cli([
      'ram',
      'BindMFADevice',
      '--UserName',
      'mfa-leaver',
      '--SerialNumber',
      created.VirtualMFADevice.SerialNumber,
      '--AuthenticationCode1',
      code1,
      '--AuthenticationCode2',
      code2,
    ]);
    expect(bound.code, bound.stderr).toBe(0);
    const p = await cli(['plan', '-f', EXAMPLE, '--prune']);
    expect(p.stdout).toContain('  - MFA device binding of mfa-leaver');
    expect(p.stdout).toContain(`  - MFA device ${created.VirtualMFADevice.SerialNumber}`);
    const a = await cli(['apply', '-f', EXAMPLE, '--prune']);
    expect(a.code, a.stderr).toBe(0);
    expect((await cli(['plan', '-f', EXAMPLE, '--prune'])).stdout.trim()).toBe(
      'No changes. The account matches the file.',
    );
  });

  it('changes what differs and removes what the file no longer names only with --prune', async () => {
    const text = readFileSync(EXAMPLE, 'utf8')
      .replace('displayName: Carol (R&D)', 'displayName: Carol (Research)')
      .replace('    groups: [RnD, OaM]', '    groups: [RnD]');
    const file = join(dir, 'changed.yaml');
    writeFileSync(file, text);
    const p = await cli(['plan', '-f', file]);
    expect(p.stdout).toContain('  ~ user carol (displayName: "Carol (R&D)" -> "Carol (Research)")');
    expect(p.stdout).not.toContain('membership bob -> OaM');
    const pruned = await cli(['plan', '-f', file, '--prune']);
    expect(pruned.stdout).toContain('  - membership bob -> OaM');
    const a = await cli(['apply', '-f', file, '--prune']);
    expect(a.code, a.stderr).toBe(0);
    const groups = JSON.parse((await cli(['ram', 'ListGroupsForUser', '--UserName', 'bob'])).stdout);
    expect(groups.Groups.Group.map((g: { GroupName: string }) => g.GroupName)).toEqual(['RnD']);
    expect((await cli(['plan', '-f', file, '--prune'])).stdout.trim()).toBe(
      'No changes. The account matches the file.',
    );
  });

  it('refuses a bad file with every problem and its place, changing nothing', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'groups:',
        '  - name: Ops',
        'users:',
        '  - name: dave',
        '    groups: [Ops, Nope]',
        '    policies: [NoSuchPolicy]',
        'policies:',
        '  - name: Broken',
        '    document: {"Version": "1", "Statement": [{"Effect": "Allow"}]}',
        'extra: 1',
      ].join('\n'),
    );
    const r = await cli(['apply', '-f', file, '--secrets-file', join(dir, 's2.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.yaml:5:19: users.0.groups.1: no group Nope is defined under groups:');
    expect(r.stderr).toContain('bad.yaml:6:16: users.0.policies.0: no policy NoSuchPolicy');
    expect(r.stderr).toMatch(/bad\.yaml:9:\d+: policies\.0\.document: the policy does not validate/);
    expect(r.stderr).toContain('bad.yaml:10:1: extra: unknown key');
    expect((await cli(['ram', 'GetGroup', '--GroupName', 'Ops'])).code).toBe(1);
    writeFileSync(file, 'users:\n  - name: x\n   groups: [a]\n');
    const y = await cli(['plan', '-f', file]);
    expect(y.code).toBe(2);
    expect(y.stderr).toMatch(/bad\.yaml:3:\d+: /);
  });
});

describe('apply --secrets-file keeps every secret it creates', () => {
  let server: TestServer;
  let dir: string;
  const env = () =>
    childEnv({
      ALIBABA_CLOUD_ACCESS_KEY_ID: server.rootAccessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: server.rootAccessKeySecret,
      RAMPART_ENDPOINT: server.host,
      ALIBABA_CLOUD_CONFIG_FILE: join(dir, 'none.json'),
    });

  /** `rampart ...args`; `onLine(line, child)` sees each line of stderr as it comes. */
  function cli(
    args: string[],
    onLine: (line: string, child: ReturnType<typeof spawn>) => void = () => {},
  ): Promise<{ code: number | null; stdout: string; stderr: string; failed: unknown[] }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: env() });
      let stdout = '';
      let stderr = '';
      let partial = '';
      const failed: unknown[] = [];
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        partial += c.toString();
        const lines = partial.split('\n');
        partial = lines.pop()!;
        for (const l of lines) {
          try {
            onLine(l, child);
          } catch (err) {
            failed.push(err); // an assertion of onLine
          }
        }
      });
      child.on('close', (code) => resolve({ code, stdout, stderr, failed }));
    });
  }

  /** An organization file of users, each with a console logon and an AccessKey. */
  function usersFile(name: string, users: readonly string[]): string {
    const file = join(dir, name);
    writeFileSync(
      file,
      `users:\n${users.map((u) => `  - name: ${u}\n    console: { passwordResetRequired: true, mfaBindRequired: false }\n    accessKey: true\n`).join('')}`,
    );
    return file;
  }

  /** What the account holds of these users: who has a console logon, and the AccessKey ids. */
  async function created(users: readonly string[]) {
    const root = { accessKeyId: server.rootAccessKeyId, accessKeySecret: server.rootAccessKeySecret };
    const logons: string[] = [];
    const keys: string[] = [];
    for (const u of users) {
      if ((await v3Call(server, root, 'GetLoginProfile', { UserName: u })).status === 200) logons.push(u);
      const k = await v3Call(server, root, 'ListAccessKeys', { UserName: u });
      if (k.status === 200) {
        const list = JSON.parse(k.text) as { AccessKeys: { AccessKey: { AccessKeyId: string }[] } };
        keys.push(...list.AccessKeys.AccessKey.map((a) => a.AccessKeyId));
      }
    }
    return { logons: logons.sort(), keys: keys.sort() };
  }

  type Secret = { UserName: string; Password?: string; AccessKeyId?: string; AccessKeySecret?: string };
  const secretsIn = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Secret[];
  const inFile = (secrets: Secret[]) => ({
    logons: secrets
      .filter((s) => s.Password)
      .map((s) => s.UserName)
      .sort(),
    keys: secrets
      .filter((s) => s.AccessKeyId && s.AccessKeySecret)
      .map((s) => s.AccessKeyId!)
      .sort(),
  });

  beforeAll(async () => {
    server = await startServer();
    dir = mkdtempSync(join(tmpdir(), 'rampart-org-secrets-'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('checks the secrets file before anything changes: a directory that exists, a name not taken', async () => {
    const file = usersFile('check.yaml', ['chk1']);
    const missing = join(dir, 'missing', 'dir', 's.json');
    const target = join(dir, 'elsewhere.json');
    const dangling = join(dir, 'dangling.json');
    symlinkSync(target, dangling);
    const existing = join(dir, 'existing.json');
    writeFileSync(existing, '');
    for (const [path, message] of [
      [missing, `cannot write the secrets file ${missing}: no directory ${join(dir, 'missing', 'dir')}`],
      [dangling, `${dangling} exists: name a new file for the secrets`],
      [existing, `${existing} exists: name a new file for the secrets`],
    ] as const) {
      const r = await cli(['apply', '-f', file, '--secrets-file', path]);
      expect([r.code, r.stderr.trim()]).toEqual([2, `rampart apply: ${message}`]);
    }
    expect(lstatSync(target, { throwIfNoEntry: false })).toBeUndefined();
    expect(await created(['chk1'])).toEqual({ logons: [], keys: [] });
    expect((await cli(['ram', 'GetUser', '--UserName', 'chk1'])).code).toBe(1);
  });

  it('writes each secret to the file, mode 0600, as soon as it is created', async () => {
    const users = ['now1', 'now2', 'now3'];
    const secrets = join(dir, 'now.json');
    const r = await cli(['apply', '-f', usersFile('now.yaml', users), '--secrets-file', secrets], (line) => {
      // The file is made before the first change, then holds each secret by the time its
      // change is reported.
      const m = /^\[(\d+)\/\d+\] \+ (user|console logon of|AccessKey of) (\S+)$/.exec(line);
      if (!m) return;
      const st = lstatSync(secrets);
      expect([st.isFile(), st.mode & 0o777]).toEqual([true, 0o600]);
      const held = secretsIn(secrets);
      if (m[2] === 'console logon of') expect(held.some((s) => s.UserName === m[3] && s.Password)).toBe(true);
      if (m[2] === 'AccessKey of')
        expect(held.some((s) => s.UserName === m[3] && s.AccessKeySecret)).toBe(true);
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.failed).toEqual([]);
    expect(r.stderr.match(/^\[\d+\/9\]/gm)).toHaveLength(9);
    expect(inFile(secretsIn(secrets))).toEqual(await created(users));
  });

  it('an interrupt stops after the change in progress, with every secret created in the file', async () => {
    const users = Array.from({ length: 8 }, (_, i) => `int${i}`);
    const file = usersFile('int.yaml', users);
    const secrets = join(dir, 'int.json');
    let sent = false;
    const r = await cli(['apply', '-f', file, '--secrets-file', secrets], (line, child) => {
      if (!sent && line.startsWith('[4/')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    expect(r.code, r.stderr).toBe(130);
    const done = r.stderr.match(/^\[\d+\/24\]/gm)?.length ?? 0;
    expect(done).toBeGreaterThanOrEqual(4);
    expect(done).toBeLessThan(24);
    expect(r.stderr).toContain(
      `rampart apply: stopped by SIGINT after ${done} of 24 change(s). Secrets written to ${secrets}. Run plan to see what is left.`,
    );
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    const made = await created(users);
    expect(made.keys.length + made.logons.length).toBeGreaterThan(0);
    expect(inFile(secretsIn(secrets))).toEqual(made);
    // The rest is left to a new apply, with a new file.
    const rest = join(dir, 'int-rest.json');
    const again = await cli(['apply', '-f', file, '--secrets-file', rest]);
    expect(again.code, again.stderr).toBe(0);
    const all = [...secretsIn(secrets), ...secretsIn(rest)];
    expect(inFile(all)).toEqual(await created(users));
    expect(inFile(all).logons).toEqual([...users].sort());
  });
});

describe('the organization file', () => {
  it('tells a custom policy from a System one and checks names across sections', () => {
    const f = parseOrgFile(
      'policies:\n  - name: Mine\n    document: {"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:GetUser","Resource":"*"}]}\ngroups:\n  - name: g\n    policies: [mine, aliyunossreadonlyaccess]\n',
      'f.yaml',
      '/',
    );
    expect(f.groups[0]!.policies).toEqual([
      { type: 'Custom', name: 'mine' },
      { type: 'System', name: 'AliyunOSSReadOnlyAccess' },
    ]);
    expect(() => parseOrgFile('users:\n  - name: a\n  - name: A\n', 'f.yaml', '/')).toThrow(OrgFileError);
  });

  it('reads settings as the service keeps them: another spelling of the same value is no change', () => {
    const live = {
      passwordPolicy: { MinimumPasswordLength: 12, RequireNumbers: true },
      securityPreference: { LoginNetworkMasks: '10.0.0.0/8;127.0.0.0/8', EnableSaveMFATicket: true },
      policies: [],
      groups: [],
      users: [],
      roles: [],
    };
    const changes = (yaml: string) => plan(parseOrgFile(yaml, 'f.yaml', '/'), live, false);
    expect(
      changes(
        'passwordPolicy:\n  MinimumPasswordLength: "012"\n  RequireNumbers: "True"\n' +
          'securityPreference:\n  LoginNetworkMasks: "10.0.0.0/8; 127.0.0.0/8 "\n  EnableSaveMFATicket: "TRUE"\n',
      ),
    ).toEqual([]);
    expect(
      changes(
        'passwordPolicy:\n  MinimumPasswordLength: 14\nsecurityPreference:\n  LoginNetworkMasks: "10.0.0.0/8"\n',
      ).map((c) => c.detail),
    ).toEqual([
      'MinimumPasswordLength: 12 -> 14',
      'LoginNetworkMasks: "10.0.0.0/8;127.0.0.0/8" -> "10.0.0.0/8"',
    ]);
  });

  it("reads policy files only from the organization file's directory or below, links resolved", () => {
    const top = mkdtempSync(join(tmpdir(), 'rampart-orgfiles-'));
    try {
      const repo = join(top, 'repo');
      const doc = '{"Version":"sk-NOT-A-VERSION","Statement":[]}';
      writeFileSync(join(top, 'outside.json'), doc);
      mkdirSync(join(repo, 'policies'), { recursive: true });
      writeFileSync(
        join(repo, 'policies', 'ok.json'),
        '{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:GetUser","Resource":"*"}]}',
      );
      symlinkSync(join(top, 'outside.json'), join(repo, 'policies', 'link.json'));
      const parse = (file: string) =>
        parseOrgFile(`policies:\n  - name: p\n    file: ${file}\n`, join(repo, 'org.yaml'), repo);
      expect(parse('policies/ok.json').policies).toHaveLength(1);
      expect(parse(join(repo, 'policies', 'ok.json')).policies).toHaveLength(1);
      for (const file of ['../outside.json', join(top, 'outside.json'), 'policies/link.json']) {
        let message = '';
        try {
          parse(file);
        } catch (err) {
          message = (err as Error).message;
        }
        expect([file, message]).toEqual([
          file,
          expect.stringContaining("must be a file in the organization file's directory"),
        ]);
        expect(message).not.toContain('sk-NOT-A-VERSION');
      }
    } finally {
      rmSync(top, { recursive: true, force: true });
    }
  });
});
