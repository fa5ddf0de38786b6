/**
 * SAML single sign-on to the console over real HTTP (docs/sso.md), on an in-process server on
 * SQLite and PostgreSQL, with a test IdP signing with a test key:
 * - user-based: SP metadata per account, IdP-initiated and SP-initiated logon (InResponseTo),
 *   the RAM user whose UserPrincipalName is the NameID (default or auxiliary domain), the same
 *   session cookie as a password logon; every refusal with its code, no session, and a
 *   ConsoleSignin event; password logon off for RAM users (not the root) while SSO is on;
 * - role-based: the Role attribute's pairs, one role or a choice among several, a console
 *   session that is the role's session, and /logon/credentials giving that role session's keys.
 */
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { pgAvailable, pgSkipReason } from '../helpers/pg.js';
import { ramClient, type KeyPair } from '../helpers/server.js';
import { storedEvents, eventually } from '../audit/helpers.js';
import { call as ramCall } from '../compat/ram-helpers.js';
import { callerIdentity } from '../compat/sts-helpers.js';
import { selfSignedCertificate, type TestCertificate } from '../sso/idp-helpers.js';
import { samlIdp, type ResponseOptions, type SamlIdp } from '../sso/saml-idp.js';

if (!pgAvailable) console.warn(pgSkipReason);
const STORES = pgAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

const JSON_HEADERS = { 'content-type': 'application/json', 'x-rampart-logon': '1' };
const ROLE_ATTR = 'https://www.aliyun.com/SAML-Role/Attributes/Role';
const SESSION_ATTR = 'https://www.aliyun.com/SAML-Role/Attributes/RoleSessionName';
const DURATION_ATTR = 'https://www.aliyun.com/SAML-Role/Attributes/SessionDuration';

interface Reply {
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
  readonly cookie: string | undefined;
}

