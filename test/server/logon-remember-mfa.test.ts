/**
 * "Remember this device for 7 days" (security preference EnableSaveMFATicket) over real HTTP
 * (docs/logon.md), on SQLite and PostgreSQL, with a clock the test moves: the ticket cookie, the
 * MFA step it stands for, its expiry, and every way it ends (preference off, password changed
 * or reset, MFA device unbound or replaced, user deleted).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../src/crypto/totp.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { pgAvailable, pgSkipReason } from '../helpers/pg.js';
import { eventually, storedEvents } from '../audit/helpers.js';
import { answerLogon } from '../../src/api/logon/routes.js';

if (!pgAvailable) console.warn(pgSkipReason);
const STORES = pgAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

const JSON_HEADERS = { 'content-type': 'application/json', 'x-rampart-logon': '1' };
const DAY = 24 * 3_600_000;
const TICKET_COOKIE =
  /^rampart_mfa_ticket=([A-Za-z0-9_-]{43}); Path=\/logon; Max-Age=604800; HttpOnly; SameSite=Strict$/;

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly cookies: string[];
}

describe.each(STORES)('remembered MFA at logon (%s)', (store) => {
  let s: InProcessServer;
  const alias = `remember-${store}`;
  let n = 0;

  beforeAll(async () => {
    s = await startInProcessServer({ store, accountAlias: alias });
  });
  afterAll(() => s?.stop());
  beforeEach(async () => {
    await s.deployment.store.db.deleteFrom('logon_throttle').execute();
    await d().securityPreference.set(s.accountId, { enableSaveMFATicket: true });
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
      cookies: r.headers.getSetCookie(),
    };
  }

  /** A new RAM user with a login profile and a bound virtual MFA device; its name and seed. */
  async function newUser(): Promise<{ name: string; login: string; seed: string }> {
    n += 1;
    const name = `user${n}`;
    await d().users.create(s.accountId, { userName: name });
    await d().loginProfiles.create(s.accountId, name, { password: 'Initial-pass1' });
    return { name, login: `${name}@${alias}.onaliyun.com`, seed: await bindDevice(name) };
  }

  async function bindDevice(name: string): Promise<string> {
    const dev = await d().mfa.createVirtual(s.accountId, `${name}-dev${n}-${Date.now() % 100000}`);
    const now = totpStep(s.clock());
    await d().mfa.bind(
      s.accountId,
      name,
      dev.serialNumber,
      totpCode(dev.base32StringSeed, now - 1),
      totpCode(dev.base32StringSeed, now),
    );
    s.clock.advance(60_000);
    return dev.base32StringSeed;
  }

  /** Passes the MFA step with a fresh code (the clock moves one step on, past the code used). */
  async function passMfa(stepToken: unknown, seed: string, extra: Record<string, unknown> = {}) {
    s.clock.advance(30_000);
    return call('/logon/mfa', {
      StepToken: stepToken,
      AuthenticationCode: totpCode(seed, totpStep(s.clock())),
      ...extra,
    });
  }

  /** Logs on with the MFA step and RememberMFA; the ticket cookie (name=value). */
  async function remember(u: { login: string; seed: string }, password = 'Initial-pass1'): Promise<string> {
    const r = await call('/logon', { LoginName: u.login, Password: password });
    expect(r.body, JSON.stringify(r.body)).toMatchObject({ Step: 'MFA', CanRememberMFA: true });
    const done = await passMfa(r.body.StepToken, u.seed, { RememberMFA: true });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.cookies).toHaveLength(2);
    expect(done.cookies[0]).toMatch(/^rampart_session=/);
    expect(done.cookies[1]).toMatch(TICKET_COOKIE);
    return done.cookies[1]!.split(';')[0]!;
  }

  const logonWith = (login: string, ticket?: string, password = 'Initial-pass1') =>
    call('/logon', { LoginName: login, Password: password }, ticket);

  /** The logon with the ticket skips the MFA step: a session that claims MFA. */
  async function expectSkipped(login: string, ticket: string, password = 'Initial-pass1'): Promise<void> {
    const r = await logonWith(login, ticket, password);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.Session).toMatchObject({ MFAPresent: true, MFARemembered: true });
    // A remembered logon issues no new ticket: the 7 days run from the MFA step.
    expect(r.cookies).toHaveLength(1);
    expect(r.cookies[0]).toMatch(/^rampart_session=/);
  }

  async function expectAsked(login: string, ticket: string, password = 'Initial-pass1'): Promise<void> {
    const r = await logonWith(login, ticket, password);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ Step: 'MFA' });
    expect(r.cookies).toEqual([]);
  }

  it('issues an HttpOnly ticket after the MFA step; it skips the MFA step for 7 days, for that user only', async () => {
    const u = await newUser();
    const other = await newUser();
    const ticket = await remember(u);
    const token = ticket.split('=')[1]!;
    // Only the SHA-256 of the token is stored.
    const rows = await s.deployment.store.db.selectFrom('logon_mfa_tickets').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);

    await expectSkipped(u.login, ticket);
    // The session it gives is one that passed MFA.
    const r = await logonWith(u.login, ticket);
    const session = r.cookies[0]!.split(';')[0]!;
    const who = await fetch(`${s.endpoint}/logon/session`, { headers: { cookie: session } });
    expect(((await who.json()) as { Session: unknown }).Session).toMatchObject({ MFAPresent: true });
    // No ticket, another user's ticket, a made-up one, a wrong password: the MFA step or the failure.
    await expectAsked(u.login, '');
    await expectAsked(other.login, ticket);
    await expectAsked(u.login, `rampart_mfa_ticket=${'A'.repeat(43)}`);
    expect((await logonWith(u.login, ticket, 'Wrong-pass-1')).body).toMatchObject({
      Code: 'AuthenticationFail.Logon',
    });

    // The audit trail records the remembered logon, never the token.
    await eventually(async () => {
      const events = await storedEvents(s.deployment.store, s.accountId);
      const remembered = events.filter(
        (e) => e.event.eventName === 'ConsoleSignin' && e.event.additionalEventData?.mfaRemembered === 'true',
      );
      expect(remembered.length).toBeGreaterThanOrEqual(2);
      for (const e of events) expect(e.body).not.toContain(token);
    });

    s.clock.advance(7 * DAY - 10 * 60_000);
    await expectSkipped(u.login, ticket);
    s.clock.advance(11 * 60_000);
    await expectAsked(u.login, ticket);
  });

  it('issues no ticket without RememberMFA or with the preference off, and refuses a RememberMFA that is not a boolean', async () => {
    const u = await newUser();
    const plain = await call('/logon', { LoginName: u.login, Password: 'Initial-pass1' });
    const done = await passMfa(plain.body.StepToken, u.seed);
    expect(done.status).toBe(200);
    expect(done.cookies).toHaveLength(1);

    const bad = await call('/logon', { LoginName: u.login, Password: 'Initial-pass1' });
    const refused = await passMfa(bad.body.StepToken, u.seed, { RememberMFA: 'yes' });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      Code: 'InvalidParameter',
      Message: 'The parameter - "RememberMFA" must be true or false.',
    });

    await d().securityPreference.set(s.accountId, { enableSaveMFATicket: false });
    const off = await call('/logon', { LoginName: u.login, Password: 'Initial-pass1' });
    expect(off.body).toMatchObject({ Step: 'MFA' });
    expect(off.body.CanRememberMFA).toBeUndefined();
    const asked = await passMfa(off.body.StepToken, u.seed, { RememberMFA: true });
    expect(asked.status).toBe(200);
    expect(asked.cookies).toHaveLength(1);
    expect(await s.deployment.store.db.selectFrom('logon_mfa_tickets').selectAll().execute()).toEqual([]);
  });

  it('ends every ticket of the account when the preference is turned off, for good', async () => {
    const u = await newUser();
    const ticket = await remember(u);
    await d().securityPreference.set(s.accountId, { enableSaveMFATicket: false });
    await expectAsked(u.login, ticket);
    await d().securityPreference.set(s.accountId, { enableSaveMFATicket: true });
    await expectAsked(u.login, ticket);
  });

  it('ends the ticket when the user changes its password, or an administrator resets it', async () => {
    const u = await newUser();
    const ticket = await remember(u);
    const r = await logonWith(u.login, ticket);
    const session = r.cookies[0]!.split(';')[0]!;
    const changed = await call(
      '/logon/password',
      { OldPassword: 'Initial-pass1', NewPassword: 'Second-pass-2' },
      session,
    );
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    await expectAsked(u.login, ticket, 'Second-pass-2');

    const again = await remember(u, 'Second-pass-2');
    await expectSkipped(u.login, again, 'Second-pass-2');
    // Reset to the very same password: a new hash all the same.
    await d().loginProfiles.update(s.accountId, u.name, { password: 'Second-pass-2' });
    await expectAsked(u.login, again, 'Second-pass-2');
  });

  it('ends the ticket when the MFA device is unbound or replaced', async () => {
    const u = await newUser();
    const ticket = await remember(u);
    await expectSkipped(u.login, ticket);
    await d().mfa.unbind(s.accountId, u.name);
    // No device: no MFA step at all; the ticket plays no part and the session claims no MFA.
    const none = await logonWith(u.login, ticket);
    expect(none.body.Session).toMatchObject({ MFAPresent: false });
    expect((none.body.Session as Record<string, unknown>).MFARemembered).toBeUndefined();
    const seed = await bindDevice(u.name);
    await expectAsked(u.login, ticket);
    const next = await remember({ login: u.login, seed });
    await expectSkipped(u.login, next);
  });

  it('ends the ticket when the user is deleted, even for a new user of the same name', async () => {
    const u = await newUser();
    const ticket = await remember(u);
    await d().loginProfiles.delete(s.accountId, u.name);
    await d().mfa.unbind(s.accountId, u.name);
    await d().users.delete(s.accountId, u.name);
    await d().users.create(s.accountId, { userName: u.name });
    await d().loginProfiles.create(s.accountId, u.name, { password: 'Initial-pass1' });
    await bindDevice(u.name);
    await expectAsked(u.login, ticket);
  });

  it('keeps the ticket through a ChangePassword step after MFA, stamped with the new password', async () => {
    const u = await newUser();
    await d().loginProfiles.update(s.accountId, u.name, { passwordResetRequired: true });
    const r = await logonWith(u.login);
    expect(r.body).toMatchObject({ Step: 'MFA', CanRememberMFA: true });
    const mfa = await passMfa(r.body.StepToken, u.seed, { RememberMFA: true });
    expect(mfa.body).toMatchObject({ Step: 'ChangePassword' });
    expect(mfa.cookies).toEqual([]);
    const done = await call('/logon/password', {
      StepToken: mfa.body.StepToken,
      NewPassword: 'Third-pass-3',
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.cookies[1]).toMatch(TICKET_COOKIE);
    const ticket = done.cookies[1]!.split(';')[0]!;
    await expectSkipped(u.login, ticket, 'Third-pass-3');

    // A remembered logon still has the ChangePassword step; its session says MFA was remembered.
    await d().loginProfiles.update(s.accountId, u.name, { passwordResetRequired: true });
    const again = await logonWith(u.login, ticket, 'Third-pass-3');
    expect(again.body).toMatchObject({ Step: 'ChangePassword' });
    const after = await call('/logon/password', {
      StepToken: again.body.StepToken,
      NewPassword: 'Fourth-pass-4',
    });
    expect(after.body.Session).toMatchObject({ MFAPresent: true, MFARemembered: true });
    // The ticket was stamped with the old password: it ends with the change.
    expect(after.cookies).toHaveLength(1);
    await expectAsked(u.login, ticket, 'Fourth-pass-4');
  });

  it('marks the ticket cookie Secure when the request came over TLS', async () => {
    const u = await newUser();
    const wire = (path: string, body: unknown) => ({
      method: 'POST',
      path,
      rawQuery: '',
      headers: { ...JSON_HEADERS, host: s.host },
      body: Buffer.from(JSON.stringify(body)),
      sourceIp: '127.0.0.1',
      secure: true,
    });
    const d0 = s.deployment.domain;
    // Only logon steps here: nothing a session does to its own credentials is asked.
    const noSelfService = () => Promise.reject(new Error('not asked in this test'));
    const step = await answerLogon(
      d0,
      noSelfService,
      wire('/logon', { LoginName: u.login, Password: 'Initial-pass1' }),
      s.clock,
    );
    const token = (JSON.parse(step.body) as { StepToken: string }).StepToken;
    s.clock.advance(30_000);
    const done = await answerLogon(
      d0,
      noSelfService,
      wire('/logon/mfa', {
        StepToken: token,
        AuthenticationCode: totpCode(u.seed, totpStep(s.clock())),
        RememberMFA: true,
      }),
      s.clock,
    );
    expect(done.status, done.body).toBe(200);
    expect(done.setCookies).toHaveLength(2);
    expect(done.setCookies![1]).toMatch(
      /^rampart_mfa_ticket=[A-Za-z0-9_-]{43}; Path=\/logon; Max-Age=604800; HttpOnly; SameSite=Strict; Secure$/,
    );
  });
});
