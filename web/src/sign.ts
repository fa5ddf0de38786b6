/**
 * Signature V3 (ACS3-HMAC-SHA256) in the browser, with Web Crypto: the same canonical
 * request as the official V3 clients build (method, path, sorted encoded query, signed
 * headers, their names, the body's SHA-256), so the console's calls travel the API's one
 * request path like any SDK's.
 */
const ALGORITHM = 'ACS3-HMAC-SHA256';
const encoder = new TextEncoder();

/** RFC 3986 encoding as every Alibaba Cloud signature uses it (%20 for space, %2A for *). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function hex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

async function hmacHex(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return hex(await crypto.subtle.sign('HMAC', key, encoder.encode(text)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function canonicalQuery(pairs: readonly (readonly [string, string])[]): string {
  return [...pairs]
    .sort((x, y) => compare(x[0], y[0]) || compare(x[1], y[1]))
    .map(([n, v]) => `${percentEncode(n)}=${percentEncode(v)}`)
    .join('&');
}

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string;
}

export interface SignedRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
}

export interface CallShape {
  readonly action: string;
  readonly version: string;
  readonly params: readonly (readonly [string, string])[];
  /** Default `/`, the RPC API. */
  readonly path?: string;
  /** A JSON body (the authorization point); RPC calls have none. */
  readonly json?: string;
}

/** The URL and headers of a signed POST (`/?<params>` with an empty body, or a JSON body). */
export async function signCall(
  host: string,
  call: CallShape,
  creds: SigningCredentials,
): Promise<SignedRequest> {
  const { action, version, params } = call;
  const path = call.path ?? '/';
  const body = call.json ?? '';
  const nonce = hex(crypto.getRandomValues(new Uint8Array(16)).buffer);
  const headers: Record<string, string> = {
    host,
    ...(call.json !== undefined ? { 'content-type': 'application/json' } : {}),
    'x-acs-accesskey-id': creds.accessKeyId,
    'x-acs-action': action,
    'x-acs-content-sha256': await sha256Hex(body),
    'x-acs-date': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-security-token': creds.securityToken,
    'x-acs-signature-nonce': nonce,
    'x-acs-version': version,
  };
  const names = Object.keys(headers).sort();
  const query = canonicalQuery(params);
  const canonical = [
    'POST',
    path,
    query,
    names.map((n) => `${n}:${headers[n]}\n`).join(''),
    names.join(';'),
    headers['x-acs-content-sha256'],
  ].join('\n');
  const signature = await hmacHex(creds.accessKeySecret, `${ALGORITHM}\n${await sha256Hex(canonical)}`);
  // The browser sets Host itself (the value signed above).
  const { host: _host, ...sent } = headers;
  return {
    url: query ? `${path}?${query}` : path,
    headers: {
      ...sent,
      authorization: `${ALGORITHM} Credential=${creds.accessKeyId},SignedHeaders=${names.join(';')},Signature=${signature}`,
      accept: 'application/json',
    },
  };
}
