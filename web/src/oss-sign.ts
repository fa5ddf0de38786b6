/**
 * OSS signature V1 in the browser, with Web Crypto: HMAC-SHA1 over the verb, Content-MD5,
 * Content-Type, the date, the x-oss-* headers and the canonicalized resource, exactly as
 * src/auth/signature-oss.ts verifies it. The date travels in x-oss-date (a page cannot set
 * Date), temporary credentials bring their token in x-oss-security-token.
 */
/** The credentials that sign (the session's temporary ones: AccessKey, secret, token). */
export interface OssSigningCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string;
}

const encoder = new TextEncoder();

/** Query parameters that the V1 canonicalized resource includes (those the console sends). */
const SUB_RESOURCES = new Set(['acl', 'bucketInfo', 'location', 'objectMeta', 'uploads', 'delete']);

async function hmacSha1Base64(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-1' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(text)));
  let bin = '';
  for (const b of mac) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** A key on the wire: each path segment percent-encoded, the slashes kept. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

export interface OssCall {
  readonly method: 'GET' | 'PUT' | 'DELETE' | 'HEAD' | 'POST';
  /** '' for the service (ListBuckets). */
  readonly bucket: string;
  /** '' for a bucket-level request. */
  readonly key?: string;
  readonly query?: readonly (readonly [string, string])[];
  readonly headers?: Record<string, string>;
  readonly body?: Blob | string;
}

/** The V1 string to sign of a call (exported for the tests of the signer). */
export function stringToSignV1(call: OssCall, headers: Record<string, string>): string {
  const ossLines = Object.keys(headers)
    .filter((n) => n.startsWith('x-oss-'))
    .sort()
    .map((n) => `${n}:${headers[n]!.trim()}\n`)
    .join('');
  const base = call.bucket === '' ? '/' : `/${call.bucket}/${call.key ?? ''}`;
  const subs = (call.query ?? [])
    .filter(([n]) => SUB_RESOURCES.has(n))
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([n, v]) => (v === '' ? n : `${n}=${v}`));
  const resource = subs.length ? `${base}?${subs.join('&')}` : base;
  const date = headers['x-oss-date'] ?? '';
  return (
    [call.method, headers['content-md5'] ?? '', headers['content-type'] ?? '', date, ''].join('\n') +
    ossLines +
    resource
  );
}

/**
 * A bucket name as OSS allows it (3 - 63 lower-case letters, digits and hyphens, a letter or
 * digit at each end). The console takes bucket names from its own URL: anything else (`/host`,
 * `..`) would put another origin or path into the request, so it is refused before signing.
 */
const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** The path, query and headers (Authorization included) of a signed call. */
export async function signOss(
  call: OssCall,
  creds: OssSigningCredentials,
  now = new Date(),
): Promise<{ url: string; headers: Record<string, string> }> {
  if (call.bucket !== '' && !BUCKET_NAME.test(call.bucket))
    throw new Error(`${JSON.stringify(call.bucket)} is not a bucket name.`);
  // Browsers do not let a page set Date: x-oss-date takes its place in the string to sign.
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(call.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    'x-oss-date': now.toUTCString(),
    ...(creds.securityToken ? { 'x-oss-security-token': creds.securityToken } : {}),
  };
  const signature = await hmacSha1Base64(creds.accessKeySecret, stringToSignV1(call, headers));
  headers.authorization = `OSS ${creds.accessKeyId}:${signature}`;
  const path = call.bucket === '' ? '/' : `/${call.bucket}/${encodeKey(call.key ?? '')}`;
  const query = (call.query ?? [])
    .map(([n, v]) =>
      v === '' && SUB_RESOURCES.has(n) ? n : `${encodeURIComponent(n)}=${encodeURIComponent(v)}`,
    )
    .join('&');
  return { url: query ? `${path}?${query}` : path, headers };
}
