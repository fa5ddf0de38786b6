/**
 * The organization as code against a real server, on both stores: plan, apply and export of
 * the case-study file (examples/company-x.yaml, copied into test/fixtures), idempotence, a
 * change and --prune, secrets only in the secrets file, and bad files refused with their line
 * and column before anything changes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOrgFile, OrgFileError } from '../../src/cli/org/model.js';
import { BIN, pgAvailable, startServer, type TestServer } from '../helpers/server.js';

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
});
