/**
 * AssumeRoleWithOIDC against a real OpenID Provider (oidc-provider over HTTPS with a self-signed
 * certificate pinned by its SHA-1 fingerprint), on SQLite and PostgreSQL: through
 * @alicloud/sts20150401 and through the OIDC credentials provider of @alicloud/credentials
 * (ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE) in a
 * child process; trust conditions oidc:iss / oidc:aud / oidc:sub; every refusal with its code,
 * no credentials, and the event in the audit trail.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as Sts from '@alicloud/sts20150401';
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { ramClient, type KeyPair } from '../helpers/server.js';
import { childEnv } from '../helpers/cli.js';
import { storedEvents, eventually } from '../audit/helpers.js';
import { STORES, call, expectFailure, uniq } from './ram-helpers.js';
import { imsCall, imsClient } from './ims-helpers.js';
import { callerIdentity, sessionKeys, stsClient } from './sts-helpers.js';
import {
  mintToken,
  selfSignedCertificate,
  startOidcIssuer,
  tlsFront,
  type OidcIssuer,
  type TestCertificate,
} from '../sso/idp-helpers.js';

const run = promisify(execFile);

describe.each(STORES)('AssumeRoleWithOIDC on %s', (store) => {
  let s: InProcessServer;
  let root: KeyPair;
  let cert: TestCertificate;
  let otherCert: TestCertificate;
  let idp: OidcIssuer;
  let providerArn: string;
  const providerName = uniq('github');
  let roleArn: string;
  const roleName = uniq('CiDeployer');

  const anon = () => stsClient(s, { accessKeyId: '', accessKeySecret: '' });

  async function assume(params: {
    token: string;
    role?: string;
    provider?: string;
    session?: string;
    duration?: number;
  }) {
    const res = await anon().assumeRoleWithOIDC(
      new Sts.AssumeRoleWithOIDCRequest({
        OIDCProviderArn: params.provider ?? providerArn,
        roleArn: params.role ?? roleArn,
        OIDCToken: params.token,
        roleSessionName: params.session ?? 'ci-build-1',
        ...(params.duration ? { durationSeconds: params.duration } : {}),
      }),
    );
    return res.body!.toMap() as Record<string, Record<string, string>>;
  }

  async function makeRole(name: string, condition: object, provider = providerArn): Promise<string> {
    const trust = {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Federated: [provider] },
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

  const trustAll = () => ({
    StringEquals: { 'oidc:iss': idp.issuer, 'oidc:aud': idp.audience },
    StringLike: { 'oidc:sub': 'ci-*' },
  });

  /** Events of the account recorded for AssumeRoleWithOIDC with this error code. */
  const eventsWith = (code: string) =>
    eventually(async () => {
      const events = (await storedEvents(s.deployment.store, s.accountId)).filter(
        (e) => e.event.eventName === 'AssumeRoleWithOIDC' && e.event.errorCode === code,
      );
      expect(events.length).toBeGreaterThan(0);
      return events;
    });

  beforeAll(async () => {
    s = await startInProcessServer({ store });
    root = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
    cert = selfSignedCertificate();
    otherCert = selfSignedCertificate();
    idp = await startOidcIssuer(cert);
    const ims = imsClient(s as never, root);
    const created = await imsCall(ims, 'CreateOIDCProvider', {
      OIDCProviderName: providerName,
      IssuerUrl: idp.issuer,
      ClientIds: idp.audience,
      Fingerprints: cert.fingerprint,
      IssuanceLimitTime: 12,
    });
    providerArn = created.OIDCProvider.Arn;
    roleArn = await makeRole(roleName, trustAll());
  });
  afterAll(async () => {
    await idp?.stop();
    await s?.stop();
    cert?.remove();
    otherCert?.remove();
  });

  it('gives role credentials for a token of the registered issuer, as the SDK reads them', async () => {
    s.clock.set(new Date());
    const token = await idp.issueToken();
    const r = await assume({ token, duration: 1800 });
    expect(r.OIDCTokenInfo).toMatchObject({
      Subject: 'ci-runner',
      Issuer: idp.issuer,
      ClientIds: idp.audience,
      VerificationInfo: 'Success',
    });
    expect(r.OIDCTokenInfo!.IssuanceTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(r.OIDCTokenInfo!.ExpirationTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(r.AssumedRoleUser!.Arn).toBe(`acs:ram::${s.accountId}:role/${roleName.toLowerCase()}/ci-build-1`);
    expect(r.Credentials!.AccessKeyId).toMatch(/^STS\./);
    const expires = Date.parse(r.Credentials!.Expiration!);
    expect(expires - s.clock().getTime()).toBeGreaterThan(1700_000);
    expect(expires - s.clock().getTime()).toBeLessThanOrEqual(1800_000);
    const who = await callerIdentity(s, sessionKeys(r as never));
    expect(who.IdentityType).toBe('AssumedRoleUser');
    expect(who.Arn).toBe(`acs:ram::${s.accountId}:assumed-role/${roleName}/ci-build-1`);
    const ok = await eventually(async () => {
      const events = (await storedEvents(s.deployment.store, s.accountId)).filter(
        (e) => e.event.eventName === 'AssumeRoleWithOIDC' && e.event.errorCode === '',
      );
      expect(events.length).toBeGreaterThan(0);
      return events;
    });
    expect(ok[0]!.event.userIdentity).toEqual({
      type: 'oidc-user',
      accountId: s.accountId,
      userName: 'ci-runner',
    });
    expect(ok[0]!.body).not.toContain(token);
    expect(ok[0]!.event.requestParameters.OIDCToken).toBe('****');
  });

  it('serves the OIDC provider of @alicloud/credentials (token file, provider and role from the environment)', async () => {
    s.clock.set(new Date());
    const front = await tlsFront(cert, s.server.port);
    const dir = mkdtempSync(join(tmpdir(), 'rampart-oidc-'));
    try {
      const tokenFile = join(dir, 'token');
      writeFileSync(tokenFile, await idp.issueToken());
      const program = `
        const Credential = require('@alicloud/credentials');
        const c = new Credential.default(new Credential.Config({ type: 'oidc_role_arn', stsEndpoint: process.argv[1] }));
        c.getCredential().then((x) => console.log(JSON.stringify({ id: x.accessKeyId, token: !!x.securityToken, type: x.type, provider: x.providerName })))
          .catch((e) => { console.error(e.message); process.exit(1); });`;
      const out = await run(process.execPath, ['-e', program, front.host], {
        cwd: process.cwd(),
        env: childEnv({
          ALIBABA_CLOUD_OIDC_PROVIDER_ARN: providerArn,
          ALIBABA_CLOUD_ROLE_ARN: roleArn,
          ALIBABA_CLOUD_OIDC_TOKEN_FILE: tokenFile,
          ALIBABA_CLOUD_ROLE_SESSION_NAME: 'ci-from-file',
          NODE_EXTRA_CA_CERTS: cert.certFile,
        }),
      });
      const got = JSON.parse(out.stdout) as { id: string; token: boolean; provider: string };
      expect(got.id).toMatch(/^STS\./);
      expect(got.token).toBe(true);
      expect(got.provider).toBe('oidc_role_arn');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await front.stop();
    }
  });

  it('refuses a token signed by another key, of another issuer or audience, expired, or malformed', async () => {
    s.clock.set(new Date());
    const now = Math.floor(s.clock().getTime() / 1000);
    const claims = { iss: idp.issuer, aud: idp.audience, sub: 'ci-runner', iat: now - 10, exp: now + 600 };
    const { privateKey: stranger } = await generateKeyPair('RS256');
    const cases: [string, Promise<string>, string][] = [
      [
        'another key, known kid',
        mintToken(stranger, claims, { kid: idp.kid }),
        'AuthenticationFail.OIDCToken.InvalidSignature',
      ],
      [
        'another key, unknown kid',
        mintToken(stranger, claims, { kid: 'rotated' }),
        'AuthenticationFail.OIDCToken.InvalidSignature',
      ],
      [
        'another issuer',
        mintToken(idp.signingKey, { ...claims, iss: 'https://evil.example' }, { kid: idp.kid }),
        'AuthenticationFail.OIDCToken.Invalid',
      ],
      [
        'another audience',
        mintToken(idp.signingKey, { ...claims, aud: 'someone-else' }, { kid: idp.kid }),
        'AuthenticationFail.OIDCToken.AudienceNotMatch',
      ],
      [
        'expired',
        mintToken(idp.signingKey, { ...claims, iat: now - 4000, exp: now - 100 }, { kid: idp.kid }),
        'AuthenticationFail.OIDCToken.Expired',
      ],
      [
        'issued too long ago',
        mintToken(idp.signingKey, { ...claims, iat: now - 13 * 3600 }, { kid: idp.kid }),
        'AuthenticationFail.OIDCToken.Expired',
      ],
      [
        // Else a token made to last years would pass IssuanceLimitTime.
        'issued in the future',
        mintToken(
          idp.signingKey,
          { ...claims, iat: now + 3600, exp: now + 10 * 365 * 86400 },
          { kid: idp.kid },
        ),
        'AuthenticationFail.OIDCToken.Invalid',
      ],
      [
        'HMAC',
        mintToken(new TextEncoder().encode('x'.repeat(32)), claims, { alg: 'HS256' }),
        'AuthenticationFail.OIDCToken.Invalid',
      ],
      ['not a JWT', Promise.resolve('not-a-jwt-at-all'), 'AuthenticationFail.OIDCToken.Invalid'],
      [
        'a tampered payload',
        idp.issueToken().then((t) => {
          const [h, , sig] = t.split('.');
          const body = Buffer.from(JSON.stringify({ ...claims, sub: 'ci-admin' })).toString('base64url');
          return `${h}.${body}.${sig}`;
        }),
        'AuthenticationFail.OIDCToken.InvalidSignature',
      ],
    ];
    for (const [what, token, code] of cases) {
      const f = await expectFailure(assume({ token: await token, session: 'refused-1' }), code, 401);
      expect(f.message, what).not.toMatch(/eyJ/);
    }
    for (const [, , code] of cases) await eventsWith(code);
  });

  it('refuses when the role does not trust the provider, the subject, or the provider is unknown', async () => {
    s.clock.set(new Date());
    const token = await idp.issueToken();
    const strictRole = await makeRole(uniq('OnlyMain'), {
      StringEquals: { 'oidc:iss': idp.issuer, 'oidc:aud': idp.audience, 'oidc:sub': 'repo:org/main' },
    });
    const otherProviderRole = await makeRole(
      uniq('OtherIdp'),
      trustAll(),
      `acs:ram::${s.accountId}:oidc-provider/someone-else`,
    );
    await expectFailure(assume({ token, role: strictRole }), 'AuthenticationFail.NoPermission', 401);
    await expectFailure(assume({ token, role: otherProviderRole }), 'AuthenticationFail.NoPermission', 401);
    await expectFailure(
      assume({ token, provider: `acs:ram::${s.accountId}:oidc-provider/nobody` }),
      'AuthenticationFail.NoPermission',
      401,
      /No such OIDC Provider/,
    );
    await expectFailure(
      assume({ token, role: `acs:ram::${s.accountId}:role/no-such-role` }),
      'EntityNotExist.Role',
      404,
    );
    await expectFailure(assume({ token, provider: 'arn:oidc/x' }), 'InvalidParameter.OIDCProviderArn', 400);
    await expectFailure(assume({ token, session: 'x' }), 'InvalidParameter.RoleSessionName', 400);
    await expectFailure(assume({ token, duration: 100 }), 'InvalidParameter.DurationSeconds', 400);
    await eventsWith('AuthenticationFail.NoPermission');
  });

  it('pins the issuer certificate: another fingerprint, or a changed certificate, is refused', async () => {
    s.clock.set(new Date());
    const token = await idp.issueToken();
    const ims = imsClient(s as never, root);
    // The provider trusts another certificate only: the issuer's is refused.
    await imsCall(ims, 'AddFingerprintToOIDCProvider', {
      OIDCProviderName: providerName,
      Fingerprint: otherCert.fingerprint,
    });
    await imsCall(ims, 'RemoveFingerprintFromOIDCProvider', {
      OIDCProviderName: providerName,
      Fingerprint: cert.fingerprint,
    });
    await expectFailure(assume({ token }), 'AuthenticationFail.OIDCToken.PublicKeyFingerprintMismatch', 401);
    await eventsWith('AuthenticationFail.OIDCToken.PublicKeyFingerprintMismatch');
    // Back to the issuer's certificate: accepted again.
    await imsCall(ims, 'AddFingerprintToOIDCProvider', {
      OIDCProviderName: providerName,
      Fingerprint: cert.fingerprint,
    });
    await imsCall(ims, 'RemoveFingerprintFromOIDCProvider', {
      OIDCProviderName: providerName,
      Fingerprint: otherCert.fingerprint,
    });
    await assume({ token });
    // The issuer now serves another certificate: when its keys are read again, it is refused.
    idp.changeCertificate(otherCert);
    s.clock.advance(11 * 60_000);
    const now = Math.floor(s.clock().getTime() / 1000);
    const later = await mintToken(
      idp.signingKey,
      { iss: idp.issuer, aud: idp.audience, sub: 'ci-runner', iat: now - 5, exp: now + 600 },
      { kid: idp.kid },
    );
    await expectFailure(
      assume({ token: later }),
      'AuthenticationFail.OIDCToken.PublicKeyFingerprintMismatch',
      401,
    );
    idp.changeCertificate(cert);
  });
});
