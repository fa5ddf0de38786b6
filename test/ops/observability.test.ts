/**
 * A real `rampart serve` process, observed from outside: /metrics in the Prometheus text
 * format, one JSON log line per request on stdout, no secret in any line it wrote, and a
 * SIGTERM that lets a request under way finish and flushes the buffered audit events.
 */
import { request } from 'node:http';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../src/crypto/totp.js';
import { sqliteFile } from '../../src/store/index.js';
import { pgAvailable, pgSkipReason, startServer, type KeyPair, type TestServer } from '../helpers/server.js';
import { signRequestV3 } from '../../src/auth/signature-v3.js';
import { v3Call } from '../server/http.js';

if (!pgAvailable) console.warn(pgSkipReason);

const STS = '2015-04-01';

async function metricsOf(s: TestServer): Promise<string> {
  const res = await fetch(`${s.endpoint}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one series line (`name{labels} value`), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries(
      (m[3] ?? '')
        .split(',')
        .filter((x) => x)
        .map((kv) => {
          const i = kv.indexOf('=');
          return [kv.slice(0, i), JSON.parse(kv.slice(i + 1)) as string];
        }),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return undefined;
}

function logLines(s: TestServer): Record<string, unknown>[] {
  return s
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function until<T>(what: () => T | undefined, tries = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = what();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('not seen in time');
}

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !pgAvailable)(`metrics and logs [${store}]`, () => {
    let s: TestServer;
    let root: KeyPair;
    const secrets: string[] = [];
    const ok = async (p: ReturnType<typeof v3Call>) => {
      const r = await p;
      expect(r.status, r.text).toBe(200);
      return r.json() as Record<string, Record<string, string>>;
    };

    beforeAll(async () => {
      s = await startServer({ store });
      root = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
      secrets.push(s.rootPassword, s.rootAccessKeySecret);
    }, 30_000);
    afterAll(() => s?.stop());

    it('counts requests by service, action and code, decisions, cache use, nonces and the pool', async () => {
      await ok(v3Call(s, root, 'CreateUser', { UserName: 'metered' }));
      const key = (await ok(v3Call(s, root, 'CreateAccessKey', { UserName: 'metered' }))).AccessKey!;
      const user = { accessKeyId: key.AccessKeyId!, accessKeySecret: key.AccessKeySecret! };
      secrets.push(user.accessKeySecret);
      for (let i = 0; i < 3; i++)
        expect((await v3Call(s, user, 'ListUsers')).json().Code).toBe('NoPermission');
      await ok(v3Call(s, root, 'GetUser', { UserName: 'metered' }));
      const m = await metricsOf(s);
      expect(
        sample(m, 'rampart_requests_total', { service: 'ram', action: 'CreateUser', code: 'Success' }),
      ).toBe(1);
      expect(
        sample(m, 'rampart_requests_total', { service: 'ram', action: 'ListUsers', code: 'NoPermission' }),
      ).toBe(3);
      expect(
        sample(m, 'rampart_request_duration_seconds_count', { service: 'ram', action: 'GetUser' }),
      ).toBeGreaterThanOrEqual(1);
      expect(sample(m, 'rampart_decisions_total', { result: 'ImplicitDeny' })).toBe(3);
      // The user's policy set is compiled once, then found in the cache.
      expect(sample(m, 'rampart_policy_cache_total', { result: 'hit' })).toBeGreaterThanOrEqual(2);
      expect(sample(m, 'rampart_policy_cache_total', { result: 'miss' })).toBeGreaterThanOrEqual(1);
      expect(sample(m, 'rampart_nonces')).toBeGreaterThanOrEqual(6);
      expect(sample(m, 'rampart_audit_backlog')).toBeGreaterThanOrEqual(0);
      expect(sample(m, 'rampart_jobs_total', { job: 'idle credentials', result: 'ran' })).toBe(1);
      if (store === 'postgres') {
        expect(sample(m, 'rampart_store_pool_connections', { state: 'max' })).toBe(10);
        expect(sample(m, 'rampart_store_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
      } else {
        expect(sample(m, 'rampart_store_pool_connections', { state: 'max' })).toBeUndefined();
      }
      expect(sample(m, 'rampart_process_cpu_seconds_total')).toBeGreaterThan(0);
      expect(m).toContain('# TYPE rampart_requests_total counter');

      // A second scrape counts on from the first: nothing counted twice, nothing lost.
      expect((await v3Call(s, user, 'ListUsers')).json().Code).toBe('NoPermission');
      const again = await metricsOf(s);
      expect(
        sample(again, 'rampart_requests_total', { service: 'ram', action: 'CreateUser', code: 'Success' }),
      ).toBe(1);
      expect(
        sample(again, 'rampart_requests_total', {
          service: 'ram',
          action: 'ListUsers',
          code: 'NoPermission',
        }),
      ).toBe(4);
      expect(sample(again, 'rampart_decisions_total', { result: 'ImplicitDeny' })).toBe(4);
      expect(sample(again, 'rampart_policy_cache_total', { result: 'hit' })).toBeGreaterThan(
        sample(m, 'rampart_policy_cache_total', { result: 'hit' })!,
      );
    });

    it('counts the requests beside the API by route and status: logon, data plane, authorization point', async () => {
      const logon = (body: object) =>
        fetch(`${s.endpoint}/logon`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-rampart-logon': '1' },
          body: JSON.stringify(body),
        });
      expect((await logon({ LoginName: s.rootLoginName, Password: 'wrong-password' })).status).toBe(401);
      expect(
        (await fetch(`${s.endpoint}/logon/no-such-step`, { method: 'POST' })).status,
      ).toBeGreaterThanOrEqual(400);
      // An unsigned OSS request (its Host names a bucket) and an unsigned authorization question.
      const oss = await new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: s.port,
            path: '/key.txt',
            headers: { host: 'nobucket-here.oss-cn-hangzhou.aliyuncs.com' },
          },
          (r) => {
            r.resume();
            r.on('end', () => resolve(r.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(oss).toBe(404);
      expect((await fetch(`${s.endpoint}/authorize`, { method: 'POST', body: '{}' })).status).toBe(401);
      const m = await metricsOf(s);
      expect(
        sample(m, 'rampart_requests_total', { service: 'logon', action: '/logon', code: 'HTTP401' }),
      ).toBe(1);
      // A path nobody declared is counted, never named.
      expect(m).toMatch(/rampart_requests_total\{service="logon",action="unknown",code="HTTP4\d\d"\} 1/);
      expect(m).not.toContain('no-such-step');
      expect(sample(m, 'rampart_requests_total', { service: 'oss', action: 'GET', code: 'HTTP404' })).toBe(1);
      expect(
        sample(m, 'rampart_requests_total', { service: 'rampart', action: '/authorize', code: 'HTTP401' }),
      ).toBe(1);
    });

    it('logs one JSON line per request: request id, principal, action, result and duration', async () => {
      const r = await v3Call(s, root, 'GetUser', { UserName: 'nobody-here' });
      expect(r.json().Code).toBe('EntityNotExist.User');
      const line = await until(() => logLines(s).find((l) => l.requestId === r.requestId));
      expect(line).toMatchObject({
        level: 'info',
        msg: 'request',
        service: 'ram',
        action: 'GetUser',
        result: 'EntityNotExist.User',
        decision: 'Allow',
        status: 404,
        principal: { type: 'Root', accountId: s.accountId, accessKeyId: root.accessKeyId },
      });
      expect(typeof line.durationMs).toBe('number');
      expect(typeof line.time).toBe('string');
    });

    it('writes no password, AccessKey secret, security token or MFA code in any line', async () => {
      const password = 'Log-Scan-Password-9!x';
      secrets.push(password);
      await ok(v3Call(s, root, 'CreateUser', { UserName: 'scanned' }));
      await ok(v3Call(s, root, 'CreateLoginProfile', { UserName: 'scanned', Password: password }));
      // A refused password, too (the policy wants length >= 8).
      const weak = 'Wk1!';
      secrets.push(`Password=${weak}`);
      await v3Call(s, root, 'UpdateLoginProfile', { UserName: 'scanned', Password: weak });
      const mfa = (await ok(v3Call(s, root, 'CreateVirtualMFADevice', { VirtualMFADeviceName: 'scan' })))
        .VirtualMFADevice!;
      secrets.push(mfa.Base32StringSeed!);
      const step = totpStep(new Date());
      const codes = [totpCode(mfa.Base32StringSeed!, step - 1), totpCode(mfa.Base32StringSeed!, step)];
      await v3Call(s, root, 'BindMFADevice', {
        SerialNumber: mfa.SerialNumber!,
        UserName: 'scanned',
        AuthenticationCode1: codes[0]!,
        AuthenticationCode2: codes[1]!,
      });
      const trust = JSON.stringify({
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${s.accountId}:root`] } },
        ],
      });
      const role = (
        await ok(v3Call(s, root, 'CreateRole', { RoleName: 'scan', AssumeRolePolicyDocument: trust }))
      ).Role!;
      const cred = (
        await ok(
          v3Call(
            s,
            root,
            'AssumeRole',
            { RoleArn: role.Arn!, RoleSessionName: 'scan-session' },
            { version: STS },
          ),
        )
      ).Credentials!;
      secrets.push(cred.AccessKeySecret!, cred.SecurityToken!);
      await v3Call(
        s,
        { accessKeyId: cred.AccessKeyId!, accessKeySecret: cred.AccessKeySecret! },
        'ListUsers',
        {},
        {
          headers: { 'x-acs-security-token': cred.SecurityToken! },
        },
      );
      // A request signed with a wrong secret.
      await v3Call(s, root, 'ListUsers', {}, { secret: 'Wrong-Secret-For-Scan' });
      secrets.push('Wrong-Secret-For-Scan');
      // The server wrote the line of the last request before the scan.
      const last = await v3Call(s, root, 'GetAccountAlias');
      await until(() => logLines(s).find((l) => l.requestId === last.requestId));
      const out = s.output();
      expect(out.length).toBeGreaterThan(0);
      for (const secret of secrets) {
        expect(secret.length).toBeGreaterThan(3);
        expect(out.includes(secret), `a log line holds ${secret.slice(0, 3)}...`).toBe(false);
        expect(out.includes(encodeURIComponent(secret))).toBe(false);
      }
      for (const code of codes) expect(out).not.toMatch(new RegExp(`\\b${code}\\b`));
    });
  });
}

