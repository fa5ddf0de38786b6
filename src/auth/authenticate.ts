import type { IncomingHttpHeaders } from 'node:http';
import { apiError, apiErrorWithStatus, missingCommonParameter } from '../errors.js';
import type { CredentialLookup, NonceStore, SigningKey } from '../domain/request-services.js';
import type { SessionClaims, TokenReader } from './sts-token.js';
import type { Principal } from './principal.js';
import { CLOCK_SKEW_MS, checkNonce, checkTimestamp, nonceExpiry } from './freshness.js';
import { headerValue } from './headers.js';
import { V2_SIGNATURE_METHOD, V2_SIGNATURE_VERSION, verifyV2 } from './signature-v2.js';
import {
  V3_ALGORITHM,
  V3_REQUIRED_SIGNED_HEADERS,
  isV3Authorization,
  parseV3Authorization,
  sha256Hex,
  verifyV3,
} from './signature-v3.js';
import { equalSignatures } from '../crypto/constant-time.js';
import {
  ossCredentials,
  ossScheme,
  ossUrlExpiry,
  ossV4UrlLifetime,
  verifyOss,
  type OssRequest,
  type OssTarget,
  type OssVerification,
} from './signature-oss.js';

/**
 * Request authentication: signature V2 (HMAC-SHA1, parameters) or V3 (ACS3-HMAC-SHA256,
 * Authorization header). Per request: one key lookup, the HMAC, one nonce claim.
 */
export interface AuthenticationInput {
  readonly method: string;
  readonly path: string;
  readonly query: readonly (readonly [string, string])[];
  readonly form: readonly (readonly [string, string])[];
  readonly params: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly now: Date;
}

export type Authentication =
  | { readonly kind: 'anonymous' }
  | {
      readonly kind: 'signed';
      readonly scheme: 'V2' | 'V3' | OssVerification['scheme'];
      readonly principal: Principal;
      readonly accessKeyId: string;
      /** The account's permissions version, read with the AccessKey (authorization reuses it). */
      readonly permissionsVersion?: number;
      /** Temporary credentials: the claims of their security token. */
      readonly session?: SessionClaims;
      /** The logon behind the credentials passed MFA (acs:MFAPresent); AccessKeys never carry it. */
      readonly mfaPresent?: boolean;
      /** OSS: the bucket and key the signature covers (a request may read two ways; `ossTargets`). */
      readonly ossTarget?: OssTarget;
    };

export interface AuthenticationDeps {
  readonly credentials: CredentialLookup;
  readonly nonces: NonceStore;
  /** Opens security tokens; without it temporary credentials are refused as malformed. */
  readonly tokens?: TokenReader;
}

export interface AuthenticationOptions {
  /** Timestamp window and nonce replay checks; only tests replaying captured requests turn them off. */
  readonly checkFreshness?: boolean;
  /**
   * Credentials of this account only (authenticateOss and activeKey; the authorization point, for
   * the principal it is asked about): an AccessKey or temporary credentials of another account are answered as a key that
   * does not exist, before their status, their token's expiry or the signature is checked.
   */
  readonly onlyAccount?: string;
}

const TOKEN_ERRORS = {
  Malformed: ['InvalidSecurityToken.Malformed', 'Specified SecurityToken is malformed.'],
  Expired: ['InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.'],
  MismatchWithAccessKey: [
    'InvalidSecurityToken.MismatchWithAccessKey',
    'Specified SecurityToken mismatch with the AccessKey.',
  ],
} as const;

function tokenError(problem: keyof typeof TOKEN_ERRORS, detail?: string): Error {
  const [code, message] = TOKEN_ERRORS[problem];
  return apiError(code, detail ? `${message} ${detail}` : message);
}

