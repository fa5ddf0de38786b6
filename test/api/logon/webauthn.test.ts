/**
 * The security-key calls of the logon surface over real HTTP, on SQLite and PostgreSQL: what
 * each refuses (no session, a forged request, self-service off, an unknown or spent step, an
 * answer that does not verify) and that a refused key answer spends the MFA step like a wrong
 * code. The successful ceremonies run in a browser (test/e2e/webauthn.test.ts). Also how a
 * registered key counts: as MFA in the security report and in ListSecurityKeys, and gone with
 * its user at DeleteUser.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../../src/crypto/totp.js';
import { endpointUrl, signedCall } from '../../../src/cli/call.js';
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
    // A NUL (PostgreSQL refuses it in text) or an unpaired surrogate names no key either: the
    // same answer on both stores.
    for (const id of ['a\u0000b', '\ud800', 'x\udfff']) {
      const odd = await call('POST', '/logon/webauthn/delete', { CredentialId: id }, { cookie });
      expect([id, odd.status, odd.body.Code, odd.body.Message]).toEqual([
        id,
        404,
        gone.body.Code,
        gone.body.Message,
      ]);
    }
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
      expect(refused.body).toMatchObject({
        Code: 'NoPermission',
        AccessDeniedDetail: { AuthAction: 'ram:BindMFADevice', NoPermissionType: 'ImplicitDeny' },
      });
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

  it('refuses a security key answer whose id is no credential id, with the same answer on both stores', async () => {
    const d = s.deployment.domain;
    const lou = await d.users.create(s.accountId, { userName: 'lou' });
    await d.loginProfiles.create(s.accountId, 'lou', { password: 'Initial-pass1' });
    await storeKey(`lou-key-${store}`, lou.userId, 'Lou key');
    for (const id of ['lou\u0000key', '\uD800', `lou-key-${store}/x`]) {
      const step = await call('POST', '/logon', {
        LoginName: `lou@keys-${store}.onaliyun.com`,
        Password: 'Initial-pass1',
      });
      expect(step.body).toMatchObject({ Step: 'MFA' });
      const token = step.body.StepToken as string;
      expect((await call('POST', '/logon/webauthn/options', { StepToken: token })).status).toBe(200);
      const r = await call('POST', '/logon/mfa', {
        StepToken: token,
        WebAuthnResponse: { id, response: {} },
      });
      expect([id, r.status, r.body.Code]).toEqual([id, 403, 'CheckAuthenticationCodeFail']);
    }
    await s.deployment.store.db
      .deleteFrom('webauthn_credentials')
      .where('user_id', '=', lou.userId)
      .execute();
  });

  /** A registered key as the store keeps it (the ceremony itself runs in the browser test). */
  async function storeKey(id: string, userId: string | null, name: string): Promise<void> {
    await s.deployment.store.db
      .insertInto('webauthn_credentials')
      .values({
        credential_id: id,
        account_id: s.accountId,
        principal_type: userId === null ? 'Root' : 'RAMUser',
        user_id: userId,
        public_key: 'AQID',
        sign_count: 0,
        transports: '[]',
        name,
        create_date: '2026-01-02T03:04:05Z',
        last_used_date: null,
      })
      .execute();
  }
  async function api(product: string, action: string, params: Record<string, string> = {}) {
    const r = await signedCall(
      endpointUrl(s.host),
      { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret },
      product,
      action,
      Object.entries(params),
    );
    return { status: r.status, body: JSON.parse(r.body) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  it('counts a security key as MFA, lists it, and deletes it with its user', async () => {
    const d = s.deployment.domain;
    const report = async () =>
      (await api('ims', 'GetAccountSecurityPracticeReport')).body.AccountSecurityPracticeInfo
        .AccountSecurityPracticeUserInfo as { BindMfa: boolean; SubUserBindMfa: number };
    const before = await report();
    expect(before.BindMfa).toBe(false);

    const ana = await d.users.create(s.accountId, { userName: 'ana' });
    await d.loginProfiles.create(s.accountId, 'ana', { password: 'Initial-pass1' });
    const withoutMfa = async () =>
      (await api('rampart', 'ListUnusedAccess')).body.Report.consoleUsersWithoutMfa as string[];
    expect(await withoutMfa()).toContain('ana');
    await storeKey(`ana-key-${store}`, ana.userId, 'Ana key');
    await storeKey(`ana-key2-${store}`, ana.userId, 'Ana spare');
    await storeKey(`root-key-${store}`, null, 'Root key');

    const after = await report();
    expect(after.BindMfa).toBe(true);
    // Two keys of one user count that user once.
    expect(after.SubUserBindMfa).toBe(before.SubUserBindMfa + 1);
    expect(await withoutMfa()).not.toContain('ana');

    const all = await api('rampart', 'ListSecurityKeys');
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.SecurityKeys).toEqual([
      { PrincipalType: 'Root', Name: 'Root key', CreateDate: '2026-01-02T03:04:05Z' },
      { PrincipalType: 'RAMUser', UserName: 'ana', Name: 'Ana key', CreateDate: '2026-01-02T03:04:05Z' },
      { PrincipalType: 'RAMUser', UserName: 'ana', Name: 'Ana spare', CreateDate: '2026-01-02T03:04:05Z' },
    ]);
    expect((await api('rampart', 'ListSecurityKeys', { UserName: 'ana' })).body.SecurityKeys).toHaveLength(2);
    const unknown = await api('rampart', 'ListSecurityKeys', { UserName: 'nobody' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.Code).toBe('EntityNotExist.User');

    // While the user can sign in (its login profile), it cannot be deleted, keys or not.
    const refused = await api('ram', 'DeleteUser', { UserName: 'ana' });
    expect(refused.status).toBe(409);
    expect(refused.body.Code).toBe('DeleteConflict.User.LoginProfile');
    expect((await api('rampart', 'ListSecurityKeys', { UserName: 'ana' })).body.SecurityKeys).toHaveLength(2);

    await d.loginProfiles.delete(s.accountId, 'ana');
    expect((await api('ram', 'DeleteUser', { UserName: 'ana' })).status).toBe(200);
    const rows = await s.deployment.store.db
      .selectFrom('webauthn_credentials')
      .select(['credential_id'])
      .where('account_id', '=', s.accountId)
      .execute();
    expect(rows.map((r) => r.credential_id)).toEqual([`root-key-${store}`]);
    // A new user of the same name starts without keys and without MFA.
    await d.users.create(s.accountId, { userName: 'ana' });
    expect((await api('rampart', 'ListSecurityKeys', { UserName: 'ana' })).body.SecurityKeys).toEqual([]);
    expect((await report()).SubUserBindMfa).toBe(before.SubUserBindMfa);
  });
});