describe.each(STORES)('SAML single sign-on to the console (%s)', (store) => {
  let s: InProcessServer;
  let root: KeyPair;
  let cert: TestCertificate;
  let other: TestCertificate;
  let userIdp: SamlIdp;
  let roleIdp: SamlIdp;
  const alias = `sso-${store}`;
  let providerArn: string;
  let adminRoleArn: string;
  let auditorRoleArn: string;
  let untrustingRoleArn: string;

  const d = () => s.deployment.domain;
  const userAcs = () => `${s.endpoint}/saml/SSO`;
  const roleAcs = () => `${s.endpoint}/saml-role/sso`;
  const entity = () => `${s.endpoint}/${s.accountId}/saml/SSO`;

  async function http(
    method: 'GET' | 'POST',
    path: string,
    body?: Record<string, string> | object,
    opts: { cookie?: string; json?: boolean } = {},
  ): Promise<Reply> {
    const json = opts.json ?? false;
    const r = await fetch(`${s.endpoint}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(method === 'POST'
          ? json
            ? JSON_HEADERS
            : { 'content-type': 'application/x-www-form-urlencoded' }
          : {}),
        ...(opts.cookie ? { cookie: opts.cookie } : {}),
      },
      ...(body === undefined
        ? {}
        : {
            body: json
              ? JSON.stringify(body)
              : new URLSearchParams(body as Record<string, string>).toString(),
          }),
    });
    const setCookie = r.headers.get('set-cookie');
    return { status: r.status, text: await r.text(), headers: r.headers, cookie: setCookie?.split(';')[0] };
  }

  const postUser = (response: string, relay?: string) =>
    http('POST', '/saml/SSO', { SAMLResponse: response, ...(relay ? { RelayState: relay } : {}) });
  const postRole = (response: string) => http('POST', '/saml-role/sso', { SAMLResponse: response });
  const session = async (cookie: string) =>
    JSON.parse((await http('GET', '/logon/session', undefined, { cookie })).text) as {
      Session?: { Principal: Record<string, string> };
      Code?: string;
    };

  const userResponse = (o: Partial<ResponseOptions> = {}): string =>
    userIdp.response({
      nameId: 'alice@corp.example',
      recipient: userAcs(),
      audience: entity(),
      now: s.clock(),
      ...o,
    });
  const roleResponse = (roles: string[], o: Partial<ResponseOptions> = {}): string =>
    roleIdp.response({
      nameId: 'bob@corp.example',
      recipient: roleAcs(),
      audience: 'urn:rampart:cloudcomputing',
      now: s.clock(),
      attributes: { [ROLE_ATTR]: roles.map((r) => `${r},${providerArn}`), [SESSION_ATTR]: ['bob'] },
      ...o,
    });

  /** Refused with this code: JSON envelope, no cookie, and a ConsoleSignin event with the code. */
  async function expectRefused(r: Reply, code: string, status: number, account = true): Promise<void> {
    expect({ status: r.status, code: (JSON.parse(r.text) as { Code: string }).Code }, r.text).toEqual({
      code,
      status,
    });
    expect(r.cookie).toBeUndefined();
    await eventually(async () => {
      const events = (await storedEvents(s.deployment.store, account ? s.accountId : '')).filter(
        (e) => e.event.eventName === 'ConsoleSignin' && e.event.errorCode === code,
      );
      expect(events.length).toBeGreaterThan(0);
    });
  }

  async function role(name: string, principal: string, network?: string): Promise<string> {
    const trust = {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Federated: [principal] },
          Condition: {
            StringEquals: { 'saml:recipient': roleAcs() },
            ...(network ? { IpAddress: { 'acs:SourceIp': network } } : {}),
          },
        },
      ],
    };
    const r = await ramCall(ramClient(s, root), 'CreateRole', {
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify(trust),
    });
    return r.Role.Arn as string;
  }

  beforeAll(async () => {
    s = await startInProcessServer({ store, accountAlias: alias });
    root = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
    cert = selfSignedCertificate('idp.example.test');
    other = selfSignedCertificate('attacker.example.test');
    userIdp = samlIdp(cert, other);
    roleIdp = samlIdp(cert, other);
    for (const name of ['alice', 'carol']) {
      await d().users.create(s.accountId, { userName: name });
      await d().loginProfiles.create(s.accountId, name, { password: 'Initial-pass1' });
    }
    await d().users.create(s.accountId, { userName: 'nologon' });
    await d().ssoSettings.set(s.accountId, {
      metadataDocument: userIdp.metadataBase64,
      ssoEnabled: true,
      auxiliaryDomain: 'corp.example',
    });
    const p = await d().federationProviders.createSaml(s.accountId, {
      samlProviderName: 'corp-idp',
      encodedSAMLMetadataDocument: roleIdp.metadataBase64,
    });
    providerArn = p.arn;
    adminRoleArn = await role('SsoAdmin', providerArn);
    auditorRoleArn = await role('SsoAuditor', providerArn);
    untrustingRoleArn = await role('OtherIdp', `acs:ram::${s.accountId}:saml-provider/other`);
  });
  afterAll(async () => {
    await s?.stop();
    cert?.remove();
    other?.remove();
  });

  it('publishes the SP metadata of each account at a stable URL, and the role-based one', async () => {
    const m = await http('GET', `/saml/SpMetadata.xml?tenantID=${s.accountId}`);
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toMatch(/samlmetadata\+xml/);
    expect(m.text).toContain(`entityID="${entity()}"`);
    expect(m.text).toContain(`Location="${userAcs()}"`);
    expect(m.text).toContain('WantAssertionsSigned="true"');
    // Made from the id alone: an id no account has is answered alike, so nothing tells them apart.
    const unknown = await http('GET', '/saml/SpMetadata.xml?tenantID=1234567890123456');
    expect([unknown.status, unknown.headers.get('content-type')]).toEqual([
      200,
      m.headers.get('content-type'),
    ]);
    expect(unknown.text).toBe(m.text.replaceAll(s.accountId, '1234567890123456'));
    for (const bad of ['', '123', `${s.accountId}0`, alias, `${s.accountId}%00`, '%00']) {
      const r = await http('GET', `/saml/SpMetadata.xml?tenantID=${bad}`);
      expect([bad, r.status, JSON.parse(r.text).Code]).toEqual([bad, 404, 'InvalidApi.NotFound']);
    }
    const r = await http('GET', '/saml-role/sp-metadata.xml');
    expect(r.text).toContain('entityID="urn:rampart:cloudcomputing"');
    expect(r.text).toContain(`Location="${roleAcs()}"`);
  });

  it('logs on the RAM user named by the NameID (IdP-initiated), with the cookie of a password logon', async () => {
    const r = await postUser(userResponse(), '/console/users');
    expect(r.status).toBe(200);
    expect(r.text).toContain('url=/console/users');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.cookie).toMatch(/^rampart_session=/);
    const set = r.headers.get('set-cookie')!;
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    expect((await session(r.cookie!)).Session!.Principal).toMatchObject({
      Type: 'RAMUser',
      UserName: 'alice',
    });
    // The default domain works as well; a RelayState elsewhere lands on the console home.
    const r2 = await postUser(
      userResponse({ nameId: `carol@${alias}.onaliyun.com` }),
      'https://evil.example/',
    );
    expect(r2.text).toContain('url=/console/');
    expect((await session(r2.cookie!)).Session!.Principal).toMatchObject({ UserName: 'carol' });
    const ok = await eventually(async () => {
      const e = (await storedEvents(s.deployment.store, s.accountId)).filter(
        (x) =>
          x.event.eventName === 'ConsoleSignin' &&
          x.event.errorCode === '' &&
          x.event.userIdentity.userName === 'alice',
      );
      expect(e.length).toBeGreaterThan(0);
      return e;
    });
    expect(ok[0]!.event.additionalEventData).toMatchObject({ samlNameId: 'alice@corp.example' });
  });

  it('logs on through an AuthnRequest (SP-initiated): InResponseTo must answer a request sent, once', async () => {
    // StartUrl names the tenant as given: an alias's account id is not told.
    for (const given of [alias, alias.toUpperCase(), `${alias}.onaliyun.com`, s.accountId]) {
      const status = JSON.parse((await http('GET', `/saml/status?tenantID=${given}`)).text);
      expect(status.UserSso).toEqual({
        Enabled: true,
        StartUrl: `${s.endpoint}/saml/start?tenantID=${given}`,
      });
      expect((await http('GET', status.UserSso.StartUrl.slice(s.endpoint.length))).status).toBe(302);
    }
    // An account that does not exist reads as one without user SSO: no account is told apart,
    // and no alias's account id is given, before logon.
    for (const unknown of ['no-such-alias', '1999999999999999']) {
      const other = await http('GET', `/saml/status?tenantID=${unknown}`);
      expect([other.status, JSON.parse(other.text)]).toEqual([200, { UserSso: { Enabled: false } }]);
      const started = await http('GET', `/saml/start?tenantID=${unknown}`);
      expect([started.status, JSON.parse(started.text).Code]).toEqual([400, 'SSO.NotEnabled']);
    }
    const start = await http('GET', `/saml/start?tenantID=${alias}&RelayState=/console/roles`);
    expect(start.status).toBe(302);
    const location = new URL(start.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(userIdp.ssoUrl);
    expect(location.searchParams.get('RelayState')).toBe('/console/roles');
    const request = inflateRawSync(Buffer.from(location.searchParams.get('SAMLRequest')!, 'base64')).toString(
      'utf8',
    );
    expect(request).toContain(`<saml:Issuer>${entity()}</saml:Issuer>`);
    expect(request).toContain(`AssertionConsumerServiceURL="${userAcs()}"`);
    const id = /ID="([^"]+)"/.exec(request)![1]!;
    const r = await postUser(userResponse({ inResponseTo: id }));
    expect(r.status).toBe(200);
    expect(r.cookie).toBeTruthy();
    // The same request answered again (a new assertion): refused; and a request never sent.
    await expectRefused(
      await postUser(userResponse({ inResponseTo: id })),
      'AuthenticationFail.SAMLAssertion.Invalid',
      401,
    );
    await expectRefused(
      await postUser(userResponse({ inResponseTo: '_never-sent' })),
      'AuthenticationFail.SAMLAssertion.Invalid',
      401,
    );
  });

  it('refuses replayed, unsigned, wrongly signed, wrapped, expired and misaddressed assertions, and unknown users', async () => {
    const once = userResponse();
    expect((await postUser(once)).status).toBe(200);
    const cases: [string, string, string, number][] = [
      ['replayed', once, 'AuthenticationFail.SAMLAssertion.Invalid', 401],
      ['unsigned', userResponse({ sign: 'none' }), 'AuthenticationFail.SAMLAssertion.Invalid', 401],
      ['another key', userResponse({ sign: 'other-key' }), 'AuthenticationFail.SAMLAssertion.Invalid', 401],
      [
        'wrapped',
        userResponse({ wrapWith: 'carol@corp.example' }),
        'AuthenticationFail.SAMLAssertion.Invalid',
        401,
      ],
      [
        'tampered',
        userResponse({ tamperNameId: 'carol@corp.example' }),
        'AuthenticationFail.SAMLAssertion.Invalid',
        401,
      ],
      [
        'expired',
        userResponse({ now: new Date(s.clock().getTime() - 3600_000) }),
        'AuthenticationFail.SAMLAssertion.Expired',
        401,
      ],
      [
        'not yet valid',
        userResponse({ now: new Date(s.clock().getTime() + 3600_000) }),
        'AuthenticationFail.SAMLAssertion.Invalid',
        401,
      ],
      [
        'another recipient',
        userResponse({ recipient: 'https://signin.aliyun.com/saml/SSO' }),
        'AuthenticationFail.SAMLAssertion.Invalid',
        401,
      ],
      [
        'another audience',
        userResponse({ audience: `${s.endpoint}/1234567890123456/saml/SSO` }),
        'AuthenticationFail.SAMLAssertion.Invalid',
        401,
      ],
      [
        'another issuer',
        userResponse({ issuer: 'https://evil.example.test' }),
        'AuthenticationFail.SAMLAssertion.Invalid',
        401,
      ],
      ['no such user', userResponse({ nameId: 'mallory@corp.example' }), 'EntityNotExist.User', 404],
      [
        'a domain not the account’s',
        userResponse({ nameId: 'alice@evil.example' }),
        'EntityNotExist.User',
        404,
      ],
      [
        'no console access',
        userResponse({ nameId: 'nologon@corp.example' }),
        'EntityNotExist.User.LoginProfile',
        404,
      ],
    ];
    const sessions = async () =>
      (await s.deployment.store.db.selectFrom('logon_sessions').select('session_hash').execute()).length;
    const before = await sessions();
    for (const [what, response, code, status] of cases) {
      const r = await postUser(response);
      expect(r.status, what).toBe(status);
      // An audience that names no account of this deployment: recorded outside any account.
      await expectRefused(r, code, status, what !== 'another audience');
    }
    await expectRefused(await http('POST', '/saml/SSO', {}), 'MissingSAMLResponse', 400, false);
    // Nothing was created.
    expect(await sessions()).toBe(before);
  });

  it('answers a NameID that only case-maps onto a user (the Kelvin sign for k) as an unknown user', async () => {
    await d().users.create(s.accountId, { userName: 'kate' });
    await d().loginProfiles.create(s.accountId, 'kate', { password: 'Initial-pass1' });
    // A-Z case is ignored, in the name and in the domain.
    const ok = await postUser(userResponse({ nameId: 'KATE@Corp.Example' }));
    expect((await session(ok.cookie!)).Session!.Principal).toMatchObject({ UserName: 'kate' });
    // U+212A lower-cases to k under Unicode rules; it is no letter of a user name.
    for (const nameId of ['\u212Aate@corp.example', `\u212AATE@${alias}.onaliyun.com`]) {
      const r = await postUser(userResponse({ nameId }));
      expect([nameId, r.status, r.cookie]).toEqual([nameId, 404, undefined]);
      await expectRefused(r, 'EntityNotExist.User', 404);
    }
    await d().ssoSettings.set(s.accountId, { auxiliaryDomain: 'kcorp.example' });
    try {
      expect((await postUser(userResponse({ nameId: 'kate@KCORP.example' }))).status).toBe(200);
      await expectRefused(
        await postUser(userResponse({ nameId: 'kate@\u212Acorp.example' })),
        'EntityNotExist.User',
        404,
      );
      // With SsoLoginWithDomain false the NameID is the bare name, under the same rule.
      await d().ssoSettings.set(s.accountId, { ssoLoginWithDomain: false });
      expect((await postUser(userResponse({ nameId: 'Kate' }))).status).toBe(200);
      await expectRefused(await postUser(userResponse({ nameId: '\u212Aate' })), 'EntityNotExist.User', 404);
    } finally {
      await d().ssoSettings.set(s.accountId, { auxiliaryDomain: 'corp.example', ssoLoginWithDomain: true });
    }
  });

  it('turns password logon off for RAM users while SSO is on, not for the root', async () => {
    const alice = await http(
      'POST',
      '/logon',
      { LoginName: `alice@${alias}.onaliyun.com`, Password: 'Initial-pass1' },
      { json: true },
    );
    expect(alice.status).toBe(403);
    expect(JSON.parse(alice.text).Code).toBe('PasswordLogonDisabled.SsoEnabled');
    const rootLogon = await http(
      'POST',
      '/logon',
      { LoginName: s.rootLoginName, Password: s.rootPassword },
      { json: true },
    );
    expect(rootLogon.status).toBe(200);
    await d().ssoSettings.set(s.accountId, { ssoEnabled: false });
    try {
      const again = await http(
        'POST',
        '/logon',
        { LoginName: `alice@${alias}.onaliyun.com`, Password: 'Initial-pass1' },
        { json: true },
      );
      expect(again.status).toBe(200);
      // SSO off: the ACS refuses.
      await expectRefused(await postUser(userResponse()), 'SSO.NotEnabled', 400);
    } finally {
      await d().ssoSettings.set(s.accountId, { ssoEnabled: true });
    }
  });

  it('logs on as the one role the assertion names: the session is the role session, and so are its credentials', async () => {
    // No Role attribute at all: refused.
    const r = await postRole(roleResponse([adminRoleArn], { attributes: { [SESSION_ATTR]: ['bob'] } }));
    await expectRefused(r, 'AuthenticationFail.SAMLAssertion.Invalid', 401);
    const ok = await postRole(
      roleIdp.response({
        nameId: 'bob@corp.example',
        recipient: roleAcs(),
        audience: 'urn:rampart:cloudcomputing',
        now: s.clock(),
        attributes: {
          [ROLE_ATTR]: [`${adminRoleArn},${providerArn}`],
          [SESSION_ATTR]: ['bob'],
          [DURATION_ATTR]: ['1800'],
        },
      }),
    );
    expect(ok.status).toBe(200);
    const who = await session(ok.cookie!);
    expect(who.Session!.Principal).toMatchObject({
      Type: 'AssumedRole',
      RoleName: 'SsoAdmin',
      RoleSessionName: 'bob',
      SAMLProviderArn: providerArn,
    });
    const sessionInfo = JSON.parse(
      (await http('GET', '/logon/session', undefined, { cookie: ok.cookie! })).text,
    );
    expect(Date.parse(sessionInfo.Session.ExpiresAt) - s.clock().getTime()).toBeLessThanOrEqual(1800_000);
    const creds = JSON.parse(
      (await http('POST', '/logon/credentials', {}, { cookie: ok.cookie!, json: true })).text,
    ) as {
      Credentials: { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string };
    };
    expect(creds.Credentials.AccessKeyId).toMatch(/^STS\./);
    const id = await callerIdentity(s, {
      accessKeyId: creds.Credentials.AccessKeyId,
      accessKeySecret: creds.Credentials.AccessKeySecret,
      securityToken: creds.Credentials.SecurityToken,
    });
    expect(id.Arn).toBe(`acs:ram::${s.accountId}:assumed-role/SsoAdmin/bob`);
    // Password and MFA changes are not a role session's.
    const pw = await http(
      'POST',
      '/logon/password',
      { OldPassword: 'a', NewPassword: 'b' },
      { cookie: ok.cookie!, json: true },
    );
    expect(JSON.parse(pw.text).Code).toBe('NotSupported.RoleSession');
    const ev = await eventually(async () => {
      const e = (await storedEvents(s.deployment.store, s.accountId)).filter(
        (x) => x.event.eventName === 'ConsoleSignin' && x.event.userIdentity.type === 'assumed-role',
      );
      expect(e.length).toBeGreaterThan(0);
      return e;
    });
    expect(ev[0]!.event.userIdentity.userName).toBe('SsoAdmin:bob');
    expect(ev[0]!.event.additionalEventData).toMatchObject({
      samlProviderArn: providerArn,
      samlNameId: 'bob@corp.example',
    });
  });

  it('offers a choice when the assertion names several roles, and logs on as the one chosen', async () => {
    const r = await postRole(roleResponse([adminRoleArn, auditorRoleArn, untrustingRoleArn]));
    expect(r.status).toBe(200);
    expect(r.cookie).toBeUndefined();
    expect(r.text.toLowerCase()).toContain(auditorRoleArn.toLowerCase());
    expect(r.text.toLowerCase()).not.toContain(untrustingRoleArn.toLowerCase());
    const token = /name="ChoiceToken" value="([^"]+)"/.exec(r.text)![1]!;
    await expectRefused(
      await http('POST', '/saml-role/select', { ChoiceToken: token, RoleArn: untrustingRoleArn }),
      'AuthenticationFail.SAMLAssertion.Invalid',
      401,
    );
    await expectRefused(
      await http('POST', '/saml-role/select', {
        ChoiceToken: `${token.slice(0, -4)}AAAA`,
        RoleArn: auditorRoleArn,
      }),
      'AuthenticationFail.SAMLAssertion.Invalid',
      401,
    );
    const chosen = await http('POST', '/saml-role/select', { ChoiceToken: token, RoleArn: auditorRoleArn });
    expect(chosen.status).toBe(200);
    expect((await session(chosen.cookie!)).Session!.Principal).toMatchObject({
      RoleName: 'SsoAuditor',
      RoleSessionName: 'bob',
    });
    // A choice makes one session: the same token again is refused, even for the other role.
    const again = await http('POST', '/saml-role/select', { ChoiceToken: token, RoleArn: adminRoleArn });
    await expectRefused(again, 'AuthenticationFail.SAMLAssertion.Invalid', 401);
    expect(again.cookie).toBeUndefined();
    // The choice expires.
    s.clock.advance(6 * 60_000);
    await expectRefused(
      await http('POST', '/saml-role/select', { ChoiceToken: token, RoleArn: adminRoleArn }),
      'AuthenticationFail.SAMLAssertion.Invalid',
      401,
    );
  });

  it('refuses role logons the trust policies or the assertion do not allow', async () => {
    await expectRefused(
      await postRole(roleResponse([untrustingRoleArn])),
      'AuthenticationFail.NoPermission',
      401,
    );
    await expectRefused(
      await postRole(roleResponse([adminRoleArn], { recipient: 'https://signin.aliyun.com/saml-role/sso' })),
      'AuthenticationFail.SAMLAssertion.Invalid',
      401,
    );
    await expectRefused(
      await postRole(roleResponse([adminRoleArn], { audience: 'urn:alibaba:cloudcomputing' })),
      'AuthenticationFail.SAMLAssertion.Invalid',
      401,
    );
    await expectRefused(
      await postRole(roleResponse([adminRoleArn], { sign: 'other-key' })),
      'AuthenticationFail.SAMLAssertion.Invalid',
      401,
    );
    // Role-based logon is IdP-initiated: an assertion answering a request was meant elsewhere.
    await expectRefused(
      await postRole(roleResponse([adminRoleArn], { inResponseTo: '_never-sent' })),
      'AuthenticationFail.SAMLAssertion.Invalid',
      401,
    );
    const once = roleResponse([adminRoleArn]);
    expect((await postRole(once)).status).toBe(200);
    await expectRefused(await postRole(once), 'AuthenticationFail.SAMLAssertion.Invalid', 401);
  });

  it('lands only on console pages: another path of this deployment, such as another account’s start, is the console home', async () => {
    // Another account, whose IdP metadata sends its /saml/start wherever its administrator likes.
    const b = await d().accounts.create({ alias: `sso-b-${store}`, rootPassword: 'Root-pass-one1' });
    const elsewhere = samlIdp(cert, other, 'https://evil.example/phish');
    await d().ssoSettings.set(b.accountId, { metadataDocument: elsewhere.metadataBase64, ssoEnabled: true });
    const bStart = await http('GET', `/saml/start?tenantID=${b.accountId}`);
    expect(bStart.headers.get('location')).toMatch(/^https:\/\/evil\.example\/phish\/sso\?SAMLRequest=/);
    const rows: [string, string][] = [
      ['/console/users', '/console/users'],
      ['/console/', '/console/'],
      ['/console/roles?Tab=trust#top', '/console/roles?Tab=trust#top'],
      [`/saml/start?tenantID=${b.accountId}`, '/console/'],
      [`/console/../saml/start?tenantID=${b.accountId}`, '/console/'],
      [`/console/%2e%2E/saml/start?tenantID=${b.accountId}`, '/console/'],
      [`/console\\..\\saml/start?tenantID=${b.accountId}`, '/console/'],
      ['/logon/session', '/console/'],
      ['/consoles/', '/console/'],
      ['/console', '/console/'],
      ['//evil.example/console/', '/console/'],
      ['https://evil.example/console/', '/console/'],
      ['/console/\u0000', '/console/'],
    ];
    const target = (r: Reply) => /url=([^"]*)"/.exec(r.text)?.[1];
    for (const [relay, to] of rows) {
      const user = await postUser(userResponse(), relay);
      expect([relay, user.status, target(user)]).toEqual([relay, 200, to]);
      const role = await http('POST', '/saml-role/sso', {
        SAMLResponse: roleResponse([adminRoleArn]),
        RelayState: relay,
      });
      expect([relay, role.status, target(role)]).toEqual([relay, 200, to]);
      const start = await http(
        'GET',
        `/saml/start?tenantID=${alias}&RelayState=${encodeURIComponent(relay)}`,
      );
      const sent = new URL(start.headers.get('location')!).searchParams.get('RelayState');
      expect([relay, start.status, sent]).toEqual([relay, 302, to]);
    }
  });

  it('answers a tenantID no account can have (a NUL, other characters, too long) as an unknown account', async () => {
    const malformed = [
      `${alias}%00`,
      'a%00b',
      `${s.accountId}%00`,
      '%E2%84%AAate',
      `${alias}%20x`,
      `${alias}.evil.example`,
      '%ED%A0%80',
      'x'.repeat(200),
    ];
    for (const t of malformed) {
      const status = await http('GET', `/saml/status?tenantID=${t}`);
      expect([t, status.status, JSON.parse(status.text)]).toEqual([t, 200, { UserSso: { Enabled: false } }]);
      const started = await http('GET', `/saml/start?tenantID=${t}`);
      expect([t, started.status, JSON.parse(started.text).Code]).toEqual([t, 400, 'SSO.NotEnabled']);
    }
    // A NUL elsewhere in the query is read as any other character.
    const relay = await http('GET', `/saml/start?tenantID=${alias}&RelayState=/console/%00`);
    expect(new URL(relay.headers.get('location')!).searchParams.get('RelayState')).toBe('/console/');
  });

  it('answers beside the API with nosniff, errors included', async () => {
    for (const path of [`/saml/status?tenantID=${alias}`, '/saml/start?tenantID=x', '/authorize'])
      expect([path, (await http('GET', path)).headers.get('x-content-type-options')]).toEqual([
        path,
        'nosniff',
      ]);
  });

  it('refuses a role logon whose SessionNotOnOrAfter has passed, before the assertion is used up', async () => {
    const claimed = async (id: string) =>
      (
        await s.deployment.store.db
          .selectFrom('saml_assertion_ids')
          .select('assertion_id')
          .where('assertion_id', '=', id)
          .execute()
      ).length;
    const assertionId = `_ended${store}`;
    const r = await postRole(
      roleResponse([adminRoleArn], {
        nameId: 'ended@corp.example',
        assertionId,
        sessionNotOnOrAfter: new Date(s.clock().getTime() - 60_000),
      }),
    );
    await expectRefused(r, 'AuthenticationFail.SAMLAssertion.Expired', 401);
    expect(JSON.parse(r.text).Message).toBe(
      'The session the SAML assertion grants has ended (AuthnStatement/@SessionNotOnOrAfter).',
    );
    expect(await claimed(assertionId)).toBe(0);
    const made = (await storedEvents(s.deployment.store, s.accountId)).filter(
      (e) =>
        e.event.eventName === 'ConsoleSignin' &&
        e.event.errorCode === '' &&
        e.event.additionalEventData?.samlNameId === 'ended@corp.example',
    );
    expect(made).toEqual([]);
    // One still ahead bounds the session.
    const until = new Date(s.clock().getTime() + 10 * 60_000);
    const ok = await postRole(roleResponse([adminRoleArn], { sessionNotOnOrAfter: until }));
    expect(ok.status).toBe(200);
    const info = JSON.parse((await http('GET', '/logon/session', undefined, { cookie: ok.cookie! })).text);
    expect(Date.parse(info.Session.ExpiresAt)).toBeLessThanOrEqual(until.getTime());
    // A role chosen after it passed: refused too, and no session.
    const offer = await postRole(
      roleResponse([adminRoleArn, auditorRoleArn], {
        sessionNotOnOrAfter: new Date(s.clock().getTime() + 2 * 60_000),
      }),
    );
    const token = /name="ChoiceToken" value="([^"]+)"/.exec(offer.text)![1]!;
    s.clock.advance(3 * 60_000);
    await expectRefused(
      await http('POST', '/saml-role/select', { ChoiceToken: token, RoleArn: auditorRoleArn }),
      'AuthenticationFail.SAMLAssertion.Expired',
      401,
    );
  });

  it("bounds a user's console session by SessionNotOnOrAfter, and refuses one already passed before the assertion is used up", async () => {
    const assertionId = `_user-ended${store}`;
    const ended = await postUser(
      userResponse({ assertionId, sessionNotOnOrAfter: new Date(s.clock().getTime() - 60_000) }),
    );
    await expectRefused(ended, 'AuthenticationFail.SAMLAssertion.Expired', 401);
    expect(
      await s.deployment.store.db
        .selectFrom('saml_assertion_ids')
        .select('assertion_id')
        .where('assertion_id', '=', assertionId)
        .execute(),
    ).toEqual([]);
    const until = new Date(s.clock().getTime() + 10 * 60_000);
    const ok = await postUser(userResponse({ sessionNotOnOrAfter: until }));
    expect(ok.status).toBe(200);
    const info = JSON.parse((await http('GET', '/logon/session', undefined, { cookie: ok.cookie! })).text);
    expect(Date.parse(info.Session.ExpiresAt)).toBeLessThanOrEqual(until.getTime());
    s.clock.advance(11 * 60_000);
    expect((await http('GET', '/logon/session', undefined, { cookie: ok.cookie! })).status).toBe(401);
  });

  it('reads the IdP metadata as written: references in its entityID and SSO URL are decoded once', async () => {
    const idp = samlIdp(cert, other, 'https://idp.example.test/saml?tenant=corp&realm=staff');
    expect(Buffer.from(idp.metadataBase64, 'base64').toString()).toContain('tenant=corp&amp;realm=staff');
    await d().ssoSettings.set(s.accountId, { metadataDocument: idp.metadataBase64 });
    try {
      const start = await http('GET', `/saml/start?tenantID=${alias}`);
      const location = new URL(start.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe('https://idp.example.test/saml');
      expect([...location.searchParams.keys()]).toEqual(['tenant', 'realm', 'SAMLRequest']);
      expect(location.searchParams.get('realm')).toBe('staff/sso');
      // The Issuer of its assertions is the entityID: `&`, not `&amp;`.
      const r = await postUser(
        idp.response({
          nameId: 'alice@corp.example',
          recipient: userAcs(),
          audience: entity(),
          now: s.clock(),
        }),
      );
      expect(r.status, r.text).toBe(200);
    } finally {
      await d().ssoSettings.set(s.accountId, { metadataDocument: userIdp.metadataBase64 });
    }
  });
});
