/**
 * The IMS 2019-08-15 contract: every operation of the official SDK has an action (implemented,
 * or answering NotSupport.Operation), none the SDK lacks, and every response body a real server
 * sends fits the SDK's response model: no field the model does not know, every JSON type as
 * the model reads it, and the fields it reads present. Each implemented operation runs once,
 * through pop-core (raw JSON bodies, API version 2019-08-15).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imsActions } from '../../src/api/ims/index.js';
import { UNSUPPORTED_IMS_ACTIONS } from '../../src/api/ims/unsupported.js';
import { rootKeys, startServer, type KeyPair, type TestServer } from '../helpers/server.js';
import {
  ALLOW_DOC,
  STRONG_PASSWORD,
  popCall,
  popFailure,
  twoCodes,
  uniq,
  type Json,
} from '../compat/ram-helpers.js';
import { IMS_OPERATIONS, imsMissingFields, imsRaw, imsShapeProblems } from '../compat/ims-helpers.js';

const METADATA = readFileSync(new URL('../fixtures/saml-idp-metadata.xml', import.meta.url)).toString(
  'base64',
);
const FINGERPRINT = 'a'.repeat(40);

describe('IMS actions match the SDK operations', () => {
  it('registers exactly the operations of @alicloud/ims20190815', () => {
    const sdk = IMS_OPERATIONS.map((o) => o.action).sort();
    const ours = imsActions.map((a) => a.name).sort();
    expect(sdk).toHaveLength(98);
    expect(ours).toEqual(sdk);
    expect(new Set(imsActions.map((a) => a.service))).toEqual(new Set(['ims']));
    expect(UNSUPPORTED_IMS_ACTIONS).toHaveLength(36);
  });

  it('documents every unsupported operation in docs/ims-api.md', () => {
    const doc = readFileSync(new URL('../../docs/ims-api.md', import.meta.url), 'utf8');
    for (const name of UNSUPPORTED_IMS_ACTIONS) expect(doc, name).toContain(`\`${name}\``);
  });
});

describe('IMS response bodies fit the SDK models', () => {
  let server: TestServer;
  let root: KeyPair;
  const seen = new Map<string, Json>();

  beforeAll(async () => {
    server = await startServer();
    root = rootKeys(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function run(action: string, params: Record<string, unknown> = {}, keys = root): Promise<Json> {
    const body = await imsRaw(server, keys, action, params);
    expect(imsShapeProblems(action, body), `${action} sends fields or types the SDK does not read`).toEqual(
      [],
    );
    expect(imsMissingFields(action, body), `${action} lacks fields the SDK reads`).toEqual([]);
    seen.set(action, body);
    return body;
  }

  it('every implemented operation, once, in a full lifecycle', async () => {
    const domain = (await run('GetDefaultDomain')).DefaultDomainName as string;
    const upn = `${uniq('contract-user')}@${domain}`;
    const group = uniq('contract-group');
    const device = uniq('contract-mfa');

    await run('CreateUser', {
      UserPrincipalName: upn,
      DisplayName: 'Contract',
      Email: 'c@example.com',
      Comments: 'c',
      'Tag.1.Key': 'team',
      'Tag.1.Value': 'core',
    });
    await run('GetUser', { UserPrincipalName: upn });
    await run('UpdateUser', { UserPrincipalName: upn, NewDisplayName: 'Contract 2' });
    await run('ListUsers', { MaxItems: 10 });
    await run('ListUserBasicInfos', { MaxItems: 10 });
    await run('TagResources', {
      ResourceType: 'user',
      'ResourcePrincipalName.1': upn,
      'Tag.1.Key': 'env',
      'Tag.1.Value': 'dev',
    });
    await run('ListTagResources', { ResourceType: 'user', 'ResourcePrincipalName.1': upn });
    await run('UntagResources', { ResourceType: 'user', 'ResourcePrincipalName.1': upn, 'TagKey.1': 'env' });

    await run('CreateLoginProfile', { UserPrincipalName: upn, Password: STRONG_PASSWORD });
    await run('GetLoginProfile', { UserPrincipalName: upn });
    await run('UpdateLoginProfile', { UserPrincipalName: upn, MFABindRequired: false });
    const key = (await run('CreateAccessKey', { UserPrincipalName: upn })).AccessKey;
    const userKeys = { accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret };
    await run('ListAccessKeys', { UserPrincipalName: upn });
    await run('UpdateAccessKey', {
      UserPrincipalName: upn,
      UserAccessKeyId: key.AccessKeyId,
      Status: 'Active',
    });
    await run('GetAccessKeyLastUsed', { UserPrincipalName: upn, UserAccessKeyId: key.AccessKeyId });

    const created = (await run('CreateVirtualMFADevice', { VirtualMFADeviceName: device })).VirtualMFADevice;
    const [c1, c2] = twoCodes(created.Base32StringSeed);
    await run('BindMFADevice', {
      UserPrincipalName: upn,
      SerialNumber: created.SerialNumber,
      AuthenticationCode1: c1,
      AuthenticationCode2: c2,
    });
    await run('GetUserMFAInfo', { UserPrincipalName: upn });
    await run('ListVirtualMFADevices');
    await run('UnbindMFADevice', { UserPrincipalName: upn });
    await run('DeleteVirtualMFADevice', { SerialNumber: created.SerialNumber });
    const again = (await run('CreateVirtualMFADevice', { VirtualMFADeviceName: device })).VirtualMFADevice;
    const [d1, d2] = twoCodes(again.Base32StringSeed);
    await imsRaw(server, root, 'BindMFADevice', {
      UserPrincipalName: upn,
      SerialNumber: again.SerialNumber,
      AuthenticationCode1: d1,
      AuthenticationCode2: d2,
    });
    await run('DisableVirtualMFA', { UserPrincipalName: upn });

    await run('CreateGroup', { GroupName: group, DisplayName: 'G', Comments: 'g' });
    await run('GetGroup', { GroupName: group });
    await run('UpdateGroup', { GroupName: group, NewComments: 'g2' });
    await run('ListGroups', { MaxItems: 10 });
    await run('AddUserToGroup', { GroupName: group, UserPrincipalName: upn });
    await run('ListGroupsForUser', { UserPrincipalName: upn });
    await run('ListUsersForGroup', { GroupName: group });
    await run('RemoveUserFromGroup', { GroupName: group, UserPrincipalName: upn });

    await run('SetPasswordPolicy', { MinimumPasswordLength: 8, HardExpire: false });
    await run('GetPasswordPolicy');
    await run('SetSecurityPreference', { LoginSessionDuration: 6, VerificationTypes: '["sms"]' });
    await run('GetSecurityPreference');
    await run('GetAccountSummary');
    await run('GetAccountMFAInfo');
    await run('GetAccountSecurityPracticeReport');
    await run('SetDefaultDomain', { DefaultDomainName: `${server.accountId}.onaliyun.com` });

    await run('CreateSAMLProvider', {
      SAMLProviderName: 'contract-idp',
      EncodedSAMLMetadataDocument: METADATA,
    });
    await run('GetSAMLProvider', { SAMLProviderName: 'contract-idp' });
    await run('UpdateSAMLProvider', { SAMLProviderName: 'contract-idp', NewDescription: 'd' });
    await run('ListSAMLProviders');
    await run('DeleteSAMLProvider', { SAMLProviderName: 'contract-idp' });
    await run('CreateOIDCProvider', {
      OIDCProviderName: 'contract-oidc',
      IssuerUrl: 'https://issuer.example.com',
      ClientIds: 'app-1',
      Fingerprints: FINGERPRINT,
    });
    await run('GetOIDCProvider', { OIDCProviderName: 'contract-oidc' });
    await run('UpdateOIDCProvider', { OIDCProviderName: 'contract-oidc', IssuanceLimitTime: 6 });
    await run('ListOIDCProviders');
    await run('AddClientIdToOIDCProvider', { OIDCProviderName: 'contract-oidc', ClientId: 'app-2' });
    await run('RemoveClientIdFromOIDCProvider', { OIDCProviderName: 'contract-oidc', ClientId: 'app-2' });
    await run('AddFingerprintToOIDCProvider', {
      OIDCProviderName: 'contract-oidc',
      Fingerprint: 'b'.repeat(40),
    });
    await run('RemoveFingerprintFromOIDCProvider', {
      OIDCProviderName: 'contract-oidc',
      Fingerprint: 'b'.repeat(40),
    });
    await run('DeleteOIDCProvider', { OIDCProviderName: 'contract-oidc' });
    await run('SetUserSsoSettings', { MetadataDocument: METADATA, AuxiliaryDomain: 'example.com' });
    await run('GetUserSsoSettings');

    await run('GenerateCredentialReport');
    let report: Json | undefined;
    for (let i = 0; i < 100 && !report; i++) {
      try {
        report = await run('GetCredentialReport');
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect(report).toBeDefined();

    // The user changes its own password once a policy allows it (through RAM's API).
    const ram = (action: string, params: Record<string, unknown>) => popCall(server, root, action, params);
    const policy = uniq('allow-change-password');
    await ram('CreatePolicy', { PolicyName: policy, PolicyDocument: ALLOW_DOC('ram:ChangePassword') });
    await ram('AttachPolicyToUser', {
      PolicyType: 'Custom',
      PolicyName: policy,
      UserName: upn.split('@')[0],
    });
    await run(
      'ChangePassword',
      { OldPassword: STRONG_PASSWORD, NewPassword: `${STRONG_PASSWORD}x` },
      userKeys,
    );
    await ram('DetachPolicyFromUser', {
      PolicyType: 'Custom',
      PolicyName: policy,
      UserName: upn.split('@')[0],
    });

    await run('DeleteAccessKey', { UserPrincipalName: upn, UserAccessKeyId: key.AccessKeyId });
    await run('DeleteLoginProfile', { UserPrincipalName: upn });
    await run('DeleteGroup', { GroupName: group });
    await run('DeleteUser', { UserPrincipalName: upn });

    const implemented = IMS_OPERATIONS.map((o) => o.action).filter(
      (a) => !UNSUPPORTED_IMS_ACTIONS.includes(a),
    );
    expect([...seen.keys()].sort()).toEqual(implemented.sort());
  });

  it('answers every unsupported operation NotSupport.Operation (400)', async () => {
    for (const action of UNSUPPORTED_IMS_ACTIONS) {
      const f = await popFailure(imsRaw(server, root, action, {}));
      expect({ action, code: f.code, status: f.status }).toEqual({
        action,
        code: 'NotSupport.Operation',
        status: 400,
      });
      expect(f.data.Message).toContain('docs/ims-api.md');
    }
  });

  it('list wrappers are arrays even with one item', () => {
    expect(Array.isArray(seen.get('ListAccessKeys').AccessKeys.AccessKey)).toBe(true);
    expect(seen.get('ListAccessKeys').AccessKeys.AccessKey).toHaveLength(1);
    expect(Array.isArray(seen.get('ListGroupsForUser').Groups.Group)).toBe(true);
    expect(Array.isArray(seen.get('ListTagResources').TagResources.TagResource)).toBe(true);
    expect(
      Array.isArray(
        seen.get('GetSecurityPreference').SecurityPreference.VerificationPreference.VerificationTypes,
      ),
    ).toBe(true);
    expect(Array.isArray(seen.get('CreateUser').User.Tags.Tag)).toBe(true);
  });
});
