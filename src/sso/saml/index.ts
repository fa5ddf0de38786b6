/** SAML 2.0: response validation and what both SSO forms and AssumeRoleWithSAML share. */
export {
  validateSamlResponse,
  decodeSamlResponse,
  peekSamlResponse,
  SamlValidationError,
  MAX_SAML_RESPONSE_LENGTH,
} from './validate-response.js';
export type { SamlExpectations, ValidatedAssertion, SamlRefusal } from './validate-response.js';

/**
 * The SP entity ID of role-based SSO (console and AssumeRoleWithSAML): the Audience of their
 * assertions. One per deployment, like the real service's `urn:alibaba:cloudcomputing`.
 */
export const ROLE_SSO_ENTITY_ID = 'urn:rampart:cloudcomputing';

/** The Role attribute: values `<role arn>,<saml provider arn>`. */
export const ROLE_ATTRIBUTE = 'https://www.aliyun.com/SAML-Role/Attributes/Role';
export const ROLE_SESSION_NAME_ATTRIBUTE = 'https://www.aliyun.com/SAML-Role/Attributes/RoleSessionName';
export const SESSION_DURATION_ATTRIBUTE = 'https://www.aliyun.com/SAML-Role/Attributes/SessionDuration';

export interface RolePair {
  readonly roleArn: string;
  readonly providerArn: string;
  readonly accountId: string;
  readonly roleName: string;
  readonly providerName: string;
}

/** The well-formed `role-arn,provider-arn` pairs of the Role attribute (both in one account). */
export function rolePairs(values: readonly string[] | undefined): RolePair[] {
  const out: RolePair[] = [];
  for (const v of values ?? []) {
    const parts = v.split(',').map((x) => x.trim());
    if (parts.length !== 2) continue;
    const [a, b] = parts as [string, string];
    // Either order is seen in the field; the ARNs say which is which.
    const role =
      /^acs:ram::(\d{16}):role\/([A-Za-z0-9.-]{1,64})$/.exec(a) ??
      /^acs:ram::(\d{16}):role\/([A-Za-z0-9.-]{1,64})$/.exec(b);
    const provider =
      /^acs:ram::(\d{16}):saml-provider\/([A-Za-z0-9._-]{1,128})$/.exec(b) ??
      /^acs:ram::(\d{16}):saml-provider\/([A-Za-z0-9._-]{1,128})$/.exec(a);
    if (!role || !provider || role[1] !== provider[1]) continue;
    out.push({
      roleArn: role[0],
      providerArn: provider[0],
      accountId: role[1]!,
      roleName: role[2]!,
      providerName: provider[2]!,
    });
  }
  return out;
}

/** A NameID Format without its `urn:oasis:names:tc:SAML:2.0:nameid-format:` prefix (SAMLAssertionInfo.SubjectType). */
export function subjectType(format: string | undefined): string {
  if (!format) return '';
  return format.replace(/^urn:oasis:names:tc:SAML:(1\.1|2\.0):nameid-format:/, '');
}
