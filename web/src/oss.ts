/**
 * The console's client of the OSS-compatible data plane: requests signed with OSS signature V1
 * (HMAC-SHA1 over the verb, Content-MD5, Content-Type, the date, the x-oss-* headers and the
 * canonicalized resource, as src/auth/signature-oss.ts verifies it), computed with Web Crypto
 * and the session's temporary credentials (their token in x-oss-security-token). Buckets are
 * addressed path-style on the console's own origin (`/<bucket>/<key>`): the server tells an
 * OSS request by its signature, so the CSP's `connect-src 'self'` covers every call.
 */
import { ApiFailure, ossCredentials, type AccessDeniedDetail } from './api';
import type { SigningCredentials } from './sign';

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

/** The path, query and headers (Authorization included) of a signed call. */
export async function signOss(
  call: OssCall,
  creds: SigningCredentials,
  now = new Date(),
): Promise<{ url: string; headers: Record<string, string> }> {
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

const DENIAL_FIELDS = [
  'AuthAction',
  'AuthPrincipalType',
  'AuthPrincipalDisplayName',
  'AuthPrincipalOwnerId',
  'PolicyType',
  'NoPermissionType',
  'EncodedDiagnosticMessage',
] as const;

/** An OSS error envelope (XML) as an ApiFailure, the denial's fields as its AccessDeniedDetail. */
export function ossFailure(status: number, xml: string): ApiFailure {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const text = (name: string): string | undefined =>
    doc.querySelector(`Error > ${name}`)?.textContent ?? undefined;
  const code = text('Code');
  if (!code) return new ApiFailure('InternalError', `The data plane answered ${status}.`, status);
  const detail: Record<string, string> = {};
  for (const f of DENIAL_FIELDS) {
    const v = text(f);
    if (v !== undefined) detail[f] = v;
  }
  // The message repeats the diagnostic after its explanation: the detail shows it apart.
  const message = (text('Message') ?? '').replace(/\s*EncodedDiagnosticMessage: \S+$/, '');
  return new ApiFailure(
    code,
    message,
    status,
    text('RequestId'),
    Object.keys(detail).length ? (detail as AccessDeniedDetail) : undefined,
  );
}

/** A signed call; the answer when it succeeded, else an ApiFailure from the OSS envelope. */
export async function ossFetch(call: OssCall): Promise<Response> {
  const signed = await signOss(call, await ossCredentials());
  const res = await fetch(signed.url, {
    method: call.method,
    credentials: 'omit',
    headers: signed.headers,
    ...(call.body !== undefined ? { body: call.body } : {}),
  });
  if (res.ok) return res;
  // HEAD has no body: the envelope comes Base64-encoded in x-oss-err.
  const xml = call.method === 'HEAD' ? atob(res.headers.get('x-oss-err') ?? '') : await res.text();
  throw ossFailure(res.status, xml);
}

function xmlOf(text: string): Document {
  return new DOMParser().parseFromString(text, 'application/xml');
}

const childText = (el: Element, name: string): string =>
  [...el.children].find((c) => c.tagName === name)?.textContent ?? '';

export interface BucketRow {
  readonly Name: string;
  readonly Location: string;
  readonly CreationDate: string;
}

/** ListBuckets: every bucket of the caller's account (at most 100 exist per account). */
export async function listBuckets(): Promise<BucketRow[]> {
  const res = await ossFetch({ method: 'GET', bucket: '', query: [['max-keys', '1000']] });
  const doc = xmlOf(await res.text());
  return [...doc.querySelectorAll('Buckets > Bucket')].map((b) => ({
    Name: childText(b, 'Name'),
    Location: childText(b, 'Location'),
    CreationDate: childText(b, 'CreationDate'),
  }));
}

export async function createBucket(name: string): Promise<void> {
  await ossFetch({ method: 'PUT', bucket: name, key: '' });
}

export interface ObjectRow {
  readonly Key: string;
  readonly Size: number;
  readonly ETag: string;
  readonly LastModified: string;
}

export interface Listing {
  readonly folders: string[];
  readonly objects: ObjectRow[];
  readonly nextMarker?: string;
}

/** ListObjects (V1) of one folder: prefix, delimiter '/', a page from marker. */
export async function listFolder(
  bucket: string,
  prefix: string,
  marker: string,
  maxKeys: number,
): Promise<Listing> {
  const res = await ossFetch({
    method: 'GET',
    bucket,
    key: '',
    query: [
      ['prefix', prefix],
      ['delimiter', '/'],
      ['marker', marker],
      ['max-keys', String(maxKeys)],
    ],
  });
  const doc = xmlOf(await res.text());
  const root = doc.documentElement;
  const truncated = childText(root, 'IsTruncated') === 'true';
  const next = childText(root, 'NextMarker');
  return {
    folders: [...root.children]
      .filter((c) => c.tagName === 'CommonPrefixes')
      .map((c) => childText(c, 'Prefix')),
    objects: [...root.children]
      .filter((c) => c.tagName === 'Contents')
      .map((c) => ({
        Key: childText(c, 'Key'),
        Size: Number(childText(c, 'Size')),
        ETag: childText(c, 'ETag'),
        LastModified: childText(c, 'LastModified'),
      })),
    ...(truncated && next ? { nextMarker: next } : {}),
  };
}

export interface ObjectMeta {
  readonly size: number;
  readonly etag: string;
  readonly lastModified: string;
  readonly contentType: string;
}

/** HeadObject: size, ETag, last modification and content type. */
export async function objectMeta(bucket: string, key: string): Promise<ObjectMeta> {
  const res = await ossFetch({ method: 'HEAD', bucket, key });
  return {
    size: Number(res.headers.get('content-length') ?? 0),
    etag: res.headers.get('etag') ?? '',
    lastModified: res.headers.get('last-modified') ?? '',
    contentType: res.headers.get('content-type') ?? '',
  };
}

export async function putObject(bucket: string, key: string, file: Blob): Promise<void> {
  await ossFetch({
    method: 'PUT',
    bucket,
    key,
    headers: { 'content-type': file.type || 'application/octet-stream' },
    body: file,
  });
}

export async function getObject(bucket: string, key: string): Promise<Blob> {
  return (await ossFetch({ method: 'GET', bucket, key })).blob();
}

export async function deleteObject(bucket: string, key: string): Promise<void> {
  await ossFetch({ method: 'DELETE', bucket, key });
}
