/**
 * Logon steps after the password (docs/logon.md, src/domain/logon.ts) over real HTTP, on an
 * in-process server whose clock the test moves, on SQLite and PostgreSQL: a step token dies
 * with the password it was issued under and with its login profile; every step is bound by
 * LoginNetworkMasks like the password step; unbinding one's own device counts its codes like
 * the MFA step.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../src/crypto/totp.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { pgAvailable, pgSkipReason } from '../helpers/pg.js';

if (!pgAvailable) console.warn(pgSkipReason);
const STORES = pgAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

const JSON_HEADERS = { 'content-type': 'application/json', 'x-rampart-logon': '1' };
const MINUTE = 60_000;
const PASSWORD = 'Initial-pass1';
/** An identity provider's metadata, for turning user-based SSO on. */
const IDP_METADATA = readFileSync(new URL('../fixtures/saml-idp-metadata.xml', import.meta.url)).toString(
  'base64',
);
const ATTACKERS = 'Attacker-pass9';

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly setCookie: string | null;
}

/** The step a logon stops at, and how the test makes the user need it. */
type Kind = 'MFA' | 'ChangePassword' | 'BindMFA' | 'BindMFA with its device';

const KINDS: readonly Kind[] = ['MFA', 'ChangePassword', 'BindMFA', 'BindMFA with its device'];

