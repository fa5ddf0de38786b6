import { createHmac } from 'node:crypto';
import { equalSignatures } from '../crypto/constant-time.js';
import { canonicalQuery, percentEncode } from './percent-encode.js';

/**
 * Signature V2 (RPC, SignatureVersion 1.0, HMAC-SHA1): every parameter of the query and
 * the form body except Signature, sorted and encoded, encoded a second time after
 * `METHOD&%2F&`. The key is the secret followed by `&`.
 */
export const V2_SIGNATURE_METHOD = 'HMAC-SHA1';
export const V2_SIGNATURE_VERSION = '1.0';

export function stringToSignV2(method: string, params: readonly (readonly [string, string])[]): string {
  const signed = params.filter(([name]) => name !== 'Signature');
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalQuery(signed))}`;
}

export function signV2(secret: string, stringToSign: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign, 'utf8').digest('base64');
}

export interface V2Verification {
  readonly ok: boolean;
  readonly stringToSign: string;
}

/** Verifies a received V2 signature in constant time. */
export function verifyV2(
  method: string,
  params: readonly (readonly [string, string])[],
  secret: string,
  received: string,
): V2Verification {
  const stringToSign = stringToSignV2(method, params);
  return { ok: equalSignatures(signV2(secret, stringToSign), received), stringToSign };
}