function checkTime(text: string, now: Date): void {
  const check = checkTimestamp(text, now);
  if (check === 'format') {
    throw apiError('InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
  }
  if (check === 'expired') {
    throw apiError('InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
  }
}

const keyNotFound = (): Error =>
  apiError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.');

/**
 * The signing key of a request: an AccessKey from the store, or temporary credentials whose
 * security token carries the secret. Temporary credentials are checked in this order:
 * the token opens (Malformed), belongs to this AccessKeyId (MismatchWithAccessKey), is not
 * past its expiry (Expired), and its principal still exists (a deleted role, or a logon that
 * ended, ends its sessions: Expired). With `onlyAccount`, credentials of another account are
 * InvalidAccessKeyId.NotFound as soon as their account is known (the key read, the token opened).
 */
export async function activeKey(
  deps: AuthenticationDeps,
  accessKeyId: string,
  token: string | undefined,
  now: Date,
  onlyAccount?: string,
): Promise<SigningKey> {
  const temporary = accessKeyId.startsWith('STS.');
  const elsewhere = (accountId: string | undefined): boolean =>
    onlyAccount !== undefined && accountId !== undefined && accountId !== onlyAccount;
  if (token !== undefined) {
    if (!deps.tokens) throw tokenError('Malformed');
    const check = deps.tokens.check(token, accessKeyId, now);
    if (elsewhere(check.claims?.acct)) throw keyNotFound();
    if (!check.ok) throw tokenError(check.problem);
    const live = await deps.credentials.findSessionPrincipal(check.claims);
    if (!live) throw tokenError('Expired', 'The session it belongs to has ended.');
    return {
      accessKeyId,
      secret: check.claims.sk,
      status: 'Active',
      principal: live.principal,
      permissionsVersion: live.permissionsVersion,
      session: check.claims,
    };
  }
  if (temporary) {
    throw apiError('MissingSecurityToken', 'SecurityToken is mandatory for this action.');
  }
  const key = await deps.credentials.findSigningKey(accessKeyId);
  // Another account's key is not there for this caller, whatever its status.
  if (!key || elsewhere(key.principal.accountId)) throw keyNotFound();
  if (key.status !== 'Active')
    throw apiError('InvalidAccessKeyId.Inactive', 'Specified access key is disabled.');
  return key;
}

/**
 * How much of the server's string to sign a SignatureDoesNotMatch message echoes. Clients
 * debug their canonicalization with it; a longer one (a V2 request with large values) is cut
 * here, with a marker, so that a refused request never earns an answer larger than this.
 */
export const MAX_ECHOED_STRING_TO_SIGN = 2048;

function mismatch(stringToSign: string): Error {
  const echoed =
    stringToSign.length > MAX_ECHOED_STRING_TO_SIGN
      ? `${stringToSign.slice(0, MAX_ECHOED_STRING_TO_SIGN)}...[truncated: ${stringToSign.length} characters in all]`
      : stringToSign;
  return apiError(
    'SignatureDoesNotMatch',
    `Specified signature is not matched with our calculation. server string to sign is:${echoed}`,
  );
}

async function claimNonce(
  deps: AuthenticationDeps,
  accessKeyId: string,
  nonce: string,
  now: Date,
): Promise<void> {
  if (!(await deps.nonces.claim(accessKeyId, nonce, nonceExpiry(now)))) {
    throw apiError('SignatureNonceUsed', 'Specified signature nonce was used already.');
  }
}

function signedBy(
  scheme: 'V2' | 'V3' | OssVerification['scheme'],
  key: SigningKey,
  ossTarget?: OssTarget,
): Authentication {
  return {
    kind: 'signed',
    scheme,
    principal: key.principal,
    accessKeyId: key.accessKeyId,
    ...(key.permissionsVersion !== undefined ? { permissionsVersion: key.permissionsVersion } : {}),
    ...(key.session ? { session: key.session, mfaPresent: key.session.mfa } : {}),
    ...(ossTarget ? { ossTarget } : {}),
  };
}

async function authenticateV2(
  input: AuthenticationInput,
  deps: AuthenticationDeps,
  fresh: boolean,
): Promise<Authentication> {
  const p = input.params;
  for (const name of [
    'AccessKeyId',
    'Signature',
    'SignatureMethod',
    'SignatureVersion',
    'SignatureNonce',
    'Timestamp',
  ]) {
    if (!p[name]) throw missingCommonParameter(name);
  }
  if (p.SignatureMethod !== V2_SIGNATURE_METHOD) {
    throw apiError('InvalidSignatureMethod', 'Specified signature method is not supported.');
  }
  if (p.SignatureVersion !== V2_SIGNATURE_VERSION) {
    throw apiError('InvalidParameter', 'The specified parameter "SignatureVersion" is not valid.');
  }
  checkNonce(p.SignatureNonce!);
  if (fresh) checkTime(p.Timestamp!, input.now);
  const key = await activeKey(deps, p.AccessKeyId!, p.SecurityToken, input.now);
  const v = verifyV2(input.method, [...input.query, ...input.form], key.secret, p.Signature!);
  if (!v.ok) throw mismatch(v.stringToSign);
  if (fresh) await claimNonce(deps, key.accessKeyId, p.SignatureNonce!, input.now);
  return signedBy('V2', key);
}

async function authenticateV3(
  input: AuthenticationInput,
  deps: AuthenticationDeps,
  authorization: string,
  fresh: boolean,
): Promise<Authentication> {
  const auth = parseV3Authorization(authorization);
  if (!auth)
    throw apiError('IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
  if (auth.algorithm !== V3_ALGORITHM) {
    throw apiError('InvalidSignatureMethod', 'Specified signature method is not supported.');
  }
  const signed = new Set(auth.signedHeaders);
  for (const name of V3_REQUIRED_SIGNED_HEADERS) {
    if (!signed.has(name) || headerValue(input.headers, name) === undefined) {
      throw apiError(
        'IncompleteSignature',
        `The request signature does not conform to Aliyun standards. The header "${name}" must be present and signed.`,
      );
    }
  }
  // The V3 clients send temporary credentials' AccessKeyId again in x-acs-accesskey-id; when
  // present it must name the key the Authorization header names.
  const headerKeyId = headerValue(input.headers, 'x-acs-accesskey-id');
  if (headerKeyId !== undefined && headerKeyId !== auth.accessKeyId) {
    throw apiError(
      'IncompleteSignature',
      'The request signature does not conform to Aliyun standards. The header "x-acs-accesskey-id" names another AccessKey.',
    );
  }
  const nonce = headerValue(input.headers, 'x-acs-signature-nonce')!;
  checkNonce(nonce);
  if (fresh) checkTime(headerValue(input.headers, 'x-acs-date')!, input.now);
  const key = await activeKey(
    deps,
    auth.accessKeyId,
    headerValue(input.headers, 'x-acs-security-token'),
    input.now,
  );

  const payloadHash = sha256Hex(input.body);
  const claimed = headerValue(input.headers, 'x-acs-content-sha256')!.toLowerCase();
  const v = verifyV3(
    {
      method: input.method,
      path: input.path,
      query: input.query,
      headers: input.headers,
      signedHeaders: auth.signedHeaders,
      payloadHash,
    },
    key.secret,
    auth.signature,
  );
  if (!v.ok || !equalSignatures(payloadHash, claimed)) throw mismatch(v.stringToSign);
  if (fresh) await claimNonce(deps, key.accessKeyId, nonce, input.now);
  return signedBy('V3', key);
}

/**
 * Establishes who is calling. A request without any credential is `anonymous`; the
 * pipeline refuses it unless the action allows unsigned calls.
 */
export async function authenticate(
  input: AuthenticationInput,
  deps: AuthenticationDeps,
  options: AuthenticationOptions = {},
): Promise<Authentication> {
  const fresh = options.checkFreshness ?? true;
  const authorization = headerValue(input.headers, 'authorization');
  if (authorization !== undefined && isV3Authorization(authorization)) {
    return authenticateV3(input, deps, authorization, fresh);
  }
  if (input.params.Signature !== undefined || input.params.AccessKeyId !== undefined) {
    return authenticateV2(input, deps, fresh);
  }
  if (authorization !== undefined) {
    throw apiError('IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
  }
  return { kind: 'anonymous' };
}

/** The longest lifetime of a V4 presigned URL (x-oss-expires), as the service allows: 7 days. */
export const MAX_OSS_V4_URL_SECONDS = 7 * 24 * 3600;

/** RFC 1123 (V1 Date / x-oss-date) or ISO 8601 basic (V4 x-oss-date) time; undefined when neither. */
function ossRequestTime(text: string): Date | undefined {
  const basic = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (basic) {
    const t = Date.UTC(+basic[1]!, +basic[2]! - 1, +basic[3]!, +basic[4]!, +basic[5]!, +basic[6]!);
    return Number.isNaN(t) ? undefined : new Date(t);
  }
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/**
 * Authentication of an OSS request (src/auth/signature-oss.ts: V1 and V4, header or presigned
 * URL) with the same keys, security tokens and key status rules as the API. A request with
 * no OSS credentials is `anonymous` (a bucket policy may still grant it something).
 *
 * Freshness: a header-signed request's date (x-oss-date, else Date) must be within 15 minutes
 * of the server clock (RequestTimeTooSkewed); a presigned URL must not be past its expiry
 * (V4: at most 7 days after its x-oss-date). OSS signatures carry no nonce, so, as with the
 * service itself, a captured header-signed request can be replayed within its window.
 * Errors are the API's codes; the data plane translates them into OSS codes.
 */
export async function authenticateOss(
  req: OssRequest,
  deps: AuthenticationDeps,
  now: Date,
  options: AuthenticationOptions = {},
): Promise<Authentication> {
  const scheme = ossScheme(req);
  if (!scheme) return { kind: 'anonymous' };
  const credentials = ossCredentials(req);
  if (!credentials) {
    throw apiErrorWithStatus('InvalidArgument', 400, 'The authorization of the request is malformed.');
  }
  if (options.checkFreshness ?? true) {
    if (scheme === 'OSS-V1' || scheme === 'OSS-V4') {
      const text = req.headers['x-oss-date'] ?? req.headers.date;
      const at = text === undefined ? undefined : ossRequestTime(text);
      if (!at)
        throw apiErrorWithStatus('AccessDenied', 403, 'The request has no valid Date or x-oss-date header.');
      if (Math.abs(now.getTime() - at.getTime()) > CLOCK_SKEW_MS) {
        throw apiErrorWithStatus(
          'RequestTimeTooSkewed',
          403,
          'The difference between the request time and the current time is too large.',
        );
      }
    } else {
      const expires = ossUrlExpiry(req, scheme);
      if (Number.isNaN(expires.getTime()) || expires.getTime() < now.getTime()) {
        throw apiErrorWithStatus('AccessDenied', 403, 'Request has expired.');
      }
      // The lifetime the URL was signed with, whatever the clocks say.
      if (scheme === 'OSS-V4-URL' && ossV4UrlLifetime(req) > MAX_OSS_V4_URL_SECONDS) {
        throw apiErrorWithStatus('InvalidArgument', 400, 'x-oss-expires must be at most 604800 seconds.');
      }
    }
  }
  const key = await activeKey(
    deps,
    credentials.accessKeyId,
    credentials.securityToken,
    now,
    options.onlyAccount,
  );
  const v = verifyOss(req, key.secret);
  if (!v) throw apiErrorWithStatus('InvalidArgument', 400, 'The authorization of the request is malformed.');
  if (!v.ok) throw mismatch(v.stringToSign);
  return signedBy(scheme, key, v.target);
}
