/**
 * The console's client of the OSS-compatible data plane: requests signed with OSS signature V1
 * (web/src/oss-sign.ts) and the session's temporary credentials. Buckets are
 * addressed path-style on the console's own origin (`/<bucket>/<key>`): the server tells an
 * OSS request by its signature, so the CSP's `connect-src 'self'` covers every call.
 */
import { ApiFailure, ossCredentials, type AccessDeniedDetail } from './api';
import { signOss, type OssCall } from './oss-sign';

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
