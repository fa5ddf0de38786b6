import type { IssuedCredentials } from '../../auth/sts-token.js';

/** Credentials as every STS answer (and the credentials endpoints) spell them. */
export function credentialsView(c: IssuedCredentials) {
  return {
    AccessKeyId: c.accessKeyId,
    AccessKeySecret: c.accessKeySecret,
    SecurityToken: c.securityToken,
    Expiration: c.expiration,
  };
}
