import { defineAction } from '../action.js';
import { params, Param, p } from '../params.js';
import { parseRoleArn } from '../../domain/sts.js';
import { checkSamlMetadata } from '../../domain/federation-providers.js';
import { apiError, paramError, ApiError } from '../../errors.js';
import {
  ROLE_SESSION_NAME_ATTRIBUTE,
  ROLE_ATTRIBUTE,
  ROLE_SSO_ENTITY_ID,
  SamlValidationError,
  rolePairs,
  subjectType,
  validateSamlResponse,
} from '../../sso/saml/index.js';
import { federatedTrustDecision, stringValues } from '../../sso/trust.js';
import { asciiLowerCase } from '../../text.js';
import { sts } from './params.js';
import { credentialsView } from './views.js';
import { noPermission, providerArnParam, requestTime, requiredAs } from './federated.js';

/** Base64 of the whole SAML Response, 4 to 100,000 characters. */
const samlAssertion = () =>
  new Param((raw) => {
    if (raw.length < 4 || raw.length > 100_000) {
      throw paramError(
        'InvalidParameter.SAMLAssertion',
        'The parameter - "SAMLAssertion" must be 4 to 100000 characters long.',
      );
    }
    return raw;
  });

const SESSION_NAME = /^[A-Za-z0-9.@_-]{2,64}$/;

export const assertionInvalid = (message: string): ApiError =>
  apiError('AuthenticationFail.SAMLAssertion.Invalid', message);

/** A refusal of the SAML validation as the service answers it. */
export function samlRefusal(err: unknown): unknown {
  if (!(err instanceof SamlValidationError)) return err;
  return err.refusal === 'expired'
    ? apiError('AuthenticationFail.SAMLAssertion.Expired', err.message)
    : assertionInvalid(err.message);
}

/**
 * AssumeRoleWithSAML: unsigned; the IdP's signed SAML response is the credential. The provider
 * must exist and hold usable metadata; the response is validated against it (Audience: the
 * role-SSO entity ID); the (RoleArn, SAMLProviderArn) pair must be one of the Role attribute's;
 * the role's trust policy must allow the provider as a Federated principal with saml:recipient;
 * each assertion is accepted once.
 */
export default defineAction({
  service: 'sts',
  name: 'AssumeRoleWithSAML',
  anonymous: true,
  params: params({
    SAMLProviderArn: requiredAs(providerArnParam('saml', 'SAMLProviderArn')),
    RoleArn: requiredAs(p.string().then((arn) => ({ arn, ...parseRoleArn(arn) }))),
    SAMLAssertion: requiredAs(samlAssertion()),
    DurationSeconds: sts.durationSeconds().optional(),
    Policy: sts.sessionPolicy().optional(),
  }),
  handle: async (req, { domain, roles }) => {
    const { SAMLProviderArn: providerRef, RoleArn: roleRef } = req.params;
    const provider = await domain.federationProviders.getSaml(providerRef.accountId, providerRef.name);
    req.identifyFederatedCaller?.({ accountId: providerRef.accountId, type: 'saml-user' });
    let idp: { entityId: string; signingCertificates: string[] };
    try {
      if (!provider.encodedSAMLMetadataDocument) throw new Error('no metadata');
      idp = checkSamlMetadata(provider.encodedSAMLMetadataDocument, 'EncodedSAMLMetadataDocument');
    } catch {
      throw apiError(
        'AuthenticationFail.IDPMetadata.Invalid',
        'The metadata of the SAML provider is missing or unusable.',
      );
    }
    const assertion = await validateSamlResponse(req.params.SAMLAssertion, {
      idpEntityId: idp.entityId,
      idpCertificates: idp.signingCertificates,
      audience: ROLE_SSO_ENTITY_ID,
      now: requestTime(req.context),
    }).catch((err: unknown) => {
      throw samlRefusal(err);
    });
    // Role-based SSO is IdP-initiated: this service sends no AuthnRequest for it to answer.
    if (assertion.inResponseTo !== undefined) {
      throw assertionInvalid(
        'The SAML assertion answers a request this service never sent (InResponseTo): role-based SSO is IdP-initiated.',
      );
    }
    req.identifyFederatedCaller?.({
      accountId: providerRef.accountId,
      type: 'saml-user',
      userName: assertion.nameId,
    });
    const pairs = rolePairs(assertion.attributes[ROLE_ATTRIBUTE]);
    if (
      !pairs.some(
        (x) =>
          asciiLowerCase(x.roleArn) === asciiLowerCase(roleRef.arn) &&
          asciiLowerCase(x.providerArn) === asciiLowerCase(provider.arn),
      )
    ) {
      throw assertionInvalid(
        'The Role attribute of the SAML assertion does not name this RoleArn with this SAMLProviderArn.',
      );
    }
    const sessionNames = assertion.attributes[ROLE_SESSION_NAME_ATTRIBUTE] ?? [];
    const sessionName = sessionNames[0];
    if (sessionNames.length !== 1 || sessionName === undefined || !SESSION_NAME.test(sessionName)) {
      throw paramError(
        'InvalidParameter.RoleSessionName',
        'The RoleSessionName attribute of the SAML assertion must be 2 to 64 letters, digits, ".", "@", "-" or "_".',
      );
    }
    const role =
      roleRef.accountId === providerRef.accountId
        ? await roles.findRole(roleRef.accountId, roleRef.roleName)
        : undefined;
    if (!role) throw apiError('EntityNotExist.RoleArn', 'The role named in RoleArn does not exist.');
    const decision = federatedTrustDecision({
      accountId: role.accountId,
      roleName: role.roleName,
      trustPolicy: role.trustPolicy,
      providerArn: provider.arn,
      context: { ...req.context, 'saml:recipient': stringValues([assertion.recipient]) },
    });
    if (decision.decision !== 'Allow') {
      throw noPermission('The role does not trust the SAML provider for this assertion (AssumeRolePolicy).');
    }
    const assumed = await domain.sts.assumeRoleFederated({
      role,
      providerArn: provider.arn,
      sessionName,
      durationSeconds: req.params.DurationSeconds,
      policy: req.params.Policy,
    });
    // Last: a request refused for another reason does not use the assertion up.
    if (
      !(await domain.samlReplay.claimAssertion(
        assertion.issuer,
        assertion.assertionId,
        assertion.acceptedUntil,
      ))
    ) {
      throw assertionInvalid('The SAML assertion was already used.');
    }
    return {
      SAMLAssertionInfo: {
        SubjectType: subjectType(assertion.nameIdFormat),
        Subject: assertion.nameId,
        Issuer: assertion.issuer,
        Recipient: assertion.recipient,
      },
      AssumedRoleUser: { Arn: assumed.arn, AssumedRoleId: assumed.assumedRoleId },
      Credentials: credentialsView(assumed.credentials),
    };
  },
});
