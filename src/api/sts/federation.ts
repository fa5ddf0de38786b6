import { defineAction } from '../action.js';
import { params } from '../params.js';
import { apiErrorWithStatus } from '../../errors.js';

/**
 * AssumeRoleWithSAML and AssumeRoleWithOIDC arrive unsigned (the identity provider's assertion
 * or token is the credential). Federated sign-in is not served yet: both answer
 * `UnsupportedOperation` (400) without looking at their parameters.
 */
function unsupported(name: 'AssumeRoleWithSAML') {
  return defineAction({
    service: 'sts',
    name,
    anonymous: true,
    params: params({}),
    handle: () => {
      throw apiErrorWithStatus(
        'UnsupportedOperation',
        400,
        `${name} is not supported by this deployment yet: federated sign-in to roles is not enabled.`,
      );
    },
  });
}

export const assumeRoleWithSaml = unsupported('AssumeRoleWithSAML');
