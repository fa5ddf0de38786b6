/**
 * SAML and OIDC identity provider records and user SSO settings through
 * @alicloud/ims20190815 against a real server: stored, validated, refused with a clear code
 * when malformed, and nothing stored then.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramClient, startServer, type RamClient, type TestServer } from '../helpers/server.js';
import { STORES, call, expectFailure, grant, ramUserWithKey, uniq } from './ram-helpers.js';
import { imsCall, imsClient, type ImsClient } from './ims-helpers.js';

const XML = readFileSync(new URL('../fixtures/saml-idp-metadata.xml', import.meta.url), 'utf8');
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const METADATA = b64(XML);
const FP1 = '0123456789abcdef0123456789abcdef01234567';
const FP2 = 'ABCDEF0123456789ABCDEF0123456789ABCDEF01';

/** Metadata documents that must be refused, each with what is wrong. */
const BAD_METADATA: readonly [string, string][] = [
  ['not base64', '%%% not base64 %%%'],
  ['not XML', b64('just text')],
  ['broken XML', b64('<md:EntityDescriptor entityID="x"><unclosed></md:EntityDescriptor>')],
  ['another root', b64('<Other xmlns="urn:x"/>')],
  ['no entityID', b64(XML.replace(/ entityID="[^"]*"/, ''))],
  ['no IdP descriptor', b64(XML.replace(/IDPSSODescriptor/g, 'SPSSODescriptor'))],
  ['no certificate', b64(XML.replace(/<ds:X509Certificate>[^<]*<\/ds:X509Certificate>/, ''))],
  ['an encryption-only key', b64(XML.replace('use="signing"', 'use="encryption"'))],
  ['a broken certificate', b64(XML.replace(/<ds:X509Certificate>[^<]{20}/, '<ds:X509Certificate>AAAA'))],
  ['a document type', b64(`<!DOCTYPE x [<!ENTITY e "e">]>${XML.replace(/^<\?xml[^>]*>/, '')}`)],
];

describe.each(STORES)('IMS identity providers and SSO settings (%s)', (store) => {
  let server: TestServer;
  let ims: ImsClient;
  let ram: RamClient;

  beforeAll(async () => {
    server = await startServer({ store });
    ims = imsClient(server);
    ram = ramClient(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('creates, reads, updates, lists and deletes a SAML provider', async () => {
    const name = uniq('Idp');
    const created = (
      await imsCall(ims, 'CreateSAMLProvider', {
        SAMLProviderName: name,
        Description: 'corporate IdP',
        EncodedSAMLMetadataDocument: METADATA,
        AuthnSignAlgo: 'rsa-sha256',
      })
    ).SAMLProvider;
    expect(created).toMatchObject({
      SAMLProviderName: name,
      Arn: `acs:ram::${server.accountId}:saml-provider/${name}`,
      Description: 'corporate IdP',
      AuthnSignAlgo: 'rsa-sha256',
    });
    const got = (await imsCall(ims, 'GetSAMLProvider', { SAMLProviderName: name.toLowerCase() }))
      .SAMLProvider;
    expect(got).toMatchObject({ SAMLProviderName: name, EncodedSAMLMetadataDocument: METADATA });
    await expectFailure(
      imsCall(ims, 'CreateSAMLProvider', {
        SAMLProviderName: name.toUpperCase(),
        EncodedSAMLMetadataDocument: METADATA,
      }),
      'EntityAlreadyExists.SAMLProvider',
      409,
    );
    const updated = (
      await imsCall(ims, 'UpdateSAMLProvider', {
        SAMLProviderName: name,
        NewDescription: 'moved',
        AuthnSignAlgo: 'rsa-sha1',
      })
    ).SAMLProvider;
    expect(updated).toMatchObject({ Description: 'moved', AuthnSignAlgo: 'rsa-sha1' });
    const listed = (await imsCall(ims, 'ListSAMLProviders')).SAMLProviders.SAMLProvider;
    expect(listed).toContainEqual(expect.objectContaining({ SAMLProviderName: name, Description: 'moved' }));
    await imsCall(ims, 'DeleteSAMLProvider', { SAMLProviderName: name });
    await expectFailure(
      imsCall(ims, 'GetSAMLProvider', { SAMLProviderName: name }),
      'EntityNotExist.SAMLProvider',
      404,
    );
    await expectFailure(
      imsCall(ims, 'DeleteSAMLProvider', { SAMLProviderName: name }),
      'EntityNotExist.SAMLProvider',
      404,
    );
  });

  it('refuses malformed SAML metadata and provider names, storing nothing', async () => {
    const name = uniq('bad');
    for (const [what, doc] of BAD_METADATA) {
      const f = await expectFailure(
        imsCall(ims, 'CreateSAMLProvider', { SAMLProviderName: name, EncodedSAMLMetadataDocument: doc }),
        'InvalidParameter.EncodedSAMLMetadataDocument',
        400,
      );
      expect(f.message, what).toContain('EncodedSAMLMetadataDocument');
    }
    await expectFailure(
      imsCall(ims, 'GetSAMLProvider', { SAMLProviderName: name }),
      'EntityNotExist.SAMLProvider',
      404,
    );
    for (const [bad, code] of [
      ['-leading', 'InvalidParameter.SAMLProviderName.InvalidChars'],
      ['trailing.', 'InvalidParameter.SAMLProviderName.InvalidChars'],
      ['with space', 'InvalidParameter.SAMLProviderName.InvalidChars'],
      ['x'.repeat(129), 'InvalidParameter.SAMLProviderName.Length'],
    ] as const) {
      await expectFailure(imsCall(ims, 'CreateSAMLProvider', { SAMLProviderName: bad }), code, 400);
    }
    await expectFailure(
      imsCall(ims, 'CreateSAMLProvider', { SAMLProviderName: name, AuthnSignAlgo: 'md5' }),
      'InvalidParameter.AuthnSignAlgo',
      400,
    );
    const kept = uniq('kept');
    await imsCall(ims, 'CreateSAMLProvider', {
      SAMLProviderName: kept,
      EncodedSAMLMetadataDocument: METADATA,
    });
    await expectFailure(
      imsCall(ims, 'UpdateSAMLProvider', {
        SAMLProviderName: kept,
        NewEncodedSAMLMetadataDocument: BAD_METADATA[6]![1],
      }),
      'InvalidParameter.NewEncodedSAMLMetadataDocument',
      400,
    );
    expect(
      (await imsCall(ims, 'GetSAMLProvider', { SAMLProviderName: kept })).SAMLProvider
        .EncodedSAMLMetadataDocument,
    ).toBe(METADATA);
  });

  it('manages an OIDC provider with its client ids and fingerprints', async () => {
    const name = uniq('oidc');
    const issuer = `https://${name}.example.com/auth`;
    const created = (
      await imsCall(ims, 'CreateOIDCProvider', {
        OIDCProviderName: name,
        IssuerUrl: issuer,
        ClientIds: 'app-1, app-2',
        Fingerprints: FP1,
        IssuanceLimitTime: 24,
        Description: 'k8s',
      })
    ).OIDCProvider;
    expect(created).toMatchObject({
      OIDCProviderName: name,
      Arn: `acs:ram::${server.accountId}:oidc-provider/${name}`,
      IssuerUrl: issuer,
      ClientIds: 'app-1,app-2',
      Fingerprints: FP1,
      IssuanceLimitTime: 24,
      Description: 'k8s',
    });
    expect(Number(created.GmtCreate)).toBe(
      Date.parse(created.CreateDate) + (Number(created.GmtCreate) % 1000),
    );

    await imsCall(ims, 'AddClientIdToOIDCProvider', { OIDCProviderName: name, ClientId: 'app-3' });
    await expectFailure(
      imsCall(ims, 'AddClientIdToOIDCProvider', { OIDCProviderName: name, ClientId: 'app-3' }),
      'EntityAlreadyExists.OIDCProvider.ClientId',
      409,
    );
    await imsCall(ims, 'RemoveClientIdFromOIDCProvider', { OIDCProviderName: name, ClientId: 'app-1' });
    await expectFailure(
      imsCall(ims, 'RemoveClientIdFromOIDCProvider', { OIDCProviderName: name, ClientId: 'app-1' }),
      'EntityNotExist.OIDCProvider.ClientId',
      404,
    );
    const withFp = (
      await imsCall(ims, 'AddFingerprintToOIDCProvider', { OIDCProviderName: name, Fingerprint: FP2 })
    ).OIDCProvider;
    expect(withFp.Fingerprints).toBe(`${FP1},${FP2.toLowerCase()}`);
    expect(withFp.ClientIds).toBe('app-2,app-3');
    for (let i = 0; i < 3; i++) {
      await imsCall(ims, 'AddFingerprintToOIDCProvider', {
        OIDCProviderName: name,
        Fingerprint: String(i).repeat(40),
      });
    }
    await expectFailure(
      imsCall(ims, 'AddFingerprintToOIDCProvider', { OIDCProviderName: name, Fingerprint: '9'.repeat(40) }),
      'LimitExceeded.OIDCProvider.Fingerprint',
      409,
    );
    await imsCall(ims, 'RemoveFingerprintFromOIDCProvider', { OIDCProviderName: name, Fingerprint: FP2 });
    const updated = (
      await imsCall(ims, 'UpdateOIDCProvider', {
        OIDCProviderName: name,
        ClientIds: 'only',
        IssuanceLimitTime: 1,
        NewDescription: '',
      })
    ).OIDCProvider;
    expect(updated).toMatchObject({ ClientIds: 'only', IssuanceLimitTime: 1, Description: '' });
    expect((await imsCall(ims, 'GetOIDCProvider', { OIDCProviderName: name })).OIDCProvider).toEqual(updated);
    expect((await imsCall(ims, 'ListOIDCProviders')).OIDCProviders.OIDCProvider).toContainEqual(updated);

    await expectFailure(
      imsCall(ims, 'CreateOIDCProvider', {
        OIDCProviderName: uniq('dup'),
        IssuerUrl: `https://${name.toUpperCase()}.EXAMPLE.com/auth/`,
      }),
      'EntityAlreadyExists.OIDCProvider.IssuerUrl',
      409,
    );
    // The path is case-sensitive: another issuer.
    await imsCall(ims, 'CreateOIDCProvider', {
      OIDCProviderName: uniq('other'),
      IssuerUrl: `${issuer.replace('/auth', '/AUTH')}`,
    });
    await imsCall(ims, 'DeleteOIDCProvider', { OIDCProviderName: name });
    await expectFailure(
      imsCall(ims, 'GetOIDCProvider', { OIDCProviderName: name }),
      'EntityNotExist.OIDCProvider',
      404,
    );
  });

  it('refuses malformed OIDC providers, storing nothing', async () => {
    const name = uniq('badoidc');
    const cases: [Record<string, unknown>, string][] = [
      [{ IssuerUrl: 'http://plain.example.com' }, 'InvalidParameter.IssuerUrl'],
      [{ IssuerUrl: 'https://x.example.com/?q=1' }, 'InvalidParameter.IssuerUrl'],
      [{ IssuerUrl: 'https://x.example.com/#frag' }, 'InvalidParameter.IssuerUrl'],
      [{ IssuerUrl: 'https://user@x.example.com' }, 'InvalidParameter.IssuerUrl'],
      [{ IssuerUrl: `https://x.example.com/${'p'.repeat(250)}` }, 'InvalidParameter.IssuerUrl'],
      [{ IssuerUrl: 'not a url' }, 'InvalidParameter.IssuerUrl'],
      // Control characters and white space, which the URL parser drops or encodes: the same on
      // both stores (PostgreSQL cannot store a NUL), and no TAB/LF spelling of another issuer.
      [{ IssuerUrl: 'https://x.example.com/\u0000' }, 'InvalidParameter.IssuerUrl'],
      [{ IssuerUrl: 'https://x.example.com/\u001b[2J\u0007' }, 'InvalidParameter.IssuerUrl'],
      [{ IssuerUrl: 'https://ac\tcounts.goo\ngle.com' }, 'InvalidParameter.IssuerUrl'],
      [{ IssuerUrl: 'https://x.example.com/a b' }, 'InvalidParameter.IssuerUrl'],
      [{ IssuerUrl: 'https://x.example.com/\u007f' }, 'InvalidParameter.IssuerUrl'],
      [{ IssuerUrl: 'https://ok.example.com', ClientIds: 'a\u0000b' }, 'InvalidParameter.ClientIds'],
      [
        { IssuerUrl: 'https://ok.example.com', Fingerprints: `${FP1}\u0000` },
        'InvalidParameter.Fingerprints',
      ],
      [{ IssuerUrl: 'https://ok.example.com', Fingerprints: 'abc' }, 'InvalidParameter.Fingerprints'],
      [
        { IssuerUrl: 'https://ok.example.com', Fingerprints: `${FP1},${FP1}` },
        'InvalidParameter.Fingerprints',
      ],
      [{ IssuerUrl: 'https://ok.example.com', ClientIds: '-bad' }, 'InvalidParameter.ClientIds'],
      [
        { IssuerUrl: 'https://ok.example.com', ClientIds: `a${'b'.repeat(128)}` },
        'InvalidParameter.ClientIds',
      ],
      [{ IssuerUrl: 'https://ok.example.com', IssuanceLimitTime: 169 }, 'InvalidParameter'],
    ];
    for (const [params, code] of cases) {
      await expectFailure(
        imsCall(ims, 'CreateOIDCProvider', { OIDCProviderName: name, ...params }),
        code,
        400,
      );
    }
    const six = Array.from({ length: 6 }, (_, i) => String(i).repeat(40)).join(',');
    await expectFailure(
      imsCall(ims, 'CreateOIDCProvider', {
        OIDCProviderName: name,
        IssuerUrl: 'https://ok.example.com',
        Fingerprints: six,
      }),
      'LimitExceeded.OIDCProvider.Fingerprint',
      409,
    );
    await expectFailure(
      imsCall(ims, 'GetOIDCProvider', { OIDCProviderName: name }),
      'EntityNotExist.OIDCProvider',
      404,
    );
  });

  it('authorizes provider operations on the stored provider ARN, with ram:OidcIssuerUrl', async () => {
    const caller = await ramUserWithKey(server, ram);
    const mine = imsClient(server, caller.keys);
    const name = uniq('Scoped');
    await imsCall(ims, 'CreateSAMLProvider', {
      SAMLProviderName: name,
      EncodedSAMLMetadataDocument: METADATA,
    });
    await expectFailure(imsCall(mine, 'GetSAMLProvider', { SAMLProviderName: name }), 'NoPermission', 403);
    await grant(
      ram,
      caller.userName,
      ['ram:GetSAMLProvider'],
      `acs:ram:*:${server.accountId}:saml-provider/${name}`,
    );
    expect(
      (await imsCall(mine, 'GetSAMLProvider', { SAMLProviderName: name.toLowerCase() })).SAMLProvider
        .SAMLProviderName,
    ).toBe(name);

    await call(ram, 'CreatePolicy', {
      PolicyName: `${caller.userName}-oidc`,
      PolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'ram:CreateOIDCProvider',
            Resource: '*',
            Condition: { StringEquals: { 'ram:OidcIssuerUrl': 'https://allowed.example.com' } },
          },
        ],
      }),
    });
    await call(ram, 'AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: `${caller.userName}-oidc`,
      UserName: caller.userName,
    });
    await expectFailure(
      imsCall(mine, 'CreateOIDCProvider', {
        OIDCProviderName: uniq('o'),
        IssuerUrl: 'https://other.example.com',
      }),
      'NoPermission',
      403,
    );
    await imsCall(mine, 'CreateOIDCProvider', {
      OIDCProviderName: uniq('o'),
      IssuerUrl: 'https://allowed.example.com',
    });
  });

  it('stores user SSO settings, validates them, and accepts the auxiliary domain in principal names', async () => {
    expect((await imsCall(ims, 'GetUserSsoSettings')).UserSsoSettings).toEqual({
      MetadataDocument: '',
      SsoEnabled: false,
      AuxiliaryDomain: '',
      SsoLoginWithDomain: true,
      AuthnSignAlgo: 'rsa-sha1',
    });
    await expectFailure(
      imsCall(ims, 'SetUserSsoSettings', { SsoEnabled: true }),
      'InvalidParameter.MetadataDocument',
      400,
    );
    await expectFailure(
      imsCall(ims, 'SetUserSsoSettings', { MetadataDocument: BAD_METADATA[6]![1] }),
      'InvalidParameter.MetadataDocument',
      400,
    );
    for (const bad of ['not a domain', 'x.onaliyun.com', 'nodot', `${'a'.repeat(60)}.example.com`]) {
      await expectFailure(
        imsCall(ims, 'SetUserSsoSettings', { AuxiliaryDomain: bad }),
        'InvalidParameter.AuxiliaryDomain',
        400,
      );
    }
    expect((await imsCall(ims, 'GetUserSsoSettings')).UserSsoSettings.SsoEnabled).toBe(false);

    const set = (
      await imsCall(ims, 'SetUserSsoSettings', {
        MetadataDocument: METADATA,
        SsoEnabled: true,
        AuxiliaryDomain: 'Corp.Example.com',
        SsoLoginWithDomain: false,
        AuthnSignAlgo: 'rsa-sha256',
      })
    ).UserSsoSettings;
    expect(set).toEqual({
      MetadataDocument: METADATA,
      SsoEnabled: true,
      AuxiliaryDomain: 'corp.example.com',
      SsoLoginWithDomain: false,
      AuthnSignAlgo: 'rsa-sha256',
    });
    expect((await imsCall(ims, 'GetUserSsoSettings')).UserSsoSettings).toEqual(set);

    const user = uniq('aux');
    await imsCall(ims, 'CreateUser', { UserPrincipalName: `${user}@corp.example.com`, DisplayName: 'Aux' });
    const domain = (await imsCall(ims, 'GetDefaultDomain')).DefaultDomainName;
    const got = (await imsCall(ims, 'GetUser', { UserPrincipalName: `${user}@CORP.example.com` })).User;
    expect(got.UserPrincipalName).toBe(`${user}@${domain}`);

    await imsCall(ims, 'SetUserSsoSettings', { AuxiliaryDomain: '', SsoEnabled: false });
    await expectFailure(
      imsCall(ims, 'GetUser', { UserPrincipalName: `${user}@corp.example.com` }),
      'EntityNotExist.User',
      404,
    );
  });
});
