/**
 * AssumeRoleWithSAML through @alicloud/sts20150401 (unsigned, as the SDK sends it) against an
 * in-process server on SQLite and PostgreSQL, with responses of a test IdP signed with a test
 * key: SAMLAssertionInfo as the SDK model reads it, working credentials, the trust policy's
 * Federated principal and saml:recipient, and every refusal (unsigned, wrongly signed,
 * signature wrapping, tampered, expired, replayed, wrong audience or recipient, a role pair the
 * assertion does not name, a role that does not trust the provider) with its code, no
 * credentials, and the event in the audit trail.
 */
import * as Sts from '@alicloud/sts20150401';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { ramClient, type KeyPair } from '../helpers/server.js';
import { storedEvents, eventually } from '../audit/helpers.js';
import { STORES, call, expectFailure, uniq } from './ram-helpers.js';
import { imsCall, imsClient } from './ims-helpers.js';
import { callerIdentity, sessionKeys, stsClient } from './sts-helpers.js';
import { selfSignedCertificate, type TestCertificate } from '../sso/idp-helpers.js';
import { samlIdp, type ResponseOptions, type SamlIdp } from '../sso/saml-idp.js';

const ROLE_ATTR = 'https://www.aliyun.com/SAML-Role/Attributes/Role';
const SESSION_ATTR = 'https://www.aliyun.com/SAML-Role/Attributes/RoleSessionName';
const AUDIENCE = 'urn:rampart:cloudcomputing';

