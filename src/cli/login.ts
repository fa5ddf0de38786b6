/**
 * `rampart login [--profile P] [--endpoint E] [--name NAME]`: logon as a person (the root or a
 * RAM user: name@<alias>.onaliyun.com), with password and MFA typed at the terminal (not
 * echoed), through the logon backend (docs/logon.md); every step the logon asks for is done
 * here (an MFA code, a new password, binding a virtual MFA device). The session's short-lived
 * credentials go into the profile (mode StsToken), with the session itself so that they are
 * renewed while it lives: a person never needs a long-lived AccessKey on a laptop.
 * `rampart logout [--profile P]` ends the session and clears the profile's credentials; when the
 * server does not end it, the profile keeps them and logout fails.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Command } from 'commander';
import { DEFAULT_ENDPOINT, endpointUrl } from './call.js';
import { createPrompter, type Prompter } from './prompt.js';
import {
  cliConfigPath,
  findProfile,
  readConfigFile,
  writePrivateJson,
  type CliConfigFile,
} from './profile.js';

interface LoginFlags {
  readonly profile?: string;
  readonly endpoint?: string;
  readonly name?: string;
  readonly configPath?: string;
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly cookie?: string;
}

/** One call of the logon backend. */
export function logonCall(base: URL, path: string, body: unknown, cookie?: string): Promise<Answer> {
  const request = base.protocol === 'https:' ? httpsRequest : httpRequest;
  const text = JSON.stringify(body ?? {});
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method: 'POST',
        hostname: base.hostname.replace(/^\[|\]$/g, ''),
        port: base.port || (base.protocol === 'https:' ? 443 : 80),
        path,
        headers: {
          'content-type': 'application/json',
          'x-rampart-logon': '1',
          'content-length': Buffer.byteLength(text),
          ...(cookie ? { cookie } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let parsed: Record<string, unknown> = {};
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          } catch {
            // an answer that is not JSON is reported by its status
          }
          const set = res.headers['set-cookie']?.[0]?.split(';')[0];
          resolve({ status: res.statusCode ?? 0, body: parsed, ...(set ? { cookie: set } : {}) });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('the request timed out')));
    req.on('error', reject);
    req.end(text);
  });
}

class LoginError extends Error {}

function failure(a: Answer): LoginError {
  const code = typeof a.body.Code === 'string' ? a.body.Code : `HTTP ${a.status}`;
  const message = typeof a.body.Message === 'string' ? a.body.Message : '';
  return new LoginError(`${code}${message ? `: ${message}` : ''}`);
}

/** Runs the logon to a session, answering every step at the terminal; the session cookie. */
async function logonSession(base: URL, loginName: string, t: Prompter): Promise<string> {
  const password = await t.ask('Password: ', true);
  let a = await logonCall(base, '/logon', { LoginName: loginName, Password: password });
  for (let round = 0; round < 10; round++) {
    if (a.status !== 200) throw failure(a);
    if (a.cookie && a.body.Session) return a.cookie;
    const step = a.body.Step;
    const token = a.body.StepToken;
    if (step === 'MFA') {
      a = await logonCall(base, '/logon/mfa', {
        StepToken: token,
        AuthenticationCode: await t.ask('MFA code: '),
      });
    } else if (step === 'ChangePassword') {
      process.stderr.write('A new password is required.\n');
      a = await logonCall(base, '/logon/password', {
        StepToken: token,
        NewPassword: await t.ask('New password: ', true),
      });
    } else if (step === 'BindMFA') {
      const device = a.body.VirtualMFADevice as
        { OtpauthUrl?: string; Base32StringSeed?: string } | undefined;
      if (!device) {
        a = await logonCall(base, '/logon/bind-mfa', { StepToken: token });
        continue;
      }
      process.stderr.write(
        `A virtual MFA device must be bound. Add it to your authenticator app:\n  ${device.OtpauthUrl}\n  (secret ${device.Base32StringSeed})\n`,
      );
      a = await logonCall(base, '/logon/bind-mfa', {
        StepToken: token,
        AuthenticationCode1: await t.ask('First code: '),
        AuthenticationCode2: await t.ask('Next code: '),
      });
    } else {
      throw new LoginError('the logon answered neither a session nor a step it knows');
    }
  }
  throw new LoginError('the logon did not end');
}

