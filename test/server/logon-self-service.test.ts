/**
 * What a console session does to its own credentials (password, MFA device, security keys) is
 * authorized like the API call that does the same (docs/logon.md, Self-service), on SQLite and
 * PostgreSQL: an identity or control policy's Deny refuses it on the logon surface with the
 * API's own answer, a policy's Allow lets it through with the security preference off, and the
 * steps a logon demands (a forced new password, a required MFA binding) are never asked.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { endpointUrl, signedCall } from '../../src/cli/call.js';
import { totpCode, totpStep } from '../../src/crypto/totp.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { pgAvailable, pgSkipReason } from '../helpers/pg.js';
import { eventually, storedEvents } from '../audit/helpers.js';

if (!pgAvailable) console.warn(pgSkipReason);
const STORES = pgAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

const JSON_HEADERS = { 'content-type': 'application/json', 'x-rampart-logon': '1' };
const PASSWORD = 'Initial-pass1';

interface Reply {
  readonly status: number;
  readonly body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly setCookie: string | null;
}

const SELF_SERVICE_ACTIONS = [
  'ram:ChangePassword',
  'ram:CreateVirtualMFADevice',
  'ram:BindMFADevice',
  'ram:UnbindMFADevice',
];
const statement = (effect: 'Allow' | 'Deny', actions: readonly string[]) =>
  JSON.stringify({ Version: '1', Statement: [{ Effect: effect, Action: actions, Resource: '*' }] });

describe.each(STORES)('self-service from a console session, authorized like the API (%s)', (store) => {
  let s: InProcessServer;
  const alias = `selfsvc-${store}`;
  let n = 0;

  beforeAll(async () => {
    s = await startInProcessServer({ store, accountAlias: alias });
  });
  afterAll(() => s?.stop());
  beforeEach(async () => {
    await s.deployment.store.db.deleteFrom('logon_throttle').execute();
  });

  const d = () => s.deployment.domain;

  async function call(path: string, body: unknown, cookie?: string): Promise<Reply> {
    const r = await fetch(`${s.endpoint}${path}`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
    return {
      status: r.status,
      body: (await r.json()) as Record<string, unknown>,
      setCookie: r.headers.get('set-cookie'),
    };
  }

  /** A new RAM user with a console password in `accountId`; its login name. */
  async function newUser(
    accountId = s.accountId,
    opts: { passwordResetRequired?: boolean; mfaBindRequired?: boolean } = {},
  ): Promise<{ userName: string; login: string }> {
    const userName = `u${++n}`;
    await d().users.create(accountId, { userName });
    await d().loginProfiles.create(accountId, userName, { password: PASSWORD, ...opts });
    const domain = accountId === s.accountId ? alias : accountId;
    return { userName, login: `${userName}@${domain}.onaliyun.com` };
  }

  async function attach(userName: string, effect: 'Allow' | 'Deny', actions: readonly string[]) {
    const policyName = `${effect}-${userName}-${++n}`;
    await d().policies.create(s.accountId, { policyName, policyDocument: statement(effect, actions) });
    await d().attachments.attach(s.accountId, { kind: 'user', userName }, 'Custom', policyName);
    return () => d().attachments.detach(s.accountId, { kind: 'user', userName }, 'Custom', policyName);
  }

  async function sessionOf(login: string): Promise<string> {
    const r = await call('/logon', { LoginName: login, Password: PASSWORD });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.setCookie!.split(';')[0]!;
  }

  /** The API's answer to `action` signed with the session's own credentials (as the console calls it). */
  async function apiWithSession(cookie: string, product: string, action: string, params: [string, string][]) {
    const c = (await call('/logon/credentials', {}, cookie)).body.Credentials as Record<string, string>;
    const r = await signedCall(
      endpointUrl(s.host),
      { accessKeyId: c.AccessKeyId!, accessKeySecret: c.AccessKeySecret!, securityToken: c.SecurityToken! },
      product,
      action,
      params,
    );
    return { status: r.status, body: JSON.parse(r.body) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  const refused = (action: string, type: 'ExplicitDeny' | 'ImplicitDeny', policyType: string) => ({
    Code: 'NoPermission',
    AccessDeniedDetail: expect.objectContaining({
      AuthAction: action,
      NoPermissionType: type,
      PolicyType: policyType,
    }) as unknown,
  });

  const codeAt = (seed: string, offset = 0) => totpCode(seed, totpStep(s.clock()) + offset);

  it("refuses on the console what the user's own Deny refuses in the API, with the API's answer", async () => {
    const u = await newUser();
    await attach(u.userName, 'Deny', SELF_SERVICE_ACTIONS);
    const cookie = await sessionOf(u.login);

    // The API, with the session's own credentials.
    const api = await apiWithSession(cookie, 'ims', 'ChangePassword', [
      ['OldPassword', PASSWORD],
      ['NewPassword', 'Second-pass-2'],
    ]);
    expect(api.status).toBe(403);
    expect(api.body).toMatchObject(
      refused('ram:ChangePassword', 'ExplicitDeny', 'AccountLevelIdentityBasedPolicy'),
    );

    // The console: the same code, status and detail for each of the person's own changes.
    const password = await call(
      '/logon/password',
      { OldPassword: PASSWORD, NewPassword: 'Second-pass-2' },
      cookie,
    );
    expect(password.status).toBe(api.status);
    expect(password.body).toMatchObject({ Code: api.body.Code });
    expect(password.body.AccessDeniedDetail).toMatchObject({
      AuthAction: api.body.AccessDeniedDetail.AuthAction,
      NoPermissionType: api.body.AccessDeniedDetail.NoPermissionType,
      PolicyType: api.body.AccessDeniedDetail.PolicyType,
      AuthPrincipalDisplayName: api.body.AccessDeniedDetail.AuthPrincipalDisplayName,
    });
    const table: [string, unknown, string][] = [
      ['/logon/bind-mfa', {}, 'ram:BindMFADevice'],
      ['/logon/unbind-mfa', { AuthenticationCode: '123456' }, 'ram:UnbindMFADevice'],
      ['/logon/webauthn/register-options', {}, 'ram:BindMFADevice'],
      ['/logon/webauthn/register', { Response: { id: 'x', response: {} } }, 'ram:BindMFADevice'],
      ['/logon/webauthn/delete', { CredentialId: 'nope' }, 'ram:UnbindMFADevice'],
    ];
    for (const [path, body, action] of table) {
      const r = await call(path, body, cookie);
      expect([path, r.status, r.body]).toEqual([
        path,
        403,
        expect.objectContaining(refused(action, 'ExplicitDeny', 'AccountLevelIdentityBasedPolicy')),
      ]);
    }
    // Nothing changed: the password is the old one, and no device was made.
    expect((await call('/logon', { LoginName: u.login, Password: 'Second-pass-2' })).status).toBe(401);
    expect((await call('/logon', { LoginName: u.login, Password: PASSWORD })).status).toBe(200);
    expect(
      await d().mfa.hasMfa(s.accountId, {
        kind: 'user',
        userId: (await d().users.get(s.accountId, u.userName)).userId,
      }),
    ).toBe(false);
  });

  it('asks again at each call of a binding started from a session; a refusal keeps the token', async () => {
    const u = await newUser();
    const cookie = await sessionOf(u.login);
    const start = await call('/logon/bind-mfa', {}, cookie);
    expect(start.body).toMatchObject({ Step: 'BindMFA' });

    // CreateVirtualMFADevice denied once the binding started: the device is not created.
    const undeny = await attach(u.userName, 'Deny', ['ram:CreateVirtualMFADevice']);
    const create = await call('/logon/bind-mfa', { StepToken: start.body.StepToken });
    expect(create.status).toBe(403);
    expect(create.body).toMatchObject(
      refused('ram:CreateVirtualMFADevice', 'ExplicitDeny', 'AccountLevelIdentityBasedPolicy'),
    );
    expect(create.body.AccessDeniedDetail).toBeDefined();
    expect(
      (await d().mfa.listVirtual(s.accountId)).filter((v) => v.serialNumber.includes(`mfa/${u.userName}-`)),
    ).toEqual([]);
    await undeny();
    const created = await call('/logon/bind-mfa', { StepToken: start.body.StepToken });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const seed = (created.body.VirtualMFADevice as Record<string, string>).Base32StringSeed!;

    // BindMFADevice denied before the codes: not bound, and the same token binds once allowed.
    const unbindDeny = await attach(u.userName, 'Deny', ['ram:BindMFADevice']);
    const codes = {
      StepToken: created.body.StepToken,
      AuthenticationCode1: codeAt(seed, -1),
      AuthenticationCode2: codeAt(seed, 0),
    };
    const bind = await call('/logon/bind-mfa', codes);
    expect(bind.status).toBe(403);
    expect(bind.body).toMatchObject(
      refused('ram:BindMFADevice', 'ExplicitDeny', 'AccountLevelIdentityBasedPolicy'),
    );
    const user = await d().users.get(s.accountId, u.userName);
    expect(await d().mfa.hasMfa(s.accountId, { kind: 'user', userId: user.userId })).toBe(false);
    await unbindDeny();
    const bound = await call('/logon/bind-mfa', codes);
    expect(bound.status, JSON.stringify(bound.body)).toBe(200);
    expect(await d().mfa.hasMfa(s.accountId, { kind: 'user', userId: user.userId })).toBe(true);

    // UnbindMFADevice denied: the device stays.
    const unUnbind = await attach(u.userName, 'Deny', ['ram:UnbindMFADevice']);
    s.clock.advance(60_000);
    const unbind = await call('/logon/unbind-mfa', { AuthenticationCode: codeAt(seed) }, cookie);
    expect(unbind.body).toMatchObject(
      refused('ram:UnbindMFADevice', 'ExplicitDeny', 'AccountLevelIdentityBasedPolicy'),
    );
    expect(await d().mfa.hasMfa(s.accountId, { kind: 'user', userId: user.userId })).toBe(true);
    await unUnbind();
    const unbound = await call('/logon/unbind-mfa', { AuthenticationCode: codeAt(seed) }, cookie);
    expect(unbound.status, JSON.stringify(unbound.body)).toBe(200);
  });

  it('follows the API when the security preference is off: a policy allows, none refuses (ImplicitDeny)', async () => {
    const allowed = await newUser();
    const bare = await newUser();
    await attach(allowed.userName, 'Allow', SELF_SERVICE_ACTIONS);
    const allowedCookie = await sessionOf(allowed.login);
    const bareCookie = await sessionOf(bare.login);
    await d().securityPreference.set(s.accountId, {
      allowUserToChangePassword: false,
      allowUserToManageMFADevices: false,
    });
    try {
      const api = await apiWithSession(bareCookie, 'ram', 'ChangePassword', [
        ['OldPassword', PASSWORD],
        ['NewPassword', 'Second-pass-2'],
      ]);
      const r = await call(
        '/logon/password',
        { OldPassword: PASSWORD, NewPassword: 'Second-pass-2' },
        bareCookie,
      );
      expect(r.status).toBe(api.status);
      expect(r.body).toMatchObject(
        refused('ram:ChangePassword', 'ImplicitDeny', 'AccountLevelIdentityBasedPolicy'),
      );
      expect(api.body).toMatchObject(
        refused('ram:ChangePassword', 'ImplicitDeny', 'AccountLevelIdentityBasedPolicy'),
      );
      expect((await call('/logon/bind-mfa', {}, bareCookie)).body).toMatchObject(
        refused('ram:BindMFADevice', 'ImplicitDeny', 'AccountLevelIdentityBasedPolicy'),
      );
      expect((await call('/logon/webauthn/register-options', {}, bareCookie)).body).toMatchObject(
        refused('ram:BindMFADevice', 'ImplicitDeny', 'AccountLevelIdentityBasedPolicy'),
      );

      // Allowed by its policy: the preference does not matter, as in the API.
      expect((await call('/logon/bind-mfa', {}, allowedCookie)).body).toMatchObject({ Step: 'BindMFA' });
      expect((await call('/logon/webauthn/register-options', {}, allowedCookie)).status).toBe(200);
      const changed = await call(
        '/logon/password',
        { OldPassword: PASSWORD, NewPassword: 'Second-pass-2' },
        allowedCookie,
      );
      expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    } finally {
      await d().securityPreference.set(s.accountId, {
        allowUserToChangePassword: true,
        allowUserToManageMFADevices: true,
      });
    }
  });

  it('records a password change from a session, made or refused, never the password', async () => {
    const u = await newUser();
    const cookie = await sessionOf(u.login);
    const wrong = await call(
      '/logon/password',
      { OldPassword: 'Not-the-pass1', NewPassword: 'Third-pass-3' },
      cookie,
    );
    expect(wrong.status).not.toBe(200);
    const made = await call(
      '/logon/password',
      { OldPassword: PASSWORD, NewPassword: 'Third-pass-3' },
      cookie,
    );
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const mine = (e: { event: { eventName: string; userIdentity: { userName?: string } } }) =>
      e.event.eventName === 'ChangePassword' && e.event.userIdentity.userName === u.userName;
    const events = await eventually(async () => {
      const found = (await storedEvents(s.deployment.store, s.accountId)).filter(mine);
      expect(found).toHaveLength(2);
      return found;
    });
    expect(events.map((e) => e.event.errorCode)).toEqual([wrong.body.Code, '']);
    expect(events[1]!.event).toMatchObject({ eventType: 'ApiCall', userIdentity: { type: 'ram-user' } });
    const text = JSON.stringify(events);
    for (const secret of [PASSWORD, 'Not-the-pass1', 'Third-pass-3']) expect(text).not.toContain(secret);
  });

  it("refuses what a control policy denies, in a member account's self-service", async () => {
    const master = s.accountId;
    await d().resourceDirectory.enable(master);
    const member = await d().resourceDirectory.createAccount(master, { displayName: `member-${store}` });
    await d().controlPolicies.enable(master);
    const cp = await d().controlPolicies.create(master, {
      policyName: 'NoSelfService',
      effectScope: 'RAM',
      policyDocument: statement('Deny', ['ram:ChangePassword', 'ram:BindMFADevice']),
    });
    await d().controlPolicies.attach(master, cp.policyId, member.accountId);
    const u = await newUser(member.accountId);
    const cookie = await sessionOf(u.login);
    const api = await apiWithSession(cookie, 'ram', 'ChangePassword', [
      ['OldPassword', PASSWORD],
      ['NewPassword', 'Second-pass-2'],
    ]);
    expect(api.body).toMatchObject(refused('ram:ChangePassword', 'ExplicitDeny', 'ControlPolicy'));
    const r = await call('/logon/password', { OldPassword: PASSWORD, NewPassword: 'Second-pass-2' }, cookie);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject(refused('ram:ChangePassword', 'ExplicitDeny', 'ControlPolicy'));
    expect((await call('/logon/bind-mfa', {}, cookie)).body).toMatchObject(
      refused('ram:BindMFADevice', 'ExplicitDeny', 'ControlPolicy'),
    );
  });

  it('never asks the steps a logon demands: a forced new password and a required binding pass a Deny', async () => {
    const u = await newUser(s.accountId, { passwordResetRequired: true, mfaBindRequired: true });
    await attach(u.userName, 'Deny', SELF_SERVICE_ACTIONS);
    const first = await call('/logon', { LoginName: u.login, Password: PASSWORD });
    expect(first.body).toMatchObject({ Step: 'ChangePassword' });
    const changed = await call('/logon/password', {
      StepToken: first.body.StepToken,
      NewPassword: 'Second-pass-2',
    });
    expect(changed.body, JSON.stringify(changed.body)).toMatchObject({ Step: 'BindMFA' });
    const created = await call('/logon/bind-mfa', { StepToken: changed.body.StepToken });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const seed = (created.body.VirtualMFADevice as Record<string, string>).Base32StringSeed!;
    const done = await call('/logon/bind-mfa', {
      StepToken: created.body.StepToken,
      AuthenticationCode1: codeAt(seed, -1),
      AuthenticationCode2: codeAt(seed, 0),
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.Session).toMatchObject({ MFAPresent: true });
  });
});