describe.each(STORES)('logon steps over HTTP (%s)', (store) => {
  let s: InProcessServer;
  const alias = `steps-${store}`;

  beforeAll(async () => {
    s = await startInProcessServer({ store, accountAlias: alias });
  });
  afterAll(() => s?.stop());
  beforeEach(async () => {
    await s.deployment.store.db.deleteFrom('logon_throttle').execute();
  });

  const d = () => s.deployment.domain;
  const accountId = () => s.accountId;
  const userLogin = (name: string) => `${name}@${alias}.onaliyun.com`;

  async function call(path: string, body: unknown, cookie?: string): Promise<Reply> {
    const r = await fetch(`${s.endpoint}${path}`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
    return {
      status: r.status,
      body: JSON.parse(await r.text()) as Record<string, unknown>,
      setCookie: r.headers.get('set-cookie'),
    };
  }
  const logon = (loginName: string, password: string) =>
    call('/logon', { LoginName: loginName, Password: password });

  const codeAt = (seed: string, offset = 0) => totpCode(seed, totpStep(s.clock()) + offset);
  /** A code that no step near now accepts. */
  const wrongCode = (seed: string) =>
    ['000000', '111111', '222222', '333333'].find((c) => ![-1, 0, 1].some((o) => codeAt(seed, o) === c))!;

  /** Binds a new virtual MFA device (to the user, or to the root of `account`), then moves the clock past its codes. */
  async function bindDevice(account: string, userName: string | undefined, name: string): Promise<string> {
    const dev = await d().mfa.createVirtual(account, name);
    const now = totpStep(s.clock());
    const [c1, c2] = [totpCode(dev.base32StringSeed, now - 1), totpCode(dev.base32StringSeed, now)];
    if (userName === undefined) await d().mfa.bindRoot(account, dev.serialNumber, c1, c2);
    else await d().mfa.bind(account, userName, dev.serialNumber, c1, c2);
    s.clock.advance(MINUTE);
    return dev.base32StringSeed;
  }

  /**
   * A new user whose logon stops at the step of `kind` (its password given, so the token is
   * what an attacker holding the password has), and the call that would complete that step.
   */
  async function stepOf(
    kind: Kind,
    name: string,
  ): Promise<{ token: string; complete: (token: string) => Promise<Reply> }> {
    await d().users.create(accountId(), { userName: name });
    await d().loginProfiles.create(accountId(), name, {
      password: PASSWORD,
      passwordResetRequired: kind === 'ChangePassword',
      mfaBindRequired: kind.startsWith('BindMFA'),
    });
    const seed = kind === 'MFA' ? await bindDevice(accountId(), name, `${name}-dev`) : '';
    const r = await logon(userLogin(name), PASSWORD);
    expect(r.body, JSON.stringify(r.body)).toMatchObject({ Step: kind.split(' ')[0] });
    const token = r.body.StepToken as string;
    switch (kind) {
      case 'MFA':
        return {
          token,
          complete: (t) => call('/logon/mfa', { StepToken: t, AuthenticationCode: codeAt(seed) }),
        };
      case 'ChangePassword':
        return { token, complete: (t) => call('/logon/password', { StepToken: t, NewPassword: ATTACKERS }) };
      case 'BindMFA':
        return { token, complete: (t) => call('/logon/bind-mfa', { StepToken: t }) };
      case 'BindMFA with its device': {
        const made = await call('/logon/bind-mfa', { StepToken: token });
        expect(made.body, JSON.stringify(made.body)).toMatchObject({ Step: 'BindMFA' });
        const device = made.body.VirtualMFADevice as Record<string, string>;
        return {
          token: made.body.StepToken as string,
          complete: (t) =>
            call('/logon/bind-mfa', {
              StepToken: t,
              AuthenticationCode1: codeAt(device.Base32StringSeed!, -1),
              AuthenticationCode2: codeAt(device.Base32StringSeed!, 0),
            }),
        };
      }
    }
  }

  /** What an administrator does between the step and its completion (all end the user's sessions). */
  const EVENTS: readonly {
    readonly event: string;
    readonly act: (name: string) => Promise<unknown>;
  }[] = [
    {
      event: 'the password reset by an administrator (UpdateLoginProfile)',
      act: (name) =>
        d().loginProfiles.update(accountId(), name, {
          password: 'Admin-reset-7',
          passwordResetRequired: true,
        }),
    },
    {
      event: 'the login profile set Inactive',
      act: (name) => d().loginProfiles.update(accountId(), name, { status: 'Inactive' }),
    },
    {
      event: 'the login profile set Inactive and Active again',
      act: async (name) => {
        await d().loginProfiles.update(accountId(), name, { status: 'Inactive' });
        await d().loginProfiles.update(accountId(), name, { status: 'Active' });
      },
    },
    {
      event: 'the login profile deleted and made again with the same password',
      act: async (name) => {
        await d().loginProfiles.delete(accountId(), name);
        await d().loginProfiles.create(accountId(), name, { password: PASSWORD });
      },
    },
  ];

  const ROWS = KINDS.flatMap((kind) => EVENTS.map((e) => ({ kind, ...e })));

  it.each(ROWS.map((r, i) => [r.kind, r.event, i] as const))(
    'a %s step token dies with %s',
    async (kind, _event, i) => {
      const row = ROWS[i]!;
      const name = `gone${i}`;
      const { token, complete } = await stepOf(kind, name);
      await row.act(name);
      const r = await complete(token);
      expect(r.status, String(r.body.Code ?? r.body.Step ?? 'a session')).toBe(401);
      expect(r.body).toMatchObject({
        Code: 'InvalidStepToken',
        Message: 'The step token is invalid, expired or already used; log on again.',
      });
      expect(r.setCookie).toBeNull();
      // Nothing of the logon happened: no logon recorded, the password not changed.
      expect((await d().users.get(accountId(), name)).lastLoginDate).toBeUndefined();
      await d().loginProfiles.update(accountId(), name, { status: 'Active' });
      expect((await logon(userLogin(name), ATTACKERS)).body).toMatchObject({
        Code: 'AuthenticationFail.Logon',
      });
      if (kind === 'ChangePassword' && row.event.includes('Inactive'))
        expect((await d().loginProfiles.get(accountId(), name)).passwordResetRequired).toBe(true);
    },
  );

  it("a root's MFA step token dies with a new root password (rampart admin reset-root-password)", async () => {
    const other = await d().accounts.create({ alias: `steps-root-${store}`, rootPassword: 'Root-pass-one1' });
    const seed = await bindDevice(other.accountId, undefined, 'root-dev');
    const r = await logon(other.rootLoginName, 'Root-pass-one1');
    expect(r.body).toMatchObject({ Step: 'MFA' });
    await d().accounts.setRootPassword(other.accountId, 'Root-pass-two2');
    const done = await call('/logon/mfa', { StepToken: r.body.StepToken, AuthenticationCode: codeAt(seed) });
    expect(done.status, JSON.stringify(done.body)).toBe(401);
    expect(done.body).toMatchObject({ Code: 'InvalidStepToken' });
    expect(done.setCookie).toBeNull();
    // The new password's logon goes on.
    const again = await logon(other.rootLoginName, 'Root-pass-two2');
    s.clock.advance(MINUTE);
    const ok = await call('/logon/mfa', {
      StepToken: again.body.StepToken,
      AuthenticationCode: codeAt(seed),
    });
    expect(ok.body.Session, JSON.stringify(ok.body)).toMatchObject({ Principal: { Type: 'Root' } });
  });

  it.each(KINDS)(
    'a %s step from outside LoginNetworkMasks is refused like the password step',
    async (kind) => {
      const name = `mask${KINDS.indexOf(kind)}`;
      try {
        // The password step from inside the masks...
        await d().securityPreference.set(accountId(), { loginNetworkMasks: '10.0.0.0/8;127.0.0.0/8' });
        const { token, complete } = await stepOf(kind, name);
        // ...the next one from outside (127.0.0.1 no longer in them).
        await d().securityPreference.set(accountId(), { loginNetworkMasks: '10.0.0.0/8' });
        const r = await complete(token);
        expect(r.status, String(r.body.Code ?? r.body.Step ?? 'a session')).toBe(403);
        const password = await logon(userLogin(name), PASSWORD);
        expect(r.body).toMatchObject({ Code: 'Forbidden.LoginNetwork', Message: password.body.Message });
        expect(r.setCookie).toBeNull();
        expect((await d().users.get(accountId(), name)).lastLoginDate).toBeUndefined();
        // From inside, a step completes.
        await d().securityPreference.set(accountId(), { loginNetworkMasks: '10.0.0.0/8;127.0.0.0/8' });
        const inside = await stepOf(kind, `${name}in`);
        const ok = await inside.complete(inside.token);
        expect(ok.status, String(ok.body.Code)).toBe(200);
      } finally {
        await d().securityPreference.set(accountId(), { loginNetworkMasks: '' });
      }
    },
  );

  it.each(KINDS)(
    'a %s step begun before user-based SSO was turned on is refused like the password step',
    async (kind) => {
      const name = `sso${KINDS.indexOf(kind)}`;
      const { token, complete } = await stepOf(kind, name);
      await d().ssoSettings.set(accountId(), { metadataDocument: IDP_METADATA, ssoEnabled: true });
      try {
        const r = await complete(token);
        expect(r.status, String(r.body.Code ?? r.body.Step ?? 'a session')).toBe(403);
        const password = await logon(userLogin(name), PASSWORD);
        expect(password.body).toMatchObject({ Code: 'PasswordLogonDisabled.SsoEnabled' });
        expect(r.body).toMatchObject({
          Code: 'PasswordLogonDisabled.SsoEnabled',
          Message: password.body.Message,
        });
        expect(r.setCookie).toBeNull();
        expect((await d().users.get(accountId(), name)).lastLoginDate).toBeUndefined();
      } finally {
        await d().ssoSettings.set(accountId(), { ssoEnabled: false });
      }
      // Nothing of the step happened: the same password stops at the same step.
      expect((await logon(userLogin(name), PASSWORD)).body).toMatchObject({ Step: kind.split(' ')[0] });
      // With SSO off, a step completes.
      const off = await stepOf(kind, `${name}off`);
      const ok = await off.complete(off.token);
      expect(ok.status, String(ok.body.Code)).toBe(200);
    },
  );

  it('counts the codes of /logon/unbind-mfa like MFA step codes: past the limit even the right one is refused', async () => {
    const other = await d().accounts.create({
      alias: `steps-unbind-${store}`,
      rootPassword: 'Root-pass-one1',
    });
    const seed = await bindDevice(other.accountId, undefined, 'root-dev');
    const step = await logon(other.rootLoginName, 'Root-pass-one1');
    const session = await call('/logon/mfa', {
      StepToken: step.body.StepToken,
      AuthenticationCode: codeAt(seed),
    });
    const cookie = session.setCookie!.split(';')[0]!;
    s.clock.advance(MINUTE);
    const unbind = (code: string) => call('/logon/unbind-mfa', { AuthenticationCode: code }, cookie);

    const answers: string[] = [];
    for (let i = 0; i < 25; i++) answers.push((await unbind(wrongCode(seed))).body.Code as string);
    expect(answers.slice(0, 20)).toEqual(Array(20).fill('CheckAuthenticationCodeFail'));
    expect(new Set(answers.slice(20))).toEqual(new Set(['Throttling.User']));
    const right = await unbind(codeAt(seed));
    expect(right.status).toBe(400);
    expect(right.body).toMatchObject({ Code: 'Throttling.User' });
    expect(await d().mfa.hasMfa(other.accountId, { kind: 'root' })).toBe(true);
    // The window ends: the right code unbinds, and is given back.
    s.clock.advance(16 * MINUTE);
    const removed = await unbind(codeAt(seed));
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(await d().mfa.hasMfa(other.accountId, { kind: 'root' })).toBe(false);
  });
});