/** Fresh credentials of a session into the profile. */
export async function refreshFromSession(
  base: URL,
  cookie: string,
): Promise<{
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  expiration: string;
}> {
  const c = await logonCall(base, '/logon/credentials', {}, cookie);
  if (c.status !== 200) throw failure(c);
  const k = c.body.Credentials as Record<string, string>;
  return {
    accessKeyId: k.AccessKeyId!,
    accessKeySecret: k.AccessKeySecret!,
    securityToken: k.SecurityToken!,
    expiration: k.Expiration!,
  };
}

export function register(program: Command): void {
  program
    .command('login')
    .description(
      'Log on as a person (password and MFA at the terminal); the session’s short-lived credentials go into a profile.',
    )
    .option('--profile <name>', 'profile to store the session in', 'default')
    .option('--endpoint <endpoint>', 'the Rampart endpoint (H:P or a base URL)')
    .option('--name <loginName>', 'name@<alias>.onaliyun.com, or root@<alias>.onaliyun.com')
    .option('--config-path <path>', 'the configuration file')
    .action(async (flags: LoginFlags) => {
      const path = cliConfigPath(process.env, flags.configPath);
      const t = createPrompter();
      try {
        const file: CliConfigFile = readConfigFile(path) ?? { current: '', profiles: [] };
        const name = flags.profile ?? 'default';
        const existing = findProfile(file, name);
        const endpoint =
          flags.endpoint ?? existing?.endpoint ?? (process.env.RAMPART_ENDPOINT || DEFAULT_ENDPOINT);
        const base = endpointUrl(endpoint);
        const loginName = flags.name ?? (await t.ask('Login name (name@alias.onaliyun.com): '));
        const cookie = await logonSession(base, loginName, t);
        const c = await refreshFromSession(base, cookie);
        const profile = {
          ...(existing ?? {}),
          name,
          mode: 'StsToken',
          access_key_id: c.accessKeyId,
          access_key_secret: c.accessKeySecret,
          sts_token: c.securityToken,
          sts_expiration: c.expiration,
          endpoint,
          rampart_session: cookie,
          rampart_login_name: loginName,
        };
        const profiles = (file.profiles ?? []).filter((p) => p.name !== name);
        writePrivateJson(path, { ...file, current: file.current || name, profiles: [...profiles, profile] });
        process.stderr.write(
          `Logged on as ${loginName}; profile ${name} holds the session's credentials until ${c.expiration} (renewed while the session lasts).\n`,
        );
        process.exitCode = 0;
      } catch (err) {
        process.stderr.write(`rampart login: ${(err as Error).message}\n`);
        process.exitCode = err instanceof LoginError ? 1 : 2;
      } finally {
        t.close();
      }
    });
  program
    .command('logout')
    .description('End the session of a profile stored by rampart login, and clear its credentials.')
    .option('--profile <name>', 'profile', 'default')
    .option('--config-path <path>', 'the configuration file')
    .action(async (flags: LoginFlags) => {
      const path = cliConfigPath(process.env, flags.configPath);
      try {
        const file = readConfigFile(path);
        const p = file && findProfile(file, flags.profile ?? 'default');
        if (!file || !p || typeof p.rampart_session !== 'string') {
          throw new LoginError(`profile ${flags.profile ?? 'default'} holds no session`);
        }
        const base = endpointUrl(String(p.endpoint ?? DEFAULT_ENDPOINT));
        // The profile keeps the session until the server has ended it, so that logout can be
        // run again: an answer other than 200 (a 503 while the store is out of reach), or none,
        // leaves the session alive. A 401 says the session is no longer known: ended either way.
        const kept = `the session was not ended; profile ${p.name} keeps it (run logout again)`;
        const a = await logonCall(base, '/logoff', {}, p.rampart_session).catch((err: unknown) => {
          throw new LoginError(`cannot reach ${base.origin}: ${(err as Error).message}; ${kept}`);
        });
        if (a.status !== 200 && a.status !== 401) throw new LoginError(`${failure(a).message}; ${kept}`);
        for (const k of [
          'access_key_id',
          'access_key_secret',
          'sts_token',
          'sts_expiration',
          'rampart_session',
        ])
          delete p[k];
        writePrivateJson(path, file);
        process.stderr.write(`Logged off; profile ${p.name} holds no credentials.\n`);
        process.exitCode = 0;
      } catch (err) {
        process.stderr.write(`rampart logout: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
