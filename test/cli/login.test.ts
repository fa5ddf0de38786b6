/**
 * `rampart login` / `logout` against a real server: a person logs on with a password typed at
 * the terminal (here, standard input), changes it when the logon demands, and the profile
 * then holds the session's short-lived credentials, renewed from the session when they near
 * their end; logout ends the session and the profile's credentials with it.
 */
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ramClient, startServer, type TestServer } from '../helpers/server.js';
import { call } from '../compat/ram-helpers.js';

const run = promisify(execFile);
let server: TestServer;
let dir: string;
const config = () => join(dir, 'config.json');

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(e)) if (k.startsWith('ALIBABA_CLOUD_') || k.startsWith('RAMPART_')) delete e[k];
  return e;
}

/** `rampart ...args` with `input` on standard input. */
function withInput(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: env() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function cli(args: string[]) {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: env(), encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const x = err as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

beforeAll(async () => {
  server = await startServer({ initArgs: ['--account-alias', 'login-cli'] });
  dir = mkdtempSync(join(tmpdir(), 'rampart-login-'));
  const rc = ramClient(server);
  await call(rc, 'CreateUser', { UserName: 'erin' });
  await call(rc, 'CreateLoginProfile', {
    UserName: 'erin',
    Password: 'First-pass-2026!',
    PasswordResetRequired: true,
  });
  await call(rc, 'AttachPolicyToUser', {
    PolicyType: 'System',
    PolicyName: 'AliyunRAMReadOnlyAccess',
    UserName: 'erin',
  });
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('rampart login', () => {
  it('logs on, changes the password the logon demands, and stores the session in a profile', async () => {
    const r = await withInput(
      [
        'login',
        '--name',
        'erin@login-cli.onaliyun.com',
        '--endpoint',
        server.host,
        '--config-path',
        config(),
        '--profile',
        'me',
      ],
      'First-pass-2026!\nSecond-pass-2026!\n',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('A new password is required.');
    expect(r.stderr).not.toContain('Second-pass-2026!');
    expect(statSync(config()).mode & 0o777).toBe(0o600);
    const who = await cli(['sts', 'GetCallerIdentity', '--config-path', config(), '--profile', 'me']);
    expect(who.code, who.stderr).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({
      IdentityType: 'RAMUser',
      Arn: `acs:ram::${server.accountId}:user/erin`,
    });
    expect((await cli(['ram', 'ListUsers', '--config-path', config(), '--profile', 'me'])).code).toBe(0);
    expect(
      (await cli(['ram', 'CreateUser', '--UserName', 'x', '--config-path', config(), '--profile', 'me']))
        .code,
    ).toBe(1);
  });

  it('configure get and list mask the session the login stored, like the other secrets', async () => {
    const me = JSON.parse(readFileSync(config(), 'utf8')).profiles.find(
      (p: { name: string }) => p.name === 'me',
    );
    const session = String(me.rampart_session);
    const id = session.replace(/^rampart_session=/, '');
    expect(id.length).toBeGreaterThan(8);
    const got = await cli(['configure', 'get', '--config-path', config(), '--profile', 'me']);
    const listed = await cli(['configure', 'list', '--config-path', config()]);
    for (const shown of [got, listed]) {
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).not.toContain(id);
      expect(shown.stdout).not.toContain(me.access_key_secret);
      expect(shown.stdout).not.toContain(me.sts_token);
    }
    expect(JSON.parse(got.stdout)).toMatchObject({
      rampart_session: `****${id.slice(-4)}`,
      rampart_login_name: 'erin@login-cli.onaliyun.com',
    });
  });

  it('renews the credentials from the session when they near their end, and logout ends both', async () => {
    const file = JSON.parse(readFileSync(config(), 'utf8'));
    const me = file.profiles.find((p: { name: string }) => p.name === 'me');
    const before = me.access_key_id;
    me.sts_expiration = new Date(Date.now() + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    writeFileSync(config(), JSON.stringify(file));
    expect((await cli(['ram', 'ListUsers', '--config-path', config(), '--profile', 'me'])).code).toBe(0);
    const renewed = JSON.parse(readFileSync(config(), 'utf8')).profiles.find(
      (p: { name: string }) => p.name === 'me',
    );
    expect(renewed.access_key_id).toMatch(/^STS\./);
    expect(renewed.access_key_id).not.toBe(before);

    const out = await cli(['logout', '--config-path', config(), '--profile', 'me']);
    expect(out.code, out.stderr).toBe(0);
    const after = await cli(['ram', 'ListUsers', '--config-path', config(), '--profile', 'me']);
    expect(after.code).not.toBe(0);
    // The credentials drawn before logout died with the session.
    const old = { ...renewed };
    const f2 = JSON.parse(readFileSync(config(), 'utf8'));
    f2.profiles.push({ ...old, name: 'old', rampart_session: undefined });
    writeFileSync(config(), JSON.stringify(f2));
    const dead = await cli(['ram', 'ListUsers', '--config-path', config(), '--profile', 'old']);
    expect(dead.code).toBe(1);
    expect(JSON.parse(dead.stderr).Code).toBe('InvalidSecurityToken.Expired');
  });

  it('logout fails and keeps the session when the server does not end it; a 401 (session unknown) ends it', async () => {
    const login = await withInput(
      [
        'login',
        '--name',
        'erin@login-cli.onaliyun.com',
        '--endpoint',
        server.host,
        '--config-path',
        config(),
        '--profile',
        'retry',
      ],
      'Second-pass-2026!\n', // the password the first test set
    );
    expect(login.code, login.stderr).toBe(0);
    const profile = () =>
      JSON.parse(readFileSync(config(), 'utf8')).profiles.find(
        (p: { name: string }) => p.name === 'retry',
      ) as Record<string, string | undefined>;
    const setEndpoint = (endpoint: string) => {
      const f = JSON.parse(readFileSync(config(), 'utf8'));
      f.profiles.find((p: { name: string }) => p.name === 'retry').endpoint = endpoint;
      writeFileSync(config(), JSON.stringify(f));
    };
    const session = profile().rampart_session!;
    const alive = async () =>
      (await fetch(`${server.endpoint}/logon/session`, { headers: { cookie: session } })).status;
    const logout = (name: string) => cli(['logout', '--config-path', config(), '--profile', name]);
    // A front end that answers /logoff itself: a load balancer while the store is out of reach
    // (503), or a server that no longer knows the session (401).
    const front = async (status: number) => {
      const http = createServer((req, res) => {
        req.resume();
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status === 503 ? '{"Code":"ServiceUnavailable","Message":"try later"}' : '{}');
      });
      await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
      return {
        endpoint: `127.0.0.1:${(http.address() as AddressInfo).port}`,
        close: () => new Promise((done) => http.close(done)),
      };
    };

    const busy = await front(503);
    setEndpoint(busy.endpoint);
    const refused = await logout('retry');
    await busy.close();
    expect([refused.code, refused.stderr.trim()]).toEqual([
      1,
      'rampart logout: ServiceUnavailable: try later; the session was not ended; profile retry keeps it (run logout again)',
    ]);
    expect(profile()).toMatchObject({ rampart_session: session, access_key_id: expect.any(String) });
    expect(await alive()).toBe(200);
    // Nothing answers at all: the same.
    const unreachable = await logout('retry');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`rampart logout: cannot reach http://${busy.endpoint}: `);
    expect(unreachable.stderr).toContain('the session was not ended; profile retry keeps it');
    expect(profile().rampart_session).toBe(session);
    // Run again where the server answers, it ends the session.
    setEndpoint(server.host);
    const ended = await logout('retry');
    expect(ended.code, ended.stderr).toBe(0);
    expect(profile().rampart_session).toBeUndefined();
    expect(await alive()).toBe(401);

    // A session the server no longer knows is ended all the same.
    const gone = await front(401);
    setEndpoint(gone.endpoint);
    const f = JSON.parse(readFileSync(config(), 'utf8'));
    f.profiles.find((p: { name: string }) => p.name === 'retry').rampart_session = session;
    writeFileSync(config(), JSON.stringify(f));
    const unknown = await logout('retry');
    await gone.close();
    expect(unknown.code, unknown.stderr).toBe(0);
    expect(profile().rampart_session).toBeUndefined();
  });

  it('fails with the logon’s answer for a wrong password, storing nothing', async () => {
    const path = join(dir, 'other.json');
    const r = await withInput(
      ['login', '--name', 'erin@login-cli.onaliyun.com', '--endpoint', server.host, '--config-path', path],
      'wrong\n',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AuthenticationFail.Logon');
    expect(() => statSync(path)).toThrow();
  });
});
