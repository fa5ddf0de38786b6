import { defineAction } from '../action.js';
import { p, params, Param } from '../params.js';
import { parseRoleArn } from '../../domain/sts.js';
import { apiError, paramError, ApiError } from '../../errors.js';
import { stsTime } from '../../auth/sts-token.js';
import { oidcVerifier } from '../../sso/oidc/index.js';
import { federatedTrustDecision, stringValues } from '../../sso/trust.js';
import { sts } from './params.js';
import { credentialsView } from './views.js';
import { noPermission, providerArnParam, requestTime } from './federated.js';

/** The raw JWT, 4 to 20,000 characters. */
const oidcToken = () =>
  new Param((raw) => {
    if (raw.length < 4 || raw.length > 20_000) {
      throw paramError(
        'InvalidParameter.OIDCToken',
        'The parameter - "OIDCToken" must be 4 to 20000 characters long.',
      );
    }
    return raw;
  });

/**
 * AssumeRoleWithOIDC: unsigned; the OIDC token is the credential. The provider named by
 * OIDCProviderArn must exist; the token is verified against it (sso/oidc); the role must be in
 * the provider's account and its trust policy must allow sts:AssumeRole to the provider as a
 * Federated principal with oidc:iss, oidc:aud and oidc:sub from the token.
 */
export default defineAction({
  service: 'sts',
  name: 'AssumeRoleWithOIDC',
  anonymous: true,
  params: params({
    OIDCProviderArn: providerArnParam('oidc', 'OIDCProviderArn'),
    RoleArn: p.string().then((arn) => ({ arn, ...parseRoleArn(arn) })),
    OIDCToken: oidcToken(),
    RoleSessionName: sts.roleSessionName(),
    DurationSeconds: sts.durationSeconds().optional(),
    Policy: sts.sessionPolicy().optional(),
  }),
  handle: async (req, { domain, roles }) => {
    const { OIDCProviderArn: providerRef, RoleArn: roleRef } = req.params;
    let provider;
    try {
      provider = await domain.federationProviders.getOidc(providerRef.accountId, providerRef.name);
    } catch (err) {
      if (err instanceof ApiError && err.code.startsWith('EntityNotExist')) {
        throw noPermission('No such OIDC Provider registered.');
      }
      throw err;
    }
    req.identifyFederatedCaller?.({ accountId: providerRef.accountId, type: 'oidc-user' });
    const token = await oidcVerifier.verify(
      req.params.OIDCToken,
      {
        issuerUrl: provider.issuerUrl,
        fingerprints: provider.fingerprints,
        clientIds: provider.clientIds,
        issuanceLimitTime: provider.issuanceLimitTime,
      },
      requestTime(req.context),
    );
    req.identifyFederatedCaller?.({
      accountId: providerRef.accountId,
      type: 'oidc-user',
      userName: token.subject,
    });
    const role =
      roleRef.accountId === providerRef.accountId
        ? await roles.findRole(roleRef.accountId, roleRef.roleName)
        : undefined;
    if (!role) throw apiError('EntityNotExist.Role', 'The role does not exist.');
    const decision = federatedTrustDecision({
      accountId: role.accountId,
      roleName: role.roleName,
      trustPolicy: role.trustPolicy,
      providerArn: provider.arn,
      context: {
        ...req.context,
        'oidc:iss': stringValues([token.issuer]),
        'oidc:aud': stringValues([...token.audiences]),
        'oidc:sub': stringValues([token.subject]),
      },
    });
    if (decision.decision !== 'Allow') {
      throw noPermission('The role does not trust the OIDC provider for this token (AssumeRolePolicy).');
    }
    const assumed = await domain.sts.assumeRoleFederated({
      role,
      providerArn: provider.arn,
      sessionName: req.params.RoleSessionName,
      durationSeconds: req.params.DurationSeconds,
      policy: req.params.Policy,
    });
    return {
      OIDCTokenInfo: {
        Subject: token.subject,
        Issuer: token.issuer,
        ClientIds: token.audiences.join(','),
        IssuanceTime: stsTime(token.issuedAt),
        ExpirationTime: stsTime(token.expiresAt),
        VerificationInfo: 'Success',
      },
      AssumedRoleUser: { Arn: assumed.arn, AssumedRoleId: assumed.assumedRoleId },
      Credentials: credentialsView(assumed.credentials),
    };
  },
});
