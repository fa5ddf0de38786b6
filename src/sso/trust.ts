import { evaluate } from '../policy/index.js';
import type { Decision } from '../policy/decision.js';
import type { RequestContext } from '../policy/request.js';
import { roleArn } from '../arn.js';

/**
 * Whether a role's trust policy lets a federated identity of a SAML or OIDC provider assume it:
 * the engine decides sts:AssumeRole on the role for a Federated principal (the provider's ARN),
 * with the assertion's or token's keys (saml:recipient, oidc:iss, oidc:aud, oidc:sub) in the
 * request context. A federated identity has no policies of its own and control policies do not
 * apply to it, so the trust policy alone decides.
 */
export function federatedTrustDecision(input: {
  readonly accountId: string;
  readonly roleName: string;
  readonly trustPolicy: string;
  readonly providerArn: string;
  readonly context: RequestContext;
}): Decision {
  return evaluate(
    {
      identity: [],
      resource: {
        kind: 'trust-policy',
        name: input.roleName,
        ownerAccountId: input.accountId,
        document: input.trustPolicy,
      },
    },
    {
      principal: { type: 'Federated', accountId: input.accountId, provider: input.providerArn },
      action: 'sts:AssumeRole',
      resource: roleArn(input.accountId, input.roleName),
      resourceOwnerAccountId: input.accountId,
      context: input.context,
    },
  );
}

/** A String value of the request context. */
export const stringValues = (values: readonly string[]) => ({ type: 'String' as const, values });
