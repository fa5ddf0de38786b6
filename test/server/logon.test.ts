/**
 * Console logon over real HTTP (docs/logon.md), on an in-process server whose clock the test
 * moves, on SQLite and PostgreSQL: root and RAM users, steps (MFA, ChangePassword, BindMFA),
 * lock-out, network masks, expiry, sessions, and the answers to bad input.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../src/crypto/totp.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { rootSecurityWarnings } from '../../src/server.js';
import { pgAvailable, pgSkipReason } from '../helpers/pg.js';

if (!pgAvailable) console.warn(pgSkipReason);
const STORES = pgAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

const JSON_HEADERS = { 'content-type': 'application/json', 'x-rampart-logon': '1' };

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly setCookie: string | null;
}

const MINUTE = 60_000;

describe.each(STORES)('console logon over HTTP (%s)', (store) => {
  let s: InProcessServer;
  const alias = `logon-${store}`;

  beforeAll(async () => {
    s = await startInProcessServer({ store, accountAlias: alias });
  });
  afterAll(() => s?.stop());
  beforeEach(async () => {
    // Every test starts with clean per-address and per-name counters (all come from 127.0.0.1).
    await s.deployment.store.db.deleteFrom('logon_throttle').execute();
  });

  const d = () => s.deployment.domain;
  const accountId = () => s.accountId;

  async function call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    opts: { cookie?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const r = await fetch(`${s.endpoint}${path}`, {
      method,
      headers: {
        ...(method === 'POST' ? JSON_HEADERS : {}),
        ...opts.headers,
        ...(opts.cookie ? { cookie: opts.cookie } : {}),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await r.text();
    return {
      status: r.status,
      body: JSON.parse(text) as Record<string, unknown>,
      setCookie: r.headers.get('set-cookie'),
    };
  }

  const logon = (loginName: string, password: string) =>
    call('POST', '/logon', { LoginName: loginName, Password: password });
  const cookieOf = (r: Reply): string => {
    expect(r.setCookie, JSON.stringify(r.body)).toBeTruthy();
    return r.setCookie!.split(';')[0]!;
  };
  const userLogin = (name: string) => `${name}@${alias}.onaliyun.com`;
  const FAILED = { Code: 'AuthenticationFail.Logon' };

  async function newUser(
    name: string,
    password = 'Initial-pass1',
    opts: { passwordResetRequired?: boolean; mfaBindRequired?: boolean } = {},
  ): Promise<void> {
    await d().users.create(accountId(), { userName: name });
    await d().loginProfiles.create(accountId(), name, { password, ...opts });
  }

  /** Binds a new virtual MFA device to the user (domain), then moves the clock past the codes used. */
  async function bindDevice(userName: string): Promise<string> {
    const dev = await d().mfa.createVirtual(accountId(), `${userName}-dev`);
    const now = totpStep(s.clock());
    await d().mfa.bind(
      accountId(),
      userName,
      dev.serialNumber,
      totpCode(dev.base32StringSeed, now - 1),
      totpCode(dev.base32StringSeed, now),
    );
    // Two steps on: the step before now is then after the last one accepted.
    s.clock.advance(60_000);
    return dev.base32StringSeed;
  }
  const codeAt = (seed: string, offset = 0) => totpCode(seed, totpStep(s.clock()) + offset);

  it('logs the root on with both root login names, answers a session cookie, and logs off', async () => {
    const r = await logon(s.rootLoginName, s.rootPassword);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.Session).toMatchObject({
      Principal: { Type: 'Root', AccountId: accountId() },
      MFAPresent: false,
    });
    expect(r.setCookie).toMatch(
      /^rampart_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=21600; HttpOnly; SameSite=Strict$/,
    );
    const cookie = cookieOf(r);
    // Only the SHA-256 of the id is stored.
    const id = cookie.split('=')[1]!;
    const rows = await s.deployment.store.db.selectFrom('logon_sessions').select('session_hash').execute();
    expect(rows.map((x) => x.session_hash)).not.toContain(id);

    const who = await call('GET', '/logon/session', undefined, { cookie });
    expect(who.status).toBe(200);
    expect(who.body.Session).toMatchObject({ Principal: { Type: 'Root' } });

    const byId = await logon(`ROOT@${accountId()}.ONALIYUN.COM`, s.rootPassword);
    expect(byId.status).toBe(200);

    const off = await call('POST', '/logoff', {}, { cookie });
    expect(off.status).toBe(200);
    expect(off.setCookie).toMatch(/^rampart_session=; Path=\/; Max-Age=0;/);
    const after = await call('GET', '/logon/session', undefined, { cookie });
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ Code: 'InvalidSession' });
    // The other session lives on.
    expect((await call('GET', '/logon/session', undefined, { cookie: cookieOf(byId) })).status).toBe(200);
  });

  it('logs RAM users on by alias and by account id domain, names ignoring case, and records LastLoginDate', async () => {
    await newUser('alice');
    expect((await d().users.get(accountId(), 'alice')).lastLoginDate).toBeUndefined();
    for (const name of [
      userLogin('alice'),
      `ALICE@${accountId()}.onaliyun.com`,
      `Alice@${alias.toUpperCase()}.OnAliyun.com`,
    ]) {
      const r = await logon(name, 'Initial-pass1');
      expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(r.body.Session).toMatchObject({ Principal: { Type: 'RAMUser', UserName: 'alice' } });
    }
    expect((await d().users.get(accountId(), 'alice')).lastLoginDate).toBe(
      s
        .clock()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
    );
    // Another account's domain, a foreign suffix, no domain: the one failure answer.
    for (const name of [
      'alice@other-alias.onaliyun.com',
      'alice@logon.example.com',
      'alice',
      '@x.onaliyun.com',
    ]) {
      const r = await logon(name, 'Initial-pass1');
      expect(r.status, name).toBe(401);
      expect(r.body).toMatchObject(FAILED);
    }
  });

  it('forces a password change at the next logon: weak and reused passwords are refused with every rule, then a session', async () => {
    await d().passwordPolicy.set(accountId(), {
      minimumPasswordLength: 10,
      requireNumbers: true,
      requireSymbols: true,
      passwordReusePrevention: 2,
    });
    await newUser('bob', 'Bob-initial1', { passwordResetRequired: true });
    const r = await logon(userLogin('bob'), 'Bob-initial1');
    expect(r.status).toBe(200);
    expect(r.setCookie).toBeNull();
    expect(r.body).toMatchObject({ Step: 'ChangePassword' });
    const token = r.body.StepToken as string;

    const weak = await call('POST', '/logon/password', { StepToken: token, NewPassword: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body).toMatchObject({
      Code: 'InvalidParameter.NewPassword.TooWeak',
      Message:
        'The parameter - "NewPassword" is not compliant with the password policy. It needs: at least 10 characters; a digit; a symbol.',
    });
    const reused = await call('POST', '/logon/password', { StepToken: token, NewPassword: 'Bob-initial1' });
    expect(reused.status).toBe(400);
    expect(reused.body).toMatchObject({ Code: 'InvalidParameter.NewPassword.ReusePrevention' });

    const done = await call('POST', '/logon/password', { StepToken: token, NewPassword: 'Bob-second-2' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.Session).toMatchObject({ Principal: { UserName: 'bob' } });
    // The token was used once.
    const replay = await call('POST', '/logon/password', { StepToken: token, NewPassword: 'Bob-third-33' });
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ Code: 'InvalidStepToken' });

    expect((await logon(userLogin('bob'), 'Bob-initial1')).body).toMatchObject(FAILED);
    const next = await logon(userLogin('bob'), 'Bob-second-2');
    expect(next.body.Session).toBeDefined();
    expect((await d().loginProfiles.get(accountId(), 'bob')).passwordResetRequired).toBe(false);
    await d().passwordPolicy.set(accountId(), {
      minimumPasswordLength: 8,
      requireNumbers: false,
      requireSymbols: false,
      passwordReusePrevention: 0,
    });
  });

  it('asks for the MFA code of a bound device: a wrong code spends the token, a replayed or too old code is refused', async () => {
    await newUser('carol');
    const seed = await bindDevice('carol');
    const step = async () => {
      const r = await logon(userLogin('carol'), 'Initial-pass1');
      expect(r.body).toMatchObject({ Step: 'MFA' });
      expect(r.setCookie).toBeNull();
      return r.body.StepToken as string;
    };
    const t1 = await step();
    const wrong = await call('POST', '/logon/mfa', {
      StepToken: t1,
      AuthenticationCode: codeAt(seed) === '000000' ? '111111' : '000000',
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toMatchObject({ Code: 'CheckAuthenticationCodeFail' });
    const spent = await call('POST', '/logon/mfa', { StepToken: t1, AuthenticationCode: codeAt(seed) });
    expect(spent.body).toMatchObject({ Code: 'InvalidStepToken' });

    // Skew: two steps either way is refused; one step back is accepted.
    const t2 = await step();
    expect(
      (await call('POST', '/logon/mfa', { StepToken: t2, AuthenticationCode: codeAt(seed, 2) })).body,
    ).toMatchObject({ Code: 'CheckAuthenticationCodeFail' });
    const t3 = await step();
    const ok = await call('POST', '/logon/mfa', { StepToken: t3, AuthenticationCode: codeAt(seed, -1) });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.Session).toMatchObject({ MFAPresent: true, Principal: { UserName: 'carol' } });

    // The same code again (a replay), and an older one: refused.
    const t4 = await step();
    expect(
      (await call('POST', '/logon/mfa', { StepToken: t4, AuthenticationCode: codeAt(seed, -1) })).body,
    ).toMatchObject({ Code: 'CheckAuthenticationCodeFail' });
    const t5 = await step();
    const current = await call('POST', '/logon/mfa', { StepToken: t5, AuthenticationCode: codeAt(seed) });
    expect(current.status).toBe(200);
  });

  it('binds a virtual MFA device at logon when MFABindRequired, then asks for its codes', async () => {
    await newUser('dave', 'Initial-pass1', { mfaBindRequired: true });
    const r = await logon(userLogin('dave'), 'Initial-pass1');
    expect(r.body).toMatchObject({ Step: 'BindMFA' });
    const created = await call('POST', '/logon/bind-mfa', { StepToken: r.body.StepToken });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ Step: 'BindMFA' });
    const device = created.body.VirtualMFADevice as Record<string, string>;
    expect(device.SerialNumber).toMatch(new RegExp(`^acs:ram::${accountId()}:mfa/dave-[a-z0-9]{8}$`));
    expect(device.Base32StringSeed).toMatch(/^[A-Z2-7]{32}$/);
    const token = created.body.StepToken as string;
    expect(token).not.toBe(r.body.StepToken);

    const seed = device.Base32StringSeed!;
    const bad = await call('POST', '/logon/bind-mfa', {
      StepToken: token,
      AuthenticationCode1: codeAt(seed, 0),
      AuthenticationCode2: codeAt(seed, 0),
    });
    expect(bad.body).toMatchObject({ Code: 'CheckAuthenticationCodeFail' });
    const bound = await call('POST', '/logon/bind-mfa', {
      StepToken: token,
      AuthenticationCode1: codeAt(seed, -1),
      AuthenticationCode2: codeAt(seed, 0),
    });
    expect(bound.status, JSON.stringify(bound.body)).toBe(200);
    expect(bound.body.Session).toMatchObject({ MFAPresent: true });
    expect((await d().mfa.getUserMFAInfo(accountId(), 'dave')).serialNumber).toBe(device.SerialNumber);

    s.clock.advance(30_000);
    const next = await logon(userLogin('dave'), 'Initial-pass1');
    expect(next.body).toMatchObject({ Step: 'MFA' });
    const ok = await call('POST', '/logon/mfa', {
      StepToken: next.body.StepToken,
      AuthenticationCode: codeAt(seed),
    });
    expect(ok.body.Session).toBeDefined();
  });

  it('requires MFA of every RAM user when the security preference says mandatory (EnforceMFAForLogin)', async () => {
    await newUser('erin');
    await d().securityPreference.set(accountId(), { enforceMFAForLogin: true });
    try {
      const r = await logon(userLogin('erin'), 'Initial-pass1');
      expect(r.body).toMatchObject({ Step: 'BindMFA' });
      // The root is not bound by it.
      expect((await logon(s.rootLoginName, s.rootPassword)).body.Session).toBeDefined();
    } finally {
      await d().securityPreference.set(accountId(), { enforceMFAForLogin: false });
    }
    expect((await logon(userLogin('erin'), 'Initial-pass1')).body.Session).toBeDefined();
  });

  it('locks a user after MaxLoginAttemps failures within an hour, with the same answer as a missing user, for an hour', async () => {
    await d().passwordPolicy.set(accountId(), { maxLoginAttemps: 3 });
    try {
      await newUser('frank');
      const answers: Reply[] = [];
      for (let i = 0; i < 3; i++) answers.push(await logon(userLogin('frank'), `wrong-pass-${i}`));
      const locked = await logon(userLogin('frank'), 'Initial-pass1');
      const missing = await logon(userLogin('nobody-here'), 'Initial-pass1');
      for (const a of [...answers, locked, missing]) {
        expect(a.status).toBe(401);
        expect(a.body.Code).toBe('AuthenticationFail.Logon');
        expect(a.body.Message).toBe(answers[0]!.body.Message);
      }
      s.clock.advance(59 * MINUTE);
      expect((await logon(userLogin('frank'), 'Initial-pass1')).body).toMatchObject(FAILED);
      s.clock.advance(2 * MINUTE);
      expect((await logon(userLogin('frank'), 'Initial-pass1')).body.Session).toBeDefined();

      // Failures more than an hour apart do not add up.
      await logon(userLogin('frank'), 'wrong-pass-a');
      await logon(userLogin('frank'), 'wrong-pass-b');
      s.clock.advance(61 * MINUTE);
      await logon(userLogin('frank'), 'wrong-pass-c');
      expect((await logon(userLogin('frank'), 'Initial-pass1')).body.Session).toBeDefined();
    } finally {
      await d().passwordPolicy.set(accountId(), { maxLoginAttemps: 0 });
    }
  });

  it('locks the root like a user; an operator unlock clears it', async () => {
    await d().passwordPolicy.set(accountId(), { maxLoginAttemps: 2 });
    try {
      for (let i = 0; i < 2; i++)
        expect((await logon(s.rootLoginName, 'Wrong-pass-1')).body).toMatchObject(FAILED);
      expect((await logon(s.rootLoginName, s.rootPassword)).body).toMatchObject(FAILED);
      expect(await d().accounts.rootLocked(accountId())).toBe(true);
      expect(await d().accounts.unlockRoot(accountId())).toBe(true);
      expect((await logon(s.rootLoginName, s.rootPassword)).body.Session).toBeDefined();
      expect(await d().accounts.unlockRoot(accountId())).toBe(false);
    } finally {
      await d().passwordPolicy.set(accountId(), { maxLoginAttemps: 0 });
    }
  });

  it('slows brute force: past the per-name limit every try gets Throttling.User until the window ends, whether the name exists or not', async () => {
    await newUser('ivan');
    for (const name of [userLogin('ivan'), userLogin('not-a-user')]) {
      for (let i = 0; i < 20; i++) expect((await logon(name, `wrong-${i}`)).body).toMatchObject(FAILED);
      const slowed = await logon(name, 'Initial-pass1');
      expect(slowed.status).toBe(400);
      expect(slowed.body.Code).toBe('Throttling.User');
      expect(slowed.body.Message).toMatch(/too many failed logons, try again in \d+ seconds/);
    }
    s.clock.advance(16 * MINUTE);
    expect((await logon(userLogin('ivan'), 'Initial-pass1')).body.Session).toBeDefined();
  });

  it('answers a login name with a NUL or an unpaired surrogate like an unknown name, counted the same, on both stores', async () => {
    const unknown = await logon(userLogin('no-such-user'), 'x');
    expect(unknown.status).toBe(401);
    const names = [
      `root\u0000@${alias}.onaliyun.com`,
      `root@${alias}\u0000.onaliyun.com`,
      `a\u0000b@auxiliary\u0000.example.com`,
      `\ud800x@${alias}.onaliyun.com`,
      `x@${alias}.onaliyun.com\udc00`,
    ];
    for (const name of names) {
      const r = await logon(name, 'x');
      expect([name, r.status, r.body.Code, r.body.Message]).toEqual([
        name,
        401,
        unknown.body.Code,
        unknown.body.Message,
      ]);
    }
    // Counted against its name like any unknown one: past the limit, Throttling.User.
    const nul = `nul\u0000@${alias}.onaliyun.com`;
    for (let i = 0; i < 20; i++) expect((await logon(nul, `wrong-${i}`)).body).toMatchObject(FAILED);
    expect((await logon(nul, 'x')).body.Code).toBe('Throttling.User');
  });

  it('counts MFA codes like passwords: step tokens taken in advance buy no guesses past the limit', async () => {
    await newUser('mona');
    const seed = await bindDevice('mona');
    // Right passwords are given back: forty step tokens cost the counters nothing.
    const tokens: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await logon(userLogin('mona'), 'Initial-pass1');
      expect(r.body).toMatchObject({ Step: 'MFA' });
      tokens.push(r.body.StepToken as string);
    }
    const wrongCode = codeAt(seed) === '000000' ? '111111' : '000000';
    const answers: string[] = [];
    for (const token of tokens.slice(0, 39)) {
      const r = await call('POST', '/logon/mfa', { StepToken: token, AuthenticationCode: wrongCode });
      answers.push(r.body.Code as string);
    }
    expect(answers.slice(0, 20)).toEqual(Array(20).fill('CheckAuthenticationCodeFail'));
    expect(new Set(answers.slice(20))).toEqual(new Set(['Throttling.User']));
    // Past the limit even the right code is refused until the window ends.
    const right = await call('POST', '/logon/mfa', {
      StepToken: tokens[39],
      AuthenticationCode: codeAt(seed),
    });
    expect(right.body).toMatchObject({ Code: 'Throttling.User' });
    expect(right.setCookie).toBeNull();
    s.clock.advance(16 * MINUTE);
    const r = await logon(userLogin('mona'), 'Initial-pass1');
    const ok = await call('POST', '/logon/mfa', {
      StepToken: r.body.StepToken,
      AuthenticationCode: codeAt(seed),
    });
    expect(ok.body.Session).toMatchObject({ MFAPresent: true });
  });

  it('allows RAM users to log on only from LoginNetworkMasks; the root is not bound by them', async () => {
    await newUser('judy');
    await d().securityPreference.set(accountId(), { loginNetworkMasks: '10.0.0.0/8;192.168.1.0/24' });
    try {
      for (const password of ['Initial-pass1', 'wrong-pass']) {
        const r = await logon(userLogin('judy'), password);
        expect(r.status).toBe(403);
        expect(r.body).toMatchObject({ Code: 'Forbidden.LoginNetwork' });
      }
      // The same answer for a name that does not exist: it depends on the address only.
      expect((await logon(userLogin('nobody'), 'x-password')).body).toMatchObject({
        Code: 'Forbidden.LoginNetwork',
      });
      expect((await logon(s.rootLoginName, s.rootPassword)).body.Session).toBeDefined();
      await d().securityPreference.set(accountId(), { loginNetworkMasks: '10.0.0.0/8;127.0.0.0/8' });
      expect((await logon(userLogin('judy'), 'Initial-pass1')).body.Session).toBeDefined();
    } finally {
      await d().securityPreference.set(accountId(), { loginNetworkMasks: '' });
    }
  });

  it('refuses a disabled login profile with the common answer and ends its sessions; a deleted user too', async () => {
    await newUser('ken');
    const r = await logon(userLogin('ken'), 'Initial-pass1');
    const cookie = cookieOf(r);
    await d().loginProfiles.update(accountId(), 'ken', { status: 'Inactive' });
    expect((await logon(userLogin('ken'), 'Initial-pass1')).body).toMatchObject(FAILED);
    expect((await call('GET', '/logon/session', undefined, { cookie })).body).toMatchObject({
      Code: 'InvalidSession',
    });
    await d().loginProfiles.update(accountId(), 'ken', { status: 'Active' });
    const again = cookieOf(await logon(userLogin('ken'), 'Initial-pass1'));
    // Disabled and enabled again before the session's next use: it stays ended.
    await d().loginProfiles.update(accountId(), 'ken', { status: 'Inactive' });
    await d().loginProfiles.update(accountId(), 'ken', { status: 'Active' });
    expect((await call('GET', '/logon/session', undefined, { cookie: again })).status).toBe(401);
    // Deleted and made again, with a new password, before the session's next use: the same.
    const third = cookieOf(await logon(userLogin('ken'), 'Initial-pass1'));
    await d().loginProfiles.delete(accountId(), 'ken');
    await d().loginProfiles.create(accountId(), 'ken', { password: 'Brand-new-pass2' });
    expect((await call('GET', '/logon/session', undefined, { cookie: third })).status).toBe(401);
    const fourth = cookieOf(await logon(userLogin('ken'), 'Brand-new-pass2'));
    await d().loginProfiles.delete(accountId(), 'ken');
    await d().users.delete(accountId(), 'ken');
    expect((await call('GET', '/logon/session', undefined, { cookie: fourth })).status).toBe(401);
  });

  it('expires passwords after MaxPasswordAge: a change at logon, or with HardExpiry a refusal until an administrator resets it', async () => {
    await newUser('leo', 'Leo-initial1');
    await d().passwordPolicy.set(accountId(), { maxPasswordAge: 1 });
    try {
      s.clock.advance(2 * 24 * 60 * MINUTE);
      const r = await logon(userLogin('leo'), 'Leo-initial1');
      expect(r.body).toMatchObject({ Step: 'ChangePassword' });
      await d().passwordPolicy.set(accountId(), { hardExpiry: true });
      const refused = await logon(userLogin('leo'), 'Leo-initial1');
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ Code: 'Forbidden.PasswordExpired' });
      // A wrong password still gets the common answer.
      expect((await logon(userLogin('leo'), 'Leo-wrong-1')).body).toMatchObject(FAILED);
      await d().loginProfiles.update(accountId(), 'leo', { password: 'Leo-reset-22' });
      expect((await logon(userLogin('leo'), 'Leo-reset-22')).body.Session).toBeDefined();
    } finally {
      await d().passwordPolicy.set(accountId(), { maxPasswordAge: 0, hardExpiry: false });
    }
  });

  it('ends a session after LoginSessionDuration', async () => {
    await d().securityPreference.set(accountId(), { loginSessionDuration: 1 });
    try {
      await newUser('mia');
      const r = await logon(userLogin('mia'), 'Initial-pass1');
      expect(r.setCookie).toContain('Max-Age=3600;');
      const cookie = cookieOf(r);
      s.clock.advance(59 * MINUTE);
      expect((await call('GET', '/logon/session', undefined, { cookie })).status).toBe(200);
      s.clock.advance(2 * MINUTE);
      expect((await call('GET', '/logon/session', undefined, { cookie })).body).toMatchObject({
        Code: 'InvalidSession',
      });
    } finally {
      await d().securityPreference.set(accountId(), { loginSessionDuration: 6 });
    }
  });

  it('lets the root bind an MFA device from its session; its next logon asks for the code', async () => {
    expect(await rootSecurityWarnings(s.deployment)).toEqual([
      `warning: the root of account ${accountId()} has 1 AccessKey(s); root keys cannot be limited by any policy: use a RAM user's keys and delete them`,
      `warning: the root of account ${accountId()} has no MFA device; bind one after logging on (POST /logon/bind-mfa)`,
    ]);
    const cookie = cookieOf(await logon(s.rootLoginName, s.rootPassword));
    const start = await call('POST', '/logon/bind-mfa', {}, { cookie });
    expect(start.body).toMatchObject({ Step: 'BindMFA' });
    const created = await call('POST', '/logon/bind-mfa', { StepToken: start.body.StepToken });
    const seed = (created.body.VirtualMFADevice as Record<string, string>).Base32StringSeed!;
    const done = await call('POST', '/logon/bind-mfa', {
      StepToken: created.body.StepToken,
      AuthenticationCode1: codeAt(seed, -1),
      AuthenticationCode2: codeAt(seed, 0),
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.setCookie).toBeNull();
    expect((await call('POST', '/logon/bind-mfa', {}, { cookie })).body).toMatchObject({
      Code: 'EntityAlreadyExists.User.MFADevice',
    });
    s.clock.advance(30_000);
    const next = await logon(s.rootLoginName, s.rootPassword);
    expect(next.body).toMatchObject({ Step: 'MFA' });
    const ok = await call('POST', '/logon/mfa', {
      StepToken: next.body.StepToken,
      AuthenticationCode: codeAt(seed),
    });
    expect(ok.body.Session).toMatchObject({ Principal: { Type: 'Root' }, MFAPresent: true });
    // `rampart serve` no longer warns about the root's MFA, only about its AccessKey.
    const warnings = await rootSecurityWarnings(s.deployment);
    expect(warnings).toEqual([expect.stringMatching(/has 1 AccessKey\(s\)/)]);
    // The device is the root's: no RAM user can take it.
    await d().users.create(accountId(), { userName: 'thief' });
    const serial = (created.body.VirtualMFADevice as Record<string, string>).SerialNumber!;
    await expect(
      d().mfa.bind(accountId(), 'thief', serial, codeAt(seed, 0), codeAt(seed, 1)),
    ).rejects.toMatchObject({ code: 'EntityAlreadyExists.VirtualMFADevice.User' });
    await expect(d().mfa.deleteVirtual(accountId(), serial)).rejects.toMatchObject({
      code: 'DeleteConflict.VirtualMFADevice.User',
    });

    // The root removes its device from a session with a current code, used once.
    const rootCookie = cookieOf(ok);
    const unbind = (code: string) =>
      call('POST', '/logon/unbind-mfa', { AuthenticationCode: code }, { cookie: rootCookie });
    expect((await unbind('12ab')).body).toMatchObject({ Code: 'InvalidParameter.AuthenticationCode.Format' });
    expect((await unbind(codeAt(seed, 5))).body).toMatchObject({ Code: 'CheckAuthenticationCodeFail' });
    // The code the logon just used is spent.
    expect((await unbind(codeAt(seed))).body).toMatchObject({ Code: 'CheckAuthenticationCodeFail' });
    expect(await d().mfa.hasMfa(accountId(), { kind: 'root' })).toBe(true);
    s.clock.advance(30_000);
    const removed = await unbind(codeAt(seed));
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body).toMatchObject({ SerialNumber: serial });
    expect(await d().mfa.hasMfa(accountId(), { kind: 'root' })).toBe(false);
    expect((await d().mfa.listVirtual(accountId())).some((v) => v.serialNumber === serial)).toBe(false);
    expect((await unbind(codeAt(seed, 1))).body).toMatchObject({ Code: 'EntityNotExist.User.MFADevice' });
    // The next logon asks for no code.
    expect((await logon(s.rootLoginName, s.rootPassword)).body.Session).toBeDefined();
    // Without a session: refused.
    expect((await call('POST', '/logon/unbind-mfa', { AuthenticationCode: '123456' })).body).toMatchObject({
      Code: 'InvalidSession',
    });
  });

  it('applies self-service settings to a session: changing the password and binding MFA', async () => {
    await newUser('nina');
    const cookie = cookieOf(await logon(userLogin('nina'), 'Initial-pass1'));
    await d().securityPreference.set(accountId(), {
      allowUserToChangePassword: false,
      allowUserToManageMFADevices: false,
    });
    try {
      const denied = await call(
        'POST',
        '/logon/password',
        { OldPassword: 'Initial-pass1', NewPassword: 'Nina-second-2' },
        { cookie },
      );
      // As the API answers it: no policy allows it and the preference does not stand in.
      expect(denied.status).toBe(403);
      expect(denied.body).toMatchObject({
        Code: 'NoPermission',
        AccessDeniedDetail: { AuthAction: 'ram:ChangePassword', NoPermissionType: 'ImplicitDeny' },
      });
      expect((await call('POST', '/logon/bind-mfa', {}, { cookie })).body).toMatchObject({
        Code: 'NoPermission',
        AccessDeniedDetail: { AuthAction: 'ram:BindMFADevice', NoPermissionType: 'ImplicitDeny' },
      });
    } finally {
      await d().securityPreference.set(accountId(), {
        allowUserToChangePassword: true,
        allowUserToManageMFADevices: true,
      });
    }
    const wrongOld = await call(
      'POST',
      '/logon/password',
      { OldPassword: 'not-it-at-all', NewPassword: 'Nina-second-2' },
      { cookie },
    );
    expect(wrongOld.body).toMatchObject({ Code: 'InvalidParameter.OldPassword.Incorrect' });
    const changed = await call(
      'POST',
      '/logon/password',
      { OldPassword: 'Initial-pass1', NewPassword: 'Nina-second-2' },
      { cookie },
    );
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect((await logon(userLogin('nina'), 'Nina-second-2')).body.Session).toBeDefined();
  });

  it('refuses cross-site and malformed calls with documented codes', async () => {
    const body = { LoginName: s.rootLoginName, Password: s.rootPassword };
    const noHeader = await fetch(`${s.endpoint}/logon`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(noHeader.status).toBe(403);
    expect(((await noHeader.json()) as { Code: string }).Code).toBe('Forbidden.CrossSiteRequest');
    // No logon answer is ever read as another type than its JSON, nor cached.
    for (const r of [noHeader, await fetch(`${s.endpoint}/logon/session`)]) {
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('cache-control')).toBe('no-store');
    }
    const ok = await fetch(`${s.endpoint}/logon`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(body),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    const form = await fetch(`${s.endpoint}/logon`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-rampart-logon': '1' },
      body: 'LoginName=x&Password=y',
    });
    expect(form.status).toBe(403);
    expect((await call('POST', '/logon', '{not json')).body).toMatchObject({ Code: 'InvalidParameter' });
    expect((await call('POST', '/logon', '[1]')).body).toMatchObject({ Code: 'InvalidParameter' });
    expect((await call('POST', '/logon', { LoginName: s.rootLoginName })).body).toMatchObject({
      Code: 'MissingPassword',
    });
    expect((await call('POST', '/logon', { LoginName: 7, Password: 'x' })).body).toMatchObject({
      Code: 'InvalidParameter',
    });
    const huge = await logon(`${'a'.repeat(5000)}@${alias}.onaliyun.com`, 'x');
    expect(huge.body).toMatchObject(FAILED);
    expect((await call('GET', '/logon')).status).toBe(404);
    expect(
      (await call('POST', '/logon/mfa', { StepToken: 'x'.repeat(43), AuthenticationCode: '123456' })).body,
    ).toMatchObject({
      Code: 'InvalidStepToken',
    });
    expect(
      (await call('GET', '/logon/session', undefined, { cookie: 'rampart_session=forged' })).status,
    ).toBe(401);
  });
});
