/** What AssumeRoleWithSAML and AssumeRoleWithOIDC share: provider ARNs, the request time, refusals. */
import { Param } from '../params.js';
import { apiErrorWithStatus, paramError, type ApiError } from '../../errors.js';
import type { RequestContext } from '../../policy/request.js';

/** `acs:ram::<16 digits>:<kind>-provider/<name>`: the account and the provider name. */
export function providerArnParam(
  kind: 'saml' | 'oidc',
  wireName: string,
): Param<{
  arn: string;
  accountId: string;
  name: string;
}> {
  return new Param((raw) => {
    const m = new RegExp(`^acs:ram::(\\d{16}):${kind}-provider/([A-Za-z0-9._-]{1,128})$`).exec(raw);
    if (!m) {
      throw paramError(
        `InvalidParameter.${wireName}`,
        `The parameter - "${wireName}" must be of the form acs:ram::<account id>:${kind}-provider/<provider name>.`,
      );
    }
    return { arn: raw, accountId: m[1]!, name: m[2]! };
  });
}

/** A required parameter whose absence is `MissingParameter.<Name>` (the federation calls' own form). */
export function requiredAs<T>(param: Param<T>): Param<T> {
  return new Param<T>(
    (raw, name) => param.read(name, raw),
    (name) => {
      throw paramError(`MissingParameter.${name}`, `${name} was not supplied.`);
    },
  );
}

/** The time of the request, as the request context carries it. */
export function requestTime(context: RequestContext): Date {
  const v = context['acs:CurrentTime']?.values[0];
  return typeof v === 'string' ? new Date(v) : new Date();
}

/** 401 AuthenticationFail.NoPermission: the provider is unknown, or the role does not trust it. */
export const noPermission = (message: string): ApiError =>
  apiErrorWithStatus('AuthenticationFail.NoPermission', 401, message);
