import { Param } from '../../params.js';
import { checkProviderName } from '../../../domain/federation-providers.js';

/** SAMLProviderName / OIDCProviderName: InvalidParameter.<param>.Length / .InvalidChars. */
export const providerName = () =>
  new Param((raw, param) => {
    checkProviderName(raw, param);
    return raw;
  });
