import { createHmac, randomBytes } from 'node:crypto';
import { equalSignatures } from '../crypto/constant-time.js';
import { sha256Hex as digestHex } from '../crypto/digest.js';
import { headerValue, type HeaderValues } from './headers.js';
import { canonicalQuery } from './percent-encode.js';

export type { HeaderValues } from './headers.js';

/**
 * Signature V3 (ACS3-HMAC-SHA256). The canonical request is method, path, sorted query
 * (decoded then encoded), the signed headers as `name:value` lines, the signed header
 * list, and the hex SHA-256 of the body. The verifier and the CLI's signer share it.
 */
export const V3_ALGORITHM = 'ACS3-HMAC-SHA256';
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Headers a V3 signature must cover; x-acs-security-token too when present. */
export const V3_REQUIRED_SIGNED_HEADERS = [
  'host',
  'x-acs-action',
  'x-acs-content-sha256',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-version',
] as const;

export interface V3Authorization {
  readonly algorithm: string;
  readonly accessKeyId: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Whether an Authorization header value announces a V3 signature (`ACS3-...`). */
export function isV3Authorization(authorization: string | undefined): boolean {
  return authorization !== undefined && authorization.trimStart().startsWith('ACS3-');
}

/** Parses `ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex`; undefined when malformed. */
export function parseV3Authorization(header: string): V3Authorization | undefined {
  const m = /^(ACS3-[A-Z0-9-]+)\s+(.*)$/.exec(header.trim());
  if (!m) return undefined;
  const fields = new Map<string, string>();
  for (const part of m[2]!.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) return undefined;
  return {
    algorithm: m[1]!,
    accessKeyId,
    signedHeaders: signedHeaders.split(';').map((h) => h.trim().toLowerCase()),
    signature,
  };
}

export interface CanonicalRequestInput {
  readonly method: string;
  readonly path: string;
  /** Decoded query parameters. */
  readonly query: readonly (readonly [string, string])[];
  readonly headers: HeaderValues;
  readonly signedHeaders: readonly string[];
  readonly payloadHash: string;
}

/**
 * One `name:value` line of the canonical headers, the value as headerValue reads it (trimmed).
 * The signature thus covers exactly the value the rest of the request path uses. A header
 * repeated on the wire is signed as its values joined with `, ` in the order received (the
 * SDKs never repeat a signed header, and node:http joins repeats that way itself).
 */
function headerLine(headers: HeaderValues, name: string): string {
  return `${name}:${headerValue(headers, name) ?? ''}\n`;
}

export function canonicalRequestV3(input: CanonicalRequestInput): string {
  const names = [...input.signedHeaders];
  const headers = names.map((n) => headerLine(input.headers, n)).join('');
  return [
    input.method.toUpperCase(),
    input.path,
    canonicalQuery(input.query),
    headers,
    names.join(';'),
    input.payloadHash,
  ].join('\n');
}

/** The hex SHA-256 of a body or text (an empty body's is a constant). */
export function sha256Hex(data: string | Uint8Array): string {
  return data.length === 0 ? EMPTY_BODY_SHA256 : digestHex(data);
}

export function stringToSignV3(canonicalRequest: string): string {
  return `${V3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
}

export function signV3(secret: string, stringToSign: string): string {
  return createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex');
}

export interface V3Verification {
  readonly ok: boolean;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
}

export function verifyV3(input: CanonicalRequestInput, secret: string, received: string): V3Verification {
  const canonicalRequest = canonicalRequestV3(input);
  const stringToSign = stringToSignV3(canonicalRequest);
  return { ok: equalSignatures(signV3(secret, stringToSign), received), canonicalRequest, stringToSign };
}

/** `YYYY-MM-DDThh:mm:ssZ`, the timestamp form of V2 Timestamp and V3 x-acs-date. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface SignV3Options {
  readonly method: 'GET' | 'POST';
  /** The request path; default `/` (the RPC API). */
  readonly path?: string;
  /** host[:port] exactly as the Host header will carry it. */
  readonly host: string;
  readonly action: string;
  readonly version: string;
  readonly query: readonly (readonly [string, string])[];
  readonly body?: string;
  readonly contentType?: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
  readonly now?: Date;
  readonly nonce?: string;
}

/** Builds the headers of a V3-signed request (the client side, used by the CLI and tests). */
export function signRequestV3(opts: SignV3Options): Record<string, string> {
  const body = opts.body ?? '';
  const headers: Record<string, string> = {
    host: opts.host,
    'x-acs-action': opts.action,
    'x-acs-version': opts.version,
    'x-acs-date': formatTimestamp(opts.now ?? new Date()),
    'x-acs-signature-nonce': opts.nonce ?? randomBytes(32).toString('hex'),
    'x-acs-content-sha256': sha256Hex(body),
  };
  if (body && opts.contentType) headers['content-type'] = opts.contentType;
  if (opts.securityToken) {
    headers['x-acs-security-token'] = opts.securityToken;
    headers['x-acs-accesskey-id'] = opts.accessKeyId;
  }
  const signedHeaders = Object.keys(headers).sort();
  const canonical = canonicalRequestV3({
    method: opts.method,
    path: opts.path ?? '/',
    query: opts.query,
    headers,
    signedHeaders,
    payloadHash: headers['x-acs-content-sha256']!,
  });
  const signature = signV3(opts.accessKeySecret, stringToSignV3(canonical));
  headers.authorization = `${V3_ALGORITHM} Credential=${opts.accessKeyId},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`;
  headers.accept = 'application/json';
  return headers;
}
