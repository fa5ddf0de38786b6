import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { apiErrorWithStatus, type ApiError } from '../../errors.js';
import { fetchPinnedJson, PinnedFetchError } from './pinned-fetch.js';

/**
 * Verification of an OIDC token (a JWT) against a registered OIDC provider, as
 * AssumeRoleWithOIDC needs it: the issuer is the provider's IssuerUrl, an audience is one of
 * its ClientIds, the token is within its life and no older than IssuanceLimitTime hours, and
 * it is signed by a key of the issuer's JWKS. The JWKS is found through the issuer's discovery
 * document and fetched over HTTPS pinned by the provider's Fingerprints (pinned-fetch.ts);
 * it is cached per issuer and fingerprints, and fetched again when a token names a key id it
 * does not hold (the issuer rotated its keys).
 *
 * Every refusal is a 401 with the code AssumeRoleWithOIDC answers (reference sso.md 3.5).
 */

export interface OidcTrustAnchor {
  readonly issuerUrl: string;
  /** Lower-case SHA-1 hex. */
  readonly fingerprints: readonly string[];
  readonly clientIds: readonly string[];
  /** Hours. */
  readonly issuanceLimitTime: number;
}

export interface VerifiedOidcToken {
  readonly subject: string;
  readonly issuer: string;
  readonly audiences: readonly string[];
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** Signature algorithms accepted: asymmetric only (an HMAC key would be a shared secret). */
export const OIDC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

/** How far ahead of this server's clock a token's iat may be: the issuer's clock may differ. */
const IAT_SKEW_SEC = 300;

const fail = (what: string, message: string): ApiError =>
  apiErrorWithStatus(`AuthenticationFail.OIDCToken.${what}`, 401, message);

/** How long fetched keys are used before they are fetched again. */
const KEYS_TTL_MS = 10 * 60 * 1000;
/** An unknown key id fetches the keys again, at most this often per issuer. */
const REFRESH_COOLDOWN_MS = 30 * 1000;
const MAX_CACHED_ISSUERS = 1000;

interface CachedKeys {
  readonly keySet: ReturnType<typeof createLocalJWKSet>;
  readonly fetchedAt: number;
}

const trimSlash = (s: string): string => s.replace(/\/+$/, '');

const isStrings = (values: readonly unknown[]): values is string[] =>
  values.every((v) => typeof v === 'string');

export interface OidcVerifierOptions {
  /** Discovery and JWKS fetch (tests replace it); default: pinned HTTPS. */
  readonly fetchJson?: (url: URL, fingerprints: readonly string[]) => Promise<unknown>;
  /**
   * Whether issuers on loopback, private and link-local networks are read; default: when
   * RAMPART_OIDC_PRIVATE_ISSUERS is `allow` (read at each fetch).
   */
  readonly allowPrivateNetworks?: boolean;
}

/** RAMPART_OIDC_PRIVATE_ISSUERS=allow: OIDC issuers inside the deployment's own networks are read. */
export const privateIssuersAllowed = (env: NodeJS.ProcessEnv = process.env): boolean =>
  env.RAMPART_OIDC_PRIVATE_ISSUERS === 'allow';

/** The latest NumericDate taken (9999-12-31T23:59:59Z): later ones are no time a clock shows. */
const MAX_NUMERIC_DATE = 253_402_300_799;

const isNumericDate = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_NUMERIC_DATE;

export interface OidcVerifier {
  verify(token: string, anchor: OidcTrustAnchor, now: Date): Promise<VerifiedOidcToken>;
}

export function createOidcVerifier(opts: OidcVerifierOptions = {}): OidcVerifier {
  const fetchJson =
    opts.fetchJson ??
    ((url, fingerprints) =>
      fetchPinnedJson(url, {
        fingerprints,
        allowPrivateNetworks: opts.allowPrivateNetworks ?? privateIssuersAllowed(),
      }));
  const cache = new Map<string, CachedKeys>();
  const inFlight = new Map<string, Promise<CachedKeys>>();

  async function loadKeys(anchor: OidcTrustAnchor, now: number): Promise<CachedKeys> {
    try {
      // A terminating slash of the issuer is removed before the path is added (Discovery 4).
      const discovery = (await fetchJson(
        new URL(`${trimSlash(anchor.issuerUrl)}/.well-known/openid-configuration`),
        anchor.fingerprints,
      )) as { issuer?: unknown; jwks_uri?: unknown } | null;
      if (!discovery || typeof discovery.jwks_uri !== 'string' || typeof discovery.issuer !== 'string') {
        throw fail('HttpsUrlInvalid', 'The discovery document of the OIDC issuer has no issuer or jwks_uri.');
      }
      // Exactly the IssuerUrl (OpenID Connect Discovery 4.3), as a token's iss must be.
      if (discovery.issuer !== anchor.issuerUrl) {
        throw fail('HttpsUrlInvalid', 'The discovery document of the OIDC issuer names another issuer.');
      }
      let jwksUrl: URL;
      try {
        jwksUrl = new URL(discovery.jwks_uri);
      } catch {
        throw fail('HttpsUrlInvalid', 'The jwks_uri of the OIDC issuer is not a URL.');
      }
      if (jwksUrl.protocol !== 'https:')
        throw fail('HttpsUrlInvalid', 'The jwks_uri of the OIDC issuer is not https.');
      const jwks = (await fetchJson(jwksUrl, anchor.fingerprints)) as JSONWebKeySet | null;
      if (!jwks || !Array.isArray(jwks.keys)) {
        throw fail('HttpsUrlInvalid', 'The JWKS of the OIDC issuer holds no keys.');
      }
      return { keySet: createLocalJWKSet(jwks), fetchedAt: now };
    } catch (err) {
      if (err instanceof PinnedFetchError) {
        if (err.failure === 'fingerprint')
          throw fail(
            'PublicKeyFingerprintMismatch',
            'The certificate of the OIDC issuer does not match any fingerprint of the OIDC provider.',
          );
        if (err.failure === 'network')
          throw fail(
            'HttpsUrlInvalid',
            'The OIDC issuer is on a loopback, private or link-local network, which this deployment does not read (RAMPART_OIDC_PRIVATE_ISSUERS).',
          );
        // One answer whatever went wrong on the way (refused, unresolved, not TLS, a status):
        // an unsigned caller must not map the networks this server reaches by varying IssuerUrl.
        throw fail('HttpsUrlInvalid', 'The OIDC issuer could not be read over HTTPS.');
      }
      if (err instanceof Error && err.name === 'ApiError') throw err;
      throw fail('HttpsUrlInvalid', 'The keys of the OIDC issuer could not be read.');
    }
  }

  async function keysFor(anchor: OidcTrustAnchor, now: number, refresh: boolean): Promise<CachedKeys> {
    const key = `${anchor.issuerUrl}|${[...anchor.fingerprints].sort().join(',')}`;
    const cached = cache.get(key);
    const fresh = cached && now - cached.fetchedAt < KEYS_TTL_MS && now >= cached.fetchedAt;
    const mayRefresh = !cached || now - cached.fetchedAt >= REFRESH_COOLDOWN_MS || now < cached.fetchedAt;
    if (cached && fresh && (!refresh || !mayRefresh)) return cached;
    let pending = inFlight.get(key);
    if (!pending) {
      pending = loadKeys(anchor, now).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    const loaded = await pending;
    cache.delete(key);
    cache.set(key, loaded);
    if (cache.size > MAX_CACHED_ISSUERS) cache.delete(cache.keys().next().value!);
    return loaded;
  }

  return {
    async verify(token, anchor, nowDate) {
      const now = nowDate.getTime();
      const nowSec = Math.floor(now / 1000);
      let header: ReturnType<typeof decodeProtectedHeader>;
      let claims: JWTPayload;
      if (token.split('.').length !== 3) throw fail('Invalid', 'The OIDC token is not a signed JWT.');
      try {
        header = decodeProtectedHeader(token);
        claims = decodeJwt(token);
      } catch {
        throw fail('Invalid', 'The OIDC token cannot be decoded.');
      }
      if (typeof header.alg !== 'string' || !(OIDC_ALGORITHMS as readonly string[]).includes(header.alg)) {
        throw fail('Invalid', 'The signature algorithm of the OIDC token is not supported.');
      }
      // Exactly the IssuerUrl (RFC 7519 4.1.1, OpenID Connect Core 3.1.3.7): `iss` is echoed
      // into oidc:iss and the answer, so `https://idp/` is not `https://idp`.
      if (typeof claims.iss !== 'string' || claims.iss !== anchor.issuerUrl) {
        throw fail('Invalid', 'The issuer of the OIDC token is not the IssuerUrl of the OIDC provider.');
      }
      // A string or an array of strings (RFC 7519 4.1.3): a token with anything else in `aud` is
      // refused, never echoed into oidc:aud and ClientIds.
      const aud: unknown = claims.aud;
      const audiences =
        typeof aud === 'string' ? [aud] : Array.isArray(aud) && isStrings(aud) ? aud : undefined;
      if (!audiences) {
        throw fail(
          'AudienceNotMatch',
          'The audience of the OIDC token is not a string or an array of strings.',
        );
      }
      if (!audiences.some((a) => anchor.clientIds.includes(a))) {
        throw fail(
          'AudienceNotMatch',
          'The audience of the OIDC token is not a client ID of the OIDC provider.',
        );
      }
      if (typeof claims.sub !== 'string' || claims.sub === '') {
        throw fail('Invalid', 'The OIDC token has no subject.');
      }
      if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') {
        throw fail('Invalid', 'The OIDC token has no iat or exp.');
      }
      if (
        !isNumericDate(claims.exp) ||
        !isNumericDate(claims.iat) ||
        (claims.nbf !== undefined && !isNumericDate(claims.nbf))
      ) {
        throw fail(
          'Invalid',
          'The iat, exp or nbf of the OIDC token is not a time (seconds up to the year 9999).',
        );
      }
      if (claims.exp <= nowSec) throw fail('Expired', 'The OIDC token has expired.');
      // A token dated ahead (beyond a few minutes of clock difference) would escape the limit below.
      if (claims.iat > nowSec + IAT_SKEW_SEC) {
        throw fail('Invalid', 'The OIDC token is dated in the future (iat).');
      }
      if (nowSec - claims.iat > anchor.issuanceLimitTime * 3600) {
        throw fail(
          'Expired',
          `The OIDC token was issued more than ${anchor.issuanceLimitTime} hours ago (IssuanceLimitTime).`,
        );
      }
      const options = {
        issuer: anchor.issuerUrl,
        audience: [...anchor.clientIds],
        algorithms: [...OIDC_ALGORITHMS],
        currentDate: nowDate,
        requiredClaims: ['iat', 'exp', 'sub'],
      };
      let keys = await keysFor(anchor, now, false);
      for (let attempt = 0; ; attempt++) {
        try {
          await jwtVerify(token, keys.keySet, options);
          break;
        } catch (err) {
          if (err instanceof joseErrors.JWKSNoMatchingKey && attempt === 0) {
            keys = await keysFor(anchor, now, true);
            continue;
          }
          if (err instanceof joseErrors.JWTExpired) throw fail('Expired', 'The OIDC token has expired.');
          if (err instanceof joseErrors.JWTClaimValidationFailed) {
            if (err.claim === 'aud') {
              throw fail(
                'AudienceNotMatch',
                'The audience of the OIDC token is not a client ID of the OIDC provider.',
              );
            }
            throw fail('Invalid', `The OIDC token is not valid: claim ${err.claim} is wrong.`);
          }
          if (
            err instanceof joseErrors.JWSSignatureVerificationFailed ||
            err instanceof joseErrors.JWKSNoMatchingKey ||
            err instanceof joseErrors.JWKSMultipleMatchingKeys
          ) {
            throw fail(
              'InvalidSignature',
              'The signature of the OIDC token does not verify with the keys of its issuer.',
            );
          }
          throw fail('Invalid', 'The OIDC token is not valid.');
        }
      }
      return {
        subject: claims.sub,
        issuer: anchor.issuerUrl,
        audiences,
        issuedAt: claims.iat,
        expiresAt: claims.exp,
      };
    },
  };
}