describe.each(STORES)('AssumeRoleWithSAML on %s', (store) => {
  let s: InProcessServer;
  let root: KeyPair;
  let cert: TestCertificate;
  let other: TestCertificate;
  let idp: SamlIdp;
  let providerArn: string;
  let roleArn: string;
  let untrustingRoleArn: string;
  const roleName = uniq('SamlAdmin');
  const recipient = 'https://rampart.example.test/saml-role/sso';

  const anon = () => stsClient(s, { accessKeyId: '', accessKeySecret: '' });

  async function assume(
    assertion: string,
    opts: { role?: string; provider?: string; duration?: number } = {},
  ) {
    const res = await anon().assumeRoleWithSAML(
      new Sts.AssumeRoleWithSAMLRequest({
        SAMLProviderArn: opts.provider ?? providerArn,
        roleArn: opts.role ?? roleArn,
        SAMLAssertion: assertion,
        ...(opts.duration ? { durationSeconds: opts.duration } : {}),
      }),
    );
    return res.body!.toMap() as Record<string, Record<string, string>>;
  }

  const good = (o: Partial<ResponseOptions> = {}): ResponseOptions => ({
    nameId: 'alice@corp.example',
    recipient,
    audience: AUDIENCE,
    now: s.clock(),
    attributes: {
      [ROLE_ATTR]: [`${roleArn},${providerArn}`, `${untrustingRoleArn},${providerArn}`],
      [SESSION_ATTR]: ['alice'],
    },
    ...o,
  });

  async function makeRole(name: string, principal: string, condition: object): Promise<string> {
    const trust = {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Federated: [principal] },
          Condition: condition,
        },
      ],
    };
    const r = await call(ramClient(s, root), 'CreateRole', {
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify(trust),
    });
    return r.Role.Arn as string;
  }

  const eventsWith = (code: string) =>
    eventually(async () => {
      const events = (await storedEvents(s.deployment.store, s.accountId)).filter(
        (e) => e.event.eventName === 'AssumeRoleWithSAML' && e.event.errorCode === code,
      );
      expect(events.length).toBeGreaterThan(0);
      return events;
    });

  beforeAll(async () => {
    s = await startInProcessServer({ store });
    root = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
    cert = selfSignedCertificate('idp.example.test');
    other = selfSignedCertificate('attacker.example.test');
    idp = samlIdp(cert, other);
    const ims = imsClient(s as never, root);
    const created = await imsCall(ims, 'CreateSAMLProvider', {
      SAMLProviderName: uniq('corp-idp'),
      EncodedSAMLMetadataDocument: idp.metadataBase64,
    });
    providerArn = created.SAMLProvider.Arn;
    roleArn = await makeRole(roleName, providerArn, { StringEquals: { 'saml:recipient': recipient } });
    untrustingRoleArn = await makeRole(
      uniq('OtherIdpOnly'),
      `acs:ram::${s.accountId}:saml-provider/someone-else`,
      {
        StringEquals: { 'saml:recipient': recipient },
      },
    );
  });
  afterAll(async () => {
    await s?.stop();
    cert?.remove();
    other?.remove();
  });

  it('gives role credentials for a signed assertion naming the role, once', async () => {
    const assertion = idp.response(good());
    const r = await assume(assertion, { duration: 900 });
    expect(r.SAMLAssertionInfo).toEqual({
      SubjectType: 'persistent',
      Subject: 'alice@corp.example',
      Issuer: idp.entityId,
      Recipient: recipient,
    });
    expect(r.AssumedRoleUser!.Arn).toBe(`acs:ram::${s.accountId}:role/${roleName.toLowerCase()}/alice`);
    expect(r.AssumedRoleUser!.AssumedRoleId).toMatch(/^\d+:alice$/);
    expect(Date.parse(r.Credentials!.Expiration!) - Math.floor(s.clock().getTime() / 1000) * 1000).toBe(
      900_000,
    );
    const who = await callerIdentity(s, sessionKeys(r as never));
    expect(who.Arn).toBe(`acs:ram::${s.accountId}:assumed-role/${roleName}/alice`);
    const ok = await eventually(async () => {
      const events = (await storedEvents(s.deployment.store, s.accountId)).filter(
        (e) => e.event.eventName === 'AssumeRoleWithSAML' && e.event.errorCode === '',
      );
      expect(events.length).toBe(1);
      return events;
    });
    expect(ok[0]!.event.userIdentity).toEqual({
      type: 'saml-user',
      accountId: s.accountId,
      userName: 'alice@corp.example',
    });
    expect(ok[0]!.event.requestParameters.SAMLAssertion).toBe('****');
    // The same assertion again: a replay.
    await expectFailure(assume(assertion), 'AuthenticationFail.SAMLAssertion.Invalid', 401, /already used/);
  });

  it('reads the assertion as written: references in the signed XML are decoded once', async () => {
    const nameId = 'Tom & Jerry <tj@corp.example> "&amp;"';
    const r = await assume(idp.response(good({ nameId })));
    expect(r.SAMLAssertionInfo!.Subject).toBe(nameId);
  });

  it('refuses unsigned, wrongly signed, wrapped, tampered, expired and misaddressed assertions', async () => {
    const cases: [string, ResponseOptions, string, number, RegExp][] = [
      [
        'unsigned',
        good({ sign: 'none' }),
        'AuthenticationFail.SAMLAssertion.Invalid',
        401,
        /Invalid signature/,
      ],
      [
        'signed by another key',
        good({ sign: 'other-key' }),
        'AuthenticationFail.SAMLAssertion.Invalid',
        401,
        /Invalid signature/,
      ],
      [
        'an answer to a request (InResponseTo): role-based SSO is IdP-initiated',
        good({ inResponseTo: '_never-sent' }),
        'AuthenticationFail.SAMLAssertion.Invalid',
        401,
        /InResponseTo/,
      ],
      [
        'a second, unsigned assertion',
        good({ wrapWith: 'mallory@corp.example' }),
        'AuthenticationFail.SAMLAssertion.Invalid',
        401,
        /multiple assertions/,
      ],
      [
        'a NameID changed after signing',
        good({ tamperNameId: 'mallory@corp.example' }),
        'AuthenticationFail.SAMLAssertion.Invalid',
        401,
        /Invalid signature/,
      ],
      [
        'expired',
        good({ now: new Date(s.clock().getTime() - 3600_000) }),
        'AuthenticationFail.SAMLAssertion.Expired',
        401,
        /expired/,
      ],
      [
        'another audience',
        good({ audience: 'urn:alibaba:cloudcomputing' }),
        'AuthenticationFail.SAMLAssertion.Invalid',
        401,
        /Audience/,
      ],
      [
        'another issuer',
        good({ issuer: 'https://evil.example.test' }),
        'AuthenticationFail.SAMLAssertion.Invalid',
        401,
        /issuer/,
      ],
      [
        'no role pair for this role',
        good({
          attributes: { [ROLE_ATTR]: [`${untrustingRoleArn},${providerArn}`], [SESSION_ATTR]: ['alice'] },
        }),
        'AuthenticationFail.SAMLAssertion.Invalid',
        401,
        /Role attribute/,
      ],
      [
        'no session name',
        good({ attributes: { [ROLE_ATTR]: [`${roleArn},${providerArn}`] } }),
        'InvalidParameter.RoleSessionName',
        400,
        /RoleSessionName/,
      ],
      [
        'another recipient',
        good({ recipient: 'https://signin.aliyun.com/saml-role/sso' }),
        'AuthenticationFail.NoPermission',
        401,
        /does not trust/,
      ],
    ];
    for (const [what, o, code, status, message] of cases) {
      const f = await expectFailure(assume(idp.response(o)), code, status, message);
      expect(f.message, what).not.toContain('PHNhbW'); // no echo of the response
    }
    // A role that does not trust this provider.
    await expectFailure(
      assume(idp.response(good()), { role: untrustingRoleArn }),
      'AuthenticationFail.NoPermission',
      401,
    );
    // Not base64, not a Response.
    await expectFailure(assume('!!!!not-base64'), 'AuthenticationFail.SAMLAssertion.Invalid', 401);
    await expectFailure(
      assume(
        Buffer.from(
          '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Response>&e;</Response>',
        ).toString('base64'),
      ),
      'AuthenticationFail.SAMLAssertion.Invalid',
      401,
    );
    for (const code of [
      'AuthenticationFail.SAMLAssertion.Invalid',
      'AuthenticationFail.SAMLAssertion.Expired',
      'AuthenticationFail.NoPermission',
    ]) {
      const events = await eventsWith(code);
      expect(events[0]!.event.userIdentity.type).toBe('saml-user');
    }
    // Refusals used nothing up: a good assertion with a fixed id still works once.
    const id = `_fixed${Date.now()}`;
    await expectFailure(
      assume(idp.response(good({ assertionId: id })), { duration: 60 }),
      'InvalidParameter.DurationSeconds',
      400,
    );
    await assume(idp.response(good({ assertionId: id })));
  });

  it('answers unknown providers and roles, missing metadata and missing parameters with their codes', async () => {
    await expectFailure(
      assume(idp.response(good()), { provider: `acs:ram::${s.accountId}:saml-provider/nobody` }),
      'EntityNotExist.SAMLProvider',
      404,
    );
    await expectFailure(
      assume(idp.response(good()), { role: `acs:ram::${s.accountId}:role/nobody` }),
      'AuthenticationFail.SAMLAssertion.Invalid',
      401,
    );
    const bare = await imsCall(imsClient(s as never, root), 'CreateSAMLProvider', {
      SAMLProviderName: uniq('bare'),
    });
    await expectFailure(
      assume(idp.response(good()), { provider: bare.SAMLProvider.Arn }),
      'AuthenticationFail.IDPMetadata.Invalid',
      401,
    );
    await expectFailure(
      anon().assumeRoleWithSAML(new Sts.AssumeRoleWithSAMLRequest({ SAMLProviderArn: providerArn, roleArn })),
      'MissingParameter.SAMLAssertion',
      400,
    );
    await expectFailure(
      anon().assumeRoleWithSAML(
        new Sts.AssumeRoleWithSAMLRequest({ SAMLProviderArn: providerArn, SAMLAssertion: 'abcd' }),
      ),
      'MissingParameter.RoleArn',
      400,
    );
    await expectFailure(
      assume(idp.response(good()), { provider: 'acs:ram::1:saml-provider/x' }),
      'InvalidParameter.SAMLProviderArn',
      400,
    );
  });

  it('keeps a used assertion refused until it can no longer be accepted, clock skew included', async () => {
    const assertion = idp.response(good({ lifetime: 60 }));
    await assume(assertion, { duration: 900 });
    // Past its NotOnOrAfter, within the two minutes of skew still allowed: a replay.
    s.clock.advance(90_000);
    await expectFailure(assume(assertion), 'AuthenticationFail.SAMLAssertion.Invalid', 401, /already used/);
    s.clock.advance(60_000);
    await expectFailure(assume(assertion), 'AuthenticationFail.SAMLAssertion.Invalid', 401, /already used/);
    // Past the skew: expired, whatever the store still keeps.
    s.clock.advance(31_000);
    await expectFailure(assume(assertion), 'AuthenticationFail.SAMLAssertion.Expired', 401, /expired/);
  });
});
