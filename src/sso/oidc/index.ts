/** OIDC: verification of tokens of registered issuers (keys cached per issuer for the process). */
import { createOidcVerifier, type OidcVerifier } from './verify-token.js';

export { createOidcVerifier, OIDC_ALGORITHMS } from './verify-token.js';
export type { OidcTrustAnchor, OidcVerifier, VerifiedOidcToken } from './verify-token.js';

/** The verifier of this process: its JWKS cache is shared by every request. */
export const oidcVerifier: OidcVerifier = createOidcVerifier();
