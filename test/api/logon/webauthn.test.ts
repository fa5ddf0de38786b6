/**
 * The security-key calls of the logon surface over real HTTP, on SQLite and PostgreSQL: what
 * each refuses (no session, a forged request, self-service off, an unknown or spent step, an
 * answer that does not verify) and that a refused key answer spends the MFA step like a wrong
 * code. The successful ceremonies run in a browser (test/e2e/webauthn.test.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../../src/crypto/totp.js';
import { startInProcessServer, type InProcessServer } from '../../helpers/in-process.js';
import { pgAvailable, pgSkipReason } from '../../helpers/pg.js';

if (!pgAvailable) console.warn(pgSkipReason);
const STORES = pgAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);
const JSON_HEADERS = { 'content-type': 'application/json', 'x-rampart-logon': '1' };

describe.each(STORES)('security keys on the logon surface (%s)', (store) => {
  let s: InProcessServer;
  beforeAll(async () => {
    s = await startInProcessServer({ store, accountAlias: `keys-${store}` });
  });
  afterAll(() => s?.stop());
  beforeEach(async () => {
    await s.deployment.store.db.deleteFrom('logon_throttle').execute();
  });

  async function call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    opts: { cookie?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: Record<string, unknown>; setCookie: string | null }> {
    const r = await fetch(`${s.endpoint}${path}`, {
      method,
      headers: {
        ...(method === 'POST' ? JSON_HEADERS : {}),
        ...opts.headers,
        ...(opts.cookie ? { cookie: opts.cookie } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: r.status,
      body: (await r.json()) as Record<string, unknown>,
      setCookie: r.headers.get('set-cookie'),
    };
  }
  const rootSession = async (): Promise<string> => {
    const r = await call('POST', '/logon', { LoginName: s.rootLoginName, Password: s.rootPassword });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.setCookie!.split(';')[0]!;
  };

  it('needs a session, the forgery headers, and a registration in progress', async () => {
    expect((await call('POST', '/logon/webauthn/register-options', {})).body).toMatchObject({
      Code: 'InvalidSession',
    });
    expect((await call('GET', '/logon/webauthn/credentials')).body).toMatchObject({ Code: 'InvalidSession' });
    const cookie = await rootSession();
    const forged = await call(
      'POST',
      '/logon/webauthn/register-options',
      {},
      {
        cookie,
        headers: { 'content-type': 'text/plain', 'x-rampart-logon': '' },
      },
    );
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ Code: 'Forbidden.CrossSiteRequest' });

    const options = await call('POST', '/logon/webauthn/register-options', {}, { cookie });
    expect(options.status, JSON.stringify(options.body)).toBe(200);
    const o = options.body.Options as { challenge: string; rp: { id: string }; user: { name: string } };
    expect(o.challenge).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(o.rp.id).toBe('127.0.0.1');
    expect(o.user.name).toBe(`root@${s.accountId}`);

    const bad = await call(
      'POST',
      '/logon/webauthn/register',
      { Response: { id: 'x', response: {} } },
      { cookie },
    );
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ Code: 'InvalidParameter.WebAuthn' });
    // The challenge was used by the refused answer.
    const again = await call(
      'POST',
      '/logon/webauthn/register',
      { Response: { id: 'x', response: {} } },
      { cookie },
    );
    expect(again.body).toMatchObject({
      Code: 'InvalidParameter.WebAuthn',
      Message: expect.stringMatching(/No registration/),
    });
    expect(
      (await call('POST', '/logon/webauthn/register', { Response: 'x' }, { cookie })).body,
    ).toMatchObject({
      Code: 'InvalidParameter',
    });
    expect((await call('GET', '/logon/webauthn/credentials', undefined, { cookie })).body).toMatchObject({
      Credentials: [],
    });
    const gone = await call('POST', '/logon/webauthn/delete', { CredentialId: 'nope' }, { cookie });
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ Code: 'EntityNotExist.WebAuthnCredential' });
  });

  it('lets a RAM user manage keys only when the security preference allows it', async () => {
    const d = s.deployment.domain;
    await d.users.create(s.accountId, { userName: 'kim' });
    await d.loginProfiles.create(s.accountId, 'kim', { password: 'Initial-pass1' });
    await d.securityPreference.set(s.accountId, { allowUserToManageMFADevices: false });
    try {
      const r = await call('POST', '/logon', {
        LoginName: `kim@keys-${store}.onaliyun.com`,
        Password: 'Initial-pass1',
      });
      const cookie = r.setCookie!.split(';')[0]!;
      const refused = await call('POST', '/logon/webauthn/register-options', {}, { cookie });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ Code: 'Forbidden.SelfService' });
    } finally {
      await d.securityPreference.set(s.accountId, { allowUserToManageMFADevices: true });
    }
  });

  it('answers the MFA step challenge only for a live MFA step, and spends it on a refused answer', async () => {
    expect((await call('POST', '/logon/webauthn/options', { StepToken: 'bogus' })).body).toMatchObject({
      Code: 'InvalidStepToken',
    });
    const d = s.deployment.domain;
    await d.users.create(s.accountId, { userName: 'lee' });
    await d.loginProfiles.create(s.accountId, 'lee', { password: 'Initial-pass1' });
    const dev = await d.mfa.createVirtual(s.accountId, 'lee-dev');
    const now = totpStep(s.clock());
    await d.mfa.bind(
      s.accountId,
      'lee',
      dev.serialNumber,
      totpCode(dev.base32StringSeed, now - 1),
      totpCode(dev.base32StringSeed, now),
    );
    const step = await call('POST', '/logon', {
      LoginName: `lee@keys-${store}.onaliyun.com`,
      Password: 'Initial-pass1',
    });
    expect(step.body).toMatchObject({ Step: 'MFA' });
    const token = step.body.StepToken as string;

    // No key registered: nothing to ask, and the token stays valid.
    const none = await call('POST', '/logon/webauthn/options', { StepToken: token });
    expect(none.status).toBe(404);
    expect(none.body).toMatchObject({ Code: 'EntityNotExist.WebAuthnCredential' });

    const refused = await call('POST', '/logon/mfa', {
      StepToken: token,
      WebAuthnResponse: { id: 'x', response: {} },
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ Code: 'CheckAuthenticationCodeFail' });
    expect(
      (await call('POST', '/logon/mfa', { StepToken: token, AuthenticationCode: '123456' })).body,
    ).toMatchObject({
      Code: 'InvalidStepToken',
    });
  });
});
