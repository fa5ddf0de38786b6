/**
 * AssumeRoleWithOIDC takes a token's `iss` and `aud` as the JWT rules define them, not in some
 * nearby form: `iss` equals the provider's IssuerUrl exactly (a trailing slash is another
 * issuer), and `aud` is a string or an array of strings. What is refused never reaches the
 * trust policy's oidc:iss / oidc:aud, nor the answer's Issuer / ClientIds, even when the role's
 * trust policy would have let it through.
 */
import * as Sts from '@alicloud/sts20150401';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { ramClient, type KeyPair } from '../helpers/server.js';
import { STORES, call, expectFailure, uniq } from '../compat/ram-helpers.js';
import { imsCall, imsClient } from '../compat/ims-helpers.js';
import { stsClient } from '../compat/sts-helpers.js';
import { mintToken, selfSignedCertificate, startOidcIssuer, type OidcIssuer } from '../sso/idp-helpers.js';
import type { TestCertificate } from '../sso/idp-helpers.js';

describe.each(STORES)('AssumeRoleWithOIDC token claims on %s', (store) => {
  let s: InProcessServer;
  let root: KeyPair;
  let cert: TestCertificate;
  let idp: OidcIssuer;
  let providerArn: string;
  /** A role whose trust policy is loose on purpose: any issuer on 127.0.0.1, the audience. */
  let looseRoleArn: string;

  const assume = async (token: string) => {
    const res = await stsClient(s, { accessKeyId: '', accessKeySecret: '' }).assumeRoleWithOIDC(
      new Sts.AssumeRoleWithOIDCRequest({
        OIDCProviderArn: providerArn,
        roleArn: looseRoleArn,
        OIDCToken: token,
        roleSessionName: 'claims-1',
      }),
    );
    return res.body!.toMap() as Record<string, Record<string, string>>;
  };

  const claims = () => {
    const now = Math.floor(s.clock().getTime() / 1000);
    return { iss: idp.issuer, aud: idp.audience as unknown, sub: 'ci-runner', iat: now - 10, exp: now + 600 };
  };
  const mint = (c: Record<string, unknown>) => mintToken(idp.signingKey, c, { kid: idp.kid });

  beforeAll(async () => {
    s = await startInProcessServer({ store });
    root = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
    cert = selfSignedCertificate();
    idp = await startOidcIssuer(cert);
    const created = await imsCall(imsClient(s as never, root), 'CreateOIDCProvider', {
      OIDCProviderName: uniq('claims'),
      IssuerUrl: idp.issuer,
      ClientIds: `${idp.audience},other-client`,
      Fingerprints: cert.fingerprint,
      IssuanceLimitTime: 12,
    });
    providerArn = created.OIDCProvider.Arn;
    const trust = {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Federated: [providerArn] },
          Condition: {
            StringLike: { 'oidc:iss': 'https://127.0.0.1:*', 'oidc:aud': '*' },
          },
        },
      ],
    };
    const r = await call(ramClient(s, root), 'CreateRole', {
      RoleName: uniq('Loose'),
      AssumeRolePolicyDocument: JSON.stringify(trust),
    });
    looseRoleArn = r.Role.Arn as string;
  });
  afterAll(async () => {
    await idp?.stop();
    await s?.stop();
    cert?.remove();
  });

  it('accepts the exact issuer, and an aud array of strings (every one echoed)', async () => {
    s.clock.set(new Date());
    const r = await assume(await mint({ ...claims(), aud: [idp.audience, 'other-client'] }));
    expect(r.OIDCTokenInfo).toMatchObject({
      Issuer: idp.issuer,
      ClientIds: `${idp.audience},other-client`,
      VerificationInfo: 'Success',
    });
  });

  it('refuses an iss that is the IssuerUrl with a trailing slash', async () => {
    s.clock.set(new Date());
    for (const iss of [`${idp.issuer}/`, `${idp.issuer}//`]) {
      await expectFailure(
        assume(await mint({ ...claims(), iss })),
        'AuthenticationFail.OIDCToken.Invalid',
        401,
        /issuer/i,
      );
    }
  });

  it('refuses an aud array with anything but strings in it', async () => {
    s.clock.set(new Date());
    for (const aud of [
      [idp.audience, 42],
      [idp.audience, null],
      [idp.audience, { id: 'x' }],
      [idp.audience, [idp.audience]],
      [idp.audience, true],
    ]) {
      await expectFailure(
        assume(await mint({ ...claims(), aud })),
        'AuthenticationFail.OIDCToken.AudienceNotMatch',
        401,
      );
    }
  });
});
