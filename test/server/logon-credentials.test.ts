/**
 * Signing credentials drawn from a console session (`POST /logon/credentials`): the session's
 * principal on the API with the same authorization, acs:MFAPresent as the logon passed it, at
 * most an hour and never past the session; logoff and a disabled console logon end them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import type { KeyPair } from '../helpers/server.js';
import { pgAvailable } from '../helpers/pg.js';
import { v3Call } from './http.js';
import type { Json } from '../compat/ram-helpers.js';

const STORES = pgAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);
const JSON_HEADERS = { 'content-type': 'application/json', 'x-rampart-logon': '1' };
const PASSWORD = 'Logon-creds-2026!';
const PASSWORD2 = 'Logon-creds-2026?';

describe.each(STORES)('credentials of a console session (%s)', (store) => {
  let s: InProcessServer;
  const alias = `creds-${store}`;

  beforeAll(async () => {
    s = await startInProcessServer({ store, accountAlias: alias });
    const d = s.deployment.domain;
    await d.users.create(s.accountId, { userName: 'dana' });
    await d.loginProfiles.create(s.accountId, 'dana', { password: PASSWORD, passwordResetRequired: false });
    await d.policies.create(s.accountId, {
      policyName: 'ListGroupsAndUsersWithMfa',
      policyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'ram:ListGroups', Resource: '*' },
          {
            Effect: 'Allow',
            Action: 'ram:ListUsers',
            Resource: '*',
            Condition: { Bool: { 'acs:MFAPresent': 'true' } },
          },
        ],
      }),
    });
    await d.attachments.attach(
      s.accountId,
      { kind: 'user', userName: 'dana' },
      'Custom',
      'ListGroupsAndUsersWithMfa',
    );
  });
  afterAll(() => s?.stop());

  async function post(path: string, body: unknown, cookie?: string) {
    const r = await fetch(`${s.endpoint}${path}`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
    return {
      status: r.status,
      body: (await r.json()) as Json,
      cookie: r.headers.get('set-cookie')?.split(';')[0],
    };
  }

  let password = PASSWORD;
  async function logonAndCredentials(): Promise<{ cookie: string; keys: KeyPair; expiration: string }> {
    const l = await post('/logon', { LoginName: `dana@${alias}.onaliyun.com`, Password: password });
    expect(l.status, JSON.stringify(l.body)).toBe(200);
    const c = await post('/logon/credentials', {}, l.cookie);
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    const k = c.body.Credentials;
    return {
      cookie: l.cookie!,
      keys: {
        accessKeyId: k.AccessKeyId,
        accessKeySecret: k.AccessKeySecret,
        securityToken: k.SecurityToken,
      },
      expiration: k.Expiration,
    };
  }

  const api = (keys: KeyPair, action: string, version = '2015-05-01') =>
    v3Call(
      s,
      keys,
      action,
      {},
      { now: s.clock(), version, headers: { 'x-acs-security-token': keys.securityToken! } },
    );

  it('acts as the logged-on user, with the user’s policies and no MFA', async () => {
    const { keys, expiration } = await logonAndCredentials();
    expect(keys.accessKeyId).toMatch(/^STS\./);
    expect(Date.parse(expiration) - s.clock().getTime()).toBeLessThanOrEqual(3600_000);
    const who = JSON.parse((await api(keys, 'GetCallerIdentity', '2015-04-01')).text);
    expect(who).toMatchObject({ IdentityType: 'RAMUser', Arn: `acs:ram::${s.accountId}:user/dana` });
    expect((await api(keys, 'ListGroups')).status).toBe(200);
    const denied = await api(keys, 'ListUsers');
    expect([denied.status, JSON.parse(denied.text).Code]).toEqual([403, 'NoPermission']);
  });

  it('records logons, refused logons, credentials drawn and logoffs in the audit trail, without a secret', async () => {
    const { cookie } = await logonAndCredentials();
    await post('/logoff', {}, cookie);
    const refused = await post('/logon', {
      LoginName: `dana@${alias}.onaliyun.com`,
      Password: 'Wrong-password-1!',
    });
    expect(refused.status).toBe(401);
    await s.deployment.audit.flush();
    const rows = await s.deployment.store.db
      .selectFrom('audit_events')
      .select(['event_name', 'body', 'sensitive'])
      .where('account_id', '=', s.accountId)
      .where('event_name', 'in', ['ConsoleSignin', 'ConsoleSignout', 'GetLogonCredentials'])
      .execute();
    // Temporary credentials issued are found with LookupAttribute SensitiveAction=true, as
    // AssumeRole's are.
    const issued = rows.filter((r) => r.event_name === 'GetLogonCredentials');
    expect(issued.length).toBeGreaterThan(0);
    for (const r of issued) expect(Number(r.sensitive)).toBe(1);
    const events = rows.map((r) => JSON.parse(r.body) as Json);
    const signins = events.filter((e) => e.eventName === 'ConsoleSignin');
    expect(signins.some((e) => e.errorCode === '' && e.userIdentity.userName === 'dana')).toBe(true);
    expect(
      signins.some(
        (e) =>
          e.errorCode === 'AuthenticationFail.Logon' &&
          e.additionalEventData.loginAccount === `dana@${alias}.onaliyun.com`,
      ),
    ).toBe(true);
    expect(events.some((e) => e.eventName === 'GetLogonCredentials' && e.eventType === 'ApiCall')).toBe(true);
    expect(events.some((e) => e.eventName === 'ConsoleSignout' && e.userIdentity.type === 'ram-user')).toBe(
      true,
    );
    const all = rows.map((r) => r.body).join('\n');
    for (const secret of [password, 'Wrong-password-1!']) expect(all).not.toContain(secret);
  });

  it('needs a session, and ends with logoff', async () => {
    const none = await post('/logon/credentials', {});
    expect([none.status, none.body.Code]).toEqual([401, 'InvalidSession']);
    const { cookie, keys } = await logonAndCredentials();
    expect((await api(keys, 'ListGroups')).status).toBe(200);
    expect((await post('/logoff', {}, cookie)).status).toBe(200);
    const after = await api(keys, 'ListGroups');
    expect([after.status, JSON.parse(after.text).Code]).toEqual([400, 'InvalidSecurityToken.Expired']);
  });

  it('makes role credentials (AssumeRole) that end with the session too, whatever their duration', async () => {
    const d = s.deployment.domain;
    await d.roles.create(s.accountId, {
      roleName: 'dana-admin',
      maxSessionDuration: 43200,
      assumeRolePolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { RAM: [`acs:ram::${s.accountId}:user/dana`] },
          },
        ],
      }),
    });
    await d.attachments.attach(
      s.accountId,
      { kind: 'user', userName: 'dana' },
      'System',
      'AliyunSTSAssumeRoleAccess',
    );
    try {
      const { cookie, keys } = await logonAndCredentials();
      const assumed = await v3Call(
        s,
        keys,
        'AssumeRole',
        {
          RoleArn: `acs:ram::${s.accountId}:role/dana-admin`,
          RoleSessionName: 'from-console',
          DurationSeconds: '43200',
        },
        { now: s.clock(), version: '2015-04-01', headers: { 'x-acs-security-token': keys.securityToken! } },
      );
      expect(assumed.status, assumed.text).toBe(200);
      const c = JSON.parse(assumed.text).Credentials;
      const role: KeyPair = {
        accessKeyId: c.AccessKeyId,
        accessKeySecret: c.AccessKeySecret,
        securityToken: c.SecurityToken,
      };
      const who = await api(role, 'GetCallerIdentity', '2015-04-01');
      expect(JSON.parse(who.text)).toMatchObject({ IdentityType: 'AssumedRoleUser' });
      expect((await post('/logoff', {}, cookie)).status).toBe(200);
      const after = await api(role, 'GetCallerIdentity', '2015-04-01');
      expect([after.status, JSON.parse(after.text).Code]).toEqual([400, 'InvalidSecurityToken.Expired']);
    } finally {
      await d.attachments.detach(
        s.accountId,
        { kind: 'user', userName: 'dana' },
        'System',
        'AliyunSTSAssumeRoleAccess',
      );
    }
  });

  it('ends, with the session, when an administrator sets a new password', async () => {
    const { cookie, keys } = await logonAndCredentials();
    await s.deployment.domain.loginProfiles.update(s.accountId, 'dana', { password: 'Reset-by-admin-2026!' });
    const session = await fetch(`${s.endpoint}/logon/session`, { headers: { cookie } });
    expect(session.status).toBe(401);
    expect(JSON.parse((await api(keys, 'ListGroups')).text).Code).toBe('InvalidSecurityToken.Expired');
    await s.deployment.domain.loginProfiles.update(s.accountId, 'dana', { password: PASSWORD2 });
    password = PASSWORD2;
  });

  it('ends when the console logon is disabled, and never outlives the session', async () => {
    const { keys } = await logonAndCredentials();
    await s.deployment.domain.loginProfiles.update(s.accountId, 'dana', { status: 'Inactive' });
    const r = await api(keys, 'ListGroups');
    expect(JSON.parse(r.text).Code).toBe('InvalidSecurityToken.Expired');
    await s.deployment.domain.loginProfiles.update(s.accountId, 'dana', { status: 'Active' });
    const fresh = await logonAndCredentials();
    // The default LoginSessionDuration is 6 hours; the credentials last an hour.
    s.clock.advance(3600_000);
    expect(JSON.parse((await api(fresh.keys, 'ListGroups')).text).Code).toBe('InvalidSecurityToken.Expired');
  });
});