describe('SIGTERM', () => {
  it('finishes a request under way, refuses new ones, flushes buffered audit events and exits 0', async () => {
    const s = await startServer();
    try {
      const root = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
      // Read events are buffered by the recorder: the last ones must reach the store at shutdown.
      for (let i = 0; i < 5; i++) expect((await v3Call(s, root, 'GetAccountAlias')).status).toBe(200);
      // A signed request whose body is still on its way when SIGTERM arrives.
      const body = 'UserName=late-comer';
      const headers = signRequestV3({
        method: 'POST',
        host: s.host,
        action: 'CreateUser',
        version: '2015-05-01',
        query: [],
        body,
        contentType: 'application/x-www-form-urlencoded',
        accessKeyId: root.accessKeyId,
        accessKeySecret: root.accessKeySecret,
      });
      delete headers.host;
      const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(
          `${s.endpoint}/`,
          {
            method: 'POST',
            headers: {
              ...headers,
              'content-type': 'application/x-www-form-urlencoded',
              'content-length': String(Buffer.byteLength(body)),
            },
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString('utf8')));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 5));
        setTimeout(() => {
          const exited = new Promise<number | null>((r) => s.process.once('exit', (code) => r(code)));
          s.process.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(5)), 300);
          void exited.then((code) => (exitCode = code));
        }, 100);
      });
      let exitCode: number | null | undefined;
      const r = await answered;
      expect(r.status, r.text).toBe(200);
      await expect(fetch(`${s.endpoint}/healthz`)).rejects.toThrow();
      await until(() => exitCode ?? undefined, 250).catch(() => undefined);
      expect(exitCode).toBe(0);
      const db = new Database(sqliteFile(s.dataDir), { readonly: true });
      try {
        const n = db
          .prepare("select count(*) as n from audit_events where event_name = 'GetAccountAlias'")
          .get() as {
          n: number;
        };
        expect(n.n).toBe(5);
        const created = db
          .prepare("select count(*) as n from users where user_name = 'late-comer'")
          .get() as {
          n: number;
        };
        expect(created.n).toBe(1);
      } finally {
        db.close();
      }
    } finally {
      await s.stop();
    }
  });
});
