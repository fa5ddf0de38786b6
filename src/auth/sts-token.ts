import { randomBytes } from 'node:crypto';
import { randomAlnum } from '../crypto/random.js';
import { SealError, type Sealer } from '../crypto/seal.js';

/**
 * Temporary credentials (STS): an AccessKeyId `STS.<random>`, a secret, and a security token
 * that carries every claim of the session sealed (AES-256-GCM under the master key, its key
 * id in the clear so a rotated key still opens older tokens). Any node verifies a token
 * without reading the store; a decoded token is remembered, so a warm verification is one
 * map look-up and a clock comparison.
 */

/** Whose temporary credentials these are. */
export type SessionKind =
  /** A role session (AssumeRole). */
  | 'role'
  /** A RAM user's logon session (credentials for programs acting for a logged-on user). */
  | 'user'
  /** The root's logon session. */
  | 'root';

/** What a security token says. Short keys: the token travels in every request. */
export interface SessionClaims {
  /** Format version. */
  readonly v: 1;
  readonly kind: SessionKind;
  /** The STS AccessKeyId the token belongs to. */
  readonly ak: string;
  /** The AccessKeySecret (the HMAC key of the requests signed with these credentials). */
  readonly sk: string;
  /** The account of the session (the role's account). */
  readonly acct: string;
  /** Role id, role name (stored spelling) and session name (role sessions). */
  readonly rid?: string;
  readonly rn?: string;
  readonly sn?: string;
  /** User id and name (a RAM user's logon session). */
  readonly uid?: string;
  readonly un?: string;
  /** The session policy document, when the session was created with one. */
  readonly sp?: string;
  /** Issued at and expires at, seconds since the epoch. */
  readonly iat: number;
  readonly exp: number;
  /** Whether the session that obtained these credentials passed MFA (acs:MFAPresent). */
  readonly mfa: boolean;
  /** A role session that was itself assumed by a role session (role chaining). */
  readonly chain?: boolean;
  /** The ARN of the principal that obtained the credentials (delegation is traceable). */
  readonly by: string;
  /** SourceIdentity given to AssumeRole. */
  readonly si?: string;
  /** The workload binding that obtained the credentials; they end when it is revoked. */
  readonly wl?: string;
  /** The console session (SHA-256 of its id) they were drawn from; they end with it. */
  readonly ls?: string;
}

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string;
  /** `YYYY-MM-DDThh:mm:ssZ`, the form every official client parses. */
  readonly expiration: string;
}

/** Additional authenticated data of every token: a token cannot be replayed as another sealed value. */
const TOKEN_CONTEXT = 'sts-security-token';

/**
 * A security token longer than this is refused before any decoding. The longest a token can be
 * is set by its session policy: 2,048 characters of up to 4 bytes each in UTF-8, the other
 * claims beside it, sealed and in base64url, about 12,000 characters.
 */
export const MAX_SECURITY_TOKEN_LENGTH = 16_384;

/** `2026-12-03T10:20:30Z` (no milliseconds). */
export function stsTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** New temporary credentials carrying `claims` (their ak and sk are generated here). */
export function issueCredentials(
  sealer: Sealer,
  claims: Omit<SessionClaims, 'v' | 'ak' | 'sk'>,
): IssuedCredentials {
  const ak = `STS.${randomAlnum(25)}`;
  const sk = randomBytes(30).toString('base64url');
  const full: SessionClaims = { v: 1, ak, sk, ...claims };
  return {
    accessKeyId: ak,
    accessKeySecret: sk,
    securityToken: sealer.seal(JSON.stringify(full), TOKEN_CONTEXT),
    expiration: stsTime(claims.exp),
  };
}

/** Why a token is refused, as the API codes name it. */
export type TokenProblem = 'Malformed' | 'Expired' | 'MismatchWithAccessKey';

export type TokenCheck =
  | { readonly ok: true; readonly claims: SessionClaims }
  | {
      readonly ok: false;
      readonly problem: TokenProblem;
      /** The claims of a token that opened (MismatchWithAccessKey, Expired): whose it is. */
      readonly claims?: SessionClaims;
    };

export interface TokenReader {
  /** The claims of a token presented with an AccessKeyId at a time. */
  check(token: string, accessKeyId: string, now: Date): TokenCheck;
}

function isClaims(x: unknown): x is SessionClaims {
  if (typeof x !== 'object' || x === null) return false;
  const c = x as Record<string, unknown>;
  return (
    c.v === 1 &&
    (c.kind === 'role' || c.kind === 'user' || c.kind === 'root') &&
    typeof c.ak === 'string' &&
    typeof c.sk === 'string' &&
    typeof c.acct === 'string' &&
    typeof c.iat === 'number' &&
    typeof c.exp === 'number' &&
    typeof c.mfa === 'boolean' &&
    typeof c.by === 'string' &&
    (c.kind !== 'role' || (typeof c.rid === 'string' && typeof c.rn === 'string' && typeof c.sn === 'string'))
  );
}

/**
 * Reads tokens: unseals and parses each distinct token once (bounded, least recently used
 * first out); expiry and the AccessKeyId binding are checked on every use.
 */
export function createTokenReader(sealer: Sealer, cacheSize = 10_000): TokenReader {
  const cache = new Map<string, SessionClaims | null>();

  function decode(token: string): SessionClaims | null {
    let claims = cache.get(token);
    if (claims !== undefined) {
      cache.delete(token);
      cache.set(token, claims);
      return claims;
    }
    claims = null;
    if (token.length <= MAX_SECURITY_TOKEN_LENGTH) {
      try {
        const parsed: unknown = JSON.parse(sealer.unsealText(token, TOKEN_CONTEXT));
        if (isClaims(parsed)) claims = parsed;
      } catch (err) {
        if (!(err instanceof SealError) && !(err instanceof SyntaxError)) throw err;
      }
    }
    // Refusals are remembered too: a flood of one forged token costs one decryption.
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
    cache.set(token, claims);
    return claims;
  }

  return {
    check(token, accessKeyId, now) {
      const claims = decode(token);
      if (!claims) return { ok: false, problem: 'Malformed' };
      if (claims.ak !== accessKeyId) return { ok: false, problem: 'MismatchWithAccessKey', claims };
      if (now.getTime() >= claims.exp * 1000) return { ok: false, problem: 'Expired', claims };
      return { ok: true, claims };
    },
  };
}
